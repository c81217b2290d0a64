# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class SalesProcessWorkingTimeCacheMixin(models.AbstractModel):
    """Clear the cached work intervals when working hours may have changed."""

    _name = "sales.process.working.time.cache.mixin"
    _description = "Working Time Cache Invalidation"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._clear_working_time_cache()
        return records

    def write(self, vals):
        self._clear_working_time_cache()
        result = super().write(vals)
        self._clear_working_time_cache()
        return result

    def unlink(self):
        self._clear_working_time_cache()
        return super().unlink()

    def _clear_working_time_cache(self):
        if self._changes_working_time():
            self.env.registry.clear_cache()

    def _changes_working_time(self):
        return bool(self)
