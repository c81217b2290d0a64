#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pipeline simulation: 10,000 Monte Carlo runs of 7 stages and 1,000 open leads.

Engine: the module's numpy engine simulates a 7-stage pipeline (conversions
0.85 to 0.6, measured times drawn from exponential samples of 200 values
per stage) holding 1,000 open records spread over the stages, each with the
days it already spent in its stage, 10,000 times over a 13-week horizon, with
and without 20 new leads a week. It is timed next to the same simulation
written as a plain Python loop over runs and records (``random``), which is
run for 100 runs only and extrapolated linearly to 10,000 (said so in the
output): 10,000 runs take minutes in plain Python.

Wizard: unless --engine-only, one database, spa_bench_simulation, holds the
module without demo data. A team gets a synthetic stage history on the 7
stages (2,000 leads over the last two years, and 1,000 open ones); the
wizard's "Run Simulation" is then timed with 10,000 runs and its SQL queries
counted (measuring the inputs, simulating, writing the result lines). It is
rolled back; the database is created once (--reuse-database keeps it).

Usage: python3 benchmarks/bench_simulation.py [--repeat 3] [--engine-only]
    [--reuse-database] [--keep-database]
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

import benchlib
import numpy as np

import odoo
from odoo import Command, fields

DB_NAME = "spa_bench_simulation"
STAGES = 7
OPEN = 1000
RUNS = 10_000
NAIVE_RUNS = 100
WEEKS = 13
CONVERSIONS = (0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.7)
MEAN_DAYS = (2, 4, 5, 7, 6, 8, 5)
ARRIVALS = 20


def engine():
    """The module's engine, from this repository."""
    if benchlib.ROOT not in odoo.addons.__path__:
        odoo.addons.__path__.append(benchlib.ROOT)
    from odoo.addons.sales_process_automation.tools import (
        pipeline_simulation,
    )

    return pipeline_simulation


def make_pipeline(arrivals):
    rng = np.random.default_rng(0)
    return engine().Pipeline(
        conversions=CONVERSIONS,
        durations=tuple(rng.exponential(mean, 200) for mean in MEAN_DAYS),
        open_stages=rng.integers(0, STAGES, OPEN),
        open_ages=rng.exponential(3.0, OPEN),
        open_revenues=rng.uniform(1000, 20000, OPEN),
        arrivals_per_week=arrivals,
        arrival_revenue=8000.0,
    )


def naive(pipeline, edges, runs, seed):
    """The same simulation as a plain Python loop over runs and records."""
    rng = random.Random(seed)
    horizon = edges[-1]
    durations = [list(samples) for samples in pipeline.durations]
    won = [[0] * (len(edges) - 1) for _run in range(runs)]
    for run in range(runs):
        records = [
            (int(stage), 0.0, float(age))
            for stage, age in zip(pipeline.open_stages, pipeline.open_ages, strict=True)
        ]
        arrivals = []
        rate = pipeline.arrivals_per_week / 7
        moment = rng.expovariate(rate) if rate else horizon
        while moment < horizon:
            arrivals.append((0, moment, 0.0))
            moment += rng.expovariate(rate)
        for stage, moment, age in records + arrivals:
            while stage < len(durations):
                if age > 0:
                    longer = [value for value in durations[stage] if value > age]
                    moment += rng.choice(longer) - age if longer else 0.0
                else:
                    moment += rng.choice(durations[stage])
                age = 0.0
                if moment >= horizon or rng.random() >= pipeline.conversions[stage]:
                    break
                stage += 1
            else:
                bucket = sum(1 for edge in edges[1:] if edge <= moment)
                won[run][bucket] += 1
    return won


def bench_engine(repeat):
    edges = [7 * week for week in range(WEEKS + 1)]
    rows = []
    for arrivals in (0, ARRIVALS):
        pipeline = make_pipeline(arrivals)
        timings, cpu = [], []
        for run_index in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = engine().simulate(pipeline, edges, RUNS, seed=run_index)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        start = time.perf_counter()
        naive_won = naive(pipeline, edges, NAIVE_RUNS, seed=1)
        naive_seconds = (time.perf_counter() - start) * RUNS / NAIVE_RUNS
        rows.append(
            (
                arrivals,
                statistics.median(timings),
                max(timings),
                statistics.median(cpu),
                naive_seconds,
                result.won_count.sum(axis=1).mean(),
                np.mean([sum(counts) for counts in naive_won]),
            )
        )
    return rows


