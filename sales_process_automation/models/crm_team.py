# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "sales.process.admin.fields.mixin"]

    _sales_process_admin_fields = (
        "sales_process_resource_calendar_id",
        "sales_process_notification_override",
        "sales_process_breach_notify_managers",
        "sales_process_reminder_cc_leader",
        "sales_process_digest_user_ids",
    )

    sales_process_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Stage Working Hours",
        check_company=True,
        tracking=True,
        help="Working time of the team, used for time spent in stages and stage "
        "deadlines. The company's working hours apply when empty.",
    )

    sales_process_notification_override = fields.Boolean(
        string="Own Notification Policy",
        help="The team's SLA notification settings replace its company's.",
    )
    sales_process_breach_notify_managers = fields.Boolean(
        string="Mail Managers on Each Breach",
        help="Team leader and escalation users get an email and an activity for "
        "every breached stage. Off: the daily digest lists the breaches instead.",
    )
    sales_process_reminder_cc_leader = fields.Boolean(
        string="Copy the Team Leader on Reminders",
    )
    sales_process_digest_user_ids = fields.Many2many(
        "res.users",
        "sales_process_team_digest_user_rel",
        string="Digest Also To",
        domain=[("share", "=", False)],
        help="Users who get the daily SLA digest of the team besides its leader.",
    )

    @api.constrains("sales_process_resource_calendar_id")
    def _check_resource_calendar_id(self):
        for team in self:
            team.sales_process_resource_calendar_id._sales_process_check_working_time(team)
