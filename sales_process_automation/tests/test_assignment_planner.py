# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter, defaultdict

from odoo.tests import BaseCase, tagged

from odoo.addons.sales_process_automation.tools.assignment_planner import (
    Rep,
    plan_assignment,
)

ANNA, BORIS, CHEN = 101, 102, 103


@tagged("post_install", "-at_install")
class TestAssignmentPlanner(BaseCase):
    """The choice of reps, on plain values, without the ORM."""

    def setUp(self):
        super().setUp()
        self.reps = [
            Rep(key=1, user=ANNA, sequence=1),
            Rep(key=2, user=BORIS, sequence=2),
            Rep(key=3, user=CHEN, sequence=3),
        ]

    def _plan(self, records, method="round_robin", **values):
        values = {
            "working": {ANNA, BORIS, CHEN},
            "load": defaultdict(int),
            "turns": {rep.key: 0 for rep in self.reps},
            "excluded": {},
            **values,
        }
        plan, given = plan_assignment(
            records,
            self.reps,
            method,
            values["working"],
            values["load"],
            values["turns"],
            values["excluded"],
        )
        users = {
            record: rep.user if rep else None for record, (rep, _n) in plan.items()
        }
        return users, given, plan

    def test_round_robin_in_turn_from_the_fewest_turns(self):
        users, given, _plan = self._plan(range(6))
        self.assertEqual(
            [users[record] for record in range(6)],
            [ANNA, BORIS, CHEN, ANNA, BORIS, CHEN],
        )
        self.assertEqual(dict(given), {1: 2, 2: 2, 3: 2})
        # the turns of earlier runs count; a tie goes to the first in sequence
        users, _given, _plan = self._plan(range(3), turns={1: 2, 2: 1, 3: 0})
        self.assertEqual([users[record] for record in range(3)], [CHEN, BORIS, CHEN])

    def test_least_load_first_then_turns(self):
        load = defaultdict(int, {ANNA: 3, BORIS: 1, CHEN: 1})
        users, _given, _plan = self._plan(range(4), "least_load", load=load)
        self.assertEqual(
            [users[record] for record in range(4)], [BORIS, CHEN, BORIS, CHEN]
        )
        # the load is updated as records are given
        self.assertEqual(dict(load), {ANNA: 3, BORIS: 3, CHEN: 3})

    def test_weighted_shares_follow_the_weights(self):
        self.reps = [
            Rep(key=1, user=ANNA, sequence=1, weight=2.0),
            Rep(key=2, user=BORIS, sequence=2, weight=1.0),
        ]
        users, _given, _plan = self._plan(range(300), "weighted")
        self.assertEqual(Counter(users.values()), {ANNA: 200, BORIS: 100})

    def test_only_reps_at_work_under_capacity_and_not_excluded(self):
        self.reps[0] = Rep(key=1, user=ANNA, sequence=1, max_open=1)
        users, given, plan = self._plan(
            range(4),
            working={ANNA, BORIS},
            excluded={1: BORIS},
        )
        # Chen is not at work; Boris may not take record 1; Anna takes one
        self.assertEqual(users, {0: ANNA, 1: None, 2: BORIS, 3: BORIS})
        self.assertEqual(plan[1], (None, 0))
        self.assertEqual(plan[2][1], 1)
        self.assertEqual(dict(given), {1: 1, 2: 2})

    def test_nobody_available_gives_nothing(self):
        users, given, _plan = self._plan(range(2), working=set())
        self.assertEqual(users, {0: None, 1: None})
        self.assertFalse(given)
