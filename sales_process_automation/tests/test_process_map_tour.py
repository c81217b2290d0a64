# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestProcessMapTour(HttpCase):
    """An administrator sets up the B2B process for a new team, its rep
    confirms stages through it, and its manager opens the process map and
    the rule review, in a browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="spa_map_tour_manager",
            name="Map Tour Manager",
            groups="sales_team.group_sale_manager",
        )
        cls.admin = new_test_user(
            cls.env,
            login="spa_map_tour_admin",
            groups="sales_team.group_sale_manager,sales_process_automation.group_admin",
        )
        cls.rep = new_test_user(
            cls.env,
            login="spa_map_tour_rep",
            groups="sales_team.group_sale_salesman",
        )
        # the tour's process only: no mandatory stage of the demo data
        cls.env["crm.stage"].search(
            [("sales_process_mandatory", "=", True)]
        ).sales_process_mandatory = False
        cls.env["sales.process.assignment.rule"].search([]).action_archive()
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Tour B2B Team",
                "user_id": cls.manager.id,
                "member_ids": [Command.link(cls.rep.id)],
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Tour B2B deal",
                "type": "opportunity",
                "team_id": cls.team.id,
                "user_id": cls.rep.id,
            }
        )
        rule = cls.env["sales.process.assignment.rule"].create(
            {
                "name": "Tour B2B rule",
                "team_id": cls.team.id,
                "member_ids": [Command.create({"user_id": cls.rep.id})],
            }
        )
        last_month = fields.Date.today().replace(day=1) - timedelta(days=10)
        cls.env["sales.process.assignment.turn"].create(
            {
                "rule_id": rule.id,
                "member_id": rule.member_ids.id,
                "user_id": cls.rep.id,
                "count": 2,
                "date": fields.Datetime.to_datetime(last_month),
            }
        )

    def test_process_tour(self):
        self.start_tour(
            "/odoo/action-sales_process_automation.sales_process_step_action",
            "sales_process_template_apply_tour",
            login=self.admin.login,
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{self.lead.id}",
            "sales_process_stage_done_tour",
            login=self.rep.login,
        )
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id.name, "Nurturing")
        self.start_tour(
            "/odoo/action-sales_process_automation.sales_process_map_action",
            "sales_process_map_tour",
            login=self.manager.login,
        )
