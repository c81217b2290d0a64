# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.cron_cursor import trigger_job


class SaleOrder(models.Model):
    _name = "sale.order"
    # sale_tier_validation makes sale.order a tier.validation already: our
    # mixin (a tier.validation itself) comes first so that the class order
    # stays consistent and its checks run before the engine's
    _inherit = [
        "sales.process.tier.validation.mixin",
        "sale.order",
        "sales.process.stage.tracking.mixin",
    ]

    _stage_history_field = "state"
    _stage_history_link = "order_id"
    _stage_history_stage_column = "order_state"
    _stage_history_entry_date_field = "date_order"

    sales_process_stage_history_ids = fields.One2many(
        "sales.process.stage.history",
        "order_id",
        string="Stage History",
        groups="sales_process_automation.group_user",
    )
    sales_process_contract_chain_ids = fields.One2many(
        "sales.process.contract.chain",
        "order_id",
        string="Contract Chain",
        groups="sales_process_automation.group_user,account.group_account_invoice",
    )
    sales_process_contract_step_ids = fields.One2many(
        related="sales_process_contract_chain_ids.step_ids",
        string="Contract Steps",
        groups="sales_process_automation.group_user,account.group_account_invoice",
    )
    sales_process_contract_chain_state = fields.Selection(
        related="sales_process_contract_chain_ids.state",
        string="Contract Chain Status",
        groups="sales_process_automation.group_user,account.group_account_invoice",
    )
    sales_process_contract_chain_retry = fields.Boolean(
        related="sales_process_contract_chain_ids.retry_possible",
        string="Contract Chain to Retry",
        groups="sales_process_automation.group_user,account.group_account_invoice",
    )

    sales_process_max_line_discount = fields.Float(
        string="Highest Line Discount (%)",
        compute="_compute_sales_process_discounts",
        store=True,
        digits=(5, 2),
        help="The largest discount of a line: its discount, or the gap between "
        "its net unit price and the product's list price if that is larger.",
        groups="sales_process_automation.group_user",
    )
    sales_process_total_discount = fields.Float(
        string="Total Discount (%)",
        compute="_compute_sales_process_discounts",
        store=True,
        digits=(5, 2),
        help="How far the untaxed total is below the list prices of its lines.",
        groups="sales_process_automation.group_user",
    )
    sales_process_approver_ids = fields.Many2many(
        "res.users",
        string="Team Leader Approvers",
        compute="_compute_sales_process_approver_ids",
        help="Who approves for the team leader: the leader of the sales team; "
        "the sales process managers when the team has no leader or the leader "
        "sells the quotation.",
        groups="sales_process_automation.group_user",
    )

    sales_process_pending_reviewer_ids = fields.Many2many(
        "res.users",
        string="To Be Approved By",
        compute="_compute_sales_process_pending_reviewer_ids",
        help="The reviewers whose decision the discount waits for now.",
    )
    sales_process_discount_threshold = fields.Boolean(
        string="Discounts Need Approval",
        compute="_compute_sales_process_discount_threshold",
        help="The company has an active discount threshold: the line discounts "
        "show to every salesperson, who sees what the approval is about.",
    )

    @api.depends(
        "order_line.price_unit",
        "order_line.discount",
        "order_line.product_uom_qty",
        "order_line.product_id",
        "order_line.product_uom_id",
        "currency_id",
    )
    def _compute_sales_process_discounts(self):
        for order in self:
            highest = net_total = list_total = 0.0
            for line in order.order_line:
                if line.display_type or line.is_downpayment or not line.product_id:
                    continue
                list_price = line._sales_process_list_price()
                net_price = line.price_unit * (1 - line.discount / 100)
                highest = max(
                    highest,
                    line.discount,
                    (1 - net_price / list_price) * 100 if list_price else 0.0,
                )
                net_total += net_price * line.product_uom_qty
                list_total += list_price * line.product_uom_qty
            # rounded so that a discount of exactly 10% is not above 10%
            order.sales_process_max_line_discount = round(highest, 4)
            order.sales_process_total_discount = (
                round((1 - net_total / list_total) * 100, 4) if list_total else 0.0
            )

    @api.depends("team_id.user_id", "user_id", "company_id")
    def _compute_sales_process_approver_ids(self):
        for order in self:
            leader = order.team_id.user_id
            if leader and leader != order.user_id:
                order.sales_process_approver_ids = leader
            else:
                # the salesperson never approves their own discount
                order.sales_process_approver_ids = (
                    self._sales_process_company_managers(order.company_id)
                    - order.user_id
                )

    @api.depends("review_ids.status", "review_ids.reviewer_ids")
    def _compute_sales_process_pending_reviewer_ids(self):
        for order in self:
            order.sales_process_pending_reviewer_ids = order.review_ids.filtered(
                lambda review: review.status == "pending"
            ).reviewer_ids

    @api.depends("company_id")
    def _compute_sales_process_discount_threshold(self):
        # sudo: whether a threshold exists is no secret; only the Sales Process
        # Managers read the thresholds themselves
        companies = {
            company
            for [company] in self.env["sales.process.discount.threshold"]
            .sudo()
            ._read_group([("company_id", "in", self.company_id.ids)], ["company_id"])
        }
        for order in self:
            order.sales_process_discount_threshold = order.company_id in companies

    @api.depends(
        "sales_process_max_line_discount",
        "sales_process_total_discount",
        "review_ids",
        "state",
    )
    def _compute_need_validation(self):
        # the engine leaves it without dependencies: stale once the lines change
        return super()._compute_need_validation()

    def _confirmation_error_message(self):
        return (
            super()._confirmation_error_message()
            or self._sales_process_approval_error()
        )

    def _has_to_be_signed(self):
        # the customer signs only approved quotations
        return super()._has_to_be_signed() and not self._sales_process_approval_error()

    def _has_to_be_paid(self):
        return super()._has_to_be_paid() and not self._sales_process_approval_error()

    def _add_tier_validation_buttons(self, node, params):
        # the primary action of a quotation whose discount needs approval:
        # its Send button waits for the approval (see the form view)
        new_node = super()._add_tier_validation_buttons(node, params)
        for button in new_node.iter("button"):
            if button.get("name") == "request_validation":
                button.set("class", "btn-primary")
        return new_node

    def _get_tier_validation_readonly_domain(self):
        # editable under validation in the form too, see below
        return "False"

    def _check_allow_write_under_validation(self, vals):
        # A quotation stays editable under validation: the customer signs it,
        # it is sent, notes change. Changes to its prices restart the
        # validation (sale.order.line), so the approval always covers the
        # prices the customer gets.
        return True

    def _tier_validation_check_write_allowed(self, vals):
        # Writes under validation are allowed (above): the engine's check
        # can only refuse a write to a validated order. Its look-up of the
        # validation exceptions, two queries per order, waits for one.
        return super(
            SaleOrder,
            self.filtered(lambda order: order.validation_status == "validated"),
        )._tier_validation_check_write_allowed(vals)

    def action_quotation_send(self):
        self._sales_process_check_approved()
        return super().action_quotation_send()

    def action_quotation_sent(self):
        self._sales_process_check_approved()
        return super().action_quotation_sent()

    def _sales_process_check_approved(self):
        for order in self:
            error = order._sales_process_approval_error()
            if error:
                raise UserError(error)

    def _sales_process_excluded_reviewers(self):
        # the salesperson never approves their own discount
        return super()._sales_process_excluded_reviewers() | self.user_id

    def _sales_process_approval_error(self):
        """Why the quotation cannot be confirmed, sent or signed yet, if it can't."""
        self.ensure_one()
        # sudo: the approval status is checked for whoever acts, a customer
        # signing on the portal included; it reveals nothing to them
        order = self.sudo()
        if order.state not in self._state_from:
            return False
        if order.need_validation:
            return self.env._(
                "Quotation %(order)s needs an approval of its discount (highest "
                "line discount %(line)s%%, total discount %(total)s%%): click "
                "Request Approval, then wait for it before confirming or sending "
                "the quotation.",
                order=order.name,
                line=order.sales_process_max_line_discount,
                total=order.sales_process_total_discount,
            )
        forged = order._sales_process_forged_approvals()
        if forged:
            return self.env._(
                "The discount of quotation %(order)s is not approved: %(reviews)s "
                "was not approved by one of its reviewers. Restart the approval.",
                order=order.name,
                reviews=", ".join(forged.mapped("name")),
            )
        if order.review_ids and order.validation_status != "validated":
            return self.env._(
                "The discount of quotation %(order)s is not approved yet "
                "(%(status)s): it cannot be confirmed or sent until it is.",
                order=order.name,
                status=dict(
                    order._fields["validation_status"]._description_selection(self.env)
                )[order.validation_status],
            )
        return False

    def action_confirm(self):
        result = super().action_confirm()
        signed = self.filtered("signature")
        if signed:
            # a customer signing online: a portal user, or sale's accept route
            # (controllers/portal.py), which confirms as superuser
            online = (
                self.env.user.share
                or self.env.context.get("sales_process_contract_trigger")
                == "portal_signature"
            )
            signed._contract_chain_start(
                "portal_signature" if online else "signed_confirmation"
            )
        return result

    def _contract_chain_start(self, trigger):
        """Queue the chain of the signed orders, once, and wake its job up.

        Companies that keep the chain synchronous run it here instead.
        """
        orders = self.filtered(lambda order: order.state == "sale")
        if not orders or self.env.context.get("sales_process_contract_chain_running"):
            return
        # sudo: the chain acts for the company (invoice, ticket, finance
        # activities) whoever signed or confirmed: a customer, a rep
        Chain = self.env["sales.process.contract.chain"].sudo()
        Chain._queue(orders, trigger)
        synchronous = orders.filtered("company_id.sales_process_contract_chain_sync")
        if synchronous:
            Chain._lock_queued(synchronous)._run()
        if orders - synchronous:
            # whoever confirms, a customer included, wakes the job up
            trigger_job(self.env, "sales_process_automation.ir_cron_contract_chain")

    def action_retry_contract_chain(self):
        chains = self.sales_process_contract_chain_ids.filtered("retry_possible")
        if not chains:
            raise UserError(
                self.env._("There is no failed contract chain to retry here.")
            )
        # sudo: see _contract_chain_start; the lock fails while the job runs it
        chains = chains.sudo()
        chains.lock_for_update()
        chains._run()
        return True

    def _sales_process_restart_price_approval(self):
        """New prices need a new approval: forget the reviews given."""
        self.filtered(
            lambda order: order.state in self._state_from and order.review_ids
        ).restart_validation()
