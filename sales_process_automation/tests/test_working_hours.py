# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

from odoo.tests import freeze_time, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestWorkingHours(SalesProcessCommon):
    """The office calendar works Monday to Friday, 8:00-12:00 and 13:00-17:00 UTC."""

    def _hours_between(self, date_in, date_out, **lead_values):
        with freeze_time(date_in):
            lead = self._create_leads(1, **lead_values)
        with freeze_time(date_out):
            lead.stage_id = self.stages[1]
        return self._rows(lead).filtered("date_out")

    def test_weekend_is_not_working_time(self):
        # Friday 16:00 to Monday 10:00: one hour on Friday, two on Monday
        row = self._hours_between("2026-11-20 16:00:00", "2026-11-23 10:00:00")
        self.assertAlmostEqual(row.working_hours, 3.0)
        self.assertAlmostEqual(row.calendar_hours, 66.0)

    def test_public_holiday_is_not_working_time(self):
        self._add_public_holiday(date(2026, 11, 23))
        # Friday 16:00 to Tuesday 10:00 with Monday off: 1 + 2 hours
        row = self._hours_between("2026-11-20 16:00:00", "2026-11-24 10:00:00")
        self.assertAlmostEqual(row.working_hours, 3.0)
        self.assertAlmostEqual(row.calendar_hours, 90.0)

    def test_closure_of_the_team_calendar_is_not_working_time(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Team offsite",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 24, 8, 0),
                "date_to": datetime(2026, 11, 24, 12, 0),
            }
        )
        row = self._hours_between("2026-11-24 08:00:00", "2026-11-24 17:00:00")
        self.assertAlmostEqual(row.working_hours, 4.0)

    def test_time_outside_working_hours_counts_nothing(self):
        row = self._hours_between("2026-11-21 09:00:00", "2026-11-22 18:00:00")
        self.assertEqual(row.working_hours, 0.0)
        self.assertAlmostEqual(row.calendar_hours, 33.0)

    def test_calendar_in_another_time_zone(self):
        self.calendar.tz = "Asia/Shanghai"
        # 01:00-04:00 UTC is 9:00-12:00 in Shanghai
        row = self._hours_between("2026-11-24 01:00:00", "2026-11-24 04:00:00")
        self.assertAlmostEqual(row.working_hours, 3.0)

    def test_several_weeks(self):
        # three full weeks of 40 hours
        row = self._hours_between("2026-11-02 00:00:00", "2026-11-23 00:00:00")
        self.assertAlmostEqual(row.working_hours, 120.0)

    def test_new_public_holiday_applies_to_later_changes(self):
        before = self._hours_between("2026-11-20 16:00:00", "2026-11-24 10:00:00")
        self._add_public_holiday(date(2026, 11, 23))
        after = self._hours_between("2026-11-20 16:00:00", "2026-11-24 10:00:00")
        self.assertAlmostEqual(before.working_hours, 11.0)
        self.assertAlmostEqual(after.working_hours, 3.0)

    def test_changed_working_hours_apply_to_later_changes(self):
        before = self._hours_between("2026-11-24 08:00:00", "2026-11-24 17:00:00")
        self.calendar.attendance_ids.filtered(
            lambda attendance: attendance.day_period == "afternoon"
        ).unlink()
        after = self._hours_between("2026-11-24 08:00:00", "2026-11-24 17:00:00")
        self.assertAlmostEqual(before.working_hours, 8.0)
        self.assertAlmostEqual(after.working_hours, 4.0)
