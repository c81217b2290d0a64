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


# the figures of an SLA policy counted on its rows: the event the sweep notified
POLICY_FIGURES = {"records": None, "reminded": "reminder", "escalated": "breach"}


def _notified(kind):
    return Domain(
        "sla_event_ids",
        "any",
        Domain("kind", "=", kind) & Domain("skipped", "=", False),
    )


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
            # a policy's rows are of its model: one distinct count a model,
            # of the documents the user may read
            domain = (
                Domain("res_model", "=", res_model)
                & Domain("sla_policy_id", "!=", False)
                & Domain(link, "in", Document._search([]))
            )
            if POLICY_FIGURES[figure]:
                domain &= _notified(POLICY_FIGURES[figure])
            for policy, count in History._read_group(
                domain, ["sla_policy_id"], [f"{link}:count_distinct"]
            ):
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
