# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import freeze_time, tagged

from . import test_complex
from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestSlaActivities(SalesProcessCommon):
    """The SLA activities end with their reason, say what to do, and are not
    the rep's activity.

    The office calendar works Monday to Friday, 8:00-12:00 and 13:00-17:00 UTC;
    the proposal stage is due within 5 working days, with reminders after 1
    and 4 days; breaches escalate to the process administrator.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        cls.qualified = cls.stages[1]

    def _activities(self, records, user=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if user:
            domain.append(("user_id", "=", user.id))
        return self.env["mail.activity"].search(domain)

    def _breached_lead(self):
        """A lead of the East rep in the proposal stage since Monday 16 Nov,
        reminded on Friday 20 Nov 10:00, past its deadline (Monday 23 Nov
        9:00) on Wednesday 25 Nov 9:00."""
        with freeze_time("2026-11-16 09:00:00"):
            lead = self._create_leads(1)
            lead.stage_id = self.proposition
        self._sweep("2026-11-20 10:00:00")
        self._sweep("2026-11-25 09:00:00")
        self.assertEqual(lead.sales_process_sla_status, "breached")
        return lead

    def test_notes_say_what_to_do_and_the_time_in_words(self):
        lead = self._breached_lead()
        reminder = self._activities(lead, self.rep_east)
        escalation = self._activities(lead, self.process_admin)
        # Friday 10:00-17:00 less lunch, Monday 8:00-9:00
        self.assertEqual(len(reminder), 1, "the latest of the reminders due")
        self.assertIn("7 working hours left", reminder.note)
        self.assertIn("move it to its next stage", reminder.note)
        self.assertIn("2 working days overdue", escalation.note)
        self.assertIn("ask for more time", escalation.note)
        self.assertEqual(
            (reminder | escalation).sales_process_stage_history_id,
            self._open_rows(lead),
        )

    def test_leaving_the_stage_ends_them(self):
        lead = self._breached_lead()
        with freeze_time("2026-11-25 10:00:00"):
            lead.with_user(self.rep_east).stage_id = self.stages[3]
        self.assertFalse(self._activities(lead))

    def test_won_or_lost_ends_them(self):
        lead = self._breached_lead()
        other = self._breached_lead()
        unrelated = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "res_id": lead.id,
                "user_id": self.rep_east.id,
                "summary": "Call the customer",
            }
        )
        with freeze_time("2026-11-25 10:00:00"):
            lead.with_user(self.rep_east).action_set_won()
            other.with_user(self.rep_east).action_set_lost()
        self.assertEqual(self._activities(lead), unrelated, "the rep's own stays")
        self.assertFalse(self._activities(other.with_context(active_test=False)))

    def test_reassigning_ends_the_former_owners(self):
        lead = self._breached_lead()
        self.team_east.member_ids = [Command.link(self.rep_west.id)]
        with freeze_time("2026-11-25 10:00:00"):
            lead.user_id = self.rep_west
        self.assertFalse(self._activities(lead, self.rep_east))
        self.assertTrue(self._activities(lead, self.process_admin))

    def test_team_leader_gets_the_digest_not_an_activity_per_breach(self):
        lead = self._breached_lead()
        self.assertEqual(lead.team_id.user_id, self.director)
        self.assertFalse(self._activities(lead, self.director))
        self.assertTrue(self._activities(lead, self.process_admin))

    def test_sla_activities_do_not_keep_a_lead_from_stalling(self):
        """Stalled after 14 days without a stage change nor activity: the SLA
        reminders and escalations do not count, the rep's activity does."""
        lead = self._breached_lead()
        self.assertTrue(self._activities(lead))
        # the stage date the frozen clock did not set (the database's is now)
        lead.date_last_stage_update = "2026-11-16 09:00:00"
        with freeze_time("2026-12-02 09:00:00"):
            self.assertTrue(lead.sales_process_stalled)
            self.assertIn(
                lead,
                self.env["crm.lead"].search([("sales_process_stalled", "=", True)]),
            )
            lead.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.rep_east.id
            )
            lead.invalidate_recordset(["sales_process_stalled"])
            self.assertFalse(lead.sales_process_stalled)

    def test_stored_status_is_grouped_and_kept_by_the_sweep(self):
        """The status is a column: counted per stage in one grouped query,
        and written by the sweep for a whole batch."""
        with freeze_time("2026-11-16 09:00:00"):
            leads = self._create_leads(3)
            leads.stage_id = self.proposition
        counts = {
            status: count
            for status, count in self.env["crm.lead"]._read_group(
                [("id", "in", leads.ids)], ["sales_process_sla_status"], ["__count"]
            )
        }
        self.assertEqual(counts, {"on_track": 3})
        self._sweep("2026-11-20 10:00:00")
        self._sweep("2026-11-25 10:00:00")
        counts = {
            (stage, status): count
            for stage, status, count in self.env["crm.lead"]._read_group(
                [("id", "in", leads.ids)],
                ["stage_id", "sales_process_sla_status"],
                ["__count"],
            )
        }
        self.assertEqual(counts, {(self.proposition, "breached"): 3})
        with freeze_time("2026-11-25 11:00:00"):
            leads[0].stage_id = self.qualified
        self.assertFalse(leads[0].sales_process_sla_status, "no SLA in Qualified")


