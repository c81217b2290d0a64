# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Monte Carlo simulation of a sales pipeline, without the ORM.

A pipeline is a line of stages. A record in a stage stays there for a time
drawn from the times measured in that stage (empirical resampling), then moves
on to the next stage with the stage's conversion rate, or is lost. A record
that moves on from the last stage is won, at that moment. Open records start in
their current stage: the time they still spend there is a measured time among
those longer than the time they already spent, less that time (if none is
longer, they leave it at once); they leave it for the next stage with their
own odds when given (the odds measured on the records that stayed as long,
or breached their deadline there), else with the stage's conversion. New
records arrive in the first stage as a Poisson process (uniform arrival times
over the horizon).

Every run of a simulation draws from one ``numpy.random.default_rng(seed)``:
the same inputs and seed give the same results. Runs are simulated together,
in chunks, as flat numpy arrays; a record leaves the arrays once lost or past
the horizon, so the work follows the records still in play.

Times are in calendar days from the start of the simulation.
"""

from dataclasses import dataclass, field, replace

import numpy as np

# records simulated at once (runs x records): bounds the memory used
CHUNK_RECORDS = 2_000_000
PERCENTILES = (10, 50, 90)
# entries at the stage's conversion added to the few entries measured for an
# open record's odds (see measured_odds)
PRIOR_ENTRIES = 5


@dataclass(frozen=True)
class Pipeline:
    """What the simulation starts from.

    ``conversions[k]``: share of the records leaving stage ``k`` that move on
    (from the last stage: that are won). ``durations[k]``: measured times in
    stage ``k``, in days (at least one). ``open_stages``, ``open_ages`` and
    ``open_revenues``: per open record, its stage index, the days it already
    spent there and the revenue it brings if won. ``open_conversions``: per
    open record, its odds of moving on from its current stage (by default the
    stage's conversion). ``arrivals_per_week`` new records enter the first
    stage, each bringing ``arrival_revenue`` if won.
    """

    conversions: tuple
    durations: tuple
    open_stages: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    open_ages: np.ndarray = field(default_factory=lambda: np.zeros(0))
    open_revenues: np.ndarray = field(default_factory=lambda: np.zeros(0))
    open_conversions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    arrivals_per_week: float = 0.0
    arrival_revenue: float = 0.0

    def __post_init__(self):
        if len(self.conversions) != len(self.durations) or not self.conversions:
            raise ValueError("Each stage needs a conversion rate and durations.")
        if any(not 0.0 <= rate <= 1.0 for rate in self.conversions):
            raise ValueError("Conversion rates are between 0 and 1.")
        if any(len(samples) == 0 for samples in self.durations):
            raise ValueError("Each stage needs at least one measured duration.")
        object.__setattr__(
            self,
            "durations",
            tuple(
                np.sort(np.asarray(samples, dtype=float)) for samples in self.durations
            ),
        )
        object.__setattr__(self, "conversions", tuple(map(float, self.conversions)))
        stages = np.asarray(self.open_stages, dtype=np.intp)
        object.__setattr__(self, "open_stages", stages)
        if len(stages) and (stages.min() < 0 or stages.max() >= len(self.conversions)):
            raise ValueError("An open record is in a stage the pipeline lacks.")
        for name in ("open_ages", "open_revenues", "open_conversions"):
            values = np.asarray(getattr(self, name), dtype=float)
            if not len(values):
                values = (
                    np.asarray(self.conversions)[stages]
                    if name == "open_conversions"
                    else np.zeros(len(stages))
                )
            object.__setattr__(self, name, values)
        if any(
            len(getattr(self, name)) != len(stages)
            for name in ("open_ages", "open_revenues", "open_conversions")
        ):
            raise ValueError(
                "Each open record needs a stage, an age, a revenue and its odds."
            )
        if np.any((self.open_conversions < 0) | (self.open_conversions > 1)):
            raise ValueError("Conversion rates are between 0 and 1.")

    @property
    def mean_durations(self):
        return np.array([samples.mean() for samples in self.durations])


def what_if(
    pipeline,
    stage=None,
    conversion=None,
    duration_factor=1.0,
    reps=None,
    baseline_reps=None,
):
    """The pipeline with one stage's conversion or duration changed, or the reps.

    Reps share the work of every stage: a stage's service rate scales with
    ``reps / baseline_reps``, so the times spent in every stage (measured and
    already spent) are multiplied by ``baseline_reps / reps``.
    """
    if duration_factor <= 0:
        raise ValueError("The duration factor must be positive.")
    conversions = list(pipeline.conversions)
    factors = np.ones(len(conversions))
    open_conversions = pipeline.open_conversions
    if stage is not None:
        if conversion is not None:
            # the open records of the stage keep their odds relative to it
            base = pipeline.conversions[stage]
            scaled = (
                open_conversions * (conversion / base)
                if base
                else np.full(len(open_conversions), conversion)
            )
            open_conversions = np.where(
                pipeline.open_stages == stage,
                np.clip(scaled, 0.0, 1.0),
                open_conversions,
            )
            conversions[stage] = conversion
        factors[stage] = duration_factor
    if reps is not None and baseline_reps:
        if reps <= 0:
            raise ValueError("At least one rep is needed.")
        factors *= baseline_reps / reps
    return replace(
        pipeline,
        conversions=tuple(conversions),
        durations=tuple(
            samples * factor
            for samples, factor in zip(pipeline.durations, factors, strict=True)
        ),
        open_ages=pipeline.open_ages * factors[pipeline.open_stages]
        if len(pipeline.open_stages)
        else pipeline.open_ages,
        open_conversions=open_conversions,
    )


def measured_odds(entries, ages, breached, stage_rate, weight=PRIOR_ENTRIES):
    """The odds of moving on of open records of one stage, from its history.

    ``entries``: the decided entries of the stage as ``(days, converted,
    breached)`` arrays: the days each spent there (until it left or was lost),
    whether it reached a further stage, whether it breached its deadline.
    For each open record (its ``ages`` in days, ``breached`` flags): among the
    entries that stayed at least as long (and breached, when it did), the share
    that moved on, counted with ``weight`` entries converting at ``stage_rate``
    so that a few entries do not decide alone.
    """
    days, converted, late = (np.asarray(values) for values in entries)
    ages = np.asarray(ages, dtype=float)
    breached = np.asarray(breached, dtype=bool)
    odds = np.empty(len(ages))
    for flag in (False, True):
        members = np.flatnonzero(breached == flag)
        if not len(members):
            continue
        kept = late.astype(bool) if flag else np.ones(len(days), dtype=bool)
        order = np.argsort(days[kept], kind="stable")
        sorted_days = days[kept][order]
        moved = converted[kept][order].astype(float)
        # entries (and conversions) from each position to the longest stay
        moved_after = np.concatenate([np.cumsum(moved[::-1])[::-1], [0.0]])
        first = np.searchsorted(sorted_days, ages[members], side="left")
        count = len(sorted_days) - first
        odds[members] = (moved_after[first] + weight * stage_rate) / (count + weight)
    return odds


def stage_throughputs(pipeline):
    """Records passed on per day a record spends in each stage.

    Conversion rate divided by the mean time in the stage: the stage with the
    lowest value limits the throughput of the pipeline.
    """
    means = pipeline.mean_durations
    rates = np.asarray(pipeline.conversions)
    with np.errstate(divide="ignore"):
        return np.where(means > 0, rates / np.where(means > 0, means, 1), np.inf)


def limiting_stage(pipeline):
    """Index of the stage that limits the throughput (see stage_throughputs)."""
    return int(np.argmin(stage_throughputs(pipeline)))


@dataclass(frozen=True)
class Result:
    """Won count and revenue per run (rows) and bucket (columns)."""

    won_count: np.ndarray
    won_revenue: np.ndarray

    def bands(self, percentiles=PERCENTILES):
        """Percentiles over the runs, per bucket and for the whole horizon.

        ``{"count": (P, B), "revenue": (P, B), "total_count": (P,),
        "total_revenue": (P,), "count_mean": (B,), "revenue_mean": (B,)}``,
        ``P`` percentiles and ``B`` buckets.
        """
        return {
            "count_mean": self.won_count.mean(axis=0),
            "revenue_mean": self.won_revenue.mean(axis=0),
            "count": np.percentile(self.won_count, percentiles, axis=0),
            "revenue": np.percentile(self.won_revenue, percentiles, axis=0),
            "total_count": np.percentile(self.won_count.sum(axis=1), percentiles),
            "total_revenue": np.percentile(self.won_revenue.sum(axis=1), percentiles),
        }


def simulate(pipeline, bucket_edges, runs, seed):
    """Run the simulation ``runs`` times; wins are counted per bucket.

    ``bucket_edges``: increasing days from the start, ``B + 1`` of them; the
    last one is the horizon. Returns a :class:`Result`.
    """
    edges = np.asarray(bucket_edges, dtype=float)
    if len(edges) < 2 or np.any(np.diff(edges) <= 0) or edges[0] < 0:
        raise ValueError("Bucket edges must increase from the start.")
    if runs < 1:
        raise ValueError("At least one run is needed.")
    rng = np.random.default_rng(seed)
    buckets = len(edges) - 1
    counts = np.zeros((runs, buckets))
    revenues = np.zeros((runs, buckets))
    expected_arrivals = pipeline.arrivals_per_week * edges[-1] / 7
    per_run = len(pipeline.open_stages) + expected_arrivals + 1
    chunk = max(1, min(runs, int(CHUNK_RECORDS // per_run)))
    for first in range(0, runs, chunk):
        size = min(chunk, runs - first)
        run_ids, bucket_ids, won_revenue = _simulate_chunk(pipeline, edges, size, rng)
        cells = run_ids * buckets + bucket_ids
        counts[first : first + size] = np.bincount(
            cells, minlength=size * buckets
        ).reshape(size, buckets)
        revenues[first : first + size] = np.bincount(
            cells, weights=won_revenue, minlength=size * buckets
        ).reshape(size, buckets)
    return Result(won_count=counts, won_revenue=revenues)


def _simulate_chunk(pipeline, edges, runs, rng):
    """Run, bucket and revenue of every record won in ``runs`` runs.

    Records are simulated in groups that start in the same stage: all the
    records of a group are in the same stage at each step, and the ones lost
    or past the horizon leave the group.
    """
    horizon = edges[-1]
    won_runs, won_times, won_revenues = [], [], []
    for start in np.unique(pipeline.open_stages):
        members = np.flatnonzero(pipeline.open_stages == start)
        ages = pipeline.open_ages[members]
        # the time left in the stage: a measured time longer than the time
        # already spent, less that time; none longer: the record leaves now
        low = np.where(
            ages > 0,
            np.searchsorted(pipeline.durations[start], ages, side="right"),
            0,
        )
        won, time = _advance(
            pipeline,
            start,
            np.zeros(len(members) * runs),
            horizon,
            rng,
            first=(
                np.tile(ages, runs),
                np.tile(low, runs),
                np.tile(pipeline.open_conversions[members], runs),
            ),
        )
        won_runs.append(won // len(members))
        won_times.append(time)
        won_revenues.append(pipeline.open_revenues[members[won % len(members)]])
    arrivals = rng.poisson(pipeline.arrivals_per_week * horizon / 7, size=runs)
    if arrivals.sum():
        won, time = _advance(
            pipeline, 0, rng.uniform(0.0, horizon, arrivals.sum()), horizon, rng
        )
        won_runs.append(np.repeat(np.arange(runs, dtype=np.intp), arrivals)[won])
        won_times.append(time)
        won_revenues.append(np.full(len(won), pipeline.arrival_revenue))
    if not won_runs:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    time = np.concatenate(won_times)
    bucket = np.searchsorted(edges, time, side="right") - 1
    return np.concatenate(won_runs), bucket, np.concatenate(won_revenues)


def _advance(pipeline, start, time, horizon, rng, first=None):
    """Move records from stage ``start`` on until won, lost or past the horizon.

    ``time``: when each record is in stage ``start``. ``first``: for open
    records, the days already spent in that stage, the index of the first
    measured time longer than that and their odds of moving on from it.
    Returns the indexes of the records won within the horizon and when they
    were won.

    One uniform draw per record and stage decides both: below the conversion
    rate the record moves on, and the draw divided by the rate (uniform again)
    picks its time in the stage. Lost records need no time.
    """
    index = np.arange(len(time), dtype=np.intp)
    for stage in range(start, len(pipeline.conversions)):
        rate = pipeline.conversions[stage]
        if first is not None and stage == start:
            rate = first[2].astype(np.float32)
        samples = pipeline.durations[stage]
        draw = rng.random(len(time), dtype=np.float32)
        moves = np.flatnonzero(draw < rate)
        if np.ndim(rate):
            spread = draw[moves] / rate[moves]
        else:
            spread = draw[moves] / np.float32(rate) if rate else draw[moves]
        index, time = index[moves], time[moves]
        if first is not None and stage == start:
            ages, low = first[0][moves], first[1][moves]
            span = len(samples) - low
            pick = np.minimum(low + (spread * span).astype(np.intp), len(samples) - 1)
            time = time + np.where(span > 0, samples[pick] - ages, 0.0)
        else:
            pick = np.minimum((spread * len(samples)).astype(np.intp), len(samples) - 1)
            time = time + samples[pick]
        inside = np.flatnonzero(time < horizon)
        index, time = index[inside], time[inside]
    return index, time
