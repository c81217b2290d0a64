# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from markupsafe import Markup
from pytz import timezone, utc

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, ormcache
from odoo.tools.safe_eval import safe_eval

from ..tools.assignment_planner import Rep, plan_assignment
from ..tools.cron_cursor import process_in_batches

ASSIGNMENT_MODELS = [
    ("crm.lead", "Leads/Opportunities"),
    ("helpdesk.ticket", "Helpdesk Tickets"),
]
METHODS = [
    ("fixed", "A Fixed Person"),
    ("round_robin", "Round-Robin"),
    ("least_load", "Least Open Load"),
    ("weighted", "Weighted"),
]
# where the location of a document is, per model
LOCATION_PREFIX = {"crm.lead": "", "helpdesk.ticket": "partner_id."}


class SalesProcessAssignmentRule(models.Model):
    """Which team and rep a new lead or ticket goes to, and why."""

    _name = "sales.process.assignment.rule"
    _description = "Assignment Rule"
    _inherit = [
        "sales.process.admin.alert.mixin",
        "sales.process.cached.config.mixin",
    ]
    _order = "res_model, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to apply the rule in every company.",
    )
    res_model = fields.Selection(
        ASSIGNMENT_MODELS,
        string="Applies To",
        required=True,
        default="crm.lead",
        tracking=True,
    )

    # conditions: all set ones must hold
    tag_ids = fields.Many2many("crm.tag", string="Lead Tags")
    helpdesk_tag_ids = fields.Many2many("helpdesk.ticket.tag", string="Ticket Tags")
    tag_match = fields.Selection(
        [("any", "Any of the Tags"), ("all", "All the Tags")],
        default="any",
        required=True,
    )
    source_ids = fields.Many2many("utm.source", string="Sources")
    medium_ids = fields.Many2many("utm.medium", string="Media")
    campaign_ids = fields.Many2many("utm.campaign", string="Campaigns")
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many("res.country.state", string="States")
    cities = fields.Char(
        help="City names separated by commas, e.g. Beijing, Shanghai; the case "
        "does not matter.",
    )
    match_team_ids = fields.Many2many(
        "crm.team",
        "sales_process_assignment_rule_match_team_rel",
        string="Current Sales Teams",
        help="Only for leads already in one of these teams.",
    )
    match_helpdesk_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        "sales_process_assignment_rule_match_helpdesk_team_rel",
        string="Current Helpdesk Teams",
        help="Only for tickets already in one of these teams.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Only for customers with at least one of these tags (industry, size, "
        "intent grade...).",
    )
    domain = fields.Char(
        string="Extra Condition",
        default="[]",
        help="Only for records matching this condition.",
    )
    scope_domain = fields.Char(
        compute="_compute_scope_domain",
        help="The records the rule's other conditions select: its extra "
        "condition is counted among them.",
    )

    # target
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", check_company=True
    )
    method = fields.Selection(
        METHODS, required=True, default="round_robin", tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Person",
        domain=[("share", "=", False)],
        tracking=True,
        help="The person a fixed assignment goes to.",
    )
    member_ids = fields.One2many(
        "sales.process.assignment.member",
        "rule_id",
        string="Reps",
        copy=True,
        help="Who the rule assigns to; the team's members when empty.",
    )
    reassign = fields.Boolean(
        string="Reassign Owned Records",
        help="Also assign records that already have an owner.",
    )
    notify_assignee = fields.Boolean(
        default=True,
        help="The assignee gets a to-do activity and a notification.",
    )
    activity_plan_id = fields.Many2one(
        "mail.activity.plan",
        string="Follow-up Playbook",
        domain="[('res_model', '=', res_model)]",
        help="Activity plan launched on the records the rule assigns.",
    )

    # first contact
    first_contact_hours = fields.Float(
        aggregator=None,
        string="Contact Within (Working Hours)",
        help="Escalate when the assignee has not contacted the customer within "
        "these working hours of the team; 0 turns it off.",
    )
    contact_by_activity = fields.Boolean(string="An Activity Done Counts", default=True)
    contact_by_email = fields.Boolean(string="An Email Sent Counts", default=True)
    contact_by_stage = fields.Boolean(string="A Stage Change Counts", default=True)
    escalate_to_team_leader = fields.Boolean(default=True)
    escalation_user_ids = fields.Many2many(
        "res.users",
        "sales_process_assignment_rule_escalation_user_rel",
        string="Escalate To",
        domain=[("share", "=", False)],
        help="Users told when a record was not contacted in time, e.g. the sales "
        "director.",
    )
    reassign_on_no_contact = fields.Boolean(
        string="Reassign When Not Contacted",
        help="Give the record to the next rep of the rule when it was not "
        "contacted in time.",
    )

    @api.constrains("domain", "res_model")
    def _check_domain(self):
        for rule in self:
            try:
                self.env[rule.res_model].search_count(rule._extra_domain(), limit=1)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the condition %(domain)s is not a valid "
                        "domain on %(model)s: %(error)s",
                        rule=rule.name,
                        domain=rule.domain,
                        model=rule.res_model,
                        error=error,
                    )
                ) from error

    @api.constrains("method", "user_id", "team_id", "helpdesk_team_id", "member_ids")
    def _check_target(self):
        for rule in self:
            team = rule._target_team()
            if rule.method == "fixed":
                if not rule.user_id:
                    raise ValidationError(
                        self.env._(
                            "Rule %(rule)s: choose the person it assigns to.",
                            rule=rule.name,
                        )
                    )
                if not rule.user_id.active:
                    raise ValidationError(
                        self.env._(
                            "Rule %(rule)s: %(user)s is archived and cannot be "
                            "assigned records.",
                            rule=rule.name,
                            user=rule.user_id.name,
                        )
                    )
                continue
            if not team:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: choose the team whose reps it assigns to.",
                        rule=rule.name,
                    )
                )
            users = rule.member_ids.user_id or rule._team_members()
            if not users.filtered("active"):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the team %(team)s has no active member to "
                        "assign to. Add members to the team or reps to the rule.",
                        rule=rule.name,
                        team=team.display_name,
                    )
                )

    @api.constrains("first_contact_hours")
    def _check_first_contact_hours(self):
        for rule in self:
            if rule.first_contact_hours < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the first contact delay cannot be negative.",
                        rule=rule.name,
                    )
                )

    def _extra_domain(self):
        self.ensure_one()
        return Domain(safe_eval(self.domain or "[]"))

    def _sales_process_stored_domain(self):
        return self._extra_domain()

    def _target_team(self):
        self.ensure_one()
        if self.res_model == "helpdesk.ticket":
            return self.helpdesk_team_id
        return self.team_id

    def _team_members(self):
        team = self._target_team()
        if self.res_model == "helpdesk.ticket":
            return team.user_ids
        return team.member_ids

    def _candidates(self):
        """Member lines of the rule: its own, else one per team member."""
        self.ensure_one()
        if self.method == "fixed":
            return self.env["sales.process.assignment.member"]
        if self.member_ids:
            return self.member_ids.filtered(lambda member: member.user_id.active)
        return self.env["sales.process.assignment.member"]

    def _sync_members_from_team(self):
        """Rules without reps take the team's members, so that their turns are kept."""
        for rule in self.filtered(
            lambda rule: rule.method != "fixed" and not rule.member_ids
        ):
            rule.member_ids = [
                Command.create({"user_id": user.id})
                for user in rule._team_members().filtered("active")
            ]

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._sync_members_from_team()
        return rules

    def write(self, vals):
        result = super().write(vals)
        if vals.keys() & {"team_id", "helpdesk_team_id", "method", "member_ids"}:
            self._sync_members_from_team()
        return result

    def _condition_parts(self):
        """The rule's conditions: ``[(kind, words, domain)]``, each domain on the
        rule's model; ``kind`` is ``extra`` for the extra condition, ``company``
        for the rule's company, ``field`` for the others."""
        self.ensure_one()
        location = LOCATION_PREFIX[self.res_model]
        parts = []
        tags = (
            self.helpdesk_tag_ids
            if self.res_model == "helpdesk.ticket"
            else self.tag_ids
        )
        if tags and self.tag_match == "all":
            parts.append(
                (
                    "field",
                    self.env._(
                        "tags: all of %(tags)s", tags=", ".join(tags.mapped("name"))
                    ),
                    Domain.AND(
                        Domain("tag_ids", "in", tag._origin.ids) for tag in tags
                    ),
                )
            )
        elif tags:
            parts.append(
                (
                    "field",
                    self.env._(
                        "tags: any of %(tags)s", tags=", ".join(tags.mapped("name"))
                    ),
                    Domain("tag_ids", "in", tags._origin.ids),
                )
            )
        if self.res_model == "crm.lead":
            fields_values = [
                (self.env._("source"), "source_id", self.source_ids),
                (self.env._("medium"), "medium_id", self.medium_ids),
                (self.env._("campaign"), "campaign_id", self.campaign_ids),
            ]
        else:
            fields_values = []
        fields_values += [
            (self.env._("country"), f"{location}country_id", self.country_ids),
            (self.env._("state"), f"{location}state_id", self.state_ids),
            (
                self.env._("team"),
                "team_id",
                self.match_helpdesk_team_ids
                if self.res_model == "helpdesk.ticket"
                else self.match_team_ids,
            ),
            (
                self.env._("customer tags"),
                "partner_id.category_id",
                self.partner_category_ids,
            ),
        ]
        for label, field_name, values in fields_values:
            if values:
                parts.append(
                    (
                        "field",
                        f"{label}: {', '.join(values.mapped('display_name'))}",
                        Domain(field_name, "in", values._origin.ids),
                    )
                )
        if cities := self._city_names():
            parts.append(
                (
                    "field",
                    self.env._("city: %(cities)s", cities=", ".join(cities)),
                    Domain.OR(
                        Domain(f"{location}city", "=ilike", city) for city in cities
                    ),
                )
            )
        extra = self._extra_domain()
        if not extra.is_true():
            parts.append(
                (
                    "extra",
                    self.env._("condition: %(domain)s", domain=self.domain),
                    extra,
                )
            )
        if self.company_id:
            parts.append(
                (
                    "company",
                    self.env._("company: %(company)s", company=self.company_id.name),
                    Domain("company_id", "in", [self.company_id._origin.id, False]),
                )
            )
        return parts

    def _condition_domain(self):
        """The rule's conditions as a domain on its model."""
        return Domain.AND(domain for _kind, _words, domain in self._condition_parts())

    def _scope_domain(self):
        """The rule's conditions but its extra condition: the records that
        condition is counted among."""
        return Domain.AND(
            domain
            for kind, _words, domain in self._condition_parts()
            if kind != "extra"
        )

    @api.depends(
        "res_model",
        "tag_ids",
        "helpdesk_tag_ids",
        "tag_match",
        "source_ids",
        "medium_ids",
        "campaign_ids",
        "country_ids",
        "state_ids",
        "cities",
        "match_team_ids",
        "match_helpdesk_team_ids",
        "partner_category_ids",
        "company_id",
    )
    def _compute_scope_domain(self):
        for rule in self:
            rule.scope_domain = repr(rule._scope_domain())

    def _city_names(self):
        self.ensure_one()
        return [city.strip() for city in (self.cities or "").split(",") if city.strip()]

    def _explain(self):
        """The rule's conditions in words, for the chatter and the rule test."""
        self.ensure_one()
        return "; ".join(
            words
            for kind, words, _domain in self._condition_parts()
            if kind != "company"
        ) or self.env._("no condition: every record matches")

    @api.model
    def _match(self, records):
        """The first active rule each record matches, in rule order: a dict.

        One query for the rules and one for all their conditions, which are
        kept in the registry cache: a lead created costs no read of the rules'
        tags, sources or countries.
        """
        if not records:
            return {}
        # what the assignment and the note of a kept record read next
        rules = self.search_fetch(
            [("res_model", "=", records._name)],
            [
                "name",
                "res_model",
                "reassign",
                "method",
                "team_id",
                "helpdesk_team_id",
                "user_id",
            ],
        )
        conditions = []
        for rule in rules:
            domain = self._match_condition(rule.id)
            if domain is None:
                # flags the rule and tells the administrators, once
                rule._sales_process_valid_domain(records)
                continue
            conditions.append(
                (rule, records._search(Domain("id", "in", records.ids) & domain))
            )
        if not conditions:
            return {}
        # the records computed and written in full: a new record is written
        # once, not once here and again for the fields the query leaves
        records.flush_recordset()
        [found] = self.env.execute_query(
            SQL(
                "SELECT %s",
                SQL(", ").join(
                    SQL("ARRAY(%s)", query.select()) for _rule, query in conditions
                ),
            )
        )
        matched = {}
        for (rule, _query), ids in zip(conditions, found, strict=True):
            for record_id in ids:
                matched.setdefault(record_id, rule)
        return matched

    @api.model
    @ormcache("rule_id")
    def _match_condition(self, rule_id):
        """The conditions of the rule as a domain on its model, or None when
        its extra condition is no longer valid there.

        Kept in the registry cache, cleared when a rule changes.
        """
        # sudo: cached for everyone, the conditions must not depend on who
        # asks first
        rule = self.sudo().with_context(active_test=True).browse(rule_id)
        try:
            rule._extra_domain().validate(self.env[rule.res_model])
        except Exception:  # noqa: BLE001 - _match flags the rule and skips it
            return None
        return rule._condition_domain()

    # ------------------------------------------------------------------
    # Choosing reps
    # ------------------------------------------------------------------

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

    def _reps_report(self, availability):
        """What a plan weighs for each rep of the rule, now: ``[(rep, works
        today, open records, capacity, records given, weight)]``."""
        self.ensure_one()
        working, load = availability
        yes, no = self.env._("yes"), self.env._("no")
        if self.method == "fixed":
            user = self.user_id
            works = yes if user.id in working else no
            return [(user.name, works, load[user.id], "", "", "")]
        members = self._candidates()
        # sudo: the turns are the rule's bookkeeping, read whoever tests it
        turns = self.env["sales.process.assignment.turn"].sudo()._counts(members)
        return [
            (
                member.user_id.name,
                yes if member.user_id.id in working else no,
                load[member.user_id.id],
                member.max_open or self.env._("no limit"),
                turns[member.id],
                member.weight,
            )
            for member in members
        ]

    def _target_label(self):
        """Where the rule sends records, in words: its team, else its person."""
        self.ensure_one()
        team = self._target_team()
        if team:
            return self.env._("the team %(team)s", team=team.display_name)
        return self.user_id.name or ""

    def action_test_rules(self):
        """Test the rules on a record typed in, filled with this rule's
        conditions, or on existing records."""
        self.ensure_one()
        return self.env["sales.process.assignment.test"]._action_open_for_rule(self)

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

    # ------------------------------------------------------------------
    # Assigning
    # ------------------------------------------------------------------

    def _assign(self, records, excluded=None):
        """Assign ``records`` by this rule; see ``_assign_by_rule``."""
        self.ensure_one()
        return {
            record_id: choice
            for record_id, (_rule, *choice) in self._assign_by_rule(
                {self: records}, excluded
            ).items()
        }

    @api.model
    def _assign_by_rule(self, records_by_rule, excluded=None):
        """Assign the records of each rule, explain it and tell the assignees.

        Returns ``{record id: (rule, user, reason)}``. Queries depend on the
        number of rules and reps, not of records: records are written per rule
        and rep, notes and activities are created in one go for all the rules.
        """
        rules = self.union(*records_by_rule)
        availability = rules._availability()
        now = fields.Datetime.now()
        result, notes, initial = {}, {}, {}
        to_notify = []
        for rule, records in records_by_rule.items():
            plan, turns = rule._plan_assignment(records, excluded, availability)
            result.update({record.id: (rule, *plan[record.id]) for record in records})
            records -= rule._still_waiting(records, plan)
            notes.update(rule._assignment_notes(records, plan))
            initial.update(rule._write_plan(records, plan, turns, notes, now))
            # sudo: the owners were written with the user's rights; what follows
            # is the rule's bookkeeping on records it may have given to a
            # colleague, whose records the user may not write
            assigned = records.sudo().filtered(
                lambda record, plan=plan: plan[record.id][0]
            )
            rule._plan_first_contact(assigned, now)
            if rule.notify_assignee:
                to_notify.append(assigned)
            if rule.activity_plan_id and assigned:
                rule._launch_playbook(assigned)
        self._log_explanations(self.env[rules[:1].res_model], notes, initial)
        if to_notify:
            assigned = to_notify[0].union(*to_notify)
            self._schedule_contact_activities(assigned)
            self._notify_assignees(assigned)
        return result

    def _still_waiting(self, records, plan):
        """The records the plan leaves waiting in the team where this rule
        already left them: nothing changed, nothing is written or logged."""
        self.ensure_one()
        team = self._target_team()
        return records.filtered(
            lambda record: (
                not plan[record.id][0]
                and record.sales_process_assignment_state == "team_only"
                and record.sales_process_assignment_rule_id == self
                and (not team or record.team_id == team)
            )
        )

    def _write_plan(self, records, plan, turns, notes, now):
        """Write the owners of the plan on ``records``, and log the turns given.

        Returns the owner and team before the write of the records whose change
        the module tracks itself (``_log_explanations``): their explanation and
        tracking values make one message, created with all the others at once.
        A record Odoo already tracks in this transaction keeps Odoo's tracking
        message, with its explanation as body (it leaves ``notes``).
        """
        self.ensure_one()
        team = self._target_team()
        tracked = (
            not self.env.context.get("tracking_disable")
            and not self.env.context.get("mail_notrack")
            # mail.thread discards the tracking of the records it creates once
            # their create returns: their explanation is logged on its own
            and not self.env.context.get("sales_process_assignment_on_create")
            and {"user_id", "team_id"} <= set(records._track_get_fields())
        )
        # records Odoo tracks in this transaction: their initial values, or
        # None for those created in it (never tracked)
        pending = self.env.cr.precommit.data.get(f"mail.tracking.{records._name}", {})
        initial = {}
        by_write = defaultdict(list)
        for record in records:
            user = plan[record.id][0]
            changed = (user and user != record.user_id) or (
                team and team != record.team_id
            )
            own_tracking = bool(tracked and changed and record.id not in pending)
            if own_tracking:
                initial[record.id] = {
                    "user_id": record.user_id,
                    "team_id": record.team_id,
                }
            elif tracked and changed and pending[record.id] is not None:
                record._track_set_log_message(notes.pop(record.id))
            by_write[user, own_tracking].append(record.id)
        for (user, own_tracking), ids in by_write.items():
            values = {
                "sales_process_assignment_rule_id": self.id,
                "sales_process_assignment_date": now,
                "sales_process_assignment_state": "assigned" if user else "team_only",
            }
            if team:
                values["team_id"] = team.id
            if user:
                # a new window to contact the customer; a record left with
                # its owner keeps its own, escalated or not, so that it is
                # not escalated again
                values.update(
                    {
                        "user_id": user.id,
                        "sales_process_first_contact_deadline": False,
                        "sales_process_first_contact_date": False,
                        "sales_process_first_contact_escalated": False,
                    }
                )
            # Odoo's mail per assigned record is replaced by one notification
            # per assignee and run (_notify_assignees)
            records.browse(ids).with_context(
                sales_process_skip_assignment=True,
                mail_auto_subscribe_no_notify=True,
                mail_notrack=own_tracking,
            ).write(values)
        # sudo: the turns are the rule's own bookkeeping, kept by the system
        # whoever's records it assigns (a rep, a helpdesk user, a manager);
        # new rows, not a counter updated: concurrent runs do not conflict
        self.env["sales.process.assignment.turn"].sudo().create(
            self._turn_values(records, plan, turns, now)
        )
        return initial

    def _turn_values(self, records, plan, turns, now):
        """The log rows of a run: the records given to each rep (with the rep
        line whose turn they count for), and those left waiting."""
        self.ensure_one()
        members = self.env["sales.process.assignment.member"].browse(turns)
        values = [
            {
                "rule_id": self.id,
                "member_id": member.id,
                "user_id": member.user_id.id,
                "count": turns[member.id],
                "date": now,
            }
            for member in members
            if turns[member.id]
        ]
        given = {member.user_id for member in members if turns[member.id]}
        others = Counter(
            plan[record.id][0]
            for record in records
            if plan[record.id][0] not in given
        )
        values += [
            {"rule_id": self.id, "user_id": user.id, "count": count, "date": now}
            for user, count in others.items()
        ]
        return values

    @api.model
    def _log_explanations(self, records, notes, initial):
        """One message per record: its explanation and, for the records in
        ``initial``, the tracking values of their owner and team, as Odoo's
        tracking message would show them. Two creates for all the records."""
        records = records.browse(set(notes) | set(initial))
        # sudo: logging the explanation must not depend on the user's rights
        # on the chatter; the user may assign the records, checked by write
        messages = records.sudo()._message_log_batch(
            bodies={record.id: notes.get(record.id, "") for record in records}
        )
        if not initial:
            return
        message_of = {message.res_id: message.id for message in messages}
        tracked_fields = records.fields_get(
            ["user_id", "team_id"],
            attributes=("string", "type", "selection", "currency_field"),
        )
        tracking_values = []
        for record in records.browse(initial):
            _changes, commands = record._mail_track(tracked_fields, initial[record.id])
            tracking_values += [
                {**values, "mail_message_id": message_of[record.id]}
                for _command, _id, values in commands
            ]
        # sudo: tracking values are written by the system, as Odoo does
        self.env["mail.tracking.value"].sudo().create(tracking_values)

    def _assignment_notes(self, records, plan):
        """The explanation of each record's assignment: ``{record id: note}``."""
        self.ensure_one()
        conditions = self._explain()
        team = self._target_team()
        notes = {}
        for record in records:
            user, reason = plan[record.id]
            if user:
                note = self.env._(
                    "Assigned to %(user)s by the rule %(rule)s (%(conditions)s): "
                    "%(reason)s.",
                    user=user.name,
                    rule=self.name,
                    conditions=conditions,
                    reason=reason,
                )
            else:
                note = self.env._(
                    "The rule %(rule)s (%(conditions)s) matched but %(reason)s: the "
                    "record waits in the team %(team)s for someone to take it.",
                    rule=self.name,
                    conditions=conditions,
                    reason=reason,
                    team=(team or record.team_id).display_name or self.env._("(none)"),
                )
            notes[record.id] = Markup("%s") % note
        return notes

    def _plan_first_contact(self, records, now):
        if not self.first_contact_hours or not records:
            return
        History = self.env["sales.process.stage.history"]
        by_deadline = defaultdict(list)
        for record in records:
            deadline = History._plan(
                record._working_calendar().id, now, self.first_contact_hours
            )
            by_deadline[deadline].append(record.id)
        for deadline, ids in by_deadline.items():
            records.browse(ids).write(
                {"sales_process_first_contact_deadline": deadline}
            )

    @api.model
    def _schedule_contact_activities(self, records):
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(records._name)
        today = fields.Date.context_today(self)
        # sudo: the assignee gets the activity even when the assigning user
        # (an importer, the mail gateway) may not schedule activities
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": todo.id,
                    "user_id": record.user_id.id,
                    "summary": self.with_context(lang=record.user_id.lang).env._(
                        "Contact the customer: new assignment"
                    ),
                    "date_deadline": record.sales_process_first_contact_deadline
                    and record.sales_process_first_contact_deadline.date()
                    or today,
                }
                for record in records
            ]
        )

    @api.model
    def _notify_assignees(self, records):
        """Tell each assignee once: Odoo's assignment message for one record,
        one message listing them for several, not one mail per record.

        The mails are queued, not sent before the record's creation returns:
        the mail queue's scheduled action sends them.
        """
        records = records.with_context(mail_notify_force_send=False)
        for user, user_records in records.grouped("user_id").items():
            if len(user_records) == 1:
                user_records._message_auto_subscribe_notify(
                    user.partner_id.ids, "mail.message_user_assigned"
                )
                continue
            links = Markup().join(
                Markup('<li><a href="%s">%s</a></li>')
                % (record._notify_get_action_link("view"), record.display_name)
                for record in user_records
            )
            # the assignee's language; queued, not sent in the request
            env = records.with_context(lang=user.lang).env
            model = env["ir.model"]._get(records._name).display_name
            # sudo: a notification without a document, which the assigning
            # user (an importer, the mail gateway) may not send themselves
            env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=env._(
                    "You have been assigned %(count)s records: %(model)s",
                    count=len(user_records),
                    model=model,
                ),
                body=self.env["mail.render.mixin"]._replace_local_links(
                    Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        env._(
                            "Dear %(name)s, these records are now yours:",
                            name=user.name,
                        ),
                        links,
                    )
                ),
                email_layout_xmlid="mail.mail_notification_light",
            )
        # the queue runs every hour: the assignees hear of it at the next
        # minute, in one run of the queue for all the assignments of the
        # minute (their triggers fall due together). A trigger of its own for
        # each assignment: one committed while the queue runs is still due.
        next_minute = fields.Datetime.now().replace(second=0, microsecond=0)
        # the id is cached: Odoo's queue needs no existence check
        self.env["ir.cron"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id(
                "mail.ir_cron_mail_scheduler_action"
            )
        )._trigger(next_minute + timedelta(minutes=1))

    def _launch_playbook(self, records):
        """Start the rule's activity plan on the records, per assignee."""
        for user, user_records in records.grouped("user_id").items():
            self.env["mail.activity.schedule"].with_context(
                active_model=records._name, active_ids=user_records.ids
            ).create(
                {
                    "res_model": records._name,
                    "res_ids": str(user_records.ids),
                    "plan_id": self.activity_plan_id.id,
                    "plan_on_demand_user_id": user.id,
                }
            ).action_schedule_plan()

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------

    @api.model
    def _batch_size(self):
        # sudo: a technical setting, read whoever runs the job
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sales_process_automation.assignment_batch_size", 500)
        )

    @api.model
    def _cron_assign_backlog(self):
        """Assign the unassigned open records, in batches committed one by one."""
        batch_size = self._batch_size()
        for res_model, _label in ASSIGNMENT_MODELS:
            if not self.search_count([("res_model", "=", res_model)], limit=1):
                continue
            Model = self.env[res_model]
            domain = Domain(
                [("user_id", "=", False), *Model._assignment_open_domain()]
            )
            if not process_in_batches(
                Model,
                domain,
                f"assign_backlog.{res_model}",
                batch_size,
                lambda records: records._assignment_apply(),
            ):
                return  # out of time: the next call goes on from the bookmark

    @api.model
    def _cron_assign_queued(self):
        """Assign the records users saved without an owner and left to this
        job, in batches committed one by one; the hourly backlog job retries
        the records left waiting."""
        batch_size = self._batch_size()
        for res_model, _label in ASSIGNMENT_MODELS:
            Model = self.env[res_model]
            domain = Domain("sales_process_assignment_queued", "=", True)
            while records := Model.search(
                domain, limit=batch_size, order="id"
            ).try_lock_for_update():
                records.sales_process_assignment_queued = False
                records.filtered_domain(
                    [("user_id", "=", False), *Model._assignment_open_domain()]
                )._assignment_apply_isolated()
                if not self.env["ir.cron"]._commit_progress(
                    len(records), remaining=Model.search_count(domain)
                ):
                    return  # out of time: the scheduler runs the job again soon

    @api.model
    def _cron_first_contact_sweep(self):
        """Escalate the records nobody contacted in time, in batches.

        A record is escalated once: the flag is written with the escalation,
        in the same transaction, and records locked by another run are left
        to it.
        """
        batch_size = self._batch_size()
        now = fields.Datetime.now()
        for res_model, _label in ASSIGNMENT_MODELS:
            Model = self.env[res_model]
            domain = [
                ("sales_process_first_contact_deadline", "<=", now),
                ("sales_process_first_contact_date", "=", False),
                ("sales_process_first_contact_escalated", "=", False),
            ]
            while records := Model.search(
                domain,
                limit=batch_size,
                order="sales_process_first_contact_deadline, id",
            ).try_lock_for_update():
                contacted = records._first_contact_dates()
                for record_id, date in contacted.items():
                    records.browse(record_id).sales_process_first_contact_date = date
                late = records - records.browse(list(contacted))
                for rule, rule_records in late.grouped(
                    "sales_process_assignment_rule_id"
                ).items():
                    if rule:
                        rule._escalate_no_contact(rule_records)
                    else:  # the rule was deleted: nobody to escalate to
                        rule_records.sales_process_first_contact_escalated = True
                if not self.env["ir.cron"]._commit_progress(
                    len(records), remaining=Model.search_count(domain)
                ):
                    return  # out of time: the scheduler runs the job again soon

    def _escalate_no_contact(self, records):
        """Tell the managers, and give the records to the next rep if asked."""
        self.ensure_one()
        records.write({"sales_process_first_contact_escalated": True})
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(records._name)
        activities = []
        for record in records:
            managers = self.escalation_user_ids
            if self.escalate_to_team_leader:
                managers |= record.team_id.user_id
            activities += [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": todo.id,
                    "user_id": manager.id,
                    "summary": self.with_context(lang=manager.lang).env._(
                        "Not contacted in time"
                    ),
                    "note": self.with_context(lang=manager.lang).env._(
                        "%(user)s did not contact the customer within %(hours)s "
                        "working hours of the assignment.",
                        user=record.user_id.name,
                        hours=self.first_contact_hours,
                    ),
                }
                for manager in managers.filtered(lambda user: user.active)
            ]
        # sudo: escalations reach the managers whoever runs the sweep
        self.env["mail.activity"].sudo().create(activities)
        records.sudo()._message_log_batch(
            bodies={
                record.id: Markup("%s")
                % self.env._(
                    "Nobody contacted the customer within %(hours)s working hours "
                    "of the assignment to %(user)s: escalated.",
                    hours=self.first_contact_hours,
                    user=record.user_id.name,
                )
                for record in records
            }
        )
        if self.reassign_on_no_contact and self.method != "fixed":
            self._assign(
                records, excluded={record.id: record.user_id for record in records}
            )
