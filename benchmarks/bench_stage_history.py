#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cost of a stage change on 1 and on 1,000 leads, with and without stage history.

Two databases hold the same modules, except that one also has
sales_process_automation ("module") and the other does not ("plain crm"). Both get
the same leads; the same stage write is then timed and its SQL queries counted
in each, in the same run. Every measure starts with a cold ORM cache, includes
the flush to the database and Odoo's chatter tracking, and is rolled back.

Usage: python3 benchmarks/bench_stage_history.py [--repeat 7] [--keep-databases]
"""

import argparse

import benchlib

DEPENDENCIES = "crm,sale_management,sale_crm,account,helpdesk_mgmt"
DATABASES = {
    "plain crm": ("spa_bench_plain", DEPENDENCIES),
    "module": ("spa_bench_module", benchlib.MODULE),
}
BATCH_SIZES = (1, 1000)


def make_leads(env, count):
    team = env["crm.team"].create({"name": "Benchmark team"})
    return env["crm.lead"].create(
        [
            {
                "name": f"Benchmark lead {index}",
                "type": "opportunity",
                "team_id": team.id,
            }
            for index in range(count)
        ]
    )


def run(db_name, repeat):
    """Queries of the first stage change, and (ms, queries) of each batch size.

    Each measure writes the stage and runs what a commit runs (the flush, the
    chatter tracking). Before the first one the registry caches are emptied;
    the others first make one write, unmeasured, as any process has made one
    before: the registry cache then holds what Odoo and the module cache
    across requests.
    """
    results = {}
    with benchlib.superuser_env(db_name) as env:
        leads = make_leads(env, max(BATCH_SIZES))
        env.flush_all()
        env.cr.precommit.run()
        target = env["crm.stage"].search([("id", "!=", leads[0].stage_id.id)], limit=1)
        env.registry.clear_all_caches()
        results["first"] = benchlib.measure_rolled_back(
            env, lambda: leads[:1].write({"stage_id": target.id}), 1, warm_up=False
        )[1]
        for size in BATCH_SIZES:
            results[size] = benchlib.measure_rolled_back(
                env,
                lambda size=size: leads[:size].write({"stage_id": target.id}),
                repeat,
            )
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    benchlib.add_database_options(parser, several=True)
    args = parser.parse_args()
    benchlib.configure()
    for db_name, modules in DATABASES.values():
        benchlib.create_database(db_name, modules)
    results = {
        label: run(db_name, args.repeat)
        for label, (db_name, _modules) in DATABASES.items()
    }
    print()
    print(
        "Stage change on crm.lead: median of %d runs, cold ORM cache, warm registry"
        " cache" % args.repeat
    )
    print(
        f"{'leads':>6} | {'plain crm ms':>12} {'queries':>7} | "
        f"{'module ms':>10} {'queries':>7} | {'time ratio':>10} {'extra queries':>13}"
    )
    for size in BATCH_SIZES:
        plain_ms, plain_queries = results["plain crm"][size]
        module_ms, module_queries = results["module"][size]
        print(
            f"{size:>6} | {plain_ms:>12.1f} {plain_queries:>7} | "
            f"{module_ms:>10.1f} {module_queries:>7} | "
            f"{module_ms / plain_ms:>10.2f} {module_queries - plain_queries:>13}"
        )
    first_plain, first_module = (
        results["plain crm"]["first"],
        results["module"]["first"],
    )
    print(
        f"first change after the registry caches were emptied, 1 lead: plain crm "
        f"{first_plain} queries, module {first_module} "
        f"(+{first_module - first_plain}: the month of working hours is read once)"
    )
    if not args.keep_databases:
        for db_name, _modules in DATABASES.values():
            benchlib.drop_database(db_name)


if __name__ == "__main__":
    main()
