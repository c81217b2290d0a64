#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Lead import with de-duplication and assignment, next to Odoo's plain import.

One database holds sales_process_automation and E existing leads (written by
SQL, their de-duplication keys as the lead computes them). A file of N rows in
the columns of the lead import template (one row in ten is the customer of an
existing lead: by email, by phone written ``0086 ...``, or by company name in
capitals) is imported through ``base_import.import.execute_import`` in batches
of 2,000 rows, as the import dialog sends them, two ways on the same data in
the same run, each rolled back:

- "module": the import as a user runs it for leads: the template's required
  columns checked, each row matched against the existing leads and the rows
  before it (option ``sales_process_duplicates``: skip), the new leads then
  assigned by an assignment rule (round robin over 5 reps, one notification
  per rep);
- "odoo": base_import's own ``execute_import`` on the same file, no check, no
  match, no assignment (the duplicates are created).

Each way is timed after a warm-up run on the first 200 rows; its SQL queries
are counted.

Usage: python3 benchmarks/bench_import.py [--rows 10000] [--existing 100000]
    [--database spa_bench_import] [--reuse-database] [--keep-database]
"""

import argparse
import csv
import io

import benchlib

from odoo import Command

HEADER = [
    "Opportunity",
    "Company Name",
    "Contact Name",
    "Phone",
    "Email",
    "Industry",
    "Notes",
    "Source",
]
BATCH = 2000
REPS = 5


def existing_customer(index):
    """Company, email and phone of the existing lead ``index``."""
    return (
        f"Bench Customer {index} Ltd",
        f"customer{index}@bench.example.com",
        f"+86 139 {index:08d}",
    )


def make_existing_leads(env, count):
    """``count`` leads written by SQL, their keys as the lead computes them."""
    env.cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, company_id, partner_name,
                              contact_name, email_from, email_normalized, phone,
                              sales_process_company_key, sales_process_phone_key,
                              probability, priority, create_uid, write_uid,
                              create_date, write_date)
        SELECT 'Bench existing ' || n, 'lead', TRUE, %(company)s,
               'Bench Customer ' || n || ' Ltd', 'Contact ' || n,
               'customer' || n || '@bench.example.com',
               'customer' || n || '@bench.example.com',
               '+86 139 ' || lpad(n::text, 8, '0'),
               'benchcustomer' || n, '86139' || lpad(n::text, 8, '0'),
               0, '0', 1, 1, now(), now()
          FROM generate_series(1, %(count)s) n
        """,
        {"company": env.company.id, "count": count},
    )
    # the SQL keys are the lead's own keys (the add-ons are on the path once
    # Odoo is configured)
    from odoo.addons.sales_process_automation.tools.lead_keys import (
        company_key,
        email_key,
        phone_key,
    )

    company, email, phone = existing_customer(count)
    env.cr.execute(
        """SELECT sales_process_company_key, email_normalized,
                  sales_process_phone_key
             FROM crm_lead WHERE name = %s""",
        [f"Bench existing {count}"],
    )
    assert env.cr.fetchone() == (
        company_key(company),
        email_key(email),
        phone_key(phone),
    )
    env.cr.execute("ANALYZE crm_lead")


def make_assignment(env):
    salesman = env.ref("sales_team.group_sale_salesman")
    reps = env["res.users"].create(
        [
            {
                "name": f"Import rep {index}",
                "login": f"spa_bench_import_{index}",
                "email": f"import.rep{index}@example.com",
                "group_ids": [Command.link(salesman.id)],
            }
            for index in range(REPS)
        ]
    )
    team = env["crm.team"].create(
        {"name": "Import team", "member_ids": [Command.set(reps.ids)]}
    )
    env["sales.process.assignment.rule"].create(
        {
            "name": "Leads from search engines",
            "source_ids": [Command.link(env.ref("utm.utm_source_search_engine").id)],
            "team_id": team.id,
            "method": "round_robin",
            "notify_assignee": True,
        }
    )
    return reps


