# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.tests import BaseCase, tagged

from odoo.addons.sales_process_automation.tools.sla_sweep import sweep_steps

FIRST_REMINDER, SECOND_REMINDER = 11, 12


def _at(hour):
    return datetime(2026, 11, 16, hour)


@tagged("post_install", "-at_install")
class TestSlaSweepSteps(BaseCase):
    """The decisions of the SLA sweep on a row's schedule, without the ORM: a
    reminder at 9:00 and 11:00, at risk at 10:00, breached at 12:00."""

    def setUp(self):
        super().setUp()
        self.schedule = [
            (_at(9), "reminder", FIRST_REMINDER),
            (_at(10), "at_risk", False),
            (_at(11), "reminder", SECOND_REMINDER),
            (_at(12), "breach", False),
        ]

    def _sweep(self, hour, done=(), quiet=False, breached=False):
        return sweep_steps(self.schedule, set(done), _at(hour), quiet, breached)

    def test_nothing_due_before_the_first_step(self):
        self.assertEqual(self._sweep(8), ([], _at(9)))

    def test_a_step_is_due_at_its_moment(self):
        steps, next_check = self._sweep(9)
        self.assertEqual(steps, [(_at(9), "reminder", FIRST_REMINDER, False)])
        self.assertEqual(next_check, _at(10))

    def test_a_logged_step_is_not_due_again(self):
        steps, next_check = self._sweep(10, done={("reminder", FIRST_REMINDER)})
        self.assertEqual(steps, [(_at(10), "at_risk", False, False)])
        self.assertEqual(next_check, _at(11))

    def test_only_the_latest_of_the_reminders_fallen_due_is_sent(self):
        steps, next_check = self._sweep(11)
        self.assertEqual(
            steps,
            [
                (_at(9), "reminder", FIRST_REMINDER, True),
                (_at(10), "at_risk", False, False),
                (_at(11), "reminder", SECOND_REMINDER, False),
            ],
        )
        self.assertEqual(next_check, _at(12))

    def test_reminders_off_skip_the_reminders_not_the_breach(self):
        steps, next_check = self._sweep(12, quiet=True)
        self.assertEqual(
            [(kind, skipped) for _moment, kind, _reminder, skipped in steps],
            [
                ("reminder", True),
                ("at_risk", False),
                ("reminder", True),
                ("breach", False),
            ],
        )
        self.assertIsNone(next_check)

    def test_a_row_already_breached_is_not_escalated_again(self):
        done = {("reminder", FIRST_REMINDER), ("reminder", SECOND_REMINDER)}
        steps, _next_check = self._sweep(12, done=done, breached=True)
        self.assertEqual(
            steps,
            [(_at(10), "at_risk", False, True), (_at(12), "breach", False, True)],
        )
