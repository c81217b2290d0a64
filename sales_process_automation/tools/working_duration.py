# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working hours told in working days and hours ("2 d 3 h").

A working day is the hours per day of the working hours in force (the team's,
else the company's). The web client formats the same way (the
``sales_process_working_duration`` field widget and formatter).
"""


def split_working_duration(hours, hours_per_day):
    """``(days, hours, minutes)`` of ``hours`` working hours, rounded to the
    hour from a day on, to the minute below an hour."""
    hours = max(hours or 0.0, 0.0)
    if hours < 1:
        return 0, 0, round(hours * 60)
    per_day = hours_per_day or 8.0
    days = int(hours // per_day)
    rest = round(hours - days * per_day)
    if rest >= per_day:
        days, rest = days + 1, 0
    return days, rest, 0


def format_working_duration(env, hours, hours_per_day):
    """``hours`` working hours as "2 d 3 h", "5 h" or "40 min"."""
    days, rest, minutes = split_working_duration(hours, hours_per_day)
    if minutes or not (days or rest):
        return env._("%(minutes)s min", minutes=minutes)
    if not days:
        return env._("%(hours)s h", hours=rest)
    if not rest:
        return env._("%(days)s d", days=days)
    return env._("%(days)s d %(hours)s h", days=days, hours=rest)
