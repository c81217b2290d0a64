# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What each figure of the module means, written once.

The reports, the dashboard tiles, the digest, the document filters and the
pipeline simulation read their figures from here, as SQL over the stage
history rows (``alias`` names the history table in the query) or as domains
on the stage history, so a figure is the same on every screen.

- **Open breach**: a lead, quotation or ticket past its stage deadline now:
  the row of the stage it is in is breached. Counted per document type.
- **Breach in history**: a stage a record breached, left since or not.
- **Entry**: the first time a lead entered a stage: entries count leads, not
  moves (a lead back in a stage is not a new entry).
- **Conversion of a stage**: among the entries that are decided, the share
  after which the lead entered a stage ranked further. Decided: the lead
  reached a further stage, was lost in the stage, or left it backwards.
  Entries still in the stage, and the entries of won stages, do not count.
- **Open record of a stage**: a record in the stage now: its row of the stage
  is open and, for a lead, the lead is not lost (a lost lead keeps the row of
  its last stage open).
- **Time in a stage**: the working hours of the stays that ended (median and
  90th percentile over the stays, never averages of averages).
- **Bottleneck of a team**: the stage with the lowest conversion (loses the
  most deals) and the stage with the highest median time (holds deals
  longest), each only when another stage of the team does better: when every
  stage converts (or holds deals) alike, none is flagged.

The monthly rule review:

- **Matched, assigned, left waiting** (assignment rule): the records a rule
  gave a rep, and those it matched but left waiting in the team (no rep
  available), as logged by its runs (``sales.process.assignment.turn``);
  matched is their sum. A record left waiting and given to a rep by a later
  run counts in both.
- **Spread among reps**: the coefficient of variation (%) of the records each
  rep of the rule got, per unit of weight for a weighted rule; 0 when every
  rep got their share, higher as the shares drift apart.
- **SLA figures** (SLA policy): over the stays that entered the policy's stage
  under it in the period: reminders and escalations (breach notifications)
  sent, reminders per stay, share breached, and among the stays that got a
  reminder, the share that breached anyway (reminders that do not help).
- **Never matches**: a rule that matched no record in the period.
- **Frequent but useless reminders**: a policy that sends at least
  ``FREQUENT_REMINDERS`` reminders per stay while at least
  ``USELESS_REMINDER_SHARE`` % of the stays reminded breach anyway.
- **Net promoter score (NPS)**: over the answers to the recommendation
  question (0-10), the share of promoters (9-10) minus the share of
  detractors (0-6), from -100 to 100. The dashboard watches the last
  ``SATISFACTION_DAYS`` days and asks for attention below ``NPS_ALERT_BELOW``.
- **Stage satisfaction**: the average rating (1-5) customers gave a stage of
  the process. A stage rated below ``LOW_STAGE_RATING`` by at least
  ``STAGE_RATING_MIN_ANSWERS`` answers is named by the bottleneck advice:
  fewer answers say too little.
