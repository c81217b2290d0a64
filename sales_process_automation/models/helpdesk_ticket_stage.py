# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    def write(self, vals):
        if "name" in vals:
            # the hand-off labels of the process steps are cached
            self.env.registry.clear_cache()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sales_process_history(self):
        """Stages with history rows or stage SLA policies stay: deleting them
        would blank the rows' stage and leave the policies without one."""
        used = self.env["sales.process.stage.history"]._stages_in_use(
            "ticket_stage_id", "pause_ticket_stage_ids", self
        )
        if used:
            raise UserError(
                self.env._(
                    "%(stages)s cannot be deleted: the stage history or stage SLA "
                    "policies refer to them. Archive the stage instead.",
                    stages=", ".join(used.mapped("name")),
                )
            )
