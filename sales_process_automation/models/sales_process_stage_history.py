# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
]
HISTORY_MODELS = [
    ("crm.lead", "Lead/Opportunity"),
    ("sale.order", "Quotation/Order"),
    ("helpdesk.ticket", "Ticket"),
]
# the history columns the SQL-view reports read
HISTORY_DEPENDS = [
    "res_model",
    "lead_id",
    "order_id",
    "ticket_id",
    "crm_stage_id",
    "ticket_stage_id",
    "order_state",
    "user_id",
    "team_id",
    "helpdesk_team_id",
    "company_id",
    "date_in",
    "date_out",
    "working_hours",
    "sla_policy_id",
    "sla_status",
    "date_deadline",
    "first_entry",
    "reached_further_stage",
    "lost_in_stage",
]
# the row fields the funnel flags of a lead's rows are computed from
FUNNEL_FLAG_SOURCES = {"lead_id", "crm_stage_id", "date_in"}
# the field of a row that points to its record, per model
DOCUMENT_LINKS = {
    "crm.lead": "lead_id",
    "sale.order": "order_id",
    "helpdesk.ticket": "ticket_id",
}
# the row fields the stored SLA status of a record follows
# the values of the open row copied onto its record (``_sync_sla_status``)
OPEN_ROW_FIELDS = {
    "sla_status": "sales_process_sla_status",
    "stage_owner_id": "sales_process_stage_owner_id",
}
SLA_STATUS_SOURCES = {*OPEN_ROW_FIELDS, "date_out", *DOCUMENT_LINKS.values()}


