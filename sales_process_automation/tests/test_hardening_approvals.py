# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .test_discount_approval import DiscountApprovalCommon


@tagged("post_install", "-at_install")
class TestHardeningApprovals(DiscountApprovalCommon):
    """Approvals change only through their engine, by their reviewers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_mandatory_pipeline()
        cls.leader_west = new_test_user(
            cls.env, login="spa_leader_west", groups="sales_team.group_sale_manager"
        )
        cls.team_west.user_id = cls.leader_west
        cls.SkipRequest = cls.env["sales.process.stage.skip.request"]
        cls.ComplexRequest = cls.env["sales.process.complex.request"]

    def _skip_request(self, user=None):
        """A lead of East moved past its mandatory stage by ``user``."""
        lead = self._create_leads(1, stage_id=self.intake.id)
        lead.with_user(user or self.rep_east).write({"stage_id": self.proposal.id})
        return lead.sales_process_stage_skip_request_id

    def _complex_request(self, user=None):
        lead = self._create_leads(1)
        request = self.ComplexRequest.with_user(user or self.rep_east).create(
            {
                "lead_id": lead.id,
                "reason_id": self.env.ref(
                    "sales_process_automation.sales_process_complex_reason_warranty"
                ).id,
                "requested_deadline": datetime(2026, 12, 4, 17, 0),
            }
        )
        with freeze_time("2026-11-16 10:00:00"):
            request.action_request()
        return request

    # item 1: a rep approves their own discount
    def test_rep_cannot_approve_own_discount_by_writing_reviews(self):
        order = self._quotation((self.chair, 2, 15.0))
        order.request_validation()
        review = order.review_ids.with_user(self.rep_east)
        with self.assertRaisesRegex(AccessError, "Approvals change only"):
            review.write({"status": "approved", "done_by": self.director.id})
        with self.assertRaisesRegex(AccessError, "Approvals change only"):
            order.write(
                {"review_ids": [Command.update(review.id, {"status": "approved"})]}
            )
        with self.assertRaisesRegex(AccessError, "Approvals change only"):
            review.unlink()
        with self.assertRaisesRegex(AccessError, "Approvals change only"):
            self.env["tier.review"].with_user(self.rep_east).create(
                {
                    "model": "sale.order",
                    "res_id": order.id,
                    "definition_id": self.threshold_leader.definition_id.id,
                    "status": "approved",
                }
            )
        self.assertEqual(review.status, "pending")
        with self.assertRaisesRegex(UserError, "not approved yet"):
            order.action_confirm()
        # the reviewer approves through the engine: the rep confirms
        order.with_user(self.director).validate_tier()
        self.assertEqual(review.done_by, self.director)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_confirmation_checks_who_approved(self):
        order = self._quotation((self.chair, 2, 15.0))
        order.request_validation()
        # an approval written before the reviews were protected
        order.review_ids.sudo().write(
            {"status": "approved", "done_by": self.rep_east.id}
        )
        self.assertEqual(order.validation_status, "validated")
        with self.assertRaisesRegex(UserError, "not approved by one of its reviewers"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_salesperson_never_reviews_their_quotation(self):
        self.threshold_leader.write(
            {"reviewer_type": "user", "reviewer_id": self.rep_east.id}
        )
        # a colleague asks for the approval of rep_east's quotation
        order = self._quotation((self.chair, 2, 15.0))
        order.with_user(self.director).request_validation()
        self.assertNotIn(self.rep_east, order.review_ids.reviewer_ids)
        with self.assertRaisesRegex(UserError, "You cannot review"):
            order.validate_tier()

    def test_rep_cannot_approve_skip_or_complex_request_by_writing_reviews(self):
        skip = self._skip_request()
        complex_request = self._complex_request()
        for request in (skip, complex_request):
            with self.assertRaisesRegex(AccessError, "Approvals change only"):
                request.review_ids.with_user(self.rep_east).write(
                    {"status": "approved", "done_by": self.director.id}
                )
        self.assertEqual(skip.state, "pending")
        self.assertEqual(skip.lead_id.stage_id, self.intake)
        self.assertEqual(complex_request.state, "pending")

    # item 2: the requester is forged at create
    def test_requester_is_the_creating_user(self):
        lead = self._create_leads(1, stage_id=self.intake.id)
        skip = self.SkipRequest.with_user(self.rep_east).create(
            {
                "lead_id": lead.id,
                "from_stage_id": self.intake.id,
                "to_stage_id": self.proposal.id,
                "requester_id": self.director.id,
            }
        )
        self.assertEqual(skip.requester_id, self.rep_east)
        # so the rep is no reviewer of it
        self.assertNotIn(self.rep_east, skip.review_ids.reviewer_ids)
        complex_request = self.ComplexRequest.with_user(self.rep_east).create(
            {"lead_id": self._create_leads(1).id, "requester_id": self.rep_west.id}
        )
        self.assertEqual(complex_request.requester_id, self.rep_east)
        with self.assertRaisesRegex(AccessError, "cannot be changed"):
            complex_request.write({"requester_id": self.rep_west.id})

    # item 3: a leader of another team rewrites a pending stage skip
    def test_other_team_leader_cannot_rewrite_skip_request(self):
        skip = self._skip_request().with_user(self.leader_west)
        for values in (
            {"state": "approved"},
            {"to_stage_id": self.qualification.id},
            {"skipped_stage_ids": [Command.clear()]},
        ):
            with self.assertRaisesRegex(AccessError, "changes only when"):
                skip.write(values)
        self.assertEqual(skip.state, "pending")
        # the Sales Process administrator still can
        skip.with_user(self.process_admin).write({"state": "cancel"})
        self.assertEqual(skip.state, "cancel")

    # item 4: a threshold retargets another tier definition
    def test_threshold_only_touches_its_own_definition(self):
        complex_definition = self.env.ref(
            "sales_process_automation.tier_definition_complex_request"
        )
        threshold = self.threshold_leader.with_user(self.process_admin)
        with self.assertRaisesRegex(AccessError, "cannot be replaced"):
            threshold.write({"definition_id": complex_definition.id})
        created = threshold.create(
            {
                "name": "Above 50%",
                "percent": 50,
                "definition_id": complex_definition.id,
            }
        )
        self.assertNotEqual(created.definition_id, complex_definition)
        created.unlink()
        self.assertTrue(complex_definition.exists())
        self.assertEqual(complex_definition.model, "sales.process.complex.request")

    # item 5: the lead changed owner while the skip waited
    def test_approved_skip_moves_a_lead_that_changed_owner(self):
        skip = self._skip_request()
        lead = skip.lead_id
        lead.write({"user_id": self.rep_west.id, "team_id": self.team_west.id})
        skip.with_user(self.director).validate_tier()
        self.assertEqual(skip.state, "approved")
        self.assertEqual(lead.stage_id, self.proposal)
        self.assertEqual(lead.write_uid, self.rep_east)
        # the move is the requester's: the stage history row is theirs
        self.assertEqual(self._open_rows(lead).crm_stage_id, self.proposal)
        self.assertEqual(self._open_rows(lead).create_uid, self.rep_east)