"""

from odoo import fields
from odoo.fields import Domain
from odoo.tools import SQL

# domains on sales.process.stage.history (and the reports with its columns)
OPEN_ROW = Domain("date_out", "=", False)
OPEN_BREACH = OPEN_ROW & Domain("sla_status", "=", "breached")
OPEN_AT_RISK_OR_BREACH = OPEN_ROW & Domain("sla_status", "in", ["at_risk", "breached"])
BREACH_IN_HISTORY = Domain("sla_status", "=", "breached")
ENTRY = Domain("first_entry", "=", True)
OPEN_RECORD = OPEN_ROW & Domain("lost_in_stage", "!=", True)

# the rule review's flag of useless reminders
FREQUENT_REMINDERS = 1.5
USELESS_REMINDER_SHARE = 50.0

NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
NPS_ALERT_BELOW = 0
SATISFACTION_DAYS = 90
LOW_STAGE_RATING = 3.0
STAGE_RATING_MIN_ANSWERS = 3


def _column(alias, name):
    return SQL.identifier(alias, name)


def _is_won_stage(stage_alias):
    # a boolean column may hold NULL for stages written outside the ORM
    return SQL("COALESCE(%s, FALSE)", _column(stage_alias, "is_won"))


def is_open_breach(alias):
    """The row is the stage its record is in, and it is breached (a condition,
    NULL when the row has no SLA status)."""
    return SQL(
        "(%s IS NULL AND %s = 'breached')",
        _column(alias, "date_out"),
        _column(alias, "sla_status"),
    )


def is_breach_in_history(alias):
    """The record breached the SLA of this stage, left since or not (a
    condition, NULL when the row has no SLA status)."""
    return SQL("(%s = 'breached')", _column(alias, "sla_status"))


def breach_share(alias):
    """100 for a breached stage under an SLA, 0 for one kept, NULL without SLA:
    averaged, the share of the stages under an SLA that breached it."""
    return SQL(
        "CASE WHEN %s IS NULL THEN NULL WHEN %s = 'breached' THEN 100.0 ELSE 0.0 END",
        _column(alias, "sla_policy_id"),
        _column(alias, "sla_status"),
    )


def is_entry(alias):
    """The first time the lead entered the stage."""
    return SQL("COALESCE(%s, FALSE)", _column(alias, "first_entry"))


def conversion_outcome(alias, stage_alias):
    """Per row: 100 for an entry that converted, 0 for a decided entry that did
    not, NULL for what the conversion does not count (entries still in the
    stage, re-entries, won stages). Averaged: the conversion of the stage."""
    return SQL(
        """CASE WHEN NOT %(entry)s OR %(won)s THEN NULL
                WHEN %(further)s THEN 100.0
                WHEN %(lost)s OR %(date_out)s IS NOT NULL THEN 0.0
           END""",
        entry=is_entry(alias),
        won=_is_won_stage(stage_alias),
        further=_column(alias, "reached_further_stage"),
        lost=_column(alias, "lost_in_stage"),
        date_out=_column(alias, "date_out"),
    )


def is_lost_in_stage(alias, stage_alias):
    """The lead was lost in this stage (its last one, not a won stage): one row
    per lost lead."""
    return SQL(
        "(NOT %s AND COALESCE(%s, FALSE) AND NOT COALESCE(%s, FALSE))",
        _is_won_stage(stage_alias),
        _column(alias, "lost_in_stage"),
        _column(alias, "reached_further_stage"),
    )


def conversion_rate(converted, decided):
    """The conversion (%) from the counts, None when nothing is decided."""
    return 100.0 * converted / decided if decided else None


def team_stage_figures(rows):
    """The query of the figures of each company, team and stage, from the lead
    rows of ``rows`` (an SQL relation with the columns of the stage history):
    entries, losses, conversion, median and 90th percentile of the time, breach
    share, and the bottleneck flags.

    The rows of each team and stage are read in the order of the history's
    funnel index: no sort, and the percentiles get their hours already sorted;
    a won stage has no next stage.
    """
    return SQL(
        """
        WITH stage_figures AS (
            SELECT MIN(history.id) AS id,
                   history.company_id,
                   history.team_id,
                   history.crm_stage_id,
                   COUNT(*) FILTER (WHERE %(entry)s) AS lead_count,
                   COUNT(*) FILTER (WHERE %(lost)s) AS lost_count,
                   COUNT(%(conversion)s) AS decided_count,
                   COUNT(history.working_hours)
                       FILTER (WHERE history.date_out IS NOT NULL)
                       AS left_count,
                   AVG(%(conversion)s) AS reached_next_rate,
                   PERCENTILE_CONT(0.5) WITHIN GROUP
                       (ORDER BY history.working_hours)
                       FILTER (WHERE history.date_out IS NOT NULL)
                       AS median_hours,
                   PERCENTILE_CONT(0.9) WITHIN GROUP
                       (ORDER BY history.working_hours)
                       FILTER (WHERE history.date_out IS NOT NULL)
                       AS p90_hours,
                   AVG(%(breach_share)s) AS breach_rate
              FROM %(rows)s history
              JOIN crm_stage stage ON stage.id = history.crm_stage_id
             WHERE history.lead_id IS NOT NULL
             GROUP BY history.company_id, history.team_id,
                      history.crm_stage_id
        ), judged AS (
            SELECT stage_figures.id,
                   stage_figures.company_id,
                   stage_figures.team_id,
                   stage_figures.crm_stage_id,
                   stage_figures.lead_count,
                   stage_figures.lost_count,
                   stage_figures.decided_count,
                   stage_figures.left_count,
                   stage_figures.reached_next_rate,
                   stage_figures.median_hours,
                   stage_figures.p90_hours,
                   stage_figures.breach_rate,
                   stage.sequence AS stage_sequence
              FROM stage_figures
              JOIN crm_stage stage ON stage.id = stage_figures.crm_stage_id
        ), ranked AS (
            SELECT judged.*,
                   RANK() OVER (
                       team ORDER BY reached_next_rate ASC NULLS LAST
                   ) AS leak_rank,
                   RANK() OVER (
                       team ORDER BY median_hours DESC NULLS LAST
                   ) AS slow_rank,
                   -- a stage is the worst only when another is better
                   MAX(reached_next_rate) OVER team > reached_next_rate
                       AS leaks_more,
                   MIN(median_hours) OVER team < median_hours
                       AS slower
              FROM judged
            WINDOW team AS (PARTITION BY company_id, team_id)
        )
        SELECT id,
               company_id,
               team_id,
               crm_stage_id,
               stage_sequence,
               lead_count,
               lost_count,
               decided_count,
               left_count,
               reached_next_rate,
               median_hours,
               p90_hours,
               breach_rate,
               leak_rank = 1 AND COALESCE(leaks_more, FALSE) AS is_leakiest,
               slow_rank = 1 AND COALESCE(slower, FALSE) AS is_slowest,
               (leak_rank = 1 AND COALESCE(leaks_more, FALSE))
                   OR (slow_rank = 1 AND COALESCE(slower, FALSE))
                   AS is_bottleneck
          FROM ranked
        """,
        rows=rows,
        entry=is_entry("history"),
        lost=is_lost_in_stage("history", "stage"),
        conversion=conversion_outcome("history", "stage"),
        breach_share=breach_share("history"),
    )


def share(part, whole):
    """``part`` in % of ``whole`` (SQL expressions), NULL when ``whole`` is 0."""
    return SQL("100.0 * %s / NULLIF(%s, 0)", part, whole)


def per(part, whole):
    """``part`` per unit of ``whole`` (SQL expressions), NULL when ``whole`` is 0."""
    return SQL("%s::float / NULLIF(%s, 0)", part, whole)


def rep_spread(per_weight):
    """The spread among a rule's reps: the coefficient of variation (%) of
    ``per_weight``, the records each rep got per unit of weight (an SQL
    expression aggregated over the reps)."""
    return share(SQL("STDDEV_POP(%s)", per_weight), SQL("AVG(%s)", per_weight))


def never_matches(matched):
    """The rule matched nothing (``matched``: its count of records matched)."""
    return SQL("(COALESCE(%s, 0) = 0)", matched)


def review_months(table, key, first_activity):
    """SQL of the months a monthly review shows for each record of ``table``
    (an assignment rule, an SLA policy): ``(key, month)`` rows from the month
    of its creation, or of its first activity if earlier (``first_activity``,
    a scalar subquery on ``record``), to this month."""
    return SQL(
        """
        SELECT record.id AS %(key)s, month::date AS month
          FROM %(table)s record
         CROSS JOIN LATERAL generate_series(
               date_trunc('month', LEAST(record.create_date, (%(first)s))),
               date_trunc('month', now() AT TIME ZONE 'UTC'),
               interval '1 month'
           ) AS month
        """,
        key=SQL.identifier(key),
        table=SQL.identifier(table),
        first=first_activity,
    )


def useless_reminders(reminders, stays, reminded, reminded_breached):
    """The policy reminds often and its reminded stays breach anyway (SQL
    expressions of the counts of the period)."""
    return SQL(
        "COALESCE(%s >= %s AND %s >= %s, FALSE)",
        per(reminders, stays),
        FREQUENT_REMINDERS,
        share(reminded_breached, reminded),
        USELESS_REMINDER_SHARE,
    )


# the records of the dashboards: documents (leads, quotations, tickets) whose
# stage is at risk or past its deadline now, as the documents store it
DOCUMENT_AT_RISK_OR_BREACH = Domain(
    "sales_process_sla_status", "in", ["at_risk", "breached"]
)
# the open rows of the aging figure, by how long the record is in its stage
AGE_BUCKETS = [
    ("0_2", "Up to 2 days"),
    ("3_7", "3 to 7 days"),
    ("8_30", "8 to 30 days"),
    ("31", "Over 30 days"),
]
# the documents the stage history follows, and the field of a row pointing to
# each
HISTORY_LINKS = {
    "crm.lead": "lead_id",
    "sale.order": "order_id",
    "helpdesk.ticket": "ticket_id",
}


def age_bucket(alias):
    """The age bucket of an open row (days since it entered its stage), NULL
    for a row left."""
    return SQL(
        """CASE WHEN %(date_out)s IS NOT NULL THEN NULL
                WHEN %(date_in)s > (now() AT TIME ZONE 'UTC') - interval '3 days'
                    THEN '0_2'
                WHEN %(date_in)s > (now() AT TIME ZONE 'UTC') - interval '8 days'
                    THEN '3_7'
                WHEN %(date_in)s > (now() AT TIME ZONE 'UTC') - interval '31 days'
                    THEN '8_30'
                ELSE '31'
           END""",
        date_out=_column(alias, "date_out"),
        date_in=_column(alias, "date_in"),
    )


def activities_due(env):
    """Domain of the user's activities due today or earlier."""
    return Domain("user_id", "=", env.uid) & Domain(
        "date_deadline", "<=", fields.Date.context_today(env.user)
    )


