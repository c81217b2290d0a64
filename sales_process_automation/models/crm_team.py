# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import metrics


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "sales.process.admin.fields.mixin"]

    _sales_process_admin_fields = (
        "sales_process_resource_calendar_id",
        "sales_process_notification_override",
        "sales_process_breach_notify_managers",
        "sales_process_reminder_cc_leader",
        "sales_process_digest_user_ids",
    )

    sales_process_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Stage Working Hours",
        check_company=True,
        tracking=True,
        help="Working time of the team, used for time spent in stages and stage "
        "deadlines. The company's working hours apply when empty.",
    )

    sales_process_notification_override = fields.Boolean(
        string="Own Notification Policy",
        help="The team's SLA notification settings replace its company's.",
    )
    sales_process_breach_notify_managers = fields.Boolean(
        string="Mail Managers on Each Breach",
        help="Team leader and escalation users get an email and an activity for "
        "every breached stage. Off: the daily digest lists the breaches instead.",
    )
    sales_process_reminder_cc_leader = fields.Boolean(
        string="Copy the Team Leader on Reminders",
    )
    sales_process_digest_user_ids = fields.Many2many(
        "res.users",
        "sales_process_team_digest_user_rel",
        string="Digest Also To",
        domain=[("share", "=", False)],
        help="Users who get the daily SLA digest of the team besides its leader.",
    )

    @api.constrains("sales_process_resource_calendar_id")
    def _check_resource_calendar_id(self):
        for team in self:
            team.sales_process_resource_calendar_id._sales_process_check_working_time(
                team
            )

    def write(self, vals):
        result = super().write(vals)
        if "sales_process_resource_calendar_id" in vals:
            # the working hours of the team's records are cached
            self.env.registry.clear_cache()
        return result

    def action_sales_process_map(self):
        """The process map of the team."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "sales_process_automation.process_map",
            "name": self.env._("Process Map"),
            "params": {"team_id": self.id},
        }

    def sales_process_map(self, date_from=False):
        """The team's process as the process map draws it (JSON): each stage of
        its process in order, with its owner, expected duration, the median
        and 90th percentile of the working time spent in it, its conversion to
        the next stage, its open records and open SLA breaches, and the
        bottleneck flagged (``tools/metrics.py``).

        The figures count the stage history the user may read, of the stays
        entered since ``date_from`` when given; open records and breaches are
        the ones of today, whatever the period.
        """
        self.ensure_one()
        self.check_access("read")
        stages = self.env["sales.process.step"]._process_stages(self).with_env(self.env)
        calendar = (
            self.sales_process_resource_calendar_id
            or self.company_id.resource_calendar_id
            or self.env.company.resource_calendar_id
        )
        figures = self._sales_process_map_figures(stages, date_from)
        History = self.env["sales.process.stage.history"]
        rows = Domain("res_model", "=", "crm.lead") & Domain("team_id", "=", self.id)
        open_records = dict(
            History._read_group(
                rows & metrics.OPEN_RECORD, ["crm_stage_id"], ["__count"]
            )
        )
        open_breaches = dict(
            History._read_group(
                rows & metrics.OPEN_BREACH, ["crm_stage_id"], ["__count"]
            )
        )
        owners = self._sales_process_map_owners(stages)
        policies = self.env["sales.process.sla.policy"]._of_team_stages(self, stages)
        boxes = []
        for stage in stages:
            figure = figures.get(stage.id, {})
            expected_label, expected_hours = self._sales_process_map_expected(
                policies.get(stage.id), owners.get(stage.id), calendar
            )
            p90 = figure.get("p90_hours")
            boxes.append(
                {
                    "id": stage.id,
                    "name": stage.name,
                    "is_won": stage.is_won,
                    "owner": owners[stage.id]._owner_label(self)
                    if owners.get(stage.id)
                    else False,
                    "expected": expected_label,
                    "expected_hours": expected_hours,
                    "policy": policies[stage.id].name
                    if stage.id in policies
                    else False,
                    "entries": figure.get("lead_count", 0),
                    "left": figure.get("left_count", 0),
                    "median_hours": figure.get("median_hours"),
                    "p90_hours": p90,
                    "conversion": None
                    if stage.is_won
                    else figure.get("reached_next_rate"),
                    "lost": figure.get("lost_count", 0),
                    "open_count": open_records.get(stage, 0),
                    "open_breach_count": open_breaches.get(stage, 0),
                    "is_leakiest": bool(figure.get("is_leakiest")),
                    "is_slowest": bool(figure.get("is_slowest")),
                    "is_bottleneck": bool(figure.get("is_bottleneck")),
                    "over_expected": bool(
                        expected_hours and p90 is not None and p90 > expected_hours
                    ),
                    "domain": [("team_id", "=", self.id), ("stage_id", "=", stage.id)],
                }
            )
        return {
            "team": {"id": self.id, "name": self.display_name},
            "date_from": date_from or False,
            "hours_per_day": calendar.hours_per_day or 24.0,
            "stages": boxes,
        }

    def _sales_process_map_figures(self, stages, date_from):
        """``{stage id: figures}`` of ``metrics.team_stage_figures`` over the
        team's stage history the user may read."""
        History = self.env["sales.process.stage.history"]
        domain = (
            Domain("res_model", "=", "crm.lead")
            & Domain("team_id", "=", self.id)
            & Domain("crm_stage_id", "in", stages.ids)
        )
        if date_from:
            domain &= Domain("date_in", ">=", date_from)
        # the user's record rules apply: a rep measures their own records
        readable = History._search(domain)
        figures = {}
        for figure in self.env.execute_query_dict(
            metrics.team_stage_figures(
                SQL(
                    "(SELECT * FROM %s WHERE id IN %s)",
                    SQL.identifier(History._table),
                    readable.subselect(),
                )
            )
        ):
            # shares are numeric in PostgreSQL: plain floats for JSON
            for name in ("reached_next_rate", "median_hours", "p90_hours"):
                if figure[name] is not None:
                    figure[name] = float(figure[name])
            # a team's rows of two companies: the company with most entries
            known = figures.get(figure["crm_stage_id"])
            if not known or known["lead_count"] < figure["lead_count"]:
                figures[figure["crm_stage_id"]] = figure
        return figures

    def _sales_process_map_owners(self, stages):
        """``{stage id: step}``: the team's step of each stage, else the
        default step."""
        steps = self.env["sales.process.step"].search(
            [("stage_id", "in", stages.ids), ("team_id", "in", [self.id, False])]
        )
        owners = {}
        for step in steps.sorted(lambda step: not step.team_id):
            owners.setdefault(step.stage_id.id, step)
        return owners

    def _sales_process_map_expected(self, policy, step, calendar):
        """The expected duration of a stage in words, and in working hours:
        its SLA policy's, else its step's."""
        if policy:
            units = dict(
                policy._fields["duration_unit"]._description_selection(self.env)
            )
            return (
                self.env._(
                    "%(duration)s %(unit)s",
                    duration=f"{policy.duration:g}",
                    unit=units[policy.duration_unit].lower(),
                ),
                policy._duration_hours(calendar),
            )
        if step and step.expected_days:
            return (
                self.env._(
                    "%(duration)s working days (expected)",
                    duration=f"{step.expected_days:g}",
                ),
                step.expected_days * (calendar.hours_per_day or 24.0),
            )
        return False, False
