# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


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
    contract_chain_ids = fields.One2many(
        "sales.process.contract.chain", "order_id", string="Contract Chain"
    )
    contract_step_ids = fields.One2many(
        related="contract_chain_ids.step_ids", string="Contract Steps"
    )
    contract_chain_state = fields.Selection(
        related="contract_chain_ids.state", string="Contract Chain Status"
    )

    def action_confirm(self):
        result = super().action_confirm()
        signed = self.filtered("signature")
        if signed:
            trigger = (
                "portal_signature" if self.env.user.share else "signed_confirmation"
            )
            signed._contract_chain_start(trigger)
        return result

    def _contract_chain_start(self, trigger):
        """Invoice, notify, follow up and hand over the signed orders, once."""
        orders = self.filtered(lambda order: order.state == "sale")
        if not orders or self.env.context.get("sales_process_contract_chain_running"):
            return
        # sudo: the chain acts for the company (invoice, ticket, finance
        # activities) whoever signed or confirmed: a customer, a rep
        Chain = self.env["sales.process.contract.chain"].sudo()
        Chain._for_orders(orders, trigger)._run()

    def action_retry_contract_chain(self):
        chains = self.contract_chain_ids.filtered(lambda chain: chain.state == "failed")
        if not chains:
            raise UserError(
                self.env._("There is no failed contract chain to retry here.")
            )
        # sudo: see _contract_chain_start
        chains.sudo()._for_orders(chains.order_id, chains[0].trigger)._run()
        return True
