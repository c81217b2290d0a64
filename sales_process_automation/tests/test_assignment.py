# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestAssignment(SalesProcessCommon):
    """Rules run on Monday 2026-11-16 unless said otherwise; the East team works
    Monday to Friday, 8:00-12:00 and 13:00-17:00 UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["sales.process.assignment.rule"]
        cls.online_promotion = cls.env["utm.source"].create(
            {"name": "Online promotion"}
        )
        cls.reps = cls.rep_east | cls.env["res.users"].union(
            *(
                new_test_user(
                    cls.env,
                    login=f"spa_assign_rep_{name}",
                    groups="sales_team.group_sale_salesman",
                )
                for name in ("li", "wang")
            )
        )
        cls.team_east.member_ids = [Command.set(cls.reps.ids)]

    def _rule(self, **values):
        return self.Rule.create(
            {"name": "Rule", "team_id": self.team_east.id, **values}
        )

    def _new_leads(self, count, **values):
        with freeze_time(values.pop("when", "2026-11-16 09:00:00")):
            return self.env["crm.lead"].create(
                [
                    {"name": f"New lead {index}", "user_id": False, **values}
                    for index in range(count)
                ]
            )

    def _spread(self, records):
        return Counter(record.user_id.id for record in records)

    def _sweep(self, when):
        self._run_cron("ir_cron_first_contact_sweep", when)

    def test_beijing_online_promotion_goes_to_east_and_escalates_after_48_hours(self):
        rule = self._rule(
            name="Online promotion in Beijing",
            source_ids=[Command.link(self.online_promotion.id)],
            cities="Beijing",
            first_contact_hours=48,
        )
        called, forgotten = self._new_leads(
            2, source_id=self.online_promotion.id, city="beijing"
        )
        elsewhere = self._new_leads(1, source_id=self.online_promotion.id, city="Paris")
        self.assertEqual((called | forgotten).team_id, self.team_east)
        self.assertIn(called.user_id, self.reps)
        self.assertNotEqual(called.user_id, forgotten.user_id)
        self.assertFalse(elsewhere.sales_process_assignment_rule_id)
        self.assertEqual(called.sales_process_assignment_rule_id, rule)
        self.assertEqual(
            called.sales_process_assignment_date, datetime(2026, 11, 16, 9, 0)
        )
        # 48 working hours of 8-hour days: six working days later
        self.assertEqual(
            called.sales_process_first_contact_deadline, datetime(2026, 11, 24, 9, 0)
        )
        self.assertIn("Online promotion in Beijing", called.message_ids[0].body)
        self.assertIn("city: Beijing", called.message_ids[0].body)
        contact = self._activities(called, called.user_id)
        self.assertEqual(contact.summary, "Contact the customer: new assignment")

        with freeze_time("2026-11-17 10:00:00"):
            contact.action_feedback(feedback="Called, meeting on Friday")
        self._sweep("2026-11-23 10:00:00")
        self.assertFalse(
            forgotten.sales_process_first_contact_escalated, "not yet late"
        )
        self._sweep("2026-11-24 10:00:00")
        self.assertEqual(
            called.sales_process_first_contact_date, datetime(2026, 11, 17, 10, 0)
        )
        self.assertFalse(called.sales_process_first_contact_escalated)
        self.assertTrue(forgotten.sales_process_first_contact_escalated)
        self.assertEqual(
            self._activities(forgotten, self.director).summary, "Not contacted in time"
        )
        self.assertFalse(self._activities(called, self.director))
        self._sweep("2026-11-25 10:00:00")
        self.assertEqual(
            len(self._activities(forgotten, self.director)), 1, "escalated once"
        )

    def test_assignee_gets_an_activity_and_a_notification(self):
        self._rule()
        with freeze_time("2026-11-16 09:00:00"):
            lead = (
                self.env["crm.lead"]
                .with_context(tracking_disable=False, mail_notrack=False)
                .create({"name": "From the website", "user_id": False})
            )
        self.assertTrue(self._activities(lead, lead.user_id))
        notification = self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("message_type", "=", "user_notification"),
                ("partner_ids", "in", lead.user_id.partner_id.ids),
            ]
        )
        self.assertTrue(notification, "Odoo's assignment notification is sent")

    def test_assignee_of_several_records_gets_one_notification(self):
        self._rule()
        leads = self._new_leads(6)
        self.assertEqual(len(leads.user_id), 3, "two leads for each of three reps")
        Message = self.env["mail.message"]
        per_record = Message.search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "in", leads.ids),
                ("message_type", "=", "user_notification"),
            ]
        )
        self.assertFalse(per_record, "no mail per record")
        for rep in leads.user_id:
            notifications = Message.search(
                [
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", rep.partner_id.ids),
                    ("create_date", ">=", leads[0].create_date),
                ]
            )
            self.assertEqual(len(notifications), 1)
            mine = leads.filtered(lambda lead, rep=rep: lead.user_id == rep)
            for lead in mine:
                self.assertIn(lead.name, notifications.body)
            self.assertIn(str(len(mine)), notifications.subject)

    def _flush_tracking(self):
        """Write the tracking messages, as the commit of a transaction does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_explanation_and_tracking_in_one_message(self):
        """The chatter tells who got the record and why, once."""
        waiting = self._new_leads(1).with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.assertFalse(waiting.user_id, "no rule yet")
        self._flush_tracking()
        self._rule(name="Everything to East")
        with freeze_time("2026-11-16 10:00:00"):
            waiting.action_apply_assignment_rules()
            self._flush_tracking()
        messages = waiting.message_ids.filtered(
            lambda message: "Everything to East" in (message.body or "")
        )
        self.assertEqual(len(messages), 1)
        self.assertIn("user_id", messages.tracking_value_ids.field_id.mapped("name"))
        self.assertIn(waiting.user_id.name, messages.body)

    def test_record_odoo_tracks_already_gets_one_tracking_message(self):
        """A record written earlier in the transaction is tracked by Odoo: the
        explanation becomes the body of Odoo's tracking message."""
        waiting = self._new_leads(1).with_context(
            tracking_disable=False, mail_notrack=False
        )
        self._flush_tracking()
        self._rule(name="Everything to East")
        waiting.name = "Renamed before the assignment"
        with freeze_time("2026-11-16 10:00:00"):
            waiting.action_apply_assignment_rules()
            self._flush_tracking()
        explained = waiting.message_ids.filtered(
            lambda message: "Everything to East" in (message.body or "")
        )
        self.assertEqual(len(explained), 1)
        owner_changes = waiting.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "user_id"
        )
        self.assertEqual(owner_changes.mail_message_id, explained)
        self.assertEqual(len(owner_changes), 1)

    def test_explanation_logged_when_assigned_at_creation(self):
        """A record created and assigned in one transaction is not tracked by
        Odoo: its explanation is logged on its own, not lost."""
        self._rule(name="Everything to East")
        # a working day of the reps: on their days off the rule leaves the
        # lead waiting in the team
        with freeze_time("2026-11-16 09:00:00"):
            created = (
                self.env["crm.lead"]
                .with_context(tracking_disable=False, mail_notrack=False)
                .create({"name": "Created and assigned", "user_id": False})
            )
        self._flush_tracking()
        self.assertIn(created.user_id, self.reps)
        messages = created.message_ids.filtered(
            lambda message: "Everything to East" in (message.body or "")
        )
        self.assertEqual(len(messages), 1)
        # without tracking at all, the explanation is logged too
        untracked = self._new_leads(1)
        self.assertIn("Everything to East", untracked.message_ids[:1].body)

    def test_rules_apply_in_order_first_match_wins(self):
        grade_a = self.env["crm.tag"].create({"name": "Key account"})
        first = self._rule(
            name="Key accounts", sequence=1, tag_ids=[Command.link(grade_a.id)]
        )
        self._rule(name="Everything else", sequence=2, team_id=self.team_west.id)
        tagged_lead = self._new_leads(1, tag_ids=[Command.link(grade_a.id)])
        other = self._new_leads(1)
        self.assertEqual(tagged_lead.sales_process_assignment_rule_id, first)
        self.assertEqual(tagged_lead.team_id, self.team_east)
        self.assertEqual(other.user_id, self.rep_west)
        first.sequence = 3
        later = self._new_leads(1, tag_ids=[Command.link(grade_a.id)])
        self.assertEqual(later.sales_process_assignment_rule_id.name, "Everything else")

    def test_tags_any_or_all_and_customer_tags(self):
        hot, big = self.env["crm.tag"].create(
            [{"name": "Hot prospect"}, {"name": "Big budget"}]
        )
        industry = self.env["res.partner.category"].create({"name": "Manufacturing"})
        factory = self.env["res.partner"].create(
            {"name": "Factory", "category_id": [Command.link(industry.id)]}
        )
        rule_all = self._rule(
            sequence=1, tag_ids=[Command.set([hot.id, big.id])], tag_match="all"
        )
        rule_customer = self._rule(
            sequence=2, partner_category_ids=[Command.link(industry.id)]
        )
        both = self._new_leads(1, tag_ids=[Command.set([hot.id, big.id])])
        only_hot = self._new_leads(1, tag_ids=[Command.set([hot.id])])
        customer = self._new_leads(1, partner_id=factory.id)
        self.assertEqual(both.sales_process_assignment_rule_id, rule_all)
        self.assertFalse(only_hot.sales_process_assignment_rule_id)
        self.assertEqual(customer.sales_process_assignment_rule_id, rule_customer)

    def test_round_robin_is_fair_across_runs(self):
        rule = self._rule(method="round_robin")
        for count in (1, 2, 5, 1, 3, 7):
            leads = self._new_leads(count)
            spread = self._spread(
                self.env["crm.lead"].search(
                    [("sales_process_assignment_rule_id", "=", rule.id)]
                )
            )
            self.assertLessEqual(max(spread.values()) - min(spread.values()), 1)
            self.assertTrue(all(leads.mapped("user_id")))
        self.assertEqual(sum(rule.member_ids.mapped("assigned_count")), 19)

    def test_weighted_gives_shares_in_proportion(self):
        rule = self._rule(method="weighted")
        rule.member_ids.filtered(lambda m: m.user_id == self.rep_east).weight = 2
        leads = self._new_leads(40)
        spread = self._spread(leads)
        self.assertEqual(spread[self.rep_east.id], 20)
        self.assertEqual(sorted(spread.values()), [10, 10, 20])

    def test_least_load_and_capacity(self):
        self._create_leads(3, user_id=self.reps[1].id)
        self._create_leads(1, user_id=self.reps[2].id)
        rule = self._rule(method="least_load")
        leads = self._new_leads(4)
        # rep_east had the two (or so) demo-free open leads of the common data
        load = self._spread(
            self.env["crm.lead"].search(
                [("user_id", "in", self.reps.ids), ("probability", "<", 100)]
            )
        )
        self.assertLessEqual(max(load.values()) - min(load.values()), 1, load)
        self.assertFalse(leads.filtered(lambda lead: lead.user_id == self.reps[1]))

        rule.member_ids.max_open = 3
        full = self._new_leads(3)
        waiting = full.filtered(lambda lead: not lead.user_id)
        self.assertTrue(waiting, "everybody is at capacity")
        self.assertEqual(
            set(waiting.mapped("sales_process_assignment_state")), {"team_only"}
        )
        self.assertEqual(waiting.team_id, self.team_east)
        self.assertIn("no rep is available", waiting[0].message_ids[0].body)

    def test_fixed_person(self):
        rule = self._rule(method="fixed", user_id=self.rep_west.id, team_id=False)
        lead = self._new_leads(1, team_id=self.team_west.id)
        self.assertEqual(lead.user_id, self.rep_west)
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)

    def test_reps_on_leave_or_off_today_are_skipped(self):
        on_leave = self.reps[1]
        resource = self.env["resource.resource"].create(
            {
                "name": on_leave.name,
                "user_id": on_leave.id,
                "calendar_id": self.calendar.id,
            }
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "resource_id": resource.id,
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 16, 0, 0),
                "date_to": datetime(2026, 11, 20, 23, 59),
            }
        )
        self._rule()
        leads = self._new_leads(6)
        self.assertNotIn(on_leave, leads.user_id)
        self.assertEqual(len(leads.user_id), 2)
        saturday = self._new_leads(1, when="2026-11-21 10:00:00")
        self.assertFalse(saturday.user_id, "nobody works on Saturdays")
        self.assertEqual(saturday.sales_process_assignment_state, "team_only")
        back = self._new_leads(3, when="2026-11-23 10:00:00")
        self.assertIn(on_leave, back.user_id)

    def test_owned_records_are_left_alone_unless_the_rule_reassigns(self):
        rule = self._rule()
        owned = self._new_leads(1, user_id=self.rep_west.id)
        self.assertEqual(owned.user_id, self.rep_west)
        self.assertFalse(owned.sales_process_assignment_rule_id)
        rule.reassign = True
        with freeze_time("2026-11-16 10:00:00"):
            owned.action_apply_assignment_rules()
        self.assertIn(owned.user_id, self.reps)

    def test_owned_record_created_is_reassigned_only_by_a_rule_that_reassigns(self):
        rule = self._rule()
        owned = self._new_leads(1, user_id=self.rep_west.id)
        self.assertEqual(owned.user_id, self.rep_west)
        self.assertFalse(owned.sales_process_assignment_rule_id)
        self.assertIn(
            "the rule Rule would give it to the team East", owned.message_ids[0].body
        )
        rule.reassign = True
        owned = self._new_leads(1, user_id=self.rep_west.id)
        self.assertEqual(owned.sales_process_assignment_rule_id, rule)
        self.assertIn(owned.user_id, self.reps)

    def test_import_of_500_leads_assigned_at_once(self):
        rule = self._rule()
        with self.assertQueryCount(__system__=5000):
            leads = self._new_leads(500)
        self.assertEqual(leads.sales_process_assignment_rule_id, rule)
        self.assertEqual(sorted(self._spread(leads).values()), [166, 167, 167])

    def test_backlog_cron_and_manual_run(self):
        leads = self._new_leads(4)
        self.assertFalse(leads.user_id, "no rule yet")
        self._rule()
        with freeze_time("2026-11-16 10:00:00"), self.enter_registry_test_mode():
            self.env.ref(
                "sales_process_automation.ir_cron_assign_backlog"
            ).method_direct_trigger()
        self.assertEqual(len(leads.user_id), 3)
        late = self._new_leads(1, when="2026-11-16 11:00:00")
        late.user_id = False
        with freeze_time("2026-11-16 12:00:00"):
            action = late.action_apply_assignment_rules()
        self.assertIn("1 of 1 records assigned", action["params"]["message"])

    def test_ticket_assignment(self):
        urgent = self.env["helpdesk.ticket.tag"].create({"name": "Urgent"})
        rule = self.Rule.create(
            {
                "name": "Urgent tickets",
                "res_model": "helpdesk.ticket",
                "helpdesk_team_id": self.helpdesk_team.id,
                "helpdesk_tag_ids": [Command.link(urgent.id)],
            }
        )
        with freeze_time("2026-11-16 09:00:00"):
            ticket = self._create_tickets(
                1, user_id=False, team_id=False, tag_ids=[Command.link(urgent.id)]
            )
        self.assertEqual(ticket.sales_process_assignment_rule_id, rule)
        self.assertEqual(ticket.team_id, self.helpdesk_team)
        self.assertEqual(ticket.user_id, self.rep_east)

    def test_playbook_launched_for_matching_customers(self):
        grade_a = self.env["res.partner.category"].create({"name": "Grade A"})
        customer = self.env["res.partner"].create(
            {"name": "Big factory", "category_id": [Command.link(grade_a.id)]}
        )
        plan = self.env["mail.activity.plan"].create(
            {
                "name": "Grade A cadence",
                "res_model": "crm.lead",
                "template_ids": [
                    Command.create(
                        {
                            "summary": "Visit the plant",
                            "activity_type_id": self.env.ref(
                                "mail.mail_activity_data_meeting"
                            ).id,
                            "responsible_type": "on_demand",
                        }
                    )
                ],
            }
        )
        self._rule(
            partner_category_ids=[Command.link(grade_a.id)], activity_plan_id=plan.id
        )
        lead = self._new_leads(1, partner_id=customer.id)
        visit = self._activities(lead, lead.user_id).filtered(
            lambda activity: activity.summary == "Visit the plant"
        )
        self.assertTrue(visit)
        self.assertTrue(
            lead.message_ids.filtered(lambda m: "Grade A cadence" in (m.body or ""))
        )

    def test_no_contact_reassigns_to_the_next_rep(self):
        self._rule(first_contact_hours=8, reassign_on_no_contact=True)
        lead = self._new_leads(1)
        first_owner = lead.user_id
        self._sweep("2026-11-17 10:00:00")
        self.assertNotEqual(lead.user_id, first_owner)
        self.assertFalse(
            lead.sales_process_first_contact_escalated, "a new window for the new rep"
        )
        self.assertEqual(
            lead.sales_process_first_contact_deadline, datetime(2026, 11, 18, 10, 0)
        )

    def test_stage_change_counts_as_contact(self):
        self._rule(first_contact_hours=8)
        lead = self._new_leads(1)
        with freeze_time("2026-11-16 15:00:00"):
            lead.stage_id = self.stages[1]
        self._sweep("2026-11-17 10:00:00")
        self.assertEqual(
            lead.sales_process_first_contact_date, datetime(2026, 11, 16, 15, 0)
        )
        self.assertFalse(lead.sales_process_first_contact_escalated)

    def test_test_rules_explains_without_assigning(self):
        self._rule(name="Beijing", cities="Beijing")
        with freeze_time("2026-11-16 09:00:00"):
            leads = (
                self.env["crm.lead"]
                .with_context(sales_process_skip_assignment=True)
                .create(
                    [
                        {"name": "In Beijing", "city": "Beijing", "user_id": False},
                        {"name": "In Paris", "city": "Paris", "user_id": False},
                    ]
                )
            )
            action = leads.with_user(self.rep_east).action_test_assignment_rules()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertIn("city: Beijing", wizard.result)
        self.assertIn("No rule matches", wizard.result)
        self.assertFalse(leads.user_id)

    def test_bad_rules_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self._rule(domain="[('no_such_field', '=', 1)]")
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self._rule(domain="[('name', '=',")
        empty_team = self.env["crm.team"].create({"name": "Nobody"})
        with self.assertRaisesRegex(ValidationError, "no active member"):
            self._rule(team_id=empty_team.id)
        archived = new_test_user(self.env, login="spa_gone")
        archived.active = False
        with self.assertRaisesRegex(ValidationError, "archived"):
            self._rule(method="fixed", user_id=archived.id)
        with self.assertRaisesRegex(ValidationError, "choose the person"):
            self._rule(method="fixed")
        with self.assertRaisesRegex(ValidationError, "at least 1"):
            self._rule().member_ids[0].weight = 0

    def test_reps_cannot_edit_rules(self):
        rule = self._rule()
        self.assertEqual(rule.with_user(self.rep_east).name, "Rule")
        with self.assertRaises(AccessError):
            rule.with_user(self.rep_east).sequence = 1
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.director).create({"name": "x"})
        with Form(self.Rule.with_user(self.process_admin)) as form:
            form.name = "Configured in the form"
            form.team_id = self.team_west
        self.assertEqual(form.record.member_ids.user_id, self.rep_west)
