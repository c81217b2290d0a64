# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SalesProcessCommon

HEADER = "Opportunity,Company Name,Contact Name,Phone,Email,Industry,Notes,Source"
IMPORTER_GROUPS = "sales_team.group_sale_salesman,sales_process_automation.group_user"


def dialog_options(**values):
    """The options as Odoo's import dialog sends them to ``execute_import``
    (``BaseImportModel.formattedImportOptions``), the duplicate choice of the
    lead import among them."""
    return {
        "import_skip_records": [],
        "import_set_empty_fields": [],
        "fallback_values": {},
        "name_create_enabled_fields": {},
        "encoding": "",
        "separator": "",
        "quoting": '"',
        "date_format": "",
        "datetime_format": "",
        "float_thousand_separator": ",",
        "float_decimal_separator": ".",
        "advanced": True,
        "has_headers": True,
        "keep_matches": False,
        "limit": 2000,
        "sheets": [],
        "sheet": "",
        "skip": 0,
        "tracking_disable": True,
        "sales_process_duplicates": "skip",
        **values,
    }


@tagged("post_install", "-at_install")
class TestImportDialogOption(SalesProcessCommon):
    """A rep picks the duplicate choice in the import dialog: the choice
    reaches the import as the dialog sends it, batch after batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.importer = new_test_user(
            cls.env, login="spa_dialog_importer", groups=IMPORTER_GROUPS
        )
        cls.Lead = cls.env["crm.lead"]
        cls.existing = cls.Lead.create(
            {
                "name": "Dialog Existing",
                "partner_name": "Dialog Customer Ltd",
                "email_from": "buyer@dialog-customer.example.com",
                "user_id": cls.importer.id,
            }
        )

    def _file(self, *rows):
        lines = [HEADER]
        for company, email, notes in rows:
            lines.append(
                f"Deal,{company},Contact,,{email},Manufacturing,{notes},Search engine"
            )
        return ("\n".join(lines) + "\n").encode()

    def _dialog_import(self, content, dryrun=False, **options):
        """Upload, preview, then import batch after batch as the dialog does:
        the fields matched in the preview, ``skip`` moved to ``nextrow``."""
        wizard = (
            self.env["base_import.import"]
            .with_user(self.importer)
            .create({"res_model": "crm.lead", "file": content, "file_type": "text/csv"})
        )
        options = dialog_options(**options)
        preview = wizard.parse_preview(options)
        fields = [
            "/".join(preview["matches"].get(index, [])) or False
            for index in range(len(preview["headers"]))
        ]
        columns = [header.strip().lower() for header in preview["headers"]]
        ids, messages = [], []
        while True:
            # a new copy each call: the import pops the batch limit from it
            result = wizard.with_context(tracking_disable=True).execute_import(
                fields, columns, dict(options), dryrun=dryrun
            )
            ids += result["ids"] or []
            messages += [message["message"] for message in result["messages"]]
            if not result["nextrow"] or messages:
                return ids, messages
            options["skip"] = result["nextrow"]

    def _rows(self):
        return self._file(
            ("Dialog Customer Ltd", "buyer@dialog-customer.example.com", "Needs 20"),
            ("New Customer GmbH", "info@new-customer.example.com", "Needs 5"),
        )

    def test_skip_is_the_default_choice(self):
        ids, messages = self._dialog_import(self._rows(), dryrun=True)
        self.assertEqual(
            messages,
            ["Row 2 is skipped: the customer is already the lead Dialog Existing."],
        )
        ids, messages = self._dialog_import(self._rows())
        self.assertEqual(messages, [])
        self.assertEqual(
            self.Lead.browse(ids).mapped("partner_name"), ["New Customer GmbH"]
        )
        self.assertFalse(self.existing.description)

    def test_update_choice(self):
        ids, messages = self._dialog_import(
            self._rows(), sales_process_duplicates="update"
        )
        self.assertEqual(messages, [])
        self.assertEqual(len(ids), 2)
        self.assertEqual(ids[0], self.existing.id)
        self.assertIn("Needs 20", str(self.existing.description))
        self.assertEqual(
            self.Lead.search_count([("partner_name", "=", "Dialog Customer Ltd")]), 1
        )

    def test_create_choice(self):
        ids, messages = self._dialog_import(
            self._rows(), sales_process_duplicates="create"
        )
        self.assertEqual(messages, [])
        self.assertEqual(len(ids), 2)
        self.assertNotIn(self.existing.id, ids)
        self.assertEqual(
            self.Lead.search_count([("partner_name", "=", "Dialog Customer Ltd")]), 2
        )

    def test_unknown_choice_skips(self):
        ids, _messages = self._dialog_import(
            self._rows(), sales_process_duplicates="merge"
        )
        self.assertEqual(
            self.Lead.browse(ids).mapped("partner_name"), ["New Customer GmbH"]
        )

    def test_choice_holds_across_batches(self):
        """A file of more than a batch: the row of a customer imported by an
        earlier batch is a duplicate of its lead."""
        content = self._file(
            ("Batch Customer Co", "a@batch.example.com", "First"),
            ("Batch Customer Co", "a@batch.example.com", "Second"),
            ("Other Batch Co", "b@batch.example.com", "Third"),
        )
        ids, messages = self._dialog_import(content, limit=1)
        self.assertEqual(messages, [])
        leads = self.Lead.browse(ids)
        self.assertEqual(
            leads.mapped("partner_name"), ["Batch Customer Co", "Other Batch Co"]
        )
        self.assertEqual(leads[0].description, "<p>First</p>")


@tagged("post_install", "-at_install")
class TestImportDialogTour(HttpCase):
    """A rep imports a file in the browser and picks the duplicate choice."""

    def test_import_dialog_duplicate_choice(self):
        importer = new_test_user(
            self.env, login="spa_tour_importer", groups=IMPORTER_GROUPS
        )
        existing = self.env["crm.lead"].create(
            {
                "name": "Tour Existing",
                "partner_name": "Tour Customer Ltd",
                "email_from": "buyer@tour-customer.example.com",
                "user_id": importer.id,
            }
        )
        self.start_tour(
            "/odoo/import?active_model=crm.lead",
            "sales_process_import_duplicates_tour",
            login="spa_tour_importer",
        )
        self.assertIn("Wants 20 licences", str(existing.description))
        self.assertEqual(existing.name, "Renewal")
        self.assertEqual(
            self.env["crm.lead"].search_count(
                [("partner_name", "=", "Tour Customer Ltd")]
            ),
            1,
        )
