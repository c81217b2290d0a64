# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import SQL

from .common import SalesProcessCommon

MARCH, APRIL, MAY = "2026-03-01", "2026-04-01", "2026-05-01"


@tagged("post_install", "-at_install")
class TestRuleReview(SalesProcessCommon):
    """The monthly review of the assignment rules and SLA policies, read by a
    sales manager, on a history made by hand: rules and policies created in
    February 2026, runs and stays in March and April."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep_a, cls.rep_b, cls.rep_c = (
            new_test_user(
                cls.env,
                login=f"spa_review_rep_{name}",
                groups="sales_team.group_sale_salesman",
            )
            for name in "abc"
        )
        cls.team_east.member_ids = [
            Command.link(rep.id) for rep in (cls.rep_a, cls.rep_b, cls.rep_c)
        ]
        Rule = cls.env["sales.process.assignment.rule"]
        cls.round_robin = Rule.create(
            {
                "name": "Round-robin East",
                "team_id": cls.team_east.id,
                "member_ids": [
                    Command.create({"user_id": rep.id})
                    for rep in (cls.rep_a, cls.rep_b, cls.rep_c)
                ],
            }
        )
        cls.weighted = Rule.create(
            {
                "name": "Weighted East",
                "team_id": cls.team_east.id,
                "method": "weighted",
                "member_ids": [
                    Command.create({"user_id": cls.rep_a.id, "weight": 2}),
                    Command.create({"user_id": cls.rep_b.id, "weight": 1}),
                ],
            }
        )
        cls.fixed = Rule.create(
            {"name": "Fixed to A", "method": "fixed", "user_id": cls.rep_a.id}
        )
        cls.Policy = cls.env["sales.process.sla.policy"]
        cls.Policy.search([]).action_archive()
        cls.proposition = cls.stages[2]
        cls.slow_policy, cls.nagging_policy = cls.Policy.create(
            [
                {
                    "name": name,
                    "res_model": "crm.lead",
                    "crm_stage_id": cls.proposition.id,
                    "team_ids": [Command.link(team.id)],
                    "duration": 5,
                    "reminder_ids": [
                        Command.create({"anchor": "entry", "delay": 1}),
                        Command.create({"anchor": "entry", "delay": 3}),
                    ],
                }
                for name, team in (
                    ("Proposal in 5 days (East)", cls.team_east),
                    ("Proposal in 5 days (West)", cls.team_west),
                )
            ]
        )
        configuration = cls.round_robin | cls.weighted | cls.fixed
        cls.env.flush_all()
        for records in (configuration, cls.slow_policy | cls.nagging_policy):
            cls.env.cr.execute(
                SQL(
                    "UPDATE %s SET create_date = '2026-02-15 09:00:00' WHERE id IN %s",
                    SQL.identifier(records._table),
                    tuple(records.ids),
                )
            )
        cls.env.invalidate_all()

    def _log_runs(self, rule, when, counts):
        """Turns of ``rule`` at ``when``: ``{user or False: count}``."""
        members = {member.user_id: member for member in rule.member_ids}
        self.env["sales.process.assignment.turn"].create(
            [
                {
                    "rule_id": rule.id,
                    "member_id": members[user].id if user in members else False,
                    "user_id": user and user.id,
                    "count": count,
                    "date": when,
                }
                for user, count in counts.items()
            ]
        )

    def _stays(self, policy, month, stays):
        """Closed stays of new leads under ``policy``, entered in ``month``:
        ``[(reminders sent, reminders skipped, breached)]``."""
        team = policy.team_ids
        leads = self._create_leads(len(stays), team_id=team.id)
        reminders = policy.reminder_ids
        for lead, (sent, skipped, breached) in zip(leads, stays, strict=True):
            row = self.History.create(
                {
                    "res_model": "crm.lead",
                    "lead_id": lead.id,
                    "crm_stage_id": self.proposition.id,
                    "team_id": team.id,
                    "company_id": lead.company_id.id,
                    "date_in": f"{month[:8]}02 09:00:00",
                    "date_out": f"{month[:8]}20 09:00:00",
                    "sla_policy_id": policy.id,
                    "sla_status": "breached" if breached else "on_track",
                }
            )
            events = [
                {"kind": "reminder", "reminder_id": reminder.id}
                for reminder in reminders[:sent]
            ]
            events += [
                {"kind": "reminder", "reminder_id": reminder.id, "skipped": True}
                for reminder in reminders[sent : sent + skipped]
            ]
            if breached:
                events.append({"kind": "breach"})
            self.env["sales.process.sla.event"].create(
                [
                    {"history_id": row.id, "date": row.date_out, **event}
                    for event in events
                ]
            )

    def _review(self, model, domain):
        return {
            row["rule_id" if "assignment" in model else "policy_id"][0]: row
            for row in self.env[model].with_user(self.director).search_read(domain)
        }

    def test_assignment_rule_review(self):
        a, b, c = self.rep_a, self.rep_b, self.rep_c
        self._log_runs(self.round_robin, "2026-03-03 10:00:00", {a: 3, b: 2, False: 2})
        self._log_runs(self.round_robin, "2026-03-20 10:00:00", {a: 1})
        self._log_runs(self.round_robin, "2026-04-07 10:00:00", {c: 1})
        self._log_runs(self.weighted, "2026-03-10 10:00:00", {a: 4, b: 2})
        self._log_runs(self.fixed, "2026-04-08 10:00:00", {a: 3})
        model = "sales.process.assignment.review.report"
        march = self._review(model, [("month", "=", MARCH)])
        self.assertEqual(
            set(march), {self.round_robin.id, self.weighted.id, self.fixed.id}
        )
        # round-robin: A 4, B 2, C 0 of 6 assigned; 2 left waiting
        row = march[self.round_robin.id]
        self.assertEqual(
            (row["matched_count"], row["assigned_count"], row["waiting_count"]),
            (8, 6, 2),
        )
        self.assertEqual(row["rep_count"], 3)
        self.assertAlmostEqual(row["max_share"], 100 * 4 / 6)
        self.assertAlmostEqual(row["min_share"], 0.0)
        # mean 2, population deviation sqrt((4 + 0 + 4) / 3)
        self.assertAlmostEqual(row["spread"], 100 * (8 / 3) ** 0.5 / 2)
        self.assertFalse(row["never_matched"])
        # weighted 2:1, and served 4:2: no spread
        row = march[self.weighted.id]
        self.assertEqual((row["matched_count"], row["assigned_count"]), (6, 6))
        self.assertAlmostEqual(row["spread"], 0.0)
        self.assertAlmostEqual(row["min_share"], 100 / 3)
        # the fixed rule matched nothing in March
        row = march[self.fixed.id]
        self.assertTrue(row["never_matched"])
        self.assertEqual(row["matched_count"], 0)
        self.assertFalse(row["spread"])
        april = self._review(model, [("month", "=", APRIL)])
        self.assertEqual(april[self.fixed.id]["assigned_count"], 3)
        self.assertFalse(april[self.fixed.id]["never_matched"])
        self.assertTrue(april[self.weighted.id]["never_matched"])
        # A 0, B 0, C 1: mean 1/3, deviation sqrt(2/9)
        self.assertAlmostEqual(
            april[self.round_robin.id]["spread"], 100 * (2 / 9) ** 0.5 * 3
        )
        # the quarter, grouped by rule: the sums of its months
        groups = (
            self.env[model]
            .with_user(self.director)
            ._read_group(
                [("month", ">=", MARCH), ("month", "<=", APRIL)],
                ["rule_id"],
                ["matched_count:sum", "assigned_count:sum", "waiting_count:sum"],
            )
        )
        self.assertEqual(
            {rule: counts for rule, *counts in groups},
            {
                self.round_robin: [9, 7, 2],
                self.weighted: [6, 6, 0],
                self.fixed: [3, 3, 0],
            },
        )
        flagged = (
            self.env[model]
            .with_user(self.director)
            .search([("month", "=", MARCH), ("never_matched", "=", True)])
        )
        self.assertEqual(flagged.rule_id, self.fixed)

    def test_sla_policy_review(self):
        # East in March: 2 + 1 + 1 reminders (one more skipped), 3 breached
        # of 4, of which 2 of the 3 reminded
        self._stays(
            self.slow_policy,
            MARCH,
            [(2, 0, True), (1, 0, True), (1, 1, False), (0, 0, True)],
        )
        # East in April: one stay, kept
        self._stays(self.slow_policy, APRIL, [(0, 0, False)])
        # West in March: every stay reminded twice, and breached anyway
        self._stays(self.nagging_policy, MARCH, [(2, 0, True), (2, 0, True)])
        model = "sales.process.sla.review.report"
        march = self._review(model, [("month", "=", MARCH)])
        row = march[self.slow_policy.id]
        self.assertEqual(
            (
                row["stay_count"],
                row["reminder_count"],
                row["escalation_count"],
                row["breached_count"],
                row["reminded_count"],
                row["reminded_breached_count"],
            ),
            (4, 4, 3, 3, 3, 2),
        )
        self.assertAlmostEqual(row["reminders_per_stay"], 1.0)
        self.assertAlmostEqual(row["breach_rate"], 75.0)
        self.assertAlmostEqual(row["useless_reminder_rate"], 100 * 2 / 3)
        self.assertFalse(row["useless_reminders"])
        row = march[self.nagging_policy.id]
        self.assertEqual((row["stay_count"], row["reminder_count"]), (2, 4))
        self.assertAlmostEqual(row["reminders_per_stay"], 2.0)
        self.assertAlmostEqual(row["useless_reminder_rate"], 100.0)
        self.assertTrue(row["useless_reminders"])
        # February: the policies existed, nothing entered their stage
        february = self._review(model, [("month", "=", "2026-02-01")])
        self.assertEqual(february[self.slow_policy.id]["stay_count"], 0)
        self.assertFalse(february[self.slow_policy.id]["useless_reminders"])
        # March and April together: shares of the sums, not averages of shares
        [(stays, per_stay, breached, useless)] = (
            self.env[model]
            .with_user(self.director)
            ._read_group(
                [
                    ("policy_id", "=", self.slow_policy.id),
                    ("month", ">=", MARCH),
                    ("month", "<=", APRIL),
                ],
                [],
                [
                    "stay_count:sum",
                    "reminders_per_stay:avg",
                    "breach_rate:avg",
                    "useless_reminder_rate:avg",
                ],
            )
        )
        self.assertEqual(stays, 5)
        self.assertAlmostEqual(per_stay, 4 / 5)
        self.assertAlmostEqual(breached, 100 * 3 / 5)
        self.assertAlmostEqual(useless, 100 * 2 / 3)
        flagged = (
            self.env[model]
            .with_user(self.director)
            .search([("useless_reminders", "=", True)])
        )
        self.assertEqual(flagged.policy_id, self.nagging_policy)

    def test_runs_log_what_they_assigned_and_left_waiting(self):
        # leads with an owner: no rule takes them when they are created
        leads = self._create_leads(3)
        # West's only rep already owns as many open leads as they may
        waiting_rule = self.env["sales.process.assignment.rule"].create(
            {
                "name": "West at capacity",
                "team_id": self.team_west.id,
                "member_ids": [
                    Command.create({"user_id": self.rep_west.id, "max_open": 1})
                ],
            }
        )
        self._create_leads(1, team_id=self.team_west.id, user_id=self.rep_west.id)
        waiting = self._create_leads(2)
        with freeze_time("2026-05-04 09:00:00"):
            self.round_robin._assign(leads)
            waiting_rule._assign(waiting)
            # run again, the waiting leads are not counted twice
            waiting_rule._assign(waiting)
        model = "sales.process.assignment.review.report"
        may = self._review(model, [("month", "=", MAY)])
        row = may[self.round_robin.id]
        self.assertEqual((row["assigned_count"], row["waiting_count"]), (3, 0))
        self.assertAlmostEqual(row["spread"], 0.0)
        row = may[waiting_rule.id]
        self.assertEqual(
            (row["matched_count"], row["assigned_count"], row["waiting_count"]),
            (2, 0, 2),
        )
        # the turns still count the records given to each rep
        self.assertEqual(
            self.round_robin.member_ids.mapped("assigned_count"), [1, 1, 1]
        )

    def test_reps_and_other_companies_do_not_review(self):
        self._log_runs(self.round_robin, "2026-03-03 10:00:00", {self.rep_a: 1})
        with self.assertRaises(AccessError):
            self.env["sales.process.assignment.review.report"].with_user(
                self.rep_east
            ).search([])
        with self.assertRaises(AccessError):
            self.env["sales.process.sla.review.report"].with_user(self.rep_east).search(
                []
            )
        company_b = self.env["res.company"].create({"name": "Review B"})
        manager_b = new_test_user(
            self.env,
            login="spa_review_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        for model in (
            "sales.process.assignment.review.report",
            "sales.process.sla.review.report",
        ):
            rows = self.env[model].with_user(manager_b).search([])
            self.assertFalse(rows.filtered(lambda row: row.company_id == self.company))
