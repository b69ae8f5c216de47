"""Time the decision analyses and check the calibration of their intervals by simulation.

Usage::

    python benchmarks/bench_decisions.py [--quick] [--repeats N] [--cities N] [--seed S]

1. ``decisions.uncertainty`` on the 70-unit demo city (two visits per unit, rubric
   ``permenpanrb-17-2017``) with 2,000 replicates: pooled between-visit variance, the
   replicates, ranks within categories, P(award), P(coaching), P(each grade), rank
   intervals and the award table. Target: under 1 s.
2. The same on 100,000 units (three categories, two visits each, 37 criteria, generated
   outside the timed region) with 200 replicates. Target: under 10 s on 2 cores.
3. ``decisions.sensitivity`` on the demo city: the 12/10 reading of aspects V and VI
   (unsourced; the bundled 15/7 is [code]), a Dirichlet perturbation, aggregate="min" and
   the summary of sources, 1,000 replicates.
4. Calibration: ``--cities`` simulated cities of 70 units with known true scores (unit
   level ~ N(2.6, 0.4), criterion offsets ~ N(0, 0.3)) and two visits each (assessor shift
   ~ N(0, 0.3) per visit, noise ~ N(0, 0.7) per criterion, clipped to 0-5); the share of
   units whose 90 % index and rank intervals cover the truth. Target: 90 % +/- 3 %.

Medians of ``--repeats`` runs after a warm-up are printed, with PASS/MISS per target (a
MISS does not fail the script). ``--quick`` uses 10,000 units and 100 cities.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

import pelayanan_eval as pe
from pelayanan_eval import decisions
from pelayanan_eval.exceptions import ProvisionalRubricWarning


def _median_seconds(function, repeats: int) -> float:
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _verdict(seconds: float, target: float) -> str:
    return f"{'PASS' if seconds < target else 'MISS'} (target < {target:g} s)"


def _large_city(rubric: pe.Rubric, units: int, rng: np.random.Generator):
    leaves = len(rubric.leaf_ids)
    level = rng.normal(3.2, 0.55, units)
    visits = np.repeat(level, 2)[:, None] + rng.normal(0, 0.6, (2 * units, leaves))
    values = np.clip(np.rint(visits), 0, 5)
    ids = np.char.add("u", np.arange(units).astype(str))
    obs = pe.Observations.from_arrays(rubric, unit=np.repeat(ids, 2), values=values,
                                      visit=np.tile([1, 2], units))  # fmt: skip
    table = pe.Units.from_arrays(
        ids, category=np.array(["kel", "pkm", "opd"])[np.arange(units) % 3]
    )
    return pe.evaluate(rubric, obs, units=table), obs


def _calibration(rubric: pe.Rubric, cities: int, rng: np.random.Generator) -> tuple[float, float]:
    from scipy import stats

    leaves = len(rubric.leaf_ids)
    categories = np.repeat(["a", "b", "c"], [24, 22, 24])
    ids = np.array([f"u{i:02d}" for i in range(70)])
    index_hits = rank_hits = total = 0
    for _ in range(cities):
        truth = rng.normal(2.6, 0.4, 70)[:, None] + rng.normal(0, 0.3, leaves)
        noise = rng.normal(0, 0.3, (140, 1)) + rng.normal(0, 0.7, (140, leaves))
        values = np.clip(np.repeat(truth, 2, axis=0) + noise, 0, 5)
        obs = pe.Observations.from_arrays(rubric, unit=np.repeat(ids, 2), values=values,
                                          visit=np.tile([1, 2], 70))  # fmt: skip
        ev = pe.evaluate(rubric, obs, units=pe.Units.from_arrays(ids, category=categories))
        result = decisions.uncertainty(ev, obs, replicates=400, rng=rng)
        true_index = truth @ rubric.leaf_weights
        true_rank = np.concatenate([
            stats.rankdata(-np.round(true_index[s], 2), method="min")
            for s in (slice(0, 24), slice(24, 46), slice(46, 70))
        ])  # fmt: skip
        index_hits += int(
            ((result.index_low <= true_index) & (true_index <= result.index_high)).sum()
        )
        rank_hits += int(((result.rank_low <= true_rank) & (true_rank <= result.rank_high)).sum())
        total += 70
    return index_hits / total, rank_hits / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cities", type=int, default=None)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-17-2017")

    city = pe.demo_city()
    demo = pe.evaluate(city.rubric, city.observations, units=city.units)
    seconds = _median_seconds(
        lambda: decisions.uncertainty(demo, city.observations, replicates=2000, rng=1),
        args.repeats,
    )
    print(f"demo city, 70 units x 2,000 replicates: {seconds * 1e3:.1f} ms median  "
          f"{_verdict(seconds, 1.0)}")  # fmt: skip

    units = 10_000 if args.quick else 100_000
    large, observations = _large_city(rubric, units, rng)
    seconds = _median_seconds(
        lambda: decisions.uncertainty(large, observations, replicates=200, rng=2),
        max(1, args.repeats // 2),
    )
    print(f"{units:,} units x 200 replicates: {seconds:.2f} s median  {_verdict(seconds, 10.0)}")

    reading = {"12/10 (unsourced)": {"konsultasi-pengaduan": "12%", "inovasi": "10%"}}
    seconds = _median_seconds(
        lambda: decisions.sensitivity(demo, city.observations, weights=reading,
                                      perturb="dirichlet", aggregations=["min"], rng=3),
        args.repeats,
    )  # fmt: skip
    print(f"demo city sensitivity (12/10, Dirichlet, min, sources; 1,000 replicates): "
          f"{seconds * 1e3:.1f} ms median")  # fmt: skip

    cities = args.cities or (100 if args.quick else 500)
    start = time.perf_counter()
    index_cover, rank_cover = _calibration(rubric, cities, rng)
    ok = all(0.87 <= c <= 0.93 for c in (index_cover, rank_cover))
    took = time.perf_counter() - start
    print(f"calibration over {cities} cities of 70 units: 90 % index intervals cover "
          f"{index_cover:.1%}, rank intervals {rank_cover:.1%}  "
          f"{'PASS' if ok else 'MISS'} (target 87-93 %; {took:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
