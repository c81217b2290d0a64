# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from datetime import date
from unittest.mock import patch

from psycopg2.errors import LockNotAvailable

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError
from odoo.modules.module import load_script
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.sales_process_contract_chain import STEPS
from .common import SIGNATURE, SalesProcessCommon


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
        cls.product = cls._create_contract_product()
        cls.opportunity = cls._create_leads(1, partner_id=cls.customer.id)
        # most tests look at what the chain does, not at when: at once
        cls.company.sales_process_contract_chain_sync = True

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
                "post_invoice": "done",
                "email_invoice": "done",
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
        self.assertFalse(order.sales_process_contract_chain_retry)
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

        self.assertEqual(self._steps(order)["payment_followup"], "waiting")

        order.order_line.qty_delivered = 2
        order.action_retry_contract_chain()
        self.assertEqual(chain.state, "done")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(set(self._steps(order).values()), {"done", "skipped"})
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.summary == "Contract chain failed"),
            "finance has nothing left to fix",
        )
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

    # ------------------------------------------------------------------
    # Off the click path: queued, then the chain job
    # ------------------------------------------------------------------

    def test_confirmation_queues_the_chain_and_the_job_runs_it(self):
        self.company.sales_process_contract_chain_sync = False
        cron = self.env.ref("sales_process_automation.ir_cron_contract_chain")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        order = self._quotation()
        order.with_user(self.rep_east).action_confirm()
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(order.state, "sale")
        self.assertEqual(chain.state, "queued", "visible on the order at once")
        self.assertFalse(chain.step_ids)
        self.assertFalse(order.invoice_ids, "nothing heavy on the click")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "the job is woken up",
        )
        # a second trigger before the job ran changes nothing
        order._contract_chain_start("crm_stage")
        self.assertEqual(order.sales_process_contract_chain_ids, chain)
        self.assertEqual(chain.trigger, "signed_confirmation")

        with freeze_time("2026-11-16 10:00:00"):
            self._run_cron("ir_cron_contract_chain")
        self.assertEqual(chain.state, "done")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(len(self._tickets(order)), 1)
        self.assertEqual(len(self._mails_to_customer()), 1)
        self._run_cron("ir_cron_contract_chain")
        self.assertEqual(len(order.invoice_ids), 1, "run once")
        self.assertEqual(len(self._tickets(order)), 1)

    def test_job_leaves_the_scheduler_to_other_jobs_after_its_time(self):
        """Chains of 3 seconds each (their invoice PDFs): the job sizes its
        batches to end within the 10 seconds the scheduler gives it, then
        leaves the rest to its next call, after the other jobs due (the SLA
        sweep), instead of running the whole queue in one batch."""
        self.company.sales_process_contract_chain_sync = False
        orders = self.env["sale.order"].concat(*(self._quotation() for _i in range(6)))
        orders.action_confirm()
        chains = orders.sales_process_contract_chain_ids
        Chain = self.env.registry["sales.process.contract.chain"]
        run_phase = Chain._run_phase
        with freeze_time("2026-11-16 10:00:00") as frozen:

            def three_seconds_a_chain(chains, codes, settle=False):
                if not settle:
                    frozen.tick(3 * len(chains))
                return run_phase(chains, codes, settle=settle)

            with patch.object(Chain, "_run_phase", three_seconds_a_chain):
                self._run_cron("ir_cron_contract_chain")
            # 2 chains (6 s), then 1 of the 4 s left, then 1 more: time is up
            self.assertEqual(chains.mapped("state").count("done"), 4)
            self.assertEqual(chains.mapped("state").count("queued"), 2)
            self._run_cron("ir_cron_contract_chain")
        self.assertEqual(set(chains.mapped("state")), {"done"})

    def test_poison_order_fails_alone_in_the_job(self):
        self.company.sales_process_contract_chain_sync = False
        delivered = self.env["product.product"].create(
            {"name": "On delivery", "type": "service", "invoice_policy": "delivery"}
        )
        first, bad, last = (
            self._quotation() | self._quotation(product=delivered) | self._quotation()
        )
        for order in first | bad | last:
            order.action_confirm()
        self._run_cron("ir_cron_contract_chain")
        for order in first | last:
            self.assertEqual(order.sales_process_contract_chain_ids.state, "done")
            self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(bad.sales_process_contract_chain_ids.state, "failed")
        self.assertEqual(self._steps(bad)["invoice"], "failed")
        self.assertEqual(self._steps(bad)["ticket"], "done")

    def test_job_interrupted_after_posting_finishes_once_on_the_next_run(self):
        """The first transaction of a batch ends with the posting; a worker that
        dies after it leaves posted invoices and queued chains, and the next run
        emails each invoice once."""
        self.company.sales_process_contract_chain_sync = False
        orders = self._quotation() | self._quotation()
        orders.action_confirm()
        Chain = self.env.registry["sales.process.contract.chain"]
        run_phase = Chain._run_phase

        def killed_after_posting(chains, codes, settle=False):
            if settle:
                raise MemoryError("worker killed")
            return run_phase(chains, codes, settle=settle)

        with (
            patch.object(Chain, "_run_phase", killed_after_posting),
            mute_logger("odoo.addons.base.models.ir_cron"),
        ):
            failure = self._run_cron("ir_cron_contract_chain")
        self.assertEqual(failure["tag"], "display_exception")
        chains = orders.sales_process_contract_chain_ids
        self.assertEqual(set(chains.mapped("state")), {"queued"})
        self.assertEqual(set(orders.invoice_ids.mapped("state")), {"posted"})
        self.assertFalse(any(orders.invoice_ids.mapped("is_move_sent")))
        self.assertEqual(len(self._mails_to_customer()), 2)

        self._run_cron("ir_cron_contract_chain")
        self.assertEqual(set(chains.mapped("state")), {"done"})
        for order in orders:
            self.assertEqual(len(order.invoice_ids), 1)
            self.assertTrue(order.invoice_ids.is_move_sent)
            self.assertEqual(len(self._tickets(order)), 1)
            self.assertEqual(self._steps(order)["email_invoice"], "done")
        self.assertEqual(len(self._mails_to_customer()), 2, "signing mails sent once")

    def test_synchronous_setting_runs_the_chain_on_the_click(self):
        cron = self.env.ref("sales_process_automation.ir_cron_contract_chain")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        order = self._quotation()
        order.with_user(self.rep_east).action_confirm()
        self.assertEqual(order.sales_process_contract_chain_ids.state, "done")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertFalse(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        )

    def test_click_path_queries_do_not_grow_with_the_orders(self):
        self.company.sales_process_contract_chain_sync = False

        def queries(count):
            orders = self.env["sale.order"].browse()
            for _index in range(count):
                orders |= self._quotation()
            orders.fetch(["state", "company_id"])
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            orders._contract_chain_start("signed_confirmation")
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        orders = self._quotation()
        orders.action_confirm()  # warms the caches up
        one = queries(1)
        self.assertEqual(queries(5), one)

    # ------------------------------------------------------------------
    # Steps that tell the truth
    # ------------------------------------------------------------------

    def test_pdf_failure_leaves_a_posted_invoice_and_a_failed_email(self):
        def no_wkhtmltopdf(*args, **kwargs):
            raise UserError(self.env._("Unable to find Wkhtmltopdf on this system."))

        with patch.object(
            type(self.env["ir.actions.report"]), "_pre_render_qweb_pdf", no_wkhtmltopdf
        ):
            order = self._quotation()
            order.action_confirm()
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(order.invoice_ids.state, "posted")
        steps = self._steps(order)
        self.assertEqual(steps["post_invoice"], "done")
        self.assertEqual(steps["email_invoice"], "failed")
        self.assertEqual(steps["payment_followup"], "done")
        email = chain.step_ids.filtered(lambda step: step.code == "email_invoice")
        self.assertIn("Wkhtmltopdf", email.message)
        self.assertEqual(chain.state, "failed")

        order.action_retry_contract_chain()
        self.assertEqual(chain.state, "done")
        self.assertTrue(order.invoice_ids.is_move_sent)
        self.assertEqual(len(order.invoice_ids), 1)

    def test_retry_runs_the_follow_up_once_finance_posted_the_invoice(self):
        self.policy.post_invoice = False
        order = self._quotation()
        order.action_confirm()
        chain = order.sales_process_contract_chain_ids
        steps = self._steps(order)
        self.assertEqual(steps["post_invoice"], "skipped")
        self.assertEqual(steps["email_invoice"], "waiting")
        self.assertEqual(steps["payment_followup"], "waiting")
        self.assertEqual(chain.state, "done")
        self.assertTrue(order.sales_process_contract_chain_retry)

        order.invoice_ids.with_user(self.finance).action_post()
        order.with_user(self.finance).action_retry_contract_chain()
        steps = self._steps(order)
        self.assertEqual(steps["email_invoice"], "done")
        self.assertEqual(steps["payment_followup"], "done")
        self.assertTrue(
            order.invoice_ids.activity_ids.filtered(lambda a: a.user_id == self.finance)
        )
        self.assertFalse(order.sales_process_contract_chain_retry)
        with self.assertRaises(UserError):
            order.action_retry_contract_chain()

    def test_customer_mail_matches_the_trigger(self):
        signed_stage = self.env["crm.stage"].create(
            {"name": "Contract signed", "sales_process_contract_signed": True}
        )
        unsigned = self._quotation(signed=False)
        unsigned.action_confirm()
        self.opportunity.stage_id = signed_stage
        mails = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.customer.ids)]
        )
        self.assertFalse(mails.filtered(lambda m: "is signed" in m.subject))
        self.assertTrue(
            mails.filtered(lambda m: unsigned.name in m.subject),
            "Odoo's order confirmation",
        )
        self.assertEqual(self._steps(unsigned)["confirmation"], "done")

        signed = self._quotation()
        signed.action_confirm()
        self.assertEqual(len(self._mails_to_customer()), 1)

    def test_won_step_fails_with_the_reason(self):
        self.env["crm.stage"].search([("is_won", "=", True)]).is_won = False
        order = self._quotation()
        order.action_confirm()
        won = order.sales_process_contract_step_ids.filtered(
            lambda step: step.code == "won"
        )
        self.assertEqual(won.state, "failed")
        self.assertIn("could not be marked won", won.message)

    # ------------------------------------------------------------------
    # Hand-off to support
    # ------------------------------------------------------------------

    def test_onboarding_ticket_assigned_by_the_helpdesk_rules(self):
        support = new_test_user(
            self.env,
            login="spa_onboarding_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        self.helpdesk_team.user_ids = support | self.rep_east
        self.env["sales.process.assignment.rule"].create(
            {
                "name": "Onboarding",
                "res_model": "helpdesk.ticket",
                "match_helpdesk_team_ids": [Command.link(self.helpdesk_team.id)],
                "helpdesk_team_id": self.helpdesk_team.id,
                "method": "fixed",
                "user_id": support.id,
            }
        )
        order = self._quotation(commitment_date="2026-12-01 09:00:00")
        # a working day of support: on its days off the ticket waits in the team
        with freeze_time("2026-11-16 09:00:00"):
            order.with_user(self.rep_east).action_confirm()
        ticket = self._tickets(order)
        self.assertEqual(ticket.user_id, support, "never the salesperson")
        self.assertIn(self.customer.name, ticket.name)
        self.assertIn(order.name, ticket.name)
        self.assertIn("Installation package", ticket.description)
        self.assertIn(self.rep_east.name, ticket.description)
        self.assertIn("12/01/2026", ticket.description)

    def test_onboarding_ticket_without_rule_stays_with_the_team(self):
        self.env.company.helpdesk_mgmt_ticket_auto_assign = True
        order = self._quotation()
        order.with_user(self.rep_east).action_confirm()
        ticket = self._tickets(order)
        self.assertEqual(ticket.team_id, self.helpdesk_team)
        self.assertFalse(ticket.user_id)

    # ------------------------------------------------------------------
    # Nothing silent
    # ------------------------------------------------------------------

    def test_default_policy_after_install_and_for_new_companies(self):
        Policy = self.env["sales.process.contract.policy"].with_context(
            active_test=False
        )
        self.assertTrue(
            Policy.search(
                [("company_id", "=", self.company.id), ("team_ids", "=", False)]
            ),
            "made at install (archived by this test's set-up)",
        )
        company = self.env["res.company"].create({"name": "Spa Chengdu"})
        policy = Policy.search([("company_id", "=", company.id)])
        self.assertEqual(len(policy), 1)
        self.assertEqual(policy.invoice_policy, "full")
        self.assertTrue(policy.post_invoice and policy.send_invoice)
        self.assertTrue(policy.mark_won)
        self.assertTrue(policy.finance_group_id)
        self.assertFalse(policy.helpdesk_team_id, "no helpdesk team there yet")
        # admins change it like any other policy
        self.process_admin.company_ids = [Command.link(company.id)]
        policy.with_user(self.process_admin).with_company(company).write(
            {"invoice_policy": "none"}
        )

    def test_order_without_policy_says_so(self):
        self.policy.action_archive()
        order = self._quotation()
        order.action_confirm()
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(set(self._steps(order).values()), {"waiting"})
        self.assertIn("No contract policy", chain.step_ids[0].message)
        self.assertTrue(order.sales_process_contract_chain_retry)
        self.policy.action_unarchive()
        order.action_retry_contract_chain()
        self.assertEqual(chain.state, "done")
        self.assertEqual(len(order.invoice_ids), 1)

    def test_chains_of_19_0_1_1_0_after_the_upgrade(self):
        order = self._quotation()
        order.action_confirm()
        chain = order.sales_process_contract_chain_ids
        # what 19.0.1.1.0 left: one step for posting and sending
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM sales_process_contract_step WHERE chain_id = %s "
            "AND code = 'email_invoice'; "
            "UPDATE sales_process_contract_step SET code = 'send_invoice', "
            "sequence = 1, message = 'Posted and emailed.' WHERE chain_id = %s "
            "AND code = 'post_invoice'; "
            "UPDATE sales_process_contract_chain SET state = 'running' "
            "WHERE id = %s",
            [chain.id, chain.id, chain.id],
        )
        migration = load_script(
            "sales_process_automation/migrations/19.0.1.2.0/end-migration.py",
            "sales_process_automation_end_migration",
        )
        migration.split_send_invoice_steps(self.env)
        self.env.invalidate_all()
        self.assertEqual(chain.state, "running")
        self.assertEqual(
            dict(chain._fields["state"]._description_selection(self.env))[chain.state],
            "Running",
        )
        self.assertEqual(
            chain.step_ids.mapped("code"), [code for code, _label in STEPS]
        )
        self.assertEqual(self._steps(order)["email_invoice"], "done")
        self.assertEqual(self._steps(order)["post_invoice"], "done")
        for step in chain.step_ids:
            step._label()


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
        # the triggers run the chain themselves, here
        env.company.sales_process_contract_chain_sync = True
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
        env.company.sales_process_contract_chain_sync = False

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


