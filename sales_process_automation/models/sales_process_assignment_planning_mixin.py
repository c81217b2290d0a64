# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.tools import ormcache

from ..tools.assignment_planner import Rep, plan_assignment


class SalesProcessAssignmentPlanningMixin(models.AbstractModel):
    """Who of an assignment rule's reps gets each record: reads the reps at
    work, their open load and their turns, and lets
    ``tools.assignment_planner`` choose. Inherited by the assignment rules.
    """

    _name = "sales.process.assignment.planning.mixin"
    _description = "Assignment Rule Planning"

    def _candidate_users(self):
        users = self.env["res.users"]
        for rule in self:
            users |= (
                rule.user_id if rule.method == "fixed" else rule._candidates().user_id
            )
        return users

    def _availability(self):
        """Who of the rules' reps works today, and the open load of each.

        ``(user ids, {user id: open records})``, read once for all the rules:
        the plans then update the load as they assign.
        """
        users = self._candidate_users()
        working = self._users_working_today(users, fields.Datetime.now())
        return working, self[:1]._open_load(users)

    def _plan_assignment(self, records, excluded=None, availability=None):
        """Who each record goes to: ``{record id: (user, reason)}``.

        Nothing is written: ``_assign`` applies the plan, and the turns it
        returns (``{member id: records given in this plan}``), added to the
        turns of the rule's reps. ``excluded`` maps a record id
        to a user who must not get it (the rep who did not contact it);
        ``availability`` is the rules' ``_availability()``, read when not given.
        """
        self.ensure_one()
        excluded = excluded or {}
        working, load = availability or self._availability()
        if self.method == "fixed":
            plan = {}
            for record in records:
                if not self.user_id.active:
                    plan[record.id] = (
                        self.env["res.users"],
                        self.env._("%(user)s is archived", user=self.user_id.name),
                    )
                elif (
                    self.user_id.id in working
                    and excluded.get(record.id) != self.user_id
                ):
                    plan[record.id] = (self.user_id, self.env._("fixed assignment"))
                else:
                    plan[record.id] = (
                        self.env["res.users"],
                        self.env._(
                            "%(user)s is not working today", user=self.user_id.name
                        ),
                    )
            return plan, {}
        members = self._candidates()
        # sudo: the turns are the rule's bookkeeping, read whoever assigns
        turns = self.env["sales.process.assignment.turn"].sudo()._counts(members)
        method = dict(self._fields["method"]._description_selection(self.env))[
            self.method
        ].lower()
        chosen, given = plan_assignment(
            [record.id for record in records],
            [
                Rep(
                    key=member.id,
                    user=member.user_id.id,
                    sequence=member.sequence,
                    weight=member.weight,
                    max_open=member.max_open,
                )
                for member in members
            ],
            self.method,
            working,
            load,
            turns,
            {record_id: user.id for record_id, user in excluded.items()},
        )
        member_of = {member.id: member for member in members}
        plan = {}
        for record in records:
            rep, eligible = chosen[record.id]
            if not rep:
                plan[record.id] = (
                    self.env["res.users"],
                    self.env._(
                        "no rep is available: every rep is on leave, not working "
                        "today or at capacity"
                    ),
                )
                continue
            plan[record.id] = (
                member_of[rep.key].user_id,
                self.env._(
                    "%(method)s among %(count)s available reps",
                    method=method,
                    count=eligible,
                ),
            )
        return plan, given

    def _open_load(self, users):
        """Open records each user owns: a defaultdict by user id (one query)."""
        model = self.env[self.res_model]
        groups = model._read_group(
            [("user_id", "in", users.ids), *model._assignment_open_domain()],
            ["user_id"],
            ["__count"],
        )
        load = defaultdict(int)
        load.update({user.id: count for user, count in groups})
        return load

    @api.model
    def _users_working_today(self, users, now):
        """Ids of the users who work at some time of their current day.

        Each user's working hours (their resource's, else their company's)
        and leaves, public holidays included, are counted.
        """
        by_calendar = defaultdict(list)
        for user in users:
            resource = user.resource_ids[:1]
            calendar = resource.calendar_id or user.company_id.resource_calendar_id
            by_calendar[calendar].append((user, resource))
        working = set()
        for calendar, pairs in by_calendar.items():
            if not calendar:
                working.update(user.id for user, _resource in pairs)
                continue
            day = utc.localize(now).astimezone(timezone(calendar.tz or "UTC")).date()
            resources = self.env["resource.resource"].union(
                *(resource for _user, resource in pairs)
            )
            at_work = self._resources_working_on(
                calendar.id,
                day,
                tuple(sorted((resource.id, resource.tz) for resource in resources)),
            )
            working.update(
                user.id for user, resource in pairs if resource.id in at_work
            )
        return working

    @api.model
    @ormcache("calendar_id", "day", "resources")
    def _resources_working_on(self, calendar_id, day, resources):
        """Ids of the ``resources`` (``(id, time zone)`` pairs) who work at some
        time of ``day`` in the calendar, ``False`` for a user without resource.

        Kept in the registry cache, cleared when working hours, closures or
        leaves change, so that an assignment does not read the calendar again.
        """
        # sudo: cached for everyone, the answer must not depend on who asks first
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        tz = timezone(calendar.tz or "UTC")
        start = tz.localize(datetime.combine(day, time.min))
        intervals = calendar._work_intervals_batch(
            start,
            start + timedelta(days=1),
            resources=calendar.env["resource.resource"].browse(
                [resource_id for resource_id, _tz in resources]
            ),
        )
        return frozenset(
            resource_id for resource_id, found in intervals.items() if found
        )
