"""Time pe.evaluate end to end against pandas (long and wide form) and a one-pass floor.

Usage::

    python benchmarks/bench_evaluate.py [--quick] [--repeats N]

Two synthetic data sets, each with string unit ids, visit numbers and a
category per unit, rows grouped by unit as a database export ordered by unit
gives them (the library is also timed on the same rows shuffled):

(a) 10,000 units x 3 visits on a synthetic 72-leaf rubric (6 aspects x 12
    indicators, aspect weights as percentages, indicator weights as relative
    points, the 29/2022 grade bands);
(b) 100,000 units x 2 visits on the bundled ``permenpanrb-29-2022`` (30 leaves).

Every implementation computes the same thing: the mean of each criterion over
a unit's visits, the weighted roll-up to aspects and the index, the index
rounded half up to 2 decimals, the rank within the unit's category by the
rounded index (ties "min", best first) and the grade. The script checks that
all of them agree, prints median wall times, ratios, the library's peak
memory and PASS/MISS per target. A MISS does not fail the script; a
disagreement between the implementations does (exit status 1).

``--quick`` uses 1,000 units for both sets (a smoke run of a few seconds).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from _timing import peak_bytes, time_rounds

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning

CATEGORIES = np.array(["kelurahan", "puskesmas", "opd"])
ASPECT_PERCENTS = ("24%", "25%", "18%", "11%", "10%", "12%")
INDICATORS_PER_ASPECT = 12
DIGITS = 2
ATOL = 1e-9
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")

TARGET_VS_LONG = 20.0
TARGET_VS_WIDE = 2.0
TARGET_VS_FLOOR = 10.0
TARGET_FLOOR_UNITS = 100_000
TARGET_MEMORY = 3.0


@dataclass(frozen=True)
class Data:
    """One synthetic data set: per-row arrays plus the unit table."""

    name: str
    rubric: pe.Rubric
    unit: np.ndarray  # str, one per row
    visit: np.ndarray  # int64, one per row
    values: np.ndarray  # float64 [rows, leaves]
    ids: np.ndarray  # str, one per unit, sorted
    category: np.ndarray  # str, one per unit

    def shuffled(self, seed: int) -> Data:
        """Return the same observations with the rows in random order."""
        order = np.random.default_rng(seed).permutation(len(self.unit))
        return Data(
            self.name,
            self.rubric,
            self.unit[order],
            self.visit[order],
            np.ascontiguousarray(self.values[order]),
            self.ids,
            self.category,
        )


@dataclass(frozen=True)
class Result:
    """Per unit, in the order of `Data.ids`: the index, rank in category and grade."""

    index: np.ndarray
    ranks: np.ndarray
    grades: np.ndarray


@dataclass(frozen=True)
class Weights:
    """The rubric's two levels as tables a pandas user would write down."""

    leaf_ids: list[str]
    leaf_aspect: pd.Series  # leaf id -> aspect id
    leaf_weight: pd.Series  # leaf id -> weight within its aspect (sums to 1 per aspect)
    aspect_weight: pd.Series  # aspect id -> weight in the index (sums to 1)
    aspect_matrix: np.ndarray  # [leaves, aspects]: leaf_weight where the leaf is in the aspect
    bins: list[float]  # grade band edges, ascending, for pd.cut(right=False)
    labels: list[str]  # band codes, ascending


def load_bundled() -> pe.Rubric:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        return pe.load_rubric("permenpanrb-29-2022")


def synthetic_rubric(bundled: pe.Rubric) -> pe.Rubric:
    """6 aspects x 12 indicators: percentages over aspects, relative points within."""
    aspects = []
    for a, percent in enumerate(ASPECT_PERCENTS, start=1):
        indicators = [
            pe.schema.Criterion(f"{a}.{i}", f"Indikator {a}.{i}", weight=5 + (7 * a + 3 * i) % 16)
            for i in range(1, INDICATORS_PER_ASPECT + 1)
        ]
        aspects.append(
            pe.schema.Criterion(
                f"aspek-{a}",
                f"Aspek {a}",
                weight=percent,
                weighting="relative",
                criteria=indicators,
            )
        )
    return pe.Rubric(
        id="synthetic-72",
        title="Synthetic 72-leaf rubric for benchmarks",
        scale=pe.schema.Scale(0, 5),
        criteria=aspects,
        regulation=pe.schema.Regulation("none (benchmark data)"),
        status="provisional",
        provisional=("every weight: made up for the benchmark",),
        rounding=bundled.rounding,
        grades=bundled.grades,
    )


