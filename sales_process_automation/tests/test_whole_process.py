# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon, sign_online


@tagged("post_install", "-at_install")
class TestWholeProcess(SalesProcessCommon, HttpCase):
    """One customer from the website lead to the after-sales ticket, each step
    done by the role that does it, the jobs run as the scheduler runs them:
    the lead is assigned and contacted, moves under its stage SLA, gets a
    discounted quotation the team leader approves, the customer signs it
    online, and the contract chain invoices, mails, hands over to finance
    and support, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        for model in (
            "sales.process.discount.threshold",
            "sales.process.contract.policy",
        ):
            cls.env[model].search([]).action_archive()
        cls.env["sales.process.discount.threshold"].with_user(cls.process_admin).create(
            {
                "name": "Above 10%: team leader",
                "percent": 10,
                "reviewer_type": "team_leader",
            }
        )
        cls.finance, cls.agent = cls._create_back_office("spa_process")
        cls.env["sales.process.assignment.rule"].create(
            [
                {
                    "name": "Website leads to East",
                    "team_id": cls.team_east.id,
                    "source_ids": [
                        Command.link(cls.env.ref("utm.utm_source_search_engine").id)
                    ],
                    "first_contact_hours": 48,
                },
                {
                    "name": "Onboarding by support",
                    "res_model": "helpdesk.ticket",
                    "match_helpdesk_team_ids": [Command.link(cls.helpdesk_team.id)],
                    "helpdesk_team_id": cls.helpdesk_team.id,
                    "method": "fixed",
                    "user_id": cls.agent.id,
                },
            ]
        )
        cls.env["sales.process.contract.policy"].create(
            {
                "name": "Standard contracts",
                "finance_user_id": cls.finance.id,
                "helpdesk_team_id": cls.helpdesk_team.id,
            }
        )
        cls.company.sales_process_contract_chain_sync = False
        cls.customer = cls.env["res.partner"].create(
            {"name": "Beijing Furniture Co.", "email": "buyer@bjf.example.com"}
        )
        cls.product = cls._create_contract_product()

    def test_from_website_lead_to_after_sales_ticket(self):
        # Monday: a lead from the website, nobody's yet
        with freeze_time("2026-11-16 09:00:00"):
            lead = self.env["crm.lead"].create(
                {
                    "name": "Furniture for 40 desks",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "source_id": self.env.ref("utm.utm_source_search_engine").id,
                    "user_id": False,
                }
            )
        self.assertEqual(lead.team_id, self.team_east)
        self.assertEqual(lead.user_id, self.rep_east)
        contact = self._activities(lead, self.rep_east)
        self.assertTrue(contact, "the rep is asked to contact the customer")

        # Tuesday: the rep calls, then moves the lead to the proposal stage
        rep_lead = lead.with_user(self.rep_east)
        with freeze_time("2026-11-17 10:00:00"):
            contact.with_user(self.rep_east).action_feedback(feedback="Called")
            rep_lead.stage_id = self.proposition
        self.assertEqual(lead.sales_process_sla_policy_id, self.proposal_policy)
        self.assertEqual(lead.sales_process_sla_status, "on_track")
        self.assertEqual(
            lead.sales_process_sla_deadline,
            datetime(2026, 11, 24, 10, 0),
            "5 working days of the East calendar after entry",
        )

        # the rep quotes with 15 % off: the team leader must approve it
        with freeze_time("2026-11-17 11:00:00"):
            order = (
                self.env["sale.order"]
                .with_user(self.rep_east)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "opportunity_id": lead.id,
                        "team_id": self.team_east.id,
                        "require_signature": True,
                        "require_payment": False,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.product.id,
                                    "product_uom_qty": 2,
                                    "discount": 15.0,
                                }
                            )
                        ],
                    }
                )
            )
        self.assertTrue(order.need_validation)
        with self.assertRaises(UserError):
            order.with_user(self.rep_east).action_quotation_send()
        self.assertIn("error", sign_online(self, order), "not before the approval")
        order.with_user(self.rep_east).request_validation()
        with self.assertRaises(UserError, msg="no one approves their own discount"):
            order.with_user(self.rep_east).validate_tier()
        self.assertEqual(order.validation_status, "pending")
        order.with_user(self.director).validate_tier()
        self.assertEqual(order.validation_status, "validated")
        order.with_user(self.rep_east).with_context(mark_so_as_sent=True).message_post(
            body="Your quotation"
        )

        # Wednesday: the SLA sweep reminds the rep, once
        self._run_cron("ir_cron_sla_sweep", "2026-11-18 11:00:00")
        self._run_cron("ir_cron_sla_sweep", "2026-11-18 12:00:00")
        reminders = lead.sales_process_stage_history_ids.sla_event_ids.filtered(
            lambda event: event.kind == "reminder"
        )
        self.assertEqual(len(reminders), 1)

        # Thursday: the customer signs online; the chain waits for its job
        result = sign_online(self, order)
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")
        chain = order.sales_process_contract_chain_ids
        self.assertEqual(chain.state, "queued")
        self.assertEqual(chain.trigger, "portal_signature")

        self._run_cron("ir_cron_contract_chain", "2026-11-19 10:00:00")
        self.assertEqual(chain.state, "done")
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 1700.0)
        mails = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.customer.ids), ("model", "=", "account.move")]
        )
        self.assertTrue(mails, "the invoice is emailed to the customer")
        self.assertTrue(
            self._activities(invoice, self.finance), "finance follows the payment"
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("sale_order_ids", "in", order.ids)]
        )
        self.assertEqual(ticket.user_id, self.agent, "support, not the rep")
        self.assertTrue(lead.won_status == "won" or lead.stage_id.is_won)
        # the won stage closed the proposal row: one open row, the won one
        open_rows = lead.sales_process_stage_history_ids.filtered(
            lambda row: not row.date_out
        )
        self.assertEqual(len(open_rows), 1)
        self.assertTrue(open_rows.crm_stage_id.is_won)

        # the job runs again: nothing twice
        self._run_cron("ir_cron_contract_chain", "2026-11-19 11:00:00")
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(
            len(
                self.env["helpdesk.ticket"].search(
                    [("sale_order_ids", "in", order.ids)]
                )
            ),
            1,
        )

        # the first contact was made in time: no escalation at its deadline
        self._run_cron("ir_cron_first_contact_sweep", "2026-11-24 10:00:00")
        self.assertFalse(lead.sales_process_first_contact_escalated)
        self.assertFalse(self._activities(lead, self.director))

        # each role reads its part
        self.assertEqual(ticket.with_user(self.agent).partner_id, self.customer)
        self.assertEqual(invoice.with_user(self.finance).partner_id, self.customer)
        self.assertEqual(
            chain.with_user(self.finance).invoice_ids, invoice, "Signed Contracts"
        )
        self.assertEqual(
            order.with_user(self.rep_east).sales_process_contract_chain_ids, chain
        )

        # the customer, given a portal account, finds it all on the portal
        new_test_user(
            self.env,
            login="spa_process_customer",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        self.authenticate("spa_process_customer", "spa_process_customer")
        for url in (
            "/my/orders",
            f"/my/orders/{order.id}",
            "/my/invoices",
            f"/my/invoices/{invoice.id}",
            "/my/tickets",
            f"/my/ticket/{ticket.id}",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertFalse(response.url.endswith("/web/login"), url)
        self.assertIn(order.name, self.url_open("/my/orders").text)
        self.assertIn(ticket.number, self.url_open("/my/tickets").text)
