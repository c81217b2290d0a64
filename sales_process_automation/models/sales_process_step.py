# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, ormcache

from .sales_process_stage_history import HISTORY_MODELS

OWNER_TYPES = [
    ("salesperson", "Salesperson of the Record"),
    ("team_leader", "Team Leader"),
    ("user", "Named User"),
    ("group", "Group"),
]
GROUP_METHODS = [
    ("round_robin", "Round-Robin"),
    ("least_load", "Least Load"),
]
# the step's field holding the stage (or state) of each model's records
STEP_STAGE_FIELDS = {
    "crm.lead": "stage_id",
    "sale.order": "order_state",
    "helpdesk.ticket": "ticket_stage_id",
}


class SalesProcessStep(models.Model):
    """A stage of a team's process: its owner, what is expected there, how
    long it should take.

    Steps exist for CRM stages, quotation states and helpdesk stages. A step
    without a team applies to every team that has no step of its own for the
    stage.
    """

    _name = "sales.process.step"
    _description = "Sales Process Step"
    _inherit = ["sales.process.cached.config.mixin"]
    _order = "team_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to apply the step in every company.",
    )
    res_model = fields.Selection(
        HISTORY_MODELS, string="Applies To", required=True, default="crm.lead"
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        check_company=True,
        ondelete="cascade",
        help="The team whose process this step belongs to; empty for the default "
        "process of the teams without their own step for the stage.",
    )
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Helpdesk Team",
        index="btree_not_null",
        check_company=True,
        ondelete="cascade",
        help="The helpdesk team whose process this step belongs to; empty for the "
        "teams without their own step for the stage.",
    )
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", index=True, ondelete="cascade"
    )
    order_state = fields.Selection(
        lambda self: self.env["sale.order"]._fields["state"].selection,
        string="Quotation Status",
    )
    ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Ticket Stage",
        index="btree_not_null",
        ondelete="cascade",
    )
    owner_type = fields.Selection(
        OWNER_TYPES, string="Owner", required=True, default="salesperson"
    )
    owner_user_id = fields.Many2one(
        "res.users", string="Owner User", domain=[("share", "=", False)]
    )
    owner_group_id = fields.Many2one(
        "res.groups",
        string="Owner Group",
        help="Presales, legal, finance, support...: one of its members owns the "
        "stage, chosen by the group method.",
    )
    group_method = fields.Selection(GROUP_METHODS, default="round_robin", required=True)
    last_owner_id = fields.Many2one(
        "res.users",
        string="Last Owner",
        readonly=True,
        help="The member of the group who owned the stage last (round-robin).",
    )
    checklist = fields.Html(
        translate=True,
        help="What is expected in this stage: the hand-off activity of the owner "
        "carries it.",
    )
    expected_days = fields.Float(
        aggregator=None,
        string="Expected Duration (Working Days)",
        help="Deadline of the hand-off activity when no stage SLA policy applies.",
    )
    reassign = fields.Boolean(
        string="Owner Becomes Responsible",
        help="The record's salesperson becomes the stage owner while it is in the "
        "stage, and is given back when it leaves.",
    )

    _stage_team_unique = models.UniqueIndex(
        "(res_model, COALESCE(stage_id, 0), COALESCE(order_state, ''),"
        " COALESCE(ticket_stage_id, 0), COALESCE(team_id, 0),"
        " COALESCE(helpdesk_team_id, 0))"
    )

    @api.depends("res_model", "stage_id", "order_state", "ticket_stage_id")
    def _compute_display_name(self):
        for step in self:
            step.display_name = step._stage_label()

    @api.constrains("res_model", "stage_id", "order_state", "ticket_stage_id")
    def _check_stage(self):
        for step in self:
            if not step[STEP_STAGE_FIELDS[step.res_model]]:
                raise ValidationError(
                    self.env._("A process step needs the stage it applies to.")
                )

    @api.constrains("owner_type", "owner_user_id", "owner_group_id")
    def _check_owner(self):
        for step in self:
            if step.owner_type == "user" and not step.owner_user_id:
                raise ValidationError(
                    self.env._(
                        "Step %(stage)s: choose the owner user.",
                        stage=step._stage_label(),
                    )
                )
            if step.owner_type == "group" and not step.owner_group_id:
                raise ValidationError(
                    self.env._(
                        "Step %(stage)s: choose the owner group.",
                        stage=step._stage_label(),
                    )
                )

    def _changes_cached_config(self, vals):
        # a group step notes its last owner at each hand-off: that is no change
        # of what the cache holds
        return bool(vals.keys() - {"last_owner_id"})

    @api.model
    @ormcache()
    def _step_map(self):
        """``{model: {(stage, team id or 0): (step id, company id or 0)}}``:
        read once per process, so that a stage change without a step costs no
        query and one with a step reads only what it hands over."""
        self.flush_model(
            [
                "res_model",
                "stage_id",
                "order_state",
                "ticket_stage_id",
                "team_id",
                "helpdesk_team_id",
                "company_id",
            ]
        )
        step_map = defaultdict(dict)
        for (
            step_id,
            res_model,
            stage_id,
            order_state,
            ticket_stage_id,
            team_id,
            helpdesk_team_id,
            company_id,
        ) in self.env.execute_query(
            SQL(
                "SELECT id, res_model, stage_id, order_state, ticket_stage_id,"
                " team_id, helpdesk_team_id, company_id FROM %s",
                SQL.identifier(self._table),
            )
        ):
            stage = {
                "crm.lead": stage_id,
                "sale.order": order_state,
                "helpdesk.ticket": ticket_stage_id,
            }[res_model]
            team = helpdesk_team_id if res_model == "helpdesk.ticket" else team_id
            step_map[res_model][stage, team or 0] = (step_id, company_id or 0)
        return dict(step_map)

    @api.model
    @ormcache("step_id", "lang")
    def _handoff_values(self, step_id, lang):
        """``(owner type, owner user id, owner group id, group method,
        reassign, expected days, summary, note)`` of the hand-off of step
        ``step_id``, its texts in ``lang``.

        Kept in the registry cache, cleared when steps or stage names change,
        so that a hand-off does not read its step.
        """
        # sudo: cached for everyone, the values must not depend on who asks first
        step = self.sudo().with_context(lang=lang).browse(step_id)
        return (
            step.owner_type,
            step.owner_user_id.id,
            step.owner_group_id.id,
            step.group_method,
            step.reassign,
            step.expected_days,
            step.env._("%(stage)s: over to you", stage=step._stage_label()),
            step.checklist,
        )

    @api.model
    def _for_records(self, records, stages):
        """The step of each record entering the stage (id or state) of ``stages``."""
        step_map = self._step_map().get(records._name, {})
        steps = []
        for record, stage in zip(records, stages, strict=True):
            step_id, company_id = step_map.get(
                (stage, record.team_id.id or 0)
            ) or step_map.get((stage, 0), (None, 0))
            if company_id and record.company_id.id not in (company_id, False):
                step_id = None
            steps.append(step_id)
        # sudo: the process applies whoever moves the record
        by_id = {step.id: step for step in self.sudo().browse(filter(None, steps))}
        return [by_id.get(step_id, self.sudo().browse()) for step_id in steps]

    def _stage_label(self):
        """The name of the step's stage, in the language of the environment."""
        self.ensure_one()
        if self.res_model == "sale.order":
            return dict(self._fields["order_state"]._description_selection(self.env))[
                self.order_state
            ]
        return self[STEP_STAGE_FIELDS[self.res_model]].name or ""

    @api.model
    def _process_stages(self, team):
        """The stages of ``team``'s process, in order: the stages of its steps,
        else of the default steps, else the team's stages."""
        # sudo: the process applies to whoever works on the team's records
        Step = self.sudo()
        lead_steps = [("res_model", "=", "crm.lead")]
        steps = Step.search([*lead_steps, ("team_id", "=", team.id)]) if team else Step
        steps = steps or Step.search([*lead_steps, ("team_id", "=", False)])
        stages = steps.stage_id or self.env["crm.stage"].search(
            ["|", ("team_ids", "=", False), ("team_ids", "in", team.ids)]
        )
        return stages.sorted(lambda stage: (stage.sequence, stage.id))

    def _owner_label(self, team):
        """Who owns the step's stage in ``team``, in words."""
        self.ensure_one()
        if self.owner_type == "team_leader":
            return self.env._(
                "Team leader (%(user)s)",
                user=team.user_id.name or self.env._("none"),
            )
        if self.owner_type == "user":
            return self.owner_user_id.name
        if self.owner_type == "group":
            method = dict(self._fields["group_method"]._description_selection(self.env))
            return self.env._(
                "%(group)s (%(method)s)",
                group=self.owner_group_id.name,
                method=method[self.group_method].lower(),
            )
        return self.env._("Salesperson of the record")

    def _owners(self, records):
        """The owner of each of ``records`` (all entering this step)."""
        self.ensure_one()
        owner_type, owner_user_id, group_id, group_method = self._handoff_values(
            self.id, self.env.lang
        )[:4]
        Users = self.env["res.users"]
        if owner_type == "salesperson":
            return [record.user_id for record in records]
        if owner_type == "team_leader":
            return [record.team_id.user_id for record in records]
        if owner_type == "user":
            return [Users.browse(owner_user_id)] * len(records)
        member_ids = self.env["res.groups"]._sales_process_member_ids(group_id)
        if not member_ids:
            return [Users] * len(records)
        if group_method == "least_load":
            owner_ids = self._least_loaded(member_ids, len(records))
        else:
            owner_ids = self._next_in_turn(member_ids, len(records))
        return [Users.browse(owner_id) for owner_id in owner_ids]

    def _least_loaded(self, member_ids, count):
        """``count`` owners among ``member_ids``, each the one owning the fewest
        open stages so far."""
        # sudo: the load counts every open stage a member owns
        counts = dict.fromkeys(member_ids, 0)
        for owner, open_count in (
            self.env["sales.process.stage.history"]
            .sudo()
            ._read_group(
                [("date_out", "=", False), ("stage_owner_id", "in", member_ids)],
                ["stage_owner_id"],
                ["__count"],
            )
        ):
            counts[owner.id] = open_count
        owner_ids = []
        for _index in range(count):
            owner_id = min(
                member_ids, key=lambda member_id: (counts[member_id], member_id)
            )
            counts[owner_id] += 1
            owner_ids.append(owner_id)
        return owner_ids

    def _next_in_turn(self, member_ids, count):
        """``count`` owners among ``member_ids`` (in id order), in turn from
        the one after the step's last owner; the last of them is noted.

        One statement reads and moves the pointer: the step's row stays locked
        until the end of the transaction, so that two hand-offs at once do not
        give the same turn.
        """
        self.flush_recordset(["last_owner_id"])
        # the turn starts at the first member after the last owner, i.e. at the
        # index of the number of members up to them; the new last owner is
        # ``count - 1`` further
        [(last_owner_id,)] = self.env.execute_query(
            SQL(
                """
                UPDATE %(table)s
                   SET last_owner_id = (%(members)s::int[])[(
                           (SELECT count(*) FROM unnest(%(members)s::int[]) AS member
                             WHERE member <= COALESCE(last_owner_id, 0))
                           + %(count)s - 1)::int %% %(size)s + 1]
                 WHERE id = %(step_id)s
             RETURNING last_owner_id
                """,
                table=SQL.identifier(self._table),
                members=list(member_ids),
                count=count,
                size=len(member_ids),
                step_id=self.id,
            )
        )
        last_index = member_ids.index(last_owner_id)
        self.invalidate_recordset(["last_owner_id"])
        return [
            member_ids[(last_index - count + 1 + index) % len(member_ids)]
            for index in range(count)
        ]

    @api.model
    def _deadline(self, date_in, sla_deadline, expected_days):
        """The hand-off deadline: the stage SLA deadline, else the expected
        duration (``expected_days`` of the step) in calendar days."""
        if sla_deadline:
            return fields.Date.to_date(sla_deadline)
        return fields.Date.to_date(date_in) + timedelta(days=round(expected_days))
