"""Snapshot and compare a database around an upgrade of the add-on.

    python3 scripts/upgrade_check.py snapshot DB before FILE
    python3 scripts/upgrade_check.py snapshot DB after FILE BEFORE_FILE
    python3 scripts/upgrade_check.py compare BEFORE_FILE AFTER_FILE

``snapshot`` reads, in plain SQL, the rows the add-on keeps (stage history,
SLA events, requests, contract chains and steps), the values of the fields
it renamed on other modules' tables, and the figures of its reports; columns
renamed since the previous release are read under their old name ``before``
and their new name ``after``. ``compare`` fails when a row is missing or
changed, or when a report figure differs.
"""

import json
import sys

import psycopg2

# table -> columns that must keep their values (id is the key)
KEPT_ROWS = {
    "sales_process_stage_history": [
        "res_model",
        "lead_id",
        "order_id",
        "ticket_id",
        "crm_stage_id",
        "ticket_stage_id",
        "order_state",
        "user_id",
        "team_id",
        "company_id",
        "date_in",
        "date_out",
        "date_deadline",
        "sla_policy_id",
        "sla_status",
        "CASE WHEN date_out IS NOT NULL THEN round(working_hours::numeric, 4) END",
    ],
    "sales_process_sla_event": ["history_id", "reminder_id", "kind", "date"],
    "sales_process_complex_request": [
        "lead_id",
        "requester_id",
        "state",
        "validation_status",
        "requested_deadline",
    ],
    "sales_process_stage_skip_request": [
        "lead_id",
        "requester_id",
        "from_stage_id",
        "to_stage_id",
        "state",
    ],
    "sales_process_contract_chain": ["order_id", "policy_id", "trigger", "state"],
    # 19.0.1.2.0 splits "send_invoice" into "post_invoice" and "email_invoice"
    "sales_process_contract_step": [
        "chain_id",
        "CASE code WHEN 'send_invoice' THEN 'post_invoice' ELSE code END",
        "state",
        "res_model",
        "res_id",
    ],
}

# (table, column before the upgrade, column after it): the stored fields the
# add-on renamed keep their values (its computed SLA fields are read from the
# stage history rows, checked above)
RENAMED_COLUMNS = [
    *(
        (table, old, f"sales_process_{old}")
        for table in ("crm_lead", "helpdesk_ticket")
        for old in (
            "assignment_rule_id",
            "assignment_date",
            "assignment_state",
            "first_contact_deadline",
            "first_contact_date",
            "first_contact_escalated",
        )
    ),
    ("crm_stage", "is_contract_signed", "sales_process_contract_signed"),
    ("crm_team", "resource_calendar_id", "sales_process_resource_calendar_id"),
    (
        "helpdesk_ticket_team",
        "resource_calendar_id",
        "sales_process_resource_calendar_id",
    ),
]

# report -> (grouping columns, figures, rows counted): the same figures must
# come out for the leads, orders and tickets that were there before the
# upgrade (the new release's demo data may add records, and so groups)
PREVIOUS_RECORDS = (
    "coalesce(lead_id <= {crm_lead}, true)"
    " AND coalesce(order_id <= {sale_order}, true)"
    " AND coalesce(ticket_id <= {helpdesk_ticket}, true)"
)
REPORTS = {
    "sales_process_funnel_report": (
        ["company_id", "team_id", "crm_stage_id"],
        ["count(*)", "count(*) FILTER (WHERE first_entry)", "sum(lost_count)"],
        "lead_id <= {crm_lead}",
    ),
    "sales_process_bottleneck_report": (
        ["company_id", "team_id", "crm_stage_id"],
        [
            "sum(lead_count)",
            "sum(lost_count)",
            "sum(left_count)",
            "round(avg(reached_next_rate)::numeric, 4)",
        ],
        "true",
    ),
    "sales_process_stage_time_report": (
        [
            "res_model",
            "coalesce(crm_stage_id, ticket_stage_id)",
            "order_state",
            "sla_status",
        ],
        [
            "count(*)",
            "sum(breach_count)",
            "round(sum(working_hours) FILTER (WHERE date_out IS NOT NULL)::numeric, 4)",
        ],
        PREVIOUS_RECORDS,
    ),
    "sales_process_lead_report": (
        ["company_id", "team_id", "user_id", "won_status"],
        [
            "count(*)",
            "sum(won_count)",
            "sum(lost_count)",
            "round(sum(expected_revenue)::numeric, 2)",
            "sum(breach_count)",
        ],
        "lead_id <= {crm_lead}",
    ),
    "sales_process_complex_report": (
        ["company_id", "team_id", "user_id"],
        [
            "sum(complex_count)",
            "sum(request_count)",
            "sum(approved_count)",
            "sum(pending_count)",
        ],
        "true",
    ),
}
BOUNDED_TABLES = ("crm_lead", "sale_order", "helpdesk_ticket")