def breaches_since(start):
    """Domain of the stage history rows whose SLA was breached since ``start``
    (their deadline passed then): the breach trend."""
    return BREACH_IN_HISTORY & Domain("date_deadline", ">=", start)


def documents_with_rows(res_model, row_domain):
    """Domain of the ``res_model`` documents having a stage history row in
    ``row_domain``: what a figure over rows opens."""
    return Domain("sales_process_stage_history_ids", "any", Domain(row_domain))


# the fields naming the team of a row, which the record rules of the team
# leaders test
TEAM_FIELDS = ("team_id", "helpdesk_team_id")


def team_rule_scope(env, model):
    """Domain of the rows of ``model`` the user's record rules let them read,
    their conditions on the team resolved once into the ids of the teams they
    match (``Domain.TRUE`` when no rule tests a team).

    The rules join the team to every row and test it there; ANDed to a
    figure's domain, the same condition on team ids lets the planner read only
    the rows of those teams from an index, also below the grouping of an
    analysis view: the rows counted stay the same.
    """
    Model = env[model]
    resolved = []

    def resolve(condition):
        if condition.field_expr not in TEAM_FIELDS or condition.operator != "any":
            return condition
        Team = env[Model._fields[condition.field_expr].comodel_name]
        # sudo: the teams the rule names, as the rule tests them (archived
        # ones too), whoever reads the rows
        teams = Team.sudo().search(
            Domain("active", "in", [True, False]) & condition.value
        )
        resolved.append(condition)
        return Domain(condition.field_expr, "in", teams.ids)

    scope = env["ir.rule"]._compute_domain(model, "read").map_conditions(resolve)
    return scope if resolved else Domain.TRUE


