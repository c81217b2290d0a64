# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError

# what the reviewer decides on, and the decision: only the approval flow
# writes them
PROTECTED_FIELDS = {
    "lead_id",
    "requester_id",
    "from_stage_id",
    "to_stage_id",
    "skipped_stage_ids",
    "state",
}


class SalesProcessStageSkipRequest(models.Model):
    """A move of an opportunity past a mandatory stage, waiting for approval."""

    _name = "sales.process.stage.skip.request"
    _inherit = [
        "mail.thread",
        "sales.process.tier.validation.mixin",
        "sales.process.approval.request.mixin",
    ]
    _description = "Stage Skip Request"
    _order = "id desc"

    _state_from = ["pending"]
    _state_to = ["approved"]
    _cancel_state = "cancel"

    name = fields.Char(compute="_compute_name", store=True)
    lead_id = fields.Many2one(readonly=True)
    company_id = fields.Many2one(related="lead_id.company_id", store=True)
    team_id = fields.Many2one(related="lead_id.team_id", string="Sales Team")
    from_stage_id = fields.Many2one("crm.stage", required=True, readonly=True)
    to_stage_id = fields.Many2one("crm.stage", required=True, readonly=True)
    skipped_stage_ids = fields.Many2many(
        "crm.stage", string="Skipped Mandatory Stages", readonly=True
    )
    approver_ids = fields.Many2many(
        help="The team leader of the opportunity; the sales process managers "
        "when the team has no leader or the leader asks.",
    )
    state = fields.Selection(
        [
            ("pending", "Waiting for Approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("cancel", "Withdrawn"),
        ],
        required=True,
        default="pending",
        readonly=True,
        tracking=True,
    )

    @api.depends("lead_id.name", "from_stage_id.name", "to_stage_id.name")
    def _compute_name(self):
        for request in self:
            request.name = self.env._(
                "%(lead)s: %(from_stage)s to %(to_stage)s",
                lead=request.lead_id.name,
                from_stage=request.from_stage_id.name,
                to_stage=request.to_stage_id.name,
            )

    @api.depends("lead_id.team_id.user_id", "requester_id")
    def _compute_approver_ids(self):
        for request in self:
            leader = request.lead_id.team_id.user_id
            if leader and leader != request.requester_id:
                request.approver_ids = leader
            else:
                request.approver_ids = self._sales_process_company_managers(
                    request.company_id
                )

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests.request_validation()
        for request in requests:
            request.lead_id.message_post(
                body=self.env._(
                    "Moving to %(stage)s skips the mandatory stage(s) %(skipped)s: "
                    "the move waits for a manager's approval.",
                    stage=request.to_stage_id.name,
                    skipped=", ".join(request.skipped_stage_ids.mapped("name")),
                )
            )
        return requests

    def write(self, vals):
        if (
            vals.keys() & PROTECTED_FIELDS
            and not self.env.su
            and not self.env.user.has_group("sales_process_automation.group_admin")
        ):
            raise AccessError(
                self.env._(
                    "A stage skip request changes only when it is approved, "
                    "rejected or withdrawn."
                )
            )
        return super().write(vals)

    def _sales_process_excluded_reviewers(self):
        # the requester never approves their own request
        return super()._sales_process_excluded_reviewers() | self.requester_id

    def _check_allow_write_under_validation(self, vals):
        # requests are read-only in their form: only the approval flow writes
        # their state
        return True

    def _validate_tier(self, tiers=False):
        result = super()._validate_tier(tiers)
        if (
            self.state == "pending"
            and self.validation_status == "validated"
            and not self._sales_process_forged_approvals()
        ):
            # sudo: the status only moves with the approval process
            self.sudo().state = "approved"
            # the approved move is the requester's: stage history and tracking
            # are written in their name. sudo: approved, it happens even when
            # the opportunity is no longer theirs (and is not held again)
            self.lead_id.with_user(self.requester_id).sudo().write(
                {"stage_id": self.to_stage_id.id}
            )
            self._post_on_lead(
                self.env._(
                    "%(user)s approved the move to %(stage)s.",
                    user=self.env.user.name,
                    stage=self.to_stage_id.name,
                )
            )
        return result

    def _rejected_tier(self, tiers=False):
        result = super()._rejected_tier(tiers)
        if self.state == "pending" and self.validation_status == "rejected":
            # sudo: the status only moves with the approval process
            self.sudo().state = "rejected"
            self._post_on_lead(
                self.env._(
                    "%(user)s rejected the move to %(stage)s: the opportunity "
                    "stays in %(current)s.",
                    user=self.env.user.name,
                    stage=self.to_stage_id.name,
                    current=self.lead_id.stage_id.name,
                )
            )
        return result

    def _post_on_lead(self, body):
        """Tell the opportunity's followers the decision and its comment."""
        comment = self.review_ids.filtered(
            lambda review: review.done_by == self.env.user and review.comment
        )[:1].comment
        if comment:
            body = Markup("%s<br/>%s") % (body, comment)
        # sudo: a reviewer may approve without the right to write on the
        # opportunity; the note is the approval flow's
        self.lead_id.sudo().message_post(body=body)