def make_data(name: str, rubric: pe.Rubric, n_units: int, n_visits: int, *, seed: int) -> Data:
    """Integer scores 0..5 around a per-unit quality, so every grade band is used."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("unit-", np.char.zfill(np.arange(n_units).astype(np.str_), 6))
    category = CATEGORIES[rng.integers(0, len(CATEGORIES), n_units)]
    quality = np.repeat(rng.uniform(0, 5, n_units), n_visits)[:, None]
    noise = rng.normal(0, 1.2, (n_units * n_visits, len(rubric.leaf_ids)))
    values = np.clip(np.rint(quality + noise), 0, 5)
    return Data(
        name=name,
        rubric=rubric,
        unit=np.repeat(ids, n_visits),
        visit=np.tile(np.arange(1, n_visits + 1, dtype=np.int64), n_units),
        values=values,
        ids=ids,
        category=category,
    )


def weights_of(rubric: pe.Rubric) -> Weights:
    """Read the two-level weights off the rubric's criteria, as printed."""
    aspect_ids, leaf_ids, leaf_aspect, leaf_weight = [], [], [], []
    for aspect in rubric.criteria:
        aspect_ids.append(aspect.id)
        printed = [child.weight for child in aspect.criteria]
        if aspect.weighting == "equal":
            within = [1 / len(printed)] * len(printed)
        elif aspect.weighting == "relative":
            within = [w / sum(printed) for w in printed]
        else:
            within = printed
        for child, w in zip(aspect.criteria, within, strict=True):
            leaf_ids.append(child.id)
            leaf_aspect.append(aspect.id)
            leaf_weight.append(w)
    aspect_weight = pd.Series([a.weight for a in rubric.criteria], index=aspect_ids)
    matrix = np.zeros((len(leaf_ids), len(aspect_ids)))
    matrix[np.arange(len(leaf_ids)), [aspect_ids.index(a) for a in leaf_aspect]] = leaf_weight
    bands = list(reversed(rubric.grades.bands))
    return Weights(
        leaf_ids=leaf_ids,
        leaf_aspect=pd.Series(leaf_aspect, index=leaf_ids),
        leaf_weight=pd.Series(leaf_weight, index=leaf_ids),
        aspect_weight=aspect_weight,
        aspect_matrix=matrix,
        bins=[-np.inf, *(band.min for band in bands[1:]), np.inf],
        labels=[band.code for band in bands],
    )


def long_frame(data: Data) -> pd.DataFrame:
    """One row per (unit, visit, criterion), as a database or a melt() gives it."""
    leaves = len(data.rubric.leaf_ids)
    return pd.DataFrame(
        {
            "unit": np.repeat(data.unit, leaves),
            "visit": np.repeat(data.visit, leaves),
            "criterion": np.tile(np.array(data.rubric.leaf_ids), len(data.unit)),
            "score": data.values.ravel(),
        }
    )


def run_library(data: Data) -> Result:
    obs = pe.Observations.from_arrays(
        data.rubric, unit=data.unit, values=data.values, visit=data.visit
    )
    units = pe.Units.from_arrays(data.ids, category=data.category)
    ev = pe.evaluate(
        data.rubric, obs, units=units, aggregate="mean", order="criteria_first", missing="error"
    )
    ranks = ev.rank("category", ties="min", by="rounded")
    return Result(ev.index, ranks, ev.grades)


def rank_and_grade(index: pd.Series, category: pd.Series, weights: Weights) -> Result:
    """The pandas ending shared by both forms: round, rank within category, cut."""
    rounded = pd.Series(pe.schema.round_half_up(index.to_numpy(), DIGITS), index=index.index)
    ranks = rounded.groupby(category).rank(method="min", ascending=False)
    grades = pd.cut(rounded, bins=weights.bins, labels=weights.labels, right=False)
    return Result(index.to_numpy(), ranks.to_numpy(), grades.astype(str).to_numpy())


def run_pandas_long(long: pd.DataFrame, units: pd.DataFrame, weights: Weights) -> Result:
    leaf = long.groupby(["unit", "criterion"], sort=False)["score"].mean().reset_index()
    leaf["aspect"] = leaf["criterion"].map(weights.leaf_aspect)
    leaf["weighted"] = leaf["score"] * leaf["criterion"].map(weights.leaf_weight)
    aspect = leaf.groupby(["unit", "aspect"], sort=False)["weighted"].sum().reset_index()
    aspect["weighted"] *= aspect["aspect"].map(weights.aspect_weight)
    index = aspect.groupby("unit")["weighted"].sum().reindex(units.index)
    return rank_and_grade(index, units["category"], weights)