@tagged("post_install", "-at_install")
class TestContractChainWorkers(TransactionCase):
    """Two chain jobs share the queue, as two Odoo servers or cron threads do.

    Committed data, each worker in its own cursor and thread; removed at the end.
    """

    ORDERS = 12

    def _committed(self, function):
        with self.env.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _set_up(self, env):
        env["ir.config_parameter"].set_param(
            "sales_process_automation.contract_batch_size", 2
        )
        team = env["crm.team"].create({"name": "Workers team"})
        helpdesk = env["helpdesk.ticket.team"].create({"name": "Workers onboarding"})
        policy = env["sales.process.contract.policy"].create(
            {
                "name": "Workers test",
                "team_ids": [Command.link(team.id)],
                "helpdesk_team_id": helpdesk.id,
                "send_invoice": False,
                "confirmation_template_id": False,
            }
        )
        product = env["product.product"].create(
            {"name": "Worker service", "type": "service", "list_price": 10.0}
        )
        partners = env["res.partner"].create(
            [{"name": f"Worker customer {index}"} for index in range(self.ORDERS)]
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "team_id": team.id,
                    "signature": SIGNATURE,
                    "signed_by": "Customer",
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for partner in partners
            ]
        )
        for order in orders:
            order.action_confirm()
        assert set(orders.sales_process_contract_chain_ids.mapped("state")) == {
            "queued"
        }
        return orders.ids, policy.id

    def _tear_down(self, env, order_ids, policy_id):
        orders = env["sale.order"].browse(order_ids)
        invoices = orders.invoice_ids
        invoices.filtered(lambda move: move.state == "posted").button_draft()
        invoices.unlink()
        tickets = env["helpdesk.ticket"].search([("sale_order_ids", "in", orders.ids)])
        tickets.unlink()
        partner, product = orders.partner_id, orders.order_line.product_id
        orders._action_cancel()
        orders.unlink()
        policy = env["sales.process.contract.policy"].browse(policy_id)
        team, helpdesk = policy.team_ids, policy.helpdesk_team_id
        policy.unlink()
        team.unlink()
        helpdesk.unlink()
        product.unlink()
        partner.unlink()
        env["ir.config_parameter"].search(
            [("key", "=", "sales_process_automation.contract_batch_size")]
        ).unlink()

    def test_two_workers_split_the_queue_without_doing_anything_twice(self):
        order_ids, policy_id = self._committed(self._set_up)
        self.addCleanup(
            self._committed, lambda env: self._tear_down(env, order_ids, policy_id)
        )
        barrier = threading.Barrier(2)
        errors = []

        def worker():
            try:
                barrier.wait()
                self._committed(
                    lambda env: env[
                        "sales.process.contract.chain"
                    ]._cron_run_queued_chains()
                )
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=worker) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertFalse(errors)

        def check(env):
            orders = env["sale.order"].browse(order_ids)
            chains = orders.sales_process_contract_chain_ids
            self.assertEqual(set(chains.mapped("state")), {"done"})
            for order in orders:
                self.assertEqual(len(order.invoice_ids), 1)
                self.assertEqual(
                    env["helpdesk.ticket"].search_count(
                        [("sale_order_ids", "in", order.ids)]
                    ),
                    1,
                )

        self._committed(check)
