# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import ormcache
from odoo.tools.safe_eval import safe_eval

from ..tools.cron_cursor import job_batch_size
from .sales_process_stage_history import HISTORY_MODELS

STAGE_COLUMNS = {
    "crm.lead": "crm_stage_id",
    "sale.order": "order_state",
    "helpdesk.ticket": "ticket_stage_id",
}
DURATION_UNITS = [("hours", "Working Hours"), ("days", "Working Days")]


class SalesProcessSlaPolicy(models.Model):
    """How long a record may stay in a stage, and what happens around that time."""

    _name = "sales.process.sla.policy"
    _description = "Stage SLA Policy"
    _inherit = [
        "sales.process.admin.alert.mixin",
        "sales.process.cached.config.mixin",
    ]
    _order = "res_model, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to apply the policy in every company.",
    )
    res_model = fields.Selection(
        HISTORY_MODELS,
        string="Applies To",
        required=True,
        default="crm.lead",
        tracking=True,
    )
    crm_stage_id = fields.Many2one("crm.stage", string="CRM Stage", tracking=True)
    order_state = fields.Selection(
        lambda self: self.env["sale.order"]._fields["state"].selection,
        string="Order Status",
        tracking=True,
    )
    ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage", string="Ticket Stage", tracking=True
    )
    pause_crm_stage_ids = fields.Many2many(
        "crm.stage",
        "sales_process_sla_policy_pause_crm_stage_rel",
        string="CRM Stages That Pause",
        help="Time spent in these stages does not count: back in the policy's "
        "stage, the record has the rest of its time, not a new deadline.",
    )
    pause_ticket_stage_ids = fields.Many2many(
        "helpdesk.ticket.stage",
        "sales_process_sla_policy_pause_ticket_stage_rel",
        string="Ticket Stages That Pause",
        help="Time spent in these stages does not count: back in the policy's "
        "stage, the ticket has the rest of its time, not a new deadline.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="Only for records of these teams; all teams when empty.",
    )
    helpdesk_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        string="Helpdesk Teams",
        check_company=True,
        help="Only for tickets of these teams; all teams when empty.",
    )
    tag_ids = fields.Many2many(
        "crm.tag",
        string="Tags",
        help="Only for leads with at least one of these tags; all leads when empty.",
    )
    domain = fields.Char(
        string="Condition",
        default="[]",
        help="Only for records matching this condition.",
    )
    duration = fields.Float(
        required=True,
        default=1.0,
        tracking=True,
        # durations of different stages and units make no total
        aggregator=None,
    )
    duration_unit = fields.Selection(
        DURATION_UNITS, required=True, default="days", tracking=True
    )
    at_risk_percent = fields.Integer(
        aggregator=None,
        string="At Risk After (%)",
        default=80,
        help="Share of the expected duration after which the record shows as at risk.",
    )
    reminder_ids = fields.One2many(
        "sales.process.sla.reminder", "policy_id", string="Reminders", copy=True
    )
    mark_abnormal = fields.Boolean(
        string="Mark Abnormal on Breach",
        default=True,
        help="The stage history row of a breached record shows as abnormal.",
    )
    escalate_to_team_leader = fields.Boolean(default=True)
    escalation_user_ids = fields.Many2many(
        "res.users",
        "sales_process_sla_policy_escalation_user_rel",
        string="Escalate To",
        domain=[("share", "=", False)],
        help="Users told of every breach, e.g. the sales director.",
    )
    # server actions are code: only who may read and write them (Settings)
    # chooses them; without the group, the policy form opens without the field
    breach_action_id = fields.Many2one(
        "ir.actions.server",
        string="Action on Breach",
        domain="[('model_id.model', '=', res_model)]",
        help="Server action run on the breached records.",
        groups="base.group_system",
    )
    scope_domain = fields.Char(
        compute="_compute_scope_domain",
        help="The records in the policy's stage, of its teams, tags and company: "
        "its condition is counted among them.",
    )
    specificity = fields.Integer(
        aggregator=None,
        compute="_compute_specificity",
        store=True,
        help="Number of conditions the policy sets: when several policies match a "
        "record, the most specific one applies, then the first in sequence.",
    )

    @api.depends("team_ids", "helpdesk_team_ids", "tag_ids", "domain")
    def _compute_specificity(self):
        for policy in self:
            policy.specificity = (
                bool(policy.team_ids or policy.helpdesk_team_ids)
                + bool(policy.tag_ids)
                + bool(policy._get_domain())
            )

    @api.depends(
        "res_model",
        "crm_stage_id",
        "order_state",
        "ticket_stage_id",
        "team_ids",
        "helpdesk_team_ids",
        "tag_ids",
        "company_id",
    )
    def _compute_scope_domain(self):
        for policy in self:
            policy.scope_domain = repr(policy._scope_domain())

    @api.constrains("duration", "duration_unit")
    def _check_duration_reminders(self):
        # the reminders must still fall within a shorter duration
        self.reminder_ids._check_delay()

    @api.constrains("duration", "at_risk_percent")
    def _check_duration(self):
        for policy in self:
            if policy.duration <= 0:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: the expected duration must be more than "
                        "zero.",
                        policy=policy.name,
                    )
                )
            if not 0 < policy.at_risk_percent < 100:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: a record is at risk after a share of its "
                        "time between 1 and 99%%.",
                        policy=policy.name,
                    )
                )

    @api.constrains("res_model", "crm_stage_id", "order_state", "ticket_stage_id")
    def _check_stage(self):
        for policy in self:
            if not policy[STAGE_COLUMNS[policy.res_model]]:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: choose the stage it applies to.",
                        policy=policy.name,
                    )
                )

    @api.constrains("domain", "res_model")
    def _check_domain(self):
        for policy in self:
            try:
                self.env[policy.res_model].search_count(policy._get_domain(), limit=1)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: the condition %(domain)s is not a valid "
                        "domain on %(model)s: %(error)s",
                        policy=policy.name,
                        domain=policy.domain,
                        model=policy.res_model,
                        error=error,
                    )
                ) from error

    def _get_domain(self):
        self.ensure_one()
        return Domain(safe_eval(self.domain or "[]"))

    def _sales_process_stored_domain(self):
        return self._get_domain()

    def _scope_domain(self):
        """The records the policy applies to, its condition aside: those in its
        stage, of its teams, with one of its tags, of its company."""
        self.ensure_one()
        stage = self[STAGE_COLUMNS[self.res_model]]
        if isinstance(stage, models.BaseModel):
            stage = stage._origin.id
        Model = self.env[self.res_model]
        teams = (
            self.helpdesk_team_ids
            if self.res_model == "helpdesk.ticket"
            else self.team_ids
        )
        conditions = [Domain(Model._stage_history_field, "=", stage or False)]
        if teams:
            conditions.append(Domain("team_id", "in", teams._origin.ids))
        if self.tag_ids and self.res_model == "crm.lead":
            conditions.append(Domain("tag_ids", "in", self.tag_ids._origin.ids))
        if self.company_id:
            conditions.append(
                Domain("company_id", "in", [self.company_id._origin.id, False])
            )
        return Domain.AND(conditions)

    def _duration_hours(self, calendar):
        """The expected duration in working hours of ``calendar``."""
        self.ensure_one()
        if self.duration_unit == "hours":
            return self.duration
        return self.duration * (calendar.hours_per_day if calendar else 24.0)

    def _duration_days(self):
        """The expected duration in working days (0 without a policy)."""
        if not self:
            return 0.0
        self.ensure_one()
        if self.duration_unit == "days":
            return self.duration
        hours_per_day = self.env.company.resource_calendar_id.hours_per_day or 8.0
        return self.duration / hours_per_day

    @api.model
    @ormcache("res_model")
    def _match_rules(self, res_model):
        """What ``_match`` tries records against, for the active policies of
        ``res_model`` from the most specific one: ``(policy id, stage, company
        id, team ids, tag ids, whether it has a condition)``.

        Kept in the registry cache, cleared when a policy changes, so that a
        stage change does not read the policies again.
        """
        # sudo: cached for everyone, the rules must not depend on who asks first
        policies = (
            self.sudo()
            .with_context(active_test=True)
            .search(
                [("res_model", "=", res_model)],
                order="specificity desc, sequence, id",
            )
        )
        stage_column = STAGE_COLUMNS[res_model]
        rules = []
        for policy in policies:
            stage = policy[stage_column]
            teams = (
                policy.helpdesk_team_ids
                if res_model == "helpdesk.ticket"
                else policy.team_ids
            )
            rules.append(
                (
                    policy.id,
                    stage.id if isinstance(stage, models.BaseModel) else stage,
                    policy.company_id.id,
                    frozenset(teams.ids),
                    frozenset(policy.tag_ids.ids),
                    (policy.domain or "[]").strip() != "[]",
                )
            )
        return tuple(rules)

    @api.model
    def _match(self, records, vals_list):
        """The policy of each record entering the stage of its row values.

        Records are tried against policies from the most specific one; a
        record takes the first policy it matches. Archived (lost) records
        match none. Only the condition of a policy costs a query.
        """
        if not records:
            return []
        stage_column = STAGE_COLUMNS[records._name]
        active_name = records._active_name
        archived = (
            records.filtered(lambda record: not record[active_name])
            if active_name
            else records.browse()
        )
        matched = dict.fromkeys(archived.ids, self)
        tag_field = records._fields.get("tag_ids")
        lead_tags = bool(tag_field) and tag_field.comodel_name == "crm.tag"
        for (
            policy_id,
            stage,
            company_id,
            team_ids,
            tag_ids,
            has_condition,
        ) in self._match_rules(records._name):
            candidates = records.browse(
                record.id
                for record, vals in zip(records, vals_list, strict=True)
                if record.id not in matched
                and vals[stage_column] == stage
                and not (
                    company_id
                    and record.company_id
                    and record.company_id.id != company_id
                )
                and (not team_ids or record.team_id.id in team_ids)
                and (
                    not tag_ids
                    or (lead_tags and not tag_ids.isdisjoint(record.tag_ids.ids))
                )
            )
            if not candidates:
                continue
            policy = self.browse(policy_id)
            if has_condition:
                domain = policy._sales_process_valid_domain(records)
                if domain is None:
                    continue
                if not domain.is_true():
                    candidates = candidates.filtered_domain(domain)
            matched.update(dict.fromkeys(candidates.ids, policy))
        return [matched.get(record.id, self) for record in records]

    @api.model
    def _of_team_stages(self, team, stages):
        """The policy a lead of ``team`` without tags gets in each of
        ``stages``, as ``_match`` chooses it: ``{stage id: policy}``."""
        domain = Domain("res_model", "=", "crm.lead") & Domain(
            "crm_stage_id", "in", stages.ids
        )
        if team.company_id:
            domain &= Domain("company_id", "in", [team.company_id.id, False])
        policies = self.search(domain, order="specificity desc, sequence, id")
        found = {}
        for policy in policies:
            if (
                (policy.team_ids and team not in policy.team_ids)
                or policy.tag_ids
                or not policy._get_domain().is_true()
            ):
                continue
            found.setdefault(policy.crm_stage_id.id, policy)
        return found

    def _pause_stages(self):
        """The stages that pause the clock of this policy, of its model."""
        self.ensure_one()
        return (
            self.pause_ticket_stage_ids
            if self.res_model == "helpdesk.ticket"
            else self.pause_crm_stage_ids
        )

    def _pauses_in(self, stage):
        """Whether ``stage`` (an id) pauses the clock of this policy."""
        self.ensure_one()
        return stage in self._plan_rules(self.id, False)[0]

    @api.model
    @ormcache("policy_id", "calendar_id")
    def _plan_rules(self, policy_id, calendar_id):
        """What the rows of a policy are planned with, in the working hours of
        ``calendar_id``: ``(pause stage ids, duration in hours, hours until
        at risk, ((reminder id, anchor, delay in hours, due hours), ...))``.

        Kept in the registry cache, cleared when a policy, a reminder or
        working hours change, so that a stage change does not read them.
        """
        # sudo: cached for everyone, the rules must not depend on who asks first
        policy = self.sudo().browse(policy_id)
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        duration = policy._duration_hours(calendar)
        return (
            frozenset(policy._pause_stages().ids),
            duration,
            duration * policy.at_risk_percent / 100,
            tuple(
                (
                    reminder.id,
                    reminder.anchor,
                    reminder._delay_hours(calendar),
                    reminder._due_hours(duration, calendar),
                )
                for reminder in policy.reminder_ids
            ),
        )

    def _rows_before_pause(self, stage, earlier_rows):
        """The earlier rows of the record in ``stage`` under this policy whose
        time and breach still count.

        ``earlier_rows`` are the record's rows, newest first: they count while
        only pause stages stand between them and now.
        """
        self.ensure_one()
        counted = earlier_rows.browse()
        for row in earlier_rows:
            row_stage = row._stage_value()
            if self._pauses_in(row_stage):
                continue
            if row_stage != stage or row.sla_policy_id != self:
                break
            counted |= row
        return counted

    def _escalation_recipients(self, record):
        """Users told that ``record`` breached this policy."""
        self.ensure_one()
        company = record.company_id or self.env.company
        if not company._sales_process_notification_policy(record.team_id)[
            "breach_notify_managers"
        ]:
            # the daily digest tells them
            return self.env["res.users"]
        users = self.escalation_user_ids
        if self.escalate_to_team_leader:
            users |= record.team_id.user_id
        return users.filtered(lambda user: user.active and not user.share)

    def action_recompute_open_records(self):
        """Apply the current policies again to records now in the policies' stages.

        Up to a batch of open records are done at once; more are done by the
        job "Sales Process: apply stage SLA policies to open records", in
        batches, in the background.
        """
        History = self.env["sales.process.stage.history"]
        res_models = sorted(set(self.mapped("res_model")))
        batch_size = job_batch_size(self.env, "sla")
        if (
            History.search_count(
                [("res_model", "in", res_models), ("date_out", "=", False)],
                limit=batch_size + 1,
            )
            <= batch_size
        ):
            History._sla_recompute_open_rows(res_models)
            return True
        History._sla_recompute_schedule(res_models)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The open records are updated in the background, in a few minutes."
                ),
            },
        }
