# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    sales_process_handoff = fields.Boolean(
        string="Stage Hand-off",
        help="Planned for the owner of the stage the record entered; done when "
        "the record leaves the stage.",
    )
    sales_process_handoff_user_id = fields.Many2one(
        "res.users",
        string="Responsible Before the Hand-off",
        help="The record's salesperson before the stage owner replaced them: "
        "given back when the record leaves the stage.",
    )
    sales_process_stage_history_id = fields.Many2one(
        "sales.process.stage.history",
        string="SLA Stage",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="The stage whose SLA reminder or breach this activity is about: it "
        "is removed when its reason ends (the record leaves the stage, is won, "
        "lost or reassigned, or its extension is approved).",
    )
