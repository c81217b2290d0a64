# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class SalesProcessStageHistory(models.Model):
    _inherit = "sales.process.stage.history"

    # the SLA breaches of the leads, counted by the lead analysis: read from a
    # small index instead of every stage row
    _breached_lead_index = models.Index("(lead_id) WHERE sla_status = 'breached'")
