# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.sales_process_stage_history import HISTORY_DEPENDS
from ..tools import metrics
from .sales_process_lead_report import LEAD_DEPENDS

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
    the stage it entered last (flags kept on the stage history rows, see
    ``_refresh_funnel_flags``). Entries and the conversion of a stage are the
    ones of ``tools/metrics.py``: the share counts the first entries that are
    decided; entries still in their stage, re-entries and entries of a won
    stage do not count.
    """

    _name = "sales.process.funnel.report"
    _inherit = [
        "sales.process.lead.dimension.mixin",
        "sales.process.document.drilldown.mixin",
    ]
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
    entry_count = fields.Integer(
        string="Entries (Leads)",
        readonly=True,
        help="Leads that entered the stage: a lead back in a stage it already "
        "entered is not counted again.",
    )
    reached_next_rate = fields.Float(
        string="Conversion (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Among the leads that entered the stage and are decided (reached a "
        "further stage, were lost in it or went back), the share that reached a "
        "further stage. Leads still in the stage and won stages do not count.",
    )
    won_rate = fields.Float(
        string="Won (%)",
        digits=(16, 0),
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
        string="SLA Breached in History (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Share of the stays under an SLA that breached it, left since or not.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                -- the flags are kept on the stage rows as leads move: no
                -- window over all rows here; the lead is joined only when its
                -- columns are read
                WITH judged AS (
                    SELECT history.id,
                           history.lead_id,
                           history.crm_stage_id,
                           history.date_in,
                           history.date_out,
                           history.user_id,
                           history.team_id,
                           history.company_id,
                           history.first_entry,
                           history.working_hours,
                           history.sla_policy_id,
                           history.sla_status,
                           %(entry)s AS entry,
                           %(conversion)s AS conversion,
                           CASE
                               WHEN stage.is_won THEN 'won'
                               WHEN history.reached_further_stage THEN 'advanced'
                               WHEN history.lost_in_stage THEN 'lost'
                               WHEN history.date_out IS NULL THEN 'open'
                               ELSE 'back'
                           END AS outcome
                      FROM sales_process_stage_history history
                      JOIN crm_stage stage ON stage.id = history.crm_stage_id
                     WHERE history.lead_id IS NOT NULL
                )
                SELECT judged.id,
                       judged.lead_id,
                       judged.crm_stage_id,
                       judged.date_in,
                       judged.date_out,
                       judged.user_id,
                       judged.team_id,
                       judged.company_id,
                       lead.partner_id,
                       lead.source_id,
                       lead.medium_id,
                       lead.campaign_id,
                       judged.entry AS first_entry,
                       judged.outcome,
                       judged.entry::int AS entry_count,
                       judged.conversion AS reached_next_rate,
                       CASE lead.won_status WHEN 'won' THEN 100.0
                            WHEN 'lost' THEN 0.0 END AS won_rate,
                       (judged.outcome = 'lost')::int AS lost_count,
                       CASE WHEN judged.date_out IS NOT NULL
                            THEN judged.working_hours END AS working_hours,
                       %(breach_share)s AS breach_rate
                  FROM judged
                  LEFT JOIN crm_lead lead ON lead.id = judged.lead_id
                )
                """,
                view=SQL.identifier(self._table),
                entry=metrics.is_entry("history"),
                conversion=metrics.conversion_outcome("history", "stage"),
                breach_share=metrics.breach_share("judged"),
            )
        )
