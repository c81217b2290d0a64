# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestAccess(SalesProcessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_east = cls._create_leads(1)
        cls.lead_west = cls._create_leads(
            1, team_id=cls.team_west.id, user_id=cls.rep_west.id
        )

    def _visible_leads(self, user):
        rows = self.History.with_user(user).search(
            [("lead_id", "in", (self.lead_east | self.lead_west).ids)]
        )
        return rows.lead_id

    def test_sales_roles_are_sales_process_roles(self):
        self.assertTrue(self.rep_east.has_group("sales_process_automation.group_user"))
        self.assertFalse(
            self.rep_east.has_group("sales_process_automation.group_manager")
        )
        self.assertTrue(
            self.director.has_group("sales_process_automation.group_manager")
        )
        self.assertFalse(
            self.director.has_group("sales_process_automation.group_admin")
        )

    def test_rep_sees_the_history_of_own_records_only(self):
        self.assertEqual(self._visible_leads(self.rep_east), self.lead_east)
        self.assertEqual(self._visible_leads(self.rep_west), self.lead_west)
        self.assertEqual(
            self.lead_east.with_user(self.rep_east).sales_process_stage_history_ids,
            self._rows(self.lead_east),
        )

    def test_rep_moves_own_lead_and_history_follows(self):
        self.lead_east.with_user(self.rep_east).stage_id = self.stages[1]
        self.assertEqual(len(self._rows(self.lead_east)), 2)

    def test_rep_cannot_change_history_or_configuration(self):
        row = self._rows(self.lead_east).with_user(self.rep_east)
        with self.assertRaises(AccessError):
            row.write({"date_in": "2026-01-01 00:00:00"})
        with self.assertRaises(AccessError):
            row.unlink()
        with self.assertRaises(AccessError):
            self.History.with_user(self.rep_east).create(
                {"res_model": "crm.lead", "date_in": "2026-01-01 00:00:00"}
            )
        with self.assertRaises(AccessError):
            self.team_east.with_user(
                self.rep_east
            ).sales_process_resource_calendar_id = False

    def test_manager_sees_the_teams_they_lead(self):
        self.assertEqual(self._visible_leads(self.director), self.lead_east)

    def test_manager_member_of_a_team_sees_it(self):
        self.team_west.member_ids = [Command.link(self.director.id)]
        self.assertEqual(
            self._visible_leads(self.director), self.lead_east | self.lead_west
        )

    def test_administrator_sees_everything_and_configures(self):
        self.assertEqual(
            self._visible_leads(self.process_admin), self.lead_east | self.lead_west
        )
        self.team_west.with_user(
            self.process_admin
        ).sales_process_resource_calendar_id = self.calendar
        self.assertEqual(
            self.team_west.sales_process_resource_calendar_id, self.calendar
        )

    def test_user_without_sales_process_role_sees_nothing(self):
        employee = new_test_user(
            self.env, login="spa_employee", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.History.with_user(employee).search([])

    def test_other_company_rows_are_hidden(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        lead = self._create_leads(
            1, company_id=other_company.id, team_id=False, user_id=False
        )
        self.process_admin.company_ids = [Command.link(other_company.id)]
        history = self.History.with_user(self.process_admin)
        self.assertFalse(
            history.with_context(allowed_company_ids=self.company.ids).search(
                [("lead_id", "=", lead.id)]
            )
        )
        self.assertEqual(
            history.with_context(
                allowed_company_ids=[self.company.id, other_company.id]
            ).search([("lead_id", "=", lead.id)]),
            self._rows(lead),
        )
