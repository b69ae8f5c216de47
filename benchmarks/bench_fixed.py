"""Fixed costs: import, the first evaluate, an error about unknown ids, all report cards.

Usage::

    python benchmarks/bench_fixed.py

Prints each figure with its target (PASS/MISS; a MISS does not fail the
script):

- ``import pelayanan_eval`` in a fresh interpreter (<= 0.3 s);
- ``pelayanan-eval rubrics``, the whole command from a fresh process (<= 0.3 s);
- the first ``evaluate`` of the 70-unit demo city after it is loaded (<= 5 ms; the
  modules ``pe.evaluate`` loads on first use are loaded, and timed, apart);
- the error for observations of 200 unknown unit ids among 20,000 units
  (<= 1 s: a did-you-mean only for the ids the message shows);
- ``Evaluation.cards()`` for all of 20,000 units (<= 5 s).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ObservationError, ProvisionalRubricWarning

UNITS = 20_000


def import_seconds() -> float:
    """Wall time of ``import pelayanan_eval`` in a fresh interpreter (median of 5)."""
    code = "import time; t = time.perf_counter(); import pelayanan_eval; print(time.perf_counter() - t)"  # noqa: E501
    command = [sys.executable, "-c", code]
    runs = [
        float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        for _ in range(5)
    ]
    return statistics.median(runs)


def command_seconds() -> float:
    """Wall time of ``pelayanan-eval rubrics`` as a fresh process (median of 5).

    The installed command next to this interpreter, else ``python -m pelayanan_eval``.
    """
    script = shutil.which("pelayanan-eval", path=os.path.dirname(sys.executable))
    command = [script] if script else [sys.executable, "-m", "pelayanan_eval"]
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([*command, "rubrics"], capture_output=True, check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    warnings.simplefilter("ignore", ProvisionalRubricWarning)
    figures = [
        ("import pelayanan_eval (s)", import_seconds(), 0.3),
        ("pelayanan-eval rubrics (s)", command_seconds(), 0.3),
    ]

    start = time.perf_counter()
    evaluate = pe.evaluate  # the evaluation modules load on first use: loading, shown apart
    loaded = (time.perf_counter() - start) * 1e3
    city = pe.demo_city()
    start = time.perf_counter()
    evaluate(city.rubric, city.observations, units=city.units)
    figures.append(("first evaluate, 70-unit demo (ms)", (time.perf_counter() - start) * 1e3, 5))

    rubric = pe.load_rubric("permenpanrb-29-2022")
    rng = np.random.default_rng(0)
    ids = np.array([f"kel-{i}" for i in range(1, UNITS + 1)])
    typed = [f"kel-{i}x" for i in range(1, 201)]
    unit = np.concatenate([np.repeat(ids, 2), typed])
    values = rng.integers(0, 6, (len(unit), len(rubric.leaf_ids))).astype(float)
    obs = pe.Observations.from_arrays(rubric, unit=unit, values=values)
    units = pe.Units.from_arrays(ids, category=rng.choice(["kelurahan", "puskesmas"], UNITS))
    start = time.perf_counter()
    with contextlib.suppress(ObservationError):
        pe.evaluate(rubric, obs, units=units)
    figures.append(("error, 200 unknown ids of 20,000 (s)", time.perf_counter() - start, 1))

    known = pe.Observations.from_arrays(rubric, unit=np.repeat(ids, 2), values=values[: 2 * UNITS])
    ev = pe.evaluate(rubric, known, units=units)
    start = time.perf_counter()
    ev.cards()
    figures.append(("all cards of 20,000 units (s)", time.perf_counter() - start, 5))

    print(f"pelayanan_eval from {os.path.dirname(pe.__file__)}, load {os.getloadavg()[0]:.2f}")
    print(f"  info  loading the evaluation modules on first use: {loaded:.1f} ms")
    for name, value, target in figures:
        verdict = "PASS" if value <= target else "MISS"
        print(f"  {verdict}  {name:<40} {value:10.3f}  (target <= {target:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
