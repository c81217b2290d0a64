# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .sales_process_contract_chain import STEPS


class SalesProcessContractStep(models.Model):
    """The result of one step of a contract chain, with what it made."""

    _name = "sales.process.contract.step"
    _description = "Contract Chain Step"
    _order = "chain_id, sequence, id"

    chain_id = fields.Many2one(
        "sales.process.contract.chain",
        required=True,
        index=True,
        ondelete="cascade",
    )
    order_id = fields.Many2one(related="chain_id.order_id")
    code = fields.Selection(STEPS, string="Step", required=True, readonly=True)
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    state = fields.Selection(
        [
            ("done", "Done"),
            ("skipped", "Skipped"),
            ("waiting", "Waiting"),
            ("failed", "Failed"),
        ],
        readonly=True,
        required=True,
    )
    message = fields.Char(readonly=True)
    date = fields.Datetime(readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", readonly=True
    )

    _code_uniq = models.Constraint(
        "UNIQUE(chain_id, code)", "A chain runs each step once."
    )

    @api.depends("code")
    def _compute_sequence(self):
        order = [code for code, _label in STEPS]
        for step in self:
            step.sequence = order.index(step.code)

    def _label(self):
        self.ensure_one()
        return dict(self._fields["code"]._description_selection(self.env))[self.code]

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
