# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""When a lead is stalled, in SQL: shared by crm.lead and the lead analysis."""

from odoo.tools import SQL

DEFAULT_STALLED_DAYS = 14
# what the stalled condition reads
STALLED_DEPENDS = {
    "crm.lead": [
        "active",
        "won_status",
        "company_id",
        "stage_id",
        "create_date",
        "date_last_stage_update",
    ],
    "res.company": ["sales_process_stalled_days"],
    "crm.stage": ["rotting_threshold_days"],
    "mail.activity": [
        "res_model",
        "res_id",
        "date_deadline",
        "sales_process_stage_history_id",
    ],
    "mail.message": ["model", "res_id", "mail_activity_type_id", "date"],
}


def stalled_condition(lead, now):
    """SQL condition: the lead ``lead`` (an SQL alias) is stalled at ``now``.

    Open (pending and active), its stage unchanged for the "days to rot" of
    its stage (Odoo's rotting) or, when the stage has none, the stalled days
    of its company, with no activity planned or done in that time. The SLA reminders
    and escalations the module plans are not the rep's activity: they do not
    keep a lead from being stalled.
    """
    since = SQL(
        """(%(now)s - make_interval(days => COALESCE(
            (SELECT NULLIF(stage.rotting_threshold_days, 0) FROM crm_stage stage
              WHERE stage.id = %(lead)s.stage_id),
            (SELECT company.sales_process_stalled_days FROM res_company company
              WHERE company.id = %(lead)s.company_id),
            %(default)s)))""",
        now=now,
        lead=lead,
        default=DEFAULT_STALLED_DAYS,
    )
    return SQL(
        """
        %(lead)s.active AND %(lead)s.won_status = 'pending'
        AND COALESCE(%(lead)s.date_last_stage_update, %(lead)s.create_date)
            < %(since)s
        AND NOT EXISTS (
            SELECT 1 FROM mail_activity activity
             WHERE activity.res_model = 'crm.lead'
               AND activity.res_id = %(lead)s.id
               AND activity.sales_process_stage_history_id IS NULL
               AND activity.date_deadline >= %(since)s::date
        )
        AND NOT EXISTS (
            SELECT 1 FROM mail_message message
             WHERE message.model = 'crm.lead'
               AND message.res_id = %(lead)s.id
               AND message.mail_activity_type_id IS NOT NULL
               AND message.date >= %(since)s
        )
        """,
        lead=lead,
        since=since,
    )
