# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import numpy as np

from odoo.tests import BaseCase, tagged

from odoo.addons.sales_process_automation.tools.pipeline_simulation import (
    PRIOR_ENTRIES,
    Pipeline,
    measured_odds,
    simulate,
    what_if,
)


@tagged("post_install", "-at_install")
class TestForecastOdds(BaseCase):
    """Open leads move on with the odds of the leads that were where they are."""

    # ten decided entries of a stage: the quick ones (1 and 2 days) moved on,
    # of the slow ones (10 days) one in four did; the slow ones breached
    ENTRIES = (
        [1.0] * 3 + [2.0] * 3 + [10.0] * 4,
        [True] * 6 + [True] + [False] * 3,
        [False] * 6 + [True] * 4,
    )

    def test_aged_and_breached_leads_get_their_measured_odds(self):
        stage_rate = 0.7
        odds = measured_odds(
            self.ENTRIES, [0.0, 5.0, 5.0], [False, False, True], stage_rate
        )
        # fresh: all ten entries count, 7 moved on
        self.assertAlmostEqual(
            odds[0], (7 + PRIOR_ENTRIES * stage_rate) / (10 + PRIOR_ENTRIES)
        )
        # five days in: only the four slow entries stayed as long, one moved on
        self.assertAlmostEqual(
            odds[1], (1 + PRIOR_ENTRIES * stage_rate) / (4 + PRIOR_ENTRIES)
        )
        # breached: the breached entries that stayed as long
        self.assertAlmostEqual(odds[2], odds[1])
        self.assertLess(odds[1], odds[0])
        # past every measured stay: the stage's conversion
        self.assertAlmostEqual(
            measured_odds(self.ENTRIES, [20.0], [False], stage_rate)[0], stage_rate
        )

    def test_open_records_move_on_with_their_own_odds(self):
        """1,000 records in a one-stage pipeline: half with odds 1, half 0."""
        odds = np.repeat([1.0, 0.0], 500)
        pipeline = Pipeline(
            conversions=(0.5,),
            durations=([1.0],),
            open_stages=np.zeros(1000, dtype=int),
            open_revenues=np.where(odds > 0, 10.0, 1000.0),
            open_conversions=odds,
        )
        bands = simulate(pipeline, [0, 7], runs=20, seed=1).bands()
        # exactly the records with odds 1 are won, with their own revenue
        self.assertEqual(list(bands["total_count"]), [500.0] * 3)
        self.assertEqual(list(bands["total_revenue"]), [5000.0] * 3)
        # a what-if on the stage scales the odds of its open records
        halved = what_if(pipeline, stage=0, conversion=0.25)
        self.assertEqual(list(np.unique(halved.open_conversions)), [0.0, 0.5])

    def test_odds_must_be_shares(self):
        with self.assertRaises(ValueError):
            Pipeline(
                conversions=(0.5,),
                durations=([1.0],),
                open_stages=[0],
                open_conversions=[1.5],
            )
