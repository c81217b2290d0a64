# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, ormcache

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


class SalesProcessStep(models.Model):
    """A stage of a team's sales process: its owner, what is expected there,
    how long it should take.

    A step without a team applies to every team that has no step of its own
    for the stage.
    """

    _name = "sales.process.step"
    _description = "Sales Process Step"
    _order = "team_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to apply the step in every company.",
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
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, index=True, ondelete="cascade"
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
        string="Expected Duration (Working Days)",
        help="Deadline of the hand-off activity when no stage SLA policy applies.",
    )
    reassign = fields.Boolean(
        string="Owner Becomes Responsible",
        help="The record's salesperson becomes the stage owner while it is in the "
        "stage, and is given back when it leaves.",
    )

    _stage_team_unique = models.UniqueIndex("(stage_id, COALESCE(team_id, 0))")

    @api.constrains("owner_type", "owner_user_id", "owner_group_id")
    def _check_owner(self):
        for step in self:
            if step.owner_type == "user" and not step.owner_user_id:
                raise ValidationError(
                    self.env._("Step %(stage)s: choose the owner user.", stage=step.stage_id.name)
                )
            if step.owner_type == "group" and not step.owner_group_id:
                raise ValidationError(
                    self.env._(
                        "Step %(stage)s: choose the owner group.", stage=step.stage_id.name
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        self.env.registry.clear_cache()
        return steps

    def write(self, vals):
        result = super().write(vals)
        if vals.keys() & {"stage_id", "team_id"}:
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @ormcache()
    def _step_map(self):
        """``{(stage_id, team_id or 0): step_id}``: read once per process, so that
        a stage change without a step costs no query."""
        self.flush_model(["stage_id", "team_id"])
        return {
            (stage_id, team_id or 0): step_id
            for step_id, stage_id, team_id in self.env.execute_query(
                SQL("SELECT id, stage_id, team_id FROM %s", SQL.identifier(self._table))
            )
        }

    @api.model
    def _for_records(self, records, stage_ids):
        """The step of each record entering the stage of ``stage_ids``."""
        step_map = self._step_map()
        if not step_map:
            return [self] * len(records)
        step_ids = [
            step_map.get((stage_id, record.team_id.id or 0))
            or step_map.get((stage_id, 0))
            for record, stage_id in zip(records, stage_ids, strict=True)
        ]
        # sudo: the process applies whoever moves the record
        steps = self.sudo().browse([id_ for id_ in step_ids if id_])
        by_id = {step.id: step for step in steps}
        return [
            by_id[id_]
            if id_
            and not (
                by_id[id_].company_id
                and record.company_id
                and by_id[id_].company_id != record.company_id
            )
            else self
            for record, id_ in zip(records, step_ids, strict=True)
        ]

    @api.model
    def _process_stages(self, team):
        """The stages of ``team``'s process, in order: the stages of its steps,
        else of the default steps, else the team's stages."""
        # sudo: the process applies to whoever works on the team's records
        Step = self.sudo()
        steps = Step.search([("team_id", "=", team.id)]) if team else Step
        steps = steps or Step.search([("team_id", "=", False)])
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
        if self.owner_type == "salesperson":
            return [record.user_id for record in records]
        if self.owner_type == "team_leader":
            return [record.team_id.user_id for record in records]
        if self.owner_type == "user":
            return [self.owner_user_id] * len(records)
        return self._group_owners(records)

    def _group_owners(self, records):
        members = self.owner_group_id.all_user_ids.filtered(
            lambda user: user.active and not user.share
        ).sorted("id")
        if not members:
            return [self.env["res.users"]] * len(records)
        owners = []
        if self.group_method == "least_load":
            # sudo: the load counts every open stage a member owns
            load = dict(
                self.env["sales.process.stage.history"]
                .sudo()
                ._read_group(
                    [("date_out", "=", False), ("stage_owner_id", "in", members.ids)],
                    ["stage_owner_id"],
                    ["__count"],
                )
            )
            counts = {member: load.get(member, 0) for member in members}
            for _record in records:
                owner = min(members, key=lambda member: (counts[member], member.id))
                counts[owner] += 1
                owners.append(owner)
        else:
            after = [member for member in members if member.id > self.last_owner_id.id]
            queue = after + [member for member in members if member not in after]
            for index, _record in enumerate(records):
                owners.append(queue[index % len(queue)])
        self.last_owner_id = owners[-1]
        return owners

    def _deadline(self, date_in, sla_deadline):
        """The hand-off deadline: the stage SLA deadline, else the expected
        duration in calendar days."""
        self.ensure_one()
        if sla_deadline:
            return fields.Date.to_date(sla_deadline)
        return fields.Date.to_date(date_in) + timedelta(days=round(self.expected_days))
