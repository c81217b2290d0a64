# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_team_stages


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    """A rep, a team leader and an administrator open their dashboard in a
    browser and drill down from a figure to the documents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = new_test_user(
            cls.env,
            login="spa_dash_rep",
            name="Dash Rep",
            groups="sales_team.group_sale_salesman",
        )
        cls.leader = new_test_user(
            cls.env,
            login="spa_dash_leader",
            name="Dash Leader",
            groups="sales_team.group_sale_manager",
        )
        cls.admin = new_test_user(
            cls.env,
            login="spa_dash_admin",
            name="Dash Admin",
            groups="sales_team.group_sale_manager,sales_process_automation.group_admin",
        )
        team = cls.env["crm.team"].create(
            {
                "name": "Dash East Enterprise Accounts and Key Partners",
                "user_id": cls.leader.id,
                "member_ids": [Command.link(cls.rep.id)],
            }
        )
        new, qualify, won = create_team_stages(cls.env, "Dash", team)
        leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"Dash lead {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": cls.rep.id,
                }
                for index in range(4)
            ]
        )
        leads[1:3].action_set_lost()
        History = cls.env["sales.process.stage.history"]
        History.search([("lead_id", "in", leads.ids)]).unlink()
        policy = cls.env["sales.process.sla.policy"].create(
            {
                "name": "Dash policy",
                "company_id": team.company_id.id,
                "res_model": "crm.lead",
                "crm_stage_id": new.id,
                "duration": 5,
                "duration_unit": "days",
                "active": False,
            }
        )
        start = datetime.now() - timedelta(days=20)
        # every lead goes on from New; only the first one from Qualify; the
        # last one is still in New, breached
        paths = [(new, qualify, won), (new, qualify), (new, qualify), (new,)]
        History.create(
            [
                {
                    "res_model": "crm.lead",
                    "lead_id": lead.id,
                    "crm_stage_id": stage.id,
                    "team_id": team.id,
                    "user_id": cls.rep.id,
                    "company_id": lead.company_id.id,
                    "date_in": start + timedelta(days=step),
                    "date_out": (
                        start + timedelta(days=step + 1)
                        if step < len(path) - 1
                        else False
                    ),
                    "state": "done" if step < len(path) - 1 else "in_progress",
                    "sla_policy_id": policy.id if stage == new else False,
                    "sla_status": (
                        ("breached" if lead == leads[3] else "on_track")
                        if stage == new
                        else False
                    ),
                    "date_deadline": start + timedelta(days=step + 5),
                }
                for lead, path in zip(leads, paths, strict=True)
                for step, stage in enumerate(path)
            ]
        )
        rule = cls.env["sales.process.assignment.rule"].create(
            {
                "name": "Dash rule",
                "company_id": team.company_id.id,
                "team_id": team.id,
                "active": False,
                "member_ids": [Command.create({"user_id": cls.rep.id})],
            }
        )
        (leads[0] | leads[3]).write(
            {
                "sales_process_assignment_rule_id": rule.id,
                "sales_process_assignment_state": "assigned",
            }
        )

    def test_rep_tour(self):
        self.start_tour(
            "/odoo/action-sales_process_automation.sales_process_dashboard_action_rep",
            "sales_process_dashboard_rep_tour",
            login=self.rep.login,
        )

    def test_manager_tour(self):
        self.start_tour(
            "/odoo/action-sales_process_automation."
            "sales_process_dashboard_action_manager",
            "sales_process_dashboard_manager_tour",
            login=self.leader.login,
        )

    def test_admin_tour(self):
        self.start_tour(
            "/odoo/action-sales_process_automation."
            "sales_process_dashboard_action_admin",
            "sales_process_dashboard_admin_tour",
            login=self.admin.login,
        )
