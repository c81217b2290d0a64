# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.cron_cursor import (
    job_batch_size,
    process_in_batches,
    trigger_job,
    write_cursor,
)
from ..tools.sla_sweep import sweep_steps

_logger = logging.getLogger(__name__)


class SalesProcessSlaSweepMixin(models.AbstractModel):
    """The SLA jobs of the stage rows: the sweep (due reminders, risks,
    breaches and escalations, logged as SLA events) and the recompute of the
    open rows when the policies change. A row that fails stops no other.
    """

    _name = "sales.process.sla.sweep.mixin"
    _description = "SLA Jobs of Stage Rows"

    @api.model
    def _cron_sla_sweep(self):
        """Send due reminders, flag risks and breaches, escalate: one batch a call.

        Every step is logged as an SLA event in the same transaction as what it
        does, and rows locked by another sweep are left to it: a sweep stopped
        half-way or run twice sends nothing twice and misses nothing.
        """
        now = fields.Datetime.now()
        domain = Domain.AND(
            [
                [("date_out", "=", False), ("sla_next_check", "<=", now)],
                self._sla_sweep_exclusion_domain(),
            ]
        )
        batch_size = job_batch_size(self.env, "sla")
        rows = self.search(
            domain, limit=batch_size, order="sla_next_check, id"
        ).try_lock_for_update()
        if not rows:
            return
        rows._sla_process(now)
        self.env["ir.cron"]._commit_progress(
            len(rows),
            remaining=self.search_count(domain) if len(rows) == batch_size else 0,
        )

    @api.model
    def _sla_sweep_exclusion_domain(self):
        """Rows the sweep leaves alone: those of opportunities whose complex
        request waits for its decision (no reminder, risk, breach or escalation
        until the manager has decided). Once the extension is approved, the
        sweep takes them again: no standard reminders (see ``_sla_process``),
        but a breach when the approved deadline passes.
        """
        return (
            Domain("lead_id", "=", False)
            | Domain("lead_id.sales_process_complex", "=", False)
            | Domain("lead_id.sales_process_extension_approved", "=", True)
        )

    def _sla_process(self, now):
        """Log, flag and notify the steps of the rows due at ``now``
        (``tools.sla_sweep.sweep_steps`` decides which)."""
        Event = self.env["sales.process.sla.event"]
        Reminder = self.env["sales.process.sla.reminder"]
        done = defaultdict(set)
        for event in Event.search_fetch(
            [("history_id", "in", self.ids)], ["history_id", "kind", "reminder_id"]
        ):
            done[event.history_id.id].add((event.kind, event.reminder_id.id))
        event_vals = []
        reminded = defaultdict(lambda: self.browse())
        at_risk, breached = self.browse(), self.browse()
        for row in self:
            schedule = self._sla_schedule(
                row.sla_policy_id,
                row.resource_calendar_id.id,
                row.date_in,
                row.date_deadline,
                row.date_at_risk,
                row.sla_consumed_hours,
            )
            steps, next_check = sweep_steps(
                [(moment, kind, reminder.id) for moment, kind, reminder in schedule],
                done[row.id],
                now,
                # an approved extension turns the standard reminders off
                quiet=row.sla_excluded or row.lead_id.sales_process_extension_approved,
                breached=row.sla_status == "breached",
            )
            for _moment, kind, reminder_id, skipped in steps:
                event_vals.append(
                    {
                        "history_id": row.id,
                        "kind": kind,
                        "reminder_id": reminder_id,
                        "date": now,
                        "skipped": skipped,
                    }
                )
                if skipped:
                    continue
                if kind == "reminder":
                    reminded[Reminder.browse(reminder_id)] |= row
                elif kind == "breach":
                    breached |= row
                else:
                    at_risk |= row
            row.sla_next_check = next_check or False
        events = Event.create(event_vals)
        (at_risk - breached).filtered(
            lambda row: row.sla_status == "on_track"
        ).sla_status = "at_risk"
        breached.sla_status = "breached"
        breached.filtered(
            lambda row: row.sla_policy_id.mark_abnormal
        ).state = "abnormal"
        failures = self._sla_isolate_failures(reminded, breached)
        if failures:
            self._sla_record_failures(
                failures, events.filtered(lambda event: not event.skipped)
            )

    def _sla_isolate_failures(self, reminded, breached):
        """Notify and run the breach actions; a row that fails stops no other.

        The batch runs in a savepoint; when it fails, each row runs again in
        its own savepoint. Returns the rows that still fail: ``{row: error}``.
        """
        try:
            with self.env.cr.savepoint():
                self._sla_notify_and_act(reminded, breached)
            return {}
        except Exception:  # noqa: BLE001 - the rows run again one by one
            _logger.info("SLA sweep: a batch failed, its rows run one by one")
        return self._sla_isolate_rows(reminded, breached)

    def _sla_isolate_rows(self, reminded, breached):
        """``_sla_notify_and_act`` row by row, each in its own savepoint."""
        failures = {}
        for row in self.browse().union(*reminded.values(), breached):
            try:
                with self.env.cr.savepoint():
                    row._sla_notify_and_act(
                        {
                            reminder: row
                            for reminder, rows in reminded.items()
                            if row in rows
                        },
                        breached & row,
                    )
            except Exception as error:
                _logger.exception(
                    "SLA sweep: the reminders or breach actions of %s (%s) failed",
                    row._document().display_name,
                    row.sla_policy_id.name,
                )
                failures[row] = error
        return failures

    def _sla_record_failures(self, failures, events):
        """Mark the events of the failed rows, and tell the administrators
        once per policy."""
        by_policy = defaultdict(list)
        for row, error in failures.items():
            events.filtered(lambda event, row=row: event.history_id == row).write(
                {"failed": True, "error": str(error)}
            )
            by_policy[row.sla_policy_id].append((row, error))
        for policy, failed in by_policy.items():
            policy._sales_process_alert_admins(
                self.env._(
                    "The SLA sweep could not notify or run the action on breach "
                    "for %(records)s: %(error)s. The other records went on; fix "
                    "the policy, its templates or its action.",
                    records=", ".join(
                        row._document().display_name for row, _error in failed
                    ),
                    error=str(failed[0][1]),
                )
            )

    @api.model
    def _sla_recompute_open_rows(self, res_models):
        """Apply the current policies to the open rows of ``res_models``."""
        for res_model in res_models:
            last_id = 0
            while rows := self.search(
                [
                    ("res_model", "=", res_model),
                    ("date_out", "=", False),
                    ("id", ">", last_id),
                ],
                limit=1000,
                order="id",
            ):
                last_id = rows[-1].id
                rows._sla_reapply_policies()

    @api.model
    def _sla_recompute_schedule(self, res_models):
        """Have the job apply the current policies to the open rows of
        ``res_models``, from their first row."""
        pending = set(self._sla_recompute_pending()) | set(res_models)
        for res_model in res_models:
            write_cursor(self.env, f"sla_recompute.{res_model}", 0)
        # sudo: a technical setting of the job, whoever asks for it
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_process_automation.sla_recompute_models", ",".join(sorted(pending))
        )
        trigger_job(self.env, "sales_process_automation.ir_cron_sla_recompute")

    @api.model
    def _sla_recompute_pending(self):
        # sudo: a technical setting of the job, whoever reads it
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sales_process_automation.sla_recompute_models", "")
        )
        return [res_model for res_model in value.split(",") if res_model]

    @api.model
    def _cron_sla_recompute_open_rows(self):
        """Apply the current policies to the open rows of the models asked for,
        a batch at a time, going on where the last call stopped."""
        batch_size = job_batch_size(self.env, "sla")
        pending = self._sla_recompute_pending()
        for res_model in list(pending):
            domain = Domain("res_model", "=", res_model) & Domain(
                "date_out", "=", False
            )
            if not process_in_batches(
                self,
                domain,
                f"sla_recompute.{res_model}",
                batch_size,
                lambda rows: rows._sla_reapply_policies(),
            ):
                return  # out of time: the next call goes on from the bookmark
            pending.remove(res_model)
            # sudo: a technical setting of the job
            self.env["ir.config_parameter"].sudo().set_param(
                "sales_process_automation.sla_recompute_models", ",".join(pending)
            )

    def _sla_reapply_policies(self):
        """Apply the current policies to these open rows of one model.

        A deadline moved ahead puts the stage back on track; a breach or risk
        already notified and still standing is kept, not notified again.
        """
        if not self:
            return
        records = self.env[self[0].res_model]
        link = records._stage_history_link
        stage_column = records._stage_history_stage_column
        policies = self.env["sales.process.sla.policy"]._match(
            self.mapped(link),
            [{stage_column: row._stage_value()} for row in self],
        )
        now = fields.Datetime.now()
        ended = self.browse()
        # sudo: the requests of the rows' records decide their deadlines, whoever
        # changes the policies
        approved_deadlines = {
            request.stage_history_id.id: request.requested_deadline
            for request in self.env["sales.process.complex.request"]
            .sudo()
            .search([("stage_history_id", "in", self.ids), ("state", "=", "approved")])
        }
        for row, policy in zip(self, policies, strict=True):
            values = self._sla_entry_values(
                policy,
                row.resource_calendar_id.id,
                row.date_in,
                row.sla_consumed_hours,
            )
            if policy and row.id in approved_deadlines:
                # a complex opportunity keeps the deadline its manager approved
                row.write(
                    {
                        **values,
                        **row._sla_approved_deadline_values(approved_deadlines[row.id]),
                    }
                )
                continue
            passed = row.sla_event_ids.filtered(lambda event: event.kind != "reminder")
            if not policy:
                # no SLA any more (lost, or no policy matches): nothing to do
                ended |= row
            elif values["date_deadline"] > now:
                # the new deadline is ahead: the stage is on track again
                passed.unlink()
                ended |= row
                if row.state == "abnormal":
                    values["state"] = "in_progress"
            elif passed:
                values["sla_status"] = (
                    "breached" if "breach" in passed.mapped("kind") else "at_risk"
                )
            row.write(values)
        ended._sla_close_activities()
