# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from .sales_process_lead_report import LEAD_DEPENDS
from .sales_process_stage_history import HISTORY_DEPENDS

OUTCOMES = [
    ("advanced", "Reached a Further Stage"),
    ("open", "Still in the Stage"),
    ("won", "Won Stage"),
    ("lost", "Lost Here"),
    ("back", "Moved Back"),
]
# what the funnel view reads (the bottleneck view reads the funnel view)
FUNNEL_DEPENDS = {
    "sales.process.stage.history": HISTORY_DEPENDS,
    "crm.lead": LEAD_DEPENDS,
    "crm.stage": ["sequence", "is_won"],
}


class SalesProcessFunnelReport(models.Model):
    """One row per stage a lead entered, with what became of it.

    Stages are ranked by sequence (then id). An entry reached the next stage
    when the lead later entered a stage ranked higher; a lost lead is lost in
    the stage it entered last. The share of entries
    that reached the next stage counts the entries that are decided: entries
    still in their stage and entries of a won stage do not count.
    """

    _name = "sales.process.funnel.report"
    _inherit = ["sales.process.lead.dimension.mixin"]
    _description = "Funnel Analysis"
    _auto = False
    _depends = FUNNEL_DEPENDS
    _rec_name = "lead_id"
    _order = "date_in desc, id desc"

    crm_stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    date_in = fields.Datetime(string="Entered On", readonly=True)
    date_out = fields.Datetime(string="Left On", readonly=True)
    first_entry = fields.Boolean(
        readonly=True,
        help="The first time the lead entered this stage: counting first entries "
        "counts leads, not moves.",
    )
    outcome = fields.Selection(OUTCOMES, readonly=True)
    reached_next_rate = fields.Float(
        string="Reached Next Stage (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the decided entries after which the lead entered a further "
        "stage.",
    )
    won_rate = fields.Float(
        string="Won (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the closed leads that were won.",
    )
    lost_count = fields.Integer(
        string="Lost Here", readonly=True, help="Leads lost while in this stage."
    )
    working_hours = fields.Float(
        string="Time Spent (Working Hours)", readonly=True, aggregator="avg"
    )
    breach_rate = fields.Float(
        string="SLA Breached (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the entries under an SLA that breached it.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                WITH stage AS (
                    SELECT id, is_won,
                           ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank
                      FROM crm_stage
                ), entry AS (
                    -- one sort for both windows: the stages entered later
                    -- and the stages entered before
                    SELECT history.id,
                           history.lead_id,
                           history.crm_stage_id,
                           history.date_in,
                           history.date_out,
                           history.user_id,
                           history.team_id,
                           history.company_id,
                           history.working_hours,
                           history.sla_policy_id,
                           history.sla_status,
                           stage.rank,
                           stage.is_won,
                           MAX(stage.rank) OVER later AS later_rank,
                           ARRAY_AGG(history.crm_stage_id) OVER earlier
                               AS earlier_stages
                      FROM sales_process_stage_history history
                      JOIN stage ON stage.id = history.crm_stage_id
                     WHERE history.lead_id IS NOT NULL
                    WINDOW later AS (
                               PARTITION BY history.lead_id
                               ORDER BY history.date_in, history.id
                               ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
                           ),
                           earlier AS (
                               PARTITION BY history.lead_id
                               ORDER BY history.date_in, history.id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                           )
                ), judged AS (
                    SELECT entry.*,
                           lead.partner_id,
                           lead.source_id,
                           lead.medium_id,
                           lead.campaign_id,
                           lead.won_status,
                           CASE
                               WHEN entry.is_won THEN 'won'
                               WHEN entry.later_rank > entry.rank THEN 'advanced'
                               WHEN lead.won_status = 'lost'
                                    AND entry.later_rank IS NULL THEN 'lost'
                               WHEN entry.date_out IS NULL THEN 'open'
                               ELSE 'back'
                           END AS outcome
                      FROM entry
                      JOIN crm_lead lead ON lead.id = entry.lead_id
                )
                SELECT id,
                       lead_id,
                       crm_stage_id,
                       date_in,
                       date_out,
                       user_id,
                       team_id,
                       company_id,
                       partner_id,
                       source_id,
                       medium_id,
                       campaign_id,
                       COALESCE(NOT crm_stage_id = ANY(earlier_stages), TRUE)
                           AS first_entry,
                       outcome,
                       CASE outcome WHEN 'advanced' THEN 100.0
                            WHEN 'lost' THEN 0.0 WHEN 'back' THEN 0.0
                       END AS reached_next_rate,
                       CASE won_status WHEN 'won' THEN 100.0
                            WHEN 'lost' THEN 0.0 END AS won_rate,
                       (outcome = 'lost')::int AS lost_count,
                       CASE WHEN date_out IS NOT NULL THEN working_hours END
                           AS working_hours,
                       CASE WHEN sla_policy_id IS NULL THEN NULL
                            WHEN sla_status = 'breached' THEN 100.0 ELSE 0.0
                       END AS breach_rate
                  FROM judged
                )
                """,
                view=SQL.identifier(self._table),
            )
        )