@tagged("post_install", "-at_install")
class TestSlaActivitiesExtension(SalesProcessCommon):
    """An approved extension answers the reminders: they go."""

    _request = test_complex.TestComplexOpportunity._request
    _decide = test_complex.TestComplexOpportunity._decide
    _activities = TestSlaActivities._activities

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        cls.Request = cls.env["sales.process.complex.request"]
        cls.warranty = cls.env.ref(
            "sales_process_automation.sales_process_complex_reason_warranty"
        )

    def test_approved_extension_ends_them(self):
        with freeze_time("2026-11-16 09:00:00"):
            lead = self._create_leads(1)
            lead.stage_id = self.proposition
        self._sweep("2026-11-17 10:00:00")
        reminder = self._activities(lead, self.rep_east).filtered(
            "sales_process_stage_history_id"
        )
        self.assertEqual(len(reminder), 1)
        request = self._request(lead, self.rep_east, when="2026-11-17 11:00:00")
        self._decide(request, self.director, "approve", "Fine", "2026-11-18 09:00:00")
        self.assertEqual(request.state, "approved")
        self.assertFalse(reminder.exists())


@tagged("post_install", "-at_install")
class TestStalledIsRotting(SalesProcessCommon):
    """One concept: Odoo's rotting badge is the module's Stalled."""

    def test_rotting_follows_the_stage_days_and_the_reps_activities(self):
        stage = self.stages[1]
        stage.rotting_threshold_days = 5
        lead = self._create_leads(1, stage_id=stage.id)
        lead.date_last_stage_update = "2026-11-16 09:00:00"
        Lead = self.env["crm.lead"]
        with freeze_time("2026-11-20 09:00:00"):
            lead.invalidate_recordset()
            self.assertFalse(lead.sales_process_stalled, "4 days: not yet")
            self.assertFalse(lead.is_rotting)
        with freeze_time("2026-11-22 09:00:00"):
            # 6 days: past the stage's 5 days (the company says 14)
            lead.invalidate_recordset()
            self.assertTrue(lead.sales_process_stalled)
            self.assertTrue(lead.is_rotting)
            self.assertIn(lead, Lead.search([("is_rotting", "=", True)]))
            lead.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.rep_east.id
            )
            lead.invalidate_recordset()
            # the rep is on it: neither stalled nor rotting
            self.assertFalse(lead.sales_process_stalled)
            self.assertFalse(lead.is_rotting)
            self.assertNotIn(lead, Lead.search([("is_rotting", "=", True)]))
            self.assertIn(lead, Lead.search([("is_rotting", "=", False)]))
