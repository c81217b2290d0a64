# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


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
