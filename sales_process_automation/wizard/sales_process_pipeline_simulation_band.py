# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

SERIES = [
    ("baseline_p10", "Baseline P10"),
    ("baseline_p50", "Baseline P50"),
    ("baseline_p90", "Baseline P90"),
    ("whatif_p10", "What-if P10"),
    ("whatif_p50", "What-if P50"),
    ("whatif_p90", "What-if P90"),
]


class SalesProcessPipelineSimulationBand(models.TransientModel):
    """One percentile of one scenario in one week or month: a point of a band.

    The chart draws a line per series, so that the P10 and P90 lines of each
    scenario frame its P50.
    """

    _name = "sales.process.pipeline.simulation.band"
    _description = "Pipeline Simulation: Band Point"
    _order = "bucket_start, series, id"

    simulation_id = fields.Many2one(
        "sales.process.pipeline.simulation", required=True, ondelete="cascade"
    )
    series = fields.Selection(SERIES, required=True)
    bucket_start = fields.Date(string="From", required=True)
    bucket = fields.Char(string="Period", required=True)
    currency_id = fields.Many2one(related="simulation_id.currency_id")
    won_count = fields.Float(string="Won", digits=(16, 0), aggregator="sum")
    revenue = fields.Monetary(string="Won Revenue", aggregator="sum")
