#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA sweep of the module against a time-based base.automation rule, same leads.

One database, spa_bench_sla, holds sales_process_automation and Odoo's
base_automation. For each size, N open opportunities of one team of 10 reps sit
in one stage; one in five entered it 3 to 4 days ago, the others less than 4
hours ago. Both ways must remind the rep of those that have been in the stage
for a day, with an activity and an email:

- "module": a stage SLA policy (10 working days, a reminder 1 working day after
  the entry, to the owner, with the module's reminder email template), swept by
  the module's cron method ``_cron_sla_sweep``;
- "automation": what a user does today without the module, a base.automation
  rule on crm.lead, trigger "Based on date field" on date_last_stage_update,
  1 day after, for the same stage and team, whose one action ("Create
  activity", state next_activity) schedules a To-Do for the lead's salesperson.
  Odoo emails that activity to its assignee ("... assigned to you"), so the
  rule gives an activity and an email per lead like the module; a second
  "Send email" action would send two. No working-time calendar is set on the
  rule: with one, Odoo reads every lead of the stage to filter them in Python,
  so this is the cheapest setup of the rule. Its last_run is empty, as for a
  new rule: the first run takes every lead past the delay.

Both cron methods run as the cron runs them, batch after batch:
``ir.cron._commit_progress``, which commits outside a cron job, is replaced by
a flush and a clear of the ORM cache (what a commit does to the transaction)
so that every measure is rolled back and the next one starts from the same
data. Time and queries then stop before the COMMIT and the emails actually
leave (they are queued by both ways). The module's ICP batch size applies
(500 unless --batch-size says otherwise).

Leads are created through the ORM in chunks (chatter tracking off), after the
policy: the module writes their stage history rows and plans their SLA checks
itself, from their date_last_stage_update. All of it is rolled back at the end
of each size; the database is created once.

Usage: python3 benchmarks/bench_sla_sweep.py [--sizes 10000,100000]
    [--batch-size 500] [--repeat 1] [--reuse-database] [--keep-database]
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

import benchlib

from odoo import Command, fields
from odoo.tools import SQL

DB_NAME = "spa_bench_sla"
MODULES = "sales_process_automation,base_automation"
REPS = 10
DUE_EVERY = 5  # one lead in five is due
CHUNK = 5000


def make_team(env):
    salesman = env.ref("sales_team.group_sale_salesman")
    reps = env["res.users"].create(
        [
            {
                "name": f"Benchmark rep {index}",
                "login": f"spa_bench_sla_rep_{index}",
                "email": f"rep{index}@example.com",
                "group_ids": [Command.link(salesman.id)],
                "notification_type": "email",
            }
            for index in range(REPS)
        ]
    )
    team = env["crm.team"].create(
        {"name": "SLA benchmark team", "member_ids": [Command.set(reps.ids)]}
    )
    stages = env["crm.stage"].search([("team_ids", "=", False)])
    return team, reps, stages[min(2, len(stages) - 1)]


def make_policy(env, team, stage):
    return env["sales.process.sla.policy"].create(
        {
            "name": "Proposal within 10 days",
            "res_model": "crm.lead",
            "crm_stage_id": stage.id,
            "team_ids": [Command.link(team.id)],
            "duration": 10,
            "duration_unit": "days",
            "reminder_ids": [
                Command.create(
                    {
                        "anchor": "entry",
                        "delay": 1,
                        "delay_unit": "days",
                        "notify_owner": True,
                    }
                )
            ],
        }
    )


def make_automation(env, team, stage):
    lead_model = env["ir.model"]._get_id("crm.lead")
    return env["base.automation"].create(
        {
            "name": "Remind the salesperson a day after the stage entry",
            "model_id": lead_model,
            "trigger": "on_time",
            "trg_date_id": env["ir.model.fields"]
            ._get("crm.lead", "date_last_stage_update")
            .id,
            "trg_date_range": 1,
            "trg_date_range_type": "day",
            "trg_date_range_mode": "after",
            "filter_domain": repr(
                [("stage_id", "=", stage.id), ("team_id", "=", team.id)]
            ),
            "action_server_ids": [
                Command.create(
                    {
                        "name": "Reminder activity for the salesperson",
                        "model_id": lead_model,
                        "state": "next_activity",
                        "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                        "activity_summary": "SLA reminder: Proposal within 10 days",
                        "activity_user_type": "generic",
                        "activity_user_field_name": "user_id",
                    }
                )
            ],
        }
    )


def entry_dates(count, now):
    """Stage entry of each lead: every DUE_EVERY-th one 3 to 4 days ago.

    Three days hold at least one working day of the standard calendar whatever
    the weekday, four days at most four: the reminder is due, the at-risk
    moment (8 working days) is not. The others entered less than 4 hours ago.
    """
    rng = random.Random(count)
    return [
        now - timedelta(days=3, hours=1) - timedelta(seconds=rng.uniform(0, 82800))
        if index % DUE_EVERY == 0
        else now - timedelta(minutes=1) - timedelta(seconds=rng.uniform(0, 14340))
        for index in range(count)
    ]


def make_leads(env, count, team, reps, stage):
    dates = entry_dates(count, fields.Datetime.now())
    Lead = env["crm.lead"].with_context(**benchlib.NO_CHATTER)
    for start in range(0, count, CHUNK):
        Lead.create(
            [
                {
                    "name": f"Benchmark lead {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": reps[index % REPS].id,
                    "stage_id": stage.id,
                    "date_last_stage_update": dates[index],
                }
                for index in range(start, min(start + CHUNK, count))
            ]
        )
        env.flush_all()
        env.invalidate_all()
        print(f"  {min(start + CHUNK, count)} leads", flush=True)
    return sum(1 for index in range(count) if index % DUE_EVERY == 0)


def due_counts(env, automation):
    """Leads due for each way, found as each cron method finds them."""
    module = env["sales.process.stage.history"].search_count(
        [("date_out", "=", False), ("sla_next_check", "<=", fields.Datetime.now())]
    )
    rule = automation._search_time_based_automation_records(until=env.cr.now())
    return module, len(rule)


def run_cron_method(env, method):
    """Run ``method`` as the cron does, one call a batch, until nothing remains.

    Returns the queries of each call that processed a batch.
    """
    cr = env.cr
    batches = []
    with benchlib.cron_commits(env) as commits:
        while True:
            calls, before = len(commits), cr.sql_log_count
            method()
            if len(commits) == calls:
                break
            batches.append(cr.sql_log_count - before)
            if not commits[-1][0]:
                break
    return batches


def count_results(env, team, mail_before):
    env.flush_all()
    activities = env.execute_query(
        SQL(
            """SELECT count(*), count(DISTINCT a.res_id) FROM mail_activity a
               JOIN crm_lead l ON l.id = a.res_id AND a.res_model = 'crm.lead'
              WHERE l.team_id = %s""",
            team.id,
        )
    )[0]
    mails = env.execute_query(
        SQL("SELECT count(*) FROM mail_mail WHERE id > %s", mail_before)
    )[0][0]
    return activities[0], activities[1], mails


def measure(env, way, team, repeat):
    """Median seconds, queries, per-batch queries and results of one way."""
    cr = env.cr
    mail_before = env.execute_query(SQL("SELECT max(id) FROM mail_mail"))[0][0] or 0
    if way == "module":
        method = env["sales.process.stage.history"]._cron_sla_sweep
    else:
        method = env["base.automation"]._cron_process_time_based_actions
    timings = []
    for _run in range(repeat):
        cr.execute("SAVEPOINT bench_sla")
        env.invalidate_all()
        with benchlib.counting(cr) as counted:
            batches = run_cron_method(env, method)
            env.flush_all()
        timings.append(counted.seconds)
        queries = counted.queries
        results = count_results(env, team, mail_before)
        cr.execute("ROLLBACK TO SAVEPOINT bench_sla")
        cr.clear()
        cr.postcommit.clear()
    return statistics.median(timings), queries, batches, results


def run_size(env, size, batch_size, repeat):
    started = time.perf_counter()
    env["ir.config_parameter"].set_param(
        "sales_process_automation.sla_batch_size", batch_size
    )
    team, reps, stage = make_team(env)
    make_policy(env, team, stage)
    automation = make_automation(env, team, stage)
    due = make_leads(env, size, team, reps, stage)
    env.cr.flush()
    setup = time.perf_counter() - started
    print(
        f"  set up in {setup:.0f} s; due: planned {due}, found "
        "(module, automation) = %s" % (due_counts(env, automation),),
        flush=True,
    )
    results = {}
    for way in ("module", "automation"):
        results[way] = measure(env, way, team, repeat)
        print(f"  {way}: {results[way][0]:.1f} s", flush=True)
    return due, setup, results


def batch_label(batches):
    return benchlib.range_label(batches) if len(batches) > 1 else "1 pass"


def print_rows(all_results):
    header = (
        f"{'leads':>7} {'due':>6} {'way':<10} {'time (s)':>9} {'queries':>8} "
        f"{'queries/batch':>14} {'queries/rec':>11} {'records/s':>9} "
        f"{'activities':>10} {'mails':>6} {'check':>5}"
    )
    print(header)
    print("-" * len(header))
    for size, (due, _setup, results) in all_results.items():
        for way, (seconds, queries, batches, counts) in results.items():
            activities, leads, mails = counts
            ok = activities == leads == mails == due
            print(
                f"{size:>7} {due:>6} {way:<10} {seconds:>9.2f} {queries:>8} "
                f"{batch_label(batches):>14} {queries / due:>11.2f} "
                f"{due / seconds:>9.0f} {activities:>10} {mails:>6} "
                f"{'ok' if ok else 'FAIL':>5}"
            )


def print_summary(all_results, batch_size):
    for size, (_due, setup, results) in all_results.items():
        module, rule = results["module"], results["automation"]
        batches = module[2]
        print(
            f"{size} leads: module {rule[0] / module[0]:.1f}x faster, "
            f"{rule[1] / module[1]:.1f}x fewer queries; module queries per batch "
            f"of {batch_size}: first {batches[0]}, then "
            f"{batch_label(batches[1:]) if batches[1:] else '-'}; "
            f"set-up {setup:.0f} s"
        )


def print_table(all_results, batch_size, repeat):
    print()
    print(
        f"SLA reminders due on 20% of the open leads: median of {repeat} run(s), "
        f"module batch size {batch_size}; check: one activity and one email "
        "per due lead"
    )
    print_rows(all_results)
    print()
    print_summary(all_results, batch_size)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1)
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    started = time.perf_counter()
    benchlib.configure()
    benchlib.create_database(DB_NAME, MODULES, reuse=args.reuse_database)
    all_results = {}
    for size in sizes:
        print(f"{size} leads:", flush=True)
        with benchlib.superuser_env(DB_NAME) as env:
            all_results[size] = run_size(env, size, args.batch_size, args.repeat)
    print_table(all_results, args.batch_size, args.repeat)
    print(f"total run time {time.perf_counter() - started:.0f} s")
    if not args.keep_database:
        benchlib.drop_database(DB_NAME)


if __name__ == "__main__":
    main()
