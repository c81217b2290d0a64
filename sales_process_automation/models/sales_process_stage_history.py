# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from bisect import bisect_right
from itertools import accumulate

from dateutil.relativedelta import relativedelta
from pytz import utc

from odoo import api, fields, models
from odoo.tools import SQL, ormcache

HISTORY_MODELS = [
    ("crm.lead", "Lead/Opportunity"),
    ("sale.order", "Quotation/Order"),
    ("helpdesk.ticket", "Ticket"),
]


class WorkingTimeline:
    """Working seconds elapsed since the start of sorted work intervals.

    The working time of a period is then found by bisection.
    """

    def __init__(self, intervals):
        self.starts = [start for start, _stop in intervals]
        self.stops = [stop for _start, stop in intervals]
        durations = [(stop - start).total_seconds() for start, stop in intervals]
        self.before = [0.0, *accumulate(durations)]

    def _elapsed(self, moment):
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0.0
        inside = min(moment, self.stops[index]) - self.starts[index]
        return self.before[index] + inside.total_seconds()

    def hours_between(self, start, stop):
        return max(self._elapsed(stop) - self._elapsed(start), 0.0) / 3600.0


class SalesProcessStageHistory(models.Model):
    _name = "sales.process.stage.history"
    _description = "Stage History"
    _order = "date_in desc, id desc"

    res_model = fields.Selection(
        HISTORY_MODELS, string="Document Type", required=True, index=True
    )
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
    company_id = fields.Many2one("res.company", index=True)
    crm_stage_id = fields.Many2one("crm.stage", string="CRM Stage", index=True)
    ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage", string="Ticket Stage", index=True
    )
    order_state = fields.Selection(
        lambda self: self.env["sale.order"]._fields["state"].selection,
        string="Order Status",
        index=True,
    )
    date_in = fields.Datetime(string="Entered On", required=True, index=True)
    date_out = fields.Datetime(string="Left On", index=True)
    date_deadline = fields.Datetime(
        string="Planned End",
        help="When the record is expected to leave this stage, set by the stage "
        "SLA policy that applies.",
    )
    user_id = fields.Many2one("res.users", string="Owner", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", index=True
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
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
        index=True,
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

    @api.depends("lead_id", "order_id", "ticket_id")
    def _compute_display_name(self):
        for row in self:
            document = row.lead_id or row.order_id or row.ticket_id
            row.display_name = document.display_name

    @api.model_create_multi
    def create(self, vals_list):
        self._add_durations(vals_list)
        return super().create(vals_list)

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

        Without a calendar, every hour counts.
        """
        hours = []
        for calendar_id, start, stop in periods:
            if calendar_id:
                timeline = WorkingTimeline(
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
    def _insert_rows(self, vals_list):
        """Insert rows in one statement whatever their number.

        The ORM would insert them 100 at a time; a stage change on a large batch
        must cost the same few queries as on one record.
        """
        if not vals_list:
            return
        columns = sorted(set().union(*vals_list))
        now = fields.Datetime.now()
        audit = [self.env.uid, now, self.env.uid, now]
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s",
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
                                    else vals.get(column)
                                    for column in columns
                                ),
                                *audit,
                            ]
                        ),
                    )
                    for vals in vals_list
                ),
            )
        )
        self.invalidate_model()

    @api.model
    def _close_open_rows(self, link, record_ids, date_out):
        """Close the open rows of the given records at ``date_out``.

        Abnormal rows stay abnormal. Two statements whatever the number of rows.
        """
        link_column = SQL.identifier(link)
        rows = self.env.execute_query(
            SQL(
                "SELECT id, resource_calendar_id, date_in FROM %s"
                " WHERE %s = ANY(%s) AND date_out IS NULL",
                SQL.identifier(self._table),
                link_column,
                list(record_ids),
            )
        )
        if not rows:
            return
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
