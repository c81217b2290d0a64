# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_process_complex_threshold = fields.Float(
        string="Complex Opportunity Alert (%)",
        default=40.0,
        help="Reps whose share of complex opportunities reaches this percentage "
        "are highlighted in the complex-opportunity report.",
    )
    sales_process_stalled_days = fields.Integer(
        string="Stalled After (Days)",
        default=14,
        help="An open lead is stalled when neither its stage nor its activities "
        "moved for this many days.",
    )

    _sales_process_stalled_days_positive = models.Constraint(
        "CHECK(sales_process_stalled_days > 0)",
        "A lead can only be stalled after at least one day.",
    )
