"""Timing and memory helpers shared by the benchmark scripts."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def time_rounds(
    runs: dict[str, Callable[[], Any]], repeats: int
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Wall times in ms of each run over `repeats` rounds after a warm-up, and its result.

    The runs take turns within each round, so a slow spell of the machine
    (another process, a CPU frequency change) hits all of them alike.
    """
    results = {label: function() for label, function in runs.items()}
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeats):
        for label, function in runs.items():
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
