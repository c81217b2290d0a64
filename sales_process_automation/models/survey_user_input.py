# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    sales_process_feedback_request_id = fields.Many2one(
        "sales.process.feedback.request",
        string="Sales Process Feedback",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="The feedback campaign invitation this answer replies to: it links "
        "the answer to the lead or ticket, the customer, the rep and the team.",
    )
