# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SalesProcessPipelineSimulationResult(models.TransientModel):
    """Won count and revenue of one week or month of one scenario, over the runs."""

    _name = "sales.process.pipeline.simulation.result"
    _description = "Pipeline Simulation: Result"
    _order = "scenario, bucket_start, id"

    simulation_id = fields.Many2one(
        "sales.process.pipeline.simulation", required=True, ondelete="cascade"
    )
    scenario = fields.Selection(
        [("baseline", "Baseline"), ("whatif", "What-if")], required=True
    )
    bucket_start = fields.Date(string="From", required=True)
    bucket = fields.Char(string="Period", required=True)
    currency_id = fields.Many2one(related="simulation_id.currency_id")
    won_count_p10 = fields.Float(string="Won P10", digits=(16, 0))
    won_count_p50 = fields.Float(string="Won P50", digits=(16, 0))
    won_count_p90 = fields.Float(string="Won P90", digits=(16, 0))
    won_count_mean = fields.Float(string="Won (Mean)", digits=(16, 1))
    revenue_p10 = fields.Monetary()
    revenue_p50 = fields.Monetary()
    revenue_p90 = fields.Monetary()
    revenue_mean = fields.Monetary(string="Revenue (Mean)")
