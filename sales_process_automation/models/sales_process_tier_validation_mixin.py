# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError


class SalesProcessTierValidationMixin(models.AbstractModel):
    """Tier validation whose reviews only the engine writes.

    OCA ``base_tier_validation`` lets every internal user write ``tier.review``;
    the reviews of the models inheriting this mixin are refused to direct writes
    (see ``tier.review``): the engine writes them as superuser, on behalf of the
    user who requests, validates or rejects (``env.user`` stays that user, so the
    engine's checks of who may review still apply). The requester and
    ``_sales_process_excluded_reviewers`` are never reviewers.

    A reviewer who holds consecutive tiers approves or rejects them in one
    decision. The comment of a decision goes to the document's chatter (the
    engine posts it only to notify the next reviewers, if it does).

    It also tells a user who may not review why nothing happens: the engine
    silently ignores an *Approve* or *Reject* click by a user who is not a
    reviewer of the current step; and it computes ``need_validation`` without
    dependencies, so that it stays stale in the transaction that requested the
    validation.
    """

    _name = "sales.process.tier.validation.mixin"
    _inherit = ["tier.validation"]
    _description = "Sales Process Approvals"

    @api.depends("review_ids")
    def _compute_need_validation(self):
        # the engine leaves it without dependencies: stale once reviews exist
        return super()._compute_need_validation()

    @api.model
    def _sales_process_company_managers(self, company):
        """The Sales Process managers, internal users, who work in ``company``
        (all of them without company): who approves when no leader does."""
        # sudo: who may approve is the module's decision, made whatever the
        # reader may read of the managers' companies (a leader of company A
        # opens a request while a manager also works in company B)
        managers = (
            self.env.ref("sales_process_automation.group_manager").sudo().all_user_ids
        )
        return managers.filtered(
            lambda user: not user.share and (not company or company in user.company_ids)
        )

    def _get_sequences_to_approve(self, user):
        # a reviewer who also holds the next tiers decides them at once: the
        # engine would ask them again, one tier after the other
        sequences = super()._get_sequences_to_approve(user)
        if not sequences:
            return sequences
        open_reviews = self.review_ids.filtered(
            lambda review: (
                review.status in ("waiting", "pending")
                and review.sequence > max(sequences)
            )
        )
        for sequence, reviews in sorted(open_reviews.grouped("sequence").items()):
            if not all(user in review.reviewer_ids for review in reviews):
                break
            sequences.append(sequence)
        return sequences

    def validate_tier(self):
        self._sales_process_check_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._sales_process_check_can_review()
        return super().reject_tier()

    def request_validation(self):
        self.check_access("read")
        # sudo: reviews are written by the engine only (tier.review); the
        # requester stays env.user
        return super(SalesProcessTierValidationMixin, self.sudo()).request_validation()

    def restart_validation(self):
        self.check_access("write")
        # sudo: see request_validation
        return super(SalesProcessTierValidationMixin, self.sudo()).restart_validation()

    def _validate_tier(self, tiers=False):
        # sudo: see request_validation; the engine approves only the reviews
        # of which env.user is a reviewer
        records = self.sudo()
        tiers = tiers and records.review_ids & tiers
        open_reviews = records._sales_process_open_reviews(tiers)
        result = super(SalesProcessTierValidationMixin, records)._validate_tier(tiers)
        self._sales_process_post_comments(
            open_reviews.filtered(lambda review: review.status == "approved")
        )
        return result

    def _rejected_tier(self, tiers=False):
        # sudo: see _validate_tier
        records = self.sudo()
        tiers = tiers and records.review_ids & tiers
        open_reviews = records._sales_process_open_reviews(tiers)
        result = super(SalesProcessTierValidationMixin, records)._rejected_tier(tiers)
        self._sales_process_post_comments(
            open_reviews.filtered(lambda review: review.status == "rejected")
        )
        return result

    def _tier_validation_check_write_remove_reviews(self, vals):
        # sudo: a cancelled or reset record drops its reviews (see
        # request_validation)
        return super(
            SalesProcessTierValidationMixin, self.sudo()
        )._tier_validation_check_write_remove_reviews(vals)

    @api.model
    def _update_counter(self, review_counter):
        # sudo: promotes the reviews whose turn came (tier.review)
        return super(SalesProcessTierValidationMixin, self.sudo())._update_counter(
            review_counter
        )

    def _add_tier_validation_buttons(self, node, params):
        return self._sales_process_relabel_buttons(
            super()._add_tier_validation_buttons(node, params)
        )

    def _add_tier_validation_label(self, node, params):
        return self._sales_process_relabel_buttons(
            super()._add_tier_validation_label(node, params)
        )

    def _sales_process_relabel_buttons(self, new_node):
        """One verb on every request: Approve or Reject, as our own forms say.

        The engine inserts its buttons when it renders the form (they are in
        no stored view to inherit): they are renamed as they are inserted.
        """
        labels = {
            "request_validation": self.env._("Request Approval"),
            "restart_validation": self.env._("Restart Approval"),
            "validate_tier": self.env._("Approve"),
            "reject_tier": self.env._("Reject"),
        }
        for button in new_node.iter("button"):
            if button.get("name") in labels:
                button.set("string", labels[button.get("name")])
        return new_node

    def _sales_process_excluded_reviewers(self):
        """The users who never review the record, besides who requested it."""
        return self.env["res.users"]

    def _sales_process_forged_approvals(self):
        """The approved reviews that no allowed reviewer approved."""
        self.ensure_one()
        excluded = self._sales_process_excluded_reviewers()
        # sudo: who approved is checked whoever acts, a customer signing
        # included; it reveals nothing to them
        return self.sudo().review_ids.filtered(
            lambda review: (
                review.status == "approved"
                and (
                    not review.done_by
                    or review.done_by == review.requested_by
                    or review.done_by in excluded
                )
            )
        )

    def _sales_process_open_reviews(self, tiers):
        return (tiers or self.review_ids).filtered(
            lambda review: review.status in ("waiting", "pending")
        )

    def _sales_process_post_comments(self, reviews):
        """Post the comment of each review just decided, as its reviewer."""
        for review in reviews.filtered("comment"):
            body = (
                self.env._(
                    "%(tier)s approved: %(comment)s",
                    tier=review.name,
                    comment=review.comment,
                )
                if review.status == "approved"
                else self.env._(
                    "%(tier)s rejected: %(comment)s",
                    tier=review.name,
                    comment=review.comment,
                )
            )
            # sudo: a reviewer may decide on a document they cannot write to
            self.sudo().message_post(
                body=body,
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )

    def _sales_process_check_can_review(self):
        for record in self:
            if not record.can_review:
                raise UserError(
                    self.env._(
                        "You cannot review %(record)s: it waits for %(reviewers)s.",
                        record=record.display_name,
                        reviewers=", ".join(
                            record.review_ids.filtered(
                                lambda review: review.status == "pending"
                            ).mapped("todo_by")
                        )
                        or self.env._("nobody"),
                    )
                )
