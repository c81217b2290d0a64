# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_team_stages


@tagged("post_install", "-at_install")
class TestAnalysisTour(HttpCase):
    """A manager opens the dashboard and the analysis views in a browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="spa_tour_manager",
            name="Tour Manager",
            groups="sales_team.group_sale_manager",
        )
        rep_east, rep_west = (
            new_test_user(
                cls.env,
                login=f"spa_tour_rep_{side}",
                name=f"Tour {side.title()} rep",
                groups="sales_team.group_sale_salesman",
            )
            for side in ("east", "west")
        )
        team_east, team_west = cls.env["crm.team"].create(
            [
                {
                    "name": "Tour East",
                    "user_id": cls.manager.id,
                    "member_ids": [Command.link(rep_east.id)],
                },
                {"name": "Tour West", "member_ids": [Command.link(rep_west.id)]},
            ]
        )
        new, qualify, won = create_team_stages(cls.env, "Tour", team_east)
        leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"Tour East lead {index}",
                    "type": "opportunity",
                    "team_id": team_east.id,
                    "user_id": rep_east.id,
                }
                for index in range(3)
            ]
            + [
                {
                    "name": "Tour West lead",
                    "type": "opportunity",
                    "team_id": team_west.id,
                    "user_id": rep_west.id,
                }
            ]
        )
        leads[1:3].action_set_lost()
        History = cls.env["sales.process.stage.history"]
        History.search([("lead_id", "in", leads.ids)]).unlink()
        start = datetime(2026, 3, 2, 8, 0)
        # every lead goes on from New; only the first one goes on from Qualify
        paths = [(new, qualify, won), (new, qualify), (new, qualify), (new,)]
        History.create(
            [
                {
                    "res_model": "crm.lead",
                    "lead_id": lead.id,
                    "crm_stage_id": stage.id,
                    "team_id": lead.team_id.id,
                    "user_id": lead.user_id.id,
                    "company_id": lead.company_id.id,
                    "date_in": start + timedelta(days=step),
                    "date_out": (
                        start + timedelta(days=step + 1)
                        if step < len(path) - 1
                        else False
                    ),
                    "state": "done" if step < len(path) - 1 else "in_progress",
                }
                for lead, path in zip(leads, paths, strict=True)
                for step, stage in enumerate(path)
            ]
        )

    def test_manager_tour(self):
        self.start_tour(
            "/odoo/action-sales_process_automation."
            "sales_process_dashboard_action_manager",
            "sales_process_analysis_tour",
            login=self.manager.login,
        )
