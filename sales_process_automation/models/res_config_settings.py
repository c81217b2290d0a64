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
    sales_process_breach_notify_managers = fields.Boolean(
        related="company_id.sales_process_breach_notify_managers", readonly=False
    )
    sales_process_reminder_cc_leader = fields.Boolean(
        related="company_id.sales_process_reminder_cc_leader", readonly=False
    )
    sales_process_digest_user_ids = fields.Many2many(
        related="company_id.sales_process_digest_user_ids", readonly=False
    )
