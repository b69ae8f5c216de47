"""Time the IKM (PermenPANRB 14/2017) at national scale against pandas and a bincount floor.

Usage::

    python benchmarks/bench_ikm.py [--quick] [--repeats N] [--string-repeats N] [--seed S]

Data (generated once, outside every timed region, from ``np.random.default_rng(seed)``):
10,000,000 respondents x 9 unsur over 20,000 units on the bundled rubric
``permenpanrb-14-2017-ikm``; answers are a ``uint8`` matrix with values 1..4 around a
per-unit quality (so every band A-D occurs) and about 1 % zeros (= no answer); the unit
of each respondent is an integer code 0..19,999 drawn at random, so the rows are in
random unit order (not grouped). ``--quick`` uses 200,000 respondents and 1,000 units.

Timed on the same data in one run (median of ``--repeats`` rounds after a warm-up; in each
round the library, pandas and the floor take turns):

1. the library end to end: ``ikm.Responses.from_arrays(rubric, answers=..., unit=codes,
   unit_ids=ids)`` + ``ikm.compute(rubric, responses, weights="exact")`` (default bands),
   with numba's compiled tally when the ``fast`` extra is installed (the kernel in use and
   the first call's cost, which imports numba and compiles or loads the kernel, are
   printed), and again with the numpy kernel only, as installed without the extra;
2. pandas: a float64 DataFrame of the answers with 0 -> NaN (built outside the timed
   region; its size is printed), ``groupby(codes).mean()`` for the NRR, x 1/9 and summed,
   x 25, ``pe.schema.round_half_up(..., 2)``, ``pd.cut`` on [25, 65, 76.61, 88.31, 100.0001)
   with ``right=False`` -> D/C/B/A;
3. the floor: one ``np.bincount(codes, weights=answers[:, j])`` per unsur plus one
   ``np.bincount(codes)`` for the counts, the least work that yields the sums;
4. the library with string unit ids (``"unit-000123"``, same shuffled rows):
   ``ikm.Responses.from_arrays(rubric, answers=..., unit=strings)`` + compute.

The script checks that the library and pandas give the same NRR (allclose, atol 1e-12),
the same rounded IKM and the same mutu codes, and that the string path gives the integer
path's result. It prints median wall times, ratios, the library's peak traced memory
(tracemalloc traces numpy's buffers) as a multiple of ``answers.nbytes`` and in MB, a
cProfile of one library run, and PASS/MISS for each target (a MISS does not fail the
script; a disagreement between implementations does):

- the library end to end in about 1 s (<= 1.0 s at full size);
- at least 5x faster than pandas;
- within 3x of the floor;
- peak memory at most 2x the uint8 matrix plus O(units) (1 KiB per unit allowed).

The BLAS-related environment variables and the OpenBLAS core in use are printed; to see
whether they matter, run it as it is and once under
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE``.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import gc
import glob
import os
import platform
import pstats
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
from pelayanan_eval import ikm
from pelayanan_eval.ikm import _tally
from pelayanan_eval.ikm._compiled import compiled_tally

RUBRIC_ID = "permenpanrb-14-2017-ikm"
FULL = (10_000_000, 20_000)
QUICK = (200_000, 1_000)
ZERO_RATE = 0.01
CHUNK = 1 << 20  # rows generated at once
DIGITS = 2
BINS = [25.0, 65.0, 76.61, 88.31, 100.0001]
LABELS = ["D", "C", "B", "A"]
NRR_ATOL = 1e-12
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")

TARGET_SECONDS = 1.0  # at FULL size
TARGET_VS_PANDAS = 5.0
TARGET_VS_FLOOR = 3.0
TARGET_MEMORY = 2.0  # x answers.nbytes ...
UNIT_ALLOWANCE = 1024  # ... plus this many bytes per unit

LIBRARY = "library (int codes + unit_ids)"
LIBRARY_NUMPY = "library, numpy kernel (no numba)"
PANDAS = "pandas groupby().mean()"
FLOOR = "floor: 10 x np.bincount"


@dataclass(frozen=True)
class Data:
    """The synthetic survey: answers, a unit code per respondent, the unit ids."""

    rubric: pe.Rubric
    answers: np.ndarray  # uint8 [respondents, unsur], 0 = no answer
    codes: np.ndarray  # int64 [respondents], 0 <= code < units, random order
    ids: np.ndarray  # str [units], "unit-000123", sorted


@dataclass(frozen=True)
class Result:
    """Per unit, in the order of `Data.ids`: NRR per unsur, IKM (25-100) and rounded, mutu."""

    nrr: np.ndarray
    reported: np.ndarray
    rounded: np.ndarray
    grades: np.ndarray


def load_rubric() -> pe.Rubric:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pe.load_rubric(RUBRIC_ID)


def make_data(rubric: pe.Rubric, respondents: int, units: int, seed: int) -> Data:
    """Answers 1..4 around a per-unit quality, ~1 % zeros, units in random order."""
    rng = np.random.default_rng(seed)
    width = len(rubric.leaf_ids)
    codes = rng.integers(0, units, respondents)
    quality = rng.uniform(1.9, 4.3, units)
    answers = np.empty((respondents, width), dtype=np.uint8)
    for start in range(0, respondents, CHUNK):
        unit = codes[start : start + CHUNK]
        values = np.rint(quality[unit][:, None] + rng.normal(0.0, 0.9, (len(unit), width)))
        np.clip(values, 1, 4, out=values)
        values[rng.random(values.shape) < ZERO_RATE] = 0
        answers[start : start + len(unit)] = values
    ids = np.char.add("unit-", np.char.zfill(np.arange(units).astype(np.str_), 6))
    return Data(rubric, answers, codes, ids)


def pandas_frame(data: Data) -> pd.DataFrame:
    """The answers as a pandas user holds them: float64, NaN for no answer."""
    values = data.answers.astype(np.float64)
    values[data.answers == 0] = np.nan
    return pd.DataFrame(values, columns=list(data.rubric.leaf_ids), copy=False)


def run_library(data: Data) -> ikm.IkmResult:
    responses = ikm.Responses.from_arrays(
        data.rubric, answers=data.answers, unit=data.codes, unit_ids=data.ids
    )
    return ikm.compute(data.rubric, responses, weights="exact")


def run_library_numpy(data: Data) -> ikm.IkmResult:
    """The library as installed without the `fast` extra: the bincount kernel at any size."""
    threshold = _tally.COMPILED_MIN_CELLS
    _tally.COMPILED_MIN_CELLS = sys.maxsize
    try:
        return run_library(data)
    finally:
        _tally.COMPILED_MIN_CELLS = threshold


def kernel_in_use(data: Data) -> str:
    if data.answers.size < _tally.COMPILED_MIN_CELLS or compiled_tally() is None:
        return "numpy bincount (numba not installed or input small)"
    import numba

    return f"compiled tally, numba {numba.__version__} (the `fast` extra)"


def run_library_strings(data: Data, units: np.ndarray) -> ikm.IkmResult:
    responses = ikm.Responses.from_arrays(data.rubric, answers=data.answers, unit=units)
    return ikm.compute(data.rubric, responses, weights="exact")


def as_result(result: ikm.IkmResult) -> Result:
    return Result(result.nrr, result.reported, result.rounded, result.grades.astype(str))


def run_pandas(frame: pd.DataFrame, codes: np.ndarray, units: int) -> Result:
    nrr = frame.groupby(codes).mean().reindex(range(units))
    converted = (nrr * (1 / nrr.shape[1])).sum(axis=1) * 25
    rounded = pd.Series(pe.schema.round_half_up(converted.to_numpy(), DIGITS), index=nrr.index)
    mutu = pd.cut(rounded, bins=BINS, labels=LABELS, right=False)
    return Result(
        nrr.to_numpy(), converted.to_numpy(), rounded.to_numpy(), mutu.astype(str).to_numpy()
    )


def run_floor(data: Data) -> list[np.ndarray]:
    units = len(data.ids)
    sums = [
        np.bincount(data.codes, weights=data.answers[:, j], minlength=units)
        for j in range(data.answers.shape[1])
    ]
    return [*sums, np.bincount(data.codes, minlength=units)]


def median_ms(function: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any]:
    """Median wall time (ms) of `repeats` calls after one warm-up, all times, last result."""
    result = function()
    times = []
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), times, result


def step_ms(data: Data, repeats: int) -> tuple[float, float]:
    """Median ms of the library's two steps: Responses.from_arrays and compute."""
    build, compute = [], []
    for i in range(repeats + 1):
        gc.collect()
        start = time.perf_counter()
        responses = ikm.Responses.from_arrays(
            data.rubric, answers=data.answers, unit=data.codes, unit_ids=data.ids
        )
        middle = time.perf_counter()
        ikm.compute(data.rubric, responses, weights="exact")
        end = time.perf_counter()
        if i:  # the first run is the warm-up
            build.append((middle - start) * 1e3)
            compute.append((end - middle) * 1e3)
    return statistics.median(build), statistics.median(compute)


