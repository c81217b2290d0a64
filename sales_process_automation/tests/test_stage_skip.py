# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestStageSkip(SalesProcessCommon):
    """East's pipeline: Intake, Qualification (mandatory), Proposal, Won."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_mandatory_pipeline()
        cls.Request = cls.env["sales.process.stage.skip.request"]

    def _lead(self, user=None, **values):
        return self._create_leads(1, stage_id=self.intake.id, **values).with_user(
            user or self.rep_east
        )

    def _requests(self, leads):
        return self.Request.search([("lead_id", "in", leads.ids)])

    def test_skip_is_held_until_a_manager_approves(self):
        lead = self._lead()
        lead.write({"stage_id": self.proposal.id})
        self.assertEqual(lead.stage_id, self.intake)
        request = lead.sales_process_stage_skip_request_id
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.from_stage_id, self.intake)
        self.assertEqual(request.to_stage_id, self.proposal)
        self.assertEqual(request.skipped_stage_ids, self.qualification)
        self.assertEqual(request.requester_id, self.rep_east)
        self.assertEqual(request.validation_status, "pending")
        self.assertIn(self.director, request.review_ids.reviewer_ids)
        self.assertIn("mandatory stage", lead.message_ids[0].body)

        # a rep cannot approve; nor can the requester, even a manager
        with self.assertRaisesRegex(UserError, "You cannot review"):
            request.with_user(self.rep_west).validate_tier()
        self.assertEqual(lead.stage_id, self.intake)

        request.with_user(self.director).validate_tier()
        self.assertEqual(request.state, "approved")
        self.assertEqual(lead.stage_id, self.proposal)
        self.assertFalse(lead.sales_process_stage_skip_request_id)
        rows = self._rows(lead)
        self.assertEqual(rows.crm_stage_id, self.intake | self.proposal)
        self.assertEqual(self._open_rows(lead).crm_stage_id, self.proposal)
        self.assertIn("approved the move", lead.message_ids[0].body)

    def test_requester_cannot_approve_own_request(self):
        lead = self._lead(user=self.director, user_id=self.director.id)
        lead.write({"stage_id": self.proposal.id})
        request = lead.sales_process_stage_skip_request_id
        self.assertNotIn(self.director, request.review_ids.reviewer_ids)
        with self.assertRaisesRegex(UserError, "You cannot review"):
            request.with_user(self.director).validate_tier()
        request.with_user(self.process_admin).validate_tier()
        self.assertEqual(lead.stage_id, self.proposal)

    def test_the_form_shows_the_pending_request(self):
        lead = self._lead()
        with Form(lead) as form:
            form.stage_id = self.proposal
        self.assertEqual(lead.stage_id, self.intake)
        with Form(lead) as form:
            self.assertEqual(
                form.sales_process_stage_skip_request_id,
                lead.sales_process_stage_skip_request_ids,
            )

    def test_rejected_skip_stays_put(self):
        lead = self._lead()
        lead.write({"stage_id": self.proposal.id})
        request = lead.sales_process_stage_skip_request_id
        request.with_user(self.director).reject_tier()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(lead.stage_id, self.intake)
        self.assertFalse(lead.sales_process_stage_skip_request_id)
        self.assertIn("rejected the move", lead.message_ids[0].body)

    def test_reject_with_a_comment(self):
        self.env.ref(
            "sales_process_automation.tier_definition_stage_skip"
        ).has_comment = True
        lead = self._lead()
        lead.write({"stage_id": self.proposal.id})
        request = lead.sales_process_stage_skip_request_id.with_user(self.director)
        action = request.reject_tier()
        wizard = (
            self.env["comment.wizard"]
            .with_user(self.director)
            .with_context(**action["context"])
            .create({"comment": "No budget confirmed yet"})
        )
        wizard.add_comment()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.review_ids.comment, "No budget confirmed yet")
        self.assertIn("No budget confirmed yet", lead.message_ids[0].body)
        self.assertEqual(lead.stage_id, self.intake)

    def test_a_team_leader_with_own_documents_only_approves(self):
        leader = new_test_user(
            self.env,
            login="spa_leader_west",
            groups="sales_team.group_sale_salesman,sales_process_automation.group_manager",
        )
        self.team_west.user_id = leader
        (self.intake | self.qualification | self.proposal).team_ids += self.team_west
        lead = self._create_leads(
            1,
            stage_id=self.intake.id,
            team_id=self.team_west.id,
            user_id=self.rep_west.id,
        ).with_user(self.rep_west)
        lead.write({"stage_id": self.proposal.id})
        request = lead.sales_process_stage_skip_request_id
        self.assertEqual(request.review_ids.reviewer_ids, leader)
        request.with_user(leader).validate_tier()
        self.assertEqual(lead.stage_id, self.proposal)
        self.assertIn("approved the move", lead.message_ids[0].body)

    def test_entering_the_mandatory_stage_is_free(self):
        lead = self._lead()
        lead.write({"stage_id": self.qualification.id})
        lead.write({"stage_id": self.intake.id})
        # it went through Qualification once: it may pass it now
        lead.write({"stage_id": self.won.id})
        self.assertEqual(lead.stage_id, self.won)
        self.assertFalse(self._requests(lead))
        # backwards is always free
        lead.write({"stage_id": self.intake.id})
        self.assertEqual(lead.stage_id, self.intake)

    def test_won_through_a_skip_waits_too(self):
        lead = self._lead()
        lead.action_set_won()
        self.assertEqual(lead.stage_id, self.intake)
        self.assertLess(lead.probability, 100)
        self.assertEqual(lead.sales_process_stage_skip_request_id.to_stage_id, self.won)

    def test_another_move_withdraws_the_pending_request(self):
        lead = self._lead()
        lead.write({"stage_id": self.proposal.id})
        first = lead.sales_process_stage_skip_request_id
        lead.write({"stage_id": self.won.id})
        self.assertEqual(first.state, "cancel")
        self.assertFalse(first.review_ids)
        second = lead.sales_process_stage_skip_request_id
        self.assertEqual(second.to_stage_id, self.won)
        lead.write({"stage_id": self.qualification.id})
        self.assertEqual(second.state, "cancel")
        self.assertFalse(lead.sales_process_stage_skip_request_id)

    def test_other_teams_and_lost_leads_are_not_checked(self):
        west_lead = self._create_leads(
            1, stage_id=self.intake.id, team_id=self.team_west.id
        )
        west_lead.write({"stage_id": self.proposal.id})
        self.assertEqual(west_lead.stage_id, self.proposal)
        lost = self._lead()
        lost.action_archive()
        lost.write({"stage_id": self.proposal.id})
        self.assertEqual(lost.stage_id, self.proposal)
        self.assertFalse(self._requests(west_lead | lost))

    def test_batch_move_holds_only_the_skipping_leads(self):
        leads = self._create_leads(6, stage_id=self.intake.id)
        leads[:2].write({"stage_id": self.qualification.id})
        leads[:2].write({"stage_id": self.intake.id})
        leads.with_user(self.rep_east).write({"stage_id": self.proposal.id})
        self.assertEqual(leads[:2].stage_id, self.proposal)
        self.assertEqual(leads[2:].mapped("stage_id"), self.intake)
        requests = self._requests(leads)
        self.assertEqual(requests.lead_id, leads[2:])
        self.assertEqual(set(requests.mapped("state")), {"pending"})

    def test_the_check_costs_the_same_for_few_or_many_leads(self):
        few = self._create_leads(2, stage_id=self.intake.id)
        many = self._create_leads(40, stage_id=self.intake.id)
        # the mandatory stages are cached once per process
        self.env["crm.stage"]._sales_process_mandatory_stages()
        counts = []
        for leads in (few, many):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            skips = leads._stage_skips(self.proposal.id)
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(skips), len(leads))
        self.assertEqual(counts[0], counts[1])
