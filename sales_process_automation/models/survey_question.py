# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    sales_process_crm_stage_id = fields.Many2one(
        "crm.stage",
        string="Rated Sales Stage",
        index="btree_not_null",
        ondelete="cascade",
        help="The customer rates this stage of the sales process; the question is "
        "asked only to customers whose lead went through it.",
    )
    sales_process_ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Rated Ticket Stage",
        index="btree_not_null",
        ondelete="cascade",
        help="The customer rates this stage of the after-sales ticket; the question "
        "is asked only to customers whose ticket went through it.",
    )
    sales_process_is_nps = fields.Boolean(
        string="Net Promoter Score Question",
        help="A 0 to 10 scale: 9 and 10 are promoters, 0 to 6 detractors.",
    )
