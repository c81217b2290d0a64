# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import AccessError

MIXIN = "sales.process.tier.validation.mixin"


class TierReview(models.Model):
    _inherit = "tier.review"

    def _get_reviewers(self):
        reviewers = super()._get_reviewers()
        if self._sales_process_engine_only({self.model}):
            resource = self.env[self.model].browse(self.res_id)
            excluded = resource._sales_process_excluded_reviewers()
            reviewers -= self.requested_by | excluded
        return reviewers

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_process_check_engine_only({vals.get("model") for vals in vals_list})
        return super().create(vals_list)

    def write(self, vals):
        models_ = set(self.mapped("model")) | {vals.get("model")}
        if vals.keys() == {"comment"}:
            # the comment of a decision, by the reviewer (comment.wizard)
            if self.filtered(
                lambda review: (
                    review.status != "pending"
                    or self.env.user not in review.reviewer_ids
                )
            ):
                self._sales_process_check_engine_only(models_)
        else:
            self._sales_process_check_engine_only(models_)
        return super().write(vals)

    def unlink(self):
        self._sales_process_check_engine_only(set(self.mapped("model")))
        return super().unlink()

    def _update_review_status(self):
        # sudo: promotes the waiting reviews whose turn came, by the engine's
        # rule; the reviewer's systray calls it
        return super(TierReview, self.sudo())._update_review_status()

    @api.model
    def _sales_process_engine_only(self, model_names):
        """Whether reviews of ``model_names`` change only through their engine."""
        return any(
            name in self.env and isinstance(self.env[name], self.pool[MIXIN])
            for name in model_names
            if name
        )

    @api.model
    def _sales_process_check_engine_only(self, model_names):
        if not self.env.su and self._sales_process_engine_only(model_names):
            raise AccessError(
                self.env._(
                    "Approvals change only when a reviewer validates or rejects "
                    "them: they cannot be created, edited or deleted directly."
                )
            )
