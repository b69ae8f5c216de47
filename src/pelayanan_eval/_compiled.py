"""An optional compiled kernel for survey tallies (numba, the ``fast`` extra).

:func:`tally_rows` is plain Python, so it runs (slowly) and is tested
without numba; :func:`compiled_tally` compiles that same function with
numba when it is installed. The numpy path in ``_aggregation`` gives the
same integers; this one reads the answers once instead of once per unsur.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

SHIFT = 21  # a packed cell: sum of answers in the low 21 bits, count of answers above
LOW = (1 << SHIFT) - 1
FLUSH_ROWS = 1023  # rows of one group held in its int32 cells before they go to int64

TallyKernel = Callable[..., int]


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
    a machine takes a few seconds; later processes load it in well under one).
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