def _rows(cr, query):
    cr.execute(query)
    return [[str(value) for value in row] for row in cr.fetchall()]


def snapshot(dbname, moment, bounds=None):
    """The database's rows, renamed values and report figures; the figures
    only of the records up to ``bounds`` (the highest ids before the upgrade,
    taken now when not given)."""
    result = {"rows": {}, "renamed": {}, "reports": {}, "bounds": bounds or {}}
    with psycopg2.connect(dbname=dbname) as conn, conn.cursor() as cr:
        for table in BOUNDED_TABLES:
            if table not in result["bounds"]:
                cr.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
                result["bounds"][table] = cr.fetchone()[0]
        for table, columns in KEPT_ROWS.items():
            rows = _rows(
                cr, f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id"
            )
            result["rows"][table] = {row[0]: row[1:] for row in rows}
        for table, old, new in RENAMED_COLUMNS:
            column = old if moment == "before" else new
            rows = _rows(cr, f"SELECT id, {column} FROM {table} ORDER BY id")
            result["renamed"][f"{table}.{old}"] = {row[0]: row[1] for row in rows}
        for report, (groups, figures, where) in REPORTS.items():
            keys = ", ".join(groups)
            rows = _rows(
                cr,
                f"SELECT {keys}, {', '.join(figures)} FROM {report} "
                f"WHERE {where.format(**result['bounds'])} "
                f"GROUP BY {keys} ORDER BY {keys}",
            )
            result["reports"][report] = {
                "|".join(row[: len(groups)]): row[len(groups) :] for row in rows
            }
    return result


def compare(before, after):
    problems = []
    for section in ("rows", "renamed"):
        for name, values in before[section].items():
            kept = after[section].get(name, {})
            missing = [key for key in values if key not in kept]
            changed = [
                key for key in values if key in kept and kept[key] != values[key]
            ]
            if missing:
                problems.append(
                    f"{name}: {len(missing)} rows gone, e.g. id {missing[0]}"
                )
            if changed:
                key = changed[0]
                problems.append(
                    f"{name}: {len(changed)} rows changed, e.g. id {key}: "
                    f"{values[key]} -> {kept[key]}"
                )
    for report, groups in before["reports"].items():
        # a group the new release's demo data adds is no change
        changed = [
            key for key in groups if groups[key] != after["reports"][report].get(key)
        ]
        if changed:
            key = min(changed)
            problems.append(
                f"{report}: {len(changed)} groups differ, e.g. {key}: "
                f"{groups.get(key)} -> {after['reports'][report].get(key)}"
            )
    counts = {name: len(values) for name, values in before["rows"].items()}
    return problems, counts


def main(argv):
    if argv[:1] == ["snapshot"] and len(argv) in (4, 5):
        bounds = None
        if len(argv) == 5:
            with open(argv[4], encoding="utf-8") as file:
                bounds = json.load(file)["bounds"]
        result = snapshot(argv[1], argv[2], bounds)
        with open(argv[3], "w", encoding="utf-8") as file:
            json.dump(result, file)
        return 0
    if argv[:1] == ["compare"] and len(argv) == 3:
        with open(argv[1], encoding="utf-8") as file:
            before = json.load(file)
        with open(argv[2], encoding="utf-8") as file:
            after = json.load(file)
        problems, counts = compare(before, after)
        print("kept rows checked: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        for problem in problems:
            print("FAIL: " + problem)
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
