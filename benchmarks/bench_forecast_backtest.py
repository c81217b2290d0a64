#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Backtest of the pipeline forecast on a generated two-year history.

History: new leads arrive as a Poisson process (ARRIVALS a week) for two
years and go through three stages. In stage k a lead stays a lognormal time
(median MEDIAN_DAYS[k]) and moves on with probability CONVERSIONS[k] when it
stayed less than its stage's median, SLOW_FACTOR times that when it stayed
longer (slow deals close less): the distributions are known. A stay longer
than SLA_FACTOR times the median breaches the stage's deadline. Each lead
has its own expected revenue (lognormal); a lead that leaves the last stage
is won.

Forecasts: from week WARM_UP on, every 4 weeks, the forecast is made as the
wizard makes it, from what is known on that day only: conversions and times
measured on the leads that entered a stage in the last MEASURED_WEEKS weeks
(first entries, decided ones; the definitions of tools/metrics.py), the open
leads with the days already spent in their stage, their breach and their own
revenue, the new leads per week. It simulates the next HORIZON_WEEKS weeks
(RUNS runs) and is compared with the wins that happened in those weeks.

Printed: per window, P10 / P50 / P90 and the actual wins; the share of
windows whose actual wins fall inside P10-P90 (target: at least 80 %), the
mean absolute percentage error of P50, for wins and revenue; the same for the
forecast that gives every open lead its stage's conversion (the module
before the odds of aged and breached leads), for comparison.

Usage: python3 benchmarks/bench_forecast_backtest.py [--seed 1] [--runs 2000]
    [--histories 5]
