# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import models


class SalesProcessAdminAlertMixin(models.AbstractModel):
    """Configuration records that tell the process administrators when the
    automation cannot apply them (a failing action, an invalid condition)."""

    _name = "sales.process.admin.alert.mixin"
    _description = "Sales Process Administrator Alerts"
    _inherit = ["mail.thread"]

    def _sales_process_alert_admins(self, message):
        """Post ``message`` on the record's chatter, sent to the administrators."""
        admins = self.env.ref("sales_process_automation.group_admin").all_user_ids
        for record in self:
            # sudo: the automation reports a problem of the configuration, whoever
            # ran into it (a rep creating a lead, the scheduler)
            record.sudo().message_post(
                body=Markup("<p>%s</p>") % message,
                partner_ids=admins.filtered("active").partner_id.ids,
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
