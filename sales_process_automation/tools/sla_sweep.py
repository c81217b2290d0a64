# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the SLA sweep does with the schedule of a stage row.

Plain values in and out: a schedule is a list of ``(moment, kind, reminder)``
steps, ``kind`` being ``"reminder"``, ``"at_risk"`` or ``"breach"`` and
``reminder`` the reminder of a reminder step (an id; empty for the others).
The stage history reads the rows and their logged events, and writes the
events, statuses and notifications this decides.
"""


def sweep_steps(schedule, done, now, quiet, breached):
    """The steps of a row due at ``now``, each sent or skipped, and the
    moment of its next check.

    - ``done``: the ``(kind, reminder)`` steps already logged: a sweep run
      twice does nothing twice.
    - ``quiet``: the row's reminders are off (excluded, or an approved
      extension): its reminders are skipped, not its breach.
    - ``breached``: the row is already breached (before a pause): its status
      steps are not notified again.
    - Reminders fallen due one after the other before this sweep (it was
      stopped, or the module just installed): only the latest ones are sent,
      the earlier ones are skipped.

    Returns ``(due, next_check)``: ``due`` lists ``(moment, kind, reminder,
    skipped)`` in the schedule's order; ``next_check`` is the moment of the
    first step still ahead, None when none is.
    """
    upcoming, due = [], []
    for moment, kind, reminder in schedule:
        if (kind, reminder) in done:
            continue
        if moment > now:
            upcoming.append(moment)
        else:
            due.append((moment, kind, reminder))
    latest = max(
        (moment for moment, kind, _reminder in due if kind == "reminder"),
        default=None,
    )
    steps = [
        (
            moment,
            kind,
            reminder,
            (kind == "reminder" and (quiet or moment < latest))
            or (kind != "reminder" and breached),
        )
        for moment, kind, reminder in due
    ]
    return steps, min(upcoming, default=None)
