# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.sales_process_stage_history import (
    HISTORY_DEPENDS,
    HISTORY_MODELS,
    SLA_STATUSES,
)
from ..tools import metrics

# measures read as a percentile of the working hours, whatever the grouping
PERCENTILES = {"median_hours": 0.5, "p90_hours": 0.9}


class SalesProcessStageTimeReport(models.Model):
    """One row per stage entered by a lead, a quotation or a ticket.

    The median and the 90th percentile are computed by PostgreSQL over the
    rows of each group (``percentile_cont``), so they are exact at any grouping,
    not averages of averages. Only stages left count in the times.
    """

    _name = "sales.process.stage.time.report"
    _inherit = ["sales.process.document.drilldown.mixin"]
    _description = "Time per Stage Analysis"
    _auto = False
    _depends = {"sales.process.stage.history": HISTORY_DEPENDS}
    _order = "date_in desc, id desc"

    history_id = fields.Many2one(
        "sales.process.stage.history", string="Stage History", readonly=True
    )
    res_model = fields.Selection(HISTORY_MODELS, string="Document Type", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", readonly=True)
    order_id = fields.Many2one("sale.order", string="Quotation/Order", readonly=True)
    ticket_id = fields.Many2one("helpdesk.ticket", string="Ticket", readonly=True)
    crm_stage_id = fields.Many2one("crm.stage", string="CRM Stage", readonly=True)
    ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage", string="Ticket Stage", readonly=True
    )
    order_state = fields.Selection(
        lambda self: self.env["sale.order"]._fields["state"].selection,
        string="Order Status",
        readonly=True,
    )
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    date_in = fields.Datetime(string="Entered On", readonly=True)
    date_out = fields.Datetime(string="Left On", readonly=True)
    sla_policy_id = fields.Many2one(
        "sales.process.sla.policy", string="SLA Policy", readonly=True
    )
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True)
    date_deadline = fields.Datetime(
        string="SLA Deadline",
        readonly=True,
        help="When the stay was due to end: for a breached stay, when it breached.",
    )
    age_bucket = fields.Selection(
        metrics.AGE_BUCKETS,
        string="In the Stage For",
        readonly=True,
        help="How long the record is in the stage it is in now (calendar days).",
    )
    working_hours = fields.Float(
        string="Average (Working Hours)", readonly=True, aggregator="avg"
    )
    median_hours = fields.Float(
        string="Median (Working Hours)", readonly=True, aggregator="avg"
    )
    p90_hours = fields.Float(
        string="90th Percentile (Working Hours)", readonly=True, aggregator="avg"
    )
    open_breach_count = fields.Integer(
        string="Open SLA Breaches",
        readonly=True,
        help="Records past the deadline of the stage they are in now.",
    )
    breach_count = fields.Integer(
        string="SLA Breaches in History",
        readonly=True,
        help="Stages whose SLA was breached, left since or not.",
    )
    breach_rate = fields.Float(
        string="SLA Breached in History (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Share of the stages under an SLA that breached it.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                SELECT history.id,
                       history.id AS history_id,
                       history.res_model,
                       history.lead_id,
                       history.order_id,
                       history.ticket_id,
                       history.crm_stage_id,
                       history.ticket_stage_id,
                       history.order_state,
                       history.user_id,
                       history.team_id,
                       history.helpdesk_team_id,
                       history.company_id,
                       history.date_in,
                       history.date_out,
                       history.sla_policy_id,
                       history.sla_status,
                       history.date_deadline,
                       %(age_bucket)s AS age_bucket,
                       CASE WHEN history.date_out IS NOT NULL
                            THEN history.working_hours END AS working_hours,
                       CASE WHEN history.date_out IS NOT NULL
                            THEN history.working_hours END AS median_hours,
                       CASE WHEN history.date_out IS NOT NULL
                            THEN history.working_hours END AS p90_hours,
                       COALESCE(%(open_breach)s, FALSE)::int AS open_breach_count,
                       COALESCE(%(breach)s, FALSE)::int AS breach_count,
                       %(breach_share)s AS breach_rate
                  FROM sales_process_stage_history history
                )
                """,
                view=SQL.identifier(self._table),
                open_breach=metrics.is_open_breach("history"),
                breach=metrics.is_breach_in_history("history"),
                breach_share=metrics.breach_share("history"),
                age_bucket=metrics.age_bucket("history"),
            )
        )

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in PERCENTILES:
            # both percentiles order the same column: PostgreSQL sorts it once
            self._check_field_access(self._fields[fname], "read")
            return SQL(
                "PERCENTILE_CONT(%s) WITHIN GROUP (ORDER BY %s)",
                PERCENTILES[fname],
                self._field_to_sql(self._table, "working_hours", query),
            )
        return super()._read_group_select(aggregate_spec, query)
