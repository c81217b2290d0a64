# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from lxml import etree

from odoo.tests import Form, freeze_time, tagged

from .test_discount_approval import DiscountApprovalCommon


@tagged("post_install", "-at_install")
class TestApprovalsUx(DiscountApprovalCommon):
    """Approvals people can act on: one verb, the facts to decide, the discount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()
        cls.warranty = cls.env.ref(
            "sales_process_automation.sales_process_complex_reason_warranty"
        )

    def _arch(self, model, view_type, user):
        views = self.env[model].with_user(user).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def _labels(self, arch, name):
        return [
            button.get("string")
            for button in arch.iter("button")
            if button.get("name") == name
        ]

    def _complex_request(self, lead, when="2026-11-16 10:00:00"):
        with freeze_time(when):
            action = lead.with_user(self.rep_east).action_sales_process_mark_complex()
            form = Form(
                self.env["sales.process.complex.request"]
                .with_user(self.rep_east)
                .with_context(**action["context"]),
                view=action["views"][0][0],
            )
            form.reason_id = self.warranty
            form.requested_deadline = datetime(2026, 12, 4, 17, 0)
            request = form.save()
            request.action_request()
        return request

    # one verb: Approve / Reject

    def test_quotation_form_says_approve_and_reject(self):
        for user in (self.rep_east, self.director):
            arch = self._arch("sale.order", "form", user)
            self.assertEqual(
                self._labels(arch, "request_validation"), ["Request Approval"]
            )
            self.assertEqual(self._labels(arch, "validate_tier"), ["Approve"])
            self.assertEqual(self._labels(arch, "reject_tier"), ["Reject"])
            labels = [button.get("string") or "" for button in arch.iter("button")]
            self.assertFalse([label for label in labels if "Validat" in label])

    def test_requests_say_approve_and_reject_in_forms_and_lists(self):
        for model in (
            "sales.process.complex.request",
            "sales.process.stage.skip.request",
        ):
            for view_type in ("form", "list"):
                arch = self._arch(model, view_type, self.director)
                self.assertEqual(
                    self._labels(arch, "validate_tier"), ["Approve"], (model, view_type)
                )
                self.assertEqual(
                    self._labels(arch, "reject_tier"), ["Reject"], (model, view_type)
                )

    # what the reviewer of a complex request decides on

    def test_complex_request_shows_amount_lateness_and_share(self):
        lead = self._create_leads(1, expected_revenue=12000.0)
        # three more opportunities of the rep, never complex: a share of 25%
        self._create_leads(3)
        with freeze_time("2026-11-16 09:00:00"):
            lead.stage_id = self.proposition
        request = self._complex_request(lead)
        report = self.env["sales.process.complex.report"].search(
            [("user_id", "=", self.rep_east.id), ("team_id", "=", self.team_east.id)]
        )
        self.assertEqual(report.complex_share, 25.0)
        # due Monday 23 at 9:00; Tuesday 24 at 11:00 is 7 + 3 working hours late
        with freeze_time("2026-11-24 11:00:00"):
            for user in (self.director, self.rep_east):
                self.env.invalidate_all()
                seen = request.with_user(user)
                self.assertEqual(seen.lead_expected_revenue, 12000.0)
                self.assertEqual(seen.lead_currency_id, self.company.currency_id)
                self.assertEqual(seen.lead_sla_deadline, datetime(2026, 11, 23, 9, 0))
                self.assertAlmostEqual(seen.lead_hours_overdue, 10.0)
                self.assertEqual(seen.lead_lateness, "1.2 working days")
                self.assertEqual(seen.requester_complex_share, report.complex_share)
        with freeze_time("2026-11-20 11:00:00"):
            self.env.invalidate_all()
            self.assertFalse(request.with_user(self.director).lead_hours_overdue)
            self.assertFalse(request.with_user(self.director).lead_lateness)

    # the discount column of the quotation lines

    def _discount_columns(self, user):
        arch = self._arch("sale.order", "form", user)
        return arch.xpath("//field[@name='order_line']/list/field[@name='discount']")

    def test_discount_column_shown_to_reps_when_a_threshold_exists(self):
        discount_group = self.env.ref("sale.group_discount_per_so_line")
        self.assertNotIn(discount_group, self.rep_east.all_group_ids)
        [column] = self._discount_columns(self.rep_east)
        self.assertEqual(
            column.get("column_invisible"),
            "not parent.sales_process_discount_threshold",
        )
        order = self._quotation((self.chair, 1, 5.0), user=self.rep_east)
        self.assertTrue(order.sales_process_discount_threshold)
        (self.threshold_leader | self.threshold_director).with_user(
            self.process_admin
        ).action_archive()
        order.invalidate_recordset()
        self.assertFalse(order.sales_process_discount_threshold)

    def test_discount_column_stays_once_for_the_discounts_group(self):
        self.rep_west.group_ids += self.env.ref("sale.group_discount_per_so_line")
        [column] = self._discount_columns(self.rep_west)
        self.assertFalse(column.get("column_invisible"))
