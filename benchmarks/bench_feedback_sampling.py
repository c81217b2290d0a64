#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Feedback sampling and invitations from closed leads: queries per batch.

One database holds sales_process_automation and two sales teams whose won
leads (written by SQL, one customer with an email each) wait for a feedback
campaign: "small" with S leads, "large" with L leads. For each team, a
campaign (sampling rate 20 %, no cap) is swept by the module's cron method
``_cron_send_feedback_surveys``, batch after batch, each batch deciding for
``--batch-size`` leads and inviting its sample (Odoo's personal survey
answers with their token, the invitation mail rendered in the customer's
language). The queries of every batch are printed: they must not depend on
the batch nor on the size of the backlog. ``ir.cron._commit_progress`` is
replaced by a flush and a clear of the ORM cache, what a commit does to the
transaction, so that the run can be rolled back; ``--batches`` stops the
sweep after that many batches (the remaining batches are the same work).
The first batch of the process also fills Odoo's caches (templates, views),
and the first of each sweep searches the campaigns.

Next to it, in the same run, "the native way" on the first ``--native``
leads of the small team: Odoo's survey invite wizard (``survey.invite``,
what "Share" on a survey opens) for each customer the module invited, one
record at a time as a user would; its queries per invitation.

Usage: python3 benchmarks/bench_feedback_sampling.py [--small 10000]
    [--large 100000] [--batch-size 200] [--batches 10] [--native 100]
    [--database spa_bench_feedback] [--reuse-database] [--keep-database]
