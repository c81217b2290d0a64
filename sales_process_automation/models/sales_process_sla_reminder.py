# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .sales_process_sla_policy import DURATION_UNITS


class SalesProcessSlaReminder(models.Model):
    _name = "sales.process.sla.reminder"
    _description = "Stage SLA Reminder"
    # the policies' plans are cached (sales.process.sla.policy)
    _inherit = ["sales.process.cached.config.mixin"]
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "sales.process.sla.policy", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    anchor = fields.Selection(
        [
            ("entry", "After Stage Entry"),
            ("before_deadline", "Before the Deadline"),
            ("after_deadline", "After the Deadline"),
        ],
        string="When",
        required=True,
        default="entry",
    )
    delay = fields.Float(required=True, default=1.0, aggregator=None)
    delay_unit = fields.Selection(DURATION_UNITS, required=True, default="days")
    notify_owner = fields.Boolean(string="Owner", default=True)
    notify_team_leader = fields.Boolean(string="Team Leader")
    user_ids = fields.Many2many(
        "res.users", string="Users", domain=[("share", "=", False)]
    )
    group_ids = fields.Many2many("res.groups", string="Groups")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "sales.process.stage.history")],
        default=lambda self: self.env.ref(
            "sales_process_automation.mail_template_sla_reminder",
            raise_if_not_found=False,
        ),
        help="Email sent with the reminder; none sends no email, the activity stays.",
    )

    @api.constrains("anchor", "delay", "delay_unit", "policy_id")
    def _check_delay(self):
        calendar = self.env.company.resource_calendar_id
        for reminder in self:
            policy = reminder.policy_id
            duration = policy._duration_hours(calendar)
            delay = reminder._delay_hours(calendar)
            if delay < 0:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: a reminder delay cannot be negative.",
                        policy=policy.name,
                    )
                )
            if reminder.anchor != "after_deadline" and delay >= duration:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: a reminder %(delay)s %(unit)s %(when)s "
                        "falls outside the %(duration)s %(duration_unit)s the stage "
                        "may last. Remind after the deadline instead, or shorten "
                        "the delay.",
                        policy=policy.name,
                        delay=reminder.delay,
                        unit=dict(DURATION_UNITS)[reminder.delay_unit].lower(),
                        when=dict(
                            self._fields["anchor"]._description_selection(self.env)
                        )[reminder.anchor].lower(),
                        duration=policy.duration,
                        duration_unit=dict(DURATION_UNITS)[
                            policy.duration_unit
                        ].lower(),
                    )
                )

    def _delay_hours(self, calendar):
        self.ensure_one()
        if self.delay_unit == "hours":
            return self.delay
        return self.delay * (calendar.hours_per_day if calendar else 24.0)

    def _due_hours(self, duration_hours, calendar):
        """Working hours after stage entry at which the reminder is due."""
        delay = self._delay_hours(calendar)
        return {
            "entry": delay,
            "before_deadline": duration_hours - delay,
            "after_deadline": duration_hours + delay,
        }[self.anchor]

    def _recipients(self, record, _row=None):
        """Users to remind about ``record``."""
        self.ensure_one()
        users = self.user_ids | self.group_ids.all_user_ids
        if self.notify_owner:
            users |= record.user_id
        if self.notify_team_leader:
            users |= record.team_id.user_id
        return users.filtered(lambda user: user.active and not user.share)

    def _cc_recipients(self, record, _row=None):
        """Users copied on the reminder email about ``record``: the team leader
        when the notification policy says so."""
        company = record.company_id or self.env.company
        if not company._sales_process_notification_policy(record.team_id)[
            "reminder_cc_leader"
        ]:
            return self.env["res.users"]
        return record.team_id.user_id.filtered(
            lambda user: user.active and not user.share
        )
