# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request

from odoo.addons.sale.controllers.portal import CustomerPortal


class SalesProcessCustomerPortal(CustomerPortal):
    @http.route()
    def portal_quote_accept(
        self, order_id, access_token=None, name=None, signature=None
    ):
        # the route confirms the order as superuser: its contract chain is
        # told here that the customer signed online (sale.order.action_confirm)
        request.update_context(sales_process_contract_trigger="portal_signature")
        return super().portal_quote_accept(
            order_id, access_token=access_token, name=name, signature=signature
        )
