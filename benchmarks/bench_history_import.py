#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cost of importing N past stage movements, next to plain ORM creates.

One database holds sales_process_automation. Its leads get the same past
movements (five consecutive two-day stays each, before their current stage)
three ways, each timed and its SQL queries counted, rolled back after each run:

- "history import": ``sales.process.history.import`` ``create``, what Odoo's
  import dialog calls once it has read the file (checks, working hours, one
  INSERT of the history rows, the funnel flags of the leads);
- "import dialog": the same rows through ``load()``, as the dialog sends them
  (references resolved by database id);
- "ORM create": ``sales.process.stage.history`` ``create`` of the same rows
  (working hours and funnel flags by its own ``create``), no checks.

Usage: python3 benchmarks/bench_history_import.py [--leads 200] [--repeat 3]
    [--database spa_bench_history] [--reuse-database] [--keep-database]
"""

import argparse
from datetime import datetime, timedelta

import benchlib

MOVES_PER_LEAD = 5
FIRST_DAY = datetime(2025, 1, 6, 8)


def make_leads(env, count):
    team = env["crm.team"].create({"name": "History benchmark team"})
    return (
        env["crm.lead"]
        .with_context(**benchlib.NO_CHATTER)
        .create(
            [
                {
                    "name": f"History benchmark lead {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                }
                for index in range(count)
            ]
        )
    )


def movements(env, leads):
    stages = env["crm.stage"].search([], order="sequence, id", limit=MOVES_PER_LEAD)
    return [
        {
            "lead_id": lead.id,
            "crm_stage_id": stages[step % len(stages)].id,
            "date_in": FIRST_DAY + timedelta(days=2 * step),
            "date_out": FIRST_DAY + timedelta(days=2 * step + 2),
        }
        for lead in leads
        for step in range(MOVES_PER_LEAD)
    ]


def run(env, leads, repeat):
    vals_list = movements(env, leads)
    Import = env["sales.process.history.import"]
    fields = ["lead_id/.id", "crm_stage_id/.id", "date_in", "date_out"]
    data = [
        [
            str(vals["lead_id"]),
            str(vals["crm_stage_id"]),
            str(vals["date_in"]),
            str(vals["date_out"]),
        ]
        for vals in vals_list
    ]

    def orm_create():
        leads_by_id = {lead.id: lead for lead in leads}
        env["sales.process.stage.history"].create(
            [
                leads_by_id[vals["lead_id"]]._stage_history_row_values(
                    env["crm.stage"].browse(vals["crm_stage_id"]),
                    vals["date_in"],
                    vals["date_out"],
                )
                for vals in vals_list
            ]
        )

    def dialog():
        result = Import.with_context(import_file=True).load(fields, data)
        assert result["ids"], result["messages"]

    return len(vals_list), {
        "history import": benchlib.measure_rolled_back(
            env, lambda: Import.create(vals_list), repeat
        ),
        "import dialog": benchlib.measure_rolled_back(env, dialog, repeat),
        "ORM create": benchlib.measure_rolled_back(env, orm_create, repeat),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default="spa_bench_history")
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    benchlib.create_database(args.database, reuse=args.reuse_database)
    with benchlib.superuser_env(args.database) as env:
        leads = make_leads(env, args.leads)
        env.flush_all()
        count, results = run(env, leads, args.repeat)
    print()
    print(
        f"{count} past movements of {args.leads} leads: median of {args.repeat} "
        "runs, cold ORM cache, rolled back"
    )
    print(f"{'how':>15} | {'ms':>9} {'queries':>7} | {'ms per row':>10}")
    for label, (ms, queries) in results.items():
        print(f"{label:>15} | {ms:>9.1f} {queries:>7} | {ms / count:>10.3f}")
    if not args.keep_database:
        benchlib.drop_database(args.database)


if __name__ == "__main__":
    main()
