# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessAssignmentMember(models.Model):
    """A rep an assignment rule assigns to, with their share and capacity."""

    _name = "sales.process.assignment.member"
    _description = "Assignment Rule Rep"
    _order = "rule_id, sequence, id"

    rule_id = fields.Many2one(
        "sales.process.assignment.rule",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one(
        "res.users",
        string="Rep",
        required=True,
        domain=[("share", "=", False)],
        ondelete="cascade",
    )
    weight = fields.Integer(
        aggregator=None,
        default=1,
        help="Share of the records: a rep of weight 2 gets twice as many as a rep "
        "of weight 1 (weighted method).",
    )
    max_open = fields.Integer(
        aggregator=None,
        string="Capacity",
        help="Most open records the rep may own; 0 means no limit.",
    )
    assigned_count = fields.Integer(
        string="Assigned",
        compute="_compute_assigned_count",
        help="Records the rule assigned to the rep: it keeps the turns fair "
        "between runs.",
    )
    turn_ids = fields.One2many("sales.process.assignment.turn", "member_id")

    _user_uniq = models.Constraint(
        "UNIQUE(rule_id, user_id)", "A rep appears once in a rule."
    )

    @api.depends("turn_ids.count")
    def _compute_assigned_count(self):
        # sudo: the turns are the rule's bookkeeping, shown to whoever reads it
        counts = self.env["sales.process.assignment.turn"].sudo()._counts(self)
        for member in self:
            member.assigned_count = counts.get(member.id, 0)

    @api.constrains("weight", "max_open")
    def _check_weight(self):
        for member in self:
            if member.weight < 1:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the weight of %(user)s must be at least 1.",
                        rule=member.rule_id.name,
                        user=member.user_id.name,
                    )
                )
            if member.max_open < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the capacity of %(user)s cannot be negative.",
                        rule=member.rule_id.name,
                        user=member.user_id.name,
                    )
                )
