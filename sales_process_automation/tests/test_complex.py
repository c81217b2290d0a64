# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestComplexOpportunity(SalesProcessCommon):
    """Complex opportunities: request, approval by tiers, SLA and report.

    The office calendar works Monday to Friday, 8:00-12:00 and 13:00-17:00 UTC;
    the proposal stage is due within 5 working days, with reminders after 1
    and 4 days.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        cls.Request = cls.env["sales.process.complex.request"]
        cls.warranty = cls.env.ref(
            "sales_process_automation.sales_process_complex_reason_warranty"
        )
        cls.other = cls.env.ref(
            "sales_process_automation.sales_process_complex_reason_other"
        )
        cls.activity_type = cls.env.ref(
            "sales_process_automation.mail_activity_type_complex_approval"
        )
        # a second rep in the East team, who is no manager
        cls.rep_east_2 = new_test_user(
            cls.env, login="spa_rep_east_2", groups="sales_team.group_sale_salesman"
        )
        cls.team_east.member_ids = [Command.link(cls.rep_east_2.id)]

    def _activities(self, records, user=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if user:
            domain.append(("user_id", "=", user.id))
        return self.env["mail.activity"].search(domain)

    def _lead_in_proposal(self, user=None, when="2026-11-16 09:00:00"):
        user = user or self.rep_east
        lead = self._create_leads(1, user_id=user.id)
        with freeze_time(when):
            lead.stage_id = self.proposition
        return lead

    def _request(self, lead, user, when="2026-11-16 10:00:00", **values):
        """Mark ``lead`` as complex as ``user`` would, from the lead's form."""
        with freeze_time(when):
            action = lead.with_user(user).action_sales_process_mark_complex()
            form = Form(
                self.Request.with_user(user).with_context(**action["context"]),
                view=action["views"][0][0],
            )
            form.reason_id = values.get("reason", self.warranty)
            if values.get("details"):
                form.details = values["details"]
            form.requested_deadline = values.get(
                "deadline", datetime(2026, 12, 4, 17, 0)
            )
            request = form.save()
            request.action_request()
        return request

    def _decide(self, request, user, decision, comment, when="2026-11-17 09:00:00"):
        """Approve or reject as ``user``, with a comment, as the form does."""
        with freeze_time(when):
            request = request.with_user(user)
            method = "validate_tier" if decision == "approve" else "reject_tier"
            action = getattr(request, method)()
            self.assertEqual(action["res_model"], "comment.wizard")
            wizard = Form(
                self.env["comment.wizard"]
                .with_user(user)
                .with_context(**action["context"])
            )
            wizard.comment = comment
            wizard.save().add_comment()
        request.invalidate_recordset()

    # request, approval, rejection

    def test_request_asks_the_team_leader_by_mail_and_activity(self):
        lead = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requester_id, self.rep_east)
        self.assertEqual(request.approver_ids, self.director)
        self.assertEqual(request.current_deadline, datetime(2026, 11, 23, 9, 0))
        self.assertEqual(request.review_ids.reviewer_ids, self.director)
        self.assertTrue(lead.sales_process_complex)
        self.assertFalse(lead.sales_process_extension_approved)
        activity = self._activities(request)
        self.assertEqual(activity.user_id, self.director)
        self.assertEqual(activity.activity_type_id, self.activity_type)
        message = request.message_ids.filtered(
            lambda message: (
                message.subtype_id
                == self.env.ref("base_tier_validation.mt_tier_validation_requested")
            )
        )
        self.assertIn(self.director.partner_id, message.notified_partner_ids)
        self.assertTrue(request.with_user(self.director).can_review)

    def test_approve_with_comment_moves_the_deadline(self):
        lead = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        self._decide(request, self.director, "approve", "Warranty accepted by legal")
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decision_comment, "Warranty accepted by legal")
        self.assertEqual(request.decided_by_id, self.director)
        self.assertEqual(request.validation_status, "validated")
        self.assertTrue(lead.sales_process_complex)
        self.assertTrue(lead.sales_process_extension_approved)
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 12, 4, 17, 0))
        self.assertEqual(lead.sales_process_sla_status, "on_track")
        self.assertFalse(self._activities(request), "the approval activity is done")
        self.assertIn(
            "Warranty accepted by legal", lead.message_ids[0].body, "rep told on lead"
        )
        self.assertIn(self.rep_east.partner_id, lead.message_ids[0].partner_ids)

    def test_reject_with_comment_restores_the_standard_rules(self):
        lead = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        self._decide(request, self.director, "reject", "Standard warranty only")
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.decision_comment, "Standard warranty only")
        self.assertEqual(request.review_ids.comment, "Standard warranty only")
        self.assertFalse(lead.sales_process_complex)
        self.assertFalse(lead.sales_process_extension_approved)
        self.assertEqual(lead.sales_process_complex_state, "rejected")
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0))
        self.assertFalse(self._activities(request))
        # a new request may follow a rejected one
        second = self._request(lead, self.rep_east, when="2026-11-17 10:00:00")
        self.assertEqual(second.state, "pending")
        self.assertEqual(lead.sales_process_complex_request_id, second)

    def test_requester_cannot_approve_own_request(self):
        # the director owns the opportunity and leads its team: their own
        # request goes to the other Sales Process Managers
        lead = self._lead_in_proposal(user=self.director)
        request = self._request(lead, self.director)
        reviewers = request.review_ids.reviewer_ids
        self.assertNotIn(self.director, reviewers)
        self.assertIn(self.process_admin, reviewers)
        self.assertFalse(request.with_user(self.director).can_review)
        with self.assertRaisesRegex(UserError, "request you made"):
            request.with_user(self.director).validate_tier()
        with self.assertRaisesRegex(UserError, "request you made"):
            request.with_user(self.director).reject_tier()
        self.assertEqual(request.state, "pending")
        self._decide(request, self.process_admin, "approve", "Fine")
        self.assertEqual(request.state, "approved")

    def test_reps_cannot_approve(self):
        lead = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        with self.assertRaisesRegex(UserError, "request you made"):
            request.with_user(self.rep_east).validate_tier()
        # a rep of the same team sees nothing of a colleague's request
        with self.assertRaises(AccessError):
            request.with_user(self.rep_east_2).validate_tier()
        # even when the rep could read it, they are no reviewer
        request.sudo().with_context(
            skip_validation_check=True
        ).requester_id = self.rep_east_2
        with self.assertRaisesRegex(UserError, "Only the sales manager"):
            request.with_user(self.rep_east).validate_tier()
        self.assertEqual(request.state, "pending")

    def test_rep_leader_does_not_review(self):
        """A team led by a user who is no sales manager goes to the managers."""
        self.team_east.user_id = self.rep_east_2
        lead = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        self.assertNotIn(self.rep_east_2, request.review_ids.reviewer_ids)
        self.assertIn(self.director, request.review_ids.reviewer_ids)

    def test_bad_input_is_refused_with_a_clear_message(self):
        lead = self._lead_in_proposal()
        with freeze_time("2026-11-16 10:00:00"):
            draft = self.Request.with_user(self.rep_east).create(
                {
                    "lead_id": lead.id,
                    "requested_deadline": datetime(2026, 12, 4, 17, 0),
                }
            )
            with self.assertRaisesRegex(ValidationError, "the reason is empty"):
                draft.action_request()
            draft.reason_id = self.warranty
            draft.requested_deadline = datetime(2026, 11, 13, 17, 0)
            with self.assertRaisesRegex(ValidationError, "is in the past"):
                draft.action_request()
            with self.assertRaisesRegex(ValidationError, "needs details"):
                draft.reason_id = self.other
            with self.assertRaisesRegex(ValidationError, "needs details"):
                self.Request.with_user(self.rep_east).create(
                    {
                        "lead_id": lead.id,
                        "reason_id": self.other.id,
                        "details": "  ",
                        "requested_deadline": datetime(2026, 12, 4, 17, 0),
                    }
                )
        self.assertEqual(draft.state, "draft")
        self.assertFalse(lead.sales_process_complex)
        request = self._request(
            lead, self.rep_east, reason=self.other, details="Penalty clauses"
        )
        with self.assertRaisesRegex(UserError, "already has an open"):
            self._request(lead, self.rep_east)
        self.assertEqual(request.state, "pending")
        # what the manager decides on is fixed, and only a decision decides
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            request.with_user(self.rep_east).requested_deadline = datetime(
                2027, 1, 29, 17, 0
            )
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            self.Request.with_user(self.rep_east).create(
                {
                    "lead_id": self._create_leads(1).id,
                    "reason_id": self.warranty.id,
                    "requested_deadline": datetime(2027, 1, 29, 17, 0),
                    "state": "approved",
                }
            )
        with self.assertRaisesRegex(UserError, "follows its approval"):
            request.with_user(self.rep_east).write({"state": "approved"})
        with self.assertRaisesRegex(UserError, "follows its approval"):
            draft.with_user(self.rep_east).write({"state": "approved"})

    # SLA

    def test_sla_reminders_off_while_complex_and_back_after_rejection(self):
        lead = self._lead_in_proposal()
        other = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        self._sweep("2026-11-17 10:00:00")
        self.assertFalse(
            self._activities(lead).filtered(
                lambda activity: activity.activity_type_id != self.activity_type
            )
        )
        self.assertEqual(len(self._activities(other, self.rep_east)), 1)
        self._decide(request, self.director, "reject", "No", "2026-11-18 10:00:00")
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0))
        self._sweep("2026-11-18 11:00:00")
        self.assertEqual(
            len(self._activities(lead, self.rep_east)),
            1,
            "the reminder fallen due while complex is sent once back",
        )
        self._sweep("2026-11-23 10:00:00")
        lead.invalidate_recordset()
        self.assertEqual(lead.sales_process_sla_status, "breached")

    def test_no_escalation_while_waiting_breach_after_approved_deadline(self):
        waiting, approved = self._lead_in_proposal() | self._lead_in_proposal()
        self._request(waiting, self.rep_east)
        request = self._request(approved, self.rep_east)
        self._decide(request, self.director, "approve", "OK")
        self._sweep("2026-11-24 10:00:00")
        (waiting | approved).invalidate_recordset()
        self.assertEqual(waiting.sales_process_sla_status, "on_track")
        self.assertEqual(approved.sales_process_sla_status, "on_track")
        self.assertFalse(self._activities(waiting | approved, self.rep_east))
        self.assertFalse(self._activities(waiting | approved, self.process_admin))
        # the approved deadline (2026-12-04 17:00) applies: past it, a breach
        # and its escalation, still no standard reminder
        self._sweep("2026-12-07 10:00:00")
        self.env.invalidate_all()
        self.assertEqual(
            waiting.sales_process_sla_status, "on_track", "the decision is pending"
        )
        self.assertEqual(approved.sales_process_sla_status, "breached")
        self.assertFalse(self._activities(approved, self.rep_east))
        self.assertEqual(
            self._activities(approved, self.process_admin).mapped("summary"),
            ["SLA breached: Proposal within 5 days"],
        )
        self.assertFalse(self._activities(waiting, self.process_admin))

    def test_deadline_moved_after_approval_stays_when_policies_change(self):
        lead = self._lead_in_proposal()
        request = self._request(lead, self.rep_east)
        with freeze_time("2026-11-16 10:30:00"):
            self.assertEqual(
                lead.sales_process_sla_deadline, datetime(2026, 11, 23, 9, 0)
            )
        self._decide(request, self.director, "approve", "OK")
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 12, 4, 17, 0))
        with freeze_time("2026-11-18 10:00:00"):
            self.proposal_policy.duration = 4.5
            self.proposal_policy.action_recompute_open_records()
        lead.invalidate_recordset()
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 12, 4, 17, 0))
        # the next stage follows the standard rules again
        with freeze_time("2026-11-19 10:00:00"):
            lead.stage_id = self.stages[3]
        self.assertNotEqual(
            lead.sales_process_sla_deadline, datetime(2026, 12, 4, 17, 0)
        )

    def test_approval_applies_to_the_stage_the_opportunity_is_in(self):
        lead = self._create_leads(1)
        request = self._request(lead, self.rep_east)
        self.assertFalse(lead.sales_process_sla_policy_id)
        with freeze_time("2026-11-16 11:00:00"):
            lead.stage_id = self.proposition
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 11, 23, 11, 0))
        self._decide(request, self.director, "approve", "OK")
        self.assertEqual(request.stage_history_id, self._open_rows(lead))
        self.assertEqual(lead.sales_process_sla_deadline, datetime(2026, 12, 4, 17, 0))

    # report

    def _report(self, user=None):
        Report = self.env["sales.process.complex.report"]
        if user:
            Report = Report.with_user(user)
        self.env.flush_all()
        Report.invalidate_model()
        return Report.search([("team_id", "in", (self.team_east | self.team_west).ids)])

    def test_report_figures_and_highlight(self):
        east = self._create_leads(5)
        west = self._create_leads(
            4, team_id=self.team_west.id, user_id=self.rep_west.id
        )
        # rep_east: 2 complex out of 5 (40%): one approved, one rejected then
        # asked again (waiting)
        approved = self._request(east[0], self.rep_east)
        self._decide(approved, self.director, "approve", "OK")
        rejected = self._request(east[1], self.rep_east)
        self._decide(rejected, self.director, "reject", "No")
        self._request(east[1], self.rep_east, when="2026-11-17 10:00:00")
        # rep_west: 1 out of 4 (25%), waiting for a Sales Process Manager
        self._request(west[0], self.rep_west, reason=self.other, details="Escrow")
        # a draft is no request
        self.Request.create({"lead_id": west[1].id, "reason_id": self.warranty.id})

        report = self._report()
        east_line = report.filtered(lambda line: line.user_id == self.rep_east)
        west_line = report.filtered(lambda line: line.user_id == self.rep_west)
        self.assertRecordValues(
            east_line,
            [
                {
                    "team_id": self.team_east.id,
                    "opportunity_count": 5,
                    "complex_count": 2,
                    "complex_share": 40.0,
                    "request_count": 3,
                    "pending_count": 1,
                    "approved_count": 1,
                    "rejected_count": 1,
                    "highlight": True,
                }
            ],
        )
        self.assertRecordValues(
            west_line,
            [
                {
                    "opportunity_count": 4,
                    "complex_count": 1,
                    "complex_share": 25.0,
                    "pending_count": 1,
                    "highlight": False,
                }
            ],
        )
        # the same share in the rep performance analysis
        performance = dict(
            self.env["sales.process.lead.report"]._read_group(
                [("user_id", "in", (self.rep_east | self.rep_west).ids)],
                ["user_id"],
                ["complex_rate:avg"],
            )
        )
        self.assertEqual(performance[self.rep_east], 40.0)
        self.assertEqual(performance[self.rep_west], 25.0)
        # reasons, by salesperson
        reasons = self.env["sales.process.complex.request"]._read_group(
            [
                ("lead_user_id", "in", (self.rep_east | self.rep_west).ids),
                ("state", "!=", "draft"),
            ],
            ["lead_user_id", "reason_id"],
            ["__count"],
        )
        self.assertEqual(
            sorted((user.login, reason.name, count) for user, reason, count in reasons),
            [
                ("spa_rep_east", "Special warranty", 3),
                ("spa_rep_west", "Other", 1),
            ],
        )
        # drill-down
        action = east_line.action_open_opportunities()
        self.assertEqual(
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search(action["domain"]),
            east,
        )
        action = east_line.action_open_complex_requests()
        self.assertEqual(len(self.Request.search(action["domain"])), 3)
        # the alert percentage is a company setting
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.sales_process_complex_threshold, 40.0)
        settings.sales_process_complex_threshold = 20.0
        settings.execute()
        self.assertEqual(self.company.sales_process_complex_threshold, 20.0)
        self.assertEqual(
            self._report().filtered("highlight").user_id,
            self.rep_east | self.rep_west,
        )

    def test_report_managers_see_their_teams_admins_all(self):
        self._create_leads(2)
        self._create_leads(3, team_id=self.team_west.id, user_id=self.rep_west.id)
        self.assertEqual(self._report(self.director).team_id, self.team_east)
        self.assertEqual(
            self._report(self.process_admin).team_id, self.team_east | self.team_west
        )
        with self.assertRaises(AccessError):
            self._report(self.rep_east)
