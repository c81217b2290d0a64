# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools import metrics
from .sales_process_funnel_report import FUNNEL_DEPENDS


class SalesProcessBottleneckReport(models.Model):
    """One row per stage of each sales team, the bottlenecks flagged.

    In each team, the stage that loses the most deals is the one with the
    lowest conversion (``tools/metrics.py``); the stage that holds deals
    longest is the one with the highest median working time. Both are
    bottlenecks, but only when worse than another stage of the team: when
    every stage converts (or holds deals) alike, none is flagged. The advice
    also names a stage its customers rate low in the feedback surveys
    (``tools/metrics.py``: stage satisfaction).
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
                        "than %(hours)s working hours.",
                        stage=row.crm_stage_id.name,
                        hours=round(row.median_hours, 1),
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
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                -- the lead rows of each team and stage, read in the order of
                -- the history's funnel index: no sort, and the percentiles get
                -- their hours already sorted; a won stage has no next stage
                WITH stage_figures AS (
                    SELECT MIN(history.id) AS id,
                           history.company_id,
                           history.team_id,
                           history.crm_stage_id,
                           COUNT(*) FILTER (WHERE %(entry)s) AS lead_count,
                           COUNT(*) FILTER (WHERE %(lost)s) AS lost_count,
                           COUNT(%(conversion)s) AS decided_count,
                           COUNT(history.working_hours)
                               FILTER (WHERE history.date_out IS NOT NULL)
                               AS left_count,
                           AVG(%(conversion)s) AS reached_next_rate,
                           PERCENTILE_CONT(0.5) WITHIN GROUP
                               (ORDER BY history.working_hours)
                               FILTER (WHERE history.date_out IS NOT NULL)
                               AS median_hours,
                           PERCENTILE_CONT(0.9) WITHIN GROUP
                               (ORDER BY history.working_hours)
                               FILTER (WHERE history.date_out IS NOT NULL)
                               AS p90_hours,
                           AVG(%(breach_share)s) AS breach_rate
                      FROM sales_process_stage_history history
                      JOIN crm_stage stage ON stage.id = history.crm_stage_id
                     WHERE history.lead_id IS NOT NULL
                     GROUP BY history.company_id, history.team_id,
                              history.crm_stage_id
                ), judged AS (
                    SELECT stage_figures.id,
                           stage_figures.company_id,
                           stage_figures.team_id,
                           stage_figures.crm_stage_id,
                           stage_figures.lead_count,
                           stage_figures.lost_count,
                           stage_figures.decided_count,
                           stage_figures.left_count,
                           stage_figures.reached_next_rate,
                           stage_figures.median_hours,
                           stage_figures.p90_hours,
                           stage_figures.breach_rate,
                           stage.sequence AS stage_sequence
                      FROM stage_figures
                      JOIN crm_stage stage ON stage.id = stage_figures.crm_stage_id
                ), ranked AS (
                    SELECT judged.*,
                           RANK() OVER (
                               team ORDER BY reached_next_rate ASC NULLS LAST
                           ) AS leak_rank,
                           RANK() OVER (
                               team ORDER BY median_hours DESC NULLS LAST
                           ) AS slow_rank,
                           -- a stage is the worst only when another is better
                           MAX(reached_next_rate) OVER team > reached_next_rate
                               AS leaks_more,
                           MIN(median_hours) OVER team < median_hours
                               AS slower
                      FROM judged
                    WINDOW team AS (PARTITION BY company_id, team_id)
                )
                SELECT id,
                       company_id,
                       team_id,
                       crm_stage_id,
                       stage_sequence,
                       lead_count,
                       lost_count,
                       decided_count,
                       left_count,
                       reached_next_rate,
                       median_hours,
                       p90_hours,
                       breach_rate,
                       leak_rank = 1 AND COALESCE(leaks_more, FALSE) AS is_leakiest,
                       slow_rank = 1 AND COALESCE(slower, FALSE) AS is_slowest,
                       (leak_rank = 1 AND COALESCE(leaks_more, FALSE))
                           OR (slow_rank = 1 AND COALESCE(slower, FALSE))
                           AS is_bottleneck
                  FROM ranked
                )
                """,
                view=SQL.identifier(self._table),
                entry=metrics.is_entry("history"),
                lost=metrics.is_lost_in_stage("history", "stage"),
                conversion=metrics.conversion_outcome("history", "stage"),
                breach_share=metrics.breach_share("history"),
            )
        )
