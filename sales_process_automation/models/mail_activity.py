# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

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
