# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter, defaultdict

from markupsafe import Markup

from odoo import api, fields, models


class SalesProcessAssignmentDispatchMixin(models.AbstractModel):
    """Assign records by an assignment rule: write the team and rep of each
    record in batch, count the turns, and log on each record why it went to
    its rep. Inherited by the assignment rules.
    """

    _name = "sales.process.assignment.dispatch.mixin"
    _description = "Assignment Rule Dispatch"

    def _assign(self, records, excluded=None):
        """Assign ``records`` by this rule; see ``_assign_by_rule``."""
        self.ensure_one()
        return {
            record_id: choice
            for record_id, (_rule, *choice) in self._assign_by_rule(
                {self: records}, excluded
            ).items()
        }

    @api.model
    def _assign_by_rule(self, records_by_rule, excluded=None):
        """Assign the records of each rule, explain it and tell the assignees.

        Returns ``{record id: (rule, user, reason)}``. Queries depend on the
        number of rules and reps, not of records: records are written per rule
        and rep, notes and activities are created in one go for all the rules.
        """
        rules = self.union(*records_by_rule)
        availability = rules._availability()
        now = fields.Datetime.now()
        result, notes, initial = {}, {}, {}
        to_notify = []
        for rule, records in records_by_rule.items():
            plan, turns = rule._plan_assignment(records, excluded, availability)
            result.update({record.id: (rule, *plan[record.id]) for record in records})
            records -= rule._still_waiting(records, plan)
            notes.update(rule._assignment_notes(records, plan))
            initial.update(rule._write_plan(records, plan, turns, notes, now))
            # sudo: the owners were written with the user's rights; what follows
            # is the rule's bookkeeping on records it may have given to a
            # colleague, whose records the user may not write
            assigned = records.sudo().filtered(
                lambda record, plan=plan: plan[record.id][0]
            )
            rule._plan_first_contact(assigned, now)
            if rule.notify_assignee:
                to_notify.append(assigned)
            if rule.activity_plan_id and assigned:
                rule._launch_playbook(assigned)
        self._log_explanations(self.env[rules[:1].res_model], notes, initial)
        if to_notify:
            assigned = to_notify[0].union(*to_notify)
            self._schedule_contact_activities(assigned)
            self._notify_assignees(assigned)
        return result

    def _still_waiting(self, records, plan):
        """The records the plan leaves waiting in the team where this rule
        already left them: nothing changed, nothing is written or logged."""
        self.ensure_one()
        team = self._target_team()
        return records.filtered(
            lambda record: (
                not plan[record.id][0]
                and record.sales_process_assignment_state == "team_only"
                and record.sales_process_assignment_rule_id == self
                and (not team or record.team_id == team)
            )
        )

    def _write_plan(self, records, plan, turns, notes, now):
        """Write the owners of the plan on ``records``, and log the turns given.

        Returns the owner and team before the write of the records whose change
        the module tracks itself (``_log_explanations``): their explanation and
        tracking values make one message, created with all the others at once.
        A record Odoo already tracks in this transaction keeps Odoo's tracking
        message, with its explanation as body (it leaves ``notes``).
        """
        self.ensure_one()
        team = self._target_team()
        tracked = (
            not self.env.context.get("tracking_disable")
            and not self.env.context.get("mail_notrack")
            # mail.thread discards the tracking of the records it creates once
            # their create returns: their explanation is logged on its own
            and not self.env.context.get("sales_process_assignment_on_create")
            and {"user_id", "team_id"} <= set(records._track_get_fields())
        )
        # records Odoo tracks in this transaction: their initial values, or
        # None for those created in it (never tracked)
        pending = self.env.cr.precommit.data.get(f"mail.tracking.{records._name}", {})
        initial = {}
        by_write = defaultdict(list)
        for record in records:
            user = plan[record.id][0]
            changed = (user and user != record.user_id) or (
                team and team != record.team_id
            )
            own_tracking = bool(tracked and changed and record.id not in pending)
            if own_tracking:
                initial[record.id] = {
                    "user_id": record.user_id,
                    "team_id": record.team_id,
                }
            elif tracked and changed and pending[record.id] is not None:
                record._track_set_log_message(notes.pop(record.id))
            by_write[user, own_tracking].append(record.id)
        for (user, own_tracking), ids in by_write.items():
            values = {
                "sales_process_assignment_rule_id": self.id,
                "sales_process_assignment_date": now,
                "sales_process_assignment_state": "assigned" if user else "team_only",
            }
            if team:
                values["team_id"] = team.id
            if user:
                # a new window to contact the customer; a record left with
                # its owner keeps its own, escalated or not, so that it is
                # not escalated again
                values.update(
                    {
                        "user_id": user.id,
                        "sales_process_first_contact_deadline": False,
                        "sales_process_first_contact_date": False,
                        "sales_process_first_contact_escalated": False,
                    }
                )
            # Odoo's mail per assigned record is replaced by one notification
            # per assignee and run (_notify_assignees)
            records.browse(ids).with_context(
                sales_process_skip_assignment=True,
                mail_auto_subscribe_no_notify=True,
                mail_notrack=own_tracking,
            ).write(values)
        # sudo: the turns are the rule's own bookkeeping, kept by the system
        # whoever's records it assigns (a rep, a helpdesk user, a manager);
        # new rows, not a counter updated: concurrent runs do not conflict
        self.env["sales.process.assignment.turn"].sudo().create(
            self._turn_values(records, plan, turns, now)
        )
        return initial

    def _turn_values(self, records, plan, turns, now):
        """The log rows of a run: the records given to each rep (with the rep
        line whose turn they count for), and those left waiting."""
        self.ensure_one()
        members = self.env["sales.process.assignment.member"].browse(turns)
        values = [
            {
                "rule_id": self.id,
                "member_id": member.id,
                "user_id": member.user_id.id,
                "count": turns[member.id],
                "date": now,
            }
            for member in members
            if turns[member.id]
        ]
        given = {member.user_id for member in members if turns[member.id]}
        others = Counter(
            plan[record.id][0] for record in records if plan[record.id][0] not in given
        )
        values += [
            {"rule_id": self.id, "user_id": user.id, "count": count, "date": now}
            for user, count in others.items()
        ]
        return values

    @api.model
    def _log_explanations(self, records, notes, initial):
        """One message per record: its explanation and, for the records in
        ``initial``, the tracking values of their owner and team, as Odoo's
        tracking message would show them. Two creates for all the records."""
        records = records.browse(set(notes) | set(initial))
        # sudo: logging the explanation must not depend on the user's rights
        # on the chatter; the user may assign the records, checked by write
        messages = records.sudo()._message_log_batch(
            bodies={record.id: notes.get(record.id, "") for record in records}
        )
        if not initial:
            return
        message_of = {message.res_id: message.id for message in messages}
        tracked_fields = records.fields_get(
            ["user_id", "team_id"],
            attributes=("string", "type", "selection", "currency_field"),
        )
        tracking_values = []
        for record in records.browse(initial):
            _changes, commands = record._mail_track(tracked_fields, initial[record.id])
            tracking_values += [
                {**values, "mail_message_id": message_of[record.id]}
                for _command, _id, values in commands
            ]
        # sudo: tracking values are written by the system, as Odoo does
        self.env["mail.tracking.value"].sudo().create(tracking_values)

    def _assignment_notes(self, records, plan):
        """The explanation of each record's assignment: ``{record id: note}``."""
        self.ensure_one()
        conditions = self._explain()
        team = self._target_team()
        notes = {}
        for record in records:
            user, reason = plan[record.id]
            if user:
                note = self.env._(
                    "Assigned to %(user)s by the rule %(rule)s (%(conditions)s): "
                    "%(reason)s.",
                    user=user.name,
                    rule=self.name,
                    conditions=conditions,
                    reason=reason,
                )
            else:
                note = self.env._(
                    "The rule %(rule)s (%(conditions)s) matched but %(reason)s: the "
                    "record waits in the team %(team)s for someone to take it.",
                    rule=self.name,
                    conditions=conditions,
                    reason=reason,
                    team=(team or record.team_id).display_name or self.env._("(none)"),
                )
            notes[record.id] = Markup("%s") % note
        return notes
