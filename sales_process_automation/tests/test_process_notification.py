# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestProcessNotification(SalesProcessCommon):
    """Proposal within 5 working days, reminders after 1 and 4 days; the
    company's default notification policy; a sales director."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        cls.company.sales_process_breach_notify_managers = False
        cls.sales_director = new_test_user(
            cls.env, login="spa_sales_director", groups="sales_team.group_sale_manager"
        )
        cls.proposal_policy.escalation_user_ids = cls.sales_director

    def _mails(self, subject):
        return self.env["mail.mail"].search([("subject", "ilike", subject)])

    def _manager_activities(self, lead):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("user_id", "in", (self.director | self.sales_director).ids),
            ]
        )

    def _send_digests(self, when):
        cron = self.env.ref("sales_process_automation.ir_cron_sla_digest")
        with freeze_time(when), self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def test_default_no_mail_per_breach_the_digest_carries_it(self):
        company = self.env["res.company"].create({"name": "New Co"})
        self.assertFalse(company.sales_process_breach_notify_managers, "off by default")
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-23 10:00:00")
        self.assertEqual(lead.sales_process_sla_status, "breached")
        self.assertFalse(self._mails("SLA breached"), "no mail per breach")
        self.assertFalse(self._manager_activities(lead))

        self._send_digests("2026-11-23 10:05:00")
        digests = self.env["sales.process.sla.digest"].search([])
        self.assertEqual(digests.user_id, self.director | self.sales_director)
        director_digest = digests.filtered(
            lambda digest: digest.user_id == self.sales_director
        )
        self.assertEqual(director_digest.history_ids.lead_id, lead)

    def test_per_breach_mails_when_the_team_asks(self):
        self.team_east.write(
            {
                "sales_process_notification_override": True,
                "sales_process_breach_notify_managers": True,
            }
        )
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-23 10:00:00")
        self.assertEqual(
            self._mails("SLA breached").recipient_ids,
            self.director.partner_id | self.sales_director.partner_id,
        )
        # the team leader's daily digest lists the breach: an email, no activity
        self.assertEqual(self._manager_activities(lead).user_id, self.sales_director)
        self._send_digests("2026-11-23 10:05:00")
        self.assertEqual(
            self.env["sales.process.sla.digest"].search([]).user_id,
            self.director,
            "mailed on each breach: the director needs no digest",
        )

    def test_reminder_copies_the_team_leader(self):
        self.company.sales_process_reminder_cc_leader = True
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-17 10:00:00")
        self.assertEqual(
            self._mails("Reminder").recipient_ids,
            self.rep_east.partner_id | self.director.partner_id,
        )
        self.assertFalse(
            self._manager_activities(lead), "a copy of the email, no activity"
        )
        # a team with its own policy does not copy
        self.team_east.sales_process_notification_override = True
        other = self._create_leads(1)
        self._enter(other, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-17 10:00:00")
        self.assertEqual(
            self._mails("Reminder")
            .filtered(
                lambda mail: (
                    mail.model == "sales.process.stage.history"
                    and mail.res_id == self._open_rows(other).id
                )
            )
            .recipient_ids,
            self.rep_east.partner_id,
        )

    def test_company_digest_users(self):
        self.company.sales_process_digest_user_ids = self.sales_director
        self.proposal_policy.escalation_user_ids = False
        lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-23 10:00:00")
        self._send_digests("2026-11-23 10:05:00")
        digest = self.env["sales.process.sla.digest"].search(
            [("user_id", "=", self.sales_director.id)]
        )
        self.assertEqual(digest.history_ids.lead_id, lead)
