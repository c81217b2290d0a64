# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sales_process_feedback_count = fields.Integer(
        string="Feedback Survey Count",
        compute="_compute_sales_process_feedback_count",
        groups="sales_process_automation.group_user",
    )

    def _compute_sales_process_feedback_count(self):
        counts = dict(
            self.env["sales.process.feedback.request"]._read_group(
                [("partner_id", "in", self.ids), ("state", "=", "invite")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.sales_process_feedback_count = counts.get(partner, 0)

    def action_sales_process_view_feedback(self):
        self.ensure_one()
        return self.env["sales.process.feedback.request"]._action_open(
            [("partner_id", "=", self.id), ("state", "=", "invite")]
        )
