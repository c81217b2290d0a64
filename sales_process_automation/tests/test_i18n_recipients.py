# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import freeze_time, tagged
from odoo.tools.translate import code_translations

from .common import SalesProcessCommon

MODULE = "sales_process_automation"
# Test translations of a few terms, whether the catalogues are installed or not
CODE_TERMS = {
    "zh_CN": {
        "SLA reminder: %(policy)s": "SLA 提醒：%(policy)s",
        "SLA breached: %(policy)s": "SLA 已违反：%(policy)s",
        "Contact the customer: new assignment": "联系客户：新分配",
        "You have been assigned %(count)s records: %(model)s": (
            "已分配给您 %(count)s 条记录：%(model)s"
        ),
    },
    "ru_RU": {
        "SLA reminder: %(policy)s": "Напоминание SLA: %(policy)s",
        "SLA breached: %(policy)s": "SLA нарушен: %(policy)s",
        "Contact the customer: new assignment": "Свяжитесь с клиентом",
        "You have been assigned %(count)s records: %(model)s": (
            "Вам назначено записей: %(count)s (%(model)s)"
        ),
    },
}
TEMPLATE_SUBJECTS = {
    "zh_CN": (
        "提醒：{{ object.display_name }}",
        "SLA 已违反：{{ object.display_name }}",
    ),
    "ru_RU": (
        "Напоминание: {{ object.display_name }}",
        "SLA нарушен: {{ object.display_name }}",
    ),
}


@tagged("post_install", "-at_install")
class TestI18nRecipients(SalesProcessCommon):
    """A Chinese rep and a Russian team leader on one team each read the
    reminders, escalations and assignments in their own language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        for lang in CODE_TERMS:
            cls.env["res.lang"]._activate_lang(lang)
        cls.rep_east.lang = "zh_CN"
        cls.director.lang = "ru_RU"
        reminder = cls.env.ref(f"{MODULE}.mail_template_sla_reminder")
        breach = cls.env.ref(f"{MODULE}.mail_template_sla_breach")
        for lang, (reminder_subject, breach_subject) in TEMPLATE_SUBJECTS.items():
            reminder.with_context(lang=lang).subject = reminder_subject
            breach.with_context(lang=lang).subject = breach_subject

    def setUp(self):
        super().setUp()
        for lang, terms in CODE_TERMS.items():
            key = (MODULE, lang)
            loaded = code_translations.get_python_translations(MODULE, lang)
            code_translations.python_translations[key] = {**loaded, **terms}
            self.addCleanup(
                code_translations.python_translations.__setitem__, key, loaded
            )

    def _activity(self, record, user):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("user_id", "=", user.id),
            ]
        )

    def _mail_to(self, partner, subject):
        return self.env["mail.mail"].search(
            [("recipient_ids", "in", partner.id), ("subject", "=", subject)]
        )

    def test_reminder_each_recipient_in_their_language(self):
        self.proposal_policy.reminder_ids[0].notify_team_leader = True
        lead = self._create_leads(1, name="Big deal")
        with freeze_time("2026-11-16 09:00:00"):
            lead.stage_id = self.proposition
        self._sweep("2026-11-17 10:00:00")

        rep_activity = self._activity(lead, self.rep_east)
        leader_activity = self._activity(lead, self.director)
        self.assertEqual(rep_activity.summary, "SLA 提醒：Proposal within 5 days")
        self.assertEqual(
            leader_activity.summary, "Напоминание SLA: Proposal within 5 days"
        )
        # the deadline (23 November 2026) in each language's date format
        self.assertIn("23.11.2026", str(leader_activity.note))
        self.assertIn("11/23/2026", str(self._deadline_in("en_US", lead)))
        self.assertNotIn("23.11.2026", str(rep_activity.note))
        self.assertIn(self._deadline_in("zh_CN", lead), str(rep_activity.note))

        # one email per language, each to its readers only
        self.assertEqual(
            self._mail_to(self.rep_east.partner_id, "提醒：Big deal").recipient_ids,
            self.rep_east.partner_id,
        )
        self.assertEqual(
            self._mail_to(
                self.director.partner_id, "Напоминание: Big deal"
            ).recipient_ids,
            self.director.partner_id,
        )

    def _deadline_in(self, lang, lead):
        row = self.History.search([("lead_id", "=", lead.id), ("date_out", "=", False)])
        return row.with_context(lang=lang)._sla_format_deadline()

    def test_breach_each_recipient_in_their_language(self):
        lead = self._create_leads(1, name="Late deal")
        with freeze_time("2026-11-16 09:00:00"):
            lead.stage_id = self.proposition
        self._sweep("2026-11-23 10:00:00")
        # the escalation user (English) first: the Russian leader still reads
        # the breach in Russian
        self.assertEqual(
            self._mail_to(
                self.director.partner_id, "SLA нарушен: Late deal"
            ).recipient_ids,
            self.director.partner_id,
        )
        self.assertEqual(
            self._mail_to(
                self.process_admin.partner_id, "SLA breached: Late deal"
            ).recipient_ids,
            self.process_admin.partner_id,
        )
        self.assertEqual(
            self._activity(lead, self.process_admin).summary,
            "SLA breached: Proposal within 5 days",
        )

    def test_assignment_in_the_language_of_the_assignee(self):
        self.team_east.member_ids = [Command.link(self.rep_west.id)]
        self.rep_west.lang = "ru_RU"
        self.env["sales.process.assignment.rule"].create(
            {"name": "Everything East", "team_id": self.team_east.id}
        )
        with freeze_time("2026-11-16 09:00:00"):
            leads = self.env["crm.lead"].create(
                [{"name": f"New lead {index}", "user_id": False} for index in range(4)]
            )
        self.assertEqual(leads.user_id, self.rep_east | self.rep_west)
        for user, summary, subject in (
            (self.rep_east, "联系客户：新分配", "已分配给您 2 条记录："),
            (self.rep_west, "Свяжитесь с клиентом", "Вам назначено записей: 2 ("),
        ):
            mine = leads.filtered(lambda lead, user=user: lead.user_id == user)
            self.assertEqual(
                set(
                    self.env["mail.activity"]
                    .search(
                        [("res_model", "=", "crm.lead"), ("res_id", "in", mine.ids)]
                    )
                    .mapped("summary")
                ),
                {summary},
            )
            message = self.env["mail.message"].search(
                [("partner_ids", "in", user.partner_id.id), ("model", "=", False)]
            )
            self.assertEqual(len(message), 1)
            self.assertTrue(message.subject.startswith(subject), message.subject)
