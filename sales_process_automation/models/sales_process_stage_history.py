# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from pytz import utc

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime, ormcache

from ..tools.cron_cursor import process_in_batches, read_cursor, write_cursor
from ..tools.working_timeline import WorkingTimeline

_logger = logging.getLogger(__name__)

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
    _name = "sales.process.stage.history"
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
        for row in self:
            document = row.lead_id or row.order_id or row.ticket_id
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
            queries[res_model] = (
                SQL(
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

    @api.model
    def _refresh_funnel_flags(self, lead_ids=None):
        """Set the funnel flags of the rows of ``lead_ids`` (all leads if None).

        One statement whatever the number of leads; only the rows whose flags
        change are written, so that running it again costs no write. Stages are
        ranked by sequence, then id: a row reached a further stage when its lead
        later entered a stage ranked after it.
        """
        if lead_ids is not None and not lead_ids:
            return
        self.env.cr.execute(self._funnel_flags_query(lead_ids))
        self.invalidate_model(["first_entry", "reached_further_stage", "lost_in_stage"])

    def _funnel_flags_query(self, lead_ids):
        """The statement of ``_refresh_funnel_flags``, to run in one round trip."""
        self.flush_model(["lead_id", "crm_stage_id", "date_in"])
        self.env["crm.lead"].flush_model(["won_status"])
        self.env["crm.stage"].flush_model(["sequence"])
        return SQL(
                """
                WITH stage AS (
                    SELECT id, ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank
                      FROM crm_stage
                ), flags AS MATERIALIZED (
                    -- computed once: inlined, a plan built on stale statistics
                    -- (rows inserted in this transaction) ran it again for
                    -- every row to update
                    SELECT history.id,
                           history.first_entry AS was_first_entry,
                           history.reached_further_stage AS had_reached_further,
                           history.lost_in_stage AS was_lost_in_stage,
                           COALESCE(
                               NOT history.crm_stage_id = ANY(
                                   ARRAY_AGG(history.crm_stage_id) OVER earlier
                               ),
                               TRUE
                           ) AS first_entry,
                           COALESCE(MAX(stage.rank) OVER later > stage.rank, FALSE)
                               AS reached_further_stage,
                           COALESCE(lead.won_status = 'lost', FALSE)
                               AND COUNT(*) OVER later = 0 AS lost_in_stage
                      FROM %(table)s history
                      JOIN stage ON stage.id = history.crm_stage_id
                      JOIN crm_lead lead ON lead.id = history.lead_id
                     WHERE %(leads)s
                    WINDOW earlier AS (
                               PARTITION BY history.lead_id
                               ORDER BY history.date_in, history.id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                           ),
                           later AS (
                               PARTITION BY history.lead_id
                               ORDER BY history.date_in, history.id
                               ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
                           )
                ), changed AS MATERIALIZED (
                    SELECT id, first_entry, reached_further_stage, lost_in_stage
                      FROM flags
                     WHERE (was_first_entry, had_reached_further, was_lost_in_stage)
                           IS DISTINCT FROM (first_entry, reached_further_stage,
                                             lost_in_stage)
                )
                UPDATE %(table)s AS history
                   SET first_entry = changed.first_entry,
                       reached_further_stage = changed.reached_further_stage,
                       lost_in_stage = changed.lost_in_stage
                  FROM changed
                 WHERE history.id = changed.id
                   -- the rows to write found by their ids: joined on the
                   -- changed rows alone, a plan that expected many read the
                   -- whole table for each batch of a large import
                   AND history.id = ANY(ARRAY(SELECT id FROM changed))
                """,
                table=SQL.identifier(self._table),
                leads=SQL("history.lead_id IS NOT NULL")
                if lead_ids is None
                else SQL("history.lead_id = ANY(%s)", list(lead_ids)),
            )

    @api.model
    def _refresh_sla_notified_flags(self, row_ids=None):
        """Set ``sla_reminded`` and ``sla_escalated`` of the rows ``row_ids``
        (all rows if None) from their SLA events notified (not skipped).

        One statement; only the rows whose flags change are written.
        """
        if row_ids is not None and not row_ids:
            return
        self.env["sales.process.sla.event"].flush_model(
            ["history_id", "kind", "skipped"]
        )
        self.flush_model(["sla_reminded", "sla_escalated"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s AS history
                   SET sla_reminded = flags.reminded,
                       sla_escalated = flags.escalated
                  FROM (
                      SELECT history.id,
                             COALESCE(BOOL_OR(event.kind = 'reminder'), FALSE)
                                 AS reminded,
                             COALESCE(BOOL_OR(event.kind = 'breach'), FALSE)
                                 AS escalated
                        FROM %(table)s AS history
                        LEFT JOIN sales_process_sla_event AS event
                               ON event.history_id = history.id
                              AND NOT COALESCE(event.skipped, FALSE)
                       WHERE %(rows)s
                       GROUP BY history.id
                  ) AS flags
                 WHERE history.id = flags.id
                   AND (COALESCE(history.sla_reminded, FALSE),
                        COALESCE(history.sla_escalated, FALSE))
                       IS DISTINCT FROM (flags.reminded, flags.escalated)
                """,
                table=SQL.identifier(self._table),
                rows=SQL("TRUE")
                if row_ids is None
                else SQL("history.id = ANY(%s)", sorted(row_ids)),
            )
        )
        self.invalidate_model(["sla_reminded", "sla_escalated"])

    @api.model
    def _cron_refresh_funnel_flags(self):
        """Set the funnel flags of every lead again, a batch of leads at a time.

        Started when stages are reordered; also run daily, which mends flags
        that rows written outside the ORM left behind. Each batch is committed:
        stopped half-way, the next run finds the finished batches unchanged
        and does not write them again.
        """
        batch_size = 20000
        last_id = read_cursor(self.env, "funnel_flags")
        while lead_ids := [
            id_
            for (id_,) in self.env.execute_query(
                SQL(
                    "SELECT id FROM crm_lead WHERE id > %s ORDER BY id LIMIT %s",
                    last_id,
                    batch_size,
                )
            )
        ]:
            last_id = lead_ids[-1]
            self._refresh_funnel_flags(lead_ids)
            [(remaining,)] = self.env.execute_query(
                SQL("SELECT COUNT(*) FROM crm_lead WHERE id > %s", last_id)
            )
            write_cursor(self.env, "funnel_flags", remaining and last_id)
            if not self.env["ir.cron"]._commit_progress(
                len(lead_ids), remaining=remaining
            ):
                return  # out of time: the next call goes on from the cursor

    @api.model
    def _add_durations(self, vals_list):
        """Set the time spent on the values of closed rows that lack it."""
        closed = [
            vals
            for vals in vals_list
            if vals.get("date_out") and "working_hours" not in vals
        ]
        periods = [
            (
                vals.get("resource_calendar_id"),
                fields.Datetime.to_datetime(vals["date_in"]),
                fields.Datetime.to_datetime(vals["date_out"]),
            )
            for vals in closed
        ]
        for vals, (_calendar_id, date_in, date_out), working_hours in zip(
            closed, periods, self._working_hours(periods), strict=True
        ):
            vals["working_hours"] = working_hours
            vals["calendar_hours"] = (date_out - date_in).total_seconds() / 3600

    @api.model
    def _working_hours(self, periods):
        """Working hours of each ``(calendar_id, start, stop)`` period, in order.

        Without a calendar, every hour counts. Periods of the same calendar
        and months share one timeline: an import of many rows builds a few.
        """
        hours = []
        timelines = {}
        for calendar_id, start, stop in periods:
            if calendar_id:
                key = (calendar_id, start.year, start.month, stop.year, stop.month)
                timeline = timelines.get(key)
                if timeline is None:
                    timeline = timelines[key] = WorkingTimeline(
                        self._work_intervals(calendar_id, start, stop)
                    )
                hours.append(timeline.hours_between(start, stop))
            else:
                hours.append((stop - start).total_seconds() / 3600)
        return hours

    @api.model
    def _work_intervals(self, calendar_id, start, stop):
        """Work intervals of a calendar, in UTC, for the months covering a period."""
        month = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        intervals = []
        while month <= stop:
            intervals += self._work_intervals_of_month(calendar_id, month)
            month += relativedelta(months=1)
        return intervals

    @api.model
    @ormcache("calendar_id", "month")
    def _work_intervals_of_month(self, calendar_id, month):
        """Work intervals of a calendar in one month, in naive UTC.

        Odoo subtracts the calendar's closures and public holidays (leaves
        without resource). Kept in the registry cache, cleared when working
        hours, closures or public holidays change, so that a stage change does
        not read the calendar again.
        """
        start = utc.localize(month)
        stop = start + relativedelta(months=1)
        # sudo: cached for everyone, the intervals must not depend on who asks first
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        return tuple(
            (
                begin.astimezone(utc).replace(tzinfo=None),
                end.astimezone(utc).replace(tzinfo=None),
            )
            for begin, end, _meta in calendar._work_intervals_batch(start, stop)[False]
        )

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
                                if vals.get(column) is False
                                and column not in booleans
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
        Policy = self.env["sales.process.sla.policy"].sudo().with_context(
            active_test=False
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
    def _plan(self, calendar_id, start, hours):
        """The moment ``hours`` working hours after ``start``."""
        if not calendar_id:
            return start + timedelta(hours=hours)
        months = 2
        while months <= 48:
            timeline = WorkingTimeline(
                self._work_intervals(
                    calendar_id, start, start + relativedelta(months=months)
                )
            )
            moment = timeline.moment_after(start, hours)
            if moment:
                return moment
            months *= 2
        raise UserError(
            self.env._(
                "The working hours %(calendar)s have no working time in the next "
                "four years: no stage deadline can be planned with them.",
                calendar=self.env["resource.calendar"].browse(calendar_id).display_name,
            )
        )

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
        batch_size = self._sla_batch_size()
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

    @api.model
    def _sla_batch_size(self):
        # sudo: a technical setting, read whoever runs the sweep
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sales_process_automation.sla_batch_size", 500)
        )

    def _sla_process(self, now):
        Event = self.env["sales.process.sla.event"]
        done = {
            (event.history_id.id, event.kind, event.reminder_id.id)
            for event in Event.search_fetch(
                [("history_id", "in", self.ids)], ["history_id", "kind", "reminder_id"]
            )
        }
        event_vals = []
        reminded = defaultdict(lambda: self.browse())
        at_risk, breached = self.browse(), self.browse()
        for row in self:
            upcoming, due = [], []
            for moment, kind, reminder in self._sla_schedule(
                row.sla_policy_id,
                row.resource_calendar_id.id,
                row.date_in,
                row.date_deadline,
                row.date_at_risk,
                row.sla_consumed_hours,
            ):
                if (row.id, kind, reminder.id) in done:
                    continue
                if moment > now:
                    upcoming.append(moment)
                else:
                    due.append((moment, kind, reminder))
            # reminders fallen due one after the other before this sweep (it
            # was stopped, or the module just installed): only the latest ones
            # are sent, the earlier ones are passed
            latest = max(
                (moment for moment, kind, _reminder in due if kind == "reminder"),
                default=None,
            )
            # an approved extension turns the standard reminders off
            quiet = row.sla_excluded or row.lead_id.sales_process_extension_approved
            for moment, kind, reminder in due:
                skipped = (kind == "reminder" and (quiet or moment < latest)) or (
                    # a status the row already has (breached before a pause)
                    # is not notified again
                    kind != "reminder" and row.sla_status == "breached"
                )
                event_vals.append(
                    {
                        "history_id": row.id,
                        "kind": kind,
                        "reminder_id": reminder.id,
                        "date": now,
                        "skipped": skipped,
                    }
                )
                if skipped:
                    continue
                if kind == "reminder":
                    reminded[reminder] |= row
                elif kind == "breach":
                    breached |= row
                else:
                    at_risk |= row
            row.sla_next_check = min(upcoming, default=False)
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
        except Exception:
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
                mail_only_of=lambda document, row: row._sla_digest_recipients()
                - document.user_id,
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
        recipients speak two languages sends one email in each. Each activity is linked to its row: it is removed
        when the reason ends (``_sla_close_activities``). The recipients
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
            for lang, partners in (users | copied).partner_id.grouped(
                lambda partner: partner.lang or ""
            ).items():
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
        if self.date_deadline <= now:
            hours = self._working_hours(
                [(self.resource_calendar_id.id, self.date_deadline, now)]
            )[0]
            return self.env._(
                "%(record)s is %(time)s overdue in %(stage)s (deadline "
                "%(deadline)s): move it to its next stage, or ask for more time "
                "by marking it complex.",
                record=document.display_name,
                time=self._sla_time_in_words(hours),
                stage=stage,
                deadline=self._sla_format_deadline(),
            )
        hours = self._working_hours(
            [(self.resource_calendar_id.id, now, self.date_deadline)]
        )[0]
        return self.env._(
            "%(record)s has %(time)s left in %(stage)s (deadline %(deadline)s): "
            "move it to its next stage before then.",
            record=document.display_name,
            time=self._sla_time_in_words(hours),
            stage=stage,
            deadline=self._sla_format_deadline(),
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
        self.env.ref("sales_process_automation.ir_cron_sla_recompute")._trigger()

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
        batch_size = self._sla_batch_size()
        pending = self._sla_recompute_pending()
        for res_model in list(pending):
            domain = Domain("res_model", "=", res_model) & Domain("date_out", "=", False)
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
