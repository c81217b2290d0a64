# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """Without demo data the database must still work; with it, it must be rich."""

    def test_every_document_has_exactly_one_open_row(self):
        for model in ("crm.lead", "sale.order", "helpdesk.ticket"):
            records = self.env[model].with_context(active_test=False)
            link = records._stage_history_link
            grouped = self.env["sales.process.stage.history"]._read_group(
                [(link, "!=", False), ("date_out", "=", False)],
                [link],
                ["__count"],
            )
            self.assertEqual(
                len(grouped), records.search_count([]), f"open rows of {model}"
            )
            self.assertEqual({count for _record, count in grouped} - {1}, set())