def make_history(env):
    """A team, 7 stages and the synthetic history of 3,000 of its leads."""
    rng = np.random.default_rng(1)
    Stage = env["crm.stage"]
    stages = Stage.search([("is_won", "=", False)], order="sequence, id")
    stages |= Stage.create(
        [
            {"name": f"Benchmark stage {index}", "sequence": 50 + index}
            for index in range(STAGES - len(stages))
        ]
    )
    won_stage = Stage.search([("is_won", "=", True)], limit=1)
    reps = env["res.users"].create(
        [
            {
                "name": f"Benchmark rep {index}",
                "login": f"spa_bench_simulation_rep_{index}",
                "group_ids": [
                    Command.link(env.ref("sales_team.group_sale_salesman").id)
                ],
            }
            for index in range(5)
        ]
    )
    team = env["crm.team"].create(
        {"name": "Simulation benchmark", "member_ids": [Command.set(reps.ids)]}
    )
    now = fields.Datetime.now()
    leads = (
        env["crm.lead"]
        .with_context(tracking_disable=True, mail_create_nolog=True)
        .create(
            [
                {
                    "name": f"Benchmark lead {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "expected_revenue": float(rng.integers(1000, 20000)),
                    "stage_id": stages[0].id,
                }
                for index in range(3 * OPEN)
            ]
        )
    )
    History = env["sales.process.stage.history"]
    History.search([("lead_id", "in", leads.ids)]).unlink()
    rows, lost, won, open_stage = [], [], [], {}
    for position, lead in enumerate(leads):
        keep_open = position < OPEN
        # open leads entered the pipeline in the last 60 days, others in 2 years
        moment = now - timedelta(days=float(rng.uniform(1, 60 if keep_open else 730)))
        target = rng.integers(0, STAGES) if keep_open else STAGES
        for index in range(STAGES):
            days = float(rng.exponential(MEAN_DAYS[index]))
            leaving = moment + timedelta(days=days)
            if keep_open and (index == target or leaving > now):
                rows.append((lead, stages[index], moment, False))
                open_stage[lead.id] = stages[index].id
                break
            if not keep_open and rng.random() >= CONVERSIONS[index]:
                # lost in this stage: its row stays open, the lead is archived
                rows.append((lead, stages[index], moment, False))
                lost.append(lead.id)
                break
            rows.append((lead, stages[index], moment, leaving))
            moment = leaving
        else:
            rows.append((lead, won_stage, moment, False))
            won.append((lead.id, moment))
    History._insert_rows(
        [
            lead._stage_history_row_values(stage, date_in, date_out)
            for lead, stage, date_in, date_out in rows
        ]
    )
    env.cr.execute(
        "UPDATE sales_process_stage_history SET calendar_hours ="
        " EXTRACT(EPOCH FROM date_out - date_in) / 3600 WHERE date_out IS NOT NULL"
    )
    env.cr.execute(
        "UPDATE crm_lead SET active = FALSE, probability = 0, won_status = 'lost'"
        " WHERE id = ANY(%s)",
        [lost],
    )
    for lead_id, moment in won:
        env.cr.execute(
            "UPDATE crm_lead SET stage_id = %s, probability = 100,"
            " won_status = 'won', date_closed = %s WHERE id = %s",
            [won_stage.id, moment, lead_id],
        )
    for lead_id, stage_id in open_stage.items():
        env.cr.execute(
            "UPDATE crm_lead SET stage_id = %s WHERE id = %s", [stage_id, lead_id]
        )
    env.invalidate_all()
    return team


def bench_wizard(reuse, repeat):
    benchlib.create_database(DB_NAME, reuse=reuse)
    with benchlib.superuser_env(DB_NAME) as env:
        cr = env.cr
        team = make_history(env)
        env.flush_all()
        results = []
        for _index in range(repeat):
            cr.execute("SAVEPOINT bench_wizard")
            wizard = env["sales.process.pipeline.simulation"].create(
                {
                    "team_id": team.id,
                    "date_from": fields.Date.today() - timedelta(days=730),
                    "date_to": fields.Date.today(),
                    "horizon_weeks": WEEKS,
                    "runs": RUNS,
                    "reps": 4,
                }
            )
            env.flush_all()
            env.invalidate_all()
            with benchlib.counting(cr) as counted:
                wizard.action_run()
                env.flush_all()
            results.append(
                (
                    counted.seconds,
                    counted.queries,
                    wizard.open_count,
                    wizard.new_per_week,
                    wizard.stage_line_ids.mapped("conversion"),
                    wizard.limiting_stage_id.name,
                )
            )
            cr.execute("ROLLBACK TO SAVEPOINT bench_wizard")
            env.invalidate_all()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine-only", action="store_true")
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    print(
        f"Engine: {RUNS:,} runs, {STAGES} stages, {OPEN:,} open records, "
        f"{WEEKS} weekly buckets; median (max) of {args.repeat} simulations"
    )
    print(
        f"{'new/week':>8} | {'numpy s':>8} {'max s':>6} {'cpu s':>6} | "
        f"{'plain Python s':>14} {'ratio':>6} | {'won/run numpy':>13} "
        f"{'plain':>6}"
    )
    for arrivals, median, worst, cpu, naive_seconds, won, naive_won in bench_engine(
        args.repeat
    ):
        print(
            f"{arrivals:>8} | {median:>8.2f} {worst:>6.2f} {cpu:>6.2f} | "
            f"{naive_seconds:>14.0f} "
            f"{naive_seconds / median:>6.0f} | {won:>13.1f} {naive_won:>6.1f}"
        )
    print(
        f"plain Python: {NAIVE_RUNS} runs timed, extrapolated linearly to "
        f"{RUNS:,}; won per run is the mean over the runs of each; cpu s: "
        "processor time of the numpy engine (wall time on a shared machine varies)"
    )
    if args.engine_only:
        return
    benchlib.configure()
    results = bench_wizard(args.reuse_database, args.repeat)
    _seconds, queries, open_count, new_per_week, conversions, limiting = results[0]
    print()
    print(
        f"Wizard 'Run Simulation' on a synthetic history (3,000 leads, "
        f"{open_count} open, {new_per_week:.1f} new a week), {RUNS:,} runs, "
        f"baseline and a what-if (fewer reps):"
    )
    print(
        f"  {statistics.median(result[0] for result in results):.2f} s "
        f"(median of {len(results)}), {queries} SQL queries "
        f"(each run: {', '.join(str(result[1]) for result in results)})"
    )
    print(
        "  measured conversions (%): "
        + ", ".join(f"{value:.0f}" for value in conversions)
        + f"; limiting stage: {limiting}"
    )
    if not args.keep_database:
        benchlib.drop_database(DB_NAME)


if __name__ == "__main__":
    main()
