# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.sales_process_assignment_rule import ASSIGNMENT_MODELS
from ..tools import metrics


class SalesProcessAssignmentReviewReport(models.Model):
    """The monthly review of the assignment rules: one row per rule and month.

    Read from the runs the rules log (``sales.process.assignment.turn``); an
    active rule has a row for every month since it was created, so that a
    rule that never matches shows (``tools/metrics.py`` defines the figures).
    """

    _name = "sales.process.assignment.review.report"
    _description = "Assignment Rule Review"
    _auto = False
    _depends = {
        "sales.process.assignment.turn": ["rule_id", "user_id", "count", "date"],
        "sales.process.assignment.rule": [
            "active",
            "company_id",
            "res_model",
            "team_id",
            "helpdesk_team_id",
            "method",
        ],
        "sales.process.assignment.member": ["rule_id", "user_id", "weight"],
    }
    _rec_name = "rule_id"
    _order = "month desc, rule_id"

    month = fields.Date(readonly=True)
    rule_id = fields.Many2one(
        "sales.process.assignment.rule", string="Assignment Rule", readonly=True
    )
    res_model = fields.Selection(ASSIGNMENT_MODELS, string="Applies To", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    matched_count = fields.Integer(
        string="Matched",
        readonly=True,
        help="Records the rule took in the month: assigned plus left waiting.",
    )
    assigned_count = fields.Integer(
        string="Assigned", readonly=True, help="Records the rule gave a rep."
    )
    waiting_count = fields.Integer(
        string="Left Waiting",
        readonly=True,
        help="Records the rule matched but left waiting in the team: no rep was "
        "available.",
    )
    rep_count = fields.Integer(
        string="Reps", readonly=True, aggregator="max", help="Active reps of the rule."
    )
    max_share = fields.Float(
        string="Biggest Rep Share (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="max",
        help="Share of the month's assignments the best-served rep got.",
    )
    min_share = fields.Float(
        string="Smallest Rep Share (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="min",
        help="Share of the month's assignments the least-served rep got (0 for a "
        "rep who got none).",
    )
    spread = fields.Float(
        string="Spread among Reps (%)",
        digits=(16, 0),
        readonly=True,
        aggregator="max",
        help="Coefficient of variation of the records each rep got in the month, "
        "per unit of weight for a weighted rule: 0 when every rep got their "
        "share. Over several months, the widest month.",
    )
    never_matched = fields.Boolean(
        string="Never Matches",
        readonly=True,
        help="The rule matched no record in the month.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                WITH months AS (%(months)s),
                runs AS (
                    SELECT turn.rule_id,
                           date_trunc('month', turn.date)::date AS month,
                           turn.user_id,
                           SUM(turn.count) AS count
                      FROM sales_process_assignment_turn turn
                     WHERE turn.date IS NOT NULL AND turn.rule_id IS NOT NULL
                     GROUP BY turn.rule_id, date_trunc('month', turn.date),
                              turn.user_id
                ), figures AS (
                    SELECT rule_id,
                           month,
                           COALESCE(SUM(count) FILTER (WHERE user_id IS NOT NULL), 0)
                               AS assigned_count,
                           COALESCE(SUM(count) FILTER (WHERE user_id IS NULL), 0)
                               AS waiting_count
                      FROM runs
                     GROUP BY rule_id, month
                ), reps AS (
                    -- every active rep of the rule, with what they got (0 included)
                    SELECT months.rule_id,
                           months.month,
                           COALESCE(runs.count, 0) AS count,
                           COALESCE(runs.count, 0)::float
                               / CASE WHEN rule.method = 'weighted'
                                      THEN GREATEST(member.weight, 1) ELSE 1 END
                               AS per_weight
                      FROM months
                      JOIN sales_process_assignment_rule rule
                        ON rule.id = months.rule_id
                      JOIN sales_process_assignment_member member
                        ON member.rule_id = months.rule_id
                      JOIN res_users rep
                        ON rep.id = member.user_id AND rep.active
                      LEFT JOIN runs
                        ON runs.rule_id = months.rule_id
                       AND runs.month = months.month
                       AND runs.user_id = member.user_id
                     WHERE rule.method != 'fixed'
                ), spreads AS (
                    SELECT rule_id,
                           month,
                           COUNT(*) AS rep_count,
                           %(max_share)s AS max_share,
                           %(min_share)s AS min_share,
                           %(spread)s AS spread
                      FROM reps
                     GROUP BY rule_id, month
                )
                SELECT ROW_NUMBER() OVER (ORDER BY months.month, months.rule_id) AS id,
                       months.month,
                       months.rule_id,
                       rule.res_model,
                       rule.team_id,
                       rule.helpdesk_team_id,
                       rule.company_id,
                       COALESCE(figures.assigned_count, 0)
                           + COALESCE(figures.waiting_count, 0) AS matched_count,
                       COALESCE(figures.assigned_count, 0) AS assigned_count,
                       COALESCE(figures.waiting_count, 0) AS waiting_count,
                       spreads.rep_count,
                       spreads.max_share,
                       spreads.min_share,
                       spreads.spread,
                       %(never_matched)s AS never_matched
                  FROM months
                  JOIN sales_process_assignment_rule rule ON rule.id = months.rule_id
                  LEFT JOIN figures
                    ON figures.rule_id = months.rule_id
                   AND figures.month = months.month
                  LEFT JOIN spreads
                    ON spreads.rule_id = months.rule_id
                   AND spreads.month = months.month
                 WHERE rule.active OR figures.rule_id IS NOT NULL
                )
                """,
                view=SQL.identifier(self._table),
                # each rule's months, from its creation or first run
                months=metrics.review_months(
                    "sales_process_assignment_rule",
                    "rule_id",
                    SQL(
                        "SELECT MIN(turn.date) FROM sales_process_assignment_turn"
                        " turn WHERE turn.rule_id = record.id"
                    ),
                ),
                max_share=metrics.share(SQL("MAX(count)"), SQL("SUM(count)")),
                min_share=metrics.share(SQL("MIN(count)"), SQL("SUM(count)")),
                spread=metrics.rep_spread(SQL("per_weight")),
                never_matched=metrics.never_matches(
                    SQL(
                        "COALESCE(figures.assigned_count, 0)"
                        " + COALESCE(figures.waiting_count, 0)"
                    )
                ),
            )
        )
