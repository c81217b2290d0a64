# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.orm import models as orm_models
from odoo.tests import freeze_time, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestStageHistory(SalesProcessCommon):
    def _queries_of(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    @freeze_time("2026-11-16 09:00:00")
    def test_lead_creation_opens_a_row(self):
        lead = self._create_leads(1)
        row = self._rows(lead)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row,
            [
                {
                    "res_model": "crm.lead",
                    "crm_stage_id": lead.stage_id.id,
                    "user_id": self.rep_east.id,
                    "team_id": self.team_east.id,
                    "company_id": lead.company_id.id,
                    "resource_calendar_id": self.calendar.id,
                    "date_in": datetime(2026, 11, 16, 9, 0),
                    "date_out": False,
                    "state": "in_progress",
                    "working_hours": 0.0,
                }
            ],
        )

    def test_single_write_closes_the_row_and_opens_the_next(self):
        with freeze_time("2026-11-16 09:00:00"):
            lead = self._create_leads(1)
        with freeze_time("2026-11-17 11:30:00"):
            lead.stage_id = self.stages[1]
        rows = self._rows(lead)
        self.assertRecordValues(
            rows,
            [
                {
                    "crm_stage_id": self.stages[0].id,
                    "date_in": datetime(2026, 11, 16, 9, 0),
                    "date_out": datetime(2026, 11, 17, 11, 30),
                    "state": "done",
                    # Monday 9:00-17:00 without lunch, Tuesday 8:00-11:30 less lunch
                    "working_hours": 7.0 + 3.5,
                    "calendar_hours": 26.5,
                },
                {
                    "crm_stage_id": self.stages[1].id,
                    "date_in": datetime(2026, 11, 17, 11, 30),
                    "date_out": False,
                    "state": "in_progress",
                    "working_hours": 0.0,
                    "calendar_hours": 0.0,
                },
            ],
        )

    def test_writing_the_same_stage_adds_no_row(self):
        lead = self._create_leads(1)
        lead.write({"stage_id": lead.stage_id.id, "name": "Renamed"})
        self.assertEqual(len(self._rows(lead)), 1)

    def test_write_without_stage_adds_no_row(self):
        lead = self._create_leads(1)
        lead.write({"expected_revenue": 1000.0})
        self.assertEqual(len(self._rows(lead)), 1)

    def test_batch_write_of_many_leads(self):
        with freeze_time("2026-11-16 09:00:00"):
            leads = self._create_leads(300)
        with freeze_time("2026-11-16 10:00:00"):
            leads.write({"stage_id": self.stages[2].id})
        rows = self._rows(leads)
        self.assertEqual(len(rows), 600)
        self.assertEqual(len(rows.filtered("date_out")), 300)
        self.assertEqual(
            set(self._open_rows(leads).mapped("crm_stage_id")), {self.stages[2]}
        )
        self.assertEqual(set(rows.filtered("date_out").mapped("working_hours")), {1.0})

    def test_batch_write_queries_do_not_grow_with_the_batch(self):
        # the ORM updates 100 rows a statement; lift that so only our work counts
        self.patch(orm_models, "UPDATE_BATCH_SIZE", 1000)
        warm_up, small, large = (
            self._create_leads(1),
            self._create_leads(5),
            self._create_leads(200),
        )
        stage = self.stages[1]
        # the first change of the month reads the calendar once for everyone
        warm_up.stage_id = stage
        small_queries = self._queries_of(lambda: small.write({"stage_id": stage.id}))
        large_queries = self._queries_of(lambda: large.write({"stage_id": stage.id}))
        self.assertEqual(small_queries, large_queries)
        self.assertEqual(len(self._open_rows(large)), 200)

    def test_mixed_batch_only_moved_records_get_rows(self):
        with freeze_time("2026-11-16 09:00:00"):
            leads = self._create_leads(4)
        with freeze_time("2026-11-16 10:00:00"):
            leads[:2].stage_id = self.stages[1]
        with freeze_time("2026-11-16 12:00:00"):
            leads.write({"stage_id": self.stages[1].id})
        for lead in leads:
            self.assertEqual(len(self._rows(lead)), 2)
        self.assertEqual(
            self._open_rows(leads).mapped("date_in"),
            [datetime(2026, 11, 16, 10, 0)] * 2 + [datetime(2026, 11, 16, 12, 0)] * 2,
        )

    def test_abnormal_row_stays_abnormal_when_left(self):
        lead = self._create_leads(1)
        self._open_rows(lead).state = "abnormal"
        lead.stage_id = self.stages[1]
        self.assertEqual(self._rows(lead).mapped("state"), ["abnormal", "in_progress"])

    def test_imported_lead_keeps_its_stage_date(self):
        with freeze_time("2026-11-20 12:00:00"):
            lead = self._create_leads(
                1, date_last_stage_update=datetime(2026, 11, 2, 8, 0)
            )
        self.assertEqual(self._rows(lead).date_in, datetime(2026, 11, 2, 8, 0))

    def test_team_without_calendar_uses_the_company_calendar(self):
        lead = self._create_leads(1, team_id=self.team_west.id)
        self.assertEqual(
            self._rows(lead).resource_calendar_id,
            lead.company_id.resource_calendar_id,
        )

    def test_deleting_a_lead_deletes_its_history(self):
        lead = self._create_leads(1)
        rows = self._rows(lead)
        lead.unlink()
        self.assertFalse(rows.exists())

    def test_order_states(self):
        with freeze_time("2026-11-16 09:00:00"):
            order = self._create_orders(1)
        with freeze_time("2026-11-16 13:00:00"):
            order.action_quotation_sent()
        with freeze_time("2026-11-18 09:00:00"):
            order.action_confirm()
        self.assertRecordValues(
            self._rows(order),
            [
                {"order_state": "draft", "state": "done", "working_hours": 3.0},
                {"order_state": "sent", "state": "done", "working_hours": 13.0},
                {"order_state": "sale", "state": "in_progress", "working_hours": 0.0},
            ],
        )
        self.assertEqual(self._rows(order).team_id, self.team_east)

    def test_batch_of_orders(self):
        orders = self._create_orders(100)
        orders.action_confirm()
        self.assertEqual(len(self._rows(orders)), 200)
        self.assertEqual(set(self._open_rows(orders).mapped("order_state")), {"sale"})

    def test_ticket_stages(self):
        with freeze_time("2026-11-16 09:00:00"):
            tickets = self._create_tickets(50)
        next_stage = (self.ticket_stages - tickets.stage_id)[0]
        with freeze_time("2026-11-16 11:00:00"):
            tickets[:20].stage_id = next_stage
        rows = self._rows(tickets)
        self.assertEqual(len(rows), 70)
        moved = self._rows(tickets[:20]).filtered("date_out")
        self.assertEqual(set(moved.mapped("working_hours")), {2.0})
        self.assertEqual(moved.helpdesk_team_id, self.helpdesk_team)
        self.assertEqual(self._open_rows(tickets[:20]).ticket_stage_id, next_stage)
