#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cost of a stage change on 1 and on 1,000 leads, with and without stage history.

Two databases hold the same modules, except that one also has
sales_process_automation ("module") and the other does not ("plain crm"). Both get
the same leads; the same stage write is then timed and its SQL queries counted
in each, in the same run. Every measure starts with a cold ORM cache, includes
the flush to the database and Odoo's chatter tracking, and is rolled back.

With ``--handoffs OWNER``, the target stage of the module's database has a
process step owned by OWNER (salesperson, team_leader, user, group): each
change also hands the leads over (an activity for the owner, the owner on the
history row); a group chooses its member by ``--group-method``. The plain
database then also measures the native hand-off: the same stage change followed
by ``mail.activity.create`` of the same activity for the same owner (no
assignment mail, as the module's). With
``--sla-policy``, the target stage of the module's database has a stage SLA
policy with a reminder, paused by a third stage. ``--sizes`` chooses the batch sizes,
``--db-prefix`` the names of the two databases.

Usage: python3 benchmarks/bench_stage_history.py [--repeat 7] [--sizes 1,1000]
    [--handoffs salesperson] [--group-method round_robin] [--sla-policy]
    [--db-prefix spa_bench_] [--keep-databases]
"""

import argparse

import benchlib

DEPENDENCIES = "crm,sale_management,sale_crm,account,helpdesk_mgmt"
DATABASES = {
    "plain crm": ("plain", DEPENDENCIES),
    "module": ("module", benchlib.MODULE),
}
OWNER_TYPES = ("salesperson", "team_leader", "user", "group")
GROUP_METHODS = ("round_robin", "least_load")


def make_leads(env, count):
    rep = env["res.users"].create(
        {
            "name": "Benchmark rep",
            "login": "benchmark_rep",
            "group_ids": [(4, env.ref("sales_team.group_sale_salesman").id)],
        }
    )
    team = env["crm.team"].create(
        {"name": "Benchmark team", "user_id": rep.id, "member_ids": [(4, rep.id)]}
    )
    return env["crm.lead"].create(
        [
            {
                "name": f"Benchmark lead {index}",
                "type": "opportunity",
                "team_id": team.id,
                "user_id": rep.id,
            }
            for index in range(count)
        ]
    )


def add_handoff_step(env, stage, team, owner_type, group_method):
    """A process step on ``stage`` for ``team``, owned as ``owner_type`` says;
    a group chooses its member by ``group_method``."""
    rep = team.user_id
    env["sales.process.step"].create(
        {
            "team_id": team.id,
            "stage_id": stage.id,
            "owner_type": owner_type,
            "owner_user_id": rep.id,
            "owner_group_id": env.ref("sales_team.group_sale_salesman").id,
            "group_method": group_method,
            "checklist": "<p>Check the budget</p>",
            "expected_days": 3,
        }
    )


def add_sla_policy(env, stage, pause_stage):
    """A stage SLA policy on ``stage``, paused by ``pause_stage``, with a reminder."""
    env["sales.process.sla.policy"].create(
        {
            "name": "Benchmark policy",
            "crm_stage_id": stage.id,
            "pause_crm_stage_ids": [(4, pause_stage.id)],
            "duration": 5,
            "reminder_ids": [(0, 0, {"anchor": "entry", "delay": 1})],
        }
    )


def run(db_name, repeat, sizes, handoffs=None, group_method=None, sla_policy=False):
    """Queries of the first stage change, and (ms, queries) of each batch size.

    Each measure writes the stage and runs what a commit runs (the flush, the
    chatter tracking). Before the first one the registry caches are emptied;
    the others first make one write, unmeasured, as any process has made one
    before: the registry cache then holds what Odoo and the module cache
    across requests.
    """
    results = {}
    with benchlib.superuser_env(db_name) as env:
        leads = make_leads(env, max(sizes))
        env.flush_all()
        env.cr.precommit.run()
        target = env["crm.stage"].search([("id", "!=", leads[0].stage_id.id)], limit=1)
        if "sales.process.step" in env:
            # the module's databases and demo data ship policies: only the
            # benchmark's own applies
            env["sales.process.sla.policy"].search([]).action_archive()
            if handoffs:
                add_handoff_step(env, target, leads[0].team_id, handoffs, group_method)
            if sla_policy:
                pause_stage = env["crm.stage"].search(
                    [("id", "not in", (leads[0].stage_id | target).ids)], limit=1
                )
                add_sla_policy(env, target, pause_stage)
            env.flush_all()
        env.registry.clear_all_caches()
        results["first"] = benchlib.measure_rolled_back(
            env, lambda: leads[:1].write({"stage_id": target.id}), 1, warm_up=False
        )[1]
        for size in sizes:
            results[size] = benchlib.measure_rolled_back(
                env,
                lambda size=size: leads[:size].write({"stage_id": target.id}),
                repeat,
            )
        if handoffs and "sales.process.step" not in env:
            # the native hand-off: the same stage change, then the same activity
            # scheduled by hand for the owner the module would choose
            owner = native_owner(env, leads[0], handoffs)
            for size in sizes:
                results[("native", size)] = benchlib.measure_rolled_back(
                    env,
                    lambda size=size: native_handoff(env, leads[:size], target, owner),
                    repeat,
                )
    return results


def native_owner(env, lead, owner_type):
    """Who the step of ``add_handoff_step`` hands ``lead`` to: its rep, or for
    a group the first member in id order, as the first turn of a group."""
    if owner_type != "group":
        return lead.user_id
    members = env.ref("sales_team.group_sale_salesman").all_user_ids
    return members.filtered(lambda user: user.active and not user.share).sorted("id")[0]


def native_handoff(env, leads, stage, owner):
    leads.write({"stage_id": stage.id})
    # without the assignment mail, as the module's hand-off
    env["mail.activity"].with_context(mail_activity_quick_update=True).create(
        [
            {
                "res_model_id": env["ir.model"]._get_id("crm.lead"),
                "res_id": lead.id,
                "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                "user_id": owner.id,
                "summary": "Check the budget",
                "note": "<p>Check the budget</p>",
            }
            for lead in leads
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--sizes",
        default="1,1000",
        help="comma-separated numbers of leads moved at once (default 1,1000)",
    )
    parser.add_argument(
        "--handoffs",
        choices=OWNER_TYPES,
        help="hand the leads over to the owner of a step on the target stage",
    )
    parser.add_argument(
        "--group-method",
        choices=GROUP_METHODS,
        default="round_robin",
        help="how a group owner (--handoffs group) chooses its member",
    )
    parser.add_argument(
        "--sla-policy",
        action="store_true",
        help="give the target stage an SLA policy (pause stage, reminder)",
    )
    parser.add_argument("--db-prefix", default="spa_bench_")
    benchlib.add_database_options(parser, several=True, reuse=True)
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(","))
    databases = {
        label: (args.db_prefix + suffix, modules)
        for label, (suffix, modules) in DATABASES.items()
    }
    benchlib.configure()
    for db_name, modules in databases.values():
        benchlib.create_database(db_name, modules, reuse=args.reuse_database)
    results = {
        label: run(
            db_name,
            args.repeat,
            sizes,
            args.handoffs,
            args.group_method,
            args.sla_policy,
        )
        for label, (db_name, _modules) in databases.items()
    }
    print()
    handoffs = ""
    if args.handoffs:
        method = f" ({args.group_method})" if args.handoffs == "group" else ""
        handoffs = f", hand-offs to the {args.handoffs}{method}"
    sla = ", an SLA policy on the stage" if args.sla_policy else ""
    print(
        "Stage change on crm.lead: median of %d runs, cold ORM cache, warm registry"
        " cache%s%s" % (args.repeat, handoffs, sla)
    )
    print(
        f"{'leads':>6} | {'plain crm ms':>12} {'queries':>7} | "
        f"{'module ms':>10} {'queries':>7} | {'time ratio':>10} {'extra queries':>13}"
    )
    for size in sizes:
        plain_ms, plain_queries = results["plain crm"][size]
        module_ms, module_queries = results["module"][size]
        print(
            f"{size:>6} | {plain_ms:>12.1f} {plain_queries:>7} | "
            f"{module_ms:>10.1f} {module_queries:>7} | "
            f"{module_ms / plain_ms:>10.2f} {module_queries - plain_queries:>13}"
        )
    if args.handoffs:
        print(
            "the native hand-off: plain crm changes the stage and schedules the "
            "same activity for the same owner with mail.activity.create (no mail)"
        )
        print(f"{'leads':>6} | {'native ms':>12} {'queries':>7} | module extra queries")
        for size in sizes:
            native_ms, native_queries = results["plain crm"][("native", size)]
            module_queries = results["module"][size][1]
            print(
                f"{size:>6} | {native_ms:>12.1f} {native_queries:>7} | "
                f"{module_queries - native_queries:>+20}"
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
        for db_name, _modules in databases.values():
            benchlib.drop_database(db_name)


if __name__ == "__main__":
    main()
