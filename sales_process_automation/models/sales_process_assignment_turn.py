# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class SalesProcessAssignmentTurn(models.Model):
    """Records a rule gave a rep in one run, or left waiting in the team: the
    log its turns are counted from, and the monthly rule review.

    Rows are only inserted, never updated: two transactions assigning by the
    same rule at once each add their own row, and neither waits for the other
    nor fails to serialize, as they did on a shared counter. A row without rep
    counts the records the run matched but left waiting (no rep available); a
    fixed rule's rows have a rep and no rule rep line.
    """

    _name = "sales.process.assignment.turn"
    _description = "Assignment Rule Turn"
    _log_access = False

    rule_id = fields.Many2one(
        "sales.process.assignment.rule",
        index="btree_not_null",
        ondelete="cascade",
        help="Empty on the turns kept from before the runs were logged.",
    )
    member_id = fields.Many2one(
        "sales.process.assignment.member",
        index=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Rep",
        ondelete="cascade",
        help="Empty: the records were left waiting.",
    )
    count = fields.Integer(required=True)
    date = fields.Datetime(
        help="When the rule ran; empty on the turns kept from before the runs "
        "were logged."
    )

    @api.model
    def _counts(self, members):
        """Records assigned to each of ``members``: ``{member id: count}``."""
        counts = dict.fromkeys(members.ids, 0)
        counts.update(
            {
                member.id: total
                for member, total in self._read_group(
                    [("member_id", "in", members.ids)], ["member_id"], ["count:sum"]
                )
            }
        )
        return counts
