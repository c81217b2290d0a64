# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

import numpy as np
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from ..tools import metrics
from ..tools.pipeline_simulation import (
    Pipeline,
    limiting_stage,
    measured_odds,
    simulate,
    stage_throughputs,
    what_if,
)

DEFAULT_SEED = 20260101


class SalesProcessPipelineSimulation(models.TransientModel):
    """Monte Carlo simulation of the open CRM pipeline and of the leads to come.

    Conversion rates and times per stage are measured on the stage history of
    a team over a period; the wizard then simulates what the open leads and the
    expected new leads become within the horizon, as a baseline and, when a
    stage or the number of reps is changed, as a what-if.
    """

    _name = "sales.process.pipeline.simulation"
    _description = "Pipeline Simulation"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Leave empty to measure and simulate all the teams together.",
    )
    date_from = fields.Date(
        string="Measured From",
        required=True,
        default=lambda self: self._default_date_from(),
    )
    date_to = fields.Date(
        string="Measured To", required=True, default=fields.Date.context_today
    )
    horizon_weeks = fields.Integer(string="Horizon (Weeks)", required=True, default=12)
    bucket = fields.Selection(
        [("week", "Week"), ("month", "Month")],
        string="Results per",
        required=True,
        default="week",
    )
    runs = fields.Integer(required=True, default=1000)
    seed = fields.Integer(
        required=True,
        default=DEFAULT_SEED,
        help="Runs draw from a random generator started with this seed: the same "
        "inputs and seed give the same results.",
    )
    whatif_stage_id = fields.Many2one(
        "crm.stage",
        string="What-if Stage",
        domain="[('is_won', '=', False)]",
        help="The stage whose conversion or time the what-if changes.",
    )
    whatif_conversion = fields.Float(
        string="What-if Conversion (%)",
        digits=(16, 1),
        compute="_compute_whatif_conversion",
        store=True,
        readonly=False,
        help="Share of the leads of the what-if stage that move on; set to the "
        "measured one when the stage is chosen.",
    )
    whatif_duration_factor = fields.Float(
        string="What-if Time Factor",
        default=1.0,
        digits=(16, 2),
        help="Times spent in the what-if stage are multiplied by this factor: "
        "2 doubles them, 0.5 halves them.",
    )
    baseline_reps = fields.Integer(
        string="Reps",
        compute="_compute_baseline_reps",
        store=True,
        help="Members of the team (without a team: owners of open leads).",
    )
    reps = fields.Integer(
        string="What-if Reps",
        compute="_compute_reps",
        store=True,
        readonly=False,
        help="Reps share the work of every stage: with half the reps, leads "
        "spend twice the time in each stage.",
    )
    has_whatif = fields.Boolean(compute="_compute_has_whatif")
    state = fields.Selection(
        [("draft", "To Run"), ("done", "Done")], default="draft", required=True
    )
    stage_line_ids = fields.One2many(
        "sales.process.pipeline.simulation.stage", "simulation_id", string="Stages"
    )
    result_line_ids = fields.One2many(
        "sales.process.pipeline.simulation.result", "simulation_id", string="Results"
    )
    baseline_line_ids = fields.One2many(
        "sales.process.pipeline.simulation.result",
        "simulation_id",
        domain=[("scenario", "=", "baseline")],
        string="Baseline",
    )
    band_ids = fields.One2many(
        "sales.process.pipeline.simulation.band", "simulation_id", string="Bands"
    )
    whatif_line_ids = fields.One2many(
        "sales.process.pipeline.simulation.result",
        "simulation_id",
        domain=[("scenario", "=", "whatif")],
        string="What-if",
    )
    open_count = fields.Integer(string="Open Leads", readonly=True)
    new_per_week = fields.Float(
        string="New Leads per Week",
        digits=(16, 2),
        readonly=True,
        help="Leads created in the period, per week: they enter the first stage.",
    )
    won_revenue_avg = fields.Monetary(
        string="Average Won Revenue",
        readonly=True,
        help="Average expected revenue of the leads won in the period: the revenue "
        "of the new leads to come. Open leads bring their own expected revenue.",
    )
    limiting_stage_id = fields.Many2one(
        "crm.stage", string="Limiting Stage", readonly=True
    )
    whatif_limiting_stage_id = fields.Many2one(
        "crm.stage", string="What-if Limiting Stage", readonly=True
    )
    won_count_p10 = fields.Float(string="Won P10", digits=(16, 0), readonly=True)
    won_count_p50 = fields.Float(string="Won P50", digits=(16, 0), readonly=True)
    won_count_p90 = fields.Float(string="Won P90", digits=(16, 0), readonly=True)
    revenue_p10 = fields.Monetary(readonly=True)
    revenue_p50 = fields.Monetary(readonly=True)
    revenue_p90 = fields.Monetary(readonly=True)
    whatif_won_count_p10 = fields.Float(
        string="What-if Won P10", digits=(16, 0), readonly=True
    )
    whatif_won_count_p50 = fields.Float(
        string="What-if Won P50", digits=(16, 0), readonly=True
    )
    whatif_won_count_p90 = fields.Float(
        string="What-if Won P90", digits=(16, 0), readonly=True
    )
    whatif_revenue_p10 = fields.Monetary(string="What-if Revenue P10", readonly=True)
    whatif_revenue_p50 = fields.Monetary(string="What-if Revenue P50", readonly=True)
    whatif_revenue_p90 = fields.Monetary(string="What-if Revenue P90", readonly=True)

    @api.depends("team_id", "date_from", "date_to")
    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._(
                "Pipeline Simulation: %(team)s, %(start)s - %(end)s",
                team=wizard.team_id.name or self.env._("All Teams"),
                start=wizard.date_from,
                end=wizard.date_to,
            )

    @api.model
    def _default_date_from(self):
        return fields.Date.context_today(self) - relativedelta(months=6)

    @api.depends("whatif_stage_id", "team_id", "date_from", "date_to")
    def _compute_whatif_conversion(self):
        for wizard in self:
            if not wizard.whatif_stage_id or not wizard.date_from or not wizard.date_to:
                wizard.whatif_conversion = 0.0
                continue
            measured = wizard._measure_history(wizard.whatif_stage_id)
            wizard.whatif_conversion = measured.get(wizard.whatif_stage_id.id, {}).get(
                "conversion", 0.0
            )

    @api.depends("team_id")
    def _compute_baseline_reps(self):
        for wizard in self:
            if wizard.team_id:
                wizard.baseline_reps = max(len(wizard.team_id.member_ids), 1)
            else:
                owners = self.env["crm.lead"]._read_group(
                    [
                        ("company_id", "in", [wizard.company_id.id, False]),
                        ("won_status", "=", "pending"),
                        ("user_id", "!=", False),
                    ],
                    aggregates=["user_id:count_distinct"],
                )
                wizard.baseline_reps = max(owners[0][0], 1)

    @api.depends("baseline_reps")
    def _compute_reps(self):
        for wizard in self:
            wizard.reps = wizard.baseline_reps

    @api.depends("whatif_stage_id", "reps", "baseline_reps")
    def _compute_has_whatif(self):
        for wizard in self:
            wizard.has_whatif = bool(wizard.whatif_stage_id) or (
                wizard.reps != wizard.baseline_reps
            )

    @api.constrains("date_from", "date_to", "horizon_weeks", "runs")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._("The measured period must end after it starts.")
                )
            if not 1 <= wizard.horizon_weeks <= 104:
                raise ValidationError(
                    self.env._("The horizon is between 1 and 104 weeks.")
                )
            if not 1 <= wizard.runs <= 100000:
                raise ValidationError(
                    self.env._("The number of runs is between 1 and 100,000.")
                )

    @api.constrains("whatif_conversion", "whatif_duration_factor", "reps")
    def _check_whatif(self):
        for wizard in self:
            if not 0 <= wizard.whatif_conversion <= 100:
                raise ValidationError(
                    self.env._("A conversion rate is between 0 and 100%.")
                )
            if wizard.whatif_duration_factor <= 0:
                raise ValidationError(
                    self.env._("The what-if time factor must be positive.")
                )
            if wizard.reps < 1:
                raise ValidationError(self.env._("The what-if needs at least one rep."))

    def action_run(self):
        """Measure the inputs, simulate the baseline and the what-if, keep both."""
        self.ensure_one()
        stages = self._stages()
        measured = self._measure_history(stages)
        if not any(values["entries"] for values in measured.values()):
            raise UserError(
                self.env._(
                    "No lead entered a stage of this pipeline in the measured "
                    "period: there is nothing to measure the simulation on."
                )
            )
        open_stages, open_ages, open_revenues, open_breached = self._measure_open(
            stages
        )
        new_per_week, won_revenue_avg = self._measure_flows()
        durations = [measured[stage.id]["durations"] or [0.0] for stage in stages]
        conversions = [measured[stage.id]["conversion"] / 100 for stage in stages]
        # each open lead moves on with the odds of the leads that stayed as
        # long in its stage (and breached its deadline there, if it did)
        open_conversions = np.zeros(len(open_stages))
        for index, stage in enumerate(stages):
            members = np.flatnonzero(open_stages == index)
            if len(members):
                open_conversions[members] = measured_odds(
                    measured[stage.id]["decided"],
                    open_ages[members],
                    open_breached[members],
                    conversions[index],
                )
        baseline = Pipeline(
            conversions=tuple(conversions),
            durations=tuple(durations),
            open_stages=open_stages,
            open_ages=open_ages,
            open_revenues=open_revenues,
            open_conversions=open_conversions,
            arrivals_per_week=new_per_week,
            arrival_revenue=won_revenue_avg,
        )
        if self.whatif_stage_id and self.whatif_stage_id not in stages:
            raise UserError(
                self.env._(
                    "The stage %(stage)s is not in the pipeline of this team.",
                    stage=self.whatif_stage_id.name,
                )
            )
        scenarios = {"baseline": baseline}
        if self.has_whatif:
            scenarios["whatif"] = what_if(
                baseline,
                stage=list(stages).index(self.whatif_stage_id)
                if self.whatif_stage_id
                else None,
                conversion=self.whatif_conversion / 100,
                duration_factor=self.whatif_duration_factor,
                reps=self.reps,
                baseline_reps=self.baseline_reps,
            )
        starts, edges = self._buckets()
        values = {
            "state": "done",
            "open_count": len(open_stages),
            "new_per_week": new_per_week,
            "won_revenue_avg": won_revenue_avg,
            "stage_line_ids": [Command.clear()],
            "result_line_ids": [Command.clear()],
            "band_ids": [Command.clear()],
            # a what-if of an earlier run does not stay
            "whatif_limiting_stage_id": False,
            **{
                f"whatif_{measure}_{name}": 0.0
                for measure in ("won_count", "revenue")
                for name in ("p10", "p50", "p90")
            },
        }
        throughputs, limits = {}, {}
        for scenario, pipeline in scenarios.items():
            # the same seed for both: they differ by their inputs only
            bands = simulate(pipeline, edges, self.runs, self.seed).bands()
            prefix = "" if scenario == "baseline" else "whatif_"
            for index, name in enumerate(("p10", "p50", "p90")):
                values[f"{prefix}won_count_{name}"] = float(bands["total_count"][index])
                values[f"{prefix}revenue_{name}"] = float(bands["total_revenue"][index])
            values["result_line_ids"] += self._result_commands(scenario, starts, bands)
            values["band_ids"] += self._band_commands(scenario, starts, bands)
            throughputs[scenario] = stage_throughputs(pipeline)
            limits[scenario] = limiting_stage(pipeline)
            values[f"{prefix}limiting_stage_id"] = stages[limits[scenario]].id
        values["stage_line_ids"] += self._stage_commands(
            stages, measured, open_stages, scenarios, throughputs, limits
        )
        self.write(values)
        return True

    def action_open_chart(self):
        """The P10 / P50 / P90 bands of both scenarios, as a chart and a pivot."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_automation.sales_process_pipeline_simulation_band_action"
        )
        action["domain"] = [("simulation_id", "=", self.id)]
        # weeks or months in time order, named by Odoo ("W40 2026")
        action["context"] = {"group_by": [f"bucket_start:{self.bucket}", "series"]}
        return action

    def _stages(self):
        """The stages of the pipeline, in order; won stages end it."""
        domain = [("is_won", "=", False)]
        if self.team_id:
            domain += [
                "|",
                ("team_ids", "=", False),
                ("team_ids", "in", self.team_id.ids),
            ]
        stages = self.env["crm.stage"].search(domain, order="sequence, id")
        if not stages:
            raise UserError(self.env._("The pipeline has no stage to simulate."))
        return stages

    def _history_filter(self, alias):
        """SQL condition on the stage history rows of the team and company.

        Only the rows the user may read count: a manager measures the teams
        they lead or belong to (record rules of the stage history).
        """
        domain = [
            ("res_model", "=", "crm.lead"),
            ("company_id", "in", [self.company_id.id, False]),
        ]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        readable = self.env["sales.process.stage.history"]._search(domain)
        return SQL("%s.id IN %s", SQL.identifier(alias), readable.subselect())

    def _measure_history(self, stages):
        """Per stage id: entries, moved on, won, lost, conversion (%) and times.

        One query, with the definitions of ``tools/metrics.py``: the entries
        of a stage in the period are the first times a lead entered it; the
        conversion is the share of the decided entries whose lead reached a
        further stage, the one the funnel and the bottleneck analyses show.
        Won: entries whose lead entered a won stage next. Times are the
        calendar days spent by the entries that moved on.
        """
        self.env["sales.process.stage.history"].flush_model()
        self.env["crm.stage"].flush_model(["is_won"])
        self.env["crm.lead"].flush_model(["date_closed"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH entries AS (
                    SELECT history.*,
                           LEAD(history.crm_stage_id) OVER (
                               PARTITION BY history.lead_id
                               ORDER BY history.date_in, history.id
                           ) AS next_stage_id
                      FROM sales_process_stage_history AS history
                     WHERE %(filter)s
                ), outcomes AS (
                    SELECT entries.crm_stage_id, entries.calendar_hours,
                           %(entry)s AS entry,
                           %(conversion)s AS conversion,
                           %(lost)s AS lost,
                           COALESCE(next.is_won, FALSE) AS won,
                           COALESCE(%(breach)s, FALSE) AS breached,
                           EXTRACT(EPOCH FROM COALESCE(
                               entries.date_out, lead.date_closed, %(now)s
                           ) - entries.date_in) / 86400.0 AS days
                      FROM entries
                      JOIN crm_lead AS lead ON lead.id = entries.lead_id
                      JOIN crm_stage AS stage ON stage.id = entries.crm_stage_id
                 LEFT JOIN crm_stage AS next ON next.id = entries.next_stage_id
                     WHERE entries.crm_stage_id = ANY(%(stage_ids)s)
                       AND entries.date_in >= %(date_from)s
                       AND entries.date_in < %(date_to)s
                )
                SELECT crm_stage_id,
                       COUNT(*) FILTER (WHERE entry),
                       COUNT(*) FILTER (WHERE conversion = 100.0),
                       COUNT(conversion),
                       COUNT(*) FILTER (WHERE entry AND won),
                       COUNT(*) FILTER (WHERE lost),
                       ARRAY_AGG(calendar_hours / 24.0)
                           FILTER (WHERE conversion = 100.0),
                       ARRAY_AGG(days) FILTER (WHERE conversion IS NOT NULL),
                       ARRAY_AGG(conversion = 100.0)
                           FILTER (WHERE conversion IS NOT NULL),
                       ARRAY_AGG(breached) FILTER (WHERE conversion IS NOT NULL)
                  FROM outcomes
              GROUP BY crm_stage_id
                """,
                filter=self._history_filter("history"),
                entry=metrics.is_entry("entries"),
                conversion=metrics.conversion_outcome("entries", "stage"),
                lost=metrics.is_lost_in_stage("entries", "stage"),
                breach=metrics.is_breach_in_history("entries"),
                now=fields.Datetime.now(),
                stage_ids=stages.ids,
                date_from=self.date_from,
                date_to=self.date_to + timedelta(days=1),
            )
        )
        measured = {
            stage_id: {
                "entries": 0,
                "advanced": 0,
                "decided_count": 0,
                "won": 0,
                "lost": 0,
                "conversion": 0.0,
                "durations": [],
                "decided": ([], [], []),
            }
            for stage_id in stages.ids
        }
        for (
            stage_id,
            entries,
            advanced,
            decided,
            won,
            lost,
            durations,
            *decided_entries,
        ) in rows:
            measured[stage_id] = {
                "entries": entries,
                "advanced": advanced,
                "decided_count": decided,
                "won": won,
                "lost": lost,
                "conversion": metrics.conversion_rate(advanced, decided) or 0.0,
                "durations": [duration or 0.0 for duration in durations or []],
                # (days, converted, breached) of each decided entry
                "decided": tuple(values or [] for values in decided_entries),
            }
        return measured

    def _measure_open(self, stages):
        """Stage index, days already spent there, expected revenue (each lead's
        own, none when it has none) and whether the deadline of the stage
        passed, of the open leads.

        One query on the open history rows of active leads still to be won,
        among the rows the user may read (``_history_filter``).
        """
        self.env["crm.lead"].flush_model(
            ["active", "won_status", "expected_revenue", "team_id", "company_id"]
        )
        condition = SQL(
            "lead.company_id = %s OR lead.company_id IS NULL", self.company_id.id
        )
        if self.team_id:
            condition = SQL("(%s) AND lead.team_id = %s", condition, self.team_id.id)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT history.crm_stage_id,
                       EXTRACT(EPOCH FROM %(now)s - history.date_in) / 86400.0,
                       COALESCE(lead.expected_revenue, 0.0),
                       COALESCE(%(breached)s, FALSE)
                  FROM sales_process_stage_history AS history
                  JOIN crm_lead AS lead ON lead.id = history.lead_id
                 WHERE history.date_out IS NULL
                   AND history.crm_stage_id = ANY(%(stage_ids)s)
                   AND lead.active AND lead.won_status = 'pending'
                   AND (%(condition)s)
                   AND %(filter)s
                """,
                now=fields.Datetime.now(),
                stage_ids=stages.ids,
                condition=condition,
                filter=self._history_filter("history"),
                breached=metrics.is_open_breach("history"),
            )
        )
        index = {stage_id: position for position, stage_id in enumerate(stages.ids)}
        return (
            np.array([index[row[0]] for row in rows], dtype=np.intp),
            np.array([max(float(row[1]), 0.0) for row in rows]),
            np.array([float(row[2]) for row in rows]),
            np.array([row[3] for row in rows], dtype=bool),
        )

    def _measure_flows(self):
        """New leads per week and average revenue of the leads won in the period.

        A lead is new when it entered its first stage in the period.
        """
        start = fields.Datetime.to_datetime(self.date_from)
        stop = fields.Datetime.to_datetime(self.date_to + timedelta(days=1))
        [(created,)] = self.env.execute_query(
            SQL(
                """
                SELECT COUNT(*)
                  FROM (
                      SELECT MIN(history.date_in) AS first_in
                        FROM sales_process_stage_history AS history
                       WHERE %(filter)s
                    GROUP BY history.lead_id
                  ) AS leads
                 WHERE first_in >= %(start)s AND first_in < %(stop)s
                """,
                filter=self._history_filter("history"),
                start=start,
                stop=stop,
            )
        )
        domain = [
            ("company_id", "in", [self.company_id.id, False]),
            ("won_status", "=", "won"),
            ("date_closed", ">=", start),
            ("date_closed", "<", stop),
        ]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        [(won_revenue,)] = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            ._read_group(domain, aggregates=["expected_revenue:avg"])
        )
        weeks = ((self.date_to - self.date_from).days + 1) / 7
        return created / weeks, won_revenue or 0.0

    def _buckets(self):
        """Start date of each week or month of the horizon, and its edges in days."""
        today = fields.Date.context_today(self)
        end = today + timedelta(weeks=self.horizon_weeks)
        starts = [today]
        while True:
            if self.bucket == "week":
                following = starts[-1] + timedelta(weeks=1)
            else:
                following = starts[-1].replace(day=1) + relativedelta(months=1)
            if following >= end:
                break
            starts.append(following)
        edges = [(start - today).days for start in starts] + [(end - today).days]
        return starts, edges

    def _bucket_label(self, start):
        """ "Week 40 (Sep 29)" or "October 2026", in the user's language."""
        if self.bucket == "week":
            return self.env._(
                "Week %(week)s (%(day)s)",
                week=start.isocalendar().week,
                day=format_date(self.env, start, date_format="MMM d"),
            )
        return format_date(self.env, start, date_format="MMMM y")

    def _band_commands(self, scenario, starts, bands):
        return [
            Command.create(
                {
                    "series": f"{scenario}_{name}",
                    "bucket_start": start,
                    "bucket": self._bucket_label(start),
                    "won_count": float(bands["count"][position, index]),
                    "revenue": float(bands["revenue"][position, index]),
                }
            )
            for index, start in enumerate(starts)
            for position, name in enumerate(("p10", "p50", "p90"))
        ]

    def _result_commands(self, scenario, starts, bands):
        commands = []
        for index, start in enumerate(starts):
            count, revenue = bands["count"][:, index], bands["revenue"][:, index]
            values = {
                "scenario": scenario,
                "bucket_start": start,
                "bucket": self._bucket_label(start),
                "won_count_mean": bands["count_mean"][index],
                "revenue_mean": bands["revenue_mean"][index],
            }
            for position, name in enumerate(("p10", "p50", "p90")):
                values[f"won_count_{name}"] = count[position]
                values[f"revenue_{name}"] = revenue[position]
            commands.append(
                Command.create({key: _plain(value) for key, value in values.items()})
            )
        return commands

    def _stage_commands(
        self, stages, measured, open_stages, scenarios, throughputs, limits
    ):
        open_counts = np.bincount(open_stages, minlength=len(stages))
        whatif = scenarios.get("whatif")
        commands = []
        for index, stage in enumerate(stages):
            values = measured[stage.id]
            durations = values["durations"]
            line = {
                "sequence": index,
                "stage_id": stage.id,
                "entries": values["entries"],
                "advanced_count": values["advanced"],
                "won_count": values["won"],
                "lost_count": values["lost"],
                "open_entries": values["entries"] - values["decided_count"],
                "conversion": values["conversion"],
                "duration_samples": len(durations),
                "mean_days": float(np.mean(durations)) if durations else 0.0,
                "median_days": float(np.median(durations)) if durations else 0.0,
                "open_count": int(open_counts[index]),
                "throughput": _finite(throughputs["baseline"][index]),
                "is_limiting": index == limits["baseline"],
            }
            if whatif:
                line.update(
                    {
                        "whatif_conversion": 100 * whatif.conversions[index],
                        "whatif_mean_days": float(whatif.durations[index].mean()),
                        "whatif_throughput": _finite(throughputs["whatif"][index]),
                        "whatif_is_limiting": index == limits["whatif"],
                    }
                )
            commands.append(Command.create(line))
        return commands


def _plain(value):
    """A numpy number as the Python number the ORM expects."""
    return value.item() if isinstance(value, np.generic) else value


def _finite(value):
    """A throughput for display: a stage taking no time passes on at once."""
    return float(value) if np.isfinite(value) else 0.0
