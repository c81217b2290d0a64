# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.fields import Domain

from ..tools.metrics import HISTORY_LINKS


class SalesProcessDocumentDrilldownMixin(models.AbstractModel):
    """Reports over stage history rows whose figures open the documents.

    A click on a bar or a cell of their graph and pivot views (the
    ``sales_process_document_graph`` and ``..._pivot`` views) opens the leads,
    quotations or tickets of the rows counted, not the rows of the report.
    """

    _name = "sales.process.document.drilldown.mixin"
    _description = "Report Opening Its Documents"

    @api.model
    def action_open_documents(self, domain, name=None):
        """The documents of the rows in ``domain`` the user may read; the rows
        themselves when they are of several document types."""
        rows = self.search(Domain(domain))
        documents = [
            rows[link] for link in HISTORY_LINKS.values() if link in self._fields
        ]
        documents = [records for records in documents if records]
        if len(documents) != 1:
            res_model, ids = self._name, rows.ids
        else:
            res_model, ids = documents[0]._name, documents[0].ids
        return {
            "type": "ir.actions.act_window",
            "name": name or self.env["ir.model"]._get(res_model).name,
            "res_model": res_model,
            "domain": [("id", "in", ids)],
            "views": [(False, "list"), (False, "form")],
            # lost leads are archived: they count in the figures all the same
            "context": {"create": False, "active_test": False},
        }
