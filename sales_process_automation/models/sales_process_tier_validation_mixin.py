# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError


class SalesProcessTierValidationMixin(models.AbstractModel):
    """Tier validation that tells a user who may not review why nothing happens.

    The engine silently ignores a *Validate* or *Reject* click by a user who
    is not a reviewer of the current step (a rep, the requester excluded by the
    four-eyes principle, a reviewer whose turn has not come); and it computes
    ``need_validation`` without dependencies, so that it stays stale in the
    transaction that requested the validation.
    """

    _name = "sales.process.tier.validation.mixin"
    _inherit = ["tier.validation"]
    _description = "Sales Process Approvals"

    @api.depends("review_ids")
    def _compute_need_validation(self):
        # the engine leaves it without dependencies: stale once reviews exist
        return super()._compute_need_validation()

    def validate_tier(self):
        self._sales_process_check_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._sales_process_check_can_review()
        return super().reject_tier()

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
