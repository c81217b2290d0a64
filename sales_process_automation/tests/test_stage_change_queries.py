# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import ExitStack
from unittest.mock import patch

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import SalesProcessCommon

MODULE = "odoo.addons.sales_process_automation."

# the stage history, the SLA and the hand-off of a stage change cost at most
# this many queries more than the same change in Odoo's crm alone
EXTRA_QUERIES = 8
# a member of an owner group does not follow the lead yet: Odoo's activity
# subscribes them (2 inserts), and the group's turn or load is read (1)
GROUP_EXTRA_QUERIES = EXTRA_QUERIES + 3


@tagged("post_install", "-at_install")
class TestStageChangeQueries(SalesProcessCommon):
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
        cls.leads = cls._tracked_leads()

    @classmethod
    def _tracked_leads(cls):
        """Four leads of the rep, with Odoo's chatter tracking, which the
        tests' context turns off."""
        leads = (
            cls._create_leads(4, stage_id=cls.stages[1].id)
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

    def _write_without_module(self, records, vals):
        """``records.write(vals)`` as Odoo alone writes it: every write of the
        module on the model's classes hands over to the next class."""
        with ExitStack() as stack:
            for cls in type(records).__mro__:
                if cls.__module__.startswith(MODULE) and "write" in vars(cls):
                    stack.enter_context(
                        patch.object(
                            cls,
                            "write",
                            lambda self, vals, cls=cls: super(cls, self).write(vals),
                        )
                    )
            return records.write(vals)

    def _plain_and_module_queries(self, leads):
        """Queries of Odoo's write and of the module's write of the same stage
        change, each on one lead of ``leads``, after one write of each: as in
        any process, a change was made before, the registry caches hold what
        Odoo and the module cache across requests."""
        vals = {"stage_id": self.proposition.id}
        warm, plain_warm, plain_lead, lead = leads
        self._queries(lambda: warm.write(vals))
        self._queries(lambda: self._write_without_module(plain_warm, vals))
        plain = self._queries(lambda: self._write_without_module(plain_lead, vals))
        module = self._queries(lambda: lead.write(vals))
        self.assertEqual(plain_lead.stage_id, self.proposition)
        self.assertFalse(self._rows(plain_lead).filtered("stage_owner_id"))
        self.assertEqual(lead.stage_id, self.proposition)
        return plain, module

    def _handoff_user(self, lead):
        return (
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("sales_process_handoff", "=", True),
                ]
            )
            .user_id
        )

    def test_stage_change_with_handoff_stays_within_budget(self):
        plain, module = self._plain_and_module_queries(self.leads)
        lead = self.leads[3]
        self.assertEqual(self._open_rows(lead).stage_owner_id, self.rep_east)
        self.assertEqual(self._handoff_user(lead), self.rep_east)
        self.assertLessEqual(module - plain, EXTRA_QUERIES, f"{plain=} {module=}")

    def test_group_handoff_stays_within_budget(self):
        for method in ("round_robin", "least_load"):
            with self.subTest(method=method):
                self.step.write(
                    {
                        "owner_type": "group",
                        "owner_group_id": self.presales_group.id,
                        "group_method": method,
                    }
                )
                leads = self._tracked_leads()
                plain, module = self._plain_and_module_queries(leads)
                owner = self._open_rows(leads[3]).stage_owner_id
                self.assertIn(owner, self.presales)
                self.assertEqual(self._handoff_user(leads[3]), owner)
                self.assertIn(owner.partner_id, leads[3].message_partner_ids)
                self.assertLessEqual(
                    module - plain, GROUP_EXTRA_QUERIES, f"{plain=} {module=}"
                )

    def test_stage_with_an_sla_policy_stays_within_budget(self):
        """The policy has a pause stage and reminders: a lead entering its
        stage from another stage reads none of them."""
        self.env["sales.process.sla.policy"].create(
            {
                "name": "Proposition within 5 days",
                "crm_stage_id": self.proposition.id,
                "pause_crm_stage_ids": [Command.link(self.stages[3].id)],
                "duration": 5,
                "reminder_ids": [
                    Command.create({"anchor": "entry", "delay": 1}),
                    Command.create({"anchor": "before_deadline", "delay": 1}),
                ],
            }
        )
        plain, module = self._plain_and_module_queries(self.leads)
        lead = self.leads[3]
        self.assertTrue(self._open_rows(lead).sla_policy_id)
        self.assertEqual(self._handoff_user(lead), self.rep_east)
        self.assertLessEqual(module - plain, EXTRA_QUERIES, f"{plain=} {module=}")