def profile_lines(function: Callable[[], Any], top: int = 10) -> list[str]:
    """Own time (ms) of the functions that take the most of one call."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    function()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    lines = []
    for (path, line, name), (_, calls, own, cumulative, _) in rows:
        where = f"{os.path.basename(path)}:{line}({name})" if line else name
        lines.append(f"  {own * 1e3:>9.1f} {cumulative * 1e3:>9.1f} {calls:>6}  {where}")
    return lines


def check_same(name: str, reference: Result, other: Result) -> list[str]:
    problems = []
    if reference.nrr.shape != other.nrr.shape:
        return [f"{name}: NRR shapes differ {reference.nrr.shape} vs {other.nrr.shape}"]
    if not np.allclose(reference.nrr, other.nrr, rtol=0, atol=NRR_ATOL):
        worst = float(np.nanmax(np.abs(reference.nrr - other.nrr)))
        problems.append(f"{name}: NRR differ (max |diff| {worst:.3g})")
    if not np.allclose(reference.reported, other.reported, rtol=0, atol=NRR_ATOL):
        worst = float(np.nanmax(np.abs(reference.reported - other.reported)))
        problems.append(f"{name}: IKM (25-100) before rounding differs (max |diff| {worst:.3g})")
    if not np.array_equal(reference.rounded, other.rounded):
        where = np.flatnonzero(reference.rounded != other.rounded)
        problems.append(f"{name}: rounded IKM differs at {len(where)} units, e.g. {where[:5]}")
    if not np.array_equal(reference.grades, other.grades):
        problems.append(f"{name}: mutu differs at {np.sum(reference.grades != other.grades)} units")
    return problems


def openblas_core() -> str:
    """The OpenBLAS kernel numpy picked at run time, if it can be asked."""
    folder = os.path.dirname(np.__file__)
    for path in glob.glob(os.path.join(folder + ".libs", "libscipy_openblas*.so*")):
        try:
            library = ctypes.CDLL(path)
            for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename"):
                if hasattr(library, symbol):
                    function = getattr(library, symbol)
                    function.restype = ctypes.c_char_p
                    return str(function().decode())
        except OSError:
            continue
    return "unknown"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, where the system tells them."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def verdict(passed: bool, text: str) -> str:
    return f"  {'PASS' if passed else 'MISS'}  {text}"


def time_three(
    data: Data, repeats: int
) -> tuple[dict[str, float], dict[str, list[float]], dict[str, Any], int]:
    """Median ms, every time and the result of library, pandas and floor; pandas' peak.

    The pandas frame is built here, untimed, and freed on return.
    """
    frame = pandas_frame(data)
    frame_bytes = int(frame.memory_usage(index=False).sum())
    print(
        f"pandas frame (float64, NaN = no answer, built untimed): {frame_bytes / 1e6:.1f} MB "
        f"= {frame_bytes / data.answers.nbytes:.1f}x the uint8 answers"
    )
    units = len(data.ids)
    start = time.perf_counter()
    run_library(data)
    print(
        f"library kernel: {kernel_in_use(data)}; first call in this process "
        f"{(time.perf_counter() - start) * 1e3:.0f} ms (imports numba and compiles the kernel, "
        "or loads it from numba's disk cache)"
    )
    runs: dict[str, Callable[[], Any]] = {
        LIBRARY: lambda: run_library(data),
        LIBRARY_NUMPY: lambda: run_library_numpy(data),
        PANDAS: lambda: run_pandas(frame, data.codes, units),
        FLOOR: lambda: run_floor(data),
    }
    samples, results = time_rounds(runs, repeats)
    timings = {label: statistics.median(times) for label, times in samples.items()}
    pandas_peak = peak_bytes(runs[PANDAS])
    return timings, samples, results, pandas_peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 respondents, 1,000 units")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument(
        "--string-repeats", type=int, default=3, help="timed runs of the string-id path"
    )
    parser.add_argument("--seed", type=int, default=20170614)
    args = parser.parse_args()
    respondents, units = QUICK if args.quick else FULL

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"pelayanan_eval {pe.__version__}; {platform.machine()}, {os.cpu_count()} CPUs"
    )
    blas = ", ".join(f"{name}={os.environ.get(name, '(unset)')}" for name in BLAS_VARIABLES)
    print(f"{blas}; OpenBLAS core in use: {openblas_core()}")
    print(f"load average at start: {load_average()}")

    began = time.perf_counter()
    rubric = load_rubric()
    start = time.perf_counter()
    data = make_data(rubric, respondents, units, args.seed)
    answers_bytes = data.answers.nbytes
    zeros = float(np.mean(data.answers == 0))
    print(
        f"\n== {respondents:,} respondents x {data.answers.shape[1]} unsur, {units:,} units, "
        f"rubric {RUBRIC_ID}, seed {args.seed} (generated in {time.perf_counter() - start:.1f} s)"
    )
    print(
        f"answers uint8 {answers_bytes / 1e6:.1f} MB ({zeros:.2%} zeros), "
        f"codes {data.codes.dtype} {data.codes.nbytes / 1e6:.1f} MB, rows in random unit order"
    )

    timings, samples, results, pandas_peak = time_three(data, args.repeats)
    library_ms = timings[LIBRARY]
    pandas_ms = timings[PANDAS]
    floor_ms = timings[FLOOR]
    library = results[LIBRARY]
    reference = as_result(library)
    problems = check_same("pandas vs library", reference, results[PANDAS])
    problems += check_same("numpy kernel vs library", reference, as_result(results[LIBRARY_NUMPY]))
    floor_sums = np.stack(results[FLOOR][:-1], axis=1)
    if not np.array_equal(floor_sums, library.sums):
        problems.append("floor vs library: the sums of the answers differ")
    del results
    gc.collect()

    build_ms, compute_ms = step_ms(data, args.repeats)
    library_peak = peak_bytes(lambda: run_library(data))
    profile = profile_lines(lambda: run_library(data))

    strings = data.ids[data.codes]  # "unit-000123" per respondent, same random order
    string_ms, string_samples, string_result = median_ms(
        lambda: run_library_strings(data, strings), args.string_repeats
    )
    if not np.array_equal(string_result.unit_ids, data.ids):
        problems.append("string ids vs int codes: the units differ")
    else:
        problems += check_same("string ids vs int codes", reference, as_result(string_result))
    del string_result
    string_peak = peak_bytes(lambda: run_library_strings(data, strings))
    string_profile = profile_lines(lambda: run_library_strings(data, strings), top=6)

    print(
        f"\nmedian of {args.repeats} interleaved rounds after a warm-up (ms; each run in brackets):"
    )
    for label, ms in timings.items():
        shown = ", ".join(f"{t:.0f}" for t in samples[label])
        spread = (max(samples[label]) - min(samples[label])) / ms
        print(f"  {label:<34}{ms:>9.1f}   [{shown}] spread {spread:.0%}")
    print(f"    of which Responses.from_arrays  {build_ms:>9.1f}   (separate runs)")
    print(f"    of which compute                {compute_ms:>9.1f}")
    shown = ", ".join(f"{t:.0f}" for t in string_samples)
    label = f"library (string ids, {args.string_repeats} runs)"
    print(f"  {label:<34}{string_ms:>9.1f}   [{shown}]")
    extra = string_ms - library_ms
    print(
        f"  string ids cost {extra:+.0f} ms over integer codes "
        f"({string_ms / library_ms:.1f}x the integer path; "
        f"string array {strings.nbytes / 1e6:.0f} MB, {strings.dtype})"
    )

    vs_pandas, vs_floor = pandas_ms / library_ms, library_ms / floor_ms
    print("ratios:")
    print(f"  pandas / library                  {vs_pandas:>8.2f}x")
    print(f"  library / floor                   {vs_floor:>8.2f}x")
    print(f"  pandas / floor                    {pandas_ms / floor_ms:>8.2f}x")
    numpy_ms = timings[LIBRARY_NUMPY]
    print(f"  pandas / library, numpy kernel    {pandas_ms / numpy_ms:>8.2f}x")
    print(f"  library, numpy kernel / floor     {numpy_ms / floor_ms:>8.2f}x")

    budget = TARGET_MEMORY * answers_bytes + UNIT_ALLOWANCE * units
    print("peak traced memory (tracemalloc), x answers.nbytes and MB:")
    for label, peak in (
        ("library, int codes", library_peak),
        ("library, string ids", string_peak),
        ("pandas (frame itself not counted)", pandas_peak),
    ):
        print(f"  {label:<34}{peak / answers_bytes:>8.2f}x {peak / 1e6:>9.1f} MB")
    print(f"  budget: {TARGET_MEMORY:g}x answers + {UNIT_ALLOWANCE} B/unit = {budget / 1e6:.1f} MB")

    print("cProfile of one library run, int codes (ms: own, cumulative, calls):")
    print("\n".join(profile))
    print("cProfile of one library run, string ids (ms: own, cumulative, calls):")
    print("\n".join(string_profile))

    bands = dict(zip(*np.unique(reference.grades, return_counts=True), strict=True))
    print("mutu per unit: " + ", ".join(f"{k} {int(v):,}" for k, v in sorted(bands.items())))
    print(
        "agreement: "
        + (
            "; ".join(problems)
            if problems
            else "library == pandas (NRR and IKM within "
            f"{NRR_ATOL:g}, rounded IKM and mutu identical); string ids == int codes; "
            "floor sums == library sums"
        )
    )

    scale = respondents / FULL[0]
    target_ms = TARGET_SECONDS * 1e3 * scale
    print(
        "targets"
        + (
            " (quick run: the time target is scaled by respondents; targets are for full size)"
            if args.quick
            else ""
        )
        + ":"
    )
    print(
        verdict(
            library_ms <= target_ms,
            f"library end to end about {TARGET_SECONDS * scale:g} s: "
            f"<= {target_ms:.0f} ms ({library_ms:.0f} ms)",
        )
    )
    print(
        verdict(
            vs_pandas >= TARGET_VS_PANDAS,
            f">= {TARGET_VS_PANDAS:g}x faster than pandas ({vs_pandas:.2f}x)",
        )
    )
    print(
        verdict(
            vs_floor <= TARGET_VS_FLOOR,
            f"within {TARGET_VS_FLOOR:g}x of the bincount floor ({vs_floor:.2f}x)",
        )
    )
    print(
        verdict(
            library_peak <= budget,
            f"peak memory <= {TARGET_MEMORY:g}x the uint8 matrix + O(units) "
            f"({library_peak / answers_bytes:.2f}x, {library_peak / 1e6:.1f} MB "
            f"of {budget / 1e6:.1f} MB)",
        )
    )
    print(
        f"(whole script: {time.perf_counter() - began:.0f} s; load average at the end: "
        f"{load_average()}; on 2 cores another busy process skews every timing)"
    )
    if problems:
        print("FAILED: the implementations disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
