#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Grouped queries of the analysis views over 1,000,000 stage history rows.

A database with sales_process_automation gets 200,000 opportunities of 5 teams
and 20 salespeople, 5 stage history rows each (1,000,000 rows), inserted with
SQL in a few statements: the ORM would take an hour to create them and the
figures measured here do not depend on how the rows were written. Their funnel
flags are then set as the 19.0.1.1.0 migration sets them on existing rows, and
the table vacuumed as autovacuum would. Each analysis view's typical
``_read_group`` (what its pivot or list asks for) is then timed next to the
same aggregate written in plain SQL on the tables, as an administrator (who
sees every team) and as a manager (record rules: one team). Each figure is the
median of several runs, with a cold ORM cache.

Measured on the 2 shared cores of the development machine (PostgreSQL 15,
work_mem 4MB), nothing else running, median of 7 runs, ms, admin / manager /
plain SQL:

    funnel by stage    150 / 243 / 129       sources by month    52 /  35 /  47
    time per stage     158 / 286 / 153       rep performance     87 /  51 / 211
    bottlenecks        113 / 115 / 192       top customers       37 /  29 /  34

With another process running, the manager's time per stage took 309 ms.
Before 19.0.1.1.0 the funnel took 1,385 ms and the bottlenecks 1,880 (time per
stage 299) on the same quiet machine, 2,252 and 3,048 under load: each
read decided, with window functions sorting all rows by lead and date, whether
every stage entry was a first entry and was followed by a further stage. These
flags are now kept on the stage rows as leads move. The bottleneck view reads
the lead rows in the order of a covering index on (company, team, stage,
working hours), so its exact median and 90th percentile find the hours already
sorted; time per stage has the same kind of index on (stage, working hours).
A manager's time per stage stays close to 300 ms: the record rule joins the
sales and helpdesk teams to every row to find the manager's own, which keeps
PostgreSQL from reading the index alone.

Usage: python3 benchmarks/bench_analysis.py [--repeat 5] [--reuse-database]
    [--keep-database]
"""

import argparse
import statistics
import time

import benchlib

from odoo import Command

DB_NAME = "spa_bench_analysis"
LEADS = 200_000
ROWS_PER_LEAD = 5
TEAMS = 5
REPS_PER_TEAM = 4
BUDGET_MS = 300

FUNNEL_ENTRIES = """
WITH judged AS (
    SELECT h.crm_stage_id, h.team_id, h.company_id, h.date_out, h.working_hours,
           h.first_entry,
           CASE WHEN s.is_won THEN NULL WHEN h.reached_further_stage THEN 100.0
                WHEN h.lost_in_stage THEN 0.0 WHEN h.date_out IS NULL THEN NULL
                ELSE 0.0 END AS reached,
           (NOT s.is_won AND NOT h.reached_further_stage AND h.lost_in_stage)::int
               AS lost
      FROM sales_process_stage_history h
      JOIN crm_stage s ON s.id = h.crm_stage_id
     WHERE h.lead_id IS NOT NULL
)
"""
PLAIN_FUNNEL = (
    FUNNEL_ENTRIES
    + """
SELECT crm_stage_id, COUNT(*), AVG(reached), SUM(lost)
  FROM judged WHERE first_entry GROUP BY crm_stage_id
"""
)
PLAIN_TIME = """
SELECT crm_stage_id,
       AVG(working_hours) FILTER (WHERE date_out IS NOT NULL),
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY working_hours)
           FILTER (WHERE date_out IS NOT NULL),
       PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY working_hours)
           FILTER (WHERE date_out IS NOT NULL),
       AVG(CASE WHEN sla_policy_id IS NULL THEN NULL
                WHEN sla_status = 'breached' THEN 100.0 ELSE 0.0 END)
  FROM sales_process_stage_history
 WHERE res_model = 'crm.lead'
 GROUP BY crm_stage_id
"""
PLAIN_SOURCE = """
SELECT source_id, date_trunc('month', create_date), COUNT(*),
       AVG(CASE won_status WHEN 'won' THEN 100.0 WHEN 'lost' THEN 0.0 END),
       SUM(CASE WHEN won_status = 'won' THEN expected_revenue ELSE 0 END)
  FROM crm_lead
 GROUP BY 1, 2
"""
PLAIN_REP = """
SELECT l.user_id,
       SUM((l.won_status = 'pending' AND l.active)::int),
       AVG(CASE l.won_status WHEN 'won' THEN 100.0 WHEN 'lost' THEN 0.0 END),
       SUM(CASE WHEN l.won_status = 'won' THEN l.expected_revenue ELSE 0 END),
       (SELECT COUNT(*) FROM sales_process_stage_history h
         WHERE h.lead_id IS NOT NULL AND h.sla_status = 'breached'
           AND h.user_id = l.user_id)
  FROM crm_lead l
 GROUP BY l.user_id
"""
PLAIN_CUSTOMER = """
SELECT partner_id, SUM(expected_revenue) FROM crm_lead
 WHERE won_status = 'won' GROUP BY partner_id ORDER BY 2 DESC LIMIT 80
