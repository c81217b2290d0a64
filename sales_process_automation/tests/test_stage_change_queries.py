# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import ExitStack
from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import SalesProcessCommon

MODULE = "odoo.addons.sales_process_automation."

# the stage history, the SLA and the hand-off of a stage change cost at most
# this many queries more than the same change in Odoo's crm alone
EXTRA_QUERIES = 8
# a hand-off to a member of an owner group: the group's turn or load is read
# (1), the member, another user than the rep, is read (2), and Odoo's activity
# subscribes them to the lead they do not follow yet (2 inserts); the group's
# members come from the registry cache
GROUP_EXTRA_QUERIES = EXTRA_QUERIES + 3
# the stage history of a change into a stage with an SLA policy that can
# pause, from a stage that does not: the open row read and closed, the new row
# inserted (the policy's reminders, pause stages and working hours come from
# the registry cache; the earlier rows are read only back from a pause)
EXTRA_SLA_QUERIES = 3
# the stage history of a confirmation and the signature the contract chain
# checks, less the look-up of the tier engine's exceptions the module spares
EXTRA_CONFIRM_QUERIES = 2


def _handing_over(cls, name):
    """``cls.name`` as a method that only calls the next class's."""

    def method(self, *args, **kwargs):
        return getattr(super(cls, self), name)(*args, **kwargs)

    return method


class StageChangeQueriesCommon(SalesProcessCommon):
    """Queries of an operation against the same operation in Odoo alone."""

    @classmethod
    def _tracked_leads(cls, count):
        """Opportunities of a rep, with Odoo's chatter tracking, which the
        tests' context turns off."""
        leads = (
            cls._create_leads(count, stage_id=cls.stages[1].id)
            .with_context(
                tracking_disable=False,
                mail_notrack=False,
                mail_create_nosubscribe=False,
            )
            .with_user(cls.rep_east)
        )
        # as Odoo subscribes the salesperson of a lead created with tracking
        leads.message_subscribe(partner_ids=cls.rep_east.partner_id.ids)
        return leads

    def _queries(self, move):
        """Queries of ``move()`` from a cold ORM cache, with its flush and
        Odoo's chatter tracking."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        move()
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _write_queries(self, leads, vals):
        """Queries of ``write(vals)`` in Odoo alone and with the module, on the
        last two of four ``leads``; the first two write it unmeasured before,
        as in any process a change was made before: the registry caches hold
        what Odoo and the module cache across requests. ``(plain, module)``."""
        warm, plain_warm, plain_lead, lead = leads
        self._queries(lambda: warm.write(vals))
        self._queries(lambda: self._write_without_module(plain_warm, vals))
        plain = self._queries(lambda: self._write_without_module(plain_lead, vals))
        return plain, self._queries(lambda: lead.write(vals))

    def _write_without_module(self, records, vals):
        """``records.write(vals)`` as Odoo alone writes it: every write of the
        module on the model's classes hands over to the next class."""
        return self._without_module(records, {"write"}, lambda: records.write(vals))

    def _without_module(self, records, method_names, call):
        """``call()`` with the module's ``method_names`` on the classes of
        ``records``' model handing over to the next class."""
        with ExitStack() as stack:
            for cls in type(records).__mro__:
                if not cls.__module__.startswith(MODULE):
                    continue
                for name in method_names & vars(cls).keys():
                    stack.enter_context(
                        patch.object(cls, name, _handing_over(cls, name))
                    )
            return call()


