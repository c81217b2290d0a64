# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = [
        "helpdesk.ticket",
        "sales.process.stage.tracking.mixin",
        "sales.process.assignment.mixin",
    ]

    _stage_history_field = "stage_id"
    _stage_history_link = "ticket_id"
    _stage_history_stage_column = "ticket_stage_id"
    _stage_history_team_column = "helpdesk_team_id"
    _stage_history_entry_date_field = "last_stage_update"

    sales_process_stage_history_ids = fields.One2many(
        "sales.process.stage.history",
        "ticket_id",
        string="Stage History",
        groups="sales_process_automation.group_user",
    )

    sales_process_feedback_request_ids = fields.One2many(
        "sales.process.feedback.request", "ticket_id", string="Feedback Surveys"
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the rules run once mail.thread has created and subscribed the
        # tickets: a rule may give a ticket to the user who creates it
        return super().create(vals_list)._assignment_on_create()

    def _assignment_open_domain(self):
        return [("closed", "=", False)]

    def _assignment_creator_sees_all(self):
        return self.env.user.has_group("helpdesk_mgmt.group_helpdesk_user")
