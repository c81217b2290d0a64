#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Assignment rules of the module against Odoo's own lead assignment, same leads.

One database, spa_bench_assign, holds sales_process_automation. It gets 2 sales
teams of 10 reps each and N new leads, neither assigned to a team nor to a rep,
each with one of 5 sources, one of 2 countries and, for half of them, the tag
"Hot". Ten rules send them to the teams, and the same routing is then given to
Odoo's own assignment as far as it can express it:

- "module": 10 assignment rules (4 sources x 2 countries, then source 5 with
  and without the tag), round-robin among the team's reps, swept by the
  module's backlog cron method ``_cron_assign_backlog``, batch after batch;
  every lead also gets its chatter note and a to-do activity for its rep;
- "odoo": the team's ``assignment_domain`` is the union of its rules' domains
  (the rules do not overlap, so the routing is the same; Odoo has no rule
  order), every member has a capacity that lets the whole import through
  (``assignment_max``), and ``crm.team._action_assign_leads`` runs as the
  "Assign Leads" button runs it (daily quota forced, all creation dates),
  which allocates the leads to the teams, then to the reps in turns, and
  converts them to opportunities.

Both are measured on the same leads from a cold ORM cache, flush included, and
rolled back. Odoo's assignment commits every 100 leads outside tests: it runs
with ``odoo.modules.module.current_test`` set, as in its own tests, so that its
work can be rolled back. The module's ``ir.cron._commit_progress`` is replaced
by a flush and a clear of the ORM cache, what a commit does to the transaction,
for the same reason. A third figure, "module on create", is the extra cost of
assigning the leads while they are created (import, API, mail gateway), next to
creating them without rules.

Usage: python3 benchmarks/bench_assignment.py [--leads 10000] [--batch-size 500]
    [--reuse-database] [--keep-database]
"""

import argparse
import time
from contextlib import contextmanager
from unittest.mock import patch

import benchlib

import odoo
from odoo import Command
from odoo.fields import Domain

DB_NAME = "spa_bench_assign"
REPS_PER_TEAM = 10
SOURCES = 5
CHUNK = 2000


def make_teams(env):
    salesman = env.ref("sales_team.group_sale_salesman")
    teams = env["crm.team"]
    for letter in "AB":
        reps = env["res.users"].create(
            [
                {
                    "name": f"Assignment rep {letter}{index}",
                    "login": f"spa_bench_assign_{letter}{index}",
                    "email": f"rep{letter}{index}@example.com",
                    "group_ids": [Command.link(salesman.id)],
                }
                for index in range(REPS_PER_TEAM)
            ]
        )
        teams |= env["crm.team"].create(
            {
                "name": f"Assignment team {letter}",
                "use_leads": True,
                "member_ids": [Command.set(reps.ids)],
            }
        )
    return teams


def make_rules(env, teams, sources, countries, hot):
    """The 10 rules, in order, with the team each one routes to."""
    Rule = env["sales.process.assignment.rule"]
    values = [
        {
            "name": f"{source.name} in {country.name}",
            "source_ids": [Command.link(source.id)],
            "country_ids": [Command.link(country.id)],
            "team_id": team.id,
        }
        for source in sources[:-1]
        for country, team in zip(countries, teams, strict=True)
    ]
    values += [
        {
            "name": f"Hot leads from {sources[-1].name}",
            "source_ids": [Command.link(sources[-1].id)],
            "tag_ids": [Command.link(hot.id)],
            "team_id": teams[0].id,
        },
        {
            "name": f"Other leads from {sources[-1].name}",
            "source_ids": [Command.link(sources[-1].id)],
            "domain": repr([("tag_ids", "not in", hot.ids)]),
            "team_id": teams[1].id,
        },
    ]
    return Rule.create(
        [
            dict(rule, sequence=sequence, method="round_robin", notify_assignee=True)
            for sequence, rule in enumerate(values, start=1)
        ]
    )


def configure_odoo_assignment(rules, teams, leads_count):
    """Odoo's assignment routed like the rules: a domain per team."""
    for team in teams:
        team_rules = rules.filtered(lambda rule, team=team: rule.team_id == team)
        domain = Domain.OR(rule._condition_domain() for rule in team_rules)
        team.assignment_domain = repr(list(domain))
        # a monthly capacity whose daily share takes the whole import
        team.crm_team_member_ids.write({"assignment_max": 30 * leads_count})


