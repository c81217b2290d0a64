# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SIGNATURE, SalesProcessCommon


@tagged("post_install", "-at_install")
class TestHardeningIntegrity(SalesProcessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["sales.process.contract.policy"].search([]).action_archive()
        cls._set_up_mandatory_pipeline()
        cls.helpdesk_director = new_test_user(
            cls.env,
            login="spa_helpdesk_director",
            groups="sales_team.group_sale_manager,helpdesk_mgmt.group_helpdesk_manager",
        )

    # item 9: Sales Managers set the sales process fields over RPC
    def test_sales_manager_cannot_set_process_fields(self):
        stage = self.intake.with_user(self.director)
        for values in (
            {"sales_process_mandatory": True},
            {"sales_process_contract_signed": True},
        ):
            with self.assertRaisesRegex(AccessError, "Only Sales Process admin"):
                stage.write(values)
        with self.assertRaisesRegex(AccessError, "Only Sales Process admin"):
            stage.create({"name": "Skip me", "sales_process_mandatory": True})
        # the rest of the stage stays theirs, the same value too
        stage.write({"name": "Inbox", "sales_process_mandatory": False})
        self.assertEqual(stage.name, "Inbox")
        other_calendar = self.calendar.copy({"name": "Night shift"})
        with self.assertRaisesRegex(AccessError, "Only Sales Process admin"):
            self.team_west.with_user(self.director).write(
                {"sales_process_resource_calendar_id": other_calendar.id}
            )
        with self.assertRaisesRegex(AccessError, "Only Sales Process admin"):
            self.helpdesk_team.with_user(self.helpdesk_director).write(
                {"sales_process_resource_calendar_id": other_calendar.id}
            )
        self.helpdesk_team.with_user(self.helpdesk_director).name = "Onboarding"
        # the Sales Process administrator sets them
        self.intake.with_user(self.process_admin).sales_process_mandatory = True
        self.team_west.with_user(
            self.process_admin
        ).sales_process_resource_calendar_id = other_calendar
        self.assertEqual(
            self.team_west.sales_process_resource_calendar_id, other_calendar
        )

    # item 15: a signed contract wins the opportunity past a mandatory stage
    def test_signed_contract_wins_past_a_mandatory_stage(self):
        portal = new_test_user(self.env, login="spa_portal", groups="base.group_portal")
        self.env["sales.process.contract.policy"].create({"name": "Contracts"})
        lead = self._create_leads(
            1, stage_id=self.intake.id, partner_id=portal.partner_id.id
        )
        product = self.env["product.product"].create(
            {"name": "Audit", "list_price": 500.0, "type": "service"}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": portal.partner_id.id,
                "team_id": self.team_east.id,
                "user_id": self.rep_east.id,
                "opportunity_id": lead.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.write({"signature": SIGNATURE, "signed_by": "Customer"})
        # what the portal does when the customer signs
        order.with_user(portal).sudo().action_confirm()
        # the chain job wins the opportunity, past the mandatory stage
        cron = self.env.ref("sales_process_automation.ir_cron_contract_chain")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        step = order.sales_process_contract_step_ids.filtered(
            lambda step: step.code == "won"
        )
        self.assertEqual(step.state, "done")
        self.assertEqual(lead.stage_id, self.won)
        self.assertFalse(lead.sales_process_stage_skip_request_ids)

    # item 18: merging leads keeps the history and the requests
    def test_merge_keeps_history_and_requests(self):
        with freeze_time("2026-11-16 09:00:00"):
            head, tail = self._create_leads(2, stage_id=self.intake.id)
            head.probability = 60
        with freeze_time("2026-11-16 10:00:00"):
            complex_request = (
                self.env["sales.process.complex.request"]
                .with_user(self.rep_east)
                .create(
                    {
                        "lead_id": tail.id,
                        "reason_id": self.env.ref(
                            "sales_process_automation.sales_process_complex_reason_warranty"
                        ).id,
                        "requested_deadline": datetime(2026, 12, 4, 17, 0),
                    }
                )
            )
            complex_request.action_request()
            tail.with_user(self.rep_east).write({"stage_id": self.won.id})
        skip = tail.sales_process_stage_skip_request_id
        tail_rows = self._rows(tail)
        self.assertTrue(skip and tail_rows)
        with freeze_time("2026-11-17 10:00:00"):
            merged = (head | tail).with_user(self.rep_east)._merge_opportunity()
        self.assertEqual(merged, head)
        self.assertFalse(tail.exists())
        self.assertTrue(tail_rows.exists())
        self.assertEqual(tail_rows.lead_id, head)
        self.assertEqual(
            tail_rows.filtered(lambda row: not row.date_out), tail_rows[:0]
        )
        self.assertEqual(complex_request.lead_id, head)
        self.assertEqual(complex_request.state, "pending")
        self.assertTrue(head.sales_process_complex)
        self.assertEqual(skip.lead_id, head)
        self.assertEqual(skip.state, "cancel")

    # item 21: values accepted without validation
    def test_settings_are_validated(self):
        admin = self.process_admin
        for percent in (150, -10):
            with self.assertRaisesRegex(ValidationError, "complex opportunity alert"):
                self.company.with_user(self.env.ref("base.user_admin")).write(
                    {"sales_process_complex_threshold": percent}
                )
        Policy = self.env["sales.process.contract.policy"].with_user(admin)
        with self.assertRaisesRegex(ValidationError, "Escalate|escalated"):
            Policy.create(
                {
                    "name": "Late",
                    "team_ids": [Command.link(self.team_west.id)],
                    "overdue_escalation_days": -3,
                }
            )
        Policy.create({"name": "Company contracts"})
        with self.assertRaisesRegex(ValidationError, "already has a contract policy"):
            Policy.create({"name": "Second company contracts"})
        with self.assertRaisesRegex(ValidationError, "percentage or a fixed amount"):
            Policy.create(
                {
                    "name": "East deposits",
                    "team_ids": [Command.link(self.team_east.id)],
                    "invoice_policy": "down_payment",
                    "down_payment_method": False,
                    "down_payment_amount": 30,
                }
            )
        sla = (
            self.env["sales.process.sla.policy"]
            .with_user(admin)
            .create(
                {
                    "name": "Qualify within 5 days",
                    "res_model": "crm.lead",
                    "crm_stage_id": self.qualification.id,
                    "duration": 5,
                    "duration_unit": "days",
                    "reminder_ids": [Command.create({"anchor": "entry", "delay": 4})],
                }
            )
        )
        with self.assertRaisesRegex(ValidationError, "falls outside"):
            sla.duration = 3
