# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.cron_cursor import job_batch_size, process_in_batches


class SalesProcessAssignmentJobsMixin(models.AbstractModel):
    """The scheduled jobs of the assignment rules: the queued records, the
    backlog of unassigned ones, and the first-contact sweep, each in batches
    committed one by one. Inherited by the assignment rules.
    """

    _name = "sales.process.assignment.jobs.mixin"
    _description = "Assignment Rule Jobs"

    @api.model
    def _cron_assign_backlog(self):
        """Assign the unassigned open records, in batches committed one by one."""
        batch_size = job_batch_size(self.env, "assignment")
        for res_model, _label in self._fields["res_model"].selection:
            if not self.search_count([("res_model", "=", res_model)], limit=1):
                continue
            Model = self.env[res_model]
            domain = Domain([("user_id", "=", False), *Model._assignment_open_domain()])
            if not process_in_batches(
                Model,
                domain,
                f"assign_backlog.{res_model}",
                batch_size,
                lambda records: records._assignment_apply(),
            ):
                return  # out of time: the next call goes on from the bookmark

    @api.model
    def _cron_assign_queued(self):
        """Run the rules on the records users saved and left to this job
        (``_assignment_on_create``), in batches committed one by one; the
        hourly backlog job retries the records left waiting."""
        batch_size = job_batch_size(self.env, "assignment")
        Queue = self.env["sales.process.assignment.queue"]
        while entries := Queue.search([], limit=batch_size).try_lock_for_update():
            entries._run()
            entries.unlink()
            if not self.env["ir.cron"]._commit_progress(
                len(entries), remaining=Queue.search_count([])
            ):
                return  # out of time: the scheduler runs the job again soon

    @api.model
    def _cron_first_contact_sweep(self):
        """Escalate the records nobody contacted in time, in batches.

        A record is escalated once: the flag is written with the escalation,
        in the same transaction, and records locked by another run are left
        to it.
        """
        batch_size = job_batch_size(self.env, "assignment")
        now = fields.Datetime.now()
        for res_model, _label in self._fields["res_model"].selection:
            Model = self.env[res_model]
            domain = [
                ("sales_process_first_contact_deadline", "<=", now),
                ("sales_process_first_contact_date", "=", False),
                ("sales_process_first_contact_escalated", "=", False),
            ]
            while records := Model.search(
                domain,
                limit=batch_size,
                order="sales_process_first_contact_deadline, id",
            ).try_lock_for_update():
                contacted = records._first_contact_dates()
                for record_id, date in contacted.items():
                    records.browse(record_id).sales_process_first_contact_date = date
                late = records - records.browse(list(contacted))
                for rule, rule_records in late.grouped(
                    "sales_process_assignment_rule_id"
                ).items():
                    if rule:
                        rule._escalate_no_contact(rule_records)
                    else:  # the rule was deleted: nobody to escalate to
                        rule_records.sales_process_first_contact_escalated = True
                if not self.env["ir.cron"]._commit_progress(
                    len(records), remaining=Model.search_count(domain)
                ):
                    return  # out of time: the scheduler runs the job again soon
