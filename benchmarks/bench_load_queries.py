#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Queries and time of each operation of bench_load.py, one rep, one process.

Runs the operations of the load benchmark as a rep of the databases it kept
(``python3 benchmarks/bench_load.py --keep-databases`` first), in this
process: each one with a warm registry, a cold ORM cache, the flush and the
chatter tracking included, rolled back. With ``--profile OPERATION``, prints
the functions of the add-on and of Odoo where that operation spends its time.

Usage: python3 benchmarks/bench_load_queries.py [--repeat 5] [--profile kanban]
       [--only add-on] [--database-prefix rr_]
"""

import argparse
import cProfile
import io
import pstats

import benchlib
from bench_load import CONTRACT_SIGNED_FIELDS, DATABASES, OPERATIONS


def operations(env):
    """``{operation: function}`` as the first load rep, on a lead of their own."""
    rep = env["res.users"].search([("login", "=", "load_rep_1")])
    assert rep, "run bench_load.py --keep-databases first"
    user_env = env(user=rep, context=dict(rep.context_get()))
    Lead = user_env["crm.lead"]
    stages = env["crm.stage"].search([("is_won", "=", False), ("team_ids", "=", False)])
    for fname in CONTRACT_SIGNED_FIELDS:
        if fname in stages._fields:
            stages = stages.filtered(lambda stage, fname=fname: not stage[fname])
    partner = env["res.partner"].search([("is_company", "=", True)], limit=1)
    products = env["product.product"].search(
        [("sale_ok", "=", True), ("invoice_policy", "=", "order")], limit=2
    )
    lead = Lead.create(
        {"name": "Query count", "type": "opportunity", "stage_id": stages[0].id}
    )
    env.flush_all()
    views = Lead.get_views([(False, "kanban")])
    from bench_load import kanban_specification

    spec = kanban_specification(views)

    def order():
        return user_env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 1})
                    for product in products
                ],
            }
        )

    quotation = order()
    env.flush_all()
    return {
        "kanban": lambda: Lead.web_read_group(
            [("type", "=", "opportunity")],
            ["stage_id"],
            ["expected_revenue:sum"],
            auto_unfold=True,
            unfold_read_specification=spec,
            unfold_read_default_limit=80,
        ),
        "move stage": lambda: lead.write({"stage_id": stages[1].id}),
        "create lead": lambda: Lead.create(
            {
                "name": "Load lead",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": rep.id,
                "stage_id": stages[0].id,
            }
        ),
        "create unassigned": lambda: Lead.create(
            {
                "name": "Load lead",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": False,
                "stage_id": stages[0].id,
            }
        ),
        "create quotation": order,
        "confirm": lambda: quotation.action_confirm(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", choices=OPERATIONS)
    parser.add_argument("--only", choices=list(DATABASES))
    parser.add_argument(
        "--database-prefix",
        default="",
        help="the prefix bench_load.py put before the names of the databases",
    )
    args = parser.parse_args()
    benchlib.configure()
    results = {}
    for label, (db_name, _modules) in DATABASES.items():
        if args.only and label != args.only:
            continue
        with benchlib.superuser_env(args.database_prefix + db_name) as env:
            functions = operations(env)
            if args.profile:
                profiler = cProfile.Profile()
                function = functions[args.profile]
                benchlib.measure_rolled_back(env, function, 1)
                profiler.enable()
                benchlib.measure_rolled_back(env, function, args.repeat, warm_up=False)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(45)
                print(f"== {label}: {args.profile}")
                print(out.getvalue())
                continue
            results[label] = {
                name: benchlib.measure_rolled_back(env, function, args.repeat)
                for name, function in functions.items()
            }
    if results:
        labels = list(results)
        print(
            f"{'operation':<18}"
            + "".join(f"| {label:>8} ms  queries " for label in labels)
        )
        for name in OPERATIONS:
            print(
                f"{name:<18}"
                + "".join(
                    f"| {results[label][name][0]:>11.1f} {results[label][name][1]:>8}"
                    for label in labels
                )
            )


if __name__ == "__main__":
    main()
