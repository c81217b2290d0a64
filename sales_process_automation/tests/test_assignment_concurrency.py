# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from collections import Counter
from datetime import datetime
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, freeze_time, tagged

from odoo.addons.mail.models.mail_mail import MailMail

from .common import SalesProcessCommon

MONDAY = "2026-11-16 09:00:00"


@tagged("post_install", "-at_install")
class TestAssignmentConcurrency(TransactionCase):
    """Two requests create leads through the same round-robin rule at once.

    Committed data, each request in its own cursor and thread; removed at the end.
    """

    def _committed(self, function):
        with self.env.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _set_up(self, env):
        # a rep who reads all leads creates them (the rules run in his
        # request), two others take them in turn
        salesman = [Command.link(env.ref("sales_team.group_sale_salesman").id)]
        env["res.users"].create(
            {
                "name": "Concurrency creator",
                "login": "spa_concurrency_creator",
                "group_ids": [
                    Command.link(env.ref("sales_team.group_sale_salesman_all_leads").id)
                ],
            }
        )
        reps = env.ref("base.user_admin") | env["res.users"].create(
            {
                "name": "Concurrency rep",
                "login": "spa_concurrency_rep",
                "group_ids": salesman,
            }
        )
        rule = env["sales.process.assignment.rule"].create(
            {
                "name": "Concurrency test",
                "sequence": -1000,
                "team_id": env.ref("sales_team.team_sales_department").id,
                "method": "round_robin",
                "domain": "[('name', '=like', 'Concurrency lead%')]",
                "member_ids": [Command.create({"user_id": rep.id}) for rep in reps],
            }
        )
        return rule.id

    def _tear_down(self, env, rule_id):
        env["crm.lead"].with_context(active_test=False).search(
            [("sales_process_assignment_rule_id", "=", rule_id)]
        ).unlink()
        rule = env["sales.process.assignment.rule"].browse(rule_id)
        rep = rule.member_ids.user_id.filtered(
            lambda user: user.login == "spa_concurrency_rep"
        )
        rule.unlink()
        partner = rep.partner_id
        creator = env["res.users"].search([("login", "=", "spa_concurrency_creator")])
        partners = partner | creator.partner_id
        (rep | creator).unlink()
        partners.unlink()

    def _create_lead(self, env, name):
        rep = env["res.users"].search([("login", "=", "spa_concurrency_creator")])
        return (
            env["crm.lead"]
            .with_user(rep)
            .create({"name": name, "user_id": False, "type": "opportunity"})
        )

    def test_two_requests_assign_by_round_robin_at_once(self):
        rule_id = self._committed(self._set_up)
        self.addCleanup(self._committed, lambda env: self._tear_down(env, rule_id))
        barrier = threading.Barrier(2, timeout=60)
        errors = []

        def request(index):
            try:
                with self.env.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    # both transactions see the turns before either assigns
                    cr.execute("SELECT 1")
                    barrier.wait()
                    self._create_lead(env, f"Concurrency lead {index}")
                    env.flush_all()
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [
            threading.Thread(target=request, args=(index,)) for index in range(2)
        ]
        with freeze_time(MONDAY), self.assertNoLogs("odoo.sql_db", "ERROR"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertFalse(errors, "no serialization failure")

        def check(env):
            rule = env["sales.process.assignment.rule"].browse(rule_id)
            leads = env["crm.lead"].search(
                [("sales_process_assignment_rule_id", "=", rule_id)]
            )
            self.assertEqual(len(leads), 2)
            self.assertTrue(all(leads.mapped("user_id")))
            given = Counter(lead.user_id for lead in leads)
            self.assertEqual(
                {member.user_id: member.assigned_count for member in rule.member_ids},
                {member.user_id: given[member.user_id] for member in rule.member_ids},
                "every turn given is counted: none lost to the other request",
            )
            # the next requests make up for what the concurrent ones did not see
            with freeze_time(MONDAY):
                self._create_lead(env, "Concurrency lead 2")
                self._create_lead(env, "Concurrency lead 3")
            self.assertEqual(rule.member_ids.mapped("assigned_count"), [2, 2])

        self._committed(check)


@tagged("post_install", "-at_install")
class TestAssignmentRequestCost(SalesProcessCommon):
    """What a rep's creation of an unassigned lead leaves for later or reuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep_li = cls.env["res.users"].create(
            {
                "name": "Li",
                "login": "spa_concurrency_rep_li",
                "group_ids": [
                    Command.link(cls.env.ref("sales_team.group_sale_salesman").id)
                ],
            }
        )
        cls.team_east.member_ids = [Command.link(cls.rep_li.id)]
        # the rules run in the request of the users who read all leads
        cls.rep_east.group_ids = [
            Command.link(cls.env.ref("sales_team.group_sale_salesman_all_leads").id)
        ]
        cls.rule = cls.env["sales.process.assignment.rule"].create(
            {"name": "Round-robin", "team_id": cls.team_east.id}
        )
        cls.mail_queue = cls.env.ref("mail.ir_cron_mail_scheduler_action")

    def _new_leads(self, count, when=MONDAY):
        with freeze_time(when):
            return (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .with_context(tracking_disable=False, mail_notrack=False)
                .create(
                    [
                        {"name": f"Walk-in {index}", "user_id": False}
                        for index in range(count)
                    ]
                )
            )

    def test_assignment_mails_are_queued_one_per_rep(self):
        self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.mail_queue.id)]
        ).unlink()
        with (
            patch.object(MailMail, "send_after_commit", autospec=True) as later,
            patch.object(MailMail, "send", autospec=True) as now,
        ):
            one = self._new_leads(1)
            several = self._new_leads(4)
        self.assertFalse(later.called or now.called, "nothing sent in the request")
        for rep in (one | several).user_id:
            mails = self.env["mail.mail"].search(
                [
                    ("recipient_ids", "in", rep.partner_id.ids),
                    ("create_date", ">=", one.create_date),
                ]
            )
            runs = (one.user_id == rep) + (rep in several.user_id)
            self.assertEqual(len(mails), runs, "one mail per rep and run")
            self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        new_triggers = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.mail_queue.id)]
        )
        self.assertEqual(len(new_triggers), 2, "a trigger for each run")
        self.assertEqual(
            set(new_triggers.mapped("call_at")),
            {datetime(2026, 11, 16, 9, 1)},
            "one run of the queue at the next minute for the assignments of a minute",
        )

    def test_working_day_read_once_per_calendar_and_day(self):
        Calendar = type(self.env["resource.calendar"])
        original = Calendar._work_intervals_batch
        self._new_leads(1)
        with patch.object(
            Calendar, "_work_intervals_batch", autospec=True, side_effect=original
        ) as work_intervals:
            self.assertEqual(len(self._new_leads(3).user_id), 2)
            self.assertFalse(work_intervals.called, "the day's answer is kept")
            resource = self.env["resource.resource"].create(
                {
                    "name": self.rep_li.name,
                    "user_id": self.rep_li.id,
                    "calendar_id": self.calendar.id,
                }
            )
            self.env["resource.calendar.leaves"].create(
                {
                    "name": "Day off",
                    "resource_id": resource.id,
                    "calendar_id": self.calendar.id,
                    "date_from": datetime(2026, 11, 16, 0, 0),
                    "date_to": datetime(2026, 11, 16, 23, 59),
                }
            )
            leads = self._new_leads(2)
            self.assertTrue(work_intervals.called, "a leave clears the kept answer")
        self.assertEqual(leads.user_id, self.rep_east)
