# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

ACTIVITY_TYPE = "sales_process_automation.mail_activity_type_complex_approval"
# what the reviewer decides on, and the decision: fixed once submitted
PROTECTED_FIELDS = {
    "lead_id",
    "requester_id",
    "reason_id",
    "details",
    "requested_deadline",
    "current_deadline",
    "stage_history_id",
    "decision_comment",
    "decided_by_id",
    "decision_date",
}


class SalesProcessComplexRequest(models.Model):
    """A rep's request to handle an opportunity outside the standard SLA.

    Approved by tiers (OCA ``base_tier_validation``): the tier definitions of
    this model say who approves; by default the team leader of the
    opportunity, else any Sales Process Manager, never the requester.
    """

    _name = "sales.process.complex.request"
    _description = "Complex Opportunity Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "sales.process.tier.validation.mixin",
        "sales.process.approval.request.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    _state_from = ["pending"]
    _state_to = ["approved"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    lead_id = fields.Many2one(check_company=True)
    company_id = fields.Many2one(
        related="lead_id.company_id", store=True, index=True, precompute=True
    )
    lead_user_id = fields.Many2one(
        related="lead_id.user_id",
        string="Salesperson",
        store=True,
        index=True,
        precompute=True,
    )
    team_id = fields.Many2one(
        related="lead_id.team_id", store=True, index=True, precompute=True
    )
    approver_ids = fields.Many2many(
        help="Who approves by default: the team leader of the opportunity when "
        "they are a Sales Process Manager, else the Sales Process Managers of its "
        "company; never the requester.",
    )
    reason_id = fields.Many2one(
        "sales.process.complex.reason",
        string="Reason",
        tracking=True,
        check_company=True,
    )
    reason_requires_details = fields.Boolean(related="reason_id.requires_details")
    details = fields.Text(tracking=True)
    current_deadline = fields.Datetime(
        string="Standard Deadline",
        readonly=True,
        help="The stage deadline of the opportunity when the request was made.",
    )
    requested_deadline = fields.Datetime(string="New Deadline", tracking=True)
    stage_history_id = fields.Many2one(
        "sales.process.stage.history",
        string="Stage Entry",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The stage the new deadline applies to.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("pending", "Waiting for Approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        string="Status",
        default="draft",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    # what the reviewer weighs: the deal, how late it is, the rep's habit
    lead_currency_id = fields.Many2one(
        related="lead_id.company_currency", string="Opportunity Currency"
    )
    lead_expected_revenue = fields.Monetary(
        related="lead_id.expected_revenue", currency_field="lead_currency_id"
    )
    lead_sla_deadline = fields.Datetime(
        related="lead_id.sales_process_sla_deadline", string="Stage Deadline Now"
    )
    lead_hours_overdue = fields.Float(
        string="Working Hours Overdue",
        compute="_compute_lead_lateness",
        help="Working hours since the stage deadline of the opportunity passed.",
    )
    lead_lateness = fields.Char(
        string="Overdue By",
        compute="_compute_lead_lateness",
        help="Working time since the stage deadline of the opportunity passed.",
    )
    requester_complex_share = fields.Float(
        string="Salesperson's Complex Share (%)",
        compute="_compute_requester_complex_share",
        digits=(5, 2),
        help="Complex opportunities out of all the opportunities of the "
        "salesperson in this team, as the Complex Opportunities report shows it.",
    )
    decision_comment = fields.Char(readonly=True, copy=False)
    decided_by_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False
    )
    decision_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("lead_id.team_id.user_id", "requester_id", "company_id")
    def _compute_approver_ids(self):
        managers = self.env.ref("sales_process_automation.group_manager").all_user_ids
        for request in self:
            leader = request.lead_id.team_id.user_id
            if leader in managers and leader != request.requester_id:
                request.approver_ids = leader
                continue
            request.approver_ids = (
                self._sales_process_company_managers(request.company_id)
                - request.requester_id
            )

    @api.depends("lead_id")
    def _compute_lead_lateness(self):
        rows = self.lead_id._stage_history_open_rows().grouped("lead_id")
        for request in self:
            hours = request.lead_id.sales_process_sla_hours_overdue
            row = rows.get(request.lead_id, self.env["sales.process.stage.history"])
            request.lead_hours_overdue = hours
            request.lead_lateness = row._sla_time_in_words(hours) if hours else False

    @api.depends("lead_id.user_id", "lead_id.team_id", "company_id")
    def _compute_requester_complex_share(self):
        shares = self.env["sales.process.complex.report"]._complex_shares(self.lead_id)
        for request in self:
            lead = request.lead_id
            request.requester_complex_share = shares.get(
                (lead.user_id.id, lead.team_id.id, lead.company_id.id), 0.0
            )

    @api.depends("lead_id", "reason_id")
    def _compute_display_name(self):
        for request in self:
            request.display_name = " - ".join(
                filter(None, [request.lead_id.name, request.reason_id.name])
            )

    @api.constrains("reason_id", "details")
    def _check_details(self):
        for request in self:
            if request.reason_requires_details and not (request.details or "").strip():
                raise ValidationError(
                    self.env._(
                        "The reason %(reason)s needs details: explain in a few "
                        "words what the customer asks for.",
                        reason=request.reason_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("state", "draft") != "draft" for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    "A complex request starts as a draft: submit it for approval."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if self.env.su:
            return super().write(vals)
        if "state" in vals:
            raise UserError(
                self.env._(
                    "The status of a complex request follows its approval: submit "
                    "it, then let the sales manager approve or reject it."
                )
            )
        if vals.keys() & PROTECTED_FIELDS and any(
            request.state != "draft" for request in self
        ):
            raise UserError(
                self.env._(
                    "A submitted complex request cannot be changed; after a "
                    "rejection, make a new request."
                )
            )
        return super().write(vals)

    def action_request(self):
        """Submit the request: reminders stop and the sales manager is asked."""
        for request in self:
            if request.state != "draft":
                raise UserError(
                    self.env._("Only a draft request can be submitted for approval.")
                )
            request._check_request_values()
        History = self.env["sales.process.stage.history"]
        for request in self:
            row = request.lead_id._stage_history_open_rows()[:1]
            # sudo: the status only moves with the approval process
            request.sudo().write(
                {
                    "state": "pending",
                    "current_deadline": row.date_deadline,
                    "stage_history_id": row.id,
                }
            )
        reviews = self.request_validation()
        for request in self:
            request_reviews = reviews.filtered(
                lambda review, request=request: review.res_id == request.id
            )
            if not request_reviews.reviewer_ids:
                raise UserError(
                    self.env._(
                        "Nobody can approve this request: no approval rule applies "
                        "or its reviewers are missing. Ask an administrator to "
                        "check the tier definitions of complex opportunities."
                    )
                )
            for user in request_reviews.reviewer_ids:
                request.activity_schedule(
                    ACTIVITY_TYPE,
                    user_id=user.id,
                    summary=self.with_context(lang=user.lang).env._(
                        "Approve or reject the complex opportunity"
                    ),
                    note=request.details,
                )
            request.lead_id.message_post(
                body=self.env._(
                    "Marked as complex (%(reason)s): new deadline %(deadline)s "
                    "requested, waiting for approval.",
                    reason=request.reason_id.name,
                    deadline=request._format_deadline(),
                ),
                subtype_xmlid="mail.mt_note",
            )
        History.invalidate_model()
        return True

    def _check_request_values(self):
        self.ensure_one()
        if not self.reason_id:
            raise ValidationError(
                self.env._(
                    "Choose why the opportunity is complex: the reason is empty."
                )
            )
        self._check_details()
        if not self.requested_deadline:
            raise ValidationError(self.env._("Give the new deadline you need."))
        if self.requested_deadline <= fields.Datetime.now():
            raise ValidationError(
                self.env._(
                    "The new deadline %(deadline)s is in the past: choose a later one.",
                    deadline=self._format_deadline(),
                )
            )
        others = self.search_count(
            [
                ("lead_id", "=", self.lead_id.id),
                ("state", "in", ["pending", "approved"]),
                ("id", "!=", self.id),
            ]
        )
        if others:
            raise UserError(
                self.env._(
                    "The opportunity %(lead)s already has an open or approved "
                    "complex request.",
                    lead=self.lead_id.display_name,
                )
            )

    def _format_deadline(self):
        return fields.Datetime.to_string(
            fields.Datetime.context_timestamp(self, self.requested_deadline)
        )

    def _sales_process_excluded_reviewers(self):
        # the requester never approves their own request
        return super()._sales_process_excluded_reviewers() | self.requester_id

    def _check_can_review(self):
        self.ensure_one()
        if self.state != "pending":
            raise UserError(self.env._("This request is not waiting for approval."))
        if self.can_review:
            return
        if self.env.user == self.requester_id:
            raise UserError(
                self.env._("You cannot approve or reject a request you made.")
            )
        raise UserError(
            self.env._(
                "Only the sales manager asked to review this request can approve "
                "or reject it."
            )
        )

    def validate_tier(self):
        self._check_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._check_can_review()
        return super().reject_tier()

    def _validate_tier(self, tiers=False):
        result = super()._validate_tier(tiers)
        if (
            self.state == "pending"
            and self.validation_status == "validated"
            and not self._sales_process_forged_approvals()
        ):
            self._decide("approved")
        return result

    def _rejected_tier(self, tiers=False):
        result = super()._rejected_tier(tiers)
        if self.state == "pending" and self.validation_status == "rejected":
            self._decide("rejected")
        return result

    def _decide(self, state):
        """Record the decision and apply it to the opportunity's SLA."""
        self.ensure_one()
        review = self.review_ids.filtered("done_by").sorted("reviewed_date")[-1:]
        comment = review.comment or ""
        # sudo: the status only moves with the approval process; the tier engine
        # forbids writes under validation, the decision is its own
        self.sudo().with_context(skip_validation_check=True).write(
            {
                "state": state,
                "decision_comment": comment,
                "decided_by_id": self.env.user.id,
                "decision_date": fields.Datetime.now(),
            }
        )
        self.activity_feedback([ACTIVITY_TYPE], feedback=comment)
        if state == "approved":
            self._apply_approved_deadline()
            body = self.env._(
                "Complex opportunity approved by %(user)s: new deadline "
                "%(deadline)s. %(comment)s",
                user=self.env.user.name,
                deadline=self._format_deadline(),
                comment=comment,
            )
        else:
            self.lead_id._stage_history_open_rows()._sla_reapply_policies()
            body = self.env._(
                "Complex opportunity rejected by %(user)s: the standard rules "
                "apply again. %(comment)s",
                user=self.env.user.name,
                comment=comment,
            )
        self.lead_id.invalidate_recordset()
        # sudo: the decision is told on the opportunity whoever may write it;
        # the author stays the reviewer. The rep sees it even without the email
        self.lead_id.sudo().message_post(
            body=body,
            partner_ids=self.requester_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )

    def _apply_approved_deadline(self):
        """The approved deadline becomes the one of the opportunity's stage."""
        row = self.lead_id._stage_history_open_rows()[:1]
        if not row:
            return
        if row != self.stage_history_id:
            # the opportunity moved on while the request waited; sudo: set by
            # the approval process only
            self.sudo().stage_history_id = row
        row.write(row._sla_approved_deadline_values(self.requested_deadline))
        # the extension is the answer to the reminders and escalations
        row._sla_close_activities()
