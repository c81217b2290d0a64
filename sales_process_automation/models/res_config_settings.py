# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_process_complex_threshold = fields.Float(
        related="company_id.sales_process_complex_threshold", readonly=False
    )
    sales_process_stalled_days = fields.Integer(
        related="company_id.sales_process_stalled_days", readonly=False
    )
    sales_process_contract_chain_sync = fields.Boolean(
        related="company_id.sales_process_contract_chain_sync", readonly=False
    )
