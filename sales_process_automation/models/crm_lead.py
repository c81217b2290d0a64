# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = [
        "crm.lead",
        "sales.process.stage.tracking.mixin",
        "sales.process.assignment.mixin",
    ]

    _stage_history_field = "stage_id"
    _stage_history_link = "lead_id"
    _stage_history_stage_column = "crm_stage_id"
    _stage_history_entry_date_field = "date_last_stage_update"

    stage_history_ids = fields.One2many(
        "sales.process.stage.history",
        "lead_id",
        string="Stage History",
        groups="sales_process_automation.group_user",
    )

    def _assignment_open_domain(self):
        return [("probability", "<", 100)]

    def write(self, vals):
        result = super().write(vals)
        if vals.get("stage_id"):
            stage = self.env["crm.stage"].browse(vals["stage_id"])
            if stage.is_contract_signed:
                self.order_ids._contract_chain_start("crm_stage")
        return result
