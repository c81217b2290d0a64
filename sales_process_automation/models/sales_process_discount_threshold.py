# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class SalesProcessDiscountThreshold(models.Model):
    """A discount above which a quotation needs someone's approval.

    Each threshold keeps one tier definition of base_tier_validation in sync:
    the engine builds the reviews, orders them, notifies and reminds the
    reviewers and records their comments.
    """

    _name = "sales.process.discount.threshold"
    _description = "Discount Approval Threshold"
    _order = "company_id, percent, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    percent = fields.Float(
        string="Discount Above (%)",
        required=True,
        digits=(5, 2),
        help="Quotations whose discount is strictly above this percentage need "
        "the approval. Thresholds are approved from the lowest to the highest.",
    )
    scope = fields.Selection(
        [
            ("line", "Any line"),
            ("total", "Whole quotation"),
            ("both", "Any line or whole quotation"),
        ],
        string="Discount On",
        required=True,
        default="both",
        help="Line: the highest discount of a line, against the product's list "
        "price. Whole quotation: the untaxed total against the list prices of "
        "all its lines.",
    )
    reviewer_type = fields.Selection(
        [
            ("team_leader", "Team leader of the quotation"),
            ("user", "Specific user"),
            ("group", "Any user of a group"),
        ],
        string="Approved By",
        required=True,
        default="team_leader",
        help="Team leader: the leader of the quotation's sales team, or the sales "
        "process managers when the team has no leader or the leader sells it.",
    )
    reviewer_id = fields.Many2one("res.users", string="Reviewer")
    reviewer_group_id = fields.Many2one(
        "res.groups",
        string="Reviewer Group",
        help="Its direct members review: the tier engine leaves out the users "
        "who get the group through another one (a Sales Administrator is not a "
        "member of Sales / User for it).",
    )
    approve_sequence = fields.Boolean(
        string="Approve in Order",
        default=True,
        help="Wait for the lower thresholds to be approved before asking this "
        "reviewer. Without it every reviewer is asked at once.",
    )
    has_comment = fields.Boolean(
        string="Ask for a Comment",
        help="The reviewer writes a comment when approving or rejecting.",
    )
    notify_reminder_delay = fields.Integer(
        string="Remind After (Days)",
        help="Remind the reviewer when the approval waits longer than this (0: never).",
    )
    definition_id = fields.Many2one(
        "tier.definition", string="Tier Definition", readonly=True, copy=False
    )

    @api.constrains("percent")
    def _check_percent(self):
        for threshold in self:
            if not 0 < threshold.percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The discount of threshold %(name)s must be above 0%% "
                        "and at most 100%%, not %(percent)s%%.",
                        name=threshold.name,
                        percent=threshold.percent,
                    )
                )

    @api.constrains("reviewer_type", "reviewer_id", "reviewer_group_id")
    def _check_reviewer(self):
        for threshold in self:
            if threshold.reviewer_type == "user" and not threshold.reviewer_id:
                raise ValidationError(
                    self.env._("Threshold %s needs a reviewer.", threshold.name)
                )
            if threshold.reviewer_type == "group" and not threshold.reviewer_group_id:
                raise ValidationError(
                    self.env._("Threshold %s needs a reviewer group.", threshold.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # each threshold makes its own definition below
            vals.pop("definition_id", None)
        thresholds = super().create(vals_list)
        # sudo: tier definitions are technical settings only Settings managers
        # may write; each belongs to its threshold, which only Sales Process
        # administrators may change
        Definition = self.env["tier.definition"].sudo()
        for threshold in thresholds:
            threshold.sudo().definition_id = Definition.create(
                threshold._tier_definition_values()
            )
        return thresholds

    def write(self, vals):
        if "definition_id" in vals and not self.env.su:
            # the threshold writes and deletes its definition as superuser:
            # it must stay the one it made
            raise AccessError(
                self.env._(
                    "The tier definition of a discount threshold is its own: it "
                    "cannot be replaced."
                )
            )
        result = super().write(vals)
        for threshold in self:
            # sudo: see create
            threshold.definition_id.sudo().write(threshold._tier_definition_values())
        return result

    def unlink(self):
        # sudo: see create
        definitions = self.definition_id.sudo()
        result = super().unlink()
        definitions.unlink()
        return result

    def _tier_definition_values(self):
        self.ensure_one()
        line = ("sales_process_max_line_discount", ">", self.percent)
        total = ("sales_process_total_discount", ">", self.percent)
        domain = {"line": [line], "total": [total], "both": ["|", line, total]}
        values = {
            "name": self.name,
            "model_id": self.env["ir.model"]._get_id("sale.order"),
            "active": self.active,
            "company_id": self.company_id.id,
            "definition_domain": repr(domain[self.scope]),
            # the engine asks the highest sequence first: lowest percent first
            "sequence": 10000 - round(self.percent * 100),
            "approve_sequence": self.approve_sequence,
            "has_comment": self.has_comment,
            "notify_reminder_delay": self.notify_reminder_delay,
            "notify_on_pending": True,
            "exclude_requester": True,
            "reviewer_id": False,
            "reviewer_group_id": False,
            "reviewer_field_id": False,
        }
        if self.reviewer_type == "team_leader":
            values["review_type"] = "field"
            values["reviewer_field_id"] = (
                self.env["ir.model.fields"]
                ._get("sale.order", "sales_process_approver_ids")
                .id
            )
        elif self.reviewer_type == "user":
            values["review_type"] = "individual"
            values["reviewer_id"] = self.reviewer_id.id
        else:
            values["review_type"] = "group"
            values["reviewer_group_id"] = self.reviewer_group_id.id
        return values
