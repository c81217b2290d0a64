# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResourceCalendarLeaves(models.Model):
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "sales.process.working.time.cache.mixin"]

    def _changes_working_time(self):
        # a person's time off does not change the working hours of a team
        return any(not leave.resource_id for leave in self)
