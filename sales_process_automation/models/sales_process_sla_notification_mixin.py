# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import format_datetime


class SalesProcessSlaNotificationMixin(models.AbstractModel):
    """What the SLA of a stage row tells people: activities and emails in
    each recipient's language, the next step in words, the actions on breach;
    and the removal of its activities once their reason ends.
    """

    _name = "sales.process.sla.notification.mixin"
    _description = "SLA Notifications of Stage Rows"

    def _sla_notify_and_act(self, reminded, breached):
        """The reminders and escalations of the rows, and the actions on breach.

        The team leaders of a breached record's team get no activity per
        breach (only the email their policy asks for): the daily digest lists
        the breaches of their teams.
        """
        for reminder, rows in reminded.items():
            rows._sla_notify(
                reminder._recipients,
                reminder.mail_template_id,
                lambda row, user: self.with_context(lang=user.lang).env._(
                    "SLA reminder: %(policy)s", policy=row.sla_policy_id.name
                ),
                cc_of=reminder._cc_recipients,
            )
        if breached:
            breached._sla_notify(
                lambda document, row: row.sla_policy_id._escalation_recipients(
                    document
                ),
                self.env.ref(
                    "sales_process_automation.mail_template_sla_breach",
                    raise_if_not_found=False,
                ),
                lambda row, user: self.with_context(lang=user.lang).env._(
                    "SLA breached: %(policy)s", policy=row.sla_policy_id.name
                ),
                mail_only_of=lambda document, row: (
                    row._sla_digest_recipients() - document.user_id
                ),
            )
        for policy, rows in breached.grouped("sla_policy_id").items():
            if policy.breach_action_id:
                documents = self.env[policy.res_model].browse(
                    rows.mapped(lambda row: row._document().id)
                )
                policy.breach_action_id.with_context(
                    active_model=documents._name,
                    active_ids=documents.ids,
                    active_id=documents[:1].id,
                ).run()

    def _sla_digest_recipients(self):
        """The managers whose daily digest lists the row (its teams' leaders)."""
        self.ensure_one()
        return self.team_id.user_id | self.helpdesk_team_id.user_id

    def _sla_notify(
        self, recipients_of, template, summary_of, cc_of=None, mail_only_of=None
    ):
        """An activity for each recipient of each row's record, and one email.

        Activities and emails speak the language of their recipient: a row whose
        recipients speak two languages sends one email in each. Each activity
        is linked to its row: it is removed when the reason ends
        (``_sla_close_activities``). The recipients
        ``mail_only_of(document, row)`` get the email but no activity; the users
        of ``cc_of(document, row)`` are copied on the email.
        """
        todo = self.env.ref("mail.mail_activity_data_todo")
        now = fields.Datetime.now()
        activity_vals = []
        # {lang: {row id: "partner ids"}}: one email per row and language
        partners_by_lang = defaultdict(dict)
        for row in self:
            document = row._document()
            users = recipients_of(document, row)
            copied = cc_of(document, row) if cc_of else users.browse()
            for lang, partners in (
                (users | copied)
                .partner_id.grouped(lambda partner: partner.lang or "")
                .items()
            ):
                partners_by_lang[lang][row.id] = ",".join(map(str, partners.ids))
            planned = users - mail_only_of(document, row) if mail_only_of else users
            activity_vals += [
                {
                    "res_model_id": self.env["ir.model"]._get_id(document._name),
                    "res_id": document.id,
                    "activity_type_id": todo.id,
                    "user_id": user.id,
                    "summary": summary_of(row, user),
                    "note": row.with_context(lang=user.lang)._sla_next_step(now),
                    "date_deadline": fields.Date.context_today(self),
                    "sales_process_stage_history_id": row.id,
                }
                for user in planned
            ]
        # the email below tells the recipients: no second "assigned to you" email
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            activity_vals
        )
        if not template:
            return
        for lang, partners_by_row in partners_by_lang.items():
            # each recipient reads the email in their language: the template is
            # rendered once per language of the recipients, overriding its own
            # lang (the owner's), as Odoo's preview in a language does
            template.with_context(
                sla_partner_ids=partners_by_row, template_preview_lang=lang or None
            ).send_mail_batch(list(partners_by_row))

    def _sla_next_step(self, now):
        """What to do about the row's record, with its deadline in words."""
        self.ensure_one()
        document = self._document()
        stage = (
            self.crm_stage_id.name
            or self.ticket_stage_id.name
            or dict(self._fields["order_state"]._description_selection(self.env)).get(
                self.order_state, ""
            )
        )
        overdue = self.date_deadline <= now
        start, stop = sorted((self.date_deadline, now))
        hours = self._working_hours([(self.resource_calendar_id.id, start, stop)])[0]
        values = {
            "record": document.display_name,
            "time": self._sla_time_in_words(hours),
            "stage": stage,
            "deadline": self._sla_format_deadline(),
        }
        if overdue:
            return self.env._(
                "%(record)s is %(time)s overdue in %(stage)s (deadline "
                "%(deadline)s): move it to its next stage, or ask for more time "
                "by marking it complex.",
                **values,
            )
        return self.env._(
            "%(record)s has %(time)s left in %(stage)s (deadline %(deadline)s): "
            "move it to its next stage before then.",
            **values,
        )

    def _sla_format_deadline(self):
        self.ensure_one()
        return format_datetime(
            self.env,
            self.date_deadline,
            tz=self.resource_calendar_id.tz or self.user_id.tz,
            dt_format="short",
        )

    def _sla_time_in_words(self, hours):
        """Working time in words: "2 working days", "3 working hours"."""
        self.ensure_one()
        per_day = self.resource_calendar_id.hours_per_day or 24.0
        days = round(hours / per_day, 1)
        if days > 1:
            return self.env._("%(days)s working days", days=f"{days:g}")
        if days == 1:
            return self.env._("1 working day")
        if round(hours) > 1:
            return self.env._("%(hours)s working hours", hours=round(hours))
        if round(hours) == 1:
            return self.env._("1 working hour")
        return self.env._("less than a working hour")

    def _sla_close_activities(self, users=None):
        """Remove the SLA activities of the rows whose reason ended, of
        ``users`` only if given."""
        domain = Domain("sales_process_stage_history_id", "in", self.ids)
        if users is not None:
            domain &= Domain("user_id", "in", users.ids)
        # sudo: the activities are the module's, assigned to other users
        self.env["mail.activity"].sudo().search(domain).unlink()
