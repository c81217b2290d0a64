# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math

import numpy as np

from odoo.tests import BaseCase, tagged

from odoo.addons.sales_process_automation.tools.pipeline_simulation import (
    Pipeline,
    limiting_stage,
    simulate,
    stage_throughputs,
    what_if,
)

WEEKS = [0, 7, 14, 21, 28]


@tagged("post_install", "-at_install")
class TestPipelineSimulationEngine(BaseCase):
    """The Monte Carlo core, on pipelines whose outcome is known."""

    def _two_stages(self, **values):
        # 1,000 records in the first stage; 2 days there, 3 in the second
        return Pipeline(
            conversions=(0.5, 0.4),
            durations=([2.0], [3.0]),
            open_stages=np.zeros(1000, dtype=int),
            open_revenues=np.full(1000, 100.0),
            **values,
        )

    def _varied(self):
        rng = np.random.default_rng(7)
        return Pipeline(
            conversions=(0.8, 0.6, 0.7),
            durations=tuple(rng.exponential(6.0, 50) for _stage in range(3)),
            open_stages=rng.integers(0, 3, 300),
            open_ages=rng.exponential(2.0, 300),
            open_revenues=rng.uniform(500, 5000, 300),
            arrivals_per_week=10,
            arrival_revenue=2000.0,
        )

    def test_same_seed_same_results(self):
        pipeline = self._varied()
        first = simulate(pipeline, WEEKS, 200, seed=11)
        again = simulate(pipeline, WEEKS, 200, seed=11)
        other = simulate(pipeline, WEEKS, 200, seed=12)
        np.testing.assert_array_equal(first.won_count, again.won_count)
        np.testing.assert_array_equal(first.won_revenue, again.won_revenue)
        self.assertFalse(np.array_equal(first.won_count, other.won_count))

    def test_mean_matches_expectation(self):
        runs = 2000
        result = simulate(self._two_stages(), WEEKS, runs, seed=3)
        # each record is won with p = 0.5 x 0.4, on day 5: first week only
        p = 0.5 * 0.4
        won = result.won_count.sum(axis=1)
        tolerance = 4 * math.sqrt(1000 * p * (1 - p) / runs)
        self.assertAlmostEqual(won.mean(), 1000 * p, delta=tolerance)
        self.assertEqual(result.won_count[:, 1:].sum(), 0)
        np.testing.assert_allclose(result.won_revenue, result.won_count * 100.0)

    def test_arrivals_mean_matches_expectation(self):
        runs = 2000
        pipeline = self._two_stages(arrivals_per_week=30, arrival_revenue=10.0)
        pipeline = Pipeline(
            conversions=pipeline.conversions,
            durations=pipeline.durations,
            arrivals_per_week=30,
            arrival_revenue=10.0,
        )
        result = simulate(pipeline, WEEKS, runs, seed=5)
        # arrivals over 4 weeks, won 5 days after arriving if before day 23
        horizon = WEEKS[-1]
        expected = 30 * horizon / 7 * (horizon - 5) / horizon * 0.2
        # Poisson arrivals thinned by a probability stay Poisson
        tolerance = 4 * math.sqrt(expected / runs)
        won = result.won_count.sum(axis=1)
        self.assertAlmostEqual(won.mean(), expected, delta=tolerance)
        self.assertAlmostEqual(won.var(), expected, delta=expected * 0.15)

    def test_open_record_keeps_time_already_spent(self):
        # spent 4 days in a stage that lasts 3 or 6: 2 days left
        pipeline = Pipeline(
            conversions=(1.0,),
            durations=([3.0, 6.0],),
            open_stages=[0],
            open_ages=[4.0],
            open_revenues=[1.0],
        )
        result = simulate(pipeline, [0, 1, 2, 3], 50, seed=1)
        np.testing.assert_array_equal(result.won_count.sum(axis=0), [0, 0, 50])
        # spent longer than any measured time: leaves the stage at once
        late = Pipeline(
            conversions=(1.0,),
            durations=([3.0],),
            open_stages=[0],
            open_ages=[9.0],
            open_revenues=[1.0],
        )
        result = simulate(late, [0, 1, 2], 50, seed=1)
        np.testing.assert_array_equal(result.won_count.sum(axis=0), [50, 0])

    def test_what_if_higher_conversion_wins_more(self):
        pipeline = self._varied()
        baseline = simulate(pipeline, WEEKS, 500, seed=1)
        better = simulate(what_if(pipeline, stage=1, conversion=0.9), WEEKS, 500, 1)
        self.assertGreater(
            better.won_count.sum(axis=1).mean(),
            baseline.won_count.sum(axis=1).mean() * 1.2,
        )

    def test_what_if_longer_stage_wins_less_within_horizon(self):
        pipeline = self._varied()
        baseline = simulate(pipeline, WEEKS, 500, seed=1)
        slower = simulate(
            what_if(pipeline, stage=2, duration_factor=3.0), WEEKS, 500, seed=1
        )
        self.assertLess(
            slower.won_count.sum(axis=1).mean(),
            baseline.won_count.sum(axis=1).mean() * 0.9,
        )

    def test_what_if_fewer_reps_wins_less_and_later(self):
        pipeline = self._two_stages()
        baseline = simulate(pipeline, WEEKS, 300, seed=1)
        # half the reps: 4 and 6 days, won on day 10, in the second week
        fewer = simulate(what_if(pipeline, reps=2, baseline_reps=4), WEEKS, 300, seed=1)
        self.assertEqual(baseline.won_count[:, 0].sum(), baseline.won_count.sum())
        self.assertEqual(fewer.won_count[:, 1].sum(), fewer.won_count.sum())
        # with stages ten times longer, nothing is won within four weeks
        fewest = simulate(
            what_if(pipeline, reps=1, baseline_reps=10), WEEKS, 300, seed=1
        )
        self.assertEqual(fewest.won_count.sum(), 0)

    def test_what_if_leaves_baseline_alone(self):
        pipeline = self._two_stages()
        changed = what_if(pipeline, stage=0, conversion=0.9, duration_factor=2.0)
        self.assertEqual(pipeline.conversions, (0.5, 0.4))
        self.assertEqual(changed.conversions, (0.9, 0.4))
        np.testing.assert_array_equal(pipeline.durations[0], [2.0])
        np.testing.assert_array_equal(changed.durations[0], [4.0])

    def test_limiting_stage(self):
        # passed on per day: 0.5 / 2 = 0.25, 0.4 / 3 = 0.13
        pipeline = self._two_stages()
        np.testing.assert_allclose(stage_throughputs(pipeline), [0.25, 0.4 / 3])
        self.assertEqual(limiting_stage(pipeline), 1)
        self.assertEqual(limiting_stage(what_if(pipeline, stage=0, conversion=0.2)), 0)

    def test_bands(self):
        result = simulate(self._varied(), WEEKS, 400, seed=2)
        bands = result.bands()
        p10, p50, p90 = bands["total_count"]
        self.assertLessEqual(p10, p50)
        self.assertLessEqual(p50, p90)
        self.assertLess(p10, p90)
        self.assertEqual(bands["revenue"].shape, (3, 4))

    def test_invalid_inputs(self):
        with self.assertRaises(ValueError):
            Pipeline(conversions=(1.2,), durations=([1.0],))
        with self.assertRaises(ValueError):
            Pipeline(conversions=(0.5,), durations=([],))
        with self.assertRaises(ValueError):
            Pipeline(conversions=(0.5,), durations=([1.0],), open_stages=[1])
        with self.assertRaises(ValueError):
            simulate(self._two_stages(), [0], 10, seed=1)
