# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, ormcache
from odoo.tools.safe_eval import safe_eval

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
    """Which team and rep a new lead or ticket goes to, and why: the rules,
    their conditions and the records they match. Choosing the rep, writing the
    assignment, telling people and the scheduled jobs are in the mixins below,
    one job each.
    """

    _name = "sales.process.assignment.rule"
    _description = "Assignment Rule"
    _inherit = [
        "sales.process.admin.alert.mixin",
        "sales.process.cached.config.mixin",
        "sales.process.assignment.planning.mixin",
        "sales.process.assignment.dispatch.mixin",
        "sales.process.assignment.notification.mixin",
        "sales.process.assignment.jobs.mixin",
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
    @ormcache("res_model")
    def _model_has_rules(self, res_model):
        """Whether an active rule, of any company, assigns records of the
        model. Kept in the registry cache, cleared when a rule changes."""
        # sudo: cached for everyone, whatever the companies of who asks first
        return bool(self.sudo().search_count([("res_model", "=", res_model)], limit=1))

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
