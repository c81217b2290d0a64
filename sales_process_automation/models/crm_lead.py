# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "sales.process.stage.tracking.mixin"]

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