def run_pandas_wide(data: Data, units: pd.DataFrame, weights: Weights) -> Result:
    leaf = pd.DataFrame(data.values, columns=weights.leaf_ids).groupby(data.unit).mean()
    aspects = leaf.to_numpy() @ weights.aspect_matrix
    index = pd.Series(aspects @ weights.aspect_weight.to_numpy(), index=leaf.index)
    return rank_and_grade(index.reindex(units.index), units["category"], weights)


def run_floor(data: Data) -> float:
    return float(data.values.sum())


def stage_ms(data: Data, repeats: int) -> dict[str, float]:
    """Median time of each step of the library path."""
    samples: dict[str, list[float]] = {}
    for _ in range(repeats + 1):
        gc.collect()
        marks = [time.perf_counter()]
        obs = pe.Observations.from_arrays(
            data.rubric, unit=data.unit, values=data.values, visit=data.visit
        )
        marks.append(time.perf_counter())
        units = pe.Units.from_arrays(data.ids, category=data.category)
        marks.append(time.perf_counter())
        ev = pe.evaluate(
            data.rubric, obs, units=units, aggregate="mean", order="criteria_first", missing="error"
        )
        marks.append(time.perf_counter())
        ev.rank("category", ties="min", by="rounded")
        marks.append(time.perf_counter())
        ev.grades  # noqa: B018 (already computed by evaluate; timed to show it is free)
        marks.append(time.perf_counter())
        names = ("Observations.from_arrays", "Units.from_arrays", "evaluate", "rank", "grades")
        for name, begin, end in zip(names, marks, marks[1:], strict=False):
            samples.setdefault(name, []).append(end - begin)
    return {name: statistics.median(times[1:]) * 1e3 for name, times in samples.items()}


def check_same(name: str, reference: Result, other: Result) -> list[str]:
    problems = []
    if not np.allclose(reference.index, other.index, rtol=0, atol=ATOL):
        worst = float(np.max(np.abs(reference.index - other.index)))
        problems.append(f"{name}: indices differ (max |diff| {worst:.3g})")
    if not np.array_equal(reference.ranks, other.ranks):
        problems.append(f"{name}: ranks differ at {np.sum(reference.ranks != other.ranks)} units")
    if not np.array_equal(reference.grades.astype(str), other.grades.astype(str)):
        problems.append(f"{name}: grades differ at {np.sum(reference.grades != other.grades)}")
    return problems


def verdict(passed: bool, text: str, target: bool = True) -> str:
    """PASS/MISS for a target of the issue; met/not met for a figure shown for information."""
    if target:
        return f"  {'PASS' if passed else 'MISS'}  {text}"
    return f"  {'met    ' if passed else 'not met'}  {text} (information, not a target)"


def ratios(timings: dict[str, float], rows: str) -> tuple[float, float, float]:
    """Pandas long / library, pandas wide / library and library / floor."""
    library = timings[f"library, {rows} rows"]
    return (
        timings["pandas long form"] / library,
        timings["pandas wide form"] / library,
        library / timings["floor: values.sum()"],
    )


def target_lines(
    name: str, rows: str, timings: dict[str, float], peak: float, large: bool
) -> list[str]:
    vs_long, vs_wide, vs_floor = ratios(timings, rows)
    where = f"{name}, {rows} rows:"
    target = rows == "grouped"  # the data; shuffled rows are an extra stress case
    lines = [
        verdict(
            vs_long >= TARGET_VS_LONG,
            f"{where} library >= {TARGET_VS_LONG:g}x faster than pandas long ({vs_long:.1f}x)",
            target,
        ),
        verdict(
            vs_wide >= TARGET_VS_WIDE,
            f"{where} library >= {TARGET_VS_WIDE:g}x faster than pandas wide ({vs_wide:.1f}x)",
            target,
        ),
    ]
    if large:
        lines.append(
            verdict(
                vs_floor <= TARGET_VS_FLOOR,
                f"{where} library within {TARGET_VS_FLOOR:g}x of the floor ({vs_floor:.1f}x)",
                target,
            )
        )
    lines.append(
        verdict(
            peak <= TARGET_MEMORY,
            f"{where} peak memory <= {TARGET_MEMORY:g}x the observation matrix ({peak:.2f}x)",
            target,
        )
    )
    return lines


