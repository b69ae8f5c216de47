"""Time agreement coefficients at national scale against the krippendorff package and pingouin.

Usage::

    python benchmarks/bench_agreement.py [--units N] [--repeats N] [--icc-criteria K] [--seed S]

Data (generated once, outside every timed region, from ``np.random.default_rng(seed)``):
N = 100,000 units x 2 visits x the 30 criteria of the bundled ``permenpanrb-29-2022``;
each unit has two different assessors drawn from a pool of 50; integer scores 0-5 around
a per-unit quality plus assessor leniency and noise; about 2 % of the scores missing
(NaN). Rows come grouped by unit.

Timed on the same data (median of ``--repeats`` rounds after a warm-up; in each round the
runs take turns in a new seeded random order):

1. ``alpha x4, library``: ``agreement.coefficients(obs, level="nominal", icc=None,
   n_boot=0)`` (alpha per criterion, per aspect (pooled) and on the index) and
   ``table.alpha_at(L)`` for the three other levels, from the same coincidence matrices;
   ``alpha x4, library 4 calls``: one ``coefficients`` call per level (checked equal);
2. ``alpha x4, library tables``: ``agreement.alpha(table, L)`` on each criterion's
   2 x N reliability table (first and second visit as the rows), 30 x 4 calls: the
   same work as the peer;
3. ``alpha x4, krippendorff``: ``krippendorff.alpha(table, level_of_measurement=L)`` on
   the same 2 x N tables, 30 x 4 calls;
4. ``ICC, library``: ``agreement.coefficients(obs, by="visit", icc="auto", n_boot=0)``
   (one-way and two-way forms with F intervals for every criterion, aspect and the index;
   alpha ordinal included);
5. ``ICC, pingouin``: ``pingouin.intraclass_corr`` on a long DataFrame (built outside the
   timed region) for the first ``--icc-criteria`` criteria (default 3; pingouin is slow)
   and its time scaled to 30 criteria (printed as such).

The script checks that the library's alpha equals the package's on every criterion at
every level (abs 1e-12) and that the six ICC forms equal pingouin's (abs 1e-10) on the
criteria pingouin ran, then prints medians, ratios and PASS/MISS for the targets (a MISS
does not fail the script; a disagreement does): alpha at the four levels under 1 s, and
at least as fast as the krippendorff package.
"""

from __future__ import annotations

import argparse
import statistics
import warnings

import numpy as np
from _timing import time_rounds

