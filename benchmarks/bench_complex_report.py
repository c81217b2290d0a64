#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Complex-opportunity report on 50,000 opportunities of 40 reps.

One database holds sales_process_automation without demo data. 50,000
opportunities of 40 reps in 4 teams are inserted, a fifth of them with complex
requests (waiting, approved, rejected, some asked twice). The report's figures
per rep are then read as a Sales Process Administrator (record rules applied)
with ``formatted_read_group`` and with the list view's ``web_search_read``,
next to one plain SQL query on the same tables computing the same figures.
Every measure starts with a cold ORM cache; the median of the runs is printed
with the number of queries, and the figures are checked to be the same.

Usage: python3 benchmarks/bench_complex_report.py [--repeat 7] [--keep-database]
       [--reuse-database]
"""

import argparse

import benchlib

DB_NAME = "spa_bench_complex"
OPPORTUNITIES = 50_000
REPS = 40
TEAMS = 4

PLAIN_QUERY = """
    SELECT lead.user_id,
           count(DISTINCT lead.id) AS opportunity_count,
           count(DISTINCT request.lead_id) AS complex_count,
           count(request.id) FILTER (WHERE request.state = 'pending'),
           count(request.id) FILTER (WHERE request.state = 'approved'),
           count(request.id) FILTER (WHERE request.state = 'rejected')
      FROM crm_lead lead
      LEFT JOIN sales_process_complex_request request
        ON request.lead_id = lead.id AND request.state != 'draft'
     WHERE lead.type = 'opportunity' AND lead.user_id IS NOT NULL
     GROUP BY lead.user_id
"""


def make_data(env):
    """Reps, teams, opportunities and requests, inserted in bulk."""
    users = env["res.users"].create(
        [
            {
                "name": f"Rep {index}",
                "login": f"bench_rep_{index}",
                "group_ids": [(4, env.ref("sales_team.group_sale_salesman").id)],
            }
            for index in range(REPS)
        ]
    )
    teams = env["crm.team"].create(
        [{"name": f"Team {index}"} for index in range(TEAMS)]
    )
    reasons = env["sales.process.complex.reason"].search([])
    company = env.company
    cr = env.cr
    # the reps share the opportunities evenly, one in ten is lost (archived)
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, user_id, team_id, company_id,
                              create_date, write_date)
        SELECT 'Opportunity ' || n, 'opportunity', n %% 10 != 0,
               (%(users)s)[1 + n %% %(reps)s],
               (%(teams)s)[1 + (n %% %(reps)s) %% %(nteams)s],
               %(company)s, now(), now()
          FROM generate_series(1, %(count)s) AS n
        """,
        {
            "users": users.ids,
            "teams": teams.ids,
            "reps": REPS,
            "nteams": TEAMS,
            "company": company.id,
            "count": OPPORTUNITIES,
        },
    )
    # complex: a fifth of each rep's opportunities, 3 in 5 of the first rep's
    cr.execute(
        """
        INSERT INTO sales_process_complex_request
               (lead_id, requester_id, lead_user_id, team_id, company_id, reason_id,
                state, requested_deadline, validation_status, create_date, write_date)
        SELECT lead.id, lead.user_id, lead.user_id, lead.team_id, lead.company_id,
               (%(reasons)s)[1 + lead.id %% %(nreasons)s],
               (ARRAY['pending', 'approved', 'rejected', 'draft'])[1 + lead.id %% 4],
               now() + interval '10 days', 'no', now(), now()
          FROM crm_lead lead
         WHERE lead.user_id = ANY(%(users)s)
           AND (lead.id / %(reps)s %% 5 = 0
                OR (lead.user_id = %(first)s AND lead.id / %(reps)s %% 2 = 0))
        """,
        {
            "reasons": reasons.ids,
            "nreasons": len(reasons),
            "users": users.ids,
            "first": users[0].id,
            "reps": REPS,
        },
    )
    # a second request after a rejection, for some
    cr.execute(
        """
        INSERT INTO sales_process_complex_request
               (lead_id, requester_id, lead_user_id, team_id, company_id, reason_id,
                state, requested_deadline, validation_status, create_date, write_date)
        SELECT lead_id, requester_id, lead_user_id, team_id, company_id, reason_id,
               'approved', requested_deadline, 'no', now(), now()
          FROM sales_process_complex_request
         WHERE state = 'rejected' AND lead_id % 3 = 0
        """
    )
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE sales_process_complex_request")
    env.invalidate_all()
    return users


def run(repeat):
    with benchlib.superuser_env(DB_NAME) as env:
        cr = env.cr
        users = make_data(env)
        admin_env = env(user=env.ref("base.user_admin"))
        Report = admin_env["sales.process.complex.report"]
        list_fields = {
            name: {}
            for name in [
                "user_id",
                "team_id",
                "opportunity_count",
                "complex_count",
                "complex_share",
                "pending_count",
                "approved_count",
                "rejected_count",
                "highlight",
            ]
        }
        aggregates = [
            "opportunity_count:sum",
            "complex_count:sum",
            "pending_count:sum",
            "approved_count:sum",
            "rejected_count:sum",
        ]

        def read_group():
            return Report.formatted_read_group([], ["user_id"], aggregates)

        def list_view():
            return Report.web_search_read([], list_fields, limit=80)

        def plain():
            cr.execute(PLAIN_QUERY)
            return cr.fetchall()

        measure = benchlib.measure_cold
        results = {
            "report: formatted_read_group per rep": measure(env, read_group, repeat),
            "report: list view (web_search_read)": measure(env, list_view, repeat),
            "plain SQL, one query": measure(env, plain, repeat),
        }
        by_user = {
            group["user_id"][0]: (
                group["opportunity_count:sum"],
                group["complex_count:sum"],
                group["pending_count:sum"],
                group["approved_count:sum"],
                group["rejected_count:sum"],
            )
            for group in results["report: formatted_read_group per rep"][2]
            if group["user_id"] and group["user_id"][0] in users.ids
        }
        plain_by_user = {
            row[0]: tuple(row[1:])
            for row in results["plain SQL, one query"][2]
            if row[0] in users.ids
        }
        assert by_user == plain_by_user, "the report and the plain query disagree"
        highlighted = Report.search_count([("highlight", "=", True)])
    return results, len(by_user), highlighted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    benchlib.create_database(DB_NAME, reuse=args.reuse_database)
    results, reps, highlighted = run(args.repeat)
    print()
    print(
        f"Complex-opportunity report, {OPPORTUNITIES} opportunities of {REPS} reps: "
        f"median of {args.repeat} runs, cold ORM cache, as an administrator"
    )
    print(f"{'':<40} | {'ms':>8} {'queries':>7}")
    for label, (ms, queries, _result) in results.items():
        print(f"{label:<40} | {ms:>8.1f} {queries:>7}")
    print(
        f"same figures for the {reps} reps in the report and the plain query; "
        f"{highlighted} rep(s) highlighted at the 40% alert"
    )
    if not args.keep_database:
        benchlib.drop_database(DB_NAME)


if __name__ == "__main__":
    main()
