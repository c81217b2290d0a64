#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cost of the approval checks: stage moves past mandatory stages, confirmations.

Two databases hold the same modules, except that one also has
sales_process_automation ("module") and the other does not ("plain"). Both get
the same opportunities and quotations; the same operations are then timed and
their SQL queries counted, in the same run:

- a stage move of 1 and 1,000 opportunities past the mandatory stage, which
  they entered before and left (allowed), in the module with and without a
  mandatory stage: the difference is the check's own cost;
- a stage move of 1 and 100 opportunities that skip the mandatory stage (held:
  one stage skip request and its review each);
- the confirmation of 1 and 100 quotations under the approval thresholds (no
  discount), with two thresholds set in the module.

Every measure starts with a cold ORM cache, includes the flush to the database,
and is rolled back.

Usage: python3 benchmarks/bench_approvals.py [--repeat 5] [--keep-databases]
"""

import argparse

import benchlib

from odoo import Command

DEPENDENCIES = "crm,sale_management,sale_crm,account,helpdesk_mgmt,base_tier_validation"
DATABASES = {
    "plain": ("spa_bench_appr_plain", DEPENDENCIES),
    "module": ("spa_bench_appr_module", benchlib.MODULE),
}
ALLOWED_SIZES = (1, 1000)
HELD_SIZES = (1, 100)
ORDER_SIZES = (1, 100)


def set_up(env):
    team = env["crm.team"].create({"name": "Benchmark team", "user_id": env.uid})
    Stage = env["crm.stage"]
    stages = Stage.create(
        [
            {
                "name": name,
                "sequence": 1000 + index,
                "team_ids": [Command.link(team.id)],
            }
            for index, name in enumerate(("Intake", "Qualification", "Proposal"))
        ]
    )
    rep = env["res.users"].create(
        {
            "name": "Benchmark rep",
            "login": "bench_rep",
            "group_ids": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
        }
    )

    def leads(count, stage):
        return env["crm.lead"].create(
            [
                {
                    "name": f"Benchmark lead {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": rep.id,
                    "stage_id": stage.id,
                }
                for index in range(count)
            ]
        )

    # went through Qualification and back: the check reads their history
    entered = leads(max(ALLOWED_SIZES), stages[1])
    entered.write({"stage_id": stages[0].id})
    skipping = leads(max(HELD_SIZES), stages[0])
    product = env["product.product"].create(
        {"name": "Benchmark chair", "list_price": 100.0, "type": "consu"}
    )
    partner = env["res.partner"].create({"name": "Benchmark customer"})
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "team_id": team.id,
                "user_id": rep.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
            for _index in range(max(ORDER_SIZES))
        ]
    )
    return stages, entered, skipping, orders


def run(label, db_name, repeat):
    measure = benchlib.measure_rolled_back
    results = {}
    with benchlib.superuser_env(db_name) as env:
        stages, entered, skipping, orders = set_up(env)
        env.flush_all()
        env.cr.precommit.run()
        module = label == "module"
        if module:
            for size in ALLOWED_SIZES:
                results[("allowed, no mandatory stage", size)] = measure(
                    env,
                    lambda size=size: entered[:size].write({"stage_id": stages[2].id}),
                    repeat,
                )
            stages[1].sales_process_mandatory = True
            env["sales.process.discount.threshold"].create(
                [
                    {"name": "10%", "percent": 10, "reviewer_type": "team_leader"},
                    {
                        "name": "25%",
                        "percent": 25,
                        "reviewer_type": "user",
                        "reviewer_id": env.uid,
                    },
                ]
            )
            env.flush_all()
        for size in ALLOWED_SIZES:
            results[("allowed", size)] = measure(
                env,
                lambda size=size: entered[:size].write({"stage_id": stages[2].id}),
                repeat,
            )
        for size in HELD_SIZES:
            results[("skipping", size)] = measure(
                env,
                lambda size=size: skipping[:size].write({"stage_id": stages[2].id}),
                repeat,
            )
        for size in ORDER_SIZES:
            results[("confirm", size)] = measure(
                env, lambda size=size: orders[:size].action_confirm(), repeat
            )
        if module:
            held = env["sales.process.stage.skip.request"].search_count(
                [("lead_id", "in", skipping.ids)]
            )
            assert not held, "the measures are rolled back"
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    benchlib.add_database_options(parser, several=True)
    args = parser.parse_args()
    benchlib.configure()
    for db_name, modules in DATABASES.values():
        benchlib.create_database(db_name, modules)
    results = {
        label: run(label, db_name, args.repeat)
        for label, (db_name, _modules) in DATABASES.items()
    }
    print()
    print("Median of %d runs, cold ORM cache, warm registry cache" % args.repeat)
    print(
        f"{'operation':<40} {'records':>7} | {'plain ms':>9} {'queries':>7} | "
        f"{'module ms':>9} {'queries':>7}"
    )
    rows = [
        ("stage move, mandatory stage entered", "allowed", ALLOWED_SIZES),
        ("stage move, module without mandatory", "allowed, no mandatory stage", ()),
        ("stage move skipping it (held)", "skipping", HELD_SIZES),
        ("confirm quotations below thresholds", "confirm", ORDER_SIZES),
    ]
    for title, key, sizes in rows:
        for size in sizes or ALLOWED_SIZES:
            plain = results["plain"].get((key, size))
            module_ms, module_queries = results["module"][(key, size)]
            plain_text = (
                f"{plain[0]:>9.1f} {plain[1]:>7}" if plain else f"{'-':>9} {'-':>7}"
            )
            print(
                f"{title:<40} {size:>7} | {plain_text} | "
                f"{module_ms:>9.1f} {module_queries:>7}"
            )
    print(
        "plain: no check, a skipping move simply moves; module: the skipping "
        "move creates a stage skip request, its review and chatter messages"
    )
    if not args.keep_databases:
        for db_name, _modules in DATABASES.values():
            benchlib.drop_database(db_name)


if __name__ == "__main__":
    main()
