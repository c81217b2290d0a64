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
