# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError


class SalesProcessApprovalRequestMixin(models.AbstractModel):
    """A request about an opportunity, made by a user and approved by others.

    Each request model says who approves it by default in
    ``_compute_approver_ids`` (and in the help of ``approver_ids``).
    """

    _name = "sales.process.approval.request.mixin"
    _description = "Sales Process Approval Request"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        required=True,
        index=True,
        ondelete="cascade",
    )
    requester_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    approver_ids = fields.Many2many(
        "res.users", string="Approvers", compute="_compute_approver_ids"
    )

    def _compute_approver_ids(self):
        self.approver_ids = False

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # whoever creates the request asks for it, whatever the client sends
            for vals in vals_list:
                vals["requester_id"] = self.env.uid
        return super().create(vals_list)

    def write(self, vals):
        if "requester_id" in vals and not self.env.su:
            raise AccessError(self.env._("Who asked for a request cannot be changed."))
        return super().write(vals)
