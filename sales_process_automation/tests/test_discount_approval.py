# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, freeze_time, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import SIGNATURE, SalesProcessCommon, sign_online


class DiscountApprovalCommon(SalesProcessCommon):
    """Above 10%: the team leader; above 25%: the sales director, in order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["sales.process.discount.threshold"].search([]).action_archive()
        cls.top_director = new_test_user(
            cls.env,
            login="spa_top_director",
            groups="sales_team.group_sale_manager",
        )
        Threshold = cls.env["sales.process.discount.threshold"].with_user(
            cls.process_admin
        )
        cls.threshold_leader = Threshold.create(
            {
                "name": "Above 10%: team leader",
                "percent": 10,
                "reviewer_type": "team_leader",
            }
        )
        cls.threshold_director = Threshold.create(
            {
                "name": "Above 25%: sales director",
                "percent": 25,
                "reviewer_type": "user",
                "reviewer_id": cls.top_director.id,
            }
        )
        cls.chair = cls.env["product.product"].create(
            {
                "name": "Office chair",
                "list_price": 100.0,
                "type": "consu",
                "taxes_id": [Command.clear()],
            }
        )
        cls.desk = cls.env["product.product"].create(
            {
                "name": "Standing desk",
                "list_price": 200.0,
                "type": "consu",
                "taxes_id": [Command.clear()],
            }
        )

    def _quotation(self, *lines, user=None, **values):
        """A quotation of ``(product, quantity, discount[, price_unit])`` lines."""
        line_commands = []
        for product, quantity, discount, *price in lines:
            line_values = {
                "product_id": product.id,
                "product_uom_qty": quantity,
                "discount": discount,
            }
            if price:
                line_values["price_unit"] = price[0]
            line_commands.append(Command.create(line_values))
        return (
            self.env["sale.order"]
            .with_user(user or self.rep_east)
            .create(
                {
                    "partner_id": self.partner.id,
                    "team_id": self.team_east.id,
                    "user_id": (user or self.rep_east).id,
                    "order_line": line_commands,
                    **values,
                }
            )
        )


@tagged("post_install", "-at_install")
class TestDiscountApproval(DiscountApprovalCommon):
    def test_exactly_the_threshold_is_not_above_it(self):
        order = self._quotation((self.chair, 3, 10.0), (self.desk, 1, 10.0))
        self.assertEqual(order.sales_process_max_line_discount, 10.0)
        self.assertEqual(order.sales_process_total_discount, 10.0)
        self.assertFalse(order.need_validation)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_a_discount_above_the_threshold_blocks_confirm_send_and_signature(self):
        order = self._quotation(
            (self.chair, 1, 10.5), (self.desk, 1, 0.0), require_signature=True
        )
        self.assertTrue(order.need_validation)
        with self.assertRaisesRegex(UserError, "needs an approval of its discount"):
            order.action_confirm()
        with self.assertRaisesRegex(UserError, "needs an approval of its discount"):
            order.action_quotation_send()
        with self.assertRaisesRegex(UserError, "needs an approval of its discount"):
            order.action_quotation_sent()
        self.assertFalse(order._has_to_be_signed())
        self.assertEqual(order.state, "draft")

        order.request_validation()
        with self.assertRaisesRegex(UserError, "not approved yet"):
            order.action_confirm()
        with self.assertRaisesRegex(UserError, "not approved yet"):
            order.action_quotation_send()
        self.assertFalse(order._has_to_be_signed())

    def test_request_approve_confirm(self):
        order = self._quotation((self.chair, 2, 15.0))
        order.request_validation()
        review = order.review_ids
        self.assertEqual(review.definition_id, self.threshold_leader.definition_id)
        self.assertEqual(review.status, "pending")
        self.assertEqual(review.requested_by, self.rep_east)
        self.assertEqual(review.reviewer_ids, self.director)
        self.assertEqual(order.validation_status, "pending")

        # a rep is no reviewer: a clear refusal, not a silent click
        with self.assertRaisesRegex(UserError, "You cannot review"):
            order.with_user(self.rep_west).validate_tier()
        with self.assertRaisesRegex(UserError, "You cannot review"):
            order.with_user(self.rep_east).reject_tier()
        self.assertEqual(review.status, "pending")

        order.with_user(self.director).validate_tier()
        self.assertEqual(review.status, "approved")
        self.assertEqual(review.done_by, self.director)
        self.assertEqual(order.validation_status, "validated")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_requester_cannot_approve_own_request(self):
        # the team leader's own quotation: the four-eyes principle keeps him out
        order = self._quotation((self.chair, 1, 30.0), user=self.director)
        order.with_user(self.director).request_validation()
        self.assertNotIn(self.director, order.review_ids.reviewer_ids)
        with self.assertRaisesRegex(UserError, "You cannot review"):
            order.with_user(self.director).validate_tier()
        self.assertEqual(order.validation_status, "pending")
        # another manager approves for him
        self.assertIn(self.process_admin, order.review_ids[0].reviewer_ids)
        order.with_user(self.process_admin).validate_tier()
        self.assertEqual(order.review_ids[0].status, "approved")

    def test_multi_step_approval_in_order(self):
        order = self._quotation((self.chair, 1, 30.0), (self.desk, 1, 20.0))
        self.assertEqual(order.sales_process_max_line_discount, 30.0)
        order.request_validation()
        leader_review, director_review = order.review_ids.sorted("sequence")
        self.assertEqual(leader_review.definition_id.name, "Above 10%: team leader")
        self.assertEqual(director_review.reviewer_ids, self.top_director)
        # the sales director's turn comes after the team leader's
        with self.assertRaisesRegex(UserError, "You cannot review"):
            order.with_user(self.top_director).validate_tier()
        self.assertTrue(order.with_user(self.director).can_review)
        order.with_user(self.director).validate_tier()
        self.assertEqual(leader_review.status, "approved")
        self.assertEqual(order.validation_status, "pending")
        with self.assertRaisesRegex(UserError, "not approved yet"):
            order.action_confirm()
        order.with_user(self.top_director).validate_tier()
        self.assertEqual(director_review.status, "approved")
        self.assertEqual(order.validation_status, "validated")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_one_decision_for_consecutive_tiers_of_the_same_person(self):
        # the team leader is the sales director too
        self.threshold_director.with_user(
            self.process_admin
        ).reviewer_id = self.director
        order = self._quotation((self.chair, 1, 30.0))
        order.request_validation()
        self.assertEqual(len(order.review_ids), 2)
        order.with_user(self.director).validate_tier()
        self.assertEqual(set(order.review_ids.mapped("status")), {"approved"})
        self.assertEqual(order.validation_status, "validated")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_one_step_approval_asks_every_reviewer_at_once(self):
        self.threshold_director.with_user(self.process_admin).approve_sequence = False
        order = self._quotation((self.chair, 1, 30.0))
        order.request_validation()
        # the sales director does not wait for the team leader
        order.with_user(self.top_director).validate_tier()
        self.assertEqual(order.validation_status, "pending")
        order.with_user(self.director).validate_tier()
        self.assertEqual(order.validation_status, "validated")

    def test_reject(self):
        order = self._quotation((self.chair, 1, 12.0))
        order.request_validation()
        order.with_user(self.director).reject_tier()
        self.assertEqual(order.review_ids.status, "rejected")
        self.assertEqual(order.validation_status, "rejected")
        with self.assertRaisesRegex(UserError, "Rejected"):
            order.action_confirm()
        # a lower discount needs no approval any more
        order.order_line.discount = 5.0
        self.assertFalse(order.review_ids)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_comment_on_approval(self):
        self.threshold_leader.with_user(self.process_admin).has_comment = True
        order = self._quotation((self.chair, 1, 12.0))
        order.request_validation()
        action = order.with_user(self.director).validate_tier()
        self.assertEqual(action["res_model"], "comment.wizard")
        wizard = (
            self.env["comment.wizard"]
            .with_user(self.director)
            .with_context(**action["context"])
            .create({"comment": "Strategic customer, one-off"})
        )
        wizard.add_comment()
        self.assertEqual(order.review_ids.comment, "Strategic customer, one-off")
        self.assertEqual(order.validation_status, "validated")
        # the salesperson reads why in the quotation's chatter
        note = order.message_ids.filtered(
            lambda message: "Strategic customer, one-off" in message.body
        )
        self.assertEqual(note.author_id, self.director.partner_id)

    def test_reviewer_is_reminded(self):
        self.threshold_leader.with_user(self.process_admin).notify_reminder_delay = 2
        order = self._quotation((self.chair, 1, 12.0))
        order.request_validation()
        requested = order.review_ids.create_date
        Definition = self.env["tier.definition"]
        with freeze_time(requested + timedelta(days=1)):
            Definition._cron_send_review_reminder()
        self.assertFalse(order.activity_ids)
        with freeze_time(requested + timedelta(days=3)):
            Definition._cron_send_review_reminder()
        self.assertEqual(order.activity_ids.user_id, self.director)
        self.assertTrue(order.review_ids.last_reminder_date)

    def test_total_discount_against_list_prices(self):
        Threshold = self.env["sales.process.discount.threshold"]
        (self.threshold_leader | self.threshold_director).action_archive()
        Threshold.create(
            {
                "name": "Total above 10%",
                "percent": 10,
                "scope": "total",
                "reviewer_type": "team_leader",
            }
        )
        Threshold.create(
            {
                "name": "Line above 20%",
                "percent": 20,
                "scope": "line",
                "reviewer_type": "team_leader",
            }
        )
        # 15% on one chair, a desk at list price: 30 / 300 = 10%, not above
        order = self._quotation((self.chair, 1, 15.0), (self.desk, 1, 0.0))
        self.assertEqual(order.sales_process_max_line_discount, 15.0)
        order.order_line[1].product_uom_qty = 0.925
        self.assertFalse(order.need_validation)
        order.order_line[1].product_uom_qty = 1.0
        self.assertAlmostEqual(order.sales_process_total_discount, 5.0)
        self.assertFalse(order.need_validation)
        # three chairs: 45 / 500 = 9%; a desk sold 20 below its list price
        # with no discount: (45 + 20) / 500 = 13% of the list prices
        order.order_line[0].product_uom_qty = 3
        self.assertAlmostEqual(order.sales_process_total_discount, 9.0)
        self.assertFalse(order.need_validation)
        order.order_line[1].price_unit = 180.0
        self.assertEqual(order.sales_process_max_line_discount, 15.0)
        self.assertAlmostEqual(order.sales_process_total_discount, 13.0)
        self.assertTrue(order.need_validation)
        # a line sold far below its list price is a line discount too
        order.order_line[1].price_unit = 150.0
        self.assertEqual(order.sales_process_max_line_discount, 25.0)

    def test_price_change_after_approval_asks_again(self):
        order = self._quotation((self.chair, 1, 12.0), (self.desk, 1, 0.0))
        order.request_validation()
        order.with_user(self.director).validate_tier()
        self.assertEqual(order.validation_status, "validated")
        # what does not touch the prices keeps the approval
        order.write({"note": "<p>Delivery in two weeks</p>"})
        order.order_line[1].name = "Standing desk, oak"
        self.assertEqual(order.validation_status, "validated")

        for change in (
            lambda: order.order_line[0].write({"discount": 14.0}),
            lambda: order.order_line[1].write({"price_unit": 150.0}),
            lambda: order.order_line[0].write({"product_uom_qty": 5}),
            lambda: order.write(
                {"order_line": [Command.create({"product_id": self.chair.id})]}
            ),
            lambda: order.order_line[-1].unlink(),
        ):
            change()
            self.assertFalse(order.review_ids)
            self.assertTrue(order.need_validation)
            with self.assertRaisesRegex(UserError, "needs an approval"):
                order.action_confirm()
            order.request_validation()
            order.with_user(self.director).validate_tier()
            self.assertEqual(order.validation_status, "validated")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_an_approved_quotation_is_sent_then_confirmed(self):
        order = self._quotation((self.chair, 1, 12.0))
        order.request_validation()
        order.with_user(self.director).validate_tier()
        action = order.action_quotation_send()
        self.assertEqual(action["res_model"], "mail.compose.message")
        # what the composer does when the email goes
        order.with_context(mark_so_as_sent=True).message_post(body="Your quotation")
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.validation_status, "validated")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_rep_edits_the_discount_in_the_form(self):
        # the Discounts setting shows the discount column
        self.rep_east.group_ids += self.env.ref("sale.group_discount_per_so_line")
        order = self._quotation((self.chair, 1, 12.0))
        order.request_validation()
        order.with_user(self.director).validate_tier()
        with Form(order.with_user(self.rep_east)) as form:
            self.assertEqual(form.validation_status, "validated")
            with form.order_line.edit(0) as line:
                line.discount = 20.0
        self.assertEqual(order.sales_process_max_line_discount, 20.0)
        self.assertFalse(order.review_ids)
        self.assertTrue(order.need_validation)
        self.assertEqual(order.sales_process_approver_ids, self.director)

    def test_one_validation_banner_and_one_set_of_buttons(self):
        """sale_tier_validation's banner and buttons, not a second set."""
        arch = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.rep_east)
            .get_view(view_type="form")["arch"]
        )
        for button in (
            "request_validation",
            "restart_validation",
            "validate_tier",
            "reject_tier",
        ):
            self.assertEqual(len(arch.xpath(f"//button[@name='{button}']")), 1, button)
        self.assertEqual(
            len(arch.xpath("//field[@name='review_ids'][@widget='tier_validation']")), 1
        )
        self.assertEqual(len(arch.xpath("//field[@name='to_validate_message']")), 1)

    def test_pending_approval_banner_and_primary_buttons(self):
        arch = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.rep_east)
            .get_view(view_type="form")["arch"]
        )
        (send,) = arch.xpath("//button[@id='quotation_send_primary']")
        (request,) = arch.xpath("//button[@name='request_validation']")
        self.assertIn("btn-primary", request.get("class"))

        def send_is_primary(order):
            return not safe_eval(
                send.get("invisible"),
                {name: order[name] for name in ("state", "need_validation")}
                | {"validation_status": order.validation_status, "invoice_count": 0},
            )

        plain = self._quotation((self.chair, 1, 0.0))
        self.assertTrue(send_is_primary(plain))
        order = self._quotation((self.chair, 1, 12.0))
        self.assertFalse(send_is_primary(order), "Request Validation is")
        order.request_validation()
        self.assertFalse(send_is_primary(order), "waiting for the team leader")
        self.assertEqual(
            order.with_user(self.rep_east).sales_process_pending_reviewer_ids,
            self.director,
        )
        order.with_user(self.director).validate_tier()
        self.assertFalse(order.sales_process_pending_reviewer_ids)
        self.assertTrue(send_is_primary(order))

    def test_quotations_without_discount_are_untouched(self):
        order = self._quotation((self.chair, 1, 0.0), (self.desk, 2, 0.0))
        self.assertFalse(order.need_validation)
        order.with_user(self.rep_east).action_quotation_sent()
        order.with_user(self.rep_east).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.review_ids)

    def test_portal_user_signature_confirms_an_approved_quotation(self):
        portal = new_test_user(
            self.env, login="spa_portal_buyer", groups="base.group_portal"
        )
        order = self._quotation(
            (self.chair, 2, 12.0),
            require_signature=True,
            require_payment=False,
            partner_id=portal.partner_id.id,
        )
        order.request_validation()
        order.with_user(self.director).validate_tier()
        # what sale's accept route runs for a logged-in customer (the route
        # itself: TestDiscountPortalSignature, run with --odoo-http)
        order_sudo = order.with_user(portal).sudo()
        self.assertTrue(order_sudo._has_to_be_signed())
        order_sudo.write({"signed_by": portal.name, "signature": SIGNATURE})
        order_sudo._validate_order()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestDiscountThreshold(DiscountApprovalCommon):
    def test_percent_out_of_range_is_refused(self):
        Threshold = self.env["sales.process.discount.threshold"].with_user(
            self.process_admin
        )
        for percent in (-5.0, 0.0, 100.5, 150.0):
            with self.assertRaisesRegex(
                ValidationError, "must be above 0% and at most 100%"
            ):
                Threshold.create(
                    {
                        "name": "Wrong",
                        "percent": percent,
                        "reviewer_type": "team_leader",
                    }
                )
        with self.assertRaisesRegex(ValidationError, "at most 100%"):
            self.threshold_leader.with_user(self.process_admin).percent = 101
        self.assertTrue(
            Threshold.create(
                {"name": "All", "percent": 100, "reviewer_type": "team_leader"}
            )
        )

    def test_threshold_form(self):
        with Form(
            self.env["sales.process.discount.threshold"].with_user(self.process_admin)
        ) as form:
            form.name = "Above 40%: finance"
            form.percent = 40
            form.reviewer_type = "group"
            form.reviewer_group_id = self.env.ref("account.group_account_manager")
        threshold = form.record
        definition = threshold.definition_id
        self.assertEqual(definition.model, "sale.order")
        self.assertEqual(definition.review_type, "group")
        self.assertTrue(definition.exclude_requester)

    def test_tier_definition_follows_its_threshold(self):
        definition = self.threshold_leader.definition_id.sudo()
        self.assertEqual(definition.review_type, "field")
        self.assertEqual(
            definition.reviewer_field_id.name, "sales_process_approver_ids"
        )
        self.assertIn("sales_process_total_discount", definition.definition_domain)
        threshold = self.threshold_leader.with_user(self.process_admin)
        threshold.write({"percent": 15, "scope": "line"})
        self.assertEqual(
            definition.definition_domain,
            "[('sales_process_max_line_discount', '>', 15.0)]",
        )
        self.assertGreater(
            definition.sequence, self.threshold_director.definition_id.sequence
        )
        threshold.action_archive()
        self.assertFalse(definition.active)
        order = self._quotation((self.chair, 1, 20.0))
        self.assertFalse(order.need_validation)
        threshold.unlink()
        self.assertFalse(definition.exists())

    def test_thresholds_apply_to_their_company(self):
        other = self.env["res.company"].create({"name": "Spa Shanghai"})
        self.env["sales.process.discount.threshold"].create(
            {
                "name": "Shanghai: above 5%",
                "percent": 5,
                "reviewer_type": "team_leader",
                "company_id": other.id,
            }
        )
        order = self._quotation((self.chair, 1, 8.0))
        self.assertFalse(order.need_validation)
        self.assertFalse(
            self.env["sales.process.discount.threshold"]
            .with_user(self.process_admin)
            .search([("company_id", "=", other.id)])
        )

    def test_only_administrators_configure_thresholds(self):
        with self.assertRaises(AccessError):
            self.env["sales.process.discount.threshold"].with_user(
                self.director
            ).create({"name": "Mine", "percent": 5, "reviewer_type": "team_leader"})
        with self.assertRaises(AccessError):
            self.threshold_leader.with_user(self.rep_east).percent = 50


@tagged("post_install", "-at_install")
class TestDiscountPortalSignature(DiscountApprovalCommon, HttpCase):
    """The customer signs through sale's portal route, with the link emailed."""

    def test_customer_signs_an_approved_quotation_online(self):
        order = self._quotation(
            (self.chair, 2, 12.0), require_signature=True, require_payment=False
        )
        # not approved: the customer cannot sign, and is told so
        result = sign_online(self, order)
        self.assertIn("error", result)
        self.assertFalse(order.signature)
        self.assertEqual(order.state, "draft")

        order.request_validation()
        order.with_user(self.director).validate_tier()
        order.with_context(mark_so_as_sent=True).message_post(body="Your quotation")
        result = sign_online(self, order)
        self.assertNotIn("error", result)
        self.assertIn("sign_ok", result["redirect_url"])
        self.assertEqual(order.signed_by, "Li Wei")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.validation_status, "validated")
