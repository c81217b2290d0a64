# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SalesProcessCommon

CLOSED = datetime(2026, 3, 2, 10, 0)
ANSWERED = datetime(2026, 3, 3, 9, 0)


@tagged("post_install", "-at_install")
class TestFeedbackDashboard(SalesProcessCommon):
    """Managers read their customers' satisfaction on the team dashboard and
    in the bottleneck advice.

    East (led by the director): 5 answers, NPS 10, 3, 2, 6, 8 (1 promoter, 3
    detractors: -40), the first stage rated 2, 2, 3, 1, 5 (2.6 of 5). West
    (led by the west leader): 2 answers, NPS 10 and 9 (+100), the first stage
    rated 1 and 2: low, but too few answers to say so.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["sales.process.feedback.campaign"].search([]).action_archive()
        cls.west_leader = new_test_user(
            cls.env, login="spa_west_leader", groups="sales_team.group_sale_manager"
        )
        cls.team_west.user_id = cls.west_leader
        cls.admin_b = cls._create_user_of_new_company(
            "Feedback Company B",
            "spa_feedback_admin_b",
            "sales_team.group_sale_manager,sales_process_automation.group_admin",
        )
        cls.campaign = cls.env["sales.process.feedback.campaign"].create(
            {
                "name": "Won deals",
                "outcome": "won",
                "team_ids": [Command.set((cls.team_east | cls.team_west).ids)],
                "sample_rate": 100,
                "date_start": datetime(2026, 1, 1),
            }
        )
        cls.first_stage = cls.stages[0]
        survey = cls.campaign.survey_id
        cls.stage_question = survey.question_ids.filtered(
            lambda q: q.sales_process_crm_stage_id == cls.first_stage
        )
        cls.nps_question = cls.env.ref(
            "sales_process_automation.survey_sales_process_feedback_nps"
        )
        cls._answer(cls.team_east, cls.rep_east, [10, 3, 2, 6, 8], [2, 2, 3, 1, 5])
        cls._answer(cls.team_west, cls.rep_west, [10, 9], [1, 2])

    @classmethod
    def _answer(cls, team, rep, nps_values, ratings):
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"{team.name} customer {i}",
                    "email": f"{team.name}{i}@example.com",
                }
                for i in range(len(nps_values))
            ]
        )
        with freeze_time(CLOSED):
            leads = cls._create_leads(len(partners), team_id=team.id, user_id=rep.id)
            for lead, partner in zip(leads, partners, strict=True):
                lead.partner_id = partner
            leads.action_set_won()
        with freeze_time(CLOSED.replace(hour=12)):
            cls.campaign._process_batch(cls.campaign._candidates(limit=100))
        requests = cls.env["sales.process.feedback.request"].search(
            [("lead_id", "in", leads.ids)], order="id"
        )
        with freeze_time(ANSWERED):
            for request, nps, rating in zip(requests, nps_values, ratings, strict=True):
                answer = request.user_input_id
                answer._save_lines(cls.nps_question, str(nps))
                answer._save_lines(cls.stage_question, str(rating))
                answer._mark_done()

    def _tile(self, user):
        self.env.invalidate_all()
        return (
            self.env["sales.process.dashboard.tile"]
            .with_user(user)
            .search([("role", "=", "manager"), ("kind", "=", "satisfaction")])
        )

    def _first_stage_row(self, user, team):
        return (
            self.env["sales.process.bottleneck.report"]
            .with_user(user)
            .search(
                [("team_id", "=", team.id), ("crm_stage_id", "=", self.first_stage.id)]
            )
        )

    @freeze_time("2026-03-10 08:00:00")
    def test_tile_of_each_manager(self):
        tile = self._tile(self.director)
        self.assertEqual((tile.value, tile.alert), ("-40", True))
        tile = self._tile(self.west_leader)
        self.assertEqual((tile.value, tile.alert), ("+100", False))
        # all 7 answers: 3 promoters, 3 detractors
        tile = self._tile(self.process_admin)
        self.assertEqual((tile.value, tile.alert), ("0", False))

    @freeze_time("2026-03-10 08:00:00")
    def test_tile_opens_the_feedback_analysis(self):
        action = self._tile(self.director).action_open()
        self.assertEqual(action["res_model"], "sales.process.feedback.report")
        self.assertEqual(
            [view for _id, view in action["views"]], ["pivot", "graph", "list"]
        )
        rows = (
            self.env[action["res_model"]]
            .with_user(self.director)
            .search(action["domain"])
        )
        # 5 recommendations and 5 stage ratings, all of East
        self.assertEqual(len(rows), 10)
        self.assertEqual(rows.team_id, self.team_east)

    def test_tile_counts_the_last_90_days(self):
        with freeze_time("2026-06-01 08:00:00"):
            self.assertEqual(self._tile(self.director).value, "-40")
        with freeze_time("2026-06-02 08:00:00"):
            tile = self._tile(self.director)
            self.assertEqual((tile.value, tile.alert), ("-", False))

    def test_other_company_sees_nothing(self):
        with freeze_time("2026-03-10 08:00:00"):
            tile = self._tile(self.admin_b)
            self.assertEqual((tile.value, tile.alert), ("-", False))
        self.assertFalse(
            self.env["sales.process.bottleneck.report"]
            .with_user(self.admin_b)
            .search([("team_id", "in", (self.team_east | self.team_west).ids)])
        )

    def test_bottleneck_advice_names_a_stage_rated_low(self):
        row = self._first_stage_row(self.director, self.team_east)
        self.assertEqual(
            (row.satisfaction_rating, row.satisfaction_count, row.is_low_satisfaction),
            (2.6, 5, True),
        )
        self.assertIn(
            f"Customers rate {self.first_stage.name} low: 2.6 out of 5 on average "
            "over 5 answers; read their suggestions in the feedback analysis.",
            row.advice,
        )
        self.assertIn("Rated low by customers", row.bottleneck_badge)
        # West's rating is lower, from 2 answers: too few to name the stage
        self.assertFalse(self._first_stage_row(self.director, self.team_west))
        row = self._first_stage_row(self.west_leader, self.team_west)
        self.assertEqual(
            (row.satisfaction_rating, row.satisfaction_count, row.is_low_satisfaction),
            (1.5, 2, False),
        )
        self.assertNotIn("Customers rate", row.advice)
        row = self._first_stage_row(self.process_admin, self.team_east)
        self.assertTrue(row.is_low_satisfaction)
