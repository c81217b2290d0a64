# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestPipelineSimulation(SalesProcessCommon):
    """The wizard measures a pipeline made by hand, then simulates it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.pipeline = Stage.search(
            [("team_ids", "=", False), ("is_won", "=", False)], order="sequence, id"
        )
        cls.won_stage = Stage.search([("is_won", "=", True)], limit=1)
        second, third = cls.pipeline[1:3]
        # four leads enter the first stage on Tuesday 1 September 2026
        with freeze_time("2026-09-01 10:00:00"):
            moved, lost_later, lost_first, waiting = cls._create_leads(4)
            cls._create_leads(1, team_id=cls.team_west.id, user_id=cls.rep_west.id)
        moved.expected_revenue = 1000.0
        with freeze_time("2026-09-03 10:00:00"):
            (moved | waiting).stage_id = second
            lost_first.action_set_lost()
        with freeze_time("2026-09-05 10:00:00"):
            lost_later.stage_id = second
        with freeze_time("2026-09-06 10:00:00"):
            moved.stage_id = third
        with freeze_time("2026-09-08 10:00:00"):
            lost_later.action_set_lost()
        with freeze_time("2026-09-10 10:00:00"):
            moved.stage_id = cls.won_stage
        cls.waiting = waiting
        cls.wizard_values = {
            "team_id": cls.team_east.id,
            "date_from": date(2026, 9, 1),
            "date_to": date(2026, 9, 28),
            "horizon_weeks": 4,
            "runs": 400,
        }

    def _run(self, **values):
        with freeze_time("2026-09-29 10:00:00"):
            wizard = (
                self.env["sales.process.pipeline.simulation"]
                .with_user(self.director)
                .create({**self.wizard_values, **values})
            )
            wizard.action_run()
        return wizard

    def test_measured_inputs(self):
        wizard = self._run()
        first, second, third = wizard.stage_line_ids[:3]
        self.assertEqual(wizard.stage_line_ids.stage_id, self.pipeline)
        # first stage: three moved on after 2, 2 and 4 days, one lost
        self.assertEqual(
            (first.entries, first.advanced_count, first.lost_count), (4, 3, 1)
        )
        self.assertAlmostEqual(first.conversion, 75.0)
        self.assertEqual(first.duration_samples, 3)
        self.assertAlmostEqual(first.mean_days, 8 / 3, delta=0.01)
        self.assertAlmostEqual(first.median_days, 2.0)
        # second stage: one moved on after 3 days, one lost, one still there
        self.assertEqual(
            (second.entries, second.advanced_count, second.lost_count), (3, 1, 1)
        )
        self.assertEqual(second.open_entries, 1)
        self.assertAlmostEqual(second.conversion, 50.0)
        self.assertAlmostEqual(second.mean_days, 3.0)
        self.assertEqual(second.open_count, 1)
        # third stage: won after 4 days
        self.assertEqual((third.entries, third.won_count), (1, 1))
        self.assertAlmostEqual(third.conversion, 100.0)
        self.assertAlmostEqual(third.mean_days, 4.0)
        # four new leads in four weeks; the West lead is not counted
        self.assertAlmostEqual(wizard.new_per_week, 1.0)
        self.assertAlmostEqual(wizard.won_revenue_avg, 1000.0)
        self.assertEqual(wizard.open_count, 1)
        self.assertEqual(wizard.baseline_reps, 1)
        # passed on per day: 0.75 / 2.67 = 0.28, 0.5 / 3 = 0.17, 1 / 4 = 0.25
        self.assertEqual(wizard.limiting_stage_id, second.stage_id)
        self.assertTrue(second.is_limiting)
        self.assertAlmostEqual(second.throughput, 0.5 / 3, places=3)

    def test_results_per_week_repeat_with_the_seed(self):
        wizard = self._run()
        again = self._run()
        self.assertEqual(len(wizard.baseline_line_ids), 4)
        self.assertFalse(wizard.whatif_line_ids)
        self.assertEqual(wizard.baseline_line_ids[0].bucket, "Week 40 (Sep 29)")

        def figures(run):
            return [
                (line.won_count_p10, line.won_count_p50, line.won_count_p90)
                for line in run.baseline_line_ids
            ] + [(run.revenue_p10, run.revenue_p50, run.revenue_p90)]

        self.assertEqual(figures(wizard), figures(again))
        for line in wizard.baseline_line_ids:
            self.assertLessEqual(line.won_count_p10, line.won_count_p50)
            self.assertLessEqual(line.won_count_p50, line.won_count_p90)
        # the chart draws the same percentiles, a line per series
        action = wizard.action_open_chart()
        bands = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(len(bands), 3 * 4)
        first_week = bands.filtered(lambda band: band.bucket == "Week 40 (Sep 29)")
        line = wizard.baseline_line_ids[0]
        self.assertEqual(
            sorted(first_week.mapped(lambda band: (band.series, band.revenue))),
            [
                ("baseline_p10", line.revenue_p10),
                ("baseline_p50", line.revenue_p50),
                ("baseline_p90", line.revenue_p90),
            ],
        )
        # the waiting lead, won with one chance in two, and new leads
        self.assertGreater(wizard.won_count_p90, 0)
        self.assertGreater(wizard.revenue_p90, 0)

    def test_monthly_buckets(self):
        wizard = self._run(bucket="month", horizon_weeks=8)
        self.assertEqual(
            wizard.baseline_line_ids.mapped("bucket"),
            ["September 2026", "October 2026", "November 2026"],
        )

    def test_what_if_side_by_side(self):
        second = self.pipeline[1]
        with freeze_time("2026-09-29 10:00:00"):
            with Form(
                self.env["sales.process.pipeline.simulation"].with_user(self.director)
            ) as form:
                form.team_id = self.team_east
                form.date_from = date(2026, 9, 1)
                form.date_to = date(2026, 9, 28)
                form.horizon_weeks = 8
                form.runs = 500
                form.whatif_stage_id = second
                # the measured conversion is proposed
                self.assertAlmostEqual(form.whatif_conversion, 50.0)
                form.whatif_conversion = 100.0
            wizard = form.save()
            wizard.action_run()
        self.assertEqual(len(wizard.whatif_line_ids), len(wizard.baseline_line_ids))
        self.assertGreater(
            sum(wizard.whatif_line_ids.mapped("won_count_mean")),
            sum(wizard.baseline_line_ids.mapped("won_count_mean")) * 1.3,
        )
        line = wizard.stage_line_ids.filtered(lambda line: line.stage_id == second)
        self.assertAlmostEqual(line.whatif_conversion, 100.0)
        self.assertFalse(line.whatif_is_limiting)
        # run again without the what-if: only the baseline is left
        wizard.whatif_stage_id = False
        with freeze_time("2026-09-29 10:00:00"):
            wizard.action_run()
        self.assertFalse(wizard.has_whatif)
        self.assertFalse(wizard.whatif_line_ids)
        self.assertFalse(wizard.whatif_limiting_stage_id)
        self.assertEqual(wizard.whatif_won_count_p90, 0.0)

    def test_what_if_fewer_reps_is_slower(self):
        self.team_east.member_ids |= self.rep_west
        wizard = self._run(reps=1, horizon_weeks=2, runs=1000)
        self.assertEqual(wizard.baseline_reps, 2)
        self.assertTrue(wizard.has_whatif)
        first = wizard.stage_line_ids[0]
        self.assertAlmostEqual(first.whatif_mean_days, 16 / 3, delta=0.01)
        self.assertLess(
            sum(wizard.whatif_line_ids.mapped("won_count_mean")),
            sum(wizard.baseline_line_ids.mapped("won_count_mean")),
        )

    def _queries_of_a_run(self):
        with freeze_time("2026-09-29 10:00:00"):
            wizard = self.env["sales.process.pipeline.simulation"].create(
                self.wizard_values
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            wizard.action_run()
            self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_leads(self):
        self._queries_of_a_run()
        queries = self._queries_of_a_run()
        with freeze_time("2026-09-02 10:00:00"):
            leads = self._create_leads(30)
        with freeze_time("2026-09-04 10:00:00"):
            leads[:20].stage_id = self.pipeline[1]
            leads[20:].action_set_lost()
        self.assertEqual(self._queries_of_a_run(), queries)

    def test_nothing_to_measure(self):
        with self.assertRaisesRegex(UserError, "No lead entered a stage"):
            self._run(date_from=date(2025, 1, 1), date_to=date(2025, 3, 31))

    def test_what_if_stage_outside_pipeline(self):
        other_stage = self.env["crm.stage"].create(
            {"name": "West only", "team_ids": [(6, 0, self.team_west.ids)]}
        )
        with self.assertRaisesRegex(UserError, "not in the pipeline"):
            self._run(whatif_stage_id=other_stage.id)

    def test_manager_measures_own_teams_only(self):
        stranger = new_test_user(
            self.env, login="spa_other_director", groups="sales_team.group_sale_manager"
        )
        with (
            freeze_time("2026-09-29 10:00:00"),
            self.assertRaisesRegex(UserError, "No lead entered a stage"),
        ):
            self.env["sales.process.pipeline.simulation"].with_user(stranger).create(
                self.wizard_values
            ).action_run()

    def test_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["sales.process.pipeline.simulation"].with_user(
                self.rep_east
            ).create(self.wizard_values)

    def test_open_pipeline_of_readable_leads_only(self):
        """A leader's run of all teams counts the open leads of their teams only,
        as the measured history: not another team's nor a lead without team."""
        with freeze_time("2026-09-01 10:00:00"):
            self._create_leads(1, team_id=False, user_id=False)
        first, second = self._run(team_id=False).stage_line_ids[:2]
        # the West lead and the lead without team wait in the first stage
        self.assertEqual((first.open_count, second.open_count), (0, 1))
        self.assertEqual(self.waiting.stage_id, second.stage_id)
