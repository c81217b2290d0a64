# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.tests import BaseCase, tagged

from odoo.addons.sales_process_automation.tools.working_timeline import (
    WorkingTimeline,
)


def _at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute)


@tagged("post_install", "-at_install")
class TestWorkingTimeline(BaseCase):
    """Working time over the intervals of an office open 8:00-12:00 and
    13:00-17:00 on Monday 16 and Tuesday 17 November 2026, without the ORM."""

    def setUp(self):
        super().setUp()
        self.timeline = WorkingTimeline(
            [
                (_at(day, start), _at(day, stop))
                for day in (16, 17)
                for start, stop in ((8, 12), (13, 17))
            ]
        )

    def test_hours_between_skip_lunch_and_night(self):
        self.assertEqual(self.timeline.hours_between(_at(16, 9), _at(16, 11)), 2.0)
        # 11:00-12:00 and 13:00-14:00
        self.assertEqual(self.timeline.hours_between(_at(16, 11), _at(16, 14)), 2.0)
        # 16:00-17:00, then 8:00-9:30 the next day
        self.assertEqual(self.timeline.hours_between(_at(16, 16), _at(17, 9, 30)), 2.5)
        # from before the first interval, and to after the last one
        self.assertEqual(self.timeline.hours_between(_at(15, 20), _at(18, 9)), 16.0)

    def test_hours_between_a_stop_before_its_start_is_nothing(self):
        self.assertEqual(self.timeline.hours_between(_at(17, 10), _at(16, 10)), 0.0)
        self.assertEqual(self.timeline.hours_between(_at(16, 12), _at(16, 13)), 0.0)

    def test_moment_after_working_hours(self):
        self.assertEqual(self.timeline.moment_after(_at(16, 9), 2), _at(16, 11))
        # the lunch break is skipped
        self.assertEqual(self.timeline.moment_after(_at(16, 11), 2), _at(16, 14))
        # the night is skipped; a start outside the hours counts from the next
        self.assertEqual(self.timeline.moment_after(_at(16, 16), 1.5), _at(17, 8, 30))
        self.assertEqual(self.timeline.moment_after(_at(16, 12, 30), 1), _at(16, 14))

    def test_moment_after_beyond_the_intervals_is_unknown(self):
        self.assertIsNone(self.timeline.moment_after(_at(17, 9), 9))
        self.assertIsNone(WorkingTimeline([]).moment_after(_at(16, 9), 1))
        self.assertEqual(
            WorkingTimeline([]).hours_between(_at(16, 9), _at(16, 10)), 0.0
        )
