# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    sales_process_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Stage Working Hours",
        check_company=True,
        tracking=True,
        help="Working time of the team, used for time spent in stages and stage "
        "deadlines. The company's working hours apply when empty.",
    )