# the figures of an SLA policy counted on its rows: the flag of the row its
# events set when the sweep notified (a reminder, a breach), not skipped
POLICY_FIGURES = {
    "records": None,
    "reminded": "sla_reminded",
    "escalated": "sla_escalated",
}


def _notified(flag):
    return Domain(flag, "=", True)


def policy_rows(policy_id, figure):
    """Domain of the rows behind a figure of ``sla_policy_effectiveness``: the
    stays under the policy, those reminded, escalated, or breached."""
    domain = Domain("sla_policy_id", "=", policy_id)
    if figure == "breach_rate":
        return domain & BREACH_IN_HISTORY
    if POLICY_FIGURES.get(figure):
        domain &= _notified(POLICY_FIGURES[figure])
    return domain


def sla_policy_effectiveness(env, figures=(*POLICY_FIGURES, "breach_rate")):
    """Per SLA policy: the records that stayed under it, were reminded, were
    escalated (breach notified), and the share of stays breached (%).

    ``{policy: {"records": n, "reminded": n, "escalated": n, "breach_rate":
    %}}`` for the ``figures`` asked; each count is of distinct documents
    (``documents_with_rows``).
    """
    History = env["sales.process.stage.history"]
    result = {}
    for figure in figures:
        if figure == "breach_rate":
            for policy, rate in env["sales.process.stage.time.report"]._read_group(
                [("sla_policy_id", "!=", False)],
                ["sla_policy_id"],
                ["breach_rate:avg"],
            ):
                result.setdefault(policy, {})[figure] = rate
            continue
        for res_model, link in HISTORY_LINKS.items():
            Document = env[res_model].with_context(active_test=False)
            if not Document.has_access("read"):
                continue
            # a policy's rows are of its model: one count a model, of the
            # documents the user may read
            domain = Domain("res_model", "=", res_model) & Domain(
                "sla_policy_id", "!=", False
            )
            if POLICY_FIGURES[figure]:
                domain &= _notified(POLICY_FIGURES[figure])
            History.flush_model(["res_model", "sla_policy_id", link])
            rows = History._search(domain)
            # each document once per policy first (in the order of the policy
            # index, no sort), then only those checked against the documents
            # readable: half the rows where a document re-entered the stage
            documents = rows.select(
                SQL(
                    "DISTINCT %s, %s",
                    SQL.identifier(History._table, "sla_policy_id"),
                    SQL.identifier(History._table, link),
                )
            )
            for policy_id, count in env.execute_query(
                SQL(
                    """
                    SELECT documents.policy_id, COUNT(*)
                      FROM (%s) AS documents(policy_id, document_id)
                     WHERE documents.document_id IN %s
                     GROUP BY documents.policy_id
                    """,
                    documents,
                    Document._search([]).subselect(),
                )
            ):
                policy = env["sales.process.sla.policy"].browse(policy_id)
                result.setdefault(policy, {})[figure] = count
    return result


