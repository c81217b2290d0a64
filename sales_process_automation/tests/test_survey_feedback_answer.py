# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import datetime

from odoo import Command
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSurveyFeedbackAnswer(HttpCase):
    """The customer opens the link of the invitation, not logged in, and
    answers; the sales manager sees the answers per stage and rep."""

    def test_customer_answers_through_the_link(self):
        env = self.env
        rep = new_test_user(
            env, login="spa_fb_rep", groups="sales_team.group_sale_salesman"
        )
        director = new_test_user(
            env, login="spa_fb_director", groups="sales_team.group_sale_manager"
        )
        team = env["crm.team"].create(
            {
                "name": "Feedback team",
                "user_id": director.id,
                "member_ids": [Command.link(rep.id)],
            }
        )
        env["sales.process.feedback.campaign"].search([]).action_archive()
        campaign = env["sales.process.feedback.campaign"].create(
            {
                "name": "Won deals",
                "outcome": "won",
                "team_ids": [Command.link(team.id)],
                "sample_rate": 100,
                "date_start": datetime(2026, 1, 1),
            }
        )
        stages = env["crm.stage"].search(
            [("team_ids", "=", False), ("is_won", "=", False)], limit=2
        )
        customer = env["res.partner"].create(
            {"name": "Pat Customer", "email": "pat@example.com"}
        )
        with freeze_time(datetime(2026, 3, 1)):
            lead = env["crm.lead"].create(
                {
                    "name": "Big deal",
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": rep.id,
                    "partner_id": customer.id,
                    "stage_id": stages[0].id,
                }
            )
            lead.stage_id = stages[1]
        with freeze_time(datetime(2026, 3, 2)):
            lead.action_set_won()
        env.ref(
            "sales_process_automation.ir_cron_feedback_surveys"
        ).method_direct_trigger()
        answer = lead.sales_process_feedback_request_ids.user_input_id
        self.assertTrue(answer)
        survey = answer.survey_id
        questions = answer.predefined_question_ids

        # the customer, not logged in (public user), follows the link
        response = self.url_open(answer.get_start_url())
        self.assertEqual(response.status_code, 200)
        csrf = re.search(r'csrf_token.+value="([a-f0-9]{40}o[0-9]*)', response.text)[1]
        base = f"/survey/%s/{survey.access_token}/{answer.access_token}"
        response = self.url_open(
            base % "begin", json={"params": {"lang_code": "en_US"}}
        )
        self.assertEqual(response.status_code, 200)
        ratings = {stages[0]: 2, stages[1]: 5}
        post = {"csrf_token": csrf, "token": answer.access_token}
        for question in questions:
            if question.sales_process_crm_stage_id:
                rating = ratings[question.sales_process_crm_stage_id]
                post[str(question.id)] = str(rating)
            elif question.sales_process_is_nps:
                post[str(question.id)] = "9"
            elif question.question_type == "text_box":
                post[str(question.id)] = "Faster quotes, please"
        response = self.url_open(base % "submit", json={"params": post})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("error", response.json())

        self.assertEqual(answer.state, "done")
        Report = env["sales.process.feedback.report"].with_user(director)
        rows = Report._read_group(
            [("lead_id", "=", lead.id), ("kind", "=", "stage")],
            ["crm_stage_id", "user_id"],
            ["stage_rating:avg"],
        )
        self.assertEqual(
            {(stage, user): rating for stage, user, rating in rows},
            {(stages[0], rep): 2.0, (stages[1], rep): 5.0},
        )
        nps_row = Report.search([("lead_id", "=", lead.id), ("kind", "=", "nps")])
        self.assertEqual(
            (nps_row.nps_category, nps_row.comment, nps_row.team_id),
            ("promoter", "Faster quotes, please", team),
        )
        self.assertEqual(campaign.answered_count, 1)
