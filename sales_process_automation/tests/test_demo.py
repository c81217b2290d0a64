# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, freeze_time, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """Without demo data the database must still work; with it, it must be rich."""

    def test_every_document_has_exactly_one_open_row(self):
        for model in ("crm.lead", "sale.order", "helpdesk.ticket"):
            records = self.env[model].with_context(active_test=False)
            link = records._stage_history_link
            grouped = self.env["sales.process.stage.history"]._read_group(
                [(link, "!=", False), ("date_out", "=", False)],
                [link],
                ["__count"],
            )
            self.assertEqual(
                len(grouped), records.search_count([]), f"open rows of {model}"
            )
            self.assertEqual({count for _record, count in grouped} - {1}, set())

    def test_demo_data_looks_like_weeks_of_use(self):
        director = self.env.ref(
            "sales_process_automation.res_users_sales_director",
            raise_if_not_found=False,
        )
        if not director:
            self.skipTest("the database has no demo data")
        teams = self.env.ref(
            "sales_process_automation.crm_team_direct_sales_east"
        ) | self.env.ref("sales_process_automation.crm_team_direct_sales_west")
        self.assertEqual(teams.user_id.mapped("lang"), ["en_US", "ru_RU"])
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("team_id", "in", teams.ids)])
        )
        self.assertEqual(len(teams), 2)
        self.assertEqual(len(teams.member_ids), 6)
        self.assertGreaterEqual(len(leads), 50)
        self.assertEqual(
            set(leads.stage_id.mapped("name")),
            set(self.env["crm.stage"].search([]).mapped("name")),
        )
        orders = self.env["sale.order"].search([("team_id", "in", teams.ids)])
        self.assertEqual(
            set(orders.mapped("state")), {"draft", "sent", "sale", "cancel"}
        )
        rows = self.env["sales.process.stage.history"].search(
            [("lead_id", "in", leads.ids), ("date_out", "!=", False)]
        )
        self.assertGreater(len(rows), len(leads))
        span = max(rows.mapped("date_out")) - min(rows.mapped("date_in"))
        self.assertGreaterEqual(span.days, 28)
        self.assertGreater(
            len(rows.filtered(lambda row: row.working_hours > 0)), len(rows) * 0.7
        )
        self.assertTrue(rows.filtered(lambda row: row.state == "abnormal"))

    def test_demo_policies_set_deadlines_on_open_documents(self):
        if not self.env.ref(
            "sales_process_automation.sla_policy_proposal_within_five_days",
            raise_if_not_found=False,
        ):
            self.skipTest("the database has no demo data")
        rows = self.env["sales.process.stage.history"].search(
            [("date_out", "=", False), ("sla_policy_id", "!=", False)]
        )
        self.assertEqual(
            set(rows.mapped("res_model")), {"crm.lead", "sale.order", "helpdesk.ticket"}
        )
        self.assertTrue(all(rows.mapped("date_deadline")))
        self.assertEqual(len(rows.sla_policy_id), 8, "every demo policy is in use")

    def test_demo_rules_assign_a_new_beijing_lead_to_east(self):
        rule = self.env.ref(
            "sales_process_automation.assignment_rule_online_promotion_beijing",
            raise_if_not_found=False,
        )
        if not rule:
            self.skipTest("the database has no demo data")
        with freeze_time("2026-11-16 10:00:00"):
            lead = self.env["crm.lead"].create(
                {
                    "name": "Website visitor from Beijing",
                    "user_id": False,
                    "city": "Beijing",
                    "source_id": self.env.ref(
                        "sales_process_automation.utm_source_online_promotion"
                    ).id,
                }
            )
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)
        self.assertEqual(lead.team_id, rule.team_id)
        self.assertIn(lead.user_id, rule.member_ids.user_id)

    def test_every_role_signs_in_with_its_login_as_password(self):
        """The logins of the README's first hour, one per role."""
        roles = {
            "spa_rep_li": "sales_team.group_sale_salesman",
            "spa_leader_petrov": "sales_process_automation.group_manager",
            "spa_director_chen": "sales_team.group_sale_manager",
            "spa_admin_dubois": "sales_process_automation.group_admin",
            "spa_finance_wang": "account.group_account_invoice",
            "spa_support_zhao": "helpdesk_mgmt.group_helpdesk_user_team",
        }
        if not self.env.ref(
            "sales_process_automation.res_users_team_leader_petrov",
            raise_if_not_found=False,
        ):
            self.skipTest("the database has no demo data")
        for login, group in roles.items():
            with self.subTest(login=login):
                auth = self.env["res.users"].authenticate(
                    {"type": "password", "login": login, "password": login},
                    {"interactive": False},
                )
                user = self.env["res.users"].browse(auth["uid"])
                self.assertEqual(user.login, login)
                self.assertTrue(user.has_group(group))
        self.assertEqual(
            self.env.ref("sales_process_automation.res_users_rep_li").lang, "zh_CN"
        )
        self.assertEqual(
            self.env.ref("sales_process_automation.res_users_team_leader_petrov").lang,
            "ru_RU",
        )
