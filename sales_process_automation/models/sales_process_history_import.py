# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class SalesProcessHistoryImport(models.Model):
    """A past stage movement of a lead, imported from a file.

    Each line writes one closed stage history row of its lead. A movement is
    known by its lead, its stage and when it was entered: importing the same
    file again writes nothing.
    """

    _name = "sales.process.history.import"
    _description = "Imported Stage Movement"
    _order = "lead_id, date_in, id"
    _check_company_auto = True

    lead_id = fields.Many2one(
        "crm.lead",
        # no slash: Odoo's import reads one as a sub-field of the column
        string="Lead",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    crm_stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, ondelete="restrict"
    )
    date_in = fields.Datetime(string="Entered On", required=True)
    date_out = fields.Datetime(string="Left On", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        help="Who owned the lead in that stage; the lead's salesperson if empty.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    history_id = fields.Many2one(
        "sales.process.stage.history",
        string="Stage History Row",
        readonly=True,
        ondelete="cascade",
    )

    _movement_key = models.UniqueIndex("(lead_id, crm_stage_id, date_in)")
    _date_out_after_date_in = models.Constraint(
        "CHECK(date_out >= date_in)",
        "A stage cannot be left before it was entered.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Write the stage history rows of the new movements, in one statement.

        A movement imported before (same lead, stage and entry) is not written
        again: its line is returned. Reversed periods and periods that overlap
        another stage of the lead (in the file or in its history, its current
        stage included) are refused with their row number.
        """
        rows = self.env.context.get("sales_process_import_rows") or [
            index + 1 for index in range(len(vals_list))
        ]
        movements = [self._history_import_movement(vals) for vals in vals_list]
        leads = self.env["crm.lead"].browse(
            {lead_id for lead_id, *_rest in movements if lead_id}
        )
        previous = {
            line._history_import_key(): line
            for line in self.search([("lead_id", "in", leads.ids)])
        }
        errors, result, new = [], [], {}
        for row, vals, movement in zip(rows, vals_list, movements, strict=True):
            key = movement[:3]
            line = previous.get(key)
            if line:
                if (line.date_out, line.user_id.id) != movement[3:]:
                    errors.append(
                        self.env._(
                            "Row %(row)s: this movement of %(lead)s was imported "
                            "before with another leaving date or owner.",
                            row=row,
                            lead=line.lead_id.display_name,
                        )
                    )
                result.append(line)
            elif key in new:
                # the same movement twice in one file: written once
                result.append(new[key])
            else:
                new[key] = (row, vals, movement)
                result.append(key)
        errors += self._history_import_errors(list(new.values()), leads)
        if errors:
            raise ValidationError("\n".join(errors))
        self._history_import_analyze()
        written = self._history_import_write_rows(
            [movement for _row, _vals, movement in new.values()]
        )
        lines = super().create(
            [
                {**vals, "company_id": company_id, "history_id": history_id}
                for (_row, vals, _movement), (history_id, company_id) in zip(
                    new.values(), written, strict=True
                )
            ]
        )
        created = dict(zip(new, lines, strict=True))
        return self.browse(
            [(created[item] if isinstance(item, tuple) else item).id for item in result]
        )

    def _history_import_key(self):
        self.ensure_one()
        return (self.lead_id.id, self.crm_stage_id.id, self.date_in)

    @api.model
    def _history_import_movement(self, vals):
        """``(lead id, stage id, entered on, left on, owner id)`` of a line."""
        return (
            vals.get("lead_id"),
            vals.get("crm_stage_id"),
            fields.Datetime.to_datetime(vals.get("date_in")),
            fields.Datetime.to_datetime(vals.get("date_out")),
            vals.get("user_id") or False,
        )

    @api.model
    def _history_import_errors(self, new, leads):
        """One message per reversed or overlapping movement of ``new``.

        ``new``: ``(row, vals, movement)``. A movement overlaps when it shares
        time with another movement of its lead in the file, or with a row of
        the lead's history (the open row of its current stage runs until now
        and on).
        """
        # sudo: the periods of every row of the lead count, whichever of the
        # lead's rows the importer's rules let them read
        history = (
            self.env["sales.process.stage.history"]
            .sudo()
            .search_fetch(
                [("lead_id", "in", leads.ids)],
                ["lead_id", "crm_stage_id", "date_in", "date_out"],
            )
        )
        periods = defaultdict(list)
        for history_row in history:
            periods[history_row.lead_id.id].append(
                (
                    history_row.date_in,
                    history_row.date_out or datetime.max,
                    history_row.crm_stage_id.name,
                    None,
                )
            )
        errors = []
        for row, _vals, (lead_id, stage_id, date_in, date_out, _user) in new:
            lead = leads.browse(lead_id)
            if not (lead_id and stage_id and date_in and date_out):
                errors.append(
                    self.env._(
                        "Row %(row)s: the lead, the stage and both dates are required.",
                        row=row,
                    )
                )
                continue
            if date_out < date_in:
                errors.append(
                    self.env._(
                        "Row %(row)s: %(lead)s leaves the stage on %(left)s, "
                        "before it entered it on %(entered)s.",
                        row=row,
                        lead=lead.display_name,
                        left=date_out,
                        entered=date_in,
                    )
                )
                continue
            for start, stop, stage, other_row in periods[lead_id]:
                if start < date_out and date_in < stop:
                    errors.append(
                        self._history_import_overlap(
                            row, lead, stage, start, stop, other_row
                        )
                    )
                    break
            periods[lead_id].append(
                (
                    date_in,
                    date_out,
                    self.env["crm.stage"].browse(stage_id).name,
                    row,
                )
            )
        return errors

    @api.model
    def _history_import_overlap(self, row, lead, stage, start, stop, other_row):
        if other_row:
            return self.env._(
                "Row %(row)s: the period overlaps the one of row %(other)s for "
                "%(lead)s.",
                row=row,
                other=other_row,
                lead=lead.display_name,
            )
        if stop == datetime.max:
            return self.env._(
                "Row %(row)s: %(lead)s is in %(stage)s since %(start)s: a past "
                "movement must end before.",
                row=row,
                lead=lead.display_name,
                stage=stage,
                start=start,
            )
        return self.env._(
            "Row %(row)s: %(lead)s was in %(stage)s from %(start)s to %(stop)s, "
            "which overlaps this period.",
            row=row,
            lead=lead.display_name,
            stage=stage,
            start=start,
            stop=stop,
        )

    @api.model
    def _history_import_analyze(self):
        """Give the planner the size of the stage history when its statistics
        say it is empty (a new database being migrated).

        Believing the table empty, the planner reads the whole history for
        the funnel flags of each batch: a million rows imported in one
        transaction then took hours instead of minutes. ANALYZE counts the
        rows this transaction wrote; once the statistics know some rows, the
        planner scales them with the table's size and this is not needed.
        """
        table = self.env["sales.process.stage.history"]._table
        self.env.cr.execute(
            SQL(
                "SELECT reltuples <= 0 AND pg_relation_size(oid) > 0 "
                "FROM pg_class WHERE oid = %s::regclass",
                table,
            )
        )
        if self.env.cr.fetchone()[0]:
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _history_import_write_rows(self, movements):
        """``(id, company id)`` of the closed history rows of ``movements``,
        inserted in one statement, their working hours counted in their
        lead's working calendar."""
        # sudo: the history is maintained by the system, users only read it
        History = self.env["sales.process.stage.history"].sudo()
        # iterated, not browsed one by one: the leads are read together
        leads = {
            lead.id: lead
            for lead in self.env["crm.lead"]
            .sudo()
            .browse({movement[0] for movement in movements})
        }
        stages = self.env["crm.stage"]
        # the values a lead gives its rows (team, company, calendar, owner)
        # are read once per lead, not once per movement
        lead_values = {}
        vals_list = []
        for lead_id, stage_id, date_in, date_out, user_id in movements:
            base = lead_values.get(lead_id)
            if base is None:
                base = leads[lead_id]._stage_history_row_values(
                    stages.browse(stage_id), date_in, date_out
                )
                lead_values[lead_id] = base
            vals = {
                **base,
                "crm_stage_id": stage_id,
                "date_in": date_in,
                "date_out": date_out,
            }
            vals["user_id"] = user_id or base["user_id"]
            vals_list.append(vals)
        History._add_durations(vals_list)
        self._history_import_funnel_flags(vals_list, leads)
        rows = History._insert_rows(vals_list)
        self.env["crm.lead"].browse(list(leads)).invalidate_recordset(
            ["sales_process_stage_history_ids"]
        )
        return [
            (row_id, vals["company_id"])
            for row_id, vals in zip(rows.ids, vals_list, strict=True)
        ]

    @api.model
    def _history_import_funnel_flags(self, vals_list, leads, new_leads=False):
        """Set the funnel flags of the new rows' values before their INSERT.

        The refresh that follows the INSERT stays the reference: it finds
        these rows right and does not write them again, where updating rows
        inserted in the same transaction costs their indexes and foreign key
        checks once more. ``leads``: ``{id: lead}`` of the rows; with
        ``new_leads``, leads just created, which have no row yet.
        """
        History = self.env["sales.process.stage.history"]
        # sudo: every row of the lead counts, as in the refresh
        existing = (
            History
            if new_leads
            else History.sudo().search_fetch(
                [("lead_id", "in", list(leads)), ("crm_stage_id", "!=", False)],
                ["lead_id", "crm_stage_id", "date_in"],
            )
        )
        # in the refresh's order, date entered then id: the new rows come
        # after the existing ones, in the order of their INSERT
        timelines = defaultdict(list)
        for history_row in existing:
            timelines[history_row.lead_id.id].append(
                (
                    (history_row.date_in, 0, history_row.id),
                    history_row.crm_stage_id.id,
                    None,
                )
            )
        for index, vals in enumerate(vals_list):
            timelines[vals["lead_id"]].append(
                ((vals["date_in"], 1, index), vals["crm_stage_id"], vals)
            )
        # the last row of a lead reached no further stage: the stages are
        # ranked only for the leads with several rows
        ranks = {}
        if any(len(timeline) > 1 for timeline in timelines.values()):
            ranks = {
                stage_id: rank
                for rank, (stage_id,) in enumerate(
                    self.env["crm.stage"]._sales_process_ranking()
                )
            }
        for lead_id, timeline in timelines.items():
            timeline.sort(key=lambda item: item[0])
            lost = leads[lead_id].won_status == "lost"
            # the highest rank entered after each row, -1 after the last one
            later_ranks = [-1]
            for _key, stage_id, _vals in reversed(timeline[1:]):
                later_ranks.append(max(later_ranks[-1], ranks[stage_id]))
            later_ranks.reverse()
            entered = set()
            last = len(timeline) - 1
            for position, (_key, stage_id, vals) in enumerate(timeline):
                if vals is not None:
                    vals["first_entry"] = stage_id not in entered
                    vals["reached_further_stage"] = (
                        position < last and later_ranks[position] > ranks[stage_id]
                    )
                    vals["lost_in_stage"] = lost and position == last
                entered.add(stage_id)

    def _check_company(self, fnames=None):
        """Check only the lines whose company is not their lead's.

        ``create`` gives each line its lead's company, which the check of the
        lead then always accepts: Odoo's check, one domain filter per line,
        took a third of a large import's time.
        """
        others = self.filtered(lambda line: line.company_id != line.lead_id.company_id)
        return super(SalesProcessHistoryImport, others)._check_company(fnames)

    def _load_records(self, data_list, update=False):
        """Number the rows of Odoo's import for the messages of ``create``."""
        offset = self.env.context.get("sales_process_import_row_offset", 1)
        return super(
            SalesProcessHistoryImport,
            self.with_context(
                sales_process_import_rows=[
                    data["info"]["rows"]["from"] + offset for data in data_list
                ]
            ),
        )._load_records(data_list, update=update)
