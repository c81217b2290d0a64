# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class SalesProcessCachedConfigMixin(models.AbstractModel):
    """Configuration the automation keeps in the registry cache (``ormcache``
    methods): creating, changing or deleting it clears the cache, in every
    worker."""

    _name = "sales.process.cached.config.mixin"
    _description = "Configuration Kept in the Registry Cache"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._changes_cached_config(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    def _changes_cached_config(self, vals):
        """Whether writing ``vals`` changes what the cache holds."""
        return True
