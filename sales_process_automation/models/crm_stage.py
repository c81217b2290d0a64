# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    is_contract_signed = fields.Boolean(
        string="Contract Signed",
        help="An opportunity reaching this stage with a confirmed order starts "
        "the contract-to-invoice chain of that order.",
    )
    sales_process_mandatory = fields.Boolean(
        string="Mandatory Stage",
        help="Opportunities cannot move past this stage without entering it, "
        "unless a sales manager approves the skip.",
    )
