# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from pytz import utc

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import ormcache

from ..tools.working_timeline import WorkingTimeline


class SalesProcessWorkingHoursMixin(models.AbstractModel):
    """Working time in the calendars of the stage rows: the hours between two
    moments, the moment some hours later. The work intervals of a calendar are
    read once a month and kept in the registry cache.
    """

    _name = "sales.process.working.hours.mixin"
    _description = "Working Hours of Stage Rows"

    @api.model
    def _add_durations(self, vals_list):
        """Set the time spent on the values of closed rows that lack it."""
        closed = [
            vals
            for vals in vals_list
            if vals.get("date_out") and "working_hours" not in vals
        ]
        periods = [
            (
                vals.get("resource_calendar_id"),
                fields.Datetime.to_datetime(vals["date_in"]),
                fields.Datetime.to_datetime(vals["date_out"]),
            )
            for vals in closed
        ]
        for vals, (_calendar_id, date_in, date_out), working_hours in zip(
            closed, periods, self._working_hours(periods), strict=True
        ):
            vals["working_hours"] = working_hours
            vals["calendar_hours"] = (date_out - date_in).total_seconds() / 3600

    @api.model
    def _working_hours(self, periods):
        """Working hours of each ``(calendar_id, start, stop)`` period, in order.

        Without a calendar, every hour counts. Periods of the same calendar
        and months share one timeline: an import of many rows builds a few.
        """
        hours = []
        timelines = {}
        for calendar_id, start, stop in periods:
            if calendar_id:
                key = (calendar_id, start.year, start.month, stop.year, stop.month)
                timeline = timelines.get(key)
                if timeline is None:
                    timeline = timelines[key] = WorkingTimeline(
                        self._work_intervals(calendar_id, start, stop)
                    )
                hours.append(timeline.hours_between(start, stop))
            else:
                hours.append((stop - start).total_seconds() / 3600)
        return hours

    @api.model
    def _work_intervals(self, calendar_id, start, stop):
        """Work intervals of a calendar, in UTC, for the months covering a period."""
        month = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        intervals = []
        while month <= stop:
            intervals += self._work_intervals_of_month(calendar_id, month)
            month += relativedelta(months=1)
        return intervals

    @api.model
    @ormcache("calendar_id", "month")
    def _work_intervals_of_month(self, calendar_id, month):
        """Work intervals of a calendar in one month, in naive UTC.

        Odoo subtracts the calendar's closures and public holidays (leaves
        without resource). Kept in the registry cache, cleared when working
        hours, closures or public holidays change, so that a stage change does
        not read the calendar again.
        """
        start = utc.localize(month)
        stop = start + relativedelta(months=1)
        # sudo: cached for everyone, the intervals must not depend on who asks first
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        return tuple(
            (
                begin.astimezone(utc).replace(tzinfo=None),
                end.astimezone(utc).replace(tzinfo=None),
            )
            for begin, end, _meta in calendar._work_intervals_batch(start, stop)[False]
        )

    @api.model
    def _plan(self, calendar_id, start, hours):
        """The moment ``hours`` working hours after ``start``."""
        if not calendar_id:
            return start + timedelta(hours=hours)
        months = 2
        while months <= 48:
            timeline = WorkingTimeline(
                self._work_intervals(
                    calendar_id, start, start + relativedelta(months=months)
                )
            )
            moment = timeline.moment_after(start, hours)
            if moment:
                return moment
            months *= 2
        raise UserError(
            self.env._(
                "The working hours %(calendar)s have no working time in the next "
                "four years: no stage deadline can be planned with them.",
                calendar=self.env["resource.calendar"].browse(calendar_id).display_name,
            )
        )
