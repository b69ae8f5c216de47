"""Tallies of compact survey answers: exact integer sums and counts per unit and unsur."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._compiled import Tallies, compiled_tally, count_compiled

CHUNK_ROWS = 1 << 18
COMPILED_MIN_CELLS = 1 << 20  # below a million answers the numpy path takes milliseconds


def count_answers(
    codes: npt.NDArray[np.integer[Any]],
    answers: npt.NDArray[np.uint8],
    groups: int,
    top: int,
    *,
    compiled: bool | None = None,
) -> Tallies:
    """Sum and count of small-integer answers per group and column; 0 means "no answer".

    The mean aggregation for compact survey data (answers 1..`top` stored as
    uint8), in exact integer arithmetic. With numba installed (the ``fast``
    extra) and at least :data:`COMPILED_MIN_CELLS` answers, one compiled pass
    over the rows (:mod:`pelayanan_eval.ikm._compiled`); otherwise one
    ``bincount`` per chunk of rows over (group, column, answer). Chunks bound
    the temporary memory, and their partial tallies add up exactly, as they
    would across partitions. Both give the same integers.

    Parameters
    ----------
    compiled
        None: the compiled kernel when available and the input is large;
        True / False: force it (True raises OptionError without numba).

    Returns
    -------
    sums, counts
        ``int64[groups, columns]``: the sum of the answers given, and how many.
    blank, rows
        ``int64[groups]``: rows with no answer at all, and all rows.
    """
    wanted = compiled if compiled is not None else answers.size >= COMPILED_MIN_CELLS
    kernel = compiled_tally() if wanted else None
    if compiled and kernel is None:
        raise OptionError("the compiled kernel needs numba: pip install 'pelayanan-eval[fast]'")
    if kernel is not None:
        return count_compiled(kernel, codes, answers, groups)
    n, width = answers.shape
    levels = top + 1
    tally = np.zeros((width, groups * levels), dtype=np.int64)
    blank = np.zeros(groups, dtype=np.int64)
    key = np.empty(min(n, CHUNK_ROWS), dtype=np.intp)
    for start in range(0, n, CHUNK_ROWS):
        group = codes[start : start + CHUNK_ROWS]
        base = group.astype(np.intp) * levels
        columns = np.ascontiguousarray(answers[start : start + CHUNK_ROWS].T)
        some = np.bitwise_or.reduce(columns, axis=0)  # 0 only for a blank questionnaire
        keys = key[: len(group)]
        # one bincount of (group, answer) per column, as the floor does per unsur
        for column in range(width):
            np.add(base, columns[column], out=keys)
            tally[column] += np.bincount(keys, minlength=groups * levels)
        blank += np.bincount(group[some == 0], minlength=groups)
    per = tally.reshape(width, groups, levels).transpose(1, 0, 2)
    counts: npt.NDArray[np.int64] = per[:, :, 1:].sum(axis=2)
    sums: npt.NDArray[np.int64] = per @ np.arange(levels, dtype=np.int64)
    rows: npt.NDArray[np.int64] = per[:, 0, :].sum(axis=1)
    return sums, counts, blank, rows
