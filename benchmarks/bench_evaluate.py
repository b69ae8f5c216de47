"""Time pe.evaluate end to end against pandas, polars and duckdb and a one-pass floor.

Usage::

    python benchmarks/bench_evaluate.py [--quick] [--sizes 10000,100000] [--repeats N]

Data: N units x 2 visits on the bundled ``permenpanrb-29-2022`` (30 leaves)
for N = 10,000, 100,000 and 1,000,000; integer scores 0..5 around a per-unit
quality (so every grade band occurs), a category per unit (kelurahan,
puskesmas, opd), rows grouped by unit in the order of the units table, in
two layouts:

- ``text ids``: the ids as an export gives them, ``kel-1``, ``kel-2``, ...,
  ``kel-10`` (not zero-padded: the order of appearance is not text order);
- ``int codes``: an integer code per row, 0..N-1, with the ids once as
  ``unit_ids`` in the same order.

Every implementation computes the same thing (see ``_peers.py``) and starts
from the same numpy arrays: building its own frames (the library's
``Observations`` and ``Units``, a peer's data frames) is part of its time.
The runs take turns in each round (one process, interleaved), so a slow
spell of the shared machine hits all alike. The script checks that all
implementations give the same index (``atol`` 1e-9), ranks and grades, and
exits with status 1 when they do not; it prints medians, ratios, the growth
from 100,000 to 1,000,000 units, the peak memory as a multiple of
``values.nbytes`` and PASS/MISS per target (a MISS does not fail the
script). Peers not installed are skipped and named
(``pip install 'pelayanan-eval[bench]'``).

``--quick`` uses 1,000 and 10,000 units (a smoke run of a few seconds).
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
from _peers import PEERS, Plan, Result, missing_peers, plan_of, prepare
from _timing import peak_bytes, peak_rss_bytes, time_rounds

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning

CATEGORIES = np.array(["kelurahan", "puskesmas", "opd"])
LAYOUTS = ("text ids", "int codes")
VISITS = 2
ATOL = 1e-9
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
FLOOR = "floor: values.sum()"
SHUFFLED = "library, shuffled rows"

TARGET_VS_PEERS = 2.0  # at least this many times faster than the fastest peer, at every size
TARGET_GROWTH = 11.0  # 100,000 -> 1,000,000 units
TARGET_VS_FLOOR = 15.0  # at 100,000 and 1,000,000 units
TARGET_MEMORY = 2.0  # peak memory, x values.nbytes


@dataclass(frozen=True)
class Data:
    """One synthetic data set: per-row arrays in both layouts plus the unit table."""

    rubric: pe.Rubric
    unit: np.ndarray  # str, one per row: "kel-1", "kel-1", "kel-2", ...
    codes: np.ndarray  # int64, one per row: position of the row's unit in `ids`
    visit: np.ndarray  # int64, one per row
    values: np.ndarray  # float64 [rows, leaves]
    ids: np.ndarray  # str, one per unit, in order of appearance
    category: np.ndarray  # str, one per unit


def load_rubric() -> pe.Rubric:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        return pe.load_rubric("permenpanrb-29-2022")


def make_data(rubric: pe.Rubric, n_units: int, *, seed: int) -> Data:
    """Integer scores 0..5 around a per-unit quality, so every grade band is used."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("kel-", np.arange(1, n_units + 1).astype(np.str_))
    ids = ids.astype(f"<U{int(np.char.str_len(ids).max())}")  # as narrow as the text, as read
    category = CATEGORIES[rng.integers(0, len(CATEGORIES), n_units)]
    quality = np.repeat(rng.uniform(0, 5, n_units), VISITS)[:, None]
    noise = rng.normal(0, 1.2, (n_units * VISITS, len(rubric.leaf_ids)))
    codes = np.repeat(np.arange(n_units, dtype=np.int64), VISITS)
    return Data(
        rubric=rubric,
        unit=ids[codes],
        codes=codes,
        visit=np.tile(np.arange(1, VISITS + 1, dtype=np.int64), n_units),
        values=np.clip(np.rint(quality + noise), 0, 5),
        ids=ids,
        category=category,
    )


def library_steps(data: Data, layout: str) -> list[Callable[[], Any]]:
    """The library path as steps: observations, units, evaluate, rank (each uses the last)."""
    state: dict[str, Any] = {}
    unit = (
        {"unit": data.unit} if layout == "text ids" else {"unit": data.codes, "unit_ids": data.ids}
    )

    def observations() -> None:
        state["obs"] = pe.Observations.from_arrays(
            data.rubric, values=data.values, visit=data.visit, **unit
        )

    def units() -> None:
        state["units"] = pe.Units.from_arrays(data.ids, category=data.category)

    def evaluate() -> None:
        state["ev"] = pe.evaluate(
            data.rubric, state["obs"], units=state["units"], aggregate="mean", missing="error"
        )

    def ranking() -> Result:
        ev = state["ev"]
        return Result(ev.index, ev.rank("category", ties="min", by="rounded"), ev.grades)

    return [observations, units, evaluate, ranking]


