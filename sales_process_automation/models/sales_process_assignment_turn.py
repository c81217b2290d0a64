# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class SalesProcessAssignmentTurn(models.Model):
    """Records a rule gave a rep in one run: the log its turns are counted from.

    Rows are only inserted, never updated: two transactions assigning by the
    same rule at once each add their own row, and neither waits for the other
    nor fails to serialize, as they did on a shared counter.
    """

    _name = "sales.process.assignment.turn"
    _description = "Assignment Rule Turn"
    _log_access = False

    member_id = fields.Many2one(
        "sales.process.assignment.member",
        required=True,
        index=True,
        ondelete="cascade",
    )
    count = fields.Integer(required=True)

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
