# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestBackfill(SalesProcessCommon):
    """Records that existed before the install get their history from Odoo's data."""

    @classmethod
    def default_env_context(cls):
        # stage changes must be tracked in the chatter, as in a real database
        return {}

    def _track(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _forget_history(self, records):
        self._rows(records).sudo().unlink()

    def _created_on(self, records, create_date):
        # the ORM dates creation with the transaction's clock, which tests do not move
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET create_date = %s WHERE id = ANY(%s)",
                SQL.identifier(records._table),
                create_date,
                records.ids,
            )
        )
        records.invalidate_recordset(["create_date"])

    def test_tracked_stage_changes_become_rows(self):
        with freeze_time("2026-11-02 09:00:00"):
            lead = self._create_leads(1)
            self._track()
        self._created_on(lead, datetime(2026, 11, 2, 9, 0))
        with freeze_time("2026-11-03 09:00:00"):
            lead.stage_id = self.stages[1]
            self._track()
        with freeze_time("2026-11-05 15:00:00"):
            lead.stage_id = self.stages[2]
            self._track()
        self._forget_history(lead)
        with freeze_time("2026-11-10 09:00:00"):
            self.env["crm.lead"]._stage_history_backfill()
        self.assertRecordValues(
            self._rows(lead),
            [
                {
                    "crm_stage_id": self.stages[0].id,
                    "date_in": datetime(2026, 11, 2, 9, 0),
                    "date_out": datetime(2026, 11, 3, 9, 0),
                    "state": "done",
                    "working_hours": 8.0,
                    "user_id": self.rep_east.id,
                    "team_id": self.team_east.id,
                },
                {
                    "crm_stage_id": self.stages[1].id,
                    "date_in": datetime(2026, 11, 3, 9, 0),
                    "date_out": datetime(2026, 11, 5, 15, 0),
                    "state": "done",
                    "working_hours": 8.0 + 8.0 + 5.0,
                    "user_id": self.rep_east.id,
                    "team_id": self.team_east.id,
                },
                {
                    "crm_stage_id": self.stages[2].id,
                    "date_in": datetime(2026, 11, 5, 15, 0),
                    "date_out": False,
                    "state": "in_progress",
                    "working_hours": 0.0,
                    "user_id": self.rep_east.id,
                    "team_id": self.team_east.id,
                },
            ],
        )

    def test_untracked_record_enters_at_its_stage_date(self):
        with freeze_time("2026-11-02 09:00:00"):
            lead = self._create_leads(1)
        lead.date_last_stage_update = datetime(2026, 11, 4, 10, 0)
        self._forget_history(lead)
        self.env["crm.lead"]._stage_history_backfill()
        self.assertRecordValues(
            self._rows(lead),
            [{"date_in": datetime(2026, 11, 4, 10, 0), "date_out": False}],
        )

    def test_order_states_from_tracking(self):
        with freeze_time("2026-11-02 09:00:00"):
            order = self._create_orders(1)
            self._track()
        self._created_on(order, datetime(2026, 11, 2, 9, 0))
        with freeze_time("2026-11-02 11:00:00"):
            order.action_confirm()
            self._track()
        self._forget_history(order)
        self.env["sale.order"]._stage_history_backfill()
        self.assertRecordValues(
            self._rows(order),
            [
                {"order_state": "draft", "working_hours": 2.0, "state": "done"},
                {"order_state": "sale", "working_hours": 0.0, "state": "in_progress"},
            ],
        )

    def test_archived_tickets_are_included(self):
        tickets = self._create_tickets(3)
        tickets[0].active = False
        self._forget_history(tickets)
        self.env["helpdesk.ticket"]._stage_history_backfill()
        self.assertEqual(len(self._open_rows(tickets)), 3)

    def test_backfill_runs_twice_without_duplicates(self):
        leads = self._create_leads(5)
        self._forget_history(leads[:3])
        self.env["crm.lead"]._stage_history_backfill()
        self.env["crm.lead"]._stage_history_backfill()
        self.assertEqual(len(self._rows(leads)), 5)

    def test_backfill_in_several_batches(self):
        leads = self._create_leads(7)
        self._forget_history(leads)
        self.patch(
            type(self.env["sales.process.stage.tracking.mixin"]),
            "_stage_history_backfill_batch_size",
            3,
        )
        self.env["crm.lead"]._stage_history_backfill()
        self.assertEqual(len(self._open_rows(leads)), 7)
