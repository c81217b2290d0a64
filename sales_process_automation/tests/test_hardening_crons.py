# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from odoo.addons.mail.models.mail_template import MailTemplate

from .common import SalesProcessCommon

SLA_SWEEP_LOGGER = (
    "odoo.addons.sales_process_automation.models.sales_process_sla_sweep_mixin"
)


@tagged("post_install", "-at_install")
class TestHardeningCrons(SalesProcessCommon):
    """Scheduled jobs go on when one row fails. The office calendar works Monday
    to Friday, 8:00-12:00 and 13:00-17:00 UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()

    def _activities(self, records, summary):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("summary", "ilike", summary),
            ]
        )

    def _admin_alerts(self, record, text):
        return record.message_ids.filtered(
            lambda message: (
                text in message.body
                and self.process_admin.partner_id in message.partner_ids
            )
        )

    # item 11: one failing row does not stop the sweep
    def test_breach_action_that_raises_fails_its_row_only(self):
        self.proposal_policy.breach_action_id = self.env["ir.actions.server"].create(
            {
                "name": "Fails on the first lead",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": "if records.filtered(lambda lead: lead.name == 'Lead 0'):\n"
                "    raise UserError('the ERP is down')\n"
                "records.write({'priority': '3'})",
            }
        )
        leads = self._create_leads(3)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        with self.assertLogs(SLA_SWEEP_LOGGER, "ERROR") as logs:
            self._sweep("2026-11-24 09:00:00")
        self.assertIn("Lead 0", logs.output[0])
        failing, *others = leads
        self.assertEqual([lead.priority for lead in others], ["3", "3"])
        self.assertEqual(leads.mapped("sales_process_sla_status"), ["breached"] * 3)
        # the escalation user is told of each of the others (the team leader
        # reads them in the digest)
        self.assertEqual(len(self._activities(leads[1:], "SLA breached")), 2)
        self.assertFalse(self._activities(failing, "SLA breached"), "rolled back")
        row = self._open_rows(failing)
        breach = row.sla_event_ids.filtered(lambda event: event.kind == "breach")
        self.assertTrue(breach.failed)
        self.assertIn("the ERP is down", breach.error)
        self.assertFalse((self._open_rows(leads[1:]).sla_event_ids).filtered("failed"))
        self.assertTrue(self._admin_alerts(self.proposal_policy, "Lead 0"))
        self.assertEqual(
            self.History.search([("sla_event_ids.failed", "=", True)]), row
        )
        # the next sweeps do not try the failed row again, nor stop on it
        events = row.sla_event_ids
        later = self._create_leads(1, name="Later")
        self._enter(later, self.proposition, "2026-11-17 09:00:00")
        self._sweep("2026-11-25 09:00:00")
        self.assertEqual(later.priority, "3")
        row.invalidate_recordset()
        self.assertEqual(row.sla_event_ids, events)

    def test_reminder_template_error_fails_its_rows_only(self):
        broken = self.env["mail.template"].create(
            {
                "name": "Broken reminder",
                "model_id": self.env["ir.model"]._get_id("sales.process.stage.history"),
                "subject": "Reminder",
                "body_html": "<p>Hello</p>",
            }
        )
        # the template breaks later (a field it reads was removed)
        self.env.cr.execute(
            "UPDATE mail_template SET subject = %s WHERE id = %s",
            ['{"en_US": "{{ object.no_such_field }}"}', broken.id],
        )
        broken.invalidate_recordset()
        self.proposal_policy.reminder_ids[0].mail_template_id = broken
        leads = self._create_leads(2)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        with self.assertLogs(SLA_SWEEP_LOGGER, "ERROR"):
            self._sweep("2026-11-17 10:00:00")
        events = self._open_rows(leads).sla_event_ids
        self.assertEqual(events.mapped("failed"), [True, True])
        self.assertFalse(self._activities(leads, "SLA reminder"))
        # the second reminder, with its working template, goes out
        self._sweep("2026-11-20 10:00:00")
        self.assertEqual(len(self._activities(leads, "SLA reminder")), 2)

    # item 17: the jobs keep to their time budget, and go on where they stopped
    def _out_of_time(self):
        """The scheduler gives the job one call and no time: it must stop
        after its first batch."""
        return patch.multiple(
            "odoo.addons.base.models.ir_cron", MIN_RUNS_PER_JOB=1, MIN_TIME_PER_JOB=0
        )

    def _progress(self, cron):
        return self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )

    def test_first_contact_sweep_stops_when_out_of_time(self):
        self.env["ir.config_parameter"].set_param(
            "sales_process_automation.assignment_batch_size", 2
        )
        self.env["sales.process.assignment.rule"].create(
            {"name": "East", "team_id": self.team_east.id, "first_contact_hours": 8}
        )
        with freeze_time("2026-11-16 09:00:00"):
            leads = self.env["crm.lead"].create(
                [{"name": f"Silent {index}", "user_id": False} for index in range(5)]
            )
        cron = self.env.ref("sales_process_automation.ir_cron_first_contact_sweep")
        with (
            self._out_of_time(),
            freeze_time("2026-11-17 10:00:00"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        self.assertEqual(
            leads.mapped("sales_process_first_contact_escalated").count(True), 2
        )
        self.assertEqual(self._progress(cron).remaining, 3)
        with freeze_time("2026-11-17 10:05:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertTrue(all(leads.mapped("sales_process_first_contact_escalated")))

    def test_backlog_goes_on_from_where_it_stopped(self):
        self.env["ir.config_parameter"].set_param(
            "sales_process_automation.assignment_batch_size", 2
        )
        # demo databases have unassigned leads of their own: given an owner
        self.env["crm.lead"].search([("user_id", "=", False)]).user_id = self.rep_west
        leads = self._create_leads(5, user_id=False)
        self.env["sales.process.assignment.rule"].create(
            {"name": "East", "team_id": self.team_east.id}
        )
        cron = self.env.ref("sales_process_automation.ir_cron_assign_backlog")
        with (
            self._out_of_time(),
            freeze_time("2026-11-16 10:00:00"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        self.assertEqual(len(leads.filtered("user_id")), 2)
        self.assertEqual(self._progress(cron).remaining, 3)
        # the next call starts after the last lead done, not from the first
        with (
            self._out_of_time(),
            freeze_time("2026-11-16 10:01:00"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        self.assertEqual(len(leads.filtered("user_id")), 4)
        with freeze_time("2026-11-16 10:02:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertTrue(all(leads.mapped("user_id")))
        self.assertFalse(
            self.env["ir.config_parameter"].get_param(
                "sales_process_automation.cron_cursor.assign_backlog.crm.lead"
            ),
            "done: the next run starts over",
        )

    def test_stalled_search_is_a_subquery(self):
        query = self.env["crm.lead"]._search([("sales_process_stalled", "=", True)])
        self.assertIn("FROM crm_lead lead WHERE", query.select().code)

    def test_digests_rendered_in_one_batch(self):
        self.team_west.user_id = self.process_admin
        east = self._create_leads(1)
        west = self._create_leads(
            1, team_id=self.team_west.id, user_id=self.rep_west.id
        )
        self._enter(east | west, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-24 10:00:00")
        send_mail_batch = MailTemplate.send_mail_batch
        calls = []

        def count_calls(template, res_ids, *args, **kwargs):
            calls.append(res_ids)
            return send_mail_batch(template, res_ids, *args, **kwargs)

        cron = self.env.ref("sales_process_automation.ir_cron_sla_digest")
        with (
            patch.object(MailTemplate, "send_mail_batch", count_calls),
            freeze_time("2026-11-24 10:05:00"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        self.assertEqual(len(calls), 1)
        self.assertEqual(len(calls[0]), 2, "the director and the West leader")

    def test_recompute_of_many_open_records_runs_in_the_background(self):
        self.env["ir.config_parameter"].set_param(
            "sales_process_automation.sla_batch_size", 2
        )
        leads = self._create_leads(5)
        self._enter(leads, self.proposition, "2026-11-16 09:00:00")
        self.proposal_policy.duration = 10
        action = self.proposal_policy.with_user(
            self.process_admin
        ).action_recompute_open_records()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            set(leads.mapped("sales_process_sla_deadline")),
            {self._deadline(5)},
            "not yet",
        )
        cron = self.env.ref("sales_process_automation.ir_cron_sla_recompute")
        with (
            self._out_of_time(),
            freeze_time("2026-11-16 10:00:00"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        self.assertGreater(self._progress(cron).remaining, 0)
        with freeze_time("2026-11-16 10:01:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        leads.invalidate_recordset()
        self.assertEqual(
            set(leads.mapped("sales_process_sla_deadline")), {self._deadline(10)}
        )
        self.assertFalse(
            self.env["ir.config_parameter"].get_param(
                "sales_process_automation.sla_recompute_models"
            )
        )

    def _deadline(self, days):
        # 8 working hours a day from Monday 2026-11-16 09:00, Monday to Friday
        return {5: datetime(2026, 11, 23, 9, 0), 10: datetime(2026, 11, 30, 9, 0)}[days]
