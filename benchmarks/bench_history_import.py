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

With ``--movements N`` the size is given in movements (N / 5 leads; above
20,000 leads they are written by SQL), and ``--ways`` picks the ways to run:
at a million movements only the import itself is meant to run, in batches
of ``--batch`` rows as the import dialog sends them (2,000), once, with its
rows per second.

Usage: python3 benchmarks/bench_history_import.py [--leads 200] [--repeat 3]
    [--movements N] [--ways "history import,import dialog,ORM create"]
    [--batch N] [--database spa_bench_history] [--reuse-database]
    [--keep-database]
"""

import argparse
from datetime import datetime, timedelta

import benchlib

MOVES_PER_LEAD = 5
FIRST_DAY = datetime(2025, 1, 6, 8)
SQL_LEADS_ABOVE = 20000
WAYS = ("history import", "import dialog", "ORM create")


def make_leads(env, count):
    team = env["crm.team"].create({"name": "History benchmark team"})
    if count > SQL_LEADS_ABOVE:
        # the ORM would take longer than the import measured: the rows a
        # lead's create writes that the import reads (no stage history:
        # nothing to overlap)
        env.cr.execute(
            """
            INSERT INTO crm_lead (name, type, active, company_id, team_id,
                                  probability, priority, create_uid, write_uid,
                                  create_date, write_date)
            SELECT 'History benchmark lead ' || n, 'opportunity', TRUE,
                   %(company)s, %(team)s, 10, '0', 1, 1, now(), now()
              FROM generate_series(1, %(count)s) n
            RETURNING id
            """,
            {"company": env.company.id, "team": team.id, "count": count},
        )
        ids = sorted(id_ for (id_,) in env.cr.fetchall())
        # leads imported before their history are committed and analyzed
        env.cr.execute("ANALYZE crm_lead")
        return env["crm.lead"].browse(ids)
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


def run(env, leads, repeat, ways=WAYS, batch=None):
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

    size = batch or len(vals_list)

    def history_import():
        for start in range(0, len(vals_list), size):
            Import.create(vals_list[start : start + size])
            if batch:
                # what the end of a dialog's call does: a new ORM cache
                env.flush_all()
                env.invalidate_all()

    def dialog():
        for start in range(0, len(data), size):
            result = Import.with_context(import_file=True).load(
                fields, data[start : start + size]
            )
            assert result["ids"], result["messages"]
            if batch:
                env.flush_all()
                env.invalidate_all()

    operations = {
        "history import": history_import,
        "import dialog": dialog,
        "ORM create": orm_create,
    }
    # one run of a million rows is the measure: no warm-up then
    warm_up = repeat > 1
    return len(vals_list), {
        way: benchlib.measure_rolled_back(env, operations[way], repeat, warm_up=warm_up)
        for way in ways
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument(
        "--movements", type=int, help="the size in movements instead of leads"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ways",
        default=",".join(WAYS),
        help="comma-separated, among " + ", ".join(WAYS),
    )
    parser.add_argument("--batch", type=int, help="rows per import call")
    parser.add_argument("--database", default="spa_bench_history")
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    if args.movements:
        args.leads = -(-args.movements // MOVES_PER_LEAD)
    ways = [way.strip() for way in args.ways.split(",")]
    assert set(ways) <= set(WAYS), ways
    benchlib.configure()
    benchlib.create_database(args.database, reuse=args.reuse_database)
    with benchlib.superuser_env(args.database) as env:
        leads = make_leads(env, args.leads)
        env.flush_all()
        count, results = run(env, leads, args.repeat, ways, args.batch)
    print()
    print(
        f"{count} past movements of {args.leads} leads: median of {args.repeat} "
        "runs, cold ORM cache, rolled back"
    )
    print(
        f"{'how':>15} | {'ms':>9} {'queries':>7} | {'ms per row':>10} "
        f"{'rows/s':>8} | {'1M rows (min)':>13}"
    )
    for label, (ms, queries) in results.items():
        rate = count / ms * 1000
        print(
            f"{label:>15} | {ms:>9.1f} {queries:>7} | {ms / count:>10.3f} "
            f"{rate:>8.0f} | {1_000_000 / rate / 60:>13.1f}"
        )
    if not args.keep_database:
        benchlib.drop_database(args.database)


if __name__ == "__main__":
    main()
