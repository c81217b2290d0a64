# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = [
        "crm.lead",
        "sales.process.stage.tracking.mixin",
        "sales.process.assignment.mixin",
    ]

    _stage_history_field = "stage_id"
    _stage_history_link = "lead_id"
    _stage_history_stage_column = "crm_stage_id"
    _stage_history_entry_date_field = "date_last_stage_update"

    stage_history_ids = fields.One2many(
        "sales.process.stage.history",
        "lead_id",
        string="Stage History",
        groups="sales_process_automation.group_user",
    )
    sales_process_complex_request_ids = fields.One2many(
        "sales.process.complex.request",
        "lead_id",
        string="Complex Requests",
        groups="sales_process_automation.group_user",
    )
    sales_process_complex_request_id = fields.Many2one(
        "sales.process.complex.request",
        string="Complex Request",
        compute="_compute_sales_process_complex",
        store=True,
        help="The latest request to handle the opportunity outside the standard rules.",
    )
    sales_process_complex = fields.Boolean(
        string="Complex",
        compute="_compute_sales_process_complex",
        store=True,
        help="A request to handle the opportunity outside the standard rules is "
        "waiting for approval or approved: the standard stage reminders are off.",
    )
    sales_process_extension_approved = fields.Boolean(
        string="Extension Approved",
        compute="_compute_sales_process_complex",
        store=True,
    )
    sales_process_complex_state = fields.Selection(
        related="sales_process_complex_request_id.state",
        string="Complex Request Status",
    )
    sales_process_complex_deadline = fields.Datetime(
        related="sales_process_complex_request_id.requested_deadline",
        string="Requested Deadline",
    )

    @api.depends(
        "sales_process_complex_request_ids.state",
    )
    def _compute_sales_process_complex(self):
        for lead in self:
            request = lead.sales_process_complex_request_ids.filtered(
                lambda request: request.state != "draft"
            ).sorted("id")[-1:]
            lead.sales_process_complex_request_id = request
            lead.sales_process_complex = request.state in ("pending", "approved")
            lead.sales_process_extension_approved = request.state == "approved"

    def _assignment_open_domain(self):
        return [("probability", "<", 100)]

    def action_sales_process_mark_complex(self):
        """Open a new complex request for the opportunity."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark as Complex"),
            "res_model": "sales.process.complex.request",
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "sales_process_automation.sales_process_complex_request_view_form_new"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_sales_process_complex_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_automation.sales_process_complex_request_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def write(self, vals):
        result = super().write(vals)
        if vals.get("stage_id"):
            stage = self.env["crm.stage"].browse(vals["stage_id"])
            if stage.is_contract_signed:
                self.order_ids._contract_chain_start("crm_stage")
        return result