"""
PLAIN_BOTTLENECK = (
    FUNNEL_ENTRIES
    + """
, figures AS (
    SELECT company_id, team_id, crm_stage_id,
           AVG(reached) FILTER (WHERE first_entry) AS reached,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY working_hours)
               FILTER (WHERE date_out IS NOT NULL) AS median
      FROM judged GROUP BY company_id, team_id, crm_stage_id
)
SELECT *,
       RANK() OVER (PARTITION BY company_id, team_id
                    ORDER BY reached ASC NULLS LAST) AS leak_rank,
       RANK() OVER (PARTITION BY company_id, team_id
                    ORDER BY median DESC NULLS LAST) AS slow_rank
  FROM figures
"""
)

CASES = [
    (
        "funnel by stage",
        lambda env: env["sales.process.funnel.report"]._read_group(
            [("first_entry", "=", True)],
            ["crm_stage_id"],
            ["__count", "reached_next_rate:avg", "lost_count:sum"],
        ),
        PLAIN_FUNNEL,
    ),
    (
        "time per stage",
        lambda env: env["sales.process.stage.time.report"]._read_group(
            [("res_model", "=", "crm.lead")],
            ["crm_stage_id"],
            [
                "working_hours:avg",
                "median_hours:avg",
                "p90_hours:avg",
                "breach_rate:avg",
            ],
        ),
        PLAIN_TIME,
    ),
    (
        "bottlenecks",
        lambda env: env["sales.process.bottleneck.report"].search_fetch(
            [],
            ["team_id", "crm_stage_id", "reached_next_rate", "median_hours"],
        ),
        PLAIN_BOTTLENECK,
    ),
    (
        "sources by month",
        lambda env: env["sales.process.lead.report"]._read_group(
            [],
            ["source_id", "create_date:month"],
            ["__count", "conversion_rate:avg", "won_revenue:sum"],
        ),
        PLAIN_SOURCE,
    ),
    (
        "rep performance",
        lambda env: env["sales.process.lead.report"]._read_group(
            [],
            ["user_id"],
            [
                "open_count:sum",
                "conversion_rate:avg",
                "won_revenue:sum",
                "breach_count:sum",
            ],
        ),
        PLAIN_REP,
    ),
    (
        "top customers",
        lambda env: env["sales.process.lead.report"]._read_group(
            [("won_status", "=", "won")],
            ["partner_id"],
            ["won_revenue:sum"],
            order="won_revenue:sum desc",
            limit=80,
        ),
        PLAIN_CUSTOMER,
    ),
]


def fill(env):
    """Teams, people and sources with the ORM; leads and history with SQL."""
    users = env["res.users"].create(
        [
            {"name": f"Bench rep {index}", "login": f"bench_rep_{index}"}
            for index in range(TEAMS * REPS_PER_TEAM)
        ]
    )
    manager = env["res.users"].create(
        {
            "name": "Bench manager",
            "login": "bench_manager",
            "group_ids": [Command.link(env.ref("sales_team.group_sale_manager").id)],
        }
    )
    teams = env["crm.team"].create(
        [
            {
                "name": f"Bench team {index}",
                "user_id": manager.id if index == 0 else False,
                "member_ids": [
                    Command.link(user.id)
                    for user in users[
                        index * REPS_PER_TEAM : (index + 1) * REPS_PER_TEAM
                    ]
                ],
            }
            for index in range(TEAMS)
        ]
    )
    sources = env["utm.source"].create(
        [{"name": f"Bench source {index}"} for index in range(10)]
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench customer {index}"} for index in range(1000)]
    )
    stages = env["crm.stage"].search([], order="sequence, id", limit=4)
    policy = env["sales.process.sla.policy"].create(
        {
            "name": "Bench policy",
            "res_model": "crm.lead",
            "crm_stage_id": stages[1].id,
            "duration": 2,
        }
    )
    env.flush_all()
    cr = env.cr
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, company_id, team_id, user_id,
                              partner_id, source_id, stage_id, won_status,
                              probability, expected_revenue, create_date,
                              write_date, date_last_stage_update, create_uid,
                              write_uid)
        SELECT 'Bench lead ' || g, 'opportunity', g %% 10 <> 3, %(company)s,
               (%(teams)s::int[])[1 + g %% 5],
               (%(users)s::int[])[1 + (g %% 5) * 4 + (g / 5) %% 4],
               (%(partners)s::int[])[1 + g %% 1000],
               (%(sources)s::int[])[1 + g %% 10],
               (%(stages)s::int[])[CASE WHEN g %% 10 IN (0, 5) THEN 4
                                        ELSE 1 + g %% 3 END],
               CASE WHEN g %% 10 IN (0, 5) THEN 'won'
                    WHEN g %% 10 = 3 THEN 'lost' ELSE 'pending' END,
               CASE WHEN g %% 10 = 3 THEN 0 ELSE 50 END,
               (g %% 97) * 100,
               now() - (g %% 730) * interval '1 day',
               now(), now() - (g %% 40) * interval '1 day', 1, 1
          FROM generate_series(1, %(count)s) g
        """,
        {
            "company": env.company.id,
            "teams": teams.ids,
            "users": users.ids,
            "partners": partners.ids,
            "sources": sources.ids,
            "stages": stages.ids,
            "count": LEADS,
        },
    )
    cr.execute(
        """
        INSERT INTO sales_process_stage_history (
            res_model, lead_id, crm_stage_id, date_in, date_out, user_id, team_id,
            company_id, working_hours, calendar_hours, state, sla_policy_id,
            sla_status, create_uid, create_date, write_uid, write_date)
        SELECT 'crm.lead', l.id, (%(stages)s::int[])[p.path[j + 1]],
               l.create_date + j * interval '2 days',
               CASE WHEN j < 4 THEN l.create_date + (j + 1) * interval '2 days' END,
               l.user_id, l.team_id, l.company_id,
               CASE WHEN j < 4 THEN ((l.id * 7 + j * 13) %% 80) + 0.5 END,
               CASE WHEN j < 4 THEN 48 END,
               CASE WHEN j < 4 THEN 'done' ELSE 'in_progress' END,
               CASE WHEN j %% 3 = 1 THEN %(policy)s END,
               CASE WHEN j %% 3 <> 1 THEN NULL
                    WHEN l.id %% 5 = 0 THEN 'breached' ELSE 'on_track' END,
               1, now(), 1, now()
          FROM crm_lead l
         CROSS JOIN generate_series(0, %(last)s) j
         CROSS JOIN LATERAL (
            SELECT CASE WHEN l.won_status = 'won' THEN ARRAY[1, 2, 3, 2, 4]
                        WHEN l.id %% 3 = 0 THEN ARRAY[1, 2, 1, 2, 3]
                        WHEN l.id %% 3 = 1 THEN ARRAY[1, 2, 3, 2, 3]
                        ELSE ARRAY[1, 2, 3, 1, 2] END AS path
         ) p
         WHERE l.name LIKE 'Bench lead %%'
        """,
        {"stages": stages.ids, "policy": policy.id, "last": ROWS_PER_LEAD - 1},
    )
    # what the 19.0.1.1.0 migration does on the rows written before it
    env["sales.process.stage.history"]._refresh_funnel_flags()
    cr.execute("SELECT COUNT(*) FROM sales_process_stage_history")
    rows = cr.fetchone()[0]
    cr.commit()
    # what autovacuum does after bulk writes, done now so that the figures do
    # not depend on when it runs: VACUUM cannot run inside a transaction
    cr._cnx.autocommit = True
    cr.execute("VACUUM ANALYZE")
    cr._cnx.autocommit = False
    return manager, rows