class SalesProcessStageHistory(models.Model):
    """A stay of a lead, quotation or ticket in a stage: its rows are written in
    batch by the records' stage changes (``sales.process.stage.tracking.mixin``)
    and read by the analyses. The flags, working hours, SLA jobs and SLA
    notifications of the rows are in the mixins below, one job each.
    """

    _name = "sales.process.stage.history"
    _inherit = [
        "sales.process.history.flags.mixin",
        "sales.process.working.hours.mixin",
        "sales.process.sla.sweep.mixin",
        "sales.process.sla.notification.mixin",
    ]
    _description = "Stage History"
    _order = "date_in desc, id desc"

    # not indexed alone (three values): the figure indexes start with it
    # where a figure counts one model's rows
    res_model = fields.Selection(HISTORY_MODELS, string="Document Type", required=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead/Opportunity",
        index="btree_not_null",
        ondelete="cascade",
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Quotation/Order",
        index="btree_not_null",
        ondelete="cascade",
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Ticket",
        index="btree_not_null",
        ondelete="cascade",
    )
    # every row is written once more when its record leaves the stage: only
    # the indexes a query needs are kept up to date. The company is in every
    # figure index; the CRM stage starts the stage time index.
    company_id = fields.Many2one("res.company")
    crm_stage_id = fields.Many2one("crm.stage", string="CRM Stage")
    ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage", string="Ticket Stage", index="btree_not_null"
    )
    order_state = fields.Selection(
        lambda self: self.env["sale.order"]._fields["state"].selection,
        string="Order Status",
    )
    date_in = fields.Datetime(string="Entered On", required=True, index=True)
    date_out = fields.Datetime(string="Left On", index=True)
    date_deadline = fields.Datetime(
        string="Planned End",
        help="When the record is expected to leave this stage, set by the stage "
        "SLA policy that applies.",
    )
    user_id = fields.Many2one("res.users", string="Owner", index=True)
    stage_owner_id = fields.Many2one(
        "res.users",
        string="Stage Owner",
        index="btree_not_null",
        help="Who the process step of the stage handed the record to on entry.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", index="btree_not_null"
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        index="btree_not_null",
        help="Working time in force when the record entered the stage: the team's, "
        "else the company's.",
    )
    working_hours = fields.Float(
        string="Time Spent (Working Hours)",
        readonly=True,
        aggregator="avg",
        help="Working time spent in the stage; public holidays and closures of the "
        "working hours are not counted. Set when the record leaves the stage.",
    )
    calendar_hours = fields.Float(
        string="Time Spent (Hours)", readonly=True, aggregator="avg"
    )
    state = fields.Selection(
        [
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("abnormal", "Abnormal"),
        ],
        string="Status",
        required=True,
        default="in_progress",
    )

    sla_policy_id = fields.Many2one(
        "sales.process.sla.policy",
        string="SLA Policy",
        index="btree_not_null",
        ondelete="set null",
    )
    date_at_risk = fields.Datetime(string="At Risk From")
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", index=True)
    sla_next_check = fields.Datetime(
        string="Next SLA Check",
        index="btree_not_null",
        help="When the SLA sweep has something to do for this row next.",
    )
    sla_consumed_hours = fields.Float(
        string="SLA Time Used Before a Pause",
        help="Working hours the record spent in this stage under the same policy "
        "before it went to a pause stage and came back.",
    )
    sla_excluded = fields.Boolean(string="Reminders Off")
    sla_exclusion_reason = fields.Char(string="Why Reminders Are Off")
    sla_event_ids = fields.One2many(
        "sales.process.sla.event", "history_id", string="SLA Events"
    )
    # what the SLA events of the row notified, kept on the row (by the events)
    # so that the policy figures count rows instead of searching the events
    sla_reminded = fields.Boolean(string="Reminded", readonly=True)
    sla_escalated = fields.Boolean(string="Escalated", readonly=True)
    # what the funnel counts, kept on the rows of the leads so that it reads
    # them instead of comparing every row with the lead's other rows
    first_entry = fields.Boolean(
        readonly=True,
        help="The first time the lead entered this stage (leads only).",
    )
    reached_further_stage = fields.Boolean(
        string="Reached a Further Stage",
        readonly=True,
        help="The lead entered a stage ranked after this one later (leads only).",
    )
    lost_in_stage = fields.Boolean(
        string="Lost in This Stage",
        readonly=True,
        help="The lead is lost and this is its last stage (leads only).",
    )

    _date_out_after_date_in = models.Constraint(
        "CHECK(date_out IS NULL OR date_out >= date_in)",
        "A stage cannot be left before it was entered.",
    )
    _open_row_per_lead = models.UniqueIndex(
        "(lead_id) WHERE date_out IS NULL AND lead_id IS NOT NULL"
    )
    _open_row_per_order = models.UniqueIndex(
        "(order_id) WHERE date_out IS NULL AND order_id IS NOT NULL"
    )
    _open_row_per_ticket = models.UniqueIndex(
        "(ticket_id) WHERE date_out IS NULL AND ticket_id IS NOT NULL"
    )
    # the SLA breaches of the leads, counted by the lead analysis: read from a
    # small index instead of every stage row
    _breached_lead_index = models.Index("(lead_id) WHERE sla_status = 'breached'")
    # the bottleneck and time-per-stage analyses read their rows from these
    # indexes alone, in the order of their groups and of the working hours:
    # no sort, and the exact percentiles find their hours already sorted
    # (the columns their record rules test included)
    _funnel_figures_index = models.Index(
        "(company_id, team_id, crm_stage_id, working_hours)"
        " INCLUDE (id, first_entry, reached_further_stage, lost_in_stage,"
        " date_out, sla_policy_id, sla_status) WHERE lead_id IS NOT NULL"
    )
    # the SLA policy figures read each policy's documents from this index
    # alone, in the order of the policies and documents: no sort to find each
    # document once (the columns of the rules and flags tested included); the
    # model first, as each figure counts one model's rows: a range of the
    # index, whatever share of the rows the planner expects flagged
    _sla_policy_figures_index = models.Index(
        "(res_model, sla_policy_id, lead_id, order_id, ticket_id)"
        " INCLUDE (company_id, sla_reminded, sla_escalated)"
        " WHERE sla_policy_id IS NOT NULL"
    )
    # the same, for a team leader: the rows of their teams alone (the team
    # first: the dashboards test literal team ids, ``metrics.team_rule_scope``)
    _team_funnel_figures_index = models.Index(
        "(team_id, company_id, crm_stage_id, working_hours)"
        " INCLUDE (id, first_entry, reached_further_stage, lost_in_stage,"
        " date_out, sla_policy_id, sla_status) WHERE lead_id IS NOT NULL"
    )
    _stage_time_index = models.Index(
        "(crm_stage_id, working_hours)"
        " INCLUDE (res_model, company_id, team_id, helpdesk_team_id, user_id,"
        " date_out, sla_policy_id, sla_status)"
    )

    @api.depends("lead_id", "order_id", "ticket_id")
    def _compute_display_name(self):
        # sudo: a row names its document as Odoo names the record a many2one
        # links to, whether the reader may open it or not (a Sales Process
        # administrator reads the rows of tickets without being a helpdesk user)
        for row, row_sudo in zip(self, self.sudo(), strict=True):
            document = row_sudo.lead_id or row_sudo.order_id or row_sudo.ticket_id
            row.display_name = document.display_name

    @api.model_create_multi
    def create(self, vals_list):
        self._add_durations(vals_list)
        rows = super().create(vals_list)
        self._refresh_funnel_flags(rows.lead_id.ids)
        self._sync_sla_status(rows._document_ids())
        return rows

    def write(self, vals):
        leads = self.lead_id if FUNNEL_FLAG_SOURCES & vals.keys() else None
        documents = self._document_ids() if SLA_STATUS_SOURCES & vals.keys() else None
        result = super().write(vals)
        if leads is not None:
            self._refresh_funnel_flags((leads | self.lead_id).ids)
        if documents is not None:
            for link, ids in self._document_ids().items():
                documents[link] |= ids
            self._sync_sla_status(documents)
        return result

    def unlink(self):
        leads = self.lead_id
        documents = self._document_ids()
        result = super().unlink()
        self._refresh_funnel_flags(leads.exists().ids)
        self._sync_sla_status(documents)
        return result

    def _document_ids(self):
        """``{link: set of record ids}`` of the rows."""
        documents = defaultdict(set)
        for link in DOCUMENT_LINKS.values():
            documents[link].update(self[link].ids)
        return documents

    @api.model
    def _sync_sla_status(self, documents):
        """Copy the SLA status and the stage owner of the open rows onto their
        records (the record rules of the stage owners test it).

        ``documents``: ``{link: record ids}``. One statement per model whatever
        the number of records; only the records whose values change are
        written. A record without an open row has neither.
        """
        queries = self._sync_sla_status_queries(documents)
        if queries:
            self.env.cr.execute(SQL(";").join(queries.values()))
            for res_model in queries:
                self.env[res_model].invalidate_model(list(OPEN_ROW_FIELDS.values()))

    def _sync_sla_status_queries(self, documents):
        """``{model: SQL}`` of ``_sync_sla_status``, to run in one round trip."""
        self.flush_model(["date_out", *OPEN_ROW_FIELDS, *DOCUMENT_LINKS.values()])
        queries = {}
        for res_model, link in DOCUMENT_LINKS.items():
            ids = documents.get(link)
            if not ids:
                continue
            Model = self.env[res_model]
            # values set by _set_open_row_fields, not written yet, would
            # overwrite these when written
            Model.flush_model(list(OPEN_ROW_FIELDS.values()))
            queries[res_model] = SQL(
                """
                    UPDATE %(table)s AS record
                       SET sales_process_sla_status = open_row.sla_status,
                           sales_process_stage_owner_id = open_row.stage_owner_id
                      FROM (
                          SELECT ids.id, history.sla_status, history.stage_owner_id
                            FROM unnest(%(ids)s::int[]) AS ids(id)
                       LEFT JOIN %(history)s AS history
                              ON %(link)s = ids.id AND history.date_out IS NULL
                      ) AS open_row
                     WHERE record.id = open_row.id
                       AND (record.sales_process_sla_status,
                            record.sales_process_stage_owner_id)
                           IS DISTINCT FROM (open_row.sla_status,
                                             open_row.stage_owner_id)
                    """,
                table=SQL.identifier(Model._table),
                ids=sorted(ids),
                history=SQL.identifier(self._table),
                link=SQL.identifier("history", link),
            )
        return queries

    @api.model
    def _set_open_row_fields(self, documents, vals_list):
        """Give ``documents`` the SLA status and stage owner of their new open
        rows (``vals_list``, in the same order), as the ORM writes a field.

        The ORM writes them in the update it makes of the records anyway (the
        new stage, computed fields): a second update of the same row would
        cost a new version of the row and of each of its indexes.
        """
        for row_field, record_field in OPEN_ROW_FIELDS.items():
            field = documents._fields[record_field]
            ids_by_value = defaultdict(list)
            for document, vals in zip(documents, vals_list, strict=True):
                ids_by_value[vals.get(row_field) or False].append(document.id)
            for value, ids in ids_by_value.items():
                field.write(documents.browse(ids), value)
        # what depends on them (another module's fields) follows, as after a write
        documents.modified(list(OPEN_ROW_FIELDS.values()))

    @api.model
    def _insert_rows(
        self, vals_list, returning=True, refresh_funnel=True, documents=None
    ):
        """Insert rows in one statement whatever their number; the new rows,
        in the order of ``vals_list``.

        The ORM would insert them 100 at a time; a stage change on a large batch
        must cost the same few queries as on one record. Without
        ``returning``, nothing is returned: the rows, their funnel flags and
        the SLA status of their records are written in one round trip.
        Without ``refresh_funnel``, the values carry the rows' funnel flags,
        which nothing else changes (the rows of new leads). ``documents``: the
        records of the rows when the rows are their open rows, one each, in
        the order of ``vals_list``: their SLA status and stage owner go with
        the ORM's own update of the records (``_set_open_row_fields``).
        """
        if not vals_list:
            return self.browse()
        columns = sorted(set().union(*vals_list))
        # False is NULL but in a boolean column: a flag given false is false
        booleans = {name for name in columns if self._fields[name].type == "boolean"}
        now = fields.Datetime.now()
        audit = [self.env.uid, now, self.env.uid, now]
        insert = SQL(
            "INSERT INTO %s (%s) VALUES %s %s",
            SQL.identifier(self._table),
            SQL(", ").join(
                SQL.identifier(name)
                for name in [
                    *columns,
                    "create_uid",
                    "create_date",
                    "write_uid",
                    "write_date",
                ]
            ),
            SQL(", ").join(
                SQL(
                    "(%s)",
                    SQL(", ").join(
                        [
                            *(
                                None
                                if vals.get(column) is False and column not in booleans
                                else vals.get(column)
                                for column in columns
                            ),
                            *audit,
                        ]
                    ),
                )
                for vals in vals_list
            ),
            SQL("RETURNING id") if returning else SQL(),
        )
        # the funnel flags and the SLA status of the records, after the rows
        lead_ids = list({vals["lead_id"] for vals in vals_list if vals.get("lead_id")})
        if documents is None:
            queries = self._sync_sla_status_queries(
                {
                    link: {vals[link] for vals in vals_list if vals.get(link)}
                    for link in DOCUMENT_LINKS.values()
                }
            )
        else:
            queries = {}
            self._set_open_row_fields(documents, vals_list)
        statements = list(queries.values())
        if lead_ids and refresh_funnel:
            statements.insert(0, self._funnel_flags_query(lead_ids))
        rows = self.browse()
        if returning:
            self.env.cr.execute(insert)
            rows = self.browse([id_ for (id_,) in self.env.cr.fetchall()])
        else:
            statements.insert(0, insert)
        if statements:
            self.env.cr.execute(SQL(";").join(statements))
        self.invalidate_model()
        for res_model in queries:
            self.env[res_model].invalidate_model(list(OPEN_ROW_FIELDS.values()))
        return rows

    @api.model
    def _close_open_rows(self, link, record_ids, date_out, reopened=False):
        """Close the open rows of the given records at ``date_out``.

        Abnormal rows stay abnormal. Two statements whatever the number of rows.
        With ``reopened``, the records get a new open row next, which sets
        their SLA status. Returns the ids of the records whose closed row had a
        stage owner: they leave a hand-off.
        """
        link_column = SQL.identifier(link)
        self.env["mail.activity"].flush_model(
            ["active", "sales_process_stage_history_id"]
        )
        # whether each row has SLA activities comes with it: most have none
        selected = self.env.execute_query(
            SQL(
                "SELECT id, resource_calendar_id, date_in, %s, stage_owner_id,"
                " sla_policy_id IS NOT NULL AND EXISTS(SELECT 1 FROM mail_activity"
                " WHERE sales_process_stage_history_id = history.id AND active)"
                " FROM %s AS history WHERE %s = ANY(%s) AND date_out IS NULL",
                link_column,
                SQL.identifier(self._table),
                link_column,
                list(record_ids),
            )
        )
        if not selected:
            return set()
        rows = [row[:3] for row in selected]
        handed_over = {row[3] for row in selected if row[4]}
        # the rows of a policy that have SLA reminders or escalations
        with_activities = [row[0] for row in selected if row[5]]
        hours = self._working_hours(
            [(calendar_id, date_in, date_out) for _id, calendar_id, date_in in rows]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s AS history
                   SET date_out = GREATEST(%(date_out)s, history.date_in),
                       state = CASE WHEN history.state = 'in_progress'
                               THEN 'done' ELSE history.state END,
                       working_hours = closed.working_hours,
                       calendar_hours = closed.calendar_hours,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM (VALUES %(values)s)
                    AS closed(id, working_hours, calendar_hours)
                 WHERE history.id = closed.id
                """,
                table=SQL.identifier(self._table),
                date_out=date_out,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                values=SQL(", ").join(
                    SQL(
                        "(%s, %s::float, %s::float)",
                        row_id,
                        working,
                        max((date_out - date_in).total_seconds() / 3600, 0.0),
                    )
                    for (row_id, _calendar_id, date_in), working in zip(
                        rows, hours, strict=True
                    )
                ),
            )
        )
        self.invalidate_model()
        if not reopened:
            self._sync_sla_status({link: set(record_ids)})
        # the record left the stage: its reminders and escalations are moot
        if with_activities:
            self.browse(with_activities)._sla_close_activities()
        return handed_over

    @api.model
    def _stages_in_use(self, stage_field, pause_field, stages):
        """The ``stages`` that history rows or SLA policies (archived ones
        included) refer to, as stage or as pause stage."""
        # sudo: whoever deletes a stage, every row and policy counts
        in_rows = self.sudo()._read_group(
            [(stage_field, "in", stages.ids)], [stage_field]
        )
        Policy = (
            self.env["sales.process.sla.policy"].sudo().with_context(active_test=False)
        )
        policies = Policy.search(
            ["|", (stage_field, "in", stages.ids), (pause_field, "in", stages.ids)]
        )
        return stages.browse(stage.id for (stage,) in in_rows) | (
            (policies[stage_field] | policies[pause_field]) & stages
        )

    def _document(self):
        self.ensure_one()
        return self.lead_id or self.order_id or self.ticket_id

    def _stage_value(self):
        """The stage of the row as its record's model stores it."""
        self.ensure_one()
        stage = self.crm_stage_id or self.ticket_stage_id or self.order_state
        return stage.id if isinstance(stage, models.BaseModel) else stage

    @api.model
    def _sla_entry_values(self, policy, calendar_id, date_in, consumed=0.0):
        """SLA values of a row that enters the stage of ``policy`` at ``date_in``.

        ``consumed`` is the working time the record already spent in this stage
        under this policy before a pause: only the rest of the time remains.
        """
        if not policy:
            return {
                "sla_policy_id": False,
                "date_deadline": False,
                "date_at_risk": False,
                "sla_status": False,
                "sla_next_check": False,
                "sla_consumed_hours": 0.0,
            }
        _pauses, duration, at_risk_hours, _reminders = policy._plan_rules(
            policy.id, calendar_id
        )
        deadline = self._plan(calendar_id, date_in, max(duration - consumed, 0.0))
        at_risk = self._plan(calendar_id, date_in, max(at_risk_hours - consumed, 0.0))
        schedule = self._sla_schedule(
            policy, calendar_id, date_in, deadline, at_risk, consumed
        )
        return {
            "sla_policy_id": policy.id,
            "date_deadline": deadline,
            "date_at_risk": at_risk,
            "sla_status": "on_track",
            "sla_next_check": schedule[0][0],
            "sla_consumed_hours": consumed,
        }

    @api.model
    def _sla_schedule(self, policy, calendar_id, date_in, deadline, at_risk, consumed):
        """What the SLA of a row does, as sorted ``(moment, kind, reminder)``.

        Reminders that fell in the time consumed before a pause are not due again.
        """
        policy.ensure_one()
        reminders = policy._plan_rules(policy.id, calendar_id)[3]
        Reminder = policy.env["sales.process.sla.reminder"]
        # an approved extension has a deadline and no moment of risk
        schedule = [
            (moment, kind, Reminder)
            for moment, kind in ((at_risk, "at_risk"), (deadline, "breach"))
            if moment
        ]
        for reminder_id, anchor, delay_hours, due_hours in reminders:
            if anchor == "after_deadline":
                moment = self._plan(calendar_id, deadline, delay_hours)
            else:
                due = due_hours - consumed
                if consumed and due <= 0:
                    continue
                moment = self._plan(calendar_id, date_in, max(due, 0.0))
            schedule.append((moment, "reminder", Reminder.browse(reminder_id)))
        return sorted(schedule, key=lambda item: item[0])

    def _sla_approved_deadline_values(self, deadline):
        """Values of a row whose stage gets an approved deadline: on track."""
        values = {
            "date_deadline": deadline,
            "date_at_risk": False,
            "sla_status": "on_track" if deadline > fields.Datetime.now() else False,
        }
        if self.state == "abnormal":
            values["state"] = "in_progress"
        return values
