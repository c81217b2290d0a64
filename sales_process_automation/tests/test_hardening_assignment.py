# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SalesProcessCommon

ASSIGNMENT_LOGGER = (
    "odoo.addons.sales_process_automation.models.sales_process_assignment_mixin"
)
CRON_CURSOR_LOGGER = "odoo.addons.sales_process_automation.tools.cron_cursor"


@tagged("post_install", "-at_install")
class TestHardeningAssignment(SalesProcessCommon):
    """Assignment rules run as the people who use them, and survive bad data.

    Monday 2026-11-16; the East team works 8:00-12:00 and 13:00-17:00 UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["sales.process.assignment.rule"]
        cls.rep_li = new_test_user(
            cls.env, login="spa_hard_rep_li", groups="sales_team.group_sale_salesman"
        )
        cls.team_east.member_ids = [Command.set((cls.rep_east | cls.rep_li).ids)]
        cls.helpdesk_user = new_test_user(
            cls.env,
            login="spa_hard_helpdesk",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        cls.helpdesk_team.user_ids = [Command.link(cls.helpdesk_user.id)]
        cls.backlog_cron = cls.env.ref(
            "sales_process_automation.ir_cron_assign_backlog"
        )
        cls.queued_cron = cls.env.ref("sales_process_automation.ir_cron_assign_queued")
        cls.contact_cron = cls.env.ref(
            "sales_process_automation.ir_cron_first_contact_sweep"
        )

    def _rule(self, **values):
        return self.Rule.create(
            {"name": "Rule", "team_id": self.team_east.id, **values}
        )

    def _run(self, cron, when):
        with freeze_time(when), self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def _queued(self, records):
        return self.env["sales.process.assignment.queue"].search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        )

    def _notes(self, record, text):
        return record.message_ids.filtered(lambda message: text in message.body)

    # item 10: the rule's bookkeeping is system work
    def test_rep_creates_an_unassigned_lead(self):
        """A rep who reads only his own leads saves an unassigned lead: the
        assignment job, woken up at once, assigns it (a rule may give it to a
        colleague, which the web client could not read back)."""
        rule = self._rule()
        self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.queued_cron.id)]
        ).unlink()
        with freeze_time("2026-11-16 09:00:00"):
            lead = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .create({"name": "Walk-in", "user_id": False})
            )
        self.assertFalse(lead.user_id)
        self.assertTrue(self._queued(lead))
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.queued_cron.id)])
        )
        self._run(self.queued_cron, "2026-11-16 09:00:05")
        lead = lead.with_env(self.env)
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)
        self.assertIn(lead.user_id, self.rep_east | self.rep_li)
        self.assertFalse(self._queued(lead))

    def test_leads_saved_seconds_apart_wait_for_one_run(self):
        """The job last ran 3 seconds ago: the leads reps save now wait for
        the end of the 10 seconds of gathering and are assigned by one run;
        the first one saved after that time wakes the job up at once. Set
        to 0 seconds, each lead wakes it up."""
        self._rule()
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", self.queued_cron.id)]).unlink()
        self.queued_cron.lastcall = "2026-11-16 09:00:00"
        Lead = self.env["crm.lead"].with_user(self.rep_east)
        leads = Lead.browse()
        for moment in ("2026-11-16 09:00:03", "2026-11-16 09:00:07"):
            with freeze_time(moment):
                leads |= Lead.create({"name": moment, "user_id": False})
        triggers = Trigger.search([("cron_id", "=", self.queued_cron.id)])
        self.assertEqual(
            set(triggers.mapped("call_at")), {datetime(2026, 11, 16, 9, 0, 10)}
        )
        with freeze_time("2026-11-16 09:00:12"):
            leads |= Lead.create({"name": "after", "user_id": False})
        self.assertIn(
            datetime(2026, 11, 16, 9, 0, 12),
            Trigger.search([("cron_id", "=", self.queued_cron.id)]).mapped("call_at"),
        )
        self._run(self.queued_cron, "2026-11-16 09:00:12")
        leads = leads.with_env(self.env)
        self.assertTrue(all(leads.mapped("user_id")))
        self.assertFalse(self._queued(leads))

        self.env["ir.config_parameter"].set_param(
            "sales_process_automation.assignment_gather_seconds", "0"
        )
        self.queued_cron.lastcall = "2026-11-16 09:00:12"
        with freeze_time("2026-11-16 09:00:13"):
            Lead.create({"name": "no gathering", "user_id": False})
        self.assertIn(
            datetime(2026, 11, 16, 9, 0, 13),
            Trigger.search([("cron_id", "=", self.queued_cron.id)]).mapped("call_at"),
        )

    def test_mistyped_gathering_setting_falls_back_to_ten_seconds(self):
        """A setting that is no number of seconds does not stop a rep from
        saving a lead: the 10 seconds apply, and the log says why."""
        self._rule()
        self.env["ir.config_parameter"].set_param(
            "sales_process_automation.assignment_gather_seconds", "ten"
        )
        self.queued_cron.lastcall = "2026-11-16 09:00:00"
        with (
            freeze_time("2026-11-16 09:00:03"),
            self.assertLogs(CRON_CURSOR_LOGGER, "WARNING") as logs,
        ):
            lead = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .create({"name": "Walk-in", "user_id": False})
            )
        self.assertIn("'ten' is not a number of seconds", logs.output[0])
        self.assertTrue(self._queued(lead))
        self.assertIn(
            datetime(2026, 11, 16, 9, 0, 10),
            self.env["ir.cron.trigger"]
            .search([("cron_id", "=", self.queued_cron.id)])
            .mapped("call_at"),
        )

    def test_woken_job_leaves_the_waiting_backlog_to_the_hourly_job(self):
        """Each lead a rep saves without an owner wakes the job up: it assigns
        those leads only, not again every lead waiting for a rep (on Saturday
        nobody works; on Monday the hourly backlog job gives them out)."""
        self._rule()
        with freeze_time("2026-11-21 10:00:00"):
            waiting = self.env["crm.lead"].create({"name": "Weekend", "user_id": False})
        self.assertEqual(waiting.sales_process_assignment_state, "team_only")
        waiting_since = waiting.sales_process_assignment_date
        with freeze_time("2026-11-23 09:00:00"):
            walk_in = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .create({"name": "Walk-in", "user_id": False})
            )
        self._run(self.queued_cron, "2026-11-23 09:00:05")
        self.assertIn(walk_in.user_id, self.rep_east | self.rep_li)
        self.assertFalse(waiting.user_id, "left to the backlog job")
        self.assertEqual(waiting.sales_process_assignment_date, waiting_since)
        self._run(self.backlog_cron, "2026-11-23 10:00:00")
        self.assertIn(waiting.user_id, self.rep_east | self.rep_li)

    def test_woken_job_skips_leads_given_an_owner_meanwhile(self):
        """A lead queued for the job, then given an owner by hand, keeps him:
        the job only drops it from its queue."""
        self._rule()
        with freeze_time("2026-11-16 09:00:00"):
            lead = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .create({"name": "Walk-in", "user_id": False})
                .with_env(self.env)
            )
        lead.user_id = self.rep_west
        self._run(self.queued_cron, "2026-11-16 09:00:05")
        self.assertEqual(lead.user_id, self.rep_west)
        self.assertFalse(lead.sales_process_assignment_rule_id)
        self.assertFalse(self._queued(lead))

    def test_woken_job_skips_deleted_leads_and_unknown_models(self):
        """A lead deleted before the job ran, and a row of a model no longer
        installed, leave the queue without stopping the others."""
        self._rule()
        with freeze_time("2026-11-16 09:00:00"):
            deleted, kept = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .create([{"name": "Deleted", "user_id": False}, {"name": "Kept"}])
            )
        deleted.sudo().unlink()
        self.env["sales.process.assignment.queue"].create(
            {"res_model": "no.such.model", "res_id": 1}
        )
        self._run(self.queued_cron, "2026-11-16 09:00:05")
        self.assertFalse(self.env["sales.process.assignment.queue"].search([]))
        self.assertEqual(kept.with_env(self.env).user_id, self.rep_east)

    def test_woken_job_survives_a_lead_that_fails(self):
        """A lead whose assignment fails (here its playbook raises) stays
        unassigned for the hourly backlog job; the other leads of the batch
        are assigned, and the failing one leaves the queue."""
        rule = self._rule()
        rule.activity_plan_id = self.env["mail.activity.plan"].create(
            {"name": "Welcome", "res_model": "crm.lead"}
        )
        Rule = type(self.Rule)
        launch_playbook = Rule._launch_playbook

        def failing_playbook(rule, records):
            if "Broken" in records.mapped("name"):
                raise ValueError("the mail server is down")
            return launch_playbook(rule, records)

        with freeze_time("2026-11-16 09:00:00"):
            broken, good = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .create(
                    [
                        {"name": "Broken", "user_id": False},
                        {"name": "Good", "user_id": False},
                    ]
                )
            )
        with (
            patch.object(Rule, "_launch_playbook", failing_playbook),
            self.assertLogs(ASSIGNMENT_LOGGER, "ERROR") as logs,
        ):
            self._run(self.queued_cron, "2026-11-16 09:00:05")
        self.assertIn(f"crm.lead {broken.id}", logs.output[0])
        self.assertIn(good.with_env(self.env).user_id, self.rep_east | self.rep_li)
        broken = broken.with_env(self.env)
        self.assertFalse(broken.user_id)
        self.assertFalse(self._queued(broken))

    def test_rep_saves_an_unassigned_lead_the_rules_give_to_a_colleague(self):
        """The rules route the lead of a rep who sees only his own leads to a
        colleague: the web client's save succeeds, then the colleague gets it
        with the rule's follow-up (first-contact deadline, playbook)."""
        self.team_east.member_ids = [Command.set(self.rep_east.ids)]
        rule = self._rule(first_contact_hours=8)
        rule.activity_plan_id = self.env["mail.activity.plan"].create(
            {
                "name": "Welcome call",
                "res_model": "crm.lead",
                "template_ids": [
                    Command.create(
                        {
                            "summary": "Call the customer",
                            "responsible_type": "on_demand",
                            "activity_type_id": self.env.ref(
                                "mail.mail_activity_data_call"
                            ).id,
                        }
                    )
                ],
            }
        )
        with freeze_time("2026-11-16 09:00:00"):
            saved = (
                self.env["crm.lead"]
                .with_user(self.rep_li)
                .web_save({"name": "Walk-in", "user_id": False}, {"name": {}})
            )
        lead = self.env["crm.lead"].browse(saved[0]["id"])
        self.assertEqual(saved[0]["name"], "Walk-in")
        self._run(self.queued_cron, "2026-11-16 09:00:05")
        self.assertEqual(lead.user_id, self.rep_east)
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)
        self.assertTrue(lead.sales_process_first_contact_deadline)
        self.assertEqual(
            lead.activity_ids.filtered(
                lambda activity: activity.summary == "Call the customer"
            ).user_id,
            self.rep_east,
        )

    def test_team_leader_routes_a_lead_to_another_team(self):
        """Rules run with the rights of whoever applies them; their
        bookkeeping does not need rights on the records once routed."""
        self.team_east.member_ids = [Command.set(self.rep_east.ids)]
        rule = self._rule(first_contact_hours=8)
        leader = new_test_user(
            self.env,
            login="spa_hard_leader_west",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        lead = self._create_leads(1, user_id=False, team_id=False)
        with freeze_time("2026-11-16 09:00:00"):
            lead.with_user(leader).action_apply_assignment_rules()
        self.assertEqual(lead.user_id, self.rep_east)
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)
        self.assertTrue(lead.sales_process_first_contact_deadline)

    def test_helpdesk_user_creates_an_unassigned_ticket(self):
        rule = self.Rule.create(
            {
                "name": "After-sales",
                "res_model": "helpdesk.ticket",
                "helpdesk_team_id": self.helpdesk_team.id,
                "method": "round_robin",
            }
        )
        with freeze_time("2026-11-16 09:00:00"):
            ticket = (
                self.env["helpdesk.ticket"]
                .with_user(self.helpdesk_user)
                .create(
                    {
                        "name": "Broken pump",
                        "description": "<p>Leaks</p>",
                        "user_id": False,
                    }
                )
            )
        self.assertEqual(ticket.sales_process_assignment_rule_id, rule)
        self.assertTrue(ticket.user_id)

    def test_manager_applies_the_rules(self):
        leads = self._create_leads(3, user_id=False, team_id=False)
        self.assertFalse(leads.user_id, "no rule when they were created")
        rule = self._rule()
        with freeze_time("2026-11-16 10:00:00"):
            leads.with_user(self.director).action_apply_assignment_rules()
        self.assertEqual(len(leads.user_id), 2)
        self.assertEqual(sum(rule.member_ids.mapped("assigned_count")), 3)

    # item 13: one escalation per deadline, a note only when something changed
    def test_no_other_rep_escalates_once_and_keeps_the_owner(self):
        self.team_east.member_ids = [Command.set(self.rep_east.ids)]
        self._rule(first_contact_hours=8, reassign_on_no_contact=True)
        with freeze_time("2026-11-16 09:00:00"):
            lead = self.env["crm.lead"].create({"name": "Silent", "user_id": False})
        self.assertEqual(lead.user_id, self.rep_east)
        for when in ("2026-11-17 10:00:00", "2026-11-18 10:00:00", "2026-11-19 11:00"):
            self._run(self.contact_cron, when)
        self.assertEqual(lead.user_id, self.rep_east, "nobody else to take it")
        self.assertTrue(lead.sales_process_first_contact_escalated)
        self.assertEqual(len(self._notes(lead, "escalated")), 1)
        escalations = self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("summary", "=", "Not contacted in time"),
            ]
        )
        self.assertEqual(escalations.user_id, self.director)
        self.assertEqual(len(escalations), 1)
        contact = self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("summary", "=", "Contact the customer: new assignment"),
            ]
        )
        self.assertEqual(len(contact), 1, "the same rep is not asked again")

    def test_backlog_writes_the_waiting_note_once(self):
        self._rule()
        # Saturday: nobody works
        with freeze_time("2026-11-21 10:00:00"):
            lead = self.env["crm.lead"].create({"name": "Weekend", "user_id": False})
        self.assertEqual(lead.sales_process_assignment_state, "team_only")
        for when in ("2026-11-21 11:00:00", "2026-11-21 12:00:00"):
            self._run(self.backlog_cron, when)
        self.assertEqual(len(self._notes(lead, "waits in the team")), 1)
        self._run(self.backlog_cron, "2026-11-23 09:00:00")
        self.assertIn(lead.user_id, self.rep_east | self.rep_li, "Monday: assigned")

    # item 14: archived person, working hours without working time
    def test_fixed_rule_skips_an_archived_person(self):
        self._rule(method="fixed", user_id=self.rep_west.id, team_id=False)
        self.rep_west.action_archive()
        with freeze_time("2026-11-16 09:00:00"):
            lead = self.env["crm.lead"].create(
                {"name": "For West", "user_id": False, "team_id": self.team_west.id}
            )
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.sales_process_assignment_state, "team_only")
        self.assertTrue(self._notes(lead, "is archived"))

    def test_working_hours_without_working_time_are_refused_on_the_team(self):
        empty = self.env["resource.calendar"].create(
            {"name": "Nobody works", "attendance_ids": [Command.clear()]}
        )
        for team in (self.team_east, self.helpdesk_team):
            with self.assertRaises(ValidationError) as refused:
                team.sales_process_resource_calendar_id = empty
            self.assertIn("no working time", str(refused.exception))
        self.assertEqual(
            self.team_east.sales_process_resource_calendar_id, self.calendar
        )
        # the team's leads are still created, with their deadlines
        self.assertTrue(self._create_leads(1))

    # item 12: a stored condition that became invalid
    def test_rule_with_a_condition_now_invalid_is_skipped_and_flagged(self):
        broken = self._rule(name="Custom field rule", sequence=1)
        fallback = self._rule(name="Everything", sequence=2)
        # a custom field the condition read was removed since
        self.env.cr.execute(
            "UPDATE sales_process_assignment_rule SET domain = %s WHERE id = %s",
            ["[('x_removed_field', '=', 1)]", broken.id],
        )
        broken.invalidate_recordset()
        with freeze_time("2026-11-16 09:00:00"):
            leads = (
                self.env["crm.lead"]
                .with_user(self.director)
                .create([{"name": "First", "user_id": False}, {"name": "Next"}])
            )
        self.assertEqual(leads.sales_process_assignment_rule_id, fallback)
        self.assertIn("x_removed_field", broken.domain_error)
        alerts = broken.message_ids.filtered(
            lambda message: self.process_admin.partner_id in message.partner_ids
        )
        self.assertEqual(len(alerts), 1)
        with freeze_time("2026-11-16 10:00:00"):
            self.env["crm.lead"].create({"name": "Later", "user_id": False})
        self.assertEqual(len(broken.message_ids & alerts), 1, "told once")
        broken.domain = "[]"
        self.assertFalse(broken.domain_error)
