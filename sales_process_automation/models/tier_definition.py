# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    @api.model
    def _get_tier_validation_model_names(self):
        return [
            *super()._get_tier_validation_model_names(),
            "sales.process.complex.request",
            "sales.process.stage.skip.request",
        ]
