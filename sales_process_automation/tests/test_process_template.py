# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestProcessTemplate(SalesProcessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b2b = cls.env.ref("sales_process_automation.sales_process_template_b2b")
        cls.seven = cls.env.ref(
            "sales_process_automation.sales_process_template_seven_stages"
        )
        cls.Wizard = cls.env["sales.process.template.apply"].with_user(
            cls.process_admin
        )

    def _apply(self, template, team):
        self.Wizard.create(
            {"team_id": team.id, "template_id": template.id}
        ).action_apply()

    def _process(self, team):
        steps = self.env["sales.process.step"].search([("team_id", "=", team.id)])
        policies = self.env["sales.process.sla.policy"].search(
            [("team_ids", "in", team.ids)]
        )
        return steps, policies

    def _snapshot(self, team):
        steps, policies = self._process(team)
        return (
            [
                (step.stage_id.id, step.owner_type, step.expected_days)
                for step in steps.sorted(lambda step: step.stage_id.sequence)
            ],
            [(policy.crm_stage_id.id, policy.duration) for policy in policies],
            policies.reminder_ids.ids,
            self.env["crm.stage"].search_count([]),
        )

    def test_seven_stages_on_an_empty_team_then_again(self):
        self._apply(self.seven, self.team_west)
        steps, policies = self._process(self.team_west)
        names = steps.sorted(lambda step: step.stage_id.sequence).stage_id.mapped(
            "name"
        )
        self.assertEqual(
            names,
            [
                "Lead Capture",
                "Screening",
                "Needs Discovery",
                "Proposal",
                "Negotiation",
                "Contract Signed",
                "After-sales",
            ],
        )
        discovery = steps.filtered(lambda step: step.stage_id.name == "Needs Discovery")
        self.assertEqual(discovery.owner_type, "team_leader")
        self.assertEqual(discovery.expected_days, 3)
        self.assertTrue(discovery.stage_id.sales_process_mandatory)
        self.assertEqual(
            policies.crm_stage_id.mapped("name"),
            ["Needs Discovery", "Proposal", "Negotiation"],
        )
        self.assertEqual(
            policies.filtered(
                lambda policy: policy.crm_stage_id == discovery.stage_id
            ).duration,
            3,
        )
        self.assertTrue(all(policy.reminder_ids for policy in policies))
        signed = steps.stage_id.filtered("sales_process_contract_signed")
        self.assertEqual(signed.mapped("name"), ["Contract Signed"])
        self.assertEqual(signed.team_ids, self.team_west, "new stages are the team's")

        before = self._snapshot(self.team_west)
        self._apply(self.seven, self.team_west)
        self.assertEqual(self._snapshot(self.team_west), before, "nothing changes")

    def test_b2b_on_an_empty_team_then_again(self):
        self._apply(self.b2b, self.team_west)
        steps, _policies = self._process(self.team_west)
        self.assertEqual(len(steps), 7)
        fulfilment = steps.filtered(
            lambda step: step.stage_id.name == "Order Fulfilment"
        )
        self.assertEqual(fulfilment.owner_type, "group")
        self.assertTrue(fulfilment.stage_id.sales_process_contract_signed)
        before = self._snapshot(self.team_west)
        self._apply(self.b2b, self.team_west)
        self.assertEqual(self._snapshot(self.team_west), before)

    def test_existing_stages_are_matched_by_name_and_keep_their_history(self):
        proposal = self.env["crm.stage"].create(
            {
                "name": "proposal",
                "sequence": 150,
                "team_ids": [Command.link(self.team_east.id)],
            }
        )
        lead = self._create_leads(1, stage_id=proposal.id)
        rows = self._rows(lead)
        self._apply(self.seven, self.team_east)
        steps, _policies = self._process(self.team_east)
        self.assertIn(proposal, steps.stage_id, "the team's Proposal is reused")
        self.assertEqual(
            self.env["crm.stage"].search_count(
                [("name", "=ilike", "proposal"), ("team_ids", "in", self.team_east.ids)]
            ),
            1,
        )
        self.assertEqual(self._rows(lead), rows, "no history lost")
        self.assertEqual(lead.stage_id, proposal)

    def test_save_a_team_process_and_apply_it_to_another_team(self):
        self._apply(self.seven, self.team_east)
        steps, _policies = self._process(self.team_east)
        steps.filtered(lambda step: step.stage_id.name == "Proposal").write(
            {"owner_type": "team_leader", "expected_days": 4}
        )
        wizard = self.Wizard.create({"team_id": self.team_east.id, "name": "East way"})
        template = self.env["sales.process.template"].browse(
            wizard.action_save()["res_id"]
        )
        self.assertEqual(len(template.line_ids), 7)
        proposal_line = template.line_ids.filtered(
            lambda line: line.stage_name == "Proposal"
        )
        self.assertEqual(
            (
                proposal_line.owner_type,
                proposal_line.expected_days,
                proposal_line.sla_days,
            ),
            ("team_leader", 4, 5),
        )
        self._apply(template, self.team_west)
        west_steps, west_policies = self._process(self.team_west)
        self.assertEqual(
            sorted(west_steps.stage_id.mapped("name")),
            sorted(steps.stage_id.mapped("name")),
        )
        west_proposal = west_steps.filtered(
            lambda step: step.stage_id.name == "Proposal"
        )
        self.assertEqual(west_proposal.owner_type, "team_leader")
        self.assertEqual(len(west_policies), 3)
