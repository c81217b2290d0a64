# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.sales_process_automation.models.sales_process_sla_sweep_mixin import (
    SalesProcessSlaSweepMixin,
)
from odoo.addons.sales_process_automation.models.sales_process_working_hours_mixin import (  # noqa: E501
    SalesProcessWorkingHoursMixin,
)

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestSla(SalesProcessCommon):
    """The office calendar works Monday to Friday, 8:00-12:00 and 13:00-17:00 UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()

    def _activities(self, records, user=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if user:
            domain.append(("user_id", "=", user.id))
        return self.env["mail.activity"].search(domain)

    def _mails(self, subject):
        return self.env["mail.mail"].search([("subject", "ilike", subject)])

    def _create_quotation_policy(self):
        return self.Policy.create(
            {
                "name": "Quotation sent within 4 hours",
                "res_model": "sale.order",
                "order_state": "draft",
                "duration": 4,
                "duration_unit": "hours",
            }
        )

    def test_kanban_reads_the_stored_sla_without_working_time(self):
        leads = self._create_leads(3)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        leads.invalidate_recordset()
        with (
            freeze_time("2026-11-17 09:00:00"),
            patch.object(
                SalesProcessWorkingHoursMixin,
                "_working_hours",
                autospec=True,
                side_effect=AssertionError("no working time on kanban cards"),
            ),
        ):
            self.assertEqual(
                set(leads.mapped("sales_process_sla_status")), {"on_track"}
            )
            self.assertEqual(
                leads[0].sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0)
            )
        with freeze_time("2026-11-17 09:00:00"):
            # the form: 8 working hours passed of the 5 days of 8 hours
            self.assertEqual(leads[0].sales_process_sla_hours_left, 32.0)
            self.assertEqual(leads[0].sales_process_sla_hours_overdue, 0.0)
        with freeze_time("2026-11-24 09:00:00"):
            leads.invalidate_recordset()
            self.assertEqual(leads[0].sales_process_sla_hours_left, -8.0)
            self.assertEqual(leads[0].sales_process_sla_hours_overdue, 8.0)

    def test_proposal_within_five_days_with_two_reminders(self):
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self.assertEqual(lead.sales_process_sla_policy_id, self.proposal_policy)
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0))
        self.assertEqual(lead.sales_process_sla_status, "on_track")

        self._sweep("2026-11-16 17:00:00")
        self.assertFalse(self._activities(lead))

        self._sweep("2026-11-17 10:00:00")
        self.assertEqual(len(self._activities(lead, self.rep_east)), 1)
        self.assertEqual(
            self._mails("Reminder").recipient_ids, self.rep_east.partner_id
        )

        self._sweep("2026-11-17 11:00:00")
        self.assertEqual(len(self._activities(lead)), 1, "no reminder sent twice")

        self._sweep("2026-11-20 10:00:00")
        self.assertEqual(len(self._activities(lead, self.rep_east)), 2)
        self.assertEqual(lead.sales_process_sla_status, "at_risk")

        self._sweep("2026-11-23 10:00:00")
        lead.invalidate_recordset()
        self.assertEqual(lead.sales_process_sla_status, "breached")
        self.env.invalidate_all()
        self.assertEqual(self._open_rows(lead).state, "abnormal")
        # the team leader reads the breaches in the daily digest: the email of
        # the policy but no activity per breach; the escalation user gets both
        self.assertFalse(self._activities(lead, self.director))
        self.assertEqual(
            self._activities(lead) - self._activities(lead, self.rep_east),
            self._activities(lead, self.process_admin),
        )
        self.assertEqual(
            self._mails("SLA breached").recipient_ids,
            self.director.partner_id | self.process_admin.partner_id,
        )

    def test_reminders_fallen_due_together_send_only_the_latest(self):
        """After a stop of the sweep, a rep gets the last reminder, not a pile."""
        self.proposal_policy.reminder_ids = [
            Command.create(
                {
                    "anchor": "entry",
                    "delay": 4,
                    "notify_owner": False,
                    "notify_team_leader": True,
                }
            ),
        ]
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-20 10:00:00")
        self.assertEqual(
            self._activities(lead).user_id,
            self.rep_east | self.team_east.user_id,
            "the two reminders due at the same moment both go out",
        )
        self.assertEqual(len(self._activities(lead, self.rep_east)), 1)
        events = self._open_rows(lead).sla_event_ids.filtered(
            lambda event: event.kind == "reminder"
        )
        self.assertEqual(len(events), 3, "every reminder is accounted for")
        self.assertEqual(
            events.filtered("skipped").reminder_id.delay, 1, "the first is passed"
        )

    def test_reminder_in_the_language_of_the_recipient(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["sales_process_automation"], ["fr_FR"], overwrite=True
        )
        self.rep_east.lang = "fr_FR"
        leads = self._create_leads(1) | self._create_leads(1, user_id=self.rep_west.id)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-17 10:00:00")
        self.assertEqual(
            self._activities(leads[0]).summary,
            "Rappel SLA : Proposal within 5 days",
        )
        self.assertEqual(
            self._activities(leads[1]).summary, "SLA reminder: Proposal within 5 days"
        )
        french = self._mails("Rappel :")
        self.assertEqual(french.recipient_ids, self.rep_east.partner_id)
        self.assertEqual(
            self._mails("Reminder:").recipient_ids, self.rep_west.partner_id
        )

    def test_breach_stays_on_the_history_after_the_move(self):
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-24 09:00:00")
        self._enter(lead, self.stages[3], "2026-11-24 10:00:00")
        breached_row = self._rows(lead).filtered(
            lambda row: row.crm_stage_id == self.proposition
        )
        self.assertRecordValues(
            breached_row, [{"sla_status": "breached", "state": "abnormal"}]
        )
        self.assertFalse(lead.sales_process_sla_status)

    def test_deadline_across_a_weekend_and_a_public_holiday(self):
        self._add_public_holiday(date(2026, 11, 23))
        # the reminders go first: they would fall outside 8 hours
        self.proposal_policy.reminder_ids.unlink()
        self.proposal_policy.write({"duration": 8, "duration_unit": "hours"})
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-20 16:00:00")
        # Friday 16-17, Monday off, Tuesday 8-12 and 13-16
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 24, 16, 0))

    def test_most_specific_policy_wins(self):
        team_policy = self.Policy.create(
            {
                "name": "East proposals within 2 days",
                "res_model": "crm.lead",
                "crm_stage_id": self.proposition.id,
                "team_ids": [Command.link(self.team_east.id)],
                "duration": 2,
                "sequence": 99,
            }
        )
        big_deal_policy = self.Policy.create(
            {
                "name": "Big East deals within 8 days",
                "res_model": "crm.lead",
                "crm_stage_id": self.proposition.id,
                "team_ids": [Command.link(self.team_east.id)],
                "domain": "[('expected_revenue', '>=', 100000)]",
                "duration": 8,
            }
        )
        east, west = (
            self._create_leads(1),
            self._create_leads(1, team_id=self.team_west.id, user_id=self.rep_west.id),
        )
        big = self._create_leads(1, expected_revenue=250000)
        self._enter(east | west | big, self.proposition, "2026-11-16 09:00:00")
        self.assertEqual(east.sales_process_sla_policy_id, team_policy)
        self.assertEqual(west.sales_process_sla_policy_id, self.proposal_policy)
        self.assertEqual(big.sales_process_sla_policy_id, big_deal_policy)
        self.assertEqual(big_deal_policy.specificity, 2)

    def test_policy_changes_apply_to_later_entries_and_on_demand(self):
        before = self._create_leads(1)
        self._enter(before, self.proposition, "2026-11-16 09:00:00")
        # the reminder after 4 days would fall outside 2 days
        self.proposal_policy.reminder_ids.filtered(
            lambda reminder: reminder.delay == 4
        ).unlink()
        self.proposal_policy.duration = 2
        after = self._create_leads(1)
        self._enter(after, self.proposition, "2026-11-16 09:00:00")
        self.assertEqual(
            before.sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0)
        )
        self.assertEqual(after.sales_process_sla_deadline, datetime(2026, 11, 18, 9, 0))
        with freeze_time("2026-11-16 10:00:00"):
            self.proposal_policy.action_recompute_open_records()
        before.invalidate_recordset()
        self.assertEqual(
            before.sales_process_sla_deadline, datetime(2026, 11, 18, 9, 0)
        )

    def test_recompute_after_a_breach(self):
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-24 09:00:00")
        self.proposal_policy.duration = 4.5
        with freeze_time("2026-11-24 10:00:00"):
            self.proposal_policy.action_recompute_open_records()
        lead.invalidate_recordset()
        self.assertEqual(
            lead.sales_process_sla_status, "breached", "still late with 4.5 days"
        )
        self.proposal_policy.duration = 10
        with freeze_time("2026-11-24 10:00:00"):
            self.proposal_policy.action_recompute_open_records()
        self.env.invalidate_all()
        self.assertEqual(
            lead.sales_process_sla_status, "on_track", "10 days give time again"
        )
        self.assertEqual(self._open_rows(lead).state, "in_progress")

    def test_breach_on_quotations_and_tickets(self):
        self._create_quotation_policy()
        ticket_stage = self.ticket_stages[0]
        self.Policy.create(
            {
                "name": "Ticket answered within 2 hours",
                "res_model": "helpdesk.ticket",
                "ticket_stage_id": ticket_stage.id,
                "duration": 2,
                "duration_unit": "hours",
            }
        )
        with freeze_time("2026-11-16 09:00:00"):
            order = self._create_orders(1)
            ticket = self._create_tickets(1, stage_id=ticket_stage.id)
        self.assertEqual(
            order.sales_process_sla_deadline, datetime(2026, 11, 16, 14, 0)
        )
        self.assertEqual(
            ticket.sales_process_sla_deadline, datetime(2026, 11, 16, 11, 0)
        )
        self._sweep("2026-11-16 15:00:00")
        order.invalidate_recordset()
        ticket.invalidate_recordset()
        self.assertEqual(order.sales_process_sla_status, "breached")
        self.assertEqual(ticket.sales_process_sla_status, "breached")
        # the team leader is told by the digest, not by an activity per breach
        self.assertFalse(self._activities(order, self.director))

    def _record_updates(self, records, operation):
        """How many times ``operation()`` and its flush update the rows of
        ``records``' table, whatever the statement."""
        table = f'UPDATE "{records._table}"'
        execute = type(self.env.cr).execute
        updates = []

        def counting_execute(cr, query, params=None, log_exceptions=True):
            updates.append(str(getattr(query, "code", query)).count(table))
            return execute(cr, query, params, log_exceptions)

        with patch.object(type(self.env.cr), "execute", counting_execute):
            operation()
            self.env.flush_all()
        return sum(updates)

    def test_sla_status_goes_with_the_update_of_the_record(self):
        """Entering a stage with a policy, a record is updated once: its SLA
        status and stage owner go with the ORM's own update (the new stage),
        not in a second version of its row."""
        self._create_quotation_policy()
        lead = self._create_leads(1)
        self.env.flush_all()
        with freeze_time("2026-11-16 09:00:00"):
            moves = self._record_updates(
                lead, lambda: lead.write({"stage_id": self.proposition.id})
            )
            created = []
            creates = self._record_updates(
                self.env["sale.order"],
                lambda: created.append(self._create_orders(1)),
            )
        self.assertEqual(moves, 1)
        # the insert, then the update of its computed fields
        self.assertEqual(creates, 1)
        self.env.invalidate_all()
        self.assertEqual(lead.sales_process_sla_status, "on_track")
        self.assertEqual(created[0].sales_process_sla_status, "on_track")
        self.assertEqual(
            created[0].sales_process_sla_deadline, datetime(2026, 11, 16, 14, 0)
        )

    def test_fields_following_the_sla_status_are_told_it_changed(self):
        """The SLA status and stage owner set with the record's own update are
        marked modified, as a write does: fields of other modules that depend
        on them are recomputed."""
        lead = self._create_leads(1)
        self.env.flush_all()
        modified = []
        original = type(lead).modified

        def spy(records, fnames, *args, **kwargs):
            modified.extend(fnames)
            return original(records, fnames, *args, **kwargs)

        with (
            freeze_time("2026-11-16 09:00:00"),
            patch.object(type(lead), "modified", spy),
        ):
            lead.write({"stage_id": self.proposition.id})
        self.assertEqual(lead.sales_process_sla_status, "on_track")
        self.assertIn("sales_process_sla_status", modified)
        self.assertIn("sales_process_stage_owner_id", modified)

    def test_activities_tell_the_working_time_left_or_overdue(self):
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        # the first reminder, a day after entry: four working days minus an
        # hour to the deadline
        self._sweep("2026-11-17 10:00:00")
        reminder = self._activities(lead)
        self.assertRegex(
            reminder.note,
            rf"{lead.name} has 3.9 working days left in {self.proposition.name} "
            r"\(deadline .+\): move it to its next stage before then.",
        )
        # a working day and an hour after the deadline
        self._sweep("2026-11-24 10:00:00")
        breach = self._activities(lead).filtered(
            lambda activity: activity.summary.startswith("SLA breached")
        )
        self.assertEqual(len(breach), 1)
        self.assertRegex(
            breach.note,
            rf"{lead.name} is 1.1 working days overdue in {self.proposition.name} "
            r"\(deadline .+\): move it to its next stage, or ask for more time",
        )

    def test_breach_runs_the_server_action(self):
        tag = self.env["crm.tag"].create({"name": "Overdue"})
        self.proposal_policy.breach_action_id = self.env["ir.actions.server"].create(
            {
                "name": "Tag overdue",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": f"records.write({{'tag_ids': [Command.link({tag.id})]}})",
            }
        )
        leads = self._create_leads(2)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-24 09:00:00")
        self.assertEqual(leads.tag_ids, tag)

    def test_reminders_off_for_a_record(self):
        leads = self._create_leads(2)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        leads[0]._sla_exclude("Complex opportunity")
        self.assertTrue(leads[0].sales_process_sla_excluded)
        self.assertEqual(
            leads[0].sales_process_sla_exclusion_reason, "Complex opportunity"
        )
        self._sweep("2026-11-17 10:00:00")
        self.assertFalse(self._activities(leads[0]))
        self.assertTrue(self._activities(leads[1]))
        leads[0]._sla_include()
        self._sweep("2026-11-20 10:00:00")
        self.assertEqual(
            len(self._activities(leads[0])), 1, "the reminder due while off is skipped"
        )

    def test_lost_leads_leave_the_sla_and_come_back_when_restored(self):
        lost, open_lead = self._create_leads(2)
        self._enter(lost | open_lead, self.proposition, "2026-11-16 09:00:00")
        with freeze_time("2026-11-16 12:00:00"):
            lost.action_set_lost()
        self.assertFalse(
            lost.with_context(active_test=False).sales_process_sla_policy_id
        )
        self._sweep("2026-11-24 10:00:00")
        self.assertFalse(self._activities(lost), "no reminder for a lost lead")
        self.assertEqual(self._open_rows(lost).state, "in_progress")
        self.assertEqual(len(self._activities(open_lead, self.rep_east)), 1)

        with freeze_time("2026-11-24 11:00:00"):
            lost.action_unarchive()
        self.assertEqual(lost.sales_process_sla_policy_id, self.proposal_policy)
        self.assertEqual(lost.sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0))
        self._sweep("2026-11-24 12:00:00")
        self.assertEqual(lost.sales_process_sla_status, "breached")
        self.assertEqual(len(self._activities(lost, self.rep_east)), 1)

    def test_leads_imported_as_lost_get_no_sla(self):
        lost = self._create_leads(1, active=False, stage_id=self.proposition.id)
        self.assertTrue(self._open_rows(lost))
        self.assertFalse(lost.sales_process_sla_policy_id)

    def test_interrupted_sweep_loses_and_repeats_nothing(self):
        self.env["ir.config_parameter"].set_param(
            "sales_process_automation.sla_batch_size", 2
        )
        leads = self._create_leads(5)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        notify = SalesProcessSlaSweepMixin._sla_isolate_failures
        calls = []

        def fail_on_second_batch(rows, *args):
            calls.append(rows)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return notify(rows, *args)

        with patch.object(
            SalesProcessSlaSweepMixin, "_sla_isolate_failures", fail_on_second_batch
        ):
            self._sweep("2026-11-17 10:00:00")
        self.assertEqual(len(self._activities(leads)), 2, "first batch kept")
        self._sweep("2026-11-17 10:30:00")
        for lead in leads:
            self.assertEqual(len(self._activities(lead)), 1)

    def test_bad_policies_are_refused(self):
        values = {
            "name": "Bad",
            "res_model": "crm.lead",
            "crm_stage_id": self.proposition.id,
            "duration": 5,
        }
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Policy.create({**values, "domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Policy.create({**values, "domain": "[('name', '=',"})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Policy.create(
                {
                    **values,
                    "reminder_ids": [Command.create({"anchor": "entry", "delay": 6})],
                }
            )
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Policy.create(
                {
                    **values,
                    "reminder_ids": [
                        Command.create({"anchor": "before_deadline", "delay": 5})
                    ],
                }
            )
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Policy.create({**values, "crm_stage_id": False})
        for duration in (0, -1):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.Policy.create({**values, "duration": duration})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Policy.create(
                {
                    **values,
                    "reminder_ids": [Command.create({"anchor": "entry", "delay": -1})],
                }
            )

    def test_reps_see_sla_fields_but_cannot_edit_policies(self):
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        lead_as_rep = lead.with_user(self.rep_east)
        self.assertEqual(lead_as_rep.sales_process_sla_status, "on_track")
        self.assertEqual(
            lead_as_rep.sales_process_sla_policy_id.name, "Proposal within 5 days"
        )
        self.assertIn(
            lead,
            self.env["crm.lead"]
            .with_user(self.rep_east)
            .search([("sales_process_sla_status", "=", "on_track")]),
        )
        with self.assertRaises(AccessError):
            self.proposal_policy.with_user(self.rep_east).duration = 10
        with self.assertRaises(AccessError):
            self.Policy.with_user(self.director).create(
                {"name": "x", "crm_stage_id": self.proposition.id, "duration": 1}
            )

    def _search_view_filter(self, model, name):
        views = self.env[model].with_user(self.rep_east).get_views([(False, "search")])
        arch = etree.fromstring(views["views"]["search"]["arch"])
        return safe_eval(arch.find(f".//filter[@name='{name}']").get("domain"))

    def test_search_filters_breached_at_risk_due_this_week(self):
        breached, at_risk, due_friday, due_next_week = self._create_leads(4)
        self._enter(breached, self.proposition, "2026-11-18 09:00:00")
        self._enter(at_risk, self.proposition, "2026-11-19 09:00:00")
        self._enter(due_friday, self.proposition, "2026-11-20 09:00:00")
        self._enter(due_next_week, self.proposition, "2026-11-25 09:00:00")
        self._sweep("2026-11-25 10:00:00")
        leads = breached | at_risk | due_friday | due_next_week
        expected = {
            "filter_sla_breached": breached,
            "filter_sla_at_risk": at_risk,
            "filter_sla_due_this_week": at_risk | due_friday,
        }
        for model in ("crm.lead", "sale.order", "helpdesk.ticket"):
            for name in expected:
                self.assertTrue(self._search_view_filter(model, name), name)
        with freeze_time("2026-11-25 10:00:00"):
            for name, records in expected.items():
                domain = self._search_view_filter("crm.lead", name)
                found = (
                    self.env["crm.lead"]
                    .with_user(self.rep_east)
                    .search([("id", "in", leads.ids), *domain])
                )
                self.assertEqual(found, records, name)

    def test_reps_see_the_sla_in_kanban_list_and_form(self):
        for model in ("crm.lead", "sale.order", "helpdesk.ticket"):
            views = (
                self.env[model]
                .with_user(self.rep_east)
                .get_views([(False, "kanban"), (False, "list"), (False, "form")])
            )
            for view_type, view in views["views"].items():
                arch = etree.fromstring(view["arch"])
                self.assertTrue(
                    arch.xpath("//field[@name='sales_process_sla_status']"),
                    f"{model} {view_type}",
                )

    def test_administrator_configures_a_policy_in_the_form(self):
        with Form(self.Policy.with_user(self.process_admin)) as form:
            form.name = "Qualify within 2 days"
            form.crm_stage_id = self.stages[0]
            form.duration = 2
        self.assertEqual(form.record.specificity, 0)

    def _send_digests(self, when):
        cron = self.env.ref("sales_process_automation.ir_cron_sla_digest")
        with freeze_time(when), self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def test_digest_one_mail_per_manager_grouped_by_rep(self):
        self.team_west.user_id = self.process_admin
        breached = self._create_leads(1, name="Breached deal")
        at_risk = self._create_leads(1, name="Risky deal", user_id=self.rep_west.id)
        on_track = self._create_leads(
            1, name="Fine deal", team_id=self.team_west.id, user_id=self.rep_west.id
        )
        self._enter(breached, self.proposition, "2026-11-16 09:00:00")
        self._enter(at_risk, self.proposition, "2026-11-17 09:00:00")
        self._enter(on_track, self.proposition, "2026-11-20 09:00:00")
        self._sweep("2026-11-23 10:00:00")

        self._send_digests("2026-11-23 10:05:00")
        digests = self.env["sales.process.sla.digest"].search([])
        self.assertEqual(digests.user_id, self.director, "nothing to say to West")
        self.assertEqual(digests.history_ids.lead_id, breached | at_risk)
        mail = self._mails("Stage SLAs of your teams")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.director.partner_id)
        self.assertIn("1 breached, 1 at risk", mail.subject)
        self.assertIn("Breached deal", mail.body_html)
        self.assertIn(self.rep_west.name, mail.body_html)
        self.assertLess(
            mail.body_html.index(self.rep_east.name),
            mail.body_html.index("Breached deal"),
        )

        self._send_digests("2026-11-23 18:00:00")
        self.assertEqual(len(self._mails("Stage SLAs of your teams")), 1)
        self._send_digests("2026-11-24 06:00:00")
        self.assertEqual(len(self._mails("Stage SLAs of your teams")), 2)

    def test_no_digest_when_nothing_to_say(self):
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._send_digests("2026-11-16 10:00:00")
        self.assertFalse(self.env["sales.process.sla.digest"].search([]))
        self.assertFalse(self._mails("Stage SLAs of your teams"))

    def test_pause_stage_stops_the_clock(self):
        waiting = self.env["crm.stage"].create({"name": "Waiting for customer"})
        self.proposal_policy.pause_crm_stage_ids = waiting
        with freeze_time("2026-11-16 08:00:00"):
            lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-17 10:00:00")
        self.assertEqual(len(self._activities(lead)), 1)
        # two working days in the stage, then the customer is asked a question
        self._enter(lead, waiting, "2026-11-18 09:00:00")
        self.assertFalse(lead.sales_process_sla_status)
        self.assertFalse(self._activities(lead), "the reminder left with the stage")
        # back a week later: three of the five days remain
        self._enter(lead, self.proposition, "2026-11-25 09:00:00")
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 30, 9, 0))
        self._sweep("2026-11-25 10:00:00")
        self.assertFalse(self._activities(lead), "the first reminder is not sent again")
        self._sweep("2026-11-27 10:00:00")
        self.assertEqual(len(self._activities(lead)), 1, "the 4-day reminder")

    def test_other_stage_restarts_the_clock(self):
        waiting = self.env["crm.stage"].create({"name": "Waiting for customer"})
        self.proposal_policy.pause_crm_stage_ids = waiting
        with freeze_time("2026-11-16 08:00:00"):
            lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._enter(lead, self.stages[1], "2026-11-18 09:00:00")
        self._enter(lead, self.proposition, "2026-11-19 09:00:00")
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 26, 9, 0))