def measure(env, call, repeat):
    """Median time (ms) and queries of ``call(env)``, cold ORM cache."""
    ms, queries, _result = benchlib.measure_cold(
        env, lambda: call(env), repeat, warm_up=False
    )
    return ms, queries


def measure_sql(cr, query, repeat):
    timings = []
    for _run in range(repeat):
        start = time.perf_counter()
        cr.execute(query)
        cr.fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    reuse = args.reuse_database and benchlib.database_exists(DB_NAME)
    benchlib.create_database(DB_NAME, reuse=reuse)
    if reuse:
        # the kept database: its module brought up to date, its rows kept
        benchlib.update_module(DB_NAME)
    with benchlib.superuser_env(DB_NAME) as env:
        cr = env.cr
        if reuse:
            manager = env["res.users"].search([("login", "=", "bench_manager")])
            cr.execute("SELECT COUNT(*) FROM sales_process_stage_history")
            print(f"{cr.fetchone()[0]:,} stage history rows kept from an earlier run")
        else:
            start = time.perf_counter()
            manager, rows = fill(env)
            print(
                f"{rows:,} stage history rows, {LEADS:,} leads inserted with SQL "
                f"in {time.perf_counter() - start:.0f} s"
            )
        admin = env.ref("base.user_admin")
        print()
        print(
            f"Median of {args.repeat} runs, ms (queries); budget {BUDGET_MS} ms; "
            "admin sees all 5 teams, the manager one team"
        )
        print(
            f"{'report':<18} | {'plain SQL':>9} | {'admin ORM':>9} {'q':>3} | "
            f"{'manager ORM':>11} {'q':>3} | {'within budget':>13}"
        )
        for label, call, query in CASES:
            plain_ms = measure_sql(cr, query, args.repeat)
            admin_ms, admin_queries = measure(env(user=admin), call, args.repeat)
            manager_ms, manager_queries = measure(env(user=manager), call, args.repeat)
            within = "yes" if max(admin_ms, manager_ms) < BUDGET_MS else "NO"
            print(
                f"{label:<18} | {plain_ms:>9.0f} | {admin_ms:>9.0f} "
                f"{admin_queries:>3} | {manager_ms:>11.0f} {manager_queries:>3} | "
                f"{within:>13}"
            )
    if not args.keep_database:
        benchlib.drop_database(DB_NAME)


if __name__ == "__main__":
    main()