def run_library(data: Data, layout: str) -> Result:
    result = None
    for step in library_steps(data, layout):
        result = step()
    return result  # type: ignore[return-value]


def stage_ms(data: Data, layout: str, repeats: int) -> dict[str, float]:
    """Median time of each step of the library path."""
    names = ("Observations.from_arrays", "Units.from_arrays", "evaluate", "rank")
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeats):
        gc.collect()
        for name, step in zip(names, library_steps(data, layout), strict=True):
            start = time.perf_counter()
            step()
            samples[name].append((time.perf_counter() - start) * 1e3)
    return {name: statistics.median(times) for name, times in samples.items()}


def shuffled(data: Data, seed: int) -> Data:
    order = np.random.default_rng(seed).permutation(len(data.unit))
    return Data(
        data.rubric, data.unit[order], data.codes[order], data.visit[order],
        np.ascontiguousarray(data.values[order]), data.ids, data.category,
    )  # fmt: skip


def check_same(name: str, reference: Result, other: Result) -> list[str]:
    problems = []
    if other.index.shape != reference.index.shape:
        return [f"{name}: {other.index.shape} units, expected {reference.index.shape}"]
    if not np.allclose(reference.index, other.index, rtol=0, atol=ATOL):
        worst = float(np.max(np.abs(reference.index - other.index)))
        problems.append(f"{name}: indices differ (max |diff| {worst:.3g})")
    if not np.array_equal(reference.ranks, other.ranks):
        problems.append(f"{name}: ranks differ at {np.sum(reference.ranks != other.ranks)} units")
    if not np.array_equal(reference.grades.astype(str), other.grades.astype(str)):
        problems.append(f"{name}: grades differ at {np.sum(reference.grades != other.grades)}")
    return problems


def print_table(title: str, columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> None:
    print(f"{title:<40}" + "".join(f"{c:>12}" for c in columns))
    for label, cells in rows.items():
        print(f"  {label:<38}" + "".join(f"{c:>12}" for c in cells))


def verdict(passed: bool, text: str) -> str:
    return f"  {'PASS' if passed else 'MISS'}  {text}"


@dataclass
class Measured:
    """What one size gave: medians (ms) by run label and peak memory by label (x values)."""

    units: int
    medians: dict[str, float]
    peaks: dict[str, float | None]


def label(name: str, layout: str) -> str:
    return f"{name}, {layout}"


def bench(data: Data, plan: Plan, peers: list[str], repeats: int) -> Measured:
    """Time, check and print one size."""
    (n_rows, n_leaves), n_units = data.values.shape, len(data.ids)
    size = data.values.nbytes
    print(
        f"\n== {n_units:,} units x {VISITS} visits x {n_leaves} leaves on {data.rubric.id} "
        f"({n_rows:,} rows; values {size / 1e6:.1f} MB) =="
    )
    keys = {"text ids": (data.unit, data.ids), "int codes": (data.codes, np.arange(n_units))}
    runs: dict[str, Callable[[], Any]] = {}
    for layout in LAYOUTS:
        runs[label("library", layout)] = lambda layout=layout: run_library(data, layout)
        for peer in peers:
            unit, ids = keys[layout]
            runs[label(peer, layout)] = prepare(peer, data.values, unit, ids, data.category, plan)
    runs[FLOOR] = lambda: float(data.values.sum())
    mixed = shuffled(data, seed=1) if n_units <= 100_000 else None
    if mixed is not None:
        runs[SHUFFLED] = lambda: run_library(mixed, "text ids")
    times, results = time_rounds(runs, repeats)
    medians = {name: statistics.median(t) for name, t in times.items()}

    peaks: dict[str, float | None] = {}
    for layout in LAYOUTS:
        peaks[label("library", layout)] = peak_bytes(runs[label("library", layout)]) / size
        for name in ("library", *peers):
            rss = peak_rss_bytes(runs[label(name, layout)])
            peaks[label(name, layout) + " (RSS)"] = None if rss is None else rss / size

    columns = ("text ids", "int codes")
    table = {
        name: tuple(f"{medians[label(name, layout)]:.1f}" for layout in LAYOUTS)
        for name in ("library", *peers)
    }
    table[FLOOR] = (f"{medians[FLOOR]:.1f}", "")
    if mixed is not None:
        table[SHUFFLED + " (info)"] = (f"{medians[SHUFFLED]:.1f}", "")
    print_table(f"wall time, median of {repeats} (ms)", columns, table)
    ratio_rows = {}
    if peers:
        ratio_rows["fastest peer / library"] = tuple(
            f"{min(medians[label(p, lay)] for p in peers) / medians[label('library', lay)]:.1f}x"
            for lay in LAYOUTS
        )
    ratio_rows["library / floor"] = tuple(
        f"{medians[label('library', layout)] / medians[FLOOR]:.1f}x" for layout in LAYOUTS
    )
    print_table("ratios", columns, ratio_rows)

    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}x"

    memory = {
        "library (tracemalloc)": tuple(shown(peaks[label("library", lay)]) for lay in LAYOUTS)
    }
    for name in ("library", *peers):
        memory[f"{name} (RSS high-water)"] = tuple(
            shown(peaks[label(name, lay) + " (RSS)"]) for lay in LAYOUTS
        )
    print_table("peak memory, x values.nbytes", columns, memory)
    steps = {layout: stage_ms(data, layout, repeats) for layout in LAYOUTS}
    print_table(
        "library steps, median (ms)",
        columns,
        {step: tuple(f"{steps[lay][step]:.1f}" for lay in LAYOUTS) for step in steps["text ids"]},
    )

    reference = results[label("library", "text ids")]
    grades, counts = np.unique(reference.grades, return_counts=True)
    print(
        "data: grades "
        + ", ".join(f"{g} {k / n_units:.0%}" for g, k in zip(grades, counts, strict=True))
    )
    problems = [
        problem
        for name, result in results.items()
        if name != FLOOR
        for problem in check_same(name, reference, result)
    ]
    print("agreement (index atol 1e-9, ranks and grades exact): ", end="")
    print("FAILED\n  " + "\n  ".join(problems) if problems else "all implementations agree")
    if problems:
        raise SystemExit("FAILED: the implementations disagree")
    return Measured(n_units, medians, peaks)


