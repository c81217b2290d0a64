# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sales.process.stage.tracking.mixin"]

    _stage_history_field = "state"
    _stage_history_link = "order_id"
    _stage_history_stage_column = "order_state"
    _stage_history_entry_date_field = "date_order"

    stage_history_ids = fields.One2many(
        "sales.process.stage.history",
        "order_id",
        string="Stage History",
        groups="sales_process_automation.group_user",
    )