def file_content(rows, existing):
    """The template's columns; one row in ten is an existing customer."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for index in range(rows):
        if index % 10 == 0:
            number = 1 + (index * 7919) % existing
            company, email, phone = existing_customer(number)
            rule = index // 10 % 3
            company = company.upper() if rule == 2 else f"Renamed {index} Co"
            email = email if rule == 0 else f"other{index}@bench.example.com"
            phone = (
                "0086 139-%s-%s" % (f"{number:08d}"[:4], f"{number:08d}"[4:])
                if rule == 1
                else ""
            )
        else:
            company = f"New Customer {index} GmbH"
            email = f"new{index}@import.example.com"
            phone = f"+49 30 {index:07d}"
        writer.writerow(
            [
                f"Deal {index}",
                company,
                f"Contact {index}",
                phone,
                email,
                "Manufacturing",
                "Wants a quote",
                "Search engine",
            ]
        )
    return out.getvalue().encode()


def dialog_options():
    """The options of the import dialog (``formattedImportOptions``)."""
    return {
        "import_skip_records": [],
        "import_set_empty_fields": [],
        "fallback_values": {},
        "name_create_enabled_fields": {},
        "encoding": "utf-8",
        "separator": ",",
        "quoting": '"',
        "date_format": "",
        "datetime_format": "",
        "float_thousand_separator": ",",
        "float_decimal_separator": ".",
        "advanced": True,
        "has_headers": True,
        "keep_matches": False,
        "limit": BATCH,
        "sheets": [],
        "sheet": "",
        "skip": 0,
        "tracking_disable": True,
    }


def import_file(env, content, plain):
    """Preview, then import batch after batch as the dialog does: ids."""
    from odoo.addons.base_import.models.base_import import (
        Base_ImportImport,
    )

    wizard = env["base_import.import"].create(
        {"res_model": "crm.lead", "file": content, "file_type": "text/csv"}
    )
    options = dialog_options()
    if not plain:
        options["sales_process_duplicates"] = "skip"
    preview = wizard.parse_preview(options)
    fields = [
        "/".join(preview["matches"].get(index, [])) or False
        for index in range(len(preview["headers"]))
    ]
    columns = [header.strip().lower() for header in preview["headers"]]
    wizard = wizard.with_context(tracking_disable=True)
    if plain:
        wizard = wizard.with_context(sales_process_skip_assignment=True)
    execute = (
        Base_ImportImport.execute_import.__get__(wizard)
        if plain
        else wizard.execute_import
    )
    ids = []
    rows = len(content.splitlines()) - 1  # no line break inside a cell
    while True:
        # a new copy each call, as the dialog sends: the import pops the limit
        result = execute(fields, columns, dict(options))
        assert not result["messages"], result["messages"][:3]
        ids += result["ids"] or []
        # the dialog makes as many calls as the file has batches: a file of
        # exactly N batches answers the last one with the row after the end
        if not result["nextrow"] or result["nextrow"] >= rows:
            return ids
        options["skip"] = result["nextrow"]


def measure(env, content, plain, reps):
    """Seconds, queries, leads written, leads assigned; rolled back."""
    cr = env.cr
    cr.execute("SAVEPOINT bench_import")
    env.invalidate_all()
    with benchlib.counting(cr) as counted:
        ids = import_file(env, content, plain)
        env.flush_all()
        cr.precommit.run()
        env.flush_all()
    leads = env["crm.lead"].browse(ids)
    assigned = len(leads.filtered(lambda lead: lead.user_id in reps))
    cr.execute("ROLLBACK TO SAVEPOINT bench_import")
    cr.precommit.clear()
    cr.postcommit.clear()
    env.invalidate_all()
    return counted.seconds, counted.queries, len(ids), assigned


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--existing", type=int, default=100000)
    parser.add_argument("--database", default="spa_bench_import")
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    reuse = args.reuse_database and benchlib.database_exists(args.database)
    benchlib.create_database(args.database, reuse=reuse)
    with benchlib.superuser_env(args.database) as env:
        if not reuse:
            make_existing_leads(env, args.existing)
            make_assignment(env)
            env.cr.commit()
        reps = env["res.users"].search([("login", "like", "spa_bench_import_")])
        content = file_content(args.rows, args.existing)
        warm_up = file_content(200, args.existing)
        results = {}
        for label, plain in (("odoo", True), ("module", False)):
            measure(env, warm_up, plain, reps)
            results[label] = measure(env, content, plain, reps)
    print()
    print(
        f"{args.rows} rows (one in ten an existing customer) against "
        f"{args.existing} existing leads, batches of {BATCH}, rolled back"
    )
    print(f"{'how':>7} | {'s':>7} {'queries':>8} | {'leads':>6} {'assigned':>8}")
    for label, (seconds, queries, written, assigned) in results.items():
        print(f"{label:>7} | {seconds:>7.2f} {queries:>8} | {written:>6} {assigned:>8}")
    ratio = results["module"][0] / results["odoo"][0]
    print(f"module / odoo: {ratio:.2f}x (target <= 1.5x)")
    if not args.keep_database:
        benchlib.drop_database(args.database)


if __name__ == "__main__":
    main()
