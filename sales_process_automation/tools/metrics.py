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
- **Net promoter score (NPS)**: over the answers to the recommendation
  question (0-10), the share of promoters (9-10) minus the share of
  detractors (0-6), from -100 to 100. The dashboard watches the last
  ``SATISFACTION_DAYS`` days and asks for attention below ``NPS_ALERT_BELOW``.
- **Stage satisfaction**: the average rating (1-5) customers gave a stage of
  the process. A stage rated below ``LOW_STAGE_RATING`` by at least
  ``STAGE_RATING_MIN_ANSWERS`` answers is named by the bottleneck advice:
  fewer answers say too little.
"""

from odoo.fields import Domain
from odoo.tools import SQL

# domains on sales.process.stage.history (and the reports with its columns)
OPEN_ROW = Domain("date_out", "=", False)
OPEN_BREACH = OPEN_ROW & Domain("sla_status", "=", "breached")
OPEN_AT_RISK_OR_BREACH = OPEN_ROW & Domain("sla_status", "in", ["at_risk", "breached"])
BREACH_IN_HISTORY = Domain("sla_status", "=", "breached")
ENTRY = Domain("first_entry", "=", True)

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