"""

import argparse
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "sales_process_automation", "tools"))
import pipeline_simulation as engine  # pure numpy, no Odoo

WEEKS = 104
ARRIVALS = 12.0
CONVERSIONS = (0.7, 0.6, 0.75)
MEDIAN_DAYS = (5.0, 10.0, 8.0)
SIGMA = 0.7
SLOW_FACTOR = 0.5
SLA_FACTOR = 1.5
WARM_UP = 30
MEASURED_WEEKS = 26
HORIZON_WEEKS = 12
STEP_WEEKS = 4


def generate(rng):
    """Per lead: created, stage entries ``(stage, day in, day out, moved on)``,
    revenue, won day (or None), lost day (or None)."""
    count = rng.poisson(ARRIVALS * WEEKS)
    created = np.sort(rng.uniform(0, WEEKS * 7, count))
    leads = []
    for start in created:
        revenue = float(rng.lognormal(np.log(10_000), 0.8))
        day, entries, won, lost = start, [], None, None
        for stage, median in enumerate(MEDIAN_DAYS):
            stay = float(rng.lognormal(np.log(median), SIGMA))
            rate = CONVERSIONS[stage] * (SLOW_FACTOR if stay > median else 1.0)
            moves = rng.random() < rate
            entries.append((stage, day, day + stay, moves))
            day += stay
            if not moves:
                lost = day
                break
        else:
            won = day
        leads.append((start, entries, revenue, won, lost))
    return leads


def forecast_inputs(leads, today):
    """What the wizard measures on ``today``."""
    since = today - MEASURED_WEEKS * 7
    decided = [([], [], []) for _stage in MEDIAN_DAYS]
    moved_times = [[] for _stage in MEDIAN_DAYS]
    open_stages, open_ages, open_revenues, open_breached = [], [], [], []
    for created, entries, revenue, _won, _lost in leads:
        if created >= today:
            continue
        for stage, day_in, day_out, moves in entries:
            if day_in >= today:
                break
            sla = SLA_FACTOR * MEDIAN_DAYS[stage]
            if day_out > today:  # still there today
                open_stages.append(stage)
                open_ages.append(today - day_in)
                open_revenues.append(revenue)
                open_breached.append(today - day_in > sla)
                break
            if day_in >= since:
                days, converted, breached = decided[stage]
                days.append(day_out - day_in)
                converted.append(moves)
                breached.append(day_out - day_in > sla)
                if moves:
                    moved_times[stage].append(day_out - day_in)
    conversions = tuple(
        float(np.mean(converted)) if converted else 0.0
        for _days, converted, _breached in decided
    )
    new = sum(1 for lead in leads if since <= lead[0] < today)
    won_revenues = [lead[2] for lead in leads if lead[3] and since <= lead[3] < today]
    return {
        "conversions": conversions,
        "durations": tuple(times or [0.0] for times in moved_times),
        "decided": decided,
        "open": (
            np.asarray(open_stages, dtype=np.intp),
            np.asarray(open_ages),
            np.asarray(open_revenues),
            np.asarray(open_breached, dtype=bool),
        ),
        "arrivals_per_week": new / MEASURED_WEEKS,
        "arrival_revenue": float(np.mean(won_revenues)) if won_revenues else 0.0,
    }


def pipeline(inputs, with_odds):
    stages, ages, revenues, breached = inputs["open"]
    odds = np.asarray(inputs["conversions"])[stages].astype(float)
    if with_odds:
        for stage, rate in enumerate(inputs["conversions"]):
            members = np.flatnonzero(stages == stage)
            if len(members):
                odds[members] = engine.measured_odds(
                    inputs["decided"][stage], ages[members], breached[members], rate
                )
    return engine.Pipeline(
        conversions=inputs["conversions"],
        durations=inputs["durations"],
        open_stages=stages,
        open_ages=ages,
        open_revenues=revenues,
        open_conversions=odds,
        arrivals_per_week=inputs["arrivals_per_week"],
        arrival_revenue=inputs["arrival_revenue"],
    )


def actual(leads, today):
    stop = today + HORIZON_WEEKS * 7
    won = [lead for lead in leads if lead[3] is not None and today <= lead[3] < stop]
    return len(won), sum(lead[2] for lead in won)


def backtest(leads, runs, seed, with_odds):
    rows = []
    for week in range(WARM_UP, WEEKS - HORIZON_WEEKS + 1, STEP_WEEKS):
        today = week * 7.0
        bands = engine.simulate(
            pipeline(forecast_inputs(leads, today), with_odds),
            [0, HORIZON_WEEKS * 7],
            runs,
            seed + week,
        ).bands()
        rows.append(
            (week, bands["total_count"], bands["total_revenue"], actual(leads, today))
        )
    return rows


def summary(rows):
    inside = [p10 <= count <= p90 for _w, (p10, _p, p90), _r, (count, _v) in rows]
    inside_revenue = [
        p10 <= value <= p90 for _w, _c, (p10, _p, p90), (_n, value) in rows
    ]
    mape = np.mean(
        [abs(p50 - count) / count for _w, (_a, p50, _b), _r, (count, _v) in rows]
    )
    mape_revenue = np.mean(
        [abs(p50 - value) / value for _w, _c, (_a, p50, _b), (_n, value) in rows]
    )
    return np.mean(inside), mape, np.mean(inside_revenue), mape_revenue


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument(
        "--histories",
        type=int,
        default=5,
        help="generated histories (seeds seed, seed + 1, ...): the windows of all "
        "count",
    )
    args = parser.parse_args()
    rows = {True: [], False: []}
    for seed in range(args.seed, args.seed + args.histories):
        leads = generate(np.random.default_rng(seed))
        won = sum(1 for lead in leads if lead[3] is not None)
        print(
            f"History {seed}: {len(leads)} leads over {WEEKS} weeks, {won} won; "
            f"forecasts of {HORIZON_WEEKS} weeks every {STEP_WEEKS} weeks from "
            f"week {WARM_UP}, {args.runs} runs each"
        )
        for with_odds in (True, False):
            rows[with_odds] += backtest(leads, args.runs, seed, with_odds)
        if seed == args.seed:
            print(f"{'week':>4} {'P10':>5} {'P50':>5} {'P90':>5} {'actual':>6}  inside")
            for week, (p10, p50, p90), _revenue, (count, _value) in rows[True]:
                print(
                    f"{week:>4} {p10:>5.0f} {p50:>5.0f} {p90:>5.0f} {count:>6}  "
                    f"{'yes' if p10 <= count <= p90 else 'NO'}"
                )
    for with_odds, label in (
        (True, "forecast (odds of aged and breached leads)"),
        (False, "stage conversion for every open lead"),
    ):
        inside, mape, inside_revenue, mape_revenue = summary(rows[with_odds])
        print(
            f"{label}, {len(rows[with_odds])} windows: wins inside P10-P90 in "
            f"{inside:.0%} (target >= 80%), P50 MAPE {mape:.1%}; revenue inside "
            f"P10-P90 in {inside_revenue:.0%}, P50 MAPE {mape_revenue:.1%}"
        )


if __name__ == "__main__":
    main()
