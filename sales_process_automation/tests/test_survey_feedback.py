# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged

from ..tools.feedback_sampling import is_sampled
from .common import SalesProcessCommon

CLOSED = datetime(2026, 3, 2, 10, 0)
RUN = datetime(2026, 3, 2, 12, 0)


@tagged("post_install", "-at_install")
class TestSurveyFeedback(SalesProcessCommon):
    """An administrator sets up feedback campaigns; the scheduler samples the
    customers of closed opportunities and invites them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.feedback_admin = new_test_user(
            cls.env,
            login="spa_feedback_admin",
            groups="sales_team.group_sale_manager,"
            "sales_process_automation.group_admin,survey.group_survey_user",
        )
        cls.survey = cls.env.ref(
            "sales_process_automation.survey_sales_process_feedback"
        )
        cls.cron = cls.env.ref("sales_process_automation.ir_cron_feedback_surveys")
        cls.Request = cls.env["sales.process.feedback.request"]
        # campaigns shipped by other data would run too: only the tests' ones
        cls.env["sales.process.feedback.campaign"].search([]).action_archive()

    def _campaign(self, **values):
        return (
            self.env["sales.process.feedback.campaign"]
            .with_user(self.feedback_admin)
            .create(
                {
                    "name": "Won deals",
                    "outcome": "won",
                    "team_ids": [Command.link(self.team_east.id)],
                    "sample_rate": 100,
                    "quiet_days": 90,
                    "date_start": datetime(2026, 1, 1),
                    **values,
                }
            )
        )

    def _partners(self, count, **values):
        return self.env["res.partner"].create(
            [
                {"name": f"Customer {i}", "email": f"c{i}@example.com", **values}
                for i in range(count)
            ]
        )

    def _won_leads(self, partners, when=CLOSED):
        with freeze_time(when):
            leads = self._create_leads(len(partners))
            for lead, partner in zip(leads, partners, strict=True):
                lead.partner_id = partner
            leads.action_set_won()
        return leads

    def _run(self, when=RUN):
        with freeze_time(when), self.enter_registry_test_mode():
            self.cron.method_direct_trigger()

    def test_sampling_rate_over_1000_won_leads(self):
        campaign = self._campaign(sample_rate=10)
        leads = self._won_leads(self._partners(1000))
        self._run()
        requests = self.Request.search([("campaign_id", "=", campaign.id)])
        self.assertEqual(len(requests), 1000, "every won lead is considered once")
        invited = requests.filtered(lambda r: r.state == "invite")
        expected = leads.filtered(
            lambda lead: is_sampled(campaign.id, "crm.lead", lead.id, 10)
        )
        self.assertEqual(invited.lead_id, expected)
        self.assertTrue(70 <= len(invited) <= 130, len(invited))
        self.assertEqual(set((requests - invited).mapped("state")), {"sampled_out"})
        self.assertEqual(len(invited.user_input_id), len(invited))
        # rerun: nothing new, nobody asked twice
        self._run(datetime(2026, 3, 2, 13, 0))
        self.assertEqual(
            self.Request.search_count([("campaign_id", "=", campaign.id)]), 1000
        )
        self.assertEqual(
            self.env["survey.user_input"].search_count(
                [("sales_process_feedback_request_id", "in", requests.ids)]
            ),
            len(invited),
        )

    def test_cap_per_period(self):
        campaign = self._campaign(cap=30, cap_period="month")
        self._won_leads(self._partners(1000))
        self._run()
        requests = self.Request.search([("campaign_id", "=", campaign.id)])
        self.assertEqual(len(requests.filtered(lambda r: r.state == "invite")), 30)
        self.assertEqual(len(requests.filtered(lambda r: r.state == "capped")), 970)
        # the oldest closings come first
        self.assertEqual(
            requests.filtered(lambda r: r.state == "invite").lead_id,
            requests.lead_id.sorted("id")[:30],
        )
        # next month, the cap starts over for newly won leads
        self._won_leads(self._partners(40, lang="en_US"), datetime(2026, 4, 2))
        self._run(datetime(2026, 4, 2, 12, 0))
        april = self.Request.search(
            [("campaign_id", "=", campaign.id), ("date_invited", ">=", "2026-04-01")]
        )
        self.assertEqual(len(april), 30)

    def test_quiet_period(self):
        campaign = self._campaign(quiet_days=90)
        partner = self._partners(1)
        first = self._won_leads(partner)
        self._run()
        second = self._won_leads(partner, datetime(2026, 3, 20))
        self._run(datetime(2026, 3, 20, 12, 0))
        third = self._won_leads(partner, datetime(2026, 7, 1))
        self._run(datetime(2026, 7, 1, 12, 0))
        states = {
            request.lead_id: request.state
            for request in self.Request.search([("campaign_id", "=", campaign.id)])
        }
        self.assertEqual(
            [states[first], states[second], states[third]],
            ["invite", "quiet", "invite"],
        )

    def test_no_quiet_period_asks_again_in_the_same_run(self):
        first = self._campaign(name="Won deals, first", quiet_days=0)
        second = self._campaign(name="Won deals, second", quiet_days=0)
        partner = self._partners(1)
        self._won_leads(partner)
        self._run()
        for campaign in first | second:
            self.assertEqual(
                self.Request.search([("campaign_id", "=", campaign.id)]).state,
                "invite",
            )

    def test_opted_out_customers_never_asked(self):
        campaign = self._campaign()
        partners = self._partners(2)
        self.env["mail.blacklist"].create({"email": partners[1].email})
        no_email = self._partners(1, email=False)
        self._won_leads(partners + no_email)
        self._run()
        requests = self.Request.search([("campaign_id", "=", campaign.id)])
        by_partner = {request.partner_id: request for request in requests}
        self.assertEqual(by_partner[partners[0]].state, "invite")
        self.assertEqual(by_partner[partners[1]].state, "opted_out")
        self.assertEqual(by_partner[no_email].state, "no_email")
        self.assertFalse(by_partner[partners[1]].user_input_id)
        self.assertFalse(
            self.env["mail.mail"].search([("recipient_ids", "in", partners[1].ids)])
        )

    def test_other_outcome_and_team_not_asked(self):
        campaign = self._campaign()
        partners = self._partners(3)
        won = self._won_leads(partners[0])
        with freeze_time(CLOSED):
            lost = self._create_leads(1, partner_id=partners[1].id)
            lost.action_set_lost()
            west = self._create_leads(
                1,
                partner_id=partners[2].id,
                team_id=self.team_west.id,
                user_id=self.rep_west.id,
            )
            west.action_set_won()
        self._run()
        self.assertEqual(
            self.Request.search([("campaign_id", "=", campaign.id)]).lead_id, won
        )
        lost_campaign = self._campaign(outcome="lost", name="Lost deals")
        self._run()
        self.assertEqual(
            self.Request.search([("campaign_id", "=", lost_campaign.id)]).lead_id,
            lost,
        )

    def test_invitation_in_customer_language_with_stage_questions(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.env.ref(
            "sales_process_automation.mail_template_feedback_invitation"
        )
        template.with_context(
            lang="fr_FR"
        ).subject = "Comment s'est passé notre processus de vente ?"
        campaign = self._campaign()
        french = self._partners(1, lang="fr_FR")
        english = self._partners(1, lang="en_US", email="en@example.com")
        with freeze_time(datetime(2026, 3, 1)):
            lead = self._create_leads(1, partner_id=french.id)
            lead.stage_id = self.stages[1]
        self._won_leads(english)
        with freeze_time(CLOSED):
            lead.action_set_won()
        self._run()
        mail_fr = self.env["mail.mail"].search([("recipient_ids", "in", french.ids)])
        mail_en = self.env["mail.mail"].search([("recipient_ids", "in", english.ids)])
        self.assertEqual(
            mail_fr.subject, "Comment s'est passé notre processus de vente ?"
        )
        self.assertEqual(
            mail_en.subject, "How was our sales process? Your opinion counts"
        )
        answer = self.Request.search(
            [("campaign_id", "=", campaign.id), ("lead_id", "=", lead.id)]
        ).user_input_id
        self.assertIn(answer.access_token, mail_fr.body_html)
        # the lead went through the first two stages: they are rated, not the others
        rated = answer.predefined_question_ids.sales_process_crm_stage_id
        self.assertEqual(rated, self.stages[:2].filtered(lambda s: not s.is_won))
        self.assertTrue(answer.predefined_question_ids.filtered("sales_process_is_nps"))
        self.assertFalse(answer.predefined_question_ids.sales_process_ticket_stage_id)

    def test_one_reminder(self):
        campaign = self._campaign(reminder_days=7)
        partner = self._partners(1)
        self._won_leads(partner)
        self._run()
        request = self.Request.search([("campaign_id", "=", campaign.id)])
        self._run(datetime(2026, 3, 8, 12, 0))
        self.assertFalse(request.date_reminded, "not yet 7 days")
        self._run(datetime(2026, 3, 10, 12, 0))
        self.assertTrue(request.date_reminded)
        self._run(datetime(2026, 3, 20, 12, 0))
        mails = self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])
        self.assertEqual(
            sorted(mails.mapped("subject")),
            [
                "A reminder: how was our sales process?",
                "How was our sales process? Your opinion counts",
            ],
        )

    def test_net_promoter_score_and_stage_satisfaction(self):
        """A manager reads the NPS and the satisfaction per stage and rep of a
        hand-made set of answers."""
        campaign = self._campaign()
        partners = self._partners(5)
        self._won_leads(partners)
        self._run()
        requests = self.Request.search([("campaign_id", "=", campaign.id)])
        nps_question = self.env.ref(
            "sales_process_automation.survey_sales_process_feedback_nps"
        )
        new_stage = self.stages[0]
        stage_question = self.survey.question_ids.filtered(
            lambda q: q.sales_process_crm_stage_id == new_stage
        )
        # 3 promoters, 1 passive, 1 detractor: NPS (3 - 1) / 5 = 40
        for request, nps, rating in zip(
            requests, [10, 9, 9, 8, 3], [5, 4, 4, 3, 1], strict=True
        ):
            answer = request.user_input_id
            answer._save_lines(nps_question, str(nps))
            answer._save_lines(stage_question, str(rating))
            answer._mark_done()
        Report = self.env["sales.process.feedback.report"].with_user(self.director)
        self.assertAlmostEqual(Report._net_promoter_score([]), 40.0)
        [(stage, user, rating)] = Report._read_group(
            [("kind", "=", "stage")], ["crm_stage_id", "user_id"], ["stage_rating:avg"]
        )
        self.assertEqual((stage, user), (new_stage, self.rep_east))
        self.assertAlmostEqual(rating, 3.4)
        # the rep of another team sees none of it
        other = self.env["sales.process.feedback.report"].with_user(self.rep_west)
        self.assertIsNone(other._net_promoter_score([]))
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(self.rep_east)
            .browse(requests[0].lead_id.id)
            .sales_process_feedback_count,
            1,
        )

    def test_survey_followers_follow_the_answers(self):
        """Who follows the survey's participations follows each invitation's
        answer (and is told when it is completed), as Odoo subscribes them."""
        participations = self.env.ref("survey.mt_survey_survey_user_input_completed")
        self.survey.message_subscribe(
            partner_ids=self.director.partner_id.ids,
            subtype_ids=participations.ids,
        )
        self.survey.message_subscribe(partner_ids=self.rep_west.partner_id.ids)
        campaign = self._campaign()
        self._won_leads(self._partners(2))
        self._run()
        answers = self.Request.search([("campaign_id", "=", campaign.id)]).user_input_id
        self.assertEqual(len(answers), 2)
        for answer in answers:
            self.assertEqual(
                answer.message_follower_ids.partner_id, self.director.partner_id
            )
            self.assertEqual(
                answer.message_follower_ids.subtype_ids,
                self.env.ref("survey.mt_survey_user_input_completed"),
            )
