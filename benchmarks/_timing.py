"""Timing and memory helpers shared by the benchmark scripts."""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def time_rounds(
    runs: dict[str, Callable[[], Any]], repeats: int
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Wall times in ms of each run over `repeats` rounds after a warm-up, and its result.

    The runs take turns within each round, so a slow spell of the machine
    (another process, a CPU frequency change) hits all of them alike. Each
    round takes them in a new (seeded) random order, so no run always
    follows the same one: a run can leave work that the next one pays for
    (memory that polars' and duckdb's allocators free lazily is reclaimed
    during the next run's page faults, measured at up to 0.8 s of system
    time for 1 GB).
    """
    results = {label: function() for label, function in runs.items()}
    times: dict[str, list[float]] = {label: [] for label in runs}
    shuffler = random.Random(0)
    for _ in range(repeats):
        for label in shuffler.sample(list(runs), len(runs)):
            function = runs[label]
            gc.collect()
            start = time.perf_counter()
            function()
            times[label].append((time.perf_counter() - start) * 1e3)
    return times, results


def peak_bytes(function: Callable[[], Any]) -> int:
    """Peak traced allocation while `function` runs (numpy buffers are traced)."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def peak_rss_bytes(function: Callable[[], Any]) -> int | None:
    """Growth of the resident set's high-water mark while `function` runs (None: unknown).

    Sees memory that ``tracemalloc`` does not (polars' and duckdb's own
    allocators). Linux only: the mark is reset through ``/proc/self/clear_refs``.
    """
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        before = _status_kib("VmRSS")
        function()
        return (_status_kib("VmHWM") - before) * 1024
    except OSError:
        return None


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")