def lead_values(count, sources, countries, hot, start=0):
    return [
        {
            "name": f"Assignment lead {index}",
            "type": "lead",
            "email_from": f"customer{index}@example.com",
            "source_id": sources[index % SOURCES].id,
            "country_id": countries[(index // SOURCES) % 2].id,
            "tag_ids": [Command.link(hot.id)] if index % 4 < 2 else [],
            "user_id": False,
            "team_id": False,
        }
        for index in range(start, start + count)
    ]


def make_leads(env, count, sources, countries, hot):
    Lead = env["crm.lead"].with_context(
        **benchlib.NO_CHATTER, sales_process_skip_assignment=True
    )
    leads = Lead.browse()
    for start in range(0, count, CHUNK):
        leads |= Lead.create(
            lead_values(min(CHUNK, count - start), sources, countries, hot, start)
        )
        env.flush_all()
        env.invalidate_all()
    # what the commit after an import does: the precommit hooks run, so that
    # both ways later track the leads' new owner as in a later transaction
    # (Odoo does not track records created in the same transaction)
    env.cr.precommit.run()
    return leads


@contextmanager
def rolled_back(env):
    cr = env.cr
    cr.execute("SAVEPOINT bench_assign")
    env.invalidate_all()
    try:
        yield
    finally:
        cr.execute("ROLLBACK TO SAVEPOINT bench_assign")
        env.invalidate_all()
        cr.postcommit.clear()


def run_module_cron(env):
    """The backlog cron, batch after batch: seconds, queries, queries per batch."""
    cr = env.cr
    Rule = env["sales.process.assignment.rule"]
    with benchlib.cron_commits(env) as commits:
        before = cr.sql_log_count
        with benchlib.counting(cr) as counted:
            Rule._cron_assign_backlog()
            env.flush_all()
    batches = [count for _remaining, count in commits]
    per_batch = [
        count - previous
        for previous, count in zip([before, *batches], batches, strict=False)
    ]
    return counted.seconds, counted.queries, per_batch


def run_odoo_assignment(env, teams):
    with (
        patch.object(odoo.modules.module, "current_test", True),
        benchlib.counting(env.cr) as counted,
    ):
        teams._action_assign_leads(force_quota=True, creation_delta_days=0)
        env.flush_all()
    return counted.seconds, counted.queries, []


def spread(env, leads, teams):
    """Leads assigned, and max - min leads per rep within each team."""
    env.flush_all()
    env.invalidate_all()
    counts = dict(
        env["crm.lead"]._read_group(
            [("id", "in", leads.ids), ("user_id", "!=", False)],
            ["user_id"],
            ["__count"],
        )
    )
    spreads = []
    for team in teams:
        per_rep = [counts.get(user, 0) for user in team.member_ids]
        spreads.append(max(per_rep) - min(per_rep))
    return sum(counts.values()), max(spreads)


def measure_create(env, count, sources, countries, hot, with_rules):
    """Seconds and queries to create ``count`` leads, assigned on creation or not."""
    context = dict(benchlib.NO_CHATTER)
    if not with_rules:
        context["sales_process_skip_assignment"] = True
    Lead = env["crm.lead"].with_context(**context)
    with rolled_back(env), benchlib.counting(env.cr) as counted:
        for begin in range(0, count, CHUNK):
            Lead.create(
                lead_values(min(CHUNK, count - begin), sources, countries, hot, begin)
            )
            env.flush_all()
            env.invalidate_all()
    return counted.seconds, counted.queries


def run(env, count, batch_size):
    env["ir.config_parameter"].set_param(
        "sales_process_automation.assignment_batch_size", batch_size
    )
    # the benchmark's rules are the only ones
    env["sales.process.assignment.rule"].search([]).action_archive()
    teams = make_teams(env)
    sources = env["utm.source"].create(
        [{"name": f"Assignment source {index}"} for index in range(SOURCES)]
    )
    countries = env.ref("base.cn") | env.ref("base.us")
    hot = env["crm.tag"].create({"name": "Assignment hot"})
    rules = make_rules(env, teams, sources, countries, hot)
    configure_odoo_assignment(rules, teams, count)
    # only the benchmark's teams take part in Odoo's assignment
    env["crm.team"].search([("id", "not in", teams.ids)]).write(
        {"assignment_optout": True}
    )
    started = time.perf_counter()
    leads = make_leads(env, count, sources, countries, hot)
    print(f"  {count} leads created in {time.perf_counter() - started:.0f} s")
    results = {}
    with rolled_back(env):
        seconds, queries, per_batch = run_module_cron(env)
        results["module"] = (seconds, queries, per_batch, *spread(env, leads, teams))
    print(f"  module: {seconds:.1f} s", flush=True)
    with rolled_back(env):
        seconds, queries, per_batch = run_odoo_assignment(env, teams)
        results["odoo"] = (seconds, queries, per_batch, *spread(env, leads, teams))
    print(f"  odoo: {seconds:.1f} s", flush=True)
    # the leads above stay unassigned: create as many again, both ways
    created = {
        with_rules: measure_create(env, count, sources, countries, hot, with_rules)
        for with_rules in (False, True)
    }
    return results, created


def batch_label(batches):
    return benchlib.range_label(batches) if batches else "-"


def print_results(count, batch_size, results, created):
    print()
    print(
        f"Assigning {count} new leads across {2 * REPS_PER_TEAM} reps in 2 teams "
        f"with 10 rules (module batch size {batch_size})"
    )
    header = (
        f"{'way':<8} {'time (s)':>9} {'queries':>8} {'queries/lead':>12} "
        f"{'queries/batch':>14} {'leads/s':>8} {'assigned':>8} {'spread':>6}"
    )
    print(header)
    print("-" * len(header))
    for way, (seconds, queries, per_batch, assigned, spread_) in results.items():
        print(
            f"{way:<8} {seconds:>9.2f} {queries:>8} {queries / count:>12.2f} "
            f"{batch_label(per_batch):>14} {count / seconds:>8.0f} {assigned:>8} "
            f"{spread_:>6}"
        )
    module, native = results["module"], results["odoo"]
    print()
    print(
        f"module {native[0] / module[0]:.1f}x faster than Odoo's assignment, "
        f"{native[1] / module[1]:.1f}x fewer queries; spread per team: module "
        f"{module[4]}, Odoo {native[4]} (leads; equal-weight reps)"
    )
    plain, ruled = created[False], created[True]
    print(
        f"on create: {count} leads in {plain[0]:.1f} s / {plain[1]} queries "
        f"without rules, {ruled[0]:.1f} s / {ruled[1]} queries assigned by the "
        f"rules in the same transaction (+{ruled[0] - plain[0]:.1f} s, "
        f"+{(ruled[1] - plain[1]) / count:.2f} queries per lead)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=500)
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    started = time.perf_counter()
    benchlib.configure()
    benchlib.create_database(DB_NAME, reuse=args.reuse_database)
    with benchlib.superuser_env(DB_NAME) as env:
        results, created = run(env, args.leads, args.batch_size)
    print_results(args.leads, args.batch_size, results, created)
    print(f"total run time {time.perf_counter() - started:.0f} s")
    if not args.keep_database:
        benchlib.drop_database(DB_NAME)


if __name__ == "__main__":
    main()
