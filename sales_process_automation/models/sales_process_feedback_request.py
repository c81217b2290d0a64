# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import feedback_sampling

REQUEST_STATES = [
    (feedback_sampling.SAMPLED_OUT, "Not in the Sample"),
    (feedback_sampling.NO_EMAIL, "No Email Address"),
    (feedback_sampling.OPTED_OUT, "Opted Out"),
    (feedback_sampling.QUIET, "Asked Recently"),
    (feedback_sampling.CAPPED, "Period Cap Reached"),
    (feedback_sampling.INVITE, "Invited"),
]


class SalesProcessFeedbackRequest(models.Model):
    """What a feedback campaign decided for one closed lead or ticket: one row
    per campaign and record, so that a record is never considered twice."""

    _name = "sales.process.feedback.request"
    _description = "Feedback Survey Request"
    _order = "date_outcome desc, id desc"
    _check_company_auto = True

    campaign_id = fields.Many2one(
        "sales.process.feedback.campaign",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    outcome = fields.Selection(related="campaign_id.outcome", store=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead/Opportunity",
        index="btree_not_null",
        ondelete="cascade",
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Ticket",
        index="btree_not_null",
        ondelete="cascade",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", index=True
    )
    date_outcome = fields.Datetime(string="Closed On", required=True)
    state = fields.Selection(REQUEST_STATES, required=True, index=True)
    date_invited = fields.Datetime(string="Invited On", index="btree_not_null")
    date_reminded = fields.Datetime(string="Reminded On")
    user_input_ids = fields.One2many(
        "survey.user_input", "sales_process_feedback_request_id"
    )
    user_input_id = fields.Many2one(
        "survey.user_input",
        string="Answer",
        compute="_compute_user_input_id",
        store=True,
        index="btree_not_null",
    )
    answer_state = fields.Selection(
        related="user_input_id.state", string="Answer Status", store=True
    )

    _campaign_lead_unique = models.UniqueIndex(
        "(campaign_id, lead_id) WHERE lead_id IS NOT NULL",
        "A campaign considers a lead once.",
    )
    _campaign_ticket_unique = models.UniqueIndex(
        "(campaign_id, ticket_id) WHERE ticket_id IS NOT NULL",
        "A campaign considers a ticket once.",
    )

    @api.depends("user_input_ids")
    def _compute_user_input_id(self):
        for request in self:
            request.user_input_id = request.user_input_ids[:1]

    def action_open_answer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "survey.user_input",
            "res_id": self.user_input_id.id,
            "views": [(False, "form")],
        }

    @api.model
    def _action_open(self, domain):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Feedback Surveys"),
            "res_model": self._name,
            "domain": domain,
            "views": [(False, "list"), (False, "form")],
            "context": {"create": False},
        }
