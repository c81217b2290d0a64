# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.sales_process_stage_history import HISTORY_MODELS
from ..tools import metrics

# shares and rates computed over the sums of each group, whatever the
# grouping: (function of tools/metrics.py, numerator, denominator)
RATIOS = {
    "reminders_per_stay": (metrics.per, "reminder_count", "stay_count"),
    "breach_rate": (metrics.share, "breached_count", "stay_count"),
    "useless_reminder_rate": (
        metrics.share,
        "reminded_breached_count",
        "reminded_count",
    ),
}


class SalesProcessSlaReviewReport(models.Model):
    """The monthly review of the stage SLA policies: one row per policy and
    month, over the stays that entered the policy's stage under it that month.

    Read from the stage history and the SLA events the sweep logs; an active
    policy has a row for every month since it was created. Shares and rates
    are computed over the sums of each group, so they are exact at any
    grouping (``tools/metrics.py`` defines the figures).
    """

    _name = "sales.process.sla.review.report"
    _description = "SLA Policy Review"
    _auto = False
    _depends = {
        "sales.process.stage.history": ["sla_policy_id", "date_in", "sla_status"],
        "sales.process.sla.event": ["history_id", "kind", "skipped", "failed"],
        "sales.process.sla.policy": ["active", "company_id", "res_model"],
    }
    _rec_name = "policy_id"
    _order = "month desc, policy_id"

    month = fields.Date(readonly=True)
    policy_id = fields.Many2one(
        "sales.process.sla.policy", string="SLA Policy", readonly=True
    )
    res_model = fields.Selection(HISTORY_MODELS, string="Applies To", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    stay_count = fields.Integer(
        string="Stays",
        readonly=True,
        help="Records that entered the policy's stage under it in the month.",
    )
    reminder_count = fields.Integer(
        string="Reminders Sent",
        readonly=True,
        help="Reminders sent about these stays (skipped or failed ones excluded).",
    )
    escalation_count = fields.Integer(
        string="Escalations Sent",
        readonly=True,
        help="Breaches notified to the managers (mail or digest).",
    )
    reminders_per_stay = fields.Float(
        string="Reminders per Stay", digits=(16, 1), readonly=True, aggregator="avg"
    )
    breached_count = fields.Integer(string="Breached", readonly=True)
    breach_rate = fields.Float(
        string="Breached (%)", digits=(16, 0), readonly=True, aggregator="avg"
    )
    reminded_count = fields.Integer(
        string="Stays Reminded",
        readonly=True,
        help="Stays that got at least one reminder.",
    )
    reminded_breached_count = fields.Integer(
        string="Reminded and Breached", readonly=True
    )
    useless_reminder_rate = fields.Float(
        string="Reminded but Breached (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Among the stays reminded, the share that breached anyway: the "
        "reminders that did not help.",
    )
    useless_reminders = fields.Boolean(
        string="Frequent but Useless Reminders",
        readonly=True,
        help="The policy sends at least 1.5 reminders per stay, and at least "
        "half of the stays reminded breached anyway.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                WITH months AS (%(months)s), stays AS (
                    SELECT history.id,
                           history.sla_policy_id,
                           date_trunc('month', history.date_in)::date AS month,
                           COALESCE(%(breached)s, FALSE) AS breached,
                           COUNT(event.id) FILTER (WHERE event.kind = 'reminder')
                               AS reminders,
                           COUNT(event.id) FILTER (WHERE event.kind = 'breach')
                               AS escalations
                      FROM sales_process_stage_history history
                      LEFT JOIN sales_process_sla_event event
                        ON event.history_id = history.id
                       AND NOT COALESCE(event.skipped, FALSE)
                       AND NOT COALESCE(event.failed, FALSE)
                     WHERE history.sla_policy_id IS NOT NULL
                     GROUP BY history.id
                ), figures AS (
                    SELECT sla_policy_id AS policy_id,
                           month,
                           COUNT(*) AS stay_count,
                           SUM(reminders) AS reminder_count,
                           SUM(escalations) AS escalation_count,
                           COUNT(*) FILTER (WHERE breached) AS breached_count,
                           COUNT(*) FILTER (WHERE reminders > 0) AS reminded_count,
                           COUNT(*) FILTER (WHERE reminders > 0 AND breached)
                               AS reminded_breached_count
                      FROM stays
                     GROUP BY sla_policy_id, month
                ), counted AS (
                    SELECT months.policy_id,
                           months.month,
                           policy.res_model,
                           policy.company_id,
                           policy.active,
                           figures.policy_id IS NOT NULL AS has_stays,
                           COALESCE(figures.stay_count, 0) AS stay_count,
                           COALESCE(figures.reminder_count, 0) AS reminder_count,
                           COALESCE(figures.escalation_count, 0) AS escalation_count,
                           COALESCE(figures.breached_count, 0) AS breached_count,
                           COALESCE(figures.reminded_count, 0) AS reminded_count,
                           COALESCE(figures.reminded_breached_count, 0)
                               AS reminded_breached_count
                      FROM months
                      JOIN sales_process_sla_policy policy
                        ON policy.id = months.policy_id
                      LEFT JOIN figures
                        ON figures.policy_id = months.policy_id
                       AND figures.month = months.month
                )
                SELECT ROW_NUMBER() OVER (ORDER BY month, policy_id) AS id,
                       month,
                       policy_id,
                       res_model,
                       company_id,
                       stay_count,
                       reminder_count,
                       escalation_count,
                       %(reminders_per_stay)s AS reminders_per_stay,
                       breached_count,
                       %(breach_rate)s AS breach_rate,
                       reminded_count,
                       reminded_breached_count,
                       %(useless_reminder_rate)s AS useless_reminder_rate,
                       %(useless)s AS useless_reminders
                  FROM counted
                 WHERE active OR has_stays
                )
                """,
                view=SQL.identifier(self._table),
                # each policy's months, from its creation or first stay
                months=metrics.review_months(
                    "sales_process_sla_policy",
                    "policy_id",
                    SQL(
                        "SELECT MIN(history.date_in) FROM sales_process_stage_history"
                        " history WHERE history.sla_policy_id = record.id"
                    ),
                ),
                breached=metrics.is_breach_in_history("history"),
                useless=metrics.useless_reminders(
                    SQL("reminder_count"),
                    SQL("stay_count"),
                    SQL("reminded_count"),
                    SQL("reminded_breached_count"),
                ),
                **{
                    name: function(
                        SQL.identifier(numerator), SQL.identifier(denominator)
                    )
                    for name, (function, numerator, denominator) in RATIOS.items()
                },
            )
        )

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in RATIOS:
            # a share of the group's sums, not an average of the rows' shares
            self._check_field_access(self._fields[fname], "read")
            function, numerator, denominator = RATIOS[fname]
            return function(
                SQL("SUM(%s)", self._field_to_sql(self._table, numerator, query)),
                SQL("SUM(%s)", self._field_to_sql(self._table, denominator, query)),
            )
        return super()._read_group_select(aggregate_spec, query)
