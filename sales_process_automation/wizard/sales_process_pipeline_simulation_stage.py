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
        string="Entries (Leads)",
        help="Leads that entered the stage in the period; a lead back in a stage "
        "it already entered is not counted again.",
    )
    advanced_count = fields.Integer(
        string="Moved On", help="Entries whose lead reached a further stage."
    )
    won_count = fields.Integer(string="Won From Here")
    lost_count = fields.Integer(
        string="Lost", help="Leads lost (archived) in the stage."
    )
    open_entries = fields.Integer(
        string="Still There",
        help="Entries still in the stage: the conversion does not count them.",
    )
    conversion = fields.Float(
        string="Conversion (%)",
        digits=(16, 0),
        help="Among the decided entries (reached a further stage, lost in the "
        "stage or went back), the share that reached a further stage: the "
        "conversion of the funnel and bottleneck analyses.",
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