@tagged("post_install", "-at_install")
class TestStageChangeQueries(StageChangeQueriesCommon):
    """A rep moves an opportunity into a stage with a step owned by its
    salesperson: the module's cost is measured against Odoo's
    own write of the same change, as benchmarks/bench_stage_history.py does:
    the same write with the module's write overrides passed through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the benchmark's case: a hand-off, no stage SLA policy (demo
        # databases ship some)
        policies = cls.env["sales.process.sla.policy"].search([])
        policies.action_archive()
        policies.action_recompute_open_records()
        cls.proposition = cls.stages[2]
        cls.presales = [
            new_test_user(
                cls.env,
                login=f"spa_query_presales_{index}",
                groups="sales_team.group_sale_salesman",
            )
            for index in range(2)
        ]
        cls.presales_group = cls.env["res.groups"].create(
            {
                "name": "Query Presales",
                "user_ids": [Command.set([user.id for user in cls.presales])],
            }
        )
        cls.step = cls.env["sales.process.step"].create(
            {
                "team_id": cls.team_east.id,
                "stage_id": cls.proposition.id,
                "owner_type": "salesperson",
                "checklist": "<p>Check the budget</p>",
                "expected_days": 3,
            }
        )
        cls.leads = cls._tracked_leads(4)

    def test_stage_change_with_handoff_stays_within_budget(self):
        vals = {"stage_id": self.proposition.id}
        plain, module = self._write_queries(self.leads, vals)
        plain_lead, lead = self.leads[2:]
        self.assertEqual(plain_lead.stage_id, self.proposition)
        self.assertFalse(self._rows(plain_lead).filtered("stage_owner_id"))
        self.assertEqual(lead.stage_id, self.proposition)
        self.assertEqual(self._open_rows(lead).stage_owner_id, self.rep_east)
        self.assertTrue(
            self.env["mail.activity"].search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("sales_process_handoff", "=", True),
                    ("user_id", "=", self.rep_east.id),
                ]
            )
        )
        self.assertLessEqual(module - plain, EXTRA_QUERIES, f"{plain=} {module=}")

    def test_group_handoff_stays_within_budget(self):
        vals = {"stage_id": self.proposition.id}
        for method in ("round_robin", "least_load"):
            with self.subTest(method=method):
                self.step.write(
                    {
                        "owner_type": "group",
                        "owner_group_id": self.presales_group.id,
                        "group_method": method,
                    }
                )
                leads = self._tracked_leads(4)
                plain, module = self._write_queries(leads, vals)
                lead = leads[3]
                self.assertEqual(lead.stage_id, self.proposition)
                owner = self._open_rows(lead).stage_owner_id
                self.assertIn(owner, self.presales)
                self.assertEqual(
                    self.env["mail.activity"]
                    .search(
                        [
                            ("res_model", "=", "crm.lead"),
                            ("res_id", "=", lead.id),
                            ("sales_process_handoff", "=", True),
                        ]
                    )
                    .user_id,
                    owner,
                )
                # the follower Odoo's activity makes of the owner
                self.assertIn(owner.partner_id, lead.message_partner_ids)
                self.assertLessEqual(
                    module - plain, GROUP_EXTRA_QUERIES, f"{plain=} {module=}"
                )


@tagged("post_install", "-at_install")
class TestSlaAndConfirmationQueries(StageChangeQueriesCommon):
    """A rep moves an opportunity into a stage with an SLA policy that has
    reminders and a pause stage, in the team's working hours, and confirms a
    quotation whose discount needs no approval, as
    benchmarks/bench_load_queries.py measures them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        cls.leads = cls._tracked_leads(4)
        cls.proposal_policy.pause_crm_stage_ids = cls.stages[3]
        Threshold = cls.env["sales.process.discount.threshold"]
        Threshold.search([]).action_archive()
        Threshold.with_user(cls.process_admin).create(
            {"name": "Above 10%: team leader", "percent": 10}
        )
        cls.orders = cls._create_orders(4).with_context(
            tracking_disable=False, mail_notrack=False, mail_create_nosubscribe=False
        )
        cls.orders.message_subscribe(partner_ids=cls.rep_east.partner_id.ids)
        cls.orders = cls.orders.with_user(cls.rep_east)

    def test_stage_change_with_sla_stays_within_budget(self):
        vals = {"stage_id": self.proposition.id}
        plain, module = self._write_queries(self.leads, vals)
        lead = self.leads[3]
        open_row = self._open_rows(lead)
        self.assertEqual(open_row.sla_policy_id, self.proposal_policy)
        self.assertTrue(open_row.date_deadline)
        self.assertTrue(open_row.sla_next_check)
        self.assertLessEqual(module - plain, EXTRA_SLA_QUERIES, f"{plain=} {module=}")

    def test_confirmation_stays_within_budget(self):
        methods = {
            "write",
            "action_confirm",
            "_confirmation_error_message",
            "_tier_validation_check_write_allowed",
        }
        warm, plain_warm, plain_order, order = self.orders
        self._queries(warm.action_confirm)
        self._queries(
            lambda: self._without_module(plain_warm, methods, plain_warm.action_confirm)
        )
        plain = self._queries(
            lambda: self._without_module(
                plain_order, methods, plain_order.action_confirm
            )
        )
        module = self._queries(order.action_confirm)
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._open_rows(order).order_state, "sale")
        self.assertLessEqual(
            module - plain, EXTRA_CONFIRM_QUERIES, f"{plain=} {module=}"
        )

    def test_cached_hours_and_plans_follow_their_changes(self):
        first, after_reminder, after_team, after_company = self.leads
        evenings = self.env["resource.calendar"].create(
            {"name": "Evenings", "tz": "Asia/Shanghai", "company_id": self.company.id}
        )
        company_hours = self.company.resource_calendar_id
        monday = datetime(2026, 3, 2, 9, 0)
        self._enter(first, self.proposition, monday)
        # a reminder sooner: the next row is checked sooner
        self.proposal_policy.reminder_ids.sorted("delay")[:1].delay = 0.5
        self._enter(after_reminder, self.proposition, monday)
        # without its own working hours, the team works the company's
        self.team_east.with_user(
            self.process_admin
        ).sales_process_resource_calendar_id = False
        self._enter(after_team, self.proposition, monday)
        self.company.resource_calendar_id = evenings
        self._enter(after_company, self.proposition, monday)
        rows = [self._open_rows(lead) for lead in self.leads]
        self.assertEqual(
            [row.resource_calendar_id for row in rows],
            [self.calendar, self.calendar, company_hours, evenings],
        )
        self.assertEqual(rows[0].sla_next_check, datetime(2026, 3, 3, 9, 0))
        self.assertEqual(rows[1].sla_next_check, datetime(2026, 3, 2, 14, 0))
