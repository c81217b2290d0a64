# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

from ..tools.cron_cursor import read_cursor, write_cursor


class SalesProcessHistoryFlagsMixin(models.AbstractModel):
    """The flags the figures read on the stage rows instead of comparing
    rows: the funnel flags of the leads' rows, and whether a row's SLA
    reminded or escalated. Kept by one statement whatever the number of rows.
    """

    _name = "sales.process.history.flags.mixin"
    _description = "Stage History Figure Flags"

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
