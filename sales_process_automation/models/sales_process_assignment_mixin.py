# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.cron_cursor import trigger_job_gathered

_logger = logging.getLogger(__name__)


class SalesProcessAssignmentMixin(models.AbstractModel):
    """Documents that assignment rules give to a team and a rep."""

    _name = "sales.process.assignment.mixin"
    _description = "Assignment by Rules"

    sales_process_assignment_rule_id = fields.Many2one(
        "sales.process.assignment.rule",
        string="Assigned by Rule",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="sales_process_automation.group_user",
    )
    sales_process_assignment_date = fields.Datetime(
        string="Assigned On",
        readonly=True,
        copy=False,
        groups="sales_process_automation.group_user",
    )
    sales_process_assignment_state = fields.Selection(
        [
            ("assigned", "Assigned to a Rep"),
            ("team_only", "Waiting in the Team"),
        ],
        readonly=True,
        copy=False,
        help="Waiting in the team: a rule matched but no rep was available.",
        groups="sales_process_automation.group_user",
    )
    sales_process_first_contact_deadline = fields.Datetime(
        string="Contact Before",
        readonly=True,
        copy=False,
        groups="sales_process_automation.group_user",
    )
    sales_process_first_contact_date = fields.Datetime(
        string="First Contact On",
        readonly=True,
        copy=False,
        groups="sales_process_automation.group_user",
    )
    sales_process_first_contact_escalated = fields.Boolean(
        string="Not Contacted in Time",
        readonly=True,
        copy=False,
        groups="sales_process_automation.group_user",
    )
    # the first-contact sweep reads the deadlines still waiting for a contact
    # only: past deadlines, contacted or escalated, leave the index
    _first_contact_pending_index = models.Index(
        "(sales_process_first_contact_deadline)"
        " WHERE sales_process_first_contact_deadline IS NOT NULL"
        " AND sales_process_first_contact_date IS NULL"
        " AND sales_process_first_contact_escalated IS NOT TRUE"
    )

    def _assignment_on_create(self):
        """Assign the records just created by the rules, and return them.

        Called by the models' ``create`` after mail.thread's: a rule may give a
        record to the user who creates it, whom mail.thread subscribes. A
        record created with its owner that a rule would have routed stays with
        its owner and says so in its chatter. Queries depend on the number of
        rules, not of records. The records of a user who may not read his
        colleagues' are queued for the job (``sales.process.assignment.queue``).
        """
        if self.env.context.get("sales_process_skip_assignment"):
            return self
        records = self.with_context(sales_process_assignment_on_create=True)
        if not self.env.su and not self._assignment_creator_sees_all():
            # the rules may give a record to a colleague, whose records this
            # user may not read, and the web client reads a record back once
            # saved; the note of a record kept by its owner can wait as well:
            # all go to the job, which takes those of a few seconds in one run
            # (a run per record costs the server more than the assignment)
            if self.env["sales.process.assignment.rule"]._model_has_rules(self._name):
                # sudo: the queue is the job's bookkeeping, whoever saves (a
                # customer's ticket from the portal)
                self.env["sales.process.assignment.queue"].sudo()._enqueue(self)
                trigger_job_gathered(
                    self.env,
                    "sales_process_automation.ir_cron_assign_queued",
                    "assignment_gather_seconds",
                    10,
                )
            return self
        matched = records.env["sales.process.assignment.rule"]._match(records)
        if not matched:
            return self
        kept = records._assignment_kept(matched)
        records._assignment_apply(matched)
        self._assignment_log_kept(kept)
        return self

    def _assignment_apply_queued(self):
        """What ``_assignment_on_create`` left to the job: the records without
        an owner assigned, those a rule reassigns reassigned, and the note of
        those kept by their owner logged. A record that fails stops no other.
        """
        try:
            with self.env.cr.savepoint():
                matched = self.env["sales.process.assignment.rule"]._match(self)
                self._assignment_log_kept(self._assignment_kept(matched))
        except Exception:  # logged; the records are assigned one by one
            _logger.exception(
                "Assignment job: the rules could not be matched on %s %s",
                self._name,
                self.ids,
            )
            matched = None  # each record matched again in its own savepoint
        if matched is None or matched:
            self._assignment_apply_isolated(matched)

    def _assignment_kept(self, matched):
        """``{record id: rule}`` of the records a rule matched (``matched``)
        that keep their owner: the rule does not reassign."""
        return {
            record.id: matched[record.id]
            for record in self
            if record.id in matched
            and record.user_id
            and not matched[record.id].reassign
        }

    def _assignment_apply_isolated(self, matched=None):
        """``_assignment_apply`` for a job: a record that fails stops no other.

        The records run in a savepoint; when it fails, each runs again in its
        own. A record that still fails stays unassigned, for the hourly
        backlog job, and the error is logged.
        """
        try:
            with self.env.cr.savepoint():
                self._assignment_apply(matched)
            return
        except Exception:  # noqa: BLE001 - the records run again one by one
            _logger.info("Assignment job: a batch failed, its records run one by one")
        for record in self:
            try:
                with self.env.cr.savepoint():
                    record._assignment_apply(matched)
            except Exception:  # logged, left for the backlog job
                _logger.exception(
                    "Assignment job: %s %s could not be assigned",
                    record._name,
                    record.id,
                )

    def _assignment_creator_sees_all(self):
        """Whether the current user reads the records of his colleagues."""
        raise NotImplementedError

    def _assignment_log_kept(self, kept):
        """Tell in the chatter of each record kept by its owner which rule
        would have routed it, and where, in the language of its creator: one
        message per record, created at once. ``kept`` maps record ids to
        their rule."""
        if not kept:
            return
        # sudo: the note explains the configuration, whatever the rights of
        # the creator (or of the job) on the chatter and on the users
        records = self.sudo().browse(list(kept))
        bodies = {}
        for lang, group in records.grouped(
            lambda record: record.create_uid.lang
        ).items():
            env = self.with_context(lang=lang).env
            for record in group:
                rule = kept[record.id].with_env(env)
                values = {
                    "user": record.user_id.name,
                    "rule": rule.name,
                    "target": rule._target_label(),
                }
                note = (
                    env._(
                        "Kept by its creator, %(user)s: the rule %(rule)s would give "
                        "it to %(target)s.",
                        **values,
                    )
                    if record.user_id == record.create_uid
                    else env._(
                        "Kept by %(user)s, chosen by its creator: the rule %(rule)s "
                        "would give it to %(target)s.",
                        **values,
                    )
                )
                bodies[record.id] = Markup("%s") % note
        records._message_log_batch(bodies=bodies)

    def _assignment_open_domain(self):
        """Domain of the records that count in a rep's open load."""
        raise NotImplementedError

    def _assignment_apply(self, matched=None):
        """Assign the records by the first rule each one matches (``matched``,
        read when not given: ``{record id: rule}``).

        A record that already has an owner is left alone unless its rule
        reassigns. Returns ``{record id: (rule, user, reason)}``.
        """
        Rule = self.env["sales.process.assignment.rule"]
        if matched is None:
            matched = Rule._match(self)
        by_rule = defaultdict(lambda: self.browse())
        for record in self:
            rule = matched.get(record.id)
            if rule and (rule.reassign or not record.user_id):
                by_rule[rule] |= record
        if not by_rule:
            return {}
        return Rule._assign_by_rule(by_rule)

    def action_apply_assignment_rules(self):
        if not self:
            raise UserError(self.env._("Select the records to assign first."))
        result = self._assignment_apply()
        assigned = sum(1 for _rule, user, _reason in result.values() if user)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if assigned else "warning",
                "message": self.env._(
                    "%(assigned)s of %(count)s records assigned; %(waiting)s wait in "
                    "their team; %(untouched)s matched no rule or already have an "
                    "owner.",
                    assigned=assigned,
                    count=len(self),
                    waiting=len(result) - assigned,
                    untouched=len(self) - len(result),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_test_assignment_rules(self):
        """Show which rule would assign each record, and to whom, without assigning."""
        return self.env["sales.process.assignment.test"]._action_open(self)

    def _first_contact_dates(self):
        """When each record was first contacted since it was assigned.

        What counts is set on the record's rule: an activity marked done, an
        email sent from the chatter, or a stage change. Three queries at most.
        """
        if not self:
            return {}
        since = min(self.mapped("sales_process_assignment_date"))
        rules = self.sales_process_assignment_rule_id
        dates = defaultdict(list)
        # sudo: the sweep reads the chatter of records whatever its user
        Message = self.env["mail.message"].sudo()
        base = [
            ("model", "=", self._name),
            ("res_id", "in", self.ids),
            ("date", ">=", since),
        ]
        kinds = []
        if any(rules.mapped("contact_by_activity")):
            kinds.append(("activity", [("mail_activity_type_id", "!=", False)]))
        if any(rules.mapped("contact_by_email")):
            kinds.append(
                (
                    "email",
                    [
                        ("message_type", "in", ("comment", "email_outgoing")),
                        ("subtype_id", "=", self.env.ref("mail.mt_comment").id),
                    ],
                )
            )
        for kind, domain in kinds:
            for res_id, date in Message._read_group(
                base + domain, ["res_id"], ["date:min"]
            ):
                dates[res_id].append((kind, date))
        if any(rules.mapped("contact_by_stage")):
            link = self._stage_history_link
            # sudo: when the record changed stage is the process's fact,
            # read whatever the user whose change triggers it may read
            History = self.env["sales.process.stage.history"].sudo()
            for record, date in History._read_group(
                [(link, "in", self.ids), ("date_in", ">", since)],
                [link],
                ["date_in:min"],
            ):
                dates[record.id].append(("stage", date))
        contacted = {}
        for record in self:
            rule = record.sales_process_assignment_rule_id
            counted = {
                "activity": rule.contact_by_activity,
                "email": rule.contact_by_email,
                "stage": rule.contact_by_stage,
            }
            moments = [
                date
                for kind, date in dates.get(record.id, [])
                if counted[kind] and date > record.sales_process_assignment_date
            ]
            if moments:
                contacted[record.id] = min(moments)
        return contacted
