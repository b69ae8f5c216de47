"""An optional compiled kernel for survey tallies (numba, the ``fast`` extra).

:func:`tally_rows` is plain Python, so it runs (slowly) and is tested
without numba; :func:`compiled_tally` compiles that same function with
numba when it is installed. The numpy path in ``ikm._tally`` gives the
same integers; this one reads the answers once instead of once per unsur.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

SHIFT = 21  # a packed cell: sum of answers in the low 21 bits, count of answers above
LOW = (1 << SHIFT) - 1
FLUSH_ROWS = 1023  # rows of one group held in its int32 cells before they go to int64

PART_MIN_ROWS = 1 << 20  # rows per thread at least; a smaller part costs more than it saves

TallyKernel = Callable[..., int]
Tallies = tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]
]


def tally_rows(
    codes: npt.NDArray[np.integer[Any]],
    answers: npt.NDArray[np.uint8],
    groups: int,
    tally: npt.NDArray[np.int32],
    totals: npt.NDArray[np.int64],
) -> int:
    """Add each row's answers to its group's cells; return -1, or the first row with a bad code.

    Parameters
    ----------
    codes
        Group of each row.
    answers
        ``uint8[rows, width]``, 0 = no answer.
    groups
        Number of groups; a code outside ``0..groups-1`` stops the tally.
    tally
        ``int32[groups, width + 1]``, zeros: the packed cells being filled.
    totals
        ``int64[2, groups, width + 1]``: where full cells are emptied; plane
        0 gets the low halves, plane 1 the high halves.

    Notes
    -----
    Cell ``j < width`` of a group holds ``sum_j + (count_j << 21)``; cell
    ``width`` holds ``rows + (blank_rows << 21)``. A group's cells are
    emptied into `totals` every 1,023 rows, so a half never exceeds
    ``255 * 1023 < 2**21`` (no carry into the other half) and a cell stays
    below ``2**31`` (no sign overflow), for any number of rows and any uint8
    answer. A group's cells are 4 bytes per unsur: 20,000 units of 9 unsur
    fit in 0.8 MB, in cache; the caller empties what is left at the end.
    """
    n, width = answers.shape
    one = np.int32(1)
    for i in range(n):
        group = codes[i]
        if group < 0 or group >= groups:
            return i
        some = np.int32(0)
        for j in range(width):
            answer = np.int32(answers[i, j])
            some |= answer
            tally[group, j] += answer + (min(answer, one) << SHIFT)
        rows = tally[group, width] + 1 + ((one - min(some, one)) << SHIFT)
        tally[group, width] = rows
        if (rows & LOW) == FLUSH_ROWS:
            for j in range(width + 1):
                cell = np.int64(tally[group, j])
                totals[0, group, j] += cell & LOW
                totals[1, group, j] += cell >> SHIFT
                tally[group, j] = 0
    return -1


@functools.cache
def compiled_tally() -> TallyKernel | None:
    """Return :func:`tally_rows` compiled by numba, or None when numba is not installed.

    Compiled once per process and cached on disk by numba (the first use on
    a machine takes a few seconds; later processes load it in about half a second).
    """
    try:
        import numba
    except ImportError:
        return None
    if getattr(numba.config, "DISABLE_JIT", False):  # njit would return the Python loop itself
        return None
    try:
        kernel: TallyKernel = numba.njit(cache=True, nogil=True)(tally_rows)
    except RuntimeError:  # no writable cache directory: compile in memory in each process
        kernel = numba.njit(nogil=True)(tally_rows)
    return kernel


def count_compiled(
    kernel: TallyKernel,
    codes: npt.NDArray[np.integer[Any]],
    answers: npt.NDArray[np.uint8],
    groups: int,
    threads: int | None = None,
) -> Tallies:
    """Return sums, counts, blank rows and rows per group, tallied by `kernel` (:func:`tally_rows`).

    Large inputs are cut into contiguous parts of at least a million rows,
    one per available CPU; the compiled kernel releases the GIL, so the
    parts run in parallel threads, each with its own cells, and add up
    exactly. No numba threading layer is involved, so calls from several
    threads of the caller are safe.
    """
    n, width = answers.shape
    if threads is None:
        threads = min(_cpus(), max(1, n // PART_MIN_ROWS))
    bounds = [n * part // threads for part in range(threads + 1)]

    def tally(start: int, stop: int) -> npt.NDArray[np.int64]:
        cells = np.zeros((groups, width + 1), dtype=np.int32)
        totals = np.zeros((2, groups, width + 1), dtype=np.int64)
        bad = kernel(codes[start:stop], answers[start:stop], groups, cells, totals)
        if bad >= 0:  # callers pass checked codes: a bad one is a bug, not an input error
            row = start + bad
            raise ValueError(f"count_answers: row {row} has group {codes[row]}, not in "
                             f"0..{groups - 1}")  # fmt: skip
        totals[0] += cells & LOW
        totals[1] += cells >> SHIFT
        return totals

    if threads == 1:
        totals = tally(0, n)
    else:
        from concurrent.futures import ThreadPoolExecutor  # only with several threads

        with ThreadPoolExecutor(threads) as pool:
            parts = list(pool.map(tally, bounds[:-1], bounds[1:]))
        totals = np.sum(parts, axis=0)
    sums, counts = totals[:, :, :width]
    return sums.copy(), counts.copy(), totals[1, :, width].copy(), totals[0, :, width].copy()


def _cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
