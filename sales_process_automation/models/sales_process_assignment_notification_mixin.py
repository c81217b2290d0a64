# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

from ..tools.cron_cursor import trigger_job


class SalesProcessAssignmentNotificationMixin(models.AbstractModel):
    """What an assignment tells people: the first-contact activity, the mail
    to the new assignees, the playbook of matching customers, and the
    escalation of records nobody contacted in time. Inherited by the
    assignment rules.
    """

    _name = "sales.process.assignment.notification.mixin"
    _description = "Assignment Rule Notifications"

    def _plan_first_contact(self, records, now):
        if not self.first_contact_hours or not records:
            return
        History = self.env["sales.process.stage.history"]
        by_deadline = defaultdict(list)
        for record in records:
            deadline = History._plan(
                record._working_calendar().id, now, self.first_contact_hours
            )
            by_deadline[deadline].append(record.id)
        for deadline, ids in by_deadline.items():
            records.browse(ids).write(
                {"sales_process_first_contact_deadline": deadline}
            )

    @api.model
    def _schedule_contact_activities(self, records):
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(records._name)
        today = fields.Date.context_today(self)
        # sudo: the assignee gets the activity even when the assigning user
        # (an importer, the mail gateway) may not schedule activities
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": todo.id,
                    "user_id": record.user_id.id,
                    "summary": self.with_context(lang=record.user_id.lang).env._(
                        "Contact the customer: new assignment"
                    ),
                    "date_deadline": record.sales_process_first_contact_deadline
                    and record.sales_process_first_contact_deadline.date()
                    or today,
                }
                for record in records
            ]
        )

    @api.model
    def _notify_assignees(self, records):
        """Tell each assignee once: Odoo's assignment message for one record,
        one message listing them for several, not one mail per record.

        The mails are queued, not sent before the record's creation returns:
        the mail queue's scheduled action sends them.
        """
        records = records.with_context(mail_notify_force_send=False)
        for user, user_records in records.grouped("user_id").items():
            if len(user_records) == 1:
                user_records._message_auto_subscribe_notify(
                    user.partner_id.ids, "mail.message_user_assigned"
                )
                continue
            links = Markup().join(
                Markup('<li><a href="%s">%s</a></li>')
                % (record._notify_get_action_link("view"), record.display_name)
                for record in user_records
            )
            # the assignee's language; queued, not sent in the request
            env = records.with_context(lang=user.lang).env
            model = env["ir.model"]._get(records._name).display_name
            # sudo: a notification without a document, which the assigning
            # user (an importer, the mail gateway) may not send themselves
            env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=env._(
                    "You have been assigned %(count)s records: %(model)s",
                    count=len(user_records),
                    model=model,
                ),
                body=self.env["mail.render.mixin"]._replace_local_links(
                    Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        env._(
                            "Dear %(name)s, these records are now yours:",
                            name=user.name,
                        ),
                        links,
                    )
                ),
                email_layout_xmlid="mail.mail_notification_light",
            )
        # the queue runs every hour: the assignees hear of it at the next
        # minute, in one run of the queue for all the assignments of the
        # minute (their triggers fall due together). A trigger of its own for
        # each assignment: one committed while the queue runs is still due.
        next_minute = fields.Datetime.now().replace(second=0, microsecond=0)
        trigger_job(
            self.env,
            "mail.ir_cron_mail_scheduler_action",
            next_minute + timedelta(minutes=1),
        )

    def _launch_playbook(self, records):
        """Start the rule's activity plan on the records, per assignee."""
        for user, user_records in records.grouped("user_id").items():
            self.env["mail.activity.schedule"].with_context(
                active_model=records._name, active_ids=user_records.ids
            ).create(
                {
                    "res_model": records._name,
                    "res_ids": str(user_records.ids),
                    "plan_id": self.activity_plan_id.id,
                    "plan_on_demand_user_id": user.id,
                }
            ).action_schedule_plan()

    def _escalate_no_contact(self, records):
        """Tell the managers, and give the records to the next rep if asked."""
        self.ensure_one()
        records.write({"sales_process_first_contact_escalated": True})
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(records._name)
        activities = []
        for record in records:
            managers = self.escalation_user_ids
            if self.escalate_to_team_leader:
                managers |= record.team_id.user_id
            activities += [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": todo.id,
                    "user_id": manager.id,
                    "summary": self.with_context(lang=manager.lang).env._(
                        "Not contacted in time"
                    ),
                    "note": self.with_context(lang=manager.lang).env._(
                        "%(user)s did not contact the customer within %(hours)s "
                        "working hours of the assignment.",
                        user=record.user_id.name,
                        hours=self.first_contact_hours,
                    ),
                }
                for manager in managers.filtered(lambda user: user.active)
            ]
        # sudo: escalations reach the managers whoever runs the sweep
        self.env["mail.activity"].sudo().create(activities)
        records.sudo()._message_log_batch(
            bodies={
                record.id: Markup("%s")
                % self.env._(
                    "Nobody contacted the customer within %(hours)s working hours "
                    "of the assignment to %(user)s: escalated.",
                    hours=self.first_contact_hours,
                    user=record.user_id.name,
                )
                for record in records
            }
        )
        if self.reassign_on_no_contact and self.method != "fixed":
            self._assign(
                records, excluded={record.id: record.user_id for record in records}
            )
