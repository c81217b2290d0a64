# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

PRICE_FIELDS = {"price_unit", "discount", "product_uom_qty", "product_id"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _sales_process_list_price(self):
        """The product's list price, in the line's unit and currency."""
        self.ensure_one()
        order = self.order_id
        product = self.product_id.with_company(order.company_id)
        price = product.uom_id._compute_price(product.lst_price, self.product_uom_id)
        return product.currency_id._convert(
            price,
            order.currency_id,
            order.company_id,
            order.date_order or fields.Date.context_today(self),
        )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._sales_process_restart_price_approval()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if PRICE_FIELDS & vals.keys():
            self.order_id._sales_process_restart_price_approval()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders._sales_process_restart_price_approval()
        return result