def time_all(
    data: Data, shuffled: Data, repeats: int
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Times (ms) and result of each implementation, all on the same data."""
    weights = weights_of(data.rubric)
    units = pd.DataFrame({"category": data.category}, index=pd.Index(data.ids, name="unit"))
    long = long_frame(data)  # built outside the timed region, freed on return
    runs: dict[str, Callable[[], Any]] = {
        "library, grouped rows": lambda: run_library(data),
        "library, shuffled rows": lambda: run_library(shuffled),
        "pandas long form": lambda: run_pandas_long(long, units, weights),
        "pandas wide form": lambda: run_pandas_wide(data, units, weights),
        "floor: values.sum()": lambda: run_floor(data),
    }
    return time_rounds(runs, repeats)


def print_table(title: str, columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> None:
    print(f"{title:<34}" + "".join(f"{c:>11}" for c in columns))
    for label, cells in rows.items():
        print(f"  {label:<32}" + "".join(f"{c:>11}" for c in cells))


def bench(data: Data, repeats: int) -> list[str]:
    """Time, check and print one data set; return its target lines."""
    shuffled = data.shuffled(seed=1)
    both = {"grouped": data, "shuffled": shuffled}
    (n_rows, n_leaves), n_units = data.values.shape, len(data.ids)
    size = data.values.nbytes
    print(
        f"\n== {data.name}: {n_units:,} units x {n_rows // n_units} visits x {n_leaves} leaves "
        f"({n_rows:,} rows; values {size / 1e6:.1f} MB; long form {n_rows * n_leaves:,} rows) =="
    )

    times, results = time_all(data, shuffled, repeats)
    timings = {label: statistics.median(t) for label, t in times.items()}
    steps = {rows: stage_ms(d, repeats) for rows, d in both.items()}
    peaks = {rows: peak_bytes(lambda d=d: run_library(d)) / size for rows, d in both.items()}

    print_table(
        f"wall time, {repeats} runs (ms)",
        ("median", "min"),
        {label: (f"{ms:.1f}", f"{min(times[label]):.1f}") for label, ms in timings.items()},
    )
    grouped = timings["library, grouped rows"]
    cost = timings["library, shuffled rows"] - grouped
    print(f"  shuffling the rows costs the library {cost:+.1f} ms ({cost / grouped:+.0%})")
    print_table(
        "library steps, median (ms)",
        tuple(both),
        {step: tuple(f"{steps[rows][step]:.1f}" for rows in both) for step in steps["grouped"]},
    )
    by_rows = [ratios(timings, rows) for rows in both]
    names = ("pandas long / library", "pandas wide / library", "library / floor")
    print_table(
        "ratios (library on rows ...)",
        tuple(both),
        {name: tuple(f"{r[i]:.1f}x" for r in by_rows) for i, name in enumerate(names)},
    )
    print_table(
        "peak memory of the library path",
        tuple(both),
        {
            "MB (tracemalloc)": tuple(f"{peaks[rows] * size / 1e6:.1f}" for rows in both),
            "x values.nbytes": tuple(f"{peaks[rows]:.2f}x" for rows in both),
        },
    )

    reference = results["library, grouped rows"]
    grades, counts = np.unique(reference.grades, return_counts=True)
    shares = ", ".join(f"{g} {n / n_units:.0%}" for g, n in zip(grades, counts, strict=True))
    tied = pd.DataFrame({"c": data.category, "r": reference.ranks}).duplicated(keep=False)
    print(f"data: grades {shares}; {int(tied.sum()):,} units share their rank")
    problems = [
        problem
        for label in ("library, shuffled rows", "pandas long form", "pandas wide form")
        for problem in check_same(label, reference, results[label])
    ]
    print("agreement (index atol 1e-9, ranks and grades exact): ", end="")
    print("FAILED\n  " + "\n  ".join(problems) if problems else "all implementations agree")
    if problems:
        raise SystemExit("FAILED: the implementations disagree")
    return [
        line
        for rows in both
        for line in target_lines(
            data.name, rows, timings, peaks[rows], large=n_units >= TARGET_FLOOR_UNITS
        )
    ]


def describe_machine() -> None:
    blas = ", ".join(f"{name}={os.environ.get(name, '<unset>')}" for name in BLAS_VARIABLES)
    load = os.getloadavg()[0]
    print(
        f"pelayanan_eval {pe.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.2f}"
    )
    print(f"library from {os.path.dirname(pe.__file__)}")
    print(blas)
    if load > 0.5:
        # OpenBLAS uses every core for the matrix products (library roll-up, pandas wide form),
        # so another busy process slows those down far more than the rest.
        print("note: the machine is busy; matrix products suffer most from it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per measurement")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    units_a, units_b = (1_000, 1_000) if args.quick else (10_000, 100_000)

    describe_machine()
    bundled = load_bundled()
    datasets = [
        make_data("(a) synthetic-72", synthetic_rubric(bundled), units_a, 3, seed=0),
        make_data("(b) permenpanrb-29-2022", bundled, units_b, 2, seed=1),
    ]
    targets = []
    for data in datasets:
        targets += bench(data, repeats)
    print("\ntargets:")
    print("\n".join(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
