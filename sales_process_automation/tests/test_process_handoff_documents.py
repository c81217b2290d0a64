# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-16 09:00:00")
class TestProcessHandoffDocuments(SalesProcessCommon):
    """Stage owners on helpdesk stages (per team) and on quotation states."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo databases ship SLA policies, whose deadline a hand-off takes:
        # the tests count the steps' expected days
        cls.env["sales.process.sla.policy"].search(
            [("res_model", "in", ["sale.order", "helpdesk.ticket"])]
        ).action_archive()
        support = "helpdesk_mgmt.group_helpdesk_user"
        cls.agent = new_test_user(cls.env, login="spa_handoff_agent", groups=support)
        cls.support_lead = new_test_user(
            cls.env, login="spa_handoff_support_lead", groups=support
        )
        cls.expert = new_test_user(cls.env, login="spa_handoff_expert", groups=support)
        cls.helpdesk_team.write(
            {
                "user_id": cls.support_lead.id,
                "user_ids": [Command.link(cls.agent.id)],
            }
        )
        cls.onboarding = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Onboarding",
                "company_id": cls.company.id,
                "user_ids": [Command.set([cls.agent.id, cls.expert.id])],
            }
        )
        cls.triage, cls.review, cls.answered = cls.env["helpdesk.ticket.stage"].create(
            [
                {"name": "Triage", "sequence": 101},
                {"name": "Expert Review", "sequence": 102},
                {"name": "Answered", "sequence": 103},
            ]
        )
        cls.finance = [
            new_test_user(
                cls.env,
                login=f"spa_handoff_finance_{index}",
                groups="sales_team.group_sale_salesman",
            )
            for index in range(2)
        ]
        cls.finance_group = cls.env["res.groups"].create(
            {
                "name": "Finance desk",
                "user_ids": [Command.set([user.id for user in cls.finance])],
            }
        )
        cls.Step = cls.env["sales.process.step"].with_user(cls.process_admin)

    def _handoffs(self, records, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("sales_process_handoff", "=", True),
                    ("active", "=", active),
                ],
                order="id",
            )
        )

    def _tickets(self, team, count=1):
        return self._create_tickets(
            count, team_id=team.id, user_id=self.agent.id, stage_id=self.triage.id
        ).with_user(self.agent)

    def test_helpdesk_stage_owner_per_team(self):
        self.Step.create(
            {
                "res_model": "helpdesk.ticket",
                "helpdesk_team_id": self.helpdesk_team.id,
                "ticket_stage_id": self.review.id,
                "owner_type": "team_leader",
                "checklist": "<p>Check the contract level</p>",
                "expected_days": 2,
            }
        )
        self.Step.create(
            {
                "res_model": "helpdesk.ticket",
                "ticket_stage_id": self.review.id,
                "owner_type": "user",
                "owner_user_id": self.expert.id,
                "reassign": True,
            }
        )
        after_sales = self._tickets(self.helpdesk_team)
        onboarding = self._tickets(self.onboarding)
        self.assertFalse(self._handoffs(after_sales | onboarding), "no step on Triage")

        (after_sales | onboarding).stage_id = self.review
        handoff = self._handoffs(after_sales)
        self.assertEqual(handoff.user_id, self.support_lead, "the team's own step")
        self.assertEqual(handoff.summary, "Expert Review: over to you")
        self.assertIn("Check the contract level", handoff.note)
        self.assertEqual(handoff.date_deadline, date(2026, 11, 18))
        self.assertEqual(self._open_rows(after_sales).stage_owner_id, self.support_lead)
        self.assertEqual(after_sales.user_id, self.agent, "the step does not reassign")

        default_handoff = self._handoffs(onboarding)
        self.assertEqual(default_handoff.user_id, self.expert, "the default step")
        self.assertEqual(onboarding.user_id, self.expert, "responsible in the stage")
        self.assertEqual(self._open_rows(onboarding).stage_owner_id, self.expert)
        self.assertEqual(self._open_rows(onboarding).user_id, self.expert)

        onboarding.with_user(self.expert).stage_id = self.answered
        self.assertFalse(self._handoffs(onboarding), "leaving closes the hand-off")
        self.assertEqual(self._handoffs(onboarding, active=False), default_handoff)
        self.assertEqual(onboarding.user_id, self.agent, "given back on leaving")
        self.assertFalse(self._open_rows(onboarding).stage_owner_id)

        after_sales.stage_id = self.answered
        self.assertFalse(self._handoffs(after_sales))
        self.assertEqual(self._handoffs(after_sales, active=False), handoff)
        self.assertEqual(
            self._rows(after_sales).mapped("stage_owner_id"), self.support_lead
        )

    def test_quotation_state_owners(self):
        self.Step.create(
            {
                "res_model": "sale.order",
                "team_id": self.team_east.id,
                "order_state": "sent",
                "owner_type": "group",
                "owner_group_id": self.finance_group.id,
                "group_method": "least_load",
                "checklist": "<p>Check the payment terms</p>",
                "expected_days": 3,
            }
        )
        self.Step.create(
            {
                "res_model": "sale.order",
                "order_state": "sale",
                "owner_type": "salesperson",
            }
        )
        first, second = self._create_orders(2).with_user(self.rep_east)
        self.assertFalse(self._handoffs(first | second), "no step on quotations")

        first.action_quotation_sent()
        second.action_quotation_sent()
        self.assertEqual(self._handoffs(first).user_id, self.finance[0])
        self.assertEqual(self._handoffs(second).user_id, self.finance[1], "least load")
        self.assertEqual(self._handoffs(first).summary, "Quotation Sent: over to you")
        self.assertEqual(self._handoffs(first).date_deadline, date(2026, 11, 19))
        self.assertEqual(self._open_rows(first).stage_owner_id, self.finance[0])

        first.action_confirm()
        self.assertEqual(first.state, "sale")
        sent_handoff = self._handoffs(first, active=False)
        self.assertEqual(sent_handoff.user_id, self.finance[0], "closed on leaving")
        order_handoff = self._handoffs(first)
        self.assertEqual(order_handoff.user_id, self.rep_east)
        self.assertEqual(order_handoff.summary, "Sales Order: over to you")
        self.assertEqual(
            self._rows(first).mapped("stage_owner_id"),
            self.finance[0] | self.rep_east,
        )

    def test_quotation_steps_leave_leads_alone(self):
        self.Step.create(
            {
                "res_model": "sale.order",
                "order_state": "sent",
                "owner_type": "team_leader",
            }
        )
        lead = self._create_leads(1).with_user(self.rep_east)
        lead.stage_id = self.stages[1]
        self.assertFalse(self._handoffs(lead))
        self.assertFalse(self._open_rows(lead).stage_owner_id)
        order = self._create_orders(1).with_user(self.rep_east)
        order.action_quotation_sent()
        self.assertEqual(self._handoffs(order).user_id, self.director)
