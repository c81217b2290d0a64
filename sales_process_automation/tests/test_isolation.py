# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SalesProcessSecurityCommon


@tagged("post_install", "-at_install")
class TestIsolation(SalesProcessSecurityCommon):
    """What other teams, other companies, the portal and users outside the
    sales process cannot see."""

    def test_other_teams_records_and_their_names_are_hidden(self):
        records = self.records
        events = self.env["sales.process.sla.event"].with_user(self.leader_west)
        self.assertEqual(
            events.search_read([], ["history_id"]),
            [
                {
                    "id": records["sales.process.sla.event"]["west"].id,
                    "history_id": (
                        records["sales.process.stage.history"]["west"].id,
                        records["sales.process.stage.history"]["west"].display_name,
                    ),
                }
            ],
        )
        for model, key, user in (
            ("sales.process.sla.event", "east", self.leader_west),
            ("sales.process.sla.digest", "east", self.leader_west),
            ("sales.process.contract.chain", "west", self.rep_east),
            ("sales.process.contract.step", "west", self.rep_east),
            ("sales.process.stage.skip.request", "west", self.rep_east),
            ("sales.process.stage.skip.request", "east", self.leader_west),
        ):
            with self.subTest(model=model, key=key), self.assertRaises(AccessError):
                records[model][key].with_user(user).read(["display_name"])

    def test_other_companies_records_are_hidden(self):
        for model in (
            "sales.process.sla.reminder",
            "sales.process.assignment.member",
            "sales.process.contract.chain",
            "sales.process.contract.step",
            "sales.process.stage.skip.request",
            "sales.process.sla.event",
            "sales.process.step",
            "sales.process.template.line",
            "sales.process.feedback.campaign",
            "sales.process.feedback.request",
            "sales.process.feedback.report",
        ):
            record = self.records[model]
            record = record.get("b") or record["south"]
            with self.subTest(model=model), self.assertRaises(AccessError):
                record.with_user(self.process_admin).read(["display_name"])

    def test_a_template_shared_by_every_company_names_no_user(self):
        templates = self.records["sales.process.template"]
        with self.assertRaises(ValidationError):
            templates["a"].with_user(self.process_admin).company_id = False
        with self.assertRaises(ValidationError):
            templates["shared"].line_ids.with_user(self.process_admin).write(
                {"owner_type": "user", "owner_user_id": self.director.id}
            )

    def test_digests_are_their_recipients(self):
        digests = self.records["sales.process.sla.digest"]
        self.assertEqual(
            self.env["sales.process.sla.digest"].with_user(self.director).search([]),
            digests["east"],
        )
        self.assertFalse(
            self.env["sales.process.sla.digest"]
            .with_user(self.process_admin)
            .search([])
        )

    def test_finance_reads_every_contract_chain_of_its_company(self):
        finance = new_test_user(
            self.env,
            login="spa_finance_rep",
            groups="account.group_account_invoice,sales_team.group_sale_salesman",
        )
        chains = self.records["sales.process.contract.chain"]
        self.assertEqual(
            self.env["sales.process.contract.chain"]
            .with_user(finance)
            .search([("id", "in", [chain.id for chain in chains.values()])]),
            chains["east"] | chains["west"],
        )

    def test_portal_and_employee_do_not_read_internal_fields(self):
        lead, order = self.leads["east"], self.orders["east"]
        for user in (self.portal_user, self.employee):
            ticket = self._create_tickets(
                1,
                partner_id=user.partner_id.id,
                sale_order_ids=[Command.link(order.id)],
            )
            lead.ticket_id = ticket
            with self.subTest(user=user.login):
                self.assertEqual(
                    ticket.with_user(user).read(["name"])[0]["name"], "Ticket 0"
                )
                for field in (
                    "sales_process_sla_policy_id",
                    "sales_process_sla_deadline",
                    "sales_process_assignment_rule_id",
                ):
                    with self.subTest(field=field), self.assertRaises(AccessError):
                        ticket.with_user(user).read([field])
        order = order.with_user(self.portal_user)
        self.assertEqual(order.read(["name"])[0]["name"], self.orders["east"].name)
        for field in (
            "sales_process_approver_ids",
            "sales_process_sla_policy_id",
            "sales_process_sla_deadline",
            "sales_process_contract_chain_state",
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                order.read([field])

    def test_helpdesk_user_dashboard(self):
        support = new_test_user(
            self.env, login="spa_support", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        Tile = self.env["sales.process.dashboard.tile"].with_user(support)
        tiles = Tile.search([("role", "=", "rep")])
        self.assertEqual(
            set(tiles.mapped("kind")), {"at_risk_tickets", "activities", "my_funnel"}
        )
        self.assertEqual(
            tiles.filtered(lambda tile: tile.kind == "at_risk_tickets").value, "0"
        )
        stalled = self.records["sales.process.dashboard.tile"]["my_stalled"]
        with self.assertRaises(AccessError):
            stalled.with_user(support).read(["name", "value"])