import pelayanan_eval as pe
from pelayanan_eval import agreement
from pelayanan_eval.exceptions import ProvisionalRubricWarning

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def make_data(units: int, seed: int) -> tuple[pe.Rubric, pe.Observations, np.ndarray]:
    """Return the rubric, the observations and the values as [visit, unit, criterion]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-29-2022")
    rng = np.random.default_rng(seed)
    leaves = len(rubric.leaves)
    quality = rng.normal(3.2, 0.7, units)
    first = rng.integers(0, 50, units)
    second = (first + rng.integers(1, 50, units)) % 50
    assessor = np.stack([first, second], axis=1).ravel()
    leniency = rng.normal(0, 0.3, 50)
    raw = (np.repeat(quality, 2)[:, None] + leniency[assessor][:, None]
           + rng.normal(0, 0.6, (2 * units, leaves)))  # fmt: skip
    values = np.clip(np.rint(raw), 0, 5)
    values[rng.random(values.shape) < 0.02] = np.nan
    obs = pe.Observations.from_arrays(
        rubric, unit=np.repeat(np.arange(units), 2), unit_ids=[f"u{i}" for i in range(units)],
        values=values, observer=np.array([f"assessor {a:02d}" for a in range(50)])[assessor],
        visit=np.tile(["1", "2"], units),
    )  # fmt: skip
    return rubric, obs, values.reshape(units, 2, leaves).transpose(1, 0, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--icc-criteria", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rubric, obs, tables = make_data(args.units, args.seed)
    leaves = tables.shape[2]
    print(f"data: {args.units:,} units x 2 visits x {leaves} criteria, "
          f"{np.isnan(tables).mean():.1%} missing, 50 assessors")  # fmt: skip

    def library_alpha() -> list[np.ndarray]:
        table = agreement.coefficients(obs, level=LEVELS[0], icc=None, n_boot=0)
        return [table.alpha, *(table.alpha_at(level) for level in LEVELS[1:])]

    def library_calls() -> list[np.ndarray]:
        return [agreement.coefficients(obs, level=level, icc=None, n_boot=0).alpha
                for level in LEVELS]  # fmt: skip

    def library_tables() -> list[float]:
        return [agreement.alpha(tables[:, :, j], level).value
                for level in LEVELS for j in range(leaves)]  # fmt: skip

    runs = {"alpha x4, library": library_alpha, "alpha x4, library 4 calls": library_calls,
            "alpha x4, library tables": library_tables}  # fmt: skip
    try:
        import krippendorff

        def peer_alpha() -> list[float]:
            return [float(krippendorff.alpha(tables[:, :, j], level_of_measurement=level))
                    for level in LEVELS for j in range(leaves)]  # fmt: skip

        runs["alpha x4, krippendorff"] = peer_alpha
    except ImportError:
        print("krippendorff not installed: pip install krippendorff (skipped)")

    def library_icc() -> agreement.Agreement:
        return agreement.coefficients(obs, by="visit", icc="auto", n_boot=0)

    runs["ICC, library"] = library_icc
    pingouin_scale = leaves / max(1, min(args.icc_criteria, leaves))
    try:
        import pandas as pd
        import pingouin as pg

        frames = []
        for j in range(min(args.icc_criteria, leaves)):
            complete = ~np.isnan(tables[:, :, j]).any(axis=0)
            kept = tables[:, complete, j]
            frames.append(pd.DataFrame({
                "unit": np.repeat(np.flatnonzero(complete), 2),
                "rater": np.tile([1, 2], kept.shape[1]), "score": kept.T.ravel()}))  # fmt: skip

        def peer_icc() -> list[object]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return [pg.intraclass_corr(f, "unit", "rater", "score") for f in frames]

        runs["ICC, pingouin"] = peer_icc
    except ImportError:
        print("pingouin or pandas not installed: pip install pingouin (skipped)")

    times, results = time_rounds(runs, args.repeats)
    ours = results["alpha x4, library"]
    assert all(
        np.array_equal(a, b, equal_nan=True)
        for a, b in zip(ours, results["alpha x4, library 4 calls"], strict=True)
    )
    rows = list(agreement.coefficients(obs, icc=None, n_boot=0).ids)
    positions = [rows.index(leaf) for leaf in rubric.leaf_ids]
    by_leaf = {level: a[positions] for level, a in zip(LEVELS, ours, strict=True)}
    plain = np.array(results["alpha x4, library tables"]).reshape(4, leaves)
    for i, level in enumerate(LEVELS):
        assert np.allclose(by_leaf[level], plain[i], atol=1e-12, rtol=0), level
    if "alpha x4, krippendorff" in results:
        theirs = np.array(results["alpha x4, krippendorff"]).reshape(4, leaves)
        worst = float(np.abs(theirs - plain).max())
        assert worst <= 1e-12, worst
        print(f"alpha equals krippendorff on {4 * leaves} (criterion, level) pairs: "
              f"max |difference| {worst:.1e}")  # fmt: skip
    if "ICC, pingouin" in results:
        table = results["ICC, library"]
        names = {
            "ICC(1,1)": "ICC(1)",
            "ICC(1,k)": "ICC(1,k)",
            "ICC(A,1)": "ICC(A,1)",
            "ICC(A,k)": "ICC(A,k)",
            "ICC(C,1)": "ICC(C,1)",
            "ICC(C,k)": "ICC(C,k)",
        }
        worst = 0.0
        for j, frame in enumerate(results["ICC, pingouin"]):
            theirs_icc = frame.set_index("Type")["ICC"]  # type: ignore[attr-defined]
            for their_name, form in names.items():
                found = table.value(rubric.leaf_ids[j], form)
                worst = max(worst, abs(found - float(theirs_icc[their_name])))
        assert worst <= 1e-10, worst
        print(f"ICCs equal pingouin on {len(results['ICC, pingouin'])} criteria x 6 forms: "
              f"max |difference| {worst:.1e}")  # fmt: skip
    medians = {label: statistics.median(values) for label, values in times.items()}
    if "ICC, pingouin" in medians:
        medians["ICC, pingouin (scaled to all criteria)"] = (
            medians["ICC, pingouin"] * pingouin_scale
        )
    print(f"\nmedian wall time of {args.repeats} rounds (ms):")
    for label, value in medians.items():
        print(f"  {label:<42} {value:10.1f}")
    mine = medians["alpha x4, library"]
    print()
    print(f"{'PASS' if mine < 1000 else 'MISS'}: alpha at four levels in {mine:.0f} ms (< 1 s)")
    if "alpha x4, krippendorff" in medians:
        ratio = medians["alpha x4, krippendorff"] / mine
        print(f"{'PASS' if ratio >= 1 else 'MISS'}: {ratio:.1f}x faster than krippendorff "
              f"(tables path: {medians['alpha x4, krippendorff'] / medians['alpha x4, library tables']:.1f}x)")  # noqa: E501  # fmt: skip
    if "ICC, pingouin" in medians:
        ratio = medians["ICC, pingouin (scaled to all criteria)"] / medians["ICC, library"]
        print(f"ICC: the library (all rows, six forms, intervals) is {ratio:.0f}x faster than "
              "pingouin scaled to all criteria")  # fmt: skip


if __name__ == "__main__":
    main()
