# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessContractPolicy(models.Model):
    """What happens when a contract is signed: invoice, mails, follow-up, ticket.

    A company has one policy without teams; a policy with teams overrides it
    for the orders of those teams.
    """

    _name = "sales.process.contract.policy"
    _description = "Contract-to-Invoice Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="Orders of these teams follow this policy instead of the company's "
        "(the policy without teams).",
    )
    invoice_policy = fields.Selection(
        [
            ("full", "Invoice the Whole Order"),
            ("down_payment", "Invoice a Down Payment"),
            ("none", "No Invoice (Invoiced on Delivery)"),
        ],
        required=True,
        default="full",
        tracking=True,
    )
    down_payment_method = fields.Selection(
        [("percentage", "Percentage"), ("fixed", "Fixed Amount")],
        default="percentage",
    )
    down_payment_amount = fields.Float(
        help="Percentage of the order, or amount in the order's currency.",
    )
    post_invoice = fields.Boolean(
        string="Post the Invoice",
        default=True,
        tracking=True,
    )
    send_invoice = fields.Boolean(
        string="Email the Invoice",
        default=True,
        help="Send the posted invoice to the customer with the invoice template.",
    )
    confirmation_template_id = fields.Many2one(
        "mail.template",
        string="Signing Confirmation",
        domain=[("model", "=", "sale.order")],
        default=lambda self: self.env.ref(
            "sales_process_automation.mail_template_contract_signed",
            raise_if_not_found=False,
        ),
        help="Email to the customer, in their language; none sends nothing.",
    )
    finance_user_id = fields.Many2one(
        "res.users",
        string="Finance Contact",
        domain=[("share", "=", False)],
        help="Who follows the payment up and fixes failed steps.",
    )
    finance_group_id = fields.Many2one(
        "res.groups",
        string="Finance Team",
        default=lambda self: self.env.ref(
            "account.group_account_invoice", raise_if_not_found=False
        ),
        help="Used when no finance contact is set: its first user gets the follow-up.",
    )
    overdue_escalation_days = fields.Integer(
        string="Escalate Unpaid After (Days)",
        default=7,
        help="Days past the due date after which an unpaid invoice is escalated "
        "to the finance contact and the team leader; 0 turns it off.",
    )
    mark_won = fields.Boolean(
        string="Mark the Opportunity Won", default=True, tracking=True
    )
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="After-sales Team",
        check_company=True,
        help="Team of the onboarding ticket; no ticket when empty.",
    )
    # server actions are code: only who may read and write them (Settings)
    # chooses them; without the group, the policy form opens without the field
    server_action_ids = fields.Many2many(
        "ir.actions.server",
        string="Extra Actions",
        domain=[("model_id.model", "=", "sale.order")],
        help="Server actions run on the order at the end of the chain.",
        groups="base.group_system",
    )

    @api.constrains("invoice_policy", "down_payment_method", "down_payment_amount")
    def _check_down_payment(self):
        for policy in self.filtered(lambda p: p.invoice_policy == "down_payment"):
            if not policy.down_payment_method:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: choose whether the down payment is a "
                        "percentage or a fixed amount.",
                        policy=policy.name,
                    )
                )
            if policy.down_payment_amount <= 0 or (
                policy.down_payment_method == "percentage"
                and policy.down_payment_amount > 100
            ):
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: a down payment is a percentage between 0 "
                        "and 100, or an amount above 0.",
                        policy=policy.name,
                    )
                )

    @api.constrains("overdue_escalation_days")
    def _check_overdue_escalation_days(self):
        for policy in self:
            if policy.overdue_escalation_days < 0:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: unpaid invoices are escalated a number "
                        "of days after their due date (0 turns it off), not "
                        "%(days)s.",
                        policy=policy.name,
                        days=policy.overdue_escalation_days,
                    )
                )

    @api.constrains("company_id", "team_ids", "active")
    def _check_one_company_policy(self):
        companies = self.filtered(
            lambda policy: policy.active and not policy.team_ids
        ).company_id
        if not companies:
            return
        # sudo: the policies of the company count whoever can read them
        counts = self.sudo()._read_group(
            [("company_id", "in", companies.ids), ("team_ids", "=", False)],
            ["company_id"],
            ["__count"],
        )
        for company, count in counts:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has a contract policy without sales "
                        "teams: a company has one, and policies with teams "
                        "override it.",
                        company=company.name,
                    )
                )

    @api.model
    def _create_defaults(self, companies):
        """A company-wide policy for each company that has none: nothing silent."""
        # sudo: the policies of every company count, and a user creating a
        # company needs not administer the sales process
        Policy = self.sudo().with_context(active_test=False)
        have = Policy.search(
            [("company_id", "in", companies.ids), ("team_ids", "=", False)]
        ).company_id
        teams = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            ._read_group(
                [("company_id", "in", (companies - have).ids)],
                ["company_id"],
                ["id:min"],
            )
        )
        team_of = {company: team_id for company, team_id in teams}
        return Policy.create(
            [
                {
                    "name": self.env._("Signed contracts"),
                    "company_id": company.id,
                    "helpdesk_team_id": team_of.get(company, False),
                }
                for company in companies - have
            ]
        )

    @api.model
    def _for_order(self, order):
        """The team's policy of the order, else its company's; may be empty."""
        return self._for_orders(order).get(order, self.browse())

    @api.model
    def _for_orders(self, orders):
        """``{order: policy}`` of :meth:`_for_order`, in one search."""
        policies = self.search(
            [("company_id", "in", orders.company_id.ids)], order="sequence, id"
        )
        by_company_team = {}
        result = {}
        for order in orders:
            key = (order.company_id, order.team_id)
            if key not in by_company_team:
                ours = policies.filtered(lambda p, key=key: p.company_id == key[0])
                by_company_team[key] = (
                    ours.filtered(lambda p, key=key: key[1] in p.team_ids)[:1]
                    or ours.filtered(lambda p: not p.team_ids)[:1]
                )
            result[order] = by_company_team[key]
        return result

    def _finance_user(self):
        self.ensure_one()
        if self.finance_user_id.active:
            return self.finance_user_id
        return self.finance_group_id.all_user_ids.filtered(
            lambda user: user.active and not user.share
        )[:1]
