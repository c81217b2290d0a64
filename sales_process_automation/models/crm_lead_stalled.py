# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .sales_process_lead_report import STALLED_DEPENDS, stalled_condition


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sales_process_stalled = fields.Boolean(
        string="Stalled",
        compute="_compute_sales_process_stalled",
        search="_search_sales_process_stalled",
        help="Open, with neither a stage change nor an activity planned or done "
        "for the stalled days of its company (Settings, CRM).",
    )

    def _compute_sales_process_stalled(self):
        stalled = set(self._sales_process_stalled_ids(self._origin.ids))
        for lead in self:
            lead.sales_process_stalled = lead._origin.id in stalled

    def _search_sales_process_stalled(self, operator, value):
        if operator != "in":
            return NotImplemented
        stalled = Domain("id", "in", self._sales_process_stalled_ids())
        return (stalled if True in value else Domain.FALSE) | (
            ~stalled if False in value else Domain.FALSE
        )

    def _sales_process_stalled_ids(self, ids=None):
        """Ids of the stalled leads now, among ``ids`` when given."""
        for model, fnames in STALLED_DEPENDS.items():
            self.env[model].flush_model(fnames)
        return [
            id_
            for (id_,) in self.env.execute_query(
                SQL(
                    "SELECT lead.id FROM crm_lead lead WHERE %s %s",
                    stalled_condition(SQL("lead"), fields.Datetime.now()),
                    SQL("AND lead.id = ANY(%s)", list(ids))
                    if ids is not None
                    else SQL(),
                )
            )
        ]
