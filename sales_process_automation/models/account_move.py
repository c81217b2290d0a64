# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    sales_process_contract_chain_ids = fields.Many2many(
        "sales.process.contract.chain",
        "sales_process_contract_chain_invoice_rel",
        "move_id",
        "chain_id",
        string="Contract Chains",
        readonly=True,
        copy=False,
    )
