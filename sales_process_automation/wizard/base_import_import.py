# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..models.crm_lead import TEMPLATE_CONTACT_FIELDS, TEMPLATE_REQUIRED_FIELDS

DUPLICATE_CHOICES = ("skip", "update", "create")


class BaseImportImport(models.TransientModel):
    _inherit = "base_import.import"

    def execute_import(self, fields, columns, options, dryrun=False):
        """Lead imports: check the template's required columns first, leave
        out or update the rows of customers already in the leads, and assign
        the new leads by the assignment rules once the rows are in.

        Options: ``sales_process_template`` (default: the file maps every
        column of the template) and ``sales_process_duplicates`` (skip,
        update or create; default skip).
        """
        if self.res_model == "sales.process.history.import":
            # the stage movements name the rows of the file in their messages
            return super(
                BaseImportImport,
                self.with_context(
                    sales_process_import_row_offset=self._sales_process_file_row(
                        0, options
                    )
                ),
            ).execute_import(fields, columns, options, dryrun=dryrun)
        if self.res_model != "crm.lead":
            return super().execute_import(fields, columns, options, dryrun=dryrun)
        if options.get(
            "sales_process_template",
            set(TEMPLATE_REQUIRED_FIELDS + TEMPLATE_CONTACT_FIELDS) <= set(fields),
        ):
            errors = self._sales_process_check_required(fields, options)
            if errors:
                return {"ids": False, "messages": errors, "nextrow": 0, "name": []}
        mode = options.get("sales_process_duplicates") or "skip"
        if mode not in DUPLICATE_CHOICES:
            mode = "skip"
        report = {}
        result = super(
            BaseImportImport,
            self.with_context(
                sales_process_duplicates=mode,
                sales_process_duplicate_report=report,
                # the rules assign the new leads below, all at once: not the
                # importer by default, nor one batch of the import at a time
                sales_process_skip_assignment=True,
                default_user_id=False,
            ),
        ).execute_import(fields, columns, options, dryrun=dryrun)
        messages = self._sales_process_duplicate_messages(report, options)
        if dryrun:
            # test mode: the rows left out or merged are listed before import
            result["messages"] = result["messages"] + messages
        elif result["ids"]:
            updated = {
                lead_id
                for choice, lead_id, _name in report.values()
                if choice == "update"
            }
            leads = self.env["crm.lead"].browse(
                [lead_id for lead_id in result["ids"] if lead_id not in updated]
            )
            leads._assignment_apply()
            if messages:
                self._sales_process_report_duplicates(messages)
        return result

    def _sales_process_file_row(self, index, options):
        """Row number in the file of the row ``index`` of the imported data."""
        return index + (options.get("skip") or 0) + 1 + bool(options.get("has_headers"))

    def _sales_process_check_required(self, fields, options):
        """One error per missing required value, with its row and column.

        The whole file is checked before the first row is written, so that a
        file with an error imports nothing.
        """
        data, import_fields = self._convert_import_data(fields, options)
        Lead = self.env["crm.lead"]
        labels = {
            fname: Lead._fields[fname].get_description(self.env)["string"]
            for fname in TEMPLATE_REQUIRED_FIELDS + TEMPLATE_CONTACT_FIELDS
        }
        index_of = {
            fname: import_fields.index(fname)
            for fname in labels
            if fname in import_fields
        }
        errors = []
        for index, row in enumerate(data):
            row_number = self._sales_process_file_row(index, options)
            for fname in TEMPLATE_REQUIRED_FIELDS:
                if fname not in index_of or not str(row[index_of[fname]]).strip():
                    errors.append(
                        self._sales_process_message(
                            index,
                            self.env._(
                                "Row %(row)s: %(field)s is required.",
                                row=row_number,
                                field=labels[fname],
                            ),
                            field=fname,
                        )
                    )
            if not any(
                str(row[index_of[fname]]).strip()
                for fname in TEMPLATE_CONTACT_FIELDS
                if fname in index_of
            ):
                errors.append(
                    self._sales_process_message(
                        index,
                        self.env._(
                            "Row %(row)s: a %(phone)s or an %(email)s is required.",
                            row=row_number,
                            phone=labels["phone"],
                            email=labels["email_from"],
                        ),
                        field="phone",
                    )
                )
        return errors

    @api.model
    def _sales_process_message(self, index, message, field=None, kind="error"):
        values = {
            "type": kind,
            "message": message,
            "record": index,
            "rows": {"from": index, "to": index},
        }
        if field:
            values["field"] = field
        return values

    def _sales_process_duplicate_messages(self, report, options):
        messages = []
        for index, (choice, other, name) in sorted(report.items()):
            row = self._sales_process_file_row(index, options)
            if choice == "update":
                text = self.env._(
                    "Row %(row)s: the existing lead %(lead)s is updated.",
                    row=row,
                    lead=name,
                )
            elif choice == "skip":
                text = self.env._(
                    "Row %(row)s is skipped: the customer is already the lead "
                    "%(lead)s.",
                    row=row,
                    lead=name,
                )
            else:
                text = self.env._(
                    "Row %(row)s is skipped: the same customer as row %(other)s.",
                    row=row,
                    other=self._sales_process_file_row(other, options),
                )
            messages.append(self._sales_process_message(index, text, kind="warning"))
        return messages

    def _sales_process_report_duplicates(self, messages):
        """Tell the importer which rows were left out or merged."""
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "warning",
                "title": self.env._("Duplicate leads"),
                "message": "\n".join(message["message"] for message in messages),
                "sticky": True,
            },
        )
