# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketTeam(models.Model):
    _name = "helpdesk.ticket.team"
    _inherit = ["helpdesk.ticket.team", "sales.process.admin.fields.mixin"]

    _sales_process_admin_fields = ("sales_process_resource_calendar_id",)

    sales_process_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Stage Working Hours",
        check_company=True,
        tracking=True,
        help="Working time of the team, used for time spent in stages and stage "
        "deadlines. The company's working hours apply when empty.",
    )

    @api.constrains("sales_process_resource_calendar_id")
    def _check_resource_calendar_id(self):
        for team in self:
            team.sales_process_resource_calendar_id._sales_process_check_working_time(
                team
            )

    def write(self, vals):
        result = super().write(vals)
        if "sales_process_resource_calendar_id" in vals:
            # the working hours of the team's tickets are cached
            self.env.registry.clear_cache()
        return result
