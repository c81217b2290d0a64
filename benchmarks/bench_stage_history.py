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
import os
import statistics
import subprocess
import sys
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db
from odoo.tools import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPENDENCIES = "crm,sale_management,sale_crm,account,helpdesk_mgmt"
DATABASES = {
    "plain crm": ("spa_bench_plain", DEPENDENCIES),
    "module": ("spa_bench_module", "sales_process_automation"),
}
BATCH_SIZES = (1, 1000)


def addons_path():
    return ",".join(
        [ROOT, *(path for path in odoo.addons.__path__ if os.path.isdir(path))]
    )


def create_database(name, modules):
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", name], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            name,
            "-i",
            modules,
            f"--addons-path={addons_path()}",
            "--stop-after-init",
            "--http-interface=127.0.0.1",
            "--log-level=warn",
        ],
        check=True,
    )


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


def measure(env, leads, stage, repeat):
    """Median time (ms) and queries of writing ``stage`` on ``leads``.

    One write runs first, unmeasured, as any process has run one before: the
    registry cache then holds what Odoo and the module cache across requests.
    """
    timings, queries = [], set()
    cr = env.cr
    for run_index in range(repeat + 1):
        cr.execute("SAVEPOINT bench_write")
        env.invalidate_all()
        before = cr.sql_log_count
        start = time.perf_counter()
        leads.write({"stage_id": stage.id})
        env.flush_all()
        cr.precommit.run()
        env.flush_all()
        if run_index:
            timings.append((time.perf_counter() - start) * 1000)
            queries.add(cr.sql_log_count - before)
        cr.execute("ROLLBACK TO SAVEPOINT bench_write")
        cr.precommit.clear()
        env.invalidate_all()
    return statistics.median(timings), max(queries)


def first_write_queries(env, leads, stage):
    """Queries of a write right after the registry caches were emptied."""
    env.registry.clear_all_caches()
    env.invalidate_all()
    cr = env.cr
    cr.execute("SAVEPOINT bench_first")
    before = cr.sql_log_count
    leads.write({"stage_id": stage.id})
    env.flush_all()
    cr.precommit.run()
    env.flush_all()
    count = cr.sql_log_count - before
    cr.execute("ROLLBACK TO SAVEPOINT bench_first")
    cr.precommit.clear()
    env.invalidate_all()
    return count


def run(label, db_name, repeat):
    registry = Registry(db_name)
    results = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        leads = make_leads(env, max(BATCH_SIZES))
        env.flush_all()
        cr.precommit.run()
        target = env["crm.stage"].search([("id", "!=", leads[0].stage_id.id)], limit=1)
        results["first"] = first_write_queries(env, leads[:1], target)
        for size in BATCH_SIZES:
            results[size] = measure(env, leads[:size], target, repeat)
        cr.rollback()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep-databases", action="store_true")
    args = parser.parse_args()
    config.parse_config([f"--addons-path={addons_path()}", "--log-level=warn"])
    for db_name, modules in DATABASES.values():
        print(f"creating {db_name} with {modules} ...", flush=True)
        create_database(db_name, modules)
    results = {
        label: run(label, db_name, args.repeat)
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
            Registry.delete(db_name)
            close_db(db_name)
            subprocess.run(["dropdb", "--if-exists", db_name], check=True)


if __name__ == "__main__":
    main()
