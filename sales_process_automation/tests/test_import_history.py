# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import csv
import io
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import SalesProcessCommon

HEADER = ["Lead", "Stage", "Entered On", "Left On", "Owner"]
HEADER_XMLID = ["Lead/External ID", *HEADER[1:]]


@tagged("post_install", "-at_install")
@freeze_time("2026-09-07 10:00:00")
class TestImportHistory(SalesProcessCommon):
    """A sales manager imports the past stage movements of leads with Odoo's
    import dialog."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the sales manager who leads East imports its history
        cls.manager = cls.director
        cls.manager.tz = "UTC"
        cls.new, cls.qualified = cls.stages[0], cls.stages[1]
        with freeze_time("2026-09-01 10:00:00"):
            cls.lead = cls.env["crm.lead"].create(
                {
                    "name": "Hangzhou Rollers retrofit",
                    "type": "opportunity",
                    "team_id": cls.team_east.id,
                    "user_id": cls.rep_east.id,
                    "stage_id": cls.new.id,
                }
            )
            cls.other_lead = cls._create_leads(1, name="Ningbo Bearings renewal")
        cls.env["ir.model.data"].create(
            {
                "module": "__import__",
                "name": "legacy_ningbo",
                "model": "crm.lead",
                "res_id": cls.other_lead.id,
            }
        )

    def _csv(self, rows, header=tuple(HEADER)):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode()

    def _import(self, content, user=None, dryrun=False):
        wizard = (
            self.env["base_import.import"]
            .with_user(user or self.manager)
            .create(
                {
                    "res_model": "sales.process.history.import",
                    "file": content,
                    "file_type": "text/csv",
                }
            )
        )
        options = {
            "has_headers": True,
            "quoting": '"',
            "separator": ",",
            "encoding": "utf-8",
            "datetime_format": "%Y-%m-%d %H:%M:%S",
        }
        preview = wizard.parse_preview(options)
        self.assertNotIn("error", preview)
        fields = [
            "/".join(preview["matches"].get(index, [])) or False
            for index in range(len(preview["headers"]))
        ]
        return wizard.execute_import(fields, preview["headers"], options, dryrun=dryrun)

    def _history(self, lead):
        return self.History.search([("lead_id", "=", lead.id)], order="date_in")

    def _errors(self, result):
        return [m["message"] for m in result["messages"] if m["type"] == "error"]

    def _file(self):
        return self._csv(
            [
                # Monday 8:00 to Wednesday 12:00: 8 + 8 + 4 working hours
                [
                    "Hangzhou Rollers retrofit",
                    "New",
                    "2026-08-03 08:00:00",
                    "2026-08-05 12:00:00",
                    "spa_rep_west",
                ],
                # until the lead came back to New, its current stage
                [
                    "Hangzhou Rollers retrofit",
                    "Qualified",
                    "2026-08-05 12:00:00",
                    "2026-09-01 10:00:00",
                    "",
                ],
            ]
        )

    def test_rows_written_with_working_hours_and_funnel_flags(self):
        result = self._import(self._file())
        self.assertEqual(self._errors(result), [])
        self.assertEqual(len(result["ids"]), 2)
        first, second, current = self._history(self.lead)
        self.assertEqual(
            [
                (row.crm_stage_id, row.date_in, row.date_out)
                for row in (first, second, current)
            ],
            [
                (self.new, datetime(2026, 8, 3, 8), datetime(2026, 8, 5, 12)),
                (self.qualified, datetime(2026, 8, 5, 12), datetime(2026, 9, 1, 10)),
                (self.new, datetime(2026, 9, 1, 10), False),
            ],
        )
        self.assertEqual(first.working_hours, 20.0, "the team's office hours")
        self.assertEqual(first.calendar_hours, 52.0)
        self.assertEqual(first.state, "done")
        self.assertEqual(first.user_id, self.rep_west, "the owner of the file")
        self.assertEqual(second.user_id, self.rep_east, "else the salesperson")
        self.assertEqual(first.team_id, self.team_east)
        self.assertEqual(first.resource_calendar_id, self.calendar)
        self.assertEqual(
            [
                (row.first_entry, row.reached_further_stage)
                for row in (first, second, current)
            ],
            [(True, True), (True, False), (False, False)],
            "the current stage is New again: not its first entry any more",
        )
        self.assertFalse(current.date_out, "the current stage stays open")
        self.assertEqual(
            self.lead.sales_process_stage_history_ids, first | second | current
        )
        # the analyses show the past: the time spent in New before, as the
        # team's manager reads it
        Time = self.env["sales.process.stage.time.report"].with_user(self.manager)
        [(count, median)] = Time._read_group(
            [("lead_id", "=", self.lead.id), ("crm_stage_id", "=", self.new.id)],
            [],
            ["__count", "median_hours:avg"],
        )
        self.assertEqual((count, median), (2, 20.0), "the open stay counts no time")

    def test_reimport_changes_nothing(self):
        first = self._import(self._file())
        rows = self._history(self.lead)
        stamps = rows.mapped("write_date")
        with freeze_time("2026-09-08 10:00:00"):
            again = self._import(self._file())
        self.assertEqual(self._errors(again), [])
        self.assertEqual(again["ids"], first["ids"], "the same movements")
        self.assertEqual(self._history(self.lead), rows)
        self.assertEqual(rows.mapped("write_date"), stamps, "nothing written")
        self.assertEqual(
            self.env["sales.process.history.import"].search_count(
                [("lead_id", "=", self.lead.id)]
            ),
            2,
        )
        # the same movement with another end is a conflict, not a new movement
        changed = self._import(
            self._file().replace(b"2026-08-05 12:00:00,spa", b"2026-08-05 11:00:00,spa")
        )
        self.assertIn(
            "Row 2: this movement of Hangzhou Rollers retrofit was imported before "
            "with another leaving date or owner.",
            self._errors(changed),
        )
        self.assertEqual(rows.mapped("date_out")[0], datetime(2026, 8, 5, 12))

    def test_reference_by_external_id(self):
        result = self._import(
            self._csv(
                [
                    [
                        "__import__.legacy_ningbo",
                        "New",
                        "2026-08-10 08:00:00",
                        "2026-08-10 12:00:00",
                        "",
                    ]
                ],
                header=HEADER_XMLID,
            )
        )
        self.assertEqual(self._errors(result), [])
        self.assertEqual(len(self._history(self.other_lead)), 2)

    def test_reversed_and_overlapping_periods_refused_with_row_numbers(self):
        self._import(self._file())
        lead = "Hangzhou Rollers retrofit"
        result = self._import(
            self._csv(
                [
                    # row 2: left before entered
                    [lead, "Won", "2026-07-10 08:00:00", "2026-07-09 08:00:00", ""],
                    # rows 3 and 4 overlap each other
                    [lead, "New", "2026-07-01 08:00:00", "2026-07-03 08:00:00", ""],
                    [lead, "Won", "2026-07-02 08:00:00", "2026-07-04 08:00:00", ""],
                    # row 5 overlaps a movement imported before
                    [lead, "Won", "2026-08-04 08:00:00", "2026-08-04 09:00:00", ""],
                    # row 6 overlaps the lead's current stage
                    [lead, "Won", "2026-09-02 08:00:00", "2026-09-03 08:00:00", ""],
                ]
            )
        )
        self.assertFalse(result["ids"])
        errors = "\n".join(self._errors(result))
        self.assertIn("Row 2: Hangzhou Rollers retrofit leaves the stage", errors)
        self.assertIn("Row 4: the period overlaps the one of row 3", errors)
        self.assertIn("Row 5: Hangzhou Rollers retrofit was in New from", errors)
        self.assertIn("Row 6: Hangzhou Rollers retrofit is in New since", errors)
        self.assertNotIn("Row 3:", errors)
        self.assertEqual(len(self._history(self.lead)), 3, "nothing written")

    def test_rep_cannot_import(self):
        History = self.env["sales.process.history.import"].with_user(self.rep_east)
        self.assertFalse(History.has_access("create"))
        with self.assertRaises(AccessError):
            History.create(
                {
                    "lead_id": self.lead.id,
                    "crm_stage_id": self.new.id,
                    "date_in": "2026-08-03 08:00:00",
                    "date_out": "2026-08-04 08:00:00",
                }
            )
        result = self._import(self._file(), user=self.rep_east)
        self.assertFalse(result["ids"])
        self.assertTrue(self._errors(result))
        self.assertEqual(len(self._history(self.lead)), 1)

    def test_queries_do_not_grow_with_rows(self):
        Import = self.env["sales.process.history.import"].with_user(self.manager)

        def import_queries(count):
            with freeze_time("2026-08-01 10:00:00"):
                leads = self._create_leads(count)
            vals_list = [
                {
                    "lead_id": lead.id,
                    "crm_stage_id": self.stages[step].id,
                    "date_in": datetime(2026, 7, 6 + step, 8),
                    "date_out": datetime(2026, 7, 7 + step, 8),
                }
                for lead in leads
                for step in range(2)
            ]
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Import.create(vals_list)
            self.env.flush_all()
            self.assertEqual(
                self.History.search_count([("lead_id", "in", leads.ids)]), 3 * count
            )
            return self.env.cr.sql_log_count - before

        import_queries(1)  # the registry caches (working hours) filled once
        self.assertEqual(import_queries(2), import_queries(12))

    def test_new_rows_flagged_before_their_insert_as_the_refresh_flags_them(self):
        # the flags the import gives the new rows before their INSERT are the
        # ones the refresh of the funnel flags computes: it then leaves them
        self.other_lead.action_set_lost()
        lead, lost = self.lead, self.other_lead
        new, qualified = self.new, self.qualified
        movements = [
            (lead, qualified, datetime(2026, 8, 5), datetime(2026, 8, 10)),
            (lead, new, datetime(2026, 8, 1), datetime(2026, 8, 5)),
            (lead, qualified, datetime(2026, 8, 10), datetime(2026, 8, 12)),
            (lost, qualified, datetime(2026, 7, 3), datetime(2026, 7, 6)),
            (lost, new, datetime(2026, 7, 1), datetime(2026, 7, 3)),
        ]
        vals_list = [
            {
                "lead_id": record.id,
                "crm_stage_id": stage.id,
                "date_in": date_in,
                "date_out": date_out,
            }
            for record, stage, date_in, date_out in movements
        ]
        Import = self.env["sales.process.history.import"].with_user(self.manager)
        predicted = [dict(vals) for vals in vals_list]
        Import._history_import_funnel_flags(predicted, {lead.id: lead, lost.id: lost})
        lines = Import.create(vals_list)
        self.assertEqual(
            [
                (
                    line.history_id.first_entry,
                    line.history_id.reached_further_stage,
                    line.history_id.lost_in_stage,
                )
                for line in lines
            ],
            [
                (
                    vals["first_entry"],
                    vals["reached_further_stage"],
                    vals["lost_in_stage"],
                )
                for vals in predicted
            ],
        )
        self.assertEqual(
            [vals["first_entry"] for vals in predicted],
            [True, True, False, True, True],
        )
