"""Read a national survey CSV: the library's streaming reader against pandas, time and peak memory.

Usage::

    python benchmarks/bench_survey_csv.py [--rows N] [--repeats R] [--big] [--keep DIR]

Data (written once, outside every timed region, from ``np.random.default_rng(0)``): a CSV
with a header ``unit,<9 unsur of permenpanrb-14-2017-ikm>`` and ``--rows`` rows (default
1,000,000, about 26 MB): unit ids ``u00000``..``u19999`` in random order, answers 1..4 with
about 1 % left empty (no answer).

Each run is a fresh Python process, so peak memory is that run's own (``VmHWM`` of the child
where Linux has it, else ``ru_maxrss``; it includes the interpreter and its imports), and the
runs take turns in each of ``--repeats`` rounds (median wall time reported, including process
start and imports):

1. ``library``: ``ikm.read_csv(rubric, path)`` + ``ikm.compute(rubric, tally)`` with the
   default engine (pyarrow's reader, part by part, when installed);
2. ``library-stdlib``: the same with ``engine="python"`` (no optional package);
3. ``pandas``: ``pd.read_csv(path)`` + ``groupby("unit").mean()``.

The script checks that the three give the same NRR per unit and unsur (allclose 1e-12)
and prints PASS/MISS for the targets: the library at least as fast as pandas, with peak
memory at most pandas'. ``--big`` also writes a 20,000,000-row file (about 520 MB) and
measures the library's peak memory on it against the 1M-row file (target: it does not
grow with the file; pandas is not run on it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RUBRIC = "permenpanrb-14-2017-ikm"
UNITS = 20_000
CHUNK = 1_000_000

CHILD = r"""
import json, resource, sys, time, warnings
start = time.perf_counter()
kind, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "pandas":
    import pandas as pd
    nrr = pd.read_csv(path).groupby("unit").mean()
    units, values = nrr.index.to_numpy().astype(str), nrr.to_numpy()
else:
    import pelayanan_eval as pe
    from pelayanan_eval import ikm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    engine = "python" if kind == "library-stdlib" else "auto"
    result = ikm.compute(rubric, ikm.read_csv(rubric, path, engine=engine, progress=False))
    units, values = result.unit_ids, result.nrr
seconds = time.perf_counter() - start
if out != "-":
    import numpy as np
    order = np.argsort(units)
    np.save(out, values[order])
try:  # this process's own high-water mark (ru_maxrss keeps the parent's across fork + exec)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak}))
"""


def write_csv(path: Path, rows: int, rubric_ids: list[str]) -> None:
    rng = np.random.default_rng(0)
    names = np.array([f"u{i:05d}" for i in range(UNITS)])
    with path.open("w", encoding="utf-8") as handle:
        handle.write("unit," + ",".join(rubric_ids) + "\n")
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            answers = rng.integers(1, 5, (n, 9)).astype("U1")
            answers[rng.random((n, 9)) < 0.01] = ""
            unit = names[rng.integers(0, UNITS, n)]
            lines = np.char.add(unit, ",")
            for j in range(9):
                lines = np.char.add(lines, answers[:, j])
                if j < 8:
                    lines = np.char.add(lines, ",")
            handle.write("\n".join(lines.tolist()) + "\n")


def run(kind: str, path: Path, out: str = "-") -> dict[str, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), out], check=True,
                          capture_output=True, text=True)  # fmt: skip
    found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    found["wall"] = time.perf_counter() - start
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big", action="store_true", help="also a 20M-row memory check")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    import warnings

    import pelayanan_eval as pe

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        leaves = list(pe.load_rubric(RUBRIC).leaf_ids)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-survey-csv-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"skm-{args.rows}.csv"
    if not path.exists():
        write_csv(path, args.rows, leaves)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows, {UNITS:,} units)")
    kinds = ["library", "library-stdlib", "pandas"]
    arrays = {kind: str(folder / f"nrr-{kind}.npy") for kind in kinds}
    for kind in kinds:  # warm-up (and the results compared below)
        run(kind, path, arrays[kind])
    reference = np.load(arrays["pandas"])
    for kind in kinds[:2]:
        np.testing.assert_allclose(np.load(arrays[kind]), reference, rtol=1e-12, atol=0)
    print("results: the library (both engines) and pandas agree on every NRR (rtol 1e-12)")
    measured: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for round_ in range(args.repeats):
        for kind in kinds[round_ % 3 :] + kinds[: round_ % 3]:  # interleaved, rotating order
            measured[kind].append(run(kind, path))
    print(f"\nmedian of {args.repeats} rounds, each a fresh process (time includes imports):")
    summary = {}
    for kind in kinds:
        wall = statistics.median(m["wall"] for m in measured[kind])
        inner = statistics.median(m["seconds"] for m in measured[kind])
        peak = statistics.median(m["peak"] for m in measured[kind]) / 2**20
        summary[kind] = (wall, peak)
        print(
            f"  {kind:15s} {wall:6.2f} s wall ({inner:5.2f} s in the script)  peak {peak:6.0f} MB"
        )
    lib, pd_ = summary["library"], summary["pandas"]
    print(f"\nlibrary / pandas: time {lib[0] / pd_[0]:.2f}x, peak memory {lib[1] / pd_[1]:.2f}x")
    print(f"{'PASS' if lib[0] <= pd_[0] else 'MISS'}: at least as fast as pandas")
    print(f"{'PASS' if lib[1] <= pd_[1] else 'MISS'}: peak memory at most pandas'")
    std = summary["library-stdlib"]
    print(
        f"{'PASS' if std[1] <= pd_[1] else 'MISS'}: without optional packages, peak memory "
        f"at most pandas' ({std[1]:.0f} MB vs {pd_[1]:.0f} MB; time {std[0] / pd_[0]:.2f}x)"
    )
    if args.big:
        big = folder / "skm-20000000.csv"
        if not big.exists():
            write_csv(big, 20_000_000, leaves)
        print(f"\n20M rows: {big} ({big.stat().st_size / 1e6:.0f} MB)")
        for kind in kinds[:2]:
            found = run(kind, big)
            ratio = found["peak"] / 2**20 / summary[kind][1]
            print(
                f"  {kind:15s} {found['wall']:6.1f} s  peak {found['peak'] / 2**20:6.0f} MB "
                f"({ratio:.2f}x the 1M-row file) -> {'PASS' if ratio < 1.25 else 'MISS'}"
            )


if __name__ == "__main__":
    main()
