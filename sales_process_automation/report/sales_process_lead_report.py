# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..tools import metrics
from ..tools.stalled_leads import STALLED_DEPENDS, stalled_condition

# the lead columns the SQL-view reports read
LEAD_DEPENDS = [
    "active",
    "type",
    "user_id",
    "team_id",
    "company_id",
    "partner_id",
    "stage_id",
    "source_id",
    "medium_id",
    "campaign_id",
    "lost_reason_id",
    "won_status",
    "expected_revenue",
    "date_closed",
    "date_last_stage_update",
    "sales_process_complex",
]


class SalesProcessLeadReport(models.Model):
    """One row per lead or opportunity, lost ones included."""

    _name = "sales.process.lead.report"
    _inherit = ["sales.process.lead.dimension.mixin"]
    _description = "Lead Analysis"
    _auto = False
    _depends = {
        "crm.lead": LEAD_DEPENDS,
        **{
            model: fnames
            for model, fnames in STALLED_DEPENDS.items()
            if model != "crm.lead"
        },
        "sales.process.stage.history": ["lead_id", "date_out", "sla_status"],
        "res.company": ["currency_id", *STALLED_DEPENDS["res.company"]],
    }
    _rec_name = "lead_id"
    _order = "create_date desc, id desc"

    type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")], readonly=True
    )
    create_date = fields.Datetime(string="Created On", readonly=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    lost_reason_id = fields.Many2one(
        "crm.lost.reason", string="Lost Reason", readonly=True
    )
    won_status = fields.Selection(
        [("won", "Won"), ("lost", "Lost"), ("pending", "Open")],
        string="Outcome",
        readonly=True,
    )
    is_stalled = fields.Boolean(
        string="Stalled",
        readonly=True,
        help="Open, with neither a stage change nor an activity planned or done "
        "for the stalled days of its company.",
    )
    open_count = fields.Integer(string="Open", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    conversion_rate = fields.Float(
        string="Won (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Share of the closed leads that were won.",
    )
    stalled_rate = fields.Float(
        string="Stalled (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Share of the open leads that are stalled.",
    )
    complex_rate = fields.Float(
        string="Complex (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Share of the opportunities marked complex (request waiting or approved).",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    expected_revenue = fields.Monetary(readonly=True)
    won_revenue = fields.Monetary(readonly=True)
    open_breach_count = fields.Integer(
        string="Open SLA Breaches",
        readonly=True,
        help="Leads past the deadline of the stage they are in now.",
    )
    breach_count = fields.Integer(
        string="SLA Breaches in History",
        readonly=True,
        help="Stages in which the lead breached its SLA, left since or not.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                SELECT lead.id,
                       lead.id AS lead_id,
                       lead.type,
                       lead.create_date,
                       lead.date_closed,
                       lead.user_id,
                       lead.team_id,
                       lead.company_id,
                       lead.partner_id,
                       lead.stage_id,
                       lead.source_id,
                       lead.medium_id,
                       lead.campaign_id,
                       lead.lost_reason_id,
                       lead.won_status,
                       (%(stalled)s) AS is_stalled,
                       (lead.won_status = 'pending' AND lead.active)::int
                           AS open_count,
                       (lead.won_status = 'won')::int AS won_count,
                       (lead.won_status = 'lost')::int AS lost_count,
                       CASE lead.won_status WHEN 'won' THEN 100.0
                            WHEN 'lost' THEN 0.0 END AS conversion_rate,
                       CASE WHEN lead.won_status = 'pending' AND lead.active
                            THEN CASE WHEN %(stalled)s THEN 100.0 ELSE 0.0 END
                       END AS stalled_rate,
                       CASE WHEN lead.type = 'opportunity'
                            THEN CASE WHEN lead.sales_process_complex
                                      THEN 100.0 ELSE 0.0 END
                       END AS complex_rate,
                       company.currency_id,
                       lead.expected_revenue,
                       CASE WHEN lead.won_status = 'won'
                            THEN lead.expected_revenue ELSE 0.0 END AS won_revenue,
                       COALESCE(breach.open_count, 0)::int AS open_breach_count,
                       COALESCE(breach.count, 0)::int AS breach_count
                  FROM crm_lead lead
                  LEFT JOIN res_company company ON company.id = lead.company_id
                  LEFT JOIN (
                      SELECT history.lead_id,
                             COUNT(*) AS count,
                             COUNT(*) FILTER (WHERE %(open_breach)s) AS open_count
                        FROM sales_process_stage_history history
                       WHERE %(breach)s
                         AND history.lead_id IS NOT NULL
                       GROUP BY history.lead_id
                  ) breach ON breach.lead_id = lead.id
                )
                """,
                view=SQL.identifier(self._table),
                open_breach=metrics.is_open_breach("history"),
                breach=metrics.is_breach_in_history("history"),
                stalled=stalled_condition(
                    SQL("lead"), SQL("(now() AT TIME ZONE 'UTC')")
                ),
            )
        )
