# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SalesProcessComplexReason(models.Model):
    _name = "sales.process.complex.reason"
    _description = "Complex Opportunity Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    requires_details = fields.Boolean(
        help="The rep must explain the reason in a few words (e.g. for 'Other')."
    )
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to offer the reason in every company.",
    )
