# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """The hours of a working day of each company of the user: the web
        client tells working hours in working days and hours ("2 d 3 h")."""
        info = super().session_info()
        if self.env.user._is_internal():
            info["sales_process_hours_per_day"] = {
                company.id: company.resource_calendar_id.hours_per_day or 8.0
                for company in self.env.user.company_ids
            }
        return info
