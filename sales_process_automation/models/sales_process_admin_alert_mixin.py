# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import fields, models


class SalesProcessAdminAlertMixin(models.AbstractModel):
    """Configuration records that tell the process administrators when the
    automation cannot apply them (a failing action, an invalid condition).

    Models with a stored condition implement ``_sales_process_stored_domain``.
    """

    _name = "sales.process.admin.alert.mixin"
    _description = "Sales Process Administrator Alerts"
    _inherit = ["mail.thread"]

    domain_error = fields.Char(
        string="Condition Error",
        readonly=True,
        copy=False,
        help="The condition stopped being valid (e.g. a field it reads was "
        "removed): the automation skips this record until the condition is fixed.",
    )

    def write(self, vals):
        if "domain" in vals:
            # a new condition is checked when saved
            vals = {**vals, "domain_error": False}
        return super().write(vals)

    def _sales_process_stored_domain(self):
        """The stored condition of the record, as a ``Domain``."""
        raise NotImplementedError

    def _sales_process_valid_domain(self, model):
        """The stored condition, or None when it is no longer valid on ``model``.

        An invalid condition is flagged on the record and the administrators
        are told once; the automation then skips the record instead of
        failing every document it meets.
        """
        self.ensure_one()
        try:
            domain = self._sales_process_stored_domain()
            domain.validate(model)
        except Exception as error:  # noqa: BLE001 - any invalid domain is flagged
            if not self.domain_error:
                # sudo: flagging the configuration is system work, whoever met it
                self.sudo().domain_error = str(error)
                self._sales_process_alert_admins(
                    self.env._(
                        "%(name)s is skipped: its condition %(domain)s is no longer "
                        "valid (%(error)s). Fix the condition.",
                        name=self.display_name,
                        domain=self.domain,
                        error=str(error),
                    )
                )
            return None
        return domain

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
