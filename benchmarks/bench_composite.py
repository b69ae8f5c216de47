"""Time the composite index (F-02 + F-03) against F-02 alone plus the F-03 tally alone.

Usage::

    python benchmarks/bench_composite.py [--units N] [--respondents R] [--repeats K]

Data (generated once, outside the timed regions, seeded): N units (default
100,000) x 2 assessor visits on the bundled ``permenpanrb-29-2022`` (30
indicators, levels 0..5), and R respondents per unit (default 200; 20,000,000
rows at the defaults) answering the 11 statements of its instrument F-03
(0..5); rows grouped by unit, integer unit codes with ``unit_ids``.

Timed in turns in each round (median of K rounds after a warm-up):

1. F-02 alone: ``Observations.from_arrays`` of the visits + ``evaluate``;
2. the F-03 tally alone: ``Observations.from_arrays`` of the answers on
   ``rubric.instrument_rubric("F-03")`` + ``evaluate`` of that rubric (the
   per-unit mean of each statement, averaged over the statements);
3. the composite: both ``from_arrays`` + ``evaluate(..., instruments={"F-03": ...})``;
4. a floor for the tally: one ``np.bincount`` per statement on the float answers.

The script checks that the composite equals 0.75 x F-02 + 0.25 x F-03 from
runs 1 and 2 (atol 1e-12) and prints the medians, the ratio of the composite
to (1) + (2) and PASS/MISS for the target (at most 1.5x).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings

import numpy as np
from _timing import time_rounds

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning

TARGET = 1.5  # composite <= 1.5 x (F-02 alone + F-03 tally alone)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-29-2022")
    own = rubric.instrument_rubric("F-03")
    n, r = args.units, args.respondents
    rng = np.random.default_rng(2022)
    ids = np.char.add("kel-", np.arange(1, n + 1).astype(np.str_))
    quality = rng.uniform(0, 5, n)
    visit_codes = np.repeat(np.arange(n), 2)
    visits = np.clip(np.rint(quality[visit_codes, None] + rng.normal(0, 1, (2 * n, 30))), 0, 5)
    answer_codes = np.repeat(np.arange(n), r)
    answers = np.clip(
        np.rint(quality[answer_codes, None] + rng.normal(0, 1, (n * r, len(own.leaves)))), 0, 5
    )
    size = answers.nbytes / 1e6
    print(f"{n:,} units x 2 visits x 30 indicators; {n * r:,} respondents x "
          f"{len(own.leaves)} statements (answers {size:,.0f} MB as float64)")  # fmt: skip

    def f02() -> np.ndarray:
        obs = pe.Observations.from_arrays(rubric, unit=visit_codes, unit_ids=ids, values=visits)
        return pe.evaluate(rubric, obs).index

    def f03() -> np.ndarray:
        survey = pe.Observations.from_arrays(own, unit=answer_codes, unit_ids=ids, values=answers)
        return pe.evaluate(own, survey).index

    def both() -> np.ndarray:
        obs = pe.Observations.from_arrays(rubric, unit=visit_codes, unit_ids=ids, values=visits)
        survey = pe.Observations.from_arrays(own, unit=answer_codes, unit_ids=ids, values=answers)
        return pe.evaluate(rubric, obs, instruments={"F-03": survey}).index

    def floor() -> np.ndarray:
        sums = [np.bincount(answer_codes, weights=answers[:, j], minlength=n)
                for j in range(answers.shape[1])]  # fmt: skip
        return np.mean(sums, axis=0) / r

    runs = {
        "F-02 alone": f02,
        "F-03 tally alone": f03,
        "composite": both,
        "floor (bincount)": floor,
    }
    times, results = time_rounds(runs, args.repeats)
    expected = 0.75 * results["F-02 alone"] + 0.25 * results["F-03 tally alone"]
    if not np.allclose(results["composite"], expected, rtol=0, atol=1e-12):
        print("MISMATCH: the composite is not 0.75 x F-02 + 0.25 x F-03", file=sys.stderr)
        return 1
    if not np.allclose(results["F-03 tally alone"], results["floor (bincount)"], atol=1e-9):
        print("MISMATCH: the F-03 tally differs from the bincount floor", file=sys.stderr)
        return 1
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, value in medians.items():
        print(f"  {label:<20} {value:>9.1f} ms (median of {args.repeats})")
    ratio = medians["composite"] / (medians["F-02 alone"] + medians["F-03 tally alone"])
    verdict = "PASS" if ratio <= TARGET else "MISS"
    print(f"{verdict}  composite / (F-02 alone + F-03 tally alone) = {ratio:.2f} (<= {TARGET})")
    print(f"      F-03 tally / bincount floor = "
          f"{medians['F-03 tally alone'] / medians['floor (bincount)']:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