"""

import argparse
import statistics
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

import benchlib

from odoo import Command

CLOSED = datetime(2026, 3, 2, 10, 0)
RATE = 20.0


def make_won_leads(env, team, count, offset):
    """``count`` won leads of ``team``, each with its own customer."""
    won_stage = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    env.cr.execute(
        """
        WITH partners AS (
            INSERT INTO res_partner (name, complete_name, email, email_normalized,
                                     active, type, is_company, lang,
                                     autopost_bills, create_uid, write_uid,
                                     create_date, write_date)
            SELECT 'Feedback customer ' || n, 'Feedback customer ' || n,
                   'feedback' || n || '@example.com',
                   'feedback' || n || '@example.com',
                   TRUE, 'contact', FALSE, 'en_US', 'ask', 1, 1, now(), now()
              FROM generate_series(%(first)s, %(last)s) n
            RETURNING id
        )
        INSERT INTO crm_lead (name, type, active, company_id, team_id, user_id,
                              partner_id, stage_id, probability, won_status,
                              date_closed, priority, create_uid, write_uid,
                              create_date, write_date)
        SELECT 'Feedback lead ' || partners.id, 'opportunity', TRUE,
               %(company)s, %(team)s, %(user)s, partners.id, %(stage)s, 100,
               'won', %(closed)s, '0', 1, 1, now(), now()
          FROM partners
        """,
        {
            "first": offset + 1,
            "last": offset + count,
            "company": env.company.id,
            "team": team.id,
            "user": team.member_ids[:1].id,
            "stage": won_stage.id,
            "closed": CLOSED,
        },
    )


def make_data(env, small, large):
    salesman = env.ref("sales_team.group_sale_salesman")
    teams = {}
    offset = 0
    for name, count in (("small", small), ("large", large)):
        rep = env["res.users"].create(
            {
                "name": f"Feedback rep {name}",
                "login": f"spa_bench_feedback_{name}",
                "email": f"feedback.{name}@example.com",
                "group_ids": [Command.link(salesman.id)],
            }
        )
        teams[name] = env["crm.team"].create(
            {"name": f"Feedback {name}", "member_ids": [Command.link(rep.id)]}
        )
        make_won_leads(env, teams[name], count, offset)
        offset += count
    env.cr.execute("ANALYZE crm_lead")
    env.cr.execute("ANALYZE res_partner")
    return teams


@contextmanager
def batches_recorded(env, max_batches):
    """``_commit_progress`` as a commit without its COMMIT; the sweep stops
    after ``max_batches``. Yields the query counts at each call."""
    cr = env.cr
    calls = []

    def commit_progress(self, processed=0, *, remaining=None, deactivate=False):
        cr.flush()
        cr.clear()
        calls.append(cr.sql_log_count)
        return float("inf") if len(calls) < max_batches else 0

    with patch.object(type(env["ir.cron"]), "_commit_progress", commit_progress):
        yield calls


def sweep(env, team, batch_size, max_batches):
    """Queries of each batch of a campaign over ``team``, seconds, invited."""
    cr = env.cr
    Campaign = env["sales.process.feedback.campaign"]
    Campaign.search([]).action_archive()
    campaign = Campaign.create(
        {
            "name": f"Feedback {team.name}",
            "outcome": "won",
            "team_ids": [Command.link(team.id)],
            "sample_rate": RATE,
            "quiet_days": 90,
            "reminder_days": 0,
            "date_start": datetime(2026, 1, 1),
        }
    )
    env.flush_all()
    env.invalidate_all()
    with batches_recorded(env, max_batches) as calls:
        before = cr.sql_log_count
        with benchlib.counting(cr) as counted:
            Campaign._cron_send_feedback_surveys(batch_size=batch_size)
    per_batch = [
        count - previous
        for previous, count in zip([before, *calls], calls, strict=False)
    ]
    invited = env["sales.process.feedback.request"].search_count(
        [("campaign_id", "=", campaign.id), ("state", "=", "invite")]
    )
    return per_batch, counted.seconds, invited, campaign


def native_invitations(env, campaign, count):
    """Odoo's invite wizard per customer the campaign invited: queries and
    seconds per invitation."""
    cr = env.cr
    partners = (
        env["sales.process.feedback.request"]
        .search(
            [("campaign_id", "=", campaign.id), ("state", "=", "invite")],
            order="id",
            limit=count,
        )
        .partner_id
    )
    survey = campaign.survey_id
    context = survey.action_send_survey()["context"]
    queries, seconds = [], []
    for partner in partners:
        env.invalidate_all()
        with benchlib.counting(cr) as counted:
            wizard = (
                env["survey.invite"]
                .with_context(**context)
                .create({"partner_ids": [Command.set(partner.ids)], "send_email": True})
            )
            wizard.action_invite()
            env.flush_all()
        queries.append(counted.queries)
        seconds.append(counted.seconds)
    return queries, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10000)
    parser.add_argument("--large", type=int, default=100000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--native", type=int, default=100)
    parser.add_argument("--database", default="spa_bench_feedback")
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    reuse = args.reuse_database and benchlib.database_exists(args.database)
    benchlib.create_database(args.database, reuse=reuse)
    with benchlib.superuser_env(args.database) as env:
        if not env["crm.team"].search_count([("name", "=", "Feedback small")]):
            make_data(env, args.small, args.large)
            env.cr.commit()
        teams = {
            name: env["crm.team"].search([("name", "=", f"Feedback {name}")])
            for name in ("small", "large")
        }
        sizes = {"small": args.small, "large": args.large}
        results = {}
        for name, team in teams.items():
            env.cr.execute("SAVEPOINT bench_feedback")
            results[name] = sweep(env, team, args.batch_size, args.batches)
            if name == "small":
                native = native_invitations(env, results[name][3], args.native)
            env.cr.execute("ROLLBACK TO SAVEPOINT bench_feedback")
            env.invalidate_all()
    print()
    print(
        f"module: cron batches of {args.batch_size} closed leads, sampling "
        f"rate {RATE:.0f} %, first {args.batches} batches, rolled back"
    )
    print(
        f"{'backlog':>8} | {'queries per batch':>24} | {'s per batch':>11} "
        f"| {'invited':>7}"
    )
    for name, (per_batch, seconds, invited, _campaign) in results.items():
        print(
            f"{sizes[name]:>8} | {benchlib.range_label(per_batch):>24} | "
            f"{seconds / len(per_batch):>11.2f} | {invited:>7}"
        )
        print(f"{'':>8} | each batch: {per_batch}")
    queries, seconds = native
    print()
    print(
        f"native: survey.invite per customer, {len(queries)} customers of the "
        "small backlog"
    )
    print(
        f"queries per invitation {benchlib.range_label(queries)}, median "
        f"{statistics.median(seconds) * 1000:.1f} ms; for one batch's "
        f"{round(args.batch_size * RATE / 100)} invitations: "
        f"{round(statistics.mean(queries) * args.batch_size * RATE / 100)} "
        "queries (sampling not included)"
    )
    if not args.keep_database:
        benchlib.drop_database(args.database)


if __name__ == "__main__":
    main()
