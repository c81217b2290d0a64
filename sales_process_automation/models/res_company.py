# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


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

    sales_process_contract_chain_sync = fields.Boolean(
        string="Run the Contract Chain at Once",
        help="Invoice, mails and ticket of a signed contract are made during the "
        "confirmation, which waits for them, instead of by the contract chain "
        "job within seconds.",
    )

    _sales_process_stalled_days_positive = models.Constraint(
        "CHECK(sales_process_stalled_days > 0)",
        "A lead can only be stalled after at least one day.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["sales.process.contract.policy"]._create_defaults(companies)
        return companies

    @api.constrains("sales_process_complex_threshold")
    def _check_sales_process_complex_threshold(self):
        for company in self:
            if not 0 < company.sales_process_complex_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the complex opportunity alert is a share of "
                        "a rep's opportunities, above 0%% and at most 100%%, not "
                        "%(percent)s%%.",
                        company=company.name,
                        percent=company.sales_process_complex_threshold,
                    )
                )
