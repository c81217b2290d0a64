# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import date

from psycopg2.errors import LockNotAvailable

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon

# a 1x1 PNG: what the portal stores as the customer's signature
SIGNATURE = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
)


@tagged("post_install", "-at_install")
class TestContractChain(SalesProcessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["sales.process.contract.policy"].search([]).action_archive()
        cls.finance = new_test_user(
            cls.env,
            login="spa_finance",
            groups="account.group_account_invoice",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Beijing Furniture Co.", "email": "buyer@bjf.example.com"}
        )
        cls.policy = cls.env["sales.process.contract.policy"].create(
            {
                "name": "Standard contracts",
                "finance_user_id": cls.finance.id,
                "helpdesk_team_id": cls.helpdesk_team.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Installation package",
                "list_price": 1000.0,
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.opportunity = cls._create_leads(1, partner_id=cls.customer.id)

    def _quotation(self, signed=True, product=None, **values):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "team_id": self.team_east.id,
                "user_id": self.rep_east.id,
                "opportunity_id": self.opportunity.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": (product or self.product).id,
                            "product_uom_qty": 2,
                        }
                    )
                ],
                **values,
            }
        )
        if signed:
            order.write({"signature": SIGNATURE, "signed_by": "Li Wei"})
        return order

    def _steps(self, order):
        return {step.code: step.state for step in order.sales_process_contract_step_ids}

    def _mails_to_customer(self):
        return self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", self.customer.ids),
                ("subject", "ilike", "is signed"),
            ]
        )

    def _tickets(self, order):
        return self.env["helpdesk.ticket"].search([("sale_order_ids", "in", order.ids)])

    def test_confirming_a_signed_quotation_runs_the_whole_chain_once(self):
        order = self._quotation()
        with freeze_time("2026-11-16 10:00:00"):
            order.with_user(self.rep_east).action_confirm()
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(chain.trigger, "signed_confirmation")
        self.assertEqual(chain.state, "done")
        invoice = chain.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 2000.0)
        self.assertEqual(
            self._steps(order),
            {
                "invoice": "done",
                "send_invoice": "done",
                "confirmation": "done",
                "payment_followup": "done",
                "won": "done",
                "ticket": "done",
                "actions": "skipped",
            },
        )
        self.assertEqual(len(self._mails_to_customer()), 1)
        follow_up = invoice.activity_ids.filtered(lambda a: a.user_id == self.finance)
        self.assertEqual(follow_up.date_deadline, invoice.invoice_date_due)
        self.assertTrue(self.opportunity.stage_id.is_won)
        ticket = self._tickets(order)
        self.assertEqual(ticket.team_id, self.helpdesk_team)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(chain.ticket_id, ticket)
        # linked as helpdesk_mgmt_sale and helpdesk_mgmt_crm link them: the
        # order's ticket smart button, the opportunity's ticket
        self.assertEqual(order.ticket_ids, ticket)
        self.assertEqual(order.ticket_count, 1)
        self.assertEqual(ticket.sale_order_ids, order)
        self.assertEqual(self.opportunity.ticket_id, ticket)
        self.assertEqual(ticket.lead_ids, self.opportunity)
        self.assertEqual(ticket.lead_count, 1)

        # a second trigger, a retry or a double click changes nothing
        order._contract_chain_start("crm_stage")
        self.assertEqual(order.sales_process_contract_chain_ids, chain)
        self.assertEqual(order.invoice_ids, invoice)
        self.assertEqual(len(self._mails_to_customer()), 1)
        self.assertEqual(len(self._tickets(order)), 1)

    def test_unsigned_confirmation_starts_nothing(self):
        order = self._quotation(signed=False)
        order.action_confirm()
        self.assertFalse(order.sales_process_contract_chain_ids)
        self.assertFalse(order.invoice_ids)

    def test_customer_signature_on_the_portal(self):
        order = self._quotation(signed=False, require_signature=True)
        public = self.env.ref("base.public_user")
        # what the portal's accept route does, as the public user
        order_sudo = order.with_user(public).sudo()
        order_sudo.write({"signed_by": "Li Wei", "signature": SIGNATURE})
        order_sudo._validate_order()
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            order.sales_process_contract_chain_ids.trigger, "portal_signature"
        )
        self.assertEqual(order.sales_process_contract_chain_ids.state, "done")
        self.assertEqual(len(order.invoice_ids), 1)

    def test_contract_signed_stage_of_the_opportunity(self):
        signed_stage = self.env["crm.stage"].create(
            {
                "name": "Contract signed",
                "sales_process_contract_signed": True,
                "sequence": 60,
            }
        )
        order = self._quotation(signed=False)
        order.action_confirm()
        self.assertFalse(order.sales_process_contract_chain_ids)
        self.opportunity.stage_id = signed_stage
        self.assertEqual(order.sales_process_contract_chain_ids.trigger, "crm_stage")
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertTrue(self.opportunity.stage_id.is_won, "the chain marked it won")

    def test_down_payment_percentage_and_fixed(self):
        self.policy.write(
            {
                "invoice_policy": "down_payment",
                "down_payment_method": "percentage",
                "down_payment_amount": 30,
            }
        )
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.invoice_ids.amount_total, 600.0)
        self.policy.write({"down_payment_method": "fixed", "down_payment_amount": 250})
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.invoice_ids.amount_total, 250.0)

    def test_no_invoice_for_products_invoiced_on_delivery(self):
        self.policy.invoice_policy = "none"
        order = self._quotation()
        order.action_confirm()
        steps = self._steps(order)
        self.assertEqual(steps["invoice"], "skipped")
        self.assertEqual(steps["payment_followup"], "skipped")
        self.assertEqual(steps["ticket"], "done")
        self.assertFalse(order.invoice_ids)

    def test_team_policy_overrides_the_company_one(self):
        self.env["sales.process.contract.policy"].create(
            {
                "name": "East: no ticket",
                "team_ids": [Command.link(self.team_east.id)],
                "finance_user_id": self.finance.id,
                "invoice_policy": "none",
            }
        )
        east = self._quotation()
        east.action_confirm()
        self.assertEqual(
            east.sales_process_contract_chain_ids.policy_id.name, "East: no ticket"
        )
        self.assertFalse(self._tickets(east))
        west = self._quotation(team_id=self.team_west.id)
        west.action_confirm()
        self.assertEqual(west.sales_process_contract_chain_ids.policy_id, self.policy)

    def test_policies_of_orders_confirmed_together(self):
        east_policy = self.env["sales.process.contract.policy"].create(
            {
                "name": "East: no ticket",
                "team_ids": [Command.link(self.team_east.id)],
                "finance_user_id": self.finance.id,
            }
        )
        east = self._quotation() | self._quotation()
        west = self._quotation(team_id=self.team_west.id)
        (east | west).action_confirm()
        self.assertEqual(east.sales_process_contract_chain_ids.policy_id, east_policy)
        self.assertEqual(west.sales_process_contract_chain_ids.policy_id, self.policy)
        self.assertFalse(self._tickets(east[0]) | self._tickets(east[1]))
        self.assertEqual(len(self._tickets(west)), 1)

    def test_policy_lookup_is_one_search_for_many_orders(self):
        Policy = self.env["sales.process.contract.policy"]
        orders = self._quotation() | self._quotation(team_id=self.team_west.id)
        orders |= self._quotation() | self._quotation()

        def queries(records):
            records.fetch(["company_id", "team_id"])
            self.env.invalidate_all(flush=True)
            records.fetch(["company_id", "team_id"])
            before = self.env.cr.sql_log_count
            result = Policy._for_orders(records)
            return self.env.cr.sql_log_count - before, result

        one, _result = queries(orders[:1])
        many, result = queries(orders)
        self.assertEqual(many, one, "no query per order")
        self.assertEqual(set(result.values()), {self.policy})
        self.assertEqual(Policy._for_order(orders[1]), self.policy)

    def test_onboarding_ticket_in_the_first_stage_of_its_team(self):
        stages = self.helpdesk_team._get_applicable_stages()
        orders = self._quotation() | self._quotation()
        orders.action_confirm()
        tickets = orders.sales_process_contract_chain_ids.ticket_id
        self.assertEqual(len(tickets), 2)
        self.assertEqual(tickets.stage_id, stages[:1])
        self.assertEqual(tickets.team_id, self.helpdesk_team)
        for order in orders:
            self.assertEqual(order.ticket_ids, self._tickets(order))
        # helpdesk_mgmt_crm gives an opportunity one ticket: the first one
        self.assertIn(self.opportunity.ticket_id, tickets)
        self.assertEqual(self.opportunity.ticket_id.lead_ids, self.opportunity)

    def test_opportunity_keeps_the_ticket_it_has(self):
        question = self.env["helpdesk.ticket"].create(
            {
                "name": "Pre-sales question",
                "description": "<p>Which plan?</p>",
                "team_id": self.helpdesk_team.id,
            }
        )
        self.opportunity.ticket_id = question
        order = self._quotation()
        order.with_user(self.rep_east).action_confirm()
        onboarding = order.sales_process_contract_chain_ids.ticket_id
        self.assertTrue(onboarding)
        self.assertEqual(order.ticket_ids, onboarding)
        self.assertEqual(self.opportunity.ticket_id, question)
        self.assertFalse(onboarding.lead_ids)

    def test_failed_step_keeps_the_order_and_retry_finishes_only_what_is_missing(self):
        delivered = self.env["product.product"].create(
            {
                "name": "Support hours",
                "list_price": 100.0,
                "type": "service",
                "invoice_policy": "delivery",
            }
        )
        order = self._quotation(product=delivered)
        order.action_confirm()
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(order.state, "sale", "the order is confirmed anyway")
        self.assertEqual(chain.state, "failed")
        self.assertEqual(self._steps(order)["invoice"], "failed")
        self.assertEqual(self._steps(order)["ticket"], "done")
        self.assertIn("could not finish", order.message_ids[0].body)
        todo = order.activity_ids.filtered(lambda a: a.user_id == self.finance)
        self.assertEqual(todo.summary, "Contract chain failed")

        order.order_line.qty_delivered = 2
        order.action_retry_contract_chain()
        self.assertEqual(chain.state, "done")
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(len(self._tickets(order)), 1, "the ticket is not made twice")
        self.assertEqual(len(self._mails_to_customer()), 1)

    def test_one_failing_order_does_not_fail_the_others_confirmed_with_it(self):
        delivered = self.env["product.product"].create(
            {"name": "On delivery", "type": "service", "invoice_policy": "delivery"}
        )
        good, bad = self._quotation() | self._quotation(product=delivered)
        (good | bad).action_confirm()
        self.assertEqual(good.sales_process_contract_chain_ids.state, "done")
        self.assertEqual(len(good.invoice_ids), 1)
        self.assertEqual(bad.sales_process_contract_chain_ids.state, "failed")
        self.assertEqual(self._steps(bad)["invoice"], "failed")
        self.assertIn(
            "No items are available to invoice",
            bad.sales_process_contract_step_ids[0].message,
        )

    def test_extra_server_actions_run_once(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Tag the customer",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "state": "code",
                "code": "records.partner_id.write({'comment': 'Signed customer'})",
            }
        )
        self.policy.server_action_ids = action
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(self._steps(order)["actions"], "done")
        self.assertIn("Signed customer", self.customer.comment)

    def test_signing_confirmation_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        template = self.policy.confirmation_template_id
        template.with_context(
            lang="fr_FR"
        ).subject = (
            "{{ object.company_id.name }} : votre contrat {{ object.name }} est signé"
        )
        order = self._quotation()
        order.action_confirm()
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.customer.ids), ("subject", "ilike", "signé")]
        )
        self.assertEqual(len(mail), 1)

    def test_other_currency(self):
        euro = self.env.ref("base.EUR")
        euro.active = True
        pricelist = self.env["product.pricelist"].create(
            {"name": "Euro", "currency_id": euro.id}
        )
        order = self._quotation(pricelist_id=pricelist.id)
        order.action_confirm()
        self.assertEqual(order.invoice_ids.currency_id, euro)
        self.assertEqual(order.sales_process_contract_chain_ids.state, "done")

    def test_overdue_invoice_escalated_once(self):
        self.policy.overdue_escalation_days = 5
        with freeze_time("2026-11-02 10:00:00"):
            order = self._quotation()
            order.action_confirm()
        invoice = order.invoice_ids
        invoice.invoice_date_due = date(2026, 11, 5)
        cron = self.env.ref("sales_process_automation.ir_cron_contract_overdue")
        for day in ("2026-11-09", "2026-11-10", "2026-11-11"):
            with freeze_time(f"{day} 08:00:00"), self.enter_registry_test_mode():
                cron.method_direct_trigger()
        overdue = invoice.activity_ids.filtered(
            lambda a: a.summary and a.summary.startswith("Overdue")
        )
        self.assertEqual(overdue.user_id, self.finance | self.director)

    def test_access(self):
        order = self._quotation()
        order.action_confirm()
        with self.assertRaises(AccessError):
            self.policy.with_user(self.rep_east).invoice_policy = "none"
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(chain.with_user(self.finance).invoice_ids, order.invoice_ids)
        support = new_test_user(
            self.env, login="spa_support", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        # the after-sales team works on the ticket; the order stays the
        # salespeople's (helpdesk_mgmt_sale shows it to users who may read it)
        ticket = self._tickets(order).with_user(support)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertIn(order.name, ticket.name)


@tagged("post_install", "-at_install")
class TestContractChainConcurrency(TransactionCase):
    """Two transactions trigger the chain of one order at the same time.

    The data is committed in its own transactions, so that the two cursors
    see it, and removed at the end.
    """

    def _committed(self, function):
        # the cursor commits when the block ends without an error
        with self.env.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _set_up(self, env):
        # the company keeps its own policy: this one is the test team's
        team = env["crm.team"].create({"name": "Concurrency team"})
        policy = env["sales.process.contract.policy"].create(
            {"name": "Concurrency test", "team_ids": [Command.link(team.id)]}
        )
        partner = env["res.partner"].create({"name": "Concurrent customer"})
        product = env["product.product"].create(
            {"name": "Concurrent service", "type": "service", "list_price": 10.0}
        )
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "team_id": team.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        return order.id, policy.id

    def _tear_down(self, env, order_id, policy_id):
        order = env["sale.order"].browse(order_id)
        invoices = order.invoice_ids
        invoices.filtered(lambda move: move.state == "posted").button_draft()
        invoices.unlink()
        order.ticket_ids.unlink()
        partner, product = order.partner_id, order.order_line.product_id
        order._action_cancel()
        order.unlink()
        policy = env["sales.process.contract.policy"].browse(policy_id)
        team = policy.team_ids
        policy.unlink()
        team.unlink()
        product.unlink()
        partner.unlink()

    def test_second_trigger_waits_for_the_first_then_finds_it_done(self):
        order_id, policy_id = self._committed(self._set_up)
        self.addCleanup(
            self._committed, lambda env: self._tear_down(env, order_id, policy_id)
        )
        registry = self.env.registry
        with registry.cursor() as first_cr, registry.cursor() as second_cr:
            first = api.Environment(first_cr, SUPERUSER_ID, {})
            second = api.Environment(second_cr, SUPERUSER_ID, {})
            first["sale.order"].browse(order_id)._contract_chain_start(
                "signed_confirmation"
            )
            # the first transaction is still open: the second cannot pass it
            second_cr.execute("SET LOCAL lock_timeout = '500ms'")
            with self.assertRaises(LockNotAvailable):
                second["sale.order"].browse(order_id)._contract_chain_start("crm_stage")
            second_cr.rollback()
            first_cr.commit()
            # retried after the first committed, it finds every step done
            second.invalidate_all()
            order = second["sale.order"].browse(order_id)
            order._contract_chain_start("crm_stage")
            second_cr.commit()
            self.assertEqual(len(order.sales_process_contract_chain_ids), 1)
            self.assertEqual(
                order.sales_process_contract_chain_ids.trigger, "signed_confirmation"
            )
            self.assertEqual(len(order.invoice_ids), 1)