def targets(measured: list[Measured], peers: list[str]) -> list[str]:
    lines = []
    by_size = {m.units: m for m in measured}
    for m in measured:
        for layout in LAYOUTS:
            library = m.medians[label("library", layout)]
            where = f"{m.units:>9,} units, {layout}:"
            if peers:
                fastest = min(peers, key=lambda p: m.medians[label(p, layout)])
                ratio = m.medians[label(fastest, layout)] / library
                lines.append(verdict(ratio >= TARGET_VS_PEERS,
                                     f"{where} >= {TARGET_VS_PEERS:g}x faster than the fastest "
                                     f"peer ({fastest}: {ratio:.1f}x)"))  # fmt: skip
            if m.units >= 100_000:
                ratio = library / m.medians[FLOOR]
                text = f"{where} <= {TARGET_VS_FLOOR:g}x the floor ({ratio:.1f}x)"
                lines.append(verdict(ratio <= TARGET_VS_FLOOR, text))
            peak = m.peaks[label("library", layout)] or 0.0
            text = f"{where} peak memory <= {TARGET_MEMORY:g}x values ({peak:.2f}x)"
            lines.append(verdict(peak <= TARGET_MEMORY, text))
    if 100_000 in by_size and 1_000_000 in by_size:
        small, large = by_size[100_000], by_size[1_000_000]
        print_table(
            "growth 100,000 -> 1,000,000 units",
            LAYOUTS,
            {
                name: tuple(
                    f"x{large.medians[label(name, lay)] / small.medians[label(name, lay)]:.1f}"
                    for lay in LAYOUTS
                )
                for name in ("library", *peers)
            }
            | {FLOOR: (f"x{large.medians[FLOOR] / small.medians[FLOOR]:.1f}", "")},
        )
        for layout in LAYOUTS:
            growth = (
                large.medians[label("library", layout)] / small.medians[label("library", layout)]
            )
            lines.append(verdict(growth <= TARGET_GROWTH,
                                 f"growth 100k -> 1M, {layout}: x{growth:.1f} "
                                 f"(<= x{TARGET_GROWTH:g})"))  # fmt: skip
    return lines


def describe_machine(peers: list[str], absent: list[str]) -> None:
    versions = [f"pelayanan_eval {pe.__version__}", f"numpy {np.__version__}"]
    for name in peers:
        versions.append(f"{name} {sys.modules[name].__version__}")
    load = os.getloadavg()[0]
    print(", ".join(versions) + f", Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load:.2f}")  # fmt: skip
    print(f"library from {os.path.dirname(pe.__file__)}")
    print(", ".join(f"{name}={os.environ.get(name, '<unset>')}" for name in BLAS_VARIABLES))
    if absent:
        print(f"not installed, skipped: {', '.join(absent)} (pip install 'pelayanan-eval[bench]')")
    if load > 0.5:
        print("note: the machine is busy; compare runs made under similar load")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--sizes", default=None, help="comma-separated unit counts")
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds per size")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    default = "1000,10000" if args.quick else "10000,100000,1000000"
    sizes = [int(s) for s in (args.sizes or default).split(",")]

    absent = missing_peers()
    peers = [name for name in PEERS if name not in absent]
    if "duckdb" in peers and "pandas" in absent:
        peers.remove("duckdb")  # the duckdb run scans a pandas frame
        absent.append("duckdb (needs pandas)")
    for name in peers:
        __import__(name)
    describe_machine(peers, absent)
    rubric = load_rubric()
    plan = plan_of(rubric)
    measured = [bench(make_data(rubric, n, seed=n), plan, peers, repeats) for n in sizes]
    print()
    lines = targets(measured, peers)
    print("\ntargets:")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
