# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools import metrics
from ..tools.working_duration import format_working_duration
from .sales_process_funnel_report import FUNNEL_DEPENDS


class SalesProcessBottleneckReport(models.Model):
    """One row per stage of each sales team, the bottlenecks flagged.

    In each team, the stage that loses the most deals is the one with the
    lowest conversion; the stage that holds deals longest is the one with the
    highest median working time. Both are bottlenecks, but only when worse
    than another stage of the team (``tools/metrics.py``, whose figures the
    process map reads too). The advice also names a stage its customers rate
    low in the feedback surveys (``tools/metrics.py``: stage satisfaction).
    """

    _name = "sales.process.bottleneck.report"
    _description = "Bottleneck Analysis"
    _auto = False
    _depends = FUNNEL_DEPENDS
    _rec_name = "crm_stage_id"
    _order = "team_id, stage_sequence, crm_stage_id"

    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    crm_stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    stage_sequence = fields.Integer(readonly=True, aggregator=None)
    lead_count = fields.Integer(
        string="Entries (Leads)",
        readonly=True,
        help="Leads that entered the stage: a lead back in a stage it already "
        "entered is not counted again.",
    )
    lost_count = fields.Integer(string="Lost Here", readonly=True)
    decided_count = fields.Integer(
        string="Leads Decided",
        readonly=True,
        help="Leads that left the stage for a further stage, went back or were "
        "lost in it: the share reaching the next stage counts them.",
    )
    left_count = fields.Integer(
        string="Stays Ended",
        readonly=True,
        help="Times a lead left the stage: the times spent count them.",
    )
    # shares and percentiles of one stage: they do not add up across stages
    reached_next_rate = fields.Float(
        string="Conversion (%)",
        digits=(16, 0),
        readonly=True,
        aggregator=None,
        help="Among the leads that entered the stage and are decided, the share "
        "that reached a further stage.",
    )
    median_hours = fields.Float(
        string="Median (Working Hours)", readonly=True, aggregator=None
    )
    p90_hours = fields.Float(
        string="90th Percentile (Working Hours)", readonly=True, aggregator=None
    )
    breach_rate = fields.Float(
        string="SLA Breached in History (%)",
        digits=(16, 0),
        readonly=True,
        aggregator=None,
    )
    is_leakiest = fields.Boolean(string="Loses the Most Deals", readonly=True)
    is_slowest = fields.Boolean(string="Holds Deals Longest", readonly=True)
    is_bottleneck = fields.Boolean(string="Bottleneck", readonly=True)
    satisfaction_rating = fields.Float(
        string="Customer Satisfaction (1-5)",
        digits=(16, 1),
        compute="_compute_advice",
        help="Average rating customers gave the stage in the feedback surveys.",
    )
    satisfaction_count = fields.Integer(string="Ratings", compute="_compute_advice")
    is_low_satisfaction = fields.Boolean(
        string="Rated Low by Customers", compute="_compute_advice"
    )
    bottleneck_badge = fields.Char(string="Why a Bottleneck", compute="_compute_advice")
    advice = fields.Char(compute="_compute_advice")

    @api.depends("is_leakiest", "is_slowest", "reached_next_rate", "median_hours")
    def _compute_advice(self):
        satisfaction = self._stage_satisfaction()
        for row in self:
            rating, answers = satisfaction.get(
                (row.team_id.id, row.crm_stage_id.id), (0.0, 0)
            )
            row.satisfaction_rating = rating
            row.satisfaction_count = answers
            row.is_low_satisfaction = metrics.is_low_stage_rating(rating, answers)
            advice = []
            if row.is_leakiest:
                advice.append(
                    self.env._(
                        "%(stage)s converts badly: only %(rate)s%% of its leads "
                        "reach a further stage; train the team on this step.",
                        stage=row.crm_stage_id.name,
                        rate=round(row.reached_next_rate),
                    )
                )
            if row.is_slowest:
                advice.append(
                    self.env._(
                        "%(stage)s holds deals longest: half of them stay more "
                        "than %(duration)s of working time.",
                        stage=row.crm_stage_id.name,
                        duration=format_working_duration(
                            self.env,
                            row.median_hours,
                            row._hours_per_day(),
                        ),
                    )
                )
            if row.is_low_satisfaction:
                advice.append(
                    self.env._(
                        "Customers rate %(stage)s low: %(rating)s out of 5 on "
                        "average over %(count)s answers; read their suggestions "
                        "in the feedback analysis.",
                        stage=row.crm_stage_id.name,
                        rating=round(rating, 1),
                        count=answers,
                    )
                )
            row.advice = " ".join(advice)
            row.bottleneck_badge = " · ".join(
                label
                for flagged, label in (
                    (row.is_leakiest, self.env._("Loses the most deals")),
                    (row.is_slowest, self.env._("Holds deals longest")),
                    (row.is_low_satisfaction, self.env._("Rated low by customers")),
                )
                if flagged
            )

    def _hours_per_day(self):
        """The hours of a working day of the row's team (its working hours,
        else its company's)."""
        self.ensure_one()
        calendar = (
            self.team_id.sales_process_resource_calendar_id
            or (self.company_id or self.env.company).resource_calendar_id
        )
        return calendar.hours_per_day or 8.0

    def _stage_satisfaction(self):
        """``{(team id, stage id): (average rating, answers)}`` of the rows'
        stages, from the feedback answers the user may read."""
        if not self:
            return {}
        groups = self.env["sales.process.feedback.report"]._read_group(
            [
                ("kind", "=", "stage"),
                ("team_id", "in", self.team_id.ids),
                ("crm_stage_id", "in", self.crm_stage_id.ids),
            ],
            ["team_id", "crm_stage_id"],
            ["stage_rating:avg", "__count"],
        )
        return {
            (team.id, stage.id): (rating, count)
            for team, stage, rating, count in groups
        }

    def action_open_entries(self):
        """The leads that entered the stage in the team."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.crm_stage_id.display_name,
            "res_model": "sales.process.funnel.report",
            "views": [(False, "list"), (False, "pivot")],
            "domain": [
                ("company_id", "=", self.company_id.id),
                ("team_id", "=", self.team_id.id),
                ("crm_stage_id", "=", self.crm_stage_id.id),
            ],
            "context": {"search_default_filter_first_entry": 1},
        }

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                metrics.team_stage_figures(
                    SQL.identifier("sales_process_stage_history")
                ),
            )
        )
