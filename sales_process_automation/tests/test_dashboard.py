# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..tools import metrics
from ..tools.working_duration import format_working_duration, split_working_duration
from .common import SalesProcessSecurityCommon


@tagged("post_install", "-at_install")
class TestDashboard(SalesProcessSecurityCommon):
    """The role dashboards: each sees its own records, teams and company, and
    every figure opens exactly the records it counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policies = cls.records["sales.process.sla.policy"]
        cls.rules = cls.records["sales.process.assignment.rule"]
        rows = cls.records["sales.process.stage.history"]
        last_week = fields.Datetime.now() - timedelta(days=7)
        # every team's lead breached the proposal policy of its company a
        # week ago (the fixture's breach event escalated it); East's was
        # reminded first
        for key, row in rows.items():
            row.write(
                {
                    "sla_policy_id": cls.policies["b" if key == "south" else "a"].id,
                    "sla_status": "breached",
                    "date_deadline": last_week,
                }
            )
        cls.env["sales.process.sla.event"].create(
            {
                "history_id": rows["east"].id,
                "kind": "reminder",
                "reminder_id": cls.policies["a"].reminder_ids.id,
                "date": last_week - timedelta(days=1),
            }
        )
        # the rules of each company gave its leads, East's waits in the team
        for key, lead in cls.leads.items():
            lead.write(
                {
                    "sales_process_assignment_rule_id": cls.rules[
                        "b" if key == "south" else "a"
                    ].id,
                    "sales_process_assignment_state": (
                        "team_only" if key == "east" else "assigned"
                    ),
                }
            )

    def _dashboard(self, user, role):
        Dashboard = self.env["sales.process.dashboard"].with_user(user)
        return {
            block["key"]: block for block in Dashboard.get_dashboard(role)["blocks"]
        }

    def _view_records(self, user, block):
        return (
            self.env[block["resModel"]]
            .with_user(user)
            .with_context(active_test=False)
            .search(block["domain"])
        )

    def _action_records(self, user, action):
        return (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .search(action["domain"])
        )

    def _figures(self, block):
        """``{(row key, figure): cell}`` of a table block."""
        return {
            (row["key"], cell["key"]): cell
            for row in block["rows"]
            for cell in row["cells"]
            if cell.get("key")
        }

    def test_roles(self):
        for user, roles in (
            (self.rep_east, ["manager", "admin"]),
            (self.leader_west, ["admin"]),
            (self.employee, ["rep"]),
        ):
            for role in roles:
                with (
                    self.subTest(user=user.login, role=role),
                    self.assertRaises(AccessError),
                ):
                    self._dashboard(user, role)

    def test_rep(self):
        blocks = self._dashboard(self.rep_east, "rep")
        at_risk = next(
            block
            for block in blocks.values()
            if block["kind"] == "view" and block["resModel"] == "crm.lead"
        )
        # the rep's breached lead, not the other teams'
        self.assertEqual(self._view_records(self.rep_east, at_risk), self.leads["east"])
        funnel = next(
            block
            for block in blocks.values()
            if block.get("resModel") == "sales.process.funnel.report"
        )
        entries = self._view_records(self.rep_east, funnel)
        self.assertEqual(entries.lead_id, self.leads["east"])
        # a bar of the funnel opens the leads it counts
        action = (
            self.env["sales.process.funnel.report"]
            .with_user(self.rep_east)
            .action_open_documents(funnel["domain"])
        )
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(
            self._action_records(self.rep_east, action), self.leads["east"]
        )
        tiles = {tile["kind"]: tile for tile in blocks["tiles"]["tiles"]}
        self.assertEqual(tiles["at_risk"]["value"], "1")

    def test_manager(self):
        blocks = self._dashboard(self.leader_west, "manager")
        trend = next(
            block
            for block in blocks.values()
            if block.get("resModel") == "sales.process.stage.time.report"
            and "breach" in block["key"]
        )
        rows = self._view_records(self.leader_west, trend)
        # the breach of the West team in the last 12 weeks, not East's
        self.assertEqual(rows.lead_id, self.leads["west"])
        action = (
            self.env["sales.process.stage.time.report"]
            .with_user(self.leader_west)
            .action_open_documents(trend["domain"])
        )
        self.assertEqual(
            self._action_records(self.leader_west, action), self.leads["west"]
        )
        team_funnel = next(
            block
            for block in blocks.values()
            if block.get("resModel") == "sales.process.funnel.report"
        )
        [(entries,)] = (
            self.env["sales.process.funnel.report"]
            .with_user(self.leader_west)
            ._read_group(team_funnel["domain"], [], ["entry_count:sum"])
        )
        action = (
            self.env["sales.process.funnel.report"]
            .with_user(self.leader_west)
            .action_open_documents(team_funnel["domain"])
        )
        self.assertEqual(len(self._action_records(self.leader_west, action)), entries)
        for row in blocks["bottlenecks"]["rows"]:
            self.assertEqual(row["cells"][0]["value"], self.team_west.display_name)
            for badge in row["cells"][1]["badges"]:
                self.assertEqual(
                    len(self._action_records(self.leader_west, badge["action"])),
                    badge["count"],
                )

    def test_admin(self):
        for admin, company_key, other_key in (
            (self.process_admin, "a", "b"),
            (self.rep_south, "b", "a"),
        ):
            with self.subTest(admin=admin.login):
                blocks = self._dashboard(admin, "admin")
                rules = self._figures(blocks["assignment_rules"])
                policies = self._figures(blocks["sla_policies"])
                rule, other_rule = self.rules[company_key], self.rules[other_key]
                policy = self.policies[company_key]
                self.assertNotIn((other_rule.id, "matched"), rules)
                self.assertNotIn((self.policies[other_key].id, "records"), policies)
                matched = 2 if company_key == "a" else 1
                self.assertEqual(rules[rule.id, "matched"]["count"], matched)
                self.assertEqual(
                    rules[rule.id, "team_only"]["count"], int(company_key == "a")
                )
                self.assertEqual(policies[policy.id, "records"]["count"], matched)
                self.assertEqual(policies[policy.id, "escalated"]["count"], matched)
                self.assertEqual(
                    policies[policy.id, "reminded"]["count"], int(company_key == "a")
                )
                self.assertEqual(policies[policy.id, "breach_rate"]["value"], "100 %")
                # each count opens exactly the records counted
                for (_key, figure), cell in {**rules, **policies}.items():
                    if figure == "breach_rate":
                        continue
                    records = self._action_records(admin, cell["action"])
                    self.assertEqual(len(records), cell["count"], (_key, figure))
                    self.assertLessEqual(records.company_id, admin.company_ids)

    def test_team_rule_scope(self):
        """The leader's rules resolved into team ids read the same rows."""
        for model in (
            "sales.process.funnel.report",
            "sales.process.bottleneck.report",
            "sales.process.stage.time.report",
        ):
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.leader_west)
                scope = metrics.team_rule_scope(Model.env, model)
                self.assertFalse(scope.is_true())
                self.assertTrue(Model.search([]))
                self.assertEqual(Model.search(scope), Model.search([]))
                admin_env = self.env(user=self.process_admin)
                self.assertTrue(metrics.team_rule_scope(admin_env, model).is_true())

    def test_notified_flags(self):
        """A row is reminded or escalated while it has such an event that was
        notified (not skipped)."""
        row = self.records["sales.process.stage.history"]["west"]
        row.sla_event_ids.unlink()
        self.assertFalse(row.sla_reminded or row.sla_escalated)
        Event = self.env["sales.process.sla.event"]
        now = fields.Datetime.now()
        reminder = Event.create(
            {"history_id": row.id, "kind": "reminder", "date": now, "skipped": True}
        )
        self.assertFalse(row.sla_reminded)
        reminder.skipped = False
        self.assertTrue(row.sla_reminded)
        self.assertFalse(row.sla_escalated)
        breach = Event.create({"history_id": row.id, "kind": "breach", "date": now})
        self.assertTrue(row.sla_escalated)
        (reminder | breach).unlink()
        self.assertFalse(row.sla_reminded or row.sla_escalated)

    def test_working_duration(self):
        self.assertEqual(split_working_duration(17, 8), (2, 1, 0))
        self.assertEqual(split_working_duration(16.2, 7.5), (2, 1, 0))
        self.assertEqual(split_working_duration(0.5, 8), (0, 0, 30))
        self.assertEqual(format_working_duration(self.env, 19, 8), "2 d 3 h")
        self.assertEqual(format_working_duration(self.env, 5, 8), "5 h")
        self.assertEqual(format_working_duration(self.env, 16, 8), "2 d")