# the figures of an assignment rule, counted on the documents it gave
ASSIGNMENT_FIGURES = ("matched", "assigned", "team_only", "not_contacted")


def assignment_rule_effectiveness(env):
    """Per assignment rule: the records it matched, gave to a rep, left waiting
    in the team, and those not contacted in time.

    ``{rule: {"matched": n, "assigned": n, "team_only": n, "not_contacted":
    n}}``, counted on the documents (``assignment_rule_domain``).
    """
    figures = {}
    for model in ("crm.lead", "helpdesk.ticket"):
        Model = env[model]
        if not Model.has_access("read"):
            continue
        for rule, state, escalated, count in Model._read_group(
            [("sales_process_assignment_rule_id", "!=", False)],
            [
                "sales_process_assignment_rule_id",
                "sales_process_assignment_state",
                "sales_process_first_contact_escalated",
            ],
            ["__count"],
        ):
            rule_figures = figures.setdefault(
                rule, dict.fromkeys(ASSIGNMENT_FIGURES, 0)
            )
            rule_figures["matched"] += count
            if state:
                rule_figures[state] += count
            if escalated:
                rule_figures["not_contacted"] += count
    return figures


def assignment_rule_domain(rule_id, figure):
    """Domain of the documents behind a figure of ``assignment_rule_effectiveness``."""
    domain = Domain("sales_process_assignment_rule_id", "=", rule_id)
    if figure in ("assigned", "team_only"):
        domain &= Domain("sales_process_assignment_state", "=", figure)
    elif figure == "not_contacted":
        domain &= Domain("sales_process_first_contact_escalated", "=", True)
    return domain


def bottleneck_entries(row):
    """Domain of the stage history rows counted as the entries of a row of the
    bottleneck analysis (its company, team and stage)."""
    return (
        Domain("lead_id", "!=", False)
        & Domain("company_id", "=", row.company_id.id)
        & Domain("team_id", "=", row.team_id.id)
        & Domain("crm_stage_id", "=", row.crm_stage_id.id)
        & ENTRY
    )


def nps_points(scale):
    """Per recommendation answer (``scale``, SQL, 0-10): 100 for a promoter,
    -100 for a detractor, 0 for a passive. Averaged: the NPS."""
    return SQL(
        "CASE WHEN %(scale)s >= %(promoter)s THEN 100.0 "
        "WHEN %(scale)s <= %(detractor)s THEN -100.0 ELSE 0.0 END",
        scale=scale,
        promoter=NPS_PROMOTER_MIN,
        detractor=NPS_DETRACTOR_MAX,
    )


def is_low_nps(nps):
    """The NPS asks for attention (None: no answer, nothing to say)."""
    return nps is not None and nps < NPS_ALERT_BELOW


def is_low_stage_rating(rating, answers):
    """Customers rate the stage low, with enough answers to say so."""
    return answers >= STAGE_RATING_MIN_ANSWERS and rating < LOW_STAGE_RATING
