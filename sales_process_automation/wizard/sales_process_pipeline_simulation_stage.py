# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SalesProcessPipelineSimulationStage(models.TransientModel):
    """What was measured in one stage, and what the simulation used."""

    _name = "sales.process.pipeline.simulation.stage"
    _description = "Pipeline Simulation: Measured Stage"
    _order = "sequence, id"

    simulation_id = fields.Many2one(
        "sales.process.pipeline.simulation", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade")
    entries = fields.Integer(
        string="Entered",
        help="Times a lead entered the stage in the period (stage history rows).",
    )
    advanced_count = fields.Integer(
        string="Moved On", help="Entries that moved on to a later stage or were won."
    )
    won_count = fields.Integer(string="Won From Here")
    lost_count = fields.Integer(
        string="Lost", help="Entries whose lead was lost (archived) in the stage."
    )
    open_entries = fields.Integer(
        string="Still There",
        help="Entries still in the stage, or that went back to an earlier stage: "
        "they count neither as moved on nor as lost.",
    )
    conversion = fields.Float(
        string="Conversion (%)",
        digits=(16, 1),
        help="Moved on / (moved on + lost).",
    )
    duration_samples = fields.Integer(
        string="Measured Times",
        help="Times spent in the stage by the entries that moved on: the "
        "simulation draws from them.",
    )
    mean_days = fields.Float(digits=(16, 2), help="Calendar days spent in the stage.")
    median_days = fields.Float(digits=(16, 2))
    open_count = fields.Integer(
        string="Open Leads", help="Leads in the stage now, simulated from it."
    )
    throughput = fields.Float(
        string="Passed On per Day",
        digits=(16, 3),
        help="Conversion rate divided by the mean days in the stage: the stage "
        "with the lowest value limits the throughput of the pipeline.",
    )
    is_limiting = fields.Boolean(string="Limits Throughput")
    whatif_conversion = fields.Float(string="What-if Conversion (%)", digits=(16, 1))
    whatif_mean_days = fields.Float(string="What-if Mean Days", digits=(16, 2))
    whatif_throughput = fields.Float(string="What-if Passed On per Day", digits=(16, 3))
    whatif_is_limiting = fields.Boolean(string="Limits What-if Throughput")
