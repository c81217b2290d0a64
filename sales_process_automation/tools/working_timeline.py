# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working time between two moments, and the moment after some working time,
over the work intervals of a calendar (from ``resource.calendar``)."""

from bisect import bisect_left, bisect_right
from datetime import timedelta
from itertools import accumulate


class WorkingTimeline:
    """Working seconds elapsed since the start of sorted work intervals.

    The working time of a period is then found by bisection.
    """

    def __init__(self, intervals):
        self.starts = [start for start, _stop in intervals]
        self.stops = [stop for _start, stop in intervals]
        durations = [(stop - start).total_seconds() for start, stop in intervals]
        self.before = [0.0, *accumulate(durations)]

    def _elapsed(self, moment):
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0.0
        inside = min(moment, self.stops[index]) - self.starts[index]
        return self.before[index] + inside.total_seconds()

    def hours_between(self, start, stop):
        return max(self._elapsed(stop) - self._elapsed(start), 0.0) / 3600.0

    def moment_after(self, start, hours):
        """When ``hours`` working hours have passed since ``start``, if covered."""
        target = self._elapsed(start) + hours * 3600
        if not self.starts or target > self.before[-1]:
            return None
        index = max(bisect_left(self.before, target) - 1, 0)
        return self.starts[index] + timedelta(seconds=target - self.before[index])
