# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from .sales_process_step import GROUP_METHODS, OWNER_TYPES


class SalesProcessTemplate(models.Model):
    """A whole sales process, ready to set up for a team in one step."""

    _name = "sales.process.template"
    _description = "Sales Process Template"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to offer the template in every company."
    )
    description = fields.Text(translate=True)
    line_ids = fields.One2many(
        "sales.process.template.line", "template_id", string="Stages", copy=True
    )

    @api.constrains("company_id")
    def _check_company_id(self):
        self.line_ids._check_owner_user_id()

    @api.model
    def _from_team(self, team, name):
        """A new template of the stages of ``team``'s process, in order."""
        # sudo: the team's SLA policies are read whoever saves its process
        Policy = self.env["sales.process.sla.policy"].sudo()
        steps = self.env["sales.process.step"].search(
            [("res_model", "=", "crm.lead"), ("team_id", "=", team.id)]
        )
        lines = []
        for step in steps.sorted(lambda step: (step.stage_id.sequence, step.id)):
            policy = Policy.search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("crm_stage_id", "=", step.stage_id.id),
                    ("team_ids", "in", team.ids),
                ],
                limit=1,
            )
            lines.append(
                Command.create(
                    {
                        "stage_name": step.stage_id.name,
                        "owner_type": step.owner_type,
                        "owner_user_id": step.owner_user_id.id,
                        "owner_group_id": step.owner_group_id.id,
                        "group_method": step.group_method,
                        "reassign": step.reassign,
                        "checklist": step.checklist,
                        "expected_days": step.expected_days,
                        "sla_days": policy._duration_days(),
                        "mandatory": step.stage_id.sales_process_mandatory,
                        "contract_signed": step.stage_id.sales_process_contract_signed,
                        "is_won": step.stage_id.is_won,
                    }
                )
            )
        # a team's process names its users: the template stays in a company
        company = team.company_id or self.env.company
        return self.create({"name": name, "company_id": company.id, "line_ids": lines})

    def _apply(self, team):
        """Set up this process for ``team``: its stages (existing ones matched
        by name), steps and SLA policies. Applying again changes nothing;
        nothing is ever deleted."""
        self.ensure_one()
        Stage = self.env["crm.stage"]
        team_stages = Stage.search(
            ["|", ("team_ids", "=", False), ("team_ids", "in", team.ids)]
        )
        by_name = {}
        for stage in team_stages.sorted(lambda stage: (stage.sequence, stage.id)):
            by_name.setdefault(stage.name.strip().lower(), stage)
        sequence = max(team_stages.mapped("sequence"), default=0)
        for line in self.line_ids:
            stage = by_name.get(line.stage_name.strip().lower())
            if not stage:
                sequence += 1
                stage = Stage.create(
                    {
                        "name": line.stage_name,
                        "sequence": sequence,
                        "team_ids": [Command.link(team.id)],
                        "is_won": line.is_won,
                    }
                )
                by_name[line.stage_name.strip().lower()] = stage
            line._apply_to_stage(stage, team)


class SalesProcessTemplateLine(models.Model):
    _name = "sales.process.template.line"
    _description = "Sales Process Template Stage"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "sales.process.template", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    stage_name = fields.Char(string="Stage", required=True, translate=True)
    owner_type = fields.Selection(
        OWNER_TYPES, string="Owner", required=True, default="salesperson"
    )
    owner_user_id = fields.Many2one("res.users", string="Owner User")
    owner_group_id = fields.Many2one("res.groups", string="Owner Group")
    group_method = fields.Selection(GROUP_METHODS, default="round_robin", required=True)
    reassign = fields.Boolean(string="Owner Becomes Responsible")
    checklist = fields.Html(translate=True)
    expected_days = fields.Float(string="Expected Duration (Working Days)")
    sla_days = fields.Float(
        string="SLA (Working Days)",
        help="A stage SLA policy for the team with this duration, a reminder "
        "halfway and escalation on breach; none when zero.",
    )
    mandatory = fields.Boolean(string="Mandatory Stage")
    contract_signed = fields.Boolean()
    is_won = fields.Boolean(string="Won Stage")

    @api.constrains("owner_user_id", "template_id")
    def _check_owner_user_id(self):
        # a template offered in every company holds no company's data
        for line in self:
            if line.owner_user_id and not line.template_id.company_id:
                raise ValidationError(
                    self.env._(
                        "The template %(template)s is offered in every company: it "
                        "cannot name %(user)s as the owner of %(stage)s. Choose its "
                        "company, or a group as the owner.",
                        template=line.template_id.display_name,
                        user=line.owner_user_id.display_name,
                        stage=line.stage_name,
                    )
                )

    def _apply_to_stage(self, stage, team):
        self.ensure_one()
        flags = {
            name: True
            for name, wanted in (
                ("sales_process_mandatory", self.mandatory),
                ("sales_process_contract_signed", self.contract_signed),
            )
            if wanted and not stage[name]
        }
        if flags:
            stage.write(flags)
        Step = self.env["sales.process.step"]
        step_vals = {
            "owner_type": self.owner_type,
            "owner_user_id": self.owner_user_id.id,
            "owner_group_id": self.owner_group_id.id,
            "group_method": self.group_method,
            "reassign": self.reassign,
            "checklist": self.checklist,
            "expected_days": self.expected_days,
        }
        step = Step.search(
            [
                ("res_model", "=", "crm.lead"),
                ("team_id", "=", team.id),
                ("stage_id", "=", stage.id),
            ]
        )
        if step:
            changed = {
                name: value
                for name, value in step_vals.items()
                if (step[name].id if name.endswith("_id") else step[name]) != value
            }
            if changed:
                step.write(changed)
        else:
            Step.create(
                {
                    **step_vals,
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "company_id": team.company_id.id,
                    "sequence": self.sequence,
                }
            )
        if self.sla_days:
            self._apply_sla(stage, team)

    def _apply_sla(self, stage, team):
        Policy = self.env["sales.process.sla.policy"]
        policy = Policy.search(
            [
                ("res_model", "=", "crm.lead"),
                ("crm_stage_id", "=", stage.id),
                ("team_ids", "in", team.ids),
            ],
            limit=1,
        )
        if policy:
            if policy.duration_unit != "days" or policy.duration != self.sla_days:
                policy.write({"duration": self.sla_days, "duration_unit": "days"})
            return
        Policy.create(
            {
                "name": self.env._(
                    "%(team)s: %(stage)s within %(days)s days",
                    team=team.name,
                    stage=stage.name,
                    days=self.sla_days,
                ),
                "company_id": team.company_id.id,
                "res_model": "crm.lead",
                "crm_stage_id": stage.id,
                "team_ids": [Command.link(team.id)],
                "duration": self.sla_days,
                "duration_unit": "days",
                "reminder_ids": [
                    Command.create(
                        {
                            "anchor": "entry",
                            "delay": self.sla_days / 2,
                            "delay_unit": "days",
                        }
                    )
                ],
            }
        )
