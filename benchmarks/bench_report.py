"""Time the written reports: every rapor and the city report of the demo, and a 10,000-unit city.

Usage::

    python benchmarks/bench_report.py [--repeats N] [--units N]

1. The 70-unit demo city (``pe.demo_city()``, evaluated outside the timed
   region): ``report.write_reports(evaluation, folder, excel=False)``, which
   renders 70 rapor and the city report and moves the folder into place;
   target under 10 s. Also timed with the workbook (``excel=True``) when
   openpyxl is installed.
2. A city of ``--units`` units (default 10,000) in three categories, two
   visits each on the bundled ``permenpanrb-17-2017``, integer scores 0-5
   around a per-unit quality (generated with ``np.random.default_rng(0)``,
   outside the timed region): ``report.city_report(evaluation)`` alone;
   target under 30 s. Then, once and without a target, every rapor and the
   city report of that city written with ``report.write_reports``.

Prints the median wall time of ``--repeats`` rounds (after a warm-up), the
size of what was written and PASS/MISS for each target (a MISS does not
fail the script).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import pelayanan_eval as pe
from pelayanan_eval import report
from pelayanan_eval.exceptions import ProvisionalRubricWarning


def _median_seconds(function: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _big_city(n: int) -> pe.Evaluation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-17-2017")
    rng = np.random.default_rng(0)
    quality = rng.normal(3.4, 0.6, n)
    leaves = len(rubric.leaves)
    values = np.clip(np.rint(np.repeat(quality, 2)[:, None] + rng.normal(0, 0.6, (2 * n, leaves))),
                     0, 5)  # fmt: skip
    ids = np.array([f"unit-{i:05d}" for i in range(n)])
    categories = np.array(["kelurahan", "puskesmas", "opd"])[np.arange(n) % 3]
    observations = pe.Observations.from_arrays(
        rubric, unit=np.repeat(ids, 2), values=values, visit=np.tile(["1", "2"], n)
    )
    units = pe.Units.from_arrays(ids, name=np.char.add("Unit ", ids), category=categories)
    return pe.evaluate(rubric, observations, units=units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--units", type=int, default=10_000)
    args = parser.parse_args()

    city = pe.demo_city()
    demo = pe.evaluate(city.rubric, city.observations, units=city.units)
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(10**6))

        def write(excel: bool) -> Path:
            return report.write_reports(demo, Path(folder) / f"r{next(runs)}", excel=excel)

        write(False)  # warm-up
        seconds = _median_seconds(lambda: write(False), args.repeats)
        size = sum(p.stat().st_size for p in (Path(folder) / "r0").rglob("*") if p.is_file())
        print(
            f"demo (70 units): all rapor + city report: median {seconds:.2f} s "
            f"({size / 1e6:.1f} MB written) -> {'PASS' if seconds < 10 else 'MISS'} (< 10 s)"
        )
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            print("demo with the workbook: skipped (openpyxl not installed)")
        else:
            with_book = _median_seconds(lambda: write(True), args.repeats)
            print(f"demo with the workbook: median {with_book:.2f} s")

    big = _big_city(args.units)
    report.city_report(big)  # warm-up
    seconds = _median_seconds(lambda: report.city_report(big), args.repeats)
    html = report.city_report(big)
    print(
        f"city report of {args.units:,} units: median {seconds:.2f} s "
        f"({len(html.encode()) / 1e6:.1f} MB) -> {'PASS' if seconds < 30 else 'MISS'} (< 30 s)"
    )
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        report.write_reports(big, Path(folder) / "big", excel=False)
        print(
            f"every rapor and the city report of {args.units:,} units (once, no target): "
            f"{time.perf_counter() - start:.1f} s"
        )


if __name__ == "__main__":
    main()
