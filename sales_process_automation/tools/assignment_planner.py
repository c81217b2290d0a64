# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who of a rule's reps gets each record: round-robin, least load or weighted
turns among the reps at work, under their capacity.

Plain values in and out: the assignment rule reads the reps, their load and
their turns, and writes the plan.
"""

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    """A rep line of a rule: ``key`` is the line's id, ``user`` its user's."""

    key: int
    user: int
    sequence: int = 10
    weight: float = 1.0
    # open records the rep may hold at most; 0 for no limit
    max_open: int = 0


def turn_key(method, rep, turns, load):
    """Sort key of a rep: the lowest gets the next record. Ties go to the
    rep line first in sequence, then created first."""
    if method == "least_load":
        return (load[rep.user], turns[rep.key], rep.sequence, rep.key)
    if method == "weighted":
        return ((turns[rep.key] + 1) / rep.weight, rep.sequence, rep.key)
    return (turns[rep.key], rep.sequence, rep.key)


def plan_assignment(records, reps, method, working, load, turns, excluded):
    """Give each of ``records`` (ids, in order) to one of ``reps``.

    ``working``: the user ids at work today; ``load``: open records by user
    id, ``turns``: records given so far by rep key, both updated as records
    are given; ``excluded``: the user id that must not get a record, by record
    id. Returns ``({record: (rep, reps eligible)}, {rep key: records given})``;
    a record no rep can take gets ``(None, 0)``.
    """
    plan = {}
    given = defaultdict(int)
    for record in records:
        eligible = [
            rep
            for rep in reps
            if rep.user in working
            and (not rep.max_open or load[rep.user] < rep.max_open)
            and excluded.get(record) != rep.user
        ]
        if not eligible:
            plan[record] = (None, 0)
            continue
        rep = min(eligible, key=lambda rep: turn_key(method, rep, turns, load))
        turns[rep.key] += 1
        given[rep.key] += 1
        load[rep.user] += 1
        plan[record] = (rep, len(eligible))
    return plan, given
