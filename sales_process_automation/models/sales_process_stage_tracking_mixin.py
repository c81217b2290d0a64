# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import ormcache

from .sales_process_stage_history import SLA_STATUSES

SLA_RECORD_FIELDS = [
    "sales_process_sla_policy_id",
    "sales_process_sla_deadline",
    "sales_process_sla_hours_left",
    "sales_process_sla_hours_overdue",
    "sales_process_sla_excluded",
    "sales_process_sla_exclusion_reason",
]
# the record's fields its open history row follows
FOLLOWED_FIELDS = {"user_id", "team_id", "company_id"}


class SalesProcessStageTrackingMixin(models.AbstractModel):
    """Write one stage history row per stage a record enters.

    Models name their tracked stage (or state) field, the history field that
    points back to them, the history fields that hold their stage and their
    team, and the field that dates their entry in the current stage.
    """

    _name = "sales.process.stage.tracking.mixin"
    _description = "Stage History Tracking"

    _stage_history_field = None
    _stage_history_link = None
    _stage_history_stage_column = None
    _stage_history_team_column = "team_id"
    _stage_history_entry_date_field = None
    _stage_history_backfill_batch_size = 1000

    sales_process_sla_policy_id = fields.Many2one(
        "sales.process.sla.policy",
        string="SLA Policy",
        compute="_compute_sales_process_sla",
        groups="sales_process_automation.group_user",
    )
    sales_process_sla_deadline = fields.Datetime(
        string="Stage Deadline",
        compute="_compute_sales_process_sla",
        search="_search_sales_process_sla_deadline",
        groups="sales_process_automation.group_user",
    )
    # stored so that it can be grouped, filtered and counted per kanban column:
    # the stage history copies the status of the open row onto the record
    # (``_sync_sla_status``), one statement per batch of rows
    sales_process_sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="sales_process_automation.group_user",
    )
    # stored as the status is: the record rules of the stage owners test it
    sales_process_stage_owner_id = fields.Many2one(
        "res.users",
        string="Stage Owner",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Who the process step of the current stage handed the record to.",
        groups="sales_process_automation.group_user",
    )
    sales_process_sla_hours_left = fields.Float(
        string="Working Hours Left",
        compute="_compute_sales_process_sla_hours",
        help="Working hours until the stage deadline; negative once it passed.",
        groups="sales_process_automation.group_user",
    )
    sales_process_sla_hours_overdue = fields.Float(
        string="Working Hours Overdue",
        compute="_compute_sales_process_sla_hours",
        help="Working hours since the stage deadline passed.",
        groups="sales_process_automation.group_user",
    )
    sales_process_sla_excluded = fields.Boolean(
        string="SLA Reminders Off",
        compute="_compute_sales_process_sla",
        groups="sales_process_automation.group_user",
    )
    sales_process_sla_exclusion_reason = fields.Char(
        string="Why SLA Reminders Are Off",
        compute="_compute_sales_process_sla",
        groups="sales_process_automation.group_user",
    )

    def _compute_sales_process_sla(self):
        """The SLA of the open row of each record, as stored on it.

        No working time is computed here: kanban cards and lists read the
        deadline of many records at once. The status is stored on the record.
        """
        ids = [id_ for id_ in self._origin.ids if isinstance(id_, int)]
        link = self._stage_history_link
        # sudo: the history is maintained by the system, users only read it
        History = self.env["sales.process.stage.history"].sudo()
        rows = {
            row[link].id: row
            for row in History.search_fetch(
                [(link, "in", ids), ("date_out", "=", False)],
                [
                    link,
                    "sla_policy_id",
                    "date_deadline",
                    "sla_excluded",
                    "sla_exclusion_reason",
                ],
            )
        }
        # one assignment per field and value: a kanban column has many cards
        # and few distinct policies, deadlines and reasons
        by_value = defaultdict(list)
        for record in self:
            row = rows.get(record._origin.id, History)
            for fname, value in (
                ("sales_process_sla_policy_id", row.sla_policy_id),
                ("sales_process_sla_deadline", row.date_deadline),
                ("sales_process_sla_excluded", row.sla_excluded),
                ("sales_process_sla_exclusion_reason", row.sla_exclusion_reason),
            ):
                by_value[fname, value].append(record.id)
        for (fname, value), ids in by_value.items():
            self.browse(ids)[fname] = value

    def _compute_sales_process_sla_hours(self):
        """Working hours until the deadline, or since it passed (form views)."""
        link = self._stage_history_link
        rows = {
            row[link].id: row
            for row in self.browse(
                [id_ for id_ in self._origin.ids if isinstance(id_, int)]
            )._stage_history_open_rows()
            if row.date_deadline
        }
        now = fields.Datetime.now()
        periods, signs = [], []
        for record in self:
            row = rows.get(record._origin.id)
            if row:
                start, stop = sorted([now, row.date_deadline])
                periods.append((row.resource_calendar_id.id, start, stop))
                signs.append(1 if stop == row.date_deadline else -1)
            else:
                periods.append(None)
                signs.append(0)
        hours = iter(
            self.env["sales.process.stage.history"]._working_hours(
                [period for period in periods if period]
            )
        )
        for record, period, sign in zip(self, periods, signs, strict=True):
            record.sales_process_sla_hours_left = 0.0
            record.sales_process_sla_hours_overdue = 0.0
            if period:
                worked = next(hours)
                record.sales_process_sla_hours_left = sign * worked
                if sign < 0:
                    record.sales_process_sla_hours_overdue = worked

    def _search_sales_process_sla_deadline(self, operator, value):
        return self._search_open_rows([("date_deadline", operator, value)])

    def _search_open_rows(self, domain):
        # sudo: the SLA of a record is visible with the record
        rows = (
            self.env["sales.process.stage.history"]
            .sudo()
            ._search(
                [("res_model", "=", self._name), ("date_out", "=", False), *domain]
            )
        )
        return [("id", "in", rows.subselect(self._stage_history_link))]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        now = fields.Datetime.now()
        entry_field = self._stage_history_entry_date_field
        # a record created with its stage date (an import) entered its stage then
        records._stage_history_open(
            [
                min(fields.Datetime.to_datetime(vals[entry_field]), now)
                if entry_field and vals.get(entry_field)
                else now
                for vals in vals_list
            ],
            created=True,
        )
        return records

    def write(self, vals):
        if not self or not vals.keys() & {
            "active",
            *FOLLOWED_FIELDS,
            *self._stage_history_trigger_fields(),
        }:
            return super().write(vals)
        if "active" in vals and "active" in self._fields:
            switched = self.filtered(lambda record: record.active != vals["active"])
        else:
            switched = self.browse()
        stage_field = self._stage_history_field
        stage_before = {record.id: record[stage_field] for record in self}
        result = super().write(vals)
        moved = self.filtered(
            lambda record: record[stage_field] != stage_before[record.id]
        )
        if moved:
            now = fields.Datetime.now()
            # sudo: the history is maintained by the system, users only read it
            handed_over = (
                self.env["sales.process.stage.history"]
                .sudo()
                ._close_open_rows(
                    self._stage_history_link, moved.ids, now, reopened=True
                )
            )
            moved._stage_history_open(
                [now] * len(moved),
                handed_over,
                stages_left=[
                    stage_before[record.id].id
                    if isinstance(stage_before[record.id], models.BaseModel)
                    else stage_before[record.id]
                    for record in moved
                ],
            )
        if vals.keys() & FOLLOWED_FIELDS:
            (self - moved)._stage_history_follow_record()
        switched._sla_follow_archiving()
        return result

    def _stage_history_follow_record(self):
        """The open rows take the new owner, team and company of their record.

        A new team or company also brings its working hours and, matched
        again, its stage SLA policy. Rows are written per distinct values.
        """
        rows = {
            row[self._stage_history_link].id: row
            for row in self._stage_history_open_rows()
        }
        team_column = self._stage_history_team_column
        # sudo: the history is maintained by the system, users only read it
        History = self.env["sales.process.stage.history"].sudo()
        by_values = defaultdict(lambda: History)
        rematch = History
        reassigned = defaultdict(lambda: History)
        for record in self.filtered(lambda record: record.id in rows):
            row = rows[record.id]
            values = {
                "user_id": record.user_id.id,
                team_column: record.team_id.id,
                "company_id": record.company_id.id,
                "resource_calendar_id": record._working_calendar().id,
            }
            changed = {name for name, value in values.items() if row[name].id != value}
            if changed:
                by_values[tuple(values.items())] |= row
            if "user_id" in changed:
                reassigned[row.user_id] |= row
            if changed - {"user_id"}:
                rematch |= row
        # the former owner's SLA activities go with the record
        for former_owner, group in reassigned.items():
            group._sla_close_activities(former_owner)
        for values, group in by_values.items():
            group.write(dict(values))
        rematch._sla_reapply_policies()
        self.invalidate_recordset(SLA_RECORD_FIELDS)

    def _sla_follow_archiving(self):
        """Archived (lost) records leave their SLA; restored ones get it back."""
        self._stage_history_open_rows()._sla_reapply_policies()
        self.invalidate_recordset(SLA_RECORD_FIELDS)

    def _stage_history_trigger_fields(self):
        """The stage field and the fields its computation depends on."""
        field = self._fields[self._stage_history_field]
        return {
            field.name,
            *(path.split(".")[0] for path in self.pool.field_depends[field]),
        }

    def _stage_history_open_rows(self):
        # sudo: the history is maintained by the system, users only read it
        return (
            self.env["sales.process.stage.history"]
            .sudo()
            .search(
                [(self._stage_history_link, "in", self.ids), ("date_out", "=", False)]
            )
        )

    def _sla_exclude(self, reason):
        """Turn off the SLA reminders of the records' current stage, saying why.

        Deadlines, risks and breaches still apply.
        """
        self._stage_history_open_rows().write(
            {"sla_excluded": True, "sla_exclusion_reason": reason}
        )
        self.invalidate_recordset(SLA_RECORD_FIELDS)

    def _sla_include(self):
        """Turn the SLA reminders of the records' current stage on again."""
        self._stage_history_open_rows().write(
            {"sla_excluded": False, "sla_exclusion_reason": False}
        )
        self.invalidate_recordset(SLA_RECORD_FIELDS)

    def _stage_history_rows_before_pause(self, policies, stages_left=None):
        """Earlier rows, newest first, of the records whose policy can pause;
        with the stages (ids or states) the records left, ``stages_left``, of
        those back from one of its pause stages only: the time of the others
        starts anew."""
        if stages_left is None:
            may_resume = [
                bool(policy and policy._plan_rules(policy.id, False)[0])
                for policy in policies
            ]
        else:
            may_resume = [
                bool(policy and policy._pauses_in(stage_left))
                for policy, stage_left in zip(policies, stages_left, strict=True)
            ]
        pausing = self.browse(
            record.id
            for record, resumes in zip(self, may_resume, strict=True)
            if resumes
        )
        if not pausing:
            return {}
        # in one query with what the pause and the time counted read of them;
        # sudo: the history is maintained by the system, users only read it
        rows = (
            self.env["sales.process.stage.history"]
            .sudo()
            .search_fetch(
                [(self._stage_history_link, "in", pausing.ids)],
                [
                    self._stage_history_link,
                    "crm_stage_id",
                    "ticket_stage_id",
                    "order_state",
                    "sla_policy_id",
                    "working_hours",
                    "sla_status",
                ],
                order="date_in desc, id desc",
            )
        )
        return {
            record.id: record_rows
            for record, record_rows in rows.grouped(self._stage_history_link).items()
        }

    def _stage_history_open(
        self, dates_in, handed_over=(), created=False, stages_left=None
    ):
        """Create the row of the stage each record is in, entered at ``dates_in``.

        ``handed_over`` are the ids of the records that leave a stage they
        were handed over in: its hand-off activity is closed. ``created``:
        the records were just created, they have no earlier row.
        ``stages_left``, when known, are the stages (ids or states) the
        records leave.
        """
        # the responsible the owner of the stage left replaced is back first:
        # the new row and the next owner see them
        self.browse(handed_over)._stage_history_handoff_close()
        # sudo: the history is maintained by the system, users only read it;
        # its rows describe the record whatever the writer may read of it
        History = self.env["sales.process.stage.history"].sudo()
        records = self.sudo()
        vals_list = [
            record._stage_history_row_values(record[self._stage_history_field], date_in)
            for record, date_in in zip(records, dates_in, strict=True)
        ]
        # sudo: the company's policies apply whoever moves the record
        policies = (
            self.env["sales.process.sla.policy"].sudo()._match(records, vals_list)
        )
        earlier_rows = (
            {}
            if created
            else self._stage_history_rows_before_pause(policies, stages_left)
        )
        stage_column = self._stage_history_stage_column
        for record, vals, policy in zip(records, vals_list, policies, strict=True):
            counted = (
                policy._rows_before_pause(vals[stage_column], earlier_rows[record.id])
                if record.id in earlier_rows
                else History
            )
            vals.update(
                History._sla_entry_values(
                    policy,
                    vals["resource_calendar_id"],
                    vals["date_in"],
                    sum(counted.mapped("working_hours")),
                )
            )
            if "breached" in counted.mapped("sla_status"):
                # breached before the pause: still breached, not escalated again
                vals["sla_status"] = "breached"
        handoffs = self._stage_history_handoff_plan(vals_list)
        funnel_flags = created and self._stage_history_link == "lead_id"
        if funnel_flags:
            # their only row: its flags known without the refresh's query
            self.env["sales.process.history.import"]._history_import_funnel_flags(
                vals_list, {record.id: record for record in records}, new_leads=True
            )
        History._insert_rows(
            vals_list,
            returning=False,
            refresh_funnel=not funnel_flags,
            documents=records,
        )
        self.invalidate_recordset(
            ["sales_process_stage_history_ids", *SLA_RECORD_FIELDS]
        )
        self._stage_history_handoff(handoffs)

    def _stage_history_handoff_plan(self, vals_list):
        """Who owns the stage each record enters: set on its row values.

        Returns ``[(record, step, owner, row values)]`` for the records whose
        stage has a process step with an owner. No query when the model has no
        step; one read of the steps, and of the group members of group-owned
        steps, otherwise.
        """
        Step = self.env["sales.process.step"]
        if self._name not in Step._step_map():
            return []
        steps = Step._for_records(
            self, [vals[self._stage_history_stage_column] for vals in vals_list]
        )
        indexes_by_step = defaultdict(list)
        for index, step in enumerate(steps):
            if step:
                indexes_by_step[step].append(index)
        plan = []
        for step, indexes in indexes_by_step.items():
            owners = step._owners(self.browse([self[index].id for index in indexes]))
            for index, owner in zip(indexes, owners, strict=True):
                vals_list[index]["stage_owner_id"] = owner.id
                if owner:
                    plan.append((self[index], step, owner, vals_list[index]))
        return plan

    def _stage_history_handoff_close(self):
        """Mark done the hand-off activities of the records, which leave the
        stage; a responsible replaced by the stage owner gets the record back.
        The same few queries whatever the number of records."""
        if not self:
            return
        # sudo: hand-offs are the process's, whoever moves the record
        left = (
            self.env["mail.activity"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("sales_process_handoff", "=", True),
                ],
                ["res_id", "user_id", "sales_process_handoff_user_id"],
            )
        )
        if not left:
            return
        # sudo: the responsible comes back whoever moves the record on
        records = self.sudo()
        given_back = defaultdict(list)
        for activity in left.filtered("sales_process_handoff_user_id"):
            record = records.browse(activity.res_id)
            if record.user_id == activity.user_id:
                given_back[activity.sales_process_handoff_user_id].append(record.id)
        for user, ids in given_back.items():
            records.browse(ids)._sales_process_hand_to(user)
        # done as Odoo marks activities done (archived, with their done date
        # and feedback), without a chatter message of its own: the stage change
        # is in the chatter already
        left.write(
            {"active": False, "feedback": self.env._("The record left the stage.")}
        )

    def _stage_history_handoff(self, plan):
        """Plan the hand-off activity of each record for the owner of the
        stage it entered; the owner becomes responsible if the step says so.

        One create for all the activities; the steps' values and labels are
        cached per language.
        """
        if not plan:
            return
        model_id = self.env["ir.model"]._get_id(self._name)
        todo_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "mail.mail_activity_data_todo"
        )
        handed_to = defaultdict(list)
        activity_vals = []
        # the owners and the current user in one read: Odoo's activity reads
        # the current user next; sudo: as the activity (below) reads them,
        # only their languages are wanted here
        self.env["res.users"].sudo().browse(
            {owner.id for _record, _step, owner, _vals in plan} | {self.env.uid}
        ).mapped("lang")
        for record, step, owner, vals in plan:
            reassign, expected_days, summary, note = step._handoff_values(
                step.id, owner.lang
            )[4:]
            previous_user = record.user_id
            reassigned = reassign and owner != previous_user
            if reassigned:
                handed_to[owner].append(record.id)
            activity_vals.append(
                {
                    # the model and the name given: neither is read again
                    "res_model_id": model_id,
                    "res_model": self._name,
                    "res_id": record.id,
                    "res_name": record.display_name,
                    "activity_type_id": todo_id,
                    "user_id": owner.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": step._deadline(
                        vals["date_in"], vals.get("date_deadline"), expected_days
                    ),
                    "sales_process_handoff": True,
                    "sales_process_handoff_user_id": reassigned and previous_user.id,
                }
            )
        for owner, ids in handed_to.items():
            # sudo: the process hands the record over, whoever moves it
            self.sudo().browse(ids)._sales_process_hand_to(owner)
        # sudo: hand-offs are the process's, whoever moves the record; the
        # activity is the owner's notice (their activities), not one mail per
        # record moved
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(activity_vals)

    def _sales_process_hand_to(self, user):
        """Make ``user`` the responsible of the records; each keeps its team
        (Odoo would take the new responsible's team, and with it another
        stage)."""
        for team, records in self.grouped("team_id").items():
            records.write({"user_id": user.id, "team_id": team.id})

    def _working_calendar(self):
        """The working hours the record's times are counted in."""
        self.ensure_one()
        return self.env["resource.calendar"].browse(
            self._working_calendar_id(
                self.team_id.id, (self.company_id or self.env.company).id
            )
        )

    @api.model
    @ormcache("team_id", "company_id")
    def _working_calendar_id(self, team_id, company_id):
        """The id of the calendar of the team, else of the company.

        Kept in the registry cache, cleared when a team's or a company's
        working hours change, so that a stage change does not read them.
        """
        # sudo: cached for everyone, it must not depend on who asks first
        team = self.env[self._fields["team_id"].comodel_name].sudo().browse(team_id)
        return (
            team.sales_process_resource_calendar_id
            or self.env["res.company"].sudo().browse(company_id).resource_calendar_id
        ).id

    def _stage_history_row_values(self, stage, date_in, date_out=False):
        """Values of a row; durations are set when the row is closed."""
        self.ensure_one()
        calendar = self._working_calendar()
        return {
            "res_model": self._name,
            self._stage_history_link: self.id,
            self._stage_history_stage_column: stage.id
            if isinstance(stage, models.BaseModel)
            else stage,
            self._stage_history_team_column: self.team_id.id,
            "company_id": self.company_id.id,
            "date_in": date_in,
            "date_out": date_out,
            "state": "done" if date_out else "in_progress",
            "user_id": self.user_id.id,
            "resource_calendar_id": calendar.id,
        }

    def _stage_history_value_from_tracking(self, tracking_value, old):
        """The stage value a ``mail.tracking.value`` of the stage field holds."""
        field = self._fields[self._stage_history_field]
        if field.type == "many2one":
            stage_id = (
                tracking_value.old_value_integer
                if old
                else tracking_value.new_value_integer
            )
            return self.env[field.comodel_name].browse(stage_id)
        label = tracking_value.old_value_char if old else tracking_value.new_value_char
        by_label = {label: key for key, label in field._description_selection(self.env)}
        return by_label.get(label, label)

    @api.model
    def _stage_history_backfill(self):
        """Build the history of records that have none, in batches.

        The stage changes Odoo tracked in the chatter become closed rows; the
        current stage gets an open row entered at the last tracked change, else
        at the record's own stage date, else at its creation. Owner and team of
        past rows are the current ones: Odoo keeps no earlier value for them.
        Records that already have rows are skipped, so it can run again safely.
        """
        # sudo: the history is maintained by the system and built from the
        # tracking values of every record, whoever installs the module
        History = self.env["sales.process.stage.history"].sudo()
        Tracking = self.env["mail.tracking.value"].sudo()
        field_id = (
            self.env["ir.model.fields"]._get(self._name, self._stage_history_field).id
        )
        while (
            records := self.sudo()
            .with_context(active_test=False)
            .search(
                [("sales_process_stage_history_ids", "=", False)],
                limit=self._stage_history_backfill_batch_size,
                order="id",
            )
        ):
            changes = defaultdict(list)
            for tracking in Tracking.search(
                [
                    ("field_id", "=", field_id),
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "in", records.ids),
                ]
            ).sorted(lambda tracking: (tracking.mail_message_id.date, tracking.id)):
                changes[tracking.mail_message_id.res_id].append(tracking)
            vals_list = [
                vals
                for record in records
                for vals in record._stage_history_backfill_values(changes[record.id])
            ]
            History._add_durations(vals_list)
            History._insert_rows(vals_list)
            self.env.invalidate_all()

    def _stage_history_backfill_values(self, trackings):
        """Rows of one record from its stage changes tracked in the chatter."""
        self.ensure_one()
        current = self[self._stage_history_field]
        entry_field = self._stage_history_entry_date_field
        since = (entry_field and self[entry_field]) or self.create_date
        entries = []
        if trackings:
            first_change = trackings[0].mail_message_id.date
            first_stage = self._stage_history_value_from_tracking(trackings[0], True)
            if first_stage:
                entries.append((first_stage, min(self.create_date, first_change)))
            for tracking in trackings:
                entries.append(
                    (
                        self._stage_history_value_from_tracking(tracking, False),
                        tracking.mail_message_id.date,
                    )
                )
        if not entries:
            entries.append((current, since))
        elif entries[-1][0] != current:
            entries.append((current, max(since, entries[-1][1])))
        return [
            self._stage_history_row_values(
                stage, date_in, next_entry and max(next_entry[1], date_in)
            )
            for (stage, date_in), next_entry in zip(
                entries, [*entries[1:], None], strict=True
            )
        ]
