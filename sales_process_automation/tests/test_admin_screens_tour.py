# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAdminScreensTour(HttpCase):
    """The administrator opens a policy: its condition counts the records of
    its stage and teams, in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="spa_tour_process_admin",
            groups="sales_team.group_sale_manager,sales_process_automation.group_admin",
        )
        east, west = cls.env["crm.team"].create(
            [{"name": "Tour Admin East"}, {"name": "Tour Admin West"}]
        )
        stage, other_stage = cls.env["crm.stage"].create(
            [
                {"name": "Tour Admin Proposal", "sequence": 301},
                {"name": "Tour Admin Other", "sequence": 302},
            ]
        )
        cls.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": lead_stage.id,
                }
                for name, team, lead_stage in (
                    ("East 1", east, stage),
                    ("East 2", east, stage),
                    ("East elsewhere", east, other_stage),
                    ("West 1", west, stage),
                )
            ]
        )
        cls.policy = cls.env["sales.process.sla.policy"].create(
            {
                "name": "Tour proposal within 2 days",
                "crm_stage_id": stage.id,
                "team_ids": [Command.link(east.id)],
                "duration": 2,
            }
        )

    def test_policy_count(self):
        self.start_tour(
            "/odoo/action-sales_process_automation.sales_process_sla_policy_action/"
            f"{self.policy.id}",
            "sales_process_admin_screens_tour",
            login=self.admin.login,
        )
        self.assertEqual(
            sorted(self.policy.team_ids.mapped("name")),
            ["Tour Admin East", "Tour Admin West"],
        )
