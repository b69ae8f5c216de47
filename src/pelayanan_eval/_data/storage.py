"""Compact storage of checked observations: unit labels by code, whole-number scores as bytes.

Assessors score levels (0-5) and respondents answer on 1-4: whole numbers.
Stored as one byte each instead of an 8-byte float, a million units' visits
take an eighth of the memory, and every pass over them reads an eighth of
the bytes. Per-row unit ids are kept as codes into the distinct ids
(:class:`~pelayanan_eval._common.arrays.Labels`) and spelled out only when
asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import Labels, readonly
from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._data.scores import score_problems
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError

BLOCK_CELLS = 1 << 17  # 1 MiB of float64 per block: copied, then checked from cache
NOT_SCORED = 255  # the byte of a cell without a score; scored levels are 0..254


@attrs.frozen(eq=False)
class Levels:
    """Whole-number scores, one byte per cell: ``NOT_SCORED`` for a cell without a score."""

    codes: npt.NDArray[np.uint8]

    def as_floats(self) -> npt.NDArray[np.float64]:
        """Return the scores as floats, NaN where not scored (read-only)."""
        floats = self.codes.astype(np.float64)
        floats[self.codes == NOT_SCORED] = np.nan
        result: npt.NDArray[np.float64] = readonly(floats)
        return result


def compact_scales(rubric: Rubric) -> bool:
    """Tell whether every leaf's scale lies within the byte levels 0..254."""
    low, high = rubric.leaf_scales
    return bool(len(low)) and bool(np.all(low >= 0)) and bool(np.all(high < NOT_SCORED))


def store_checked(
    rubric: Rubric,
    matrix: npt.NDArray[np.float64],
    order: npt.NDArray[np.intp] | None,
    where: Callable[[int], str],
) -> tuple[npt.NDArray[np.float64] | Levels, bool]:
    """Copy the rows (in `order`) and check each block against the scales while it is in cache.

    Returns the stored scores and whether they are complete (no NaN): as
    :class:`Levels` when every score is a whole number within 0..254, else as
    a float copy. Raises ObservationError naming every score outside its
    scale (input row numbers).
    """
    low, high = rubric.leaf_scales
    n, width = matrix.shape
    same = bool((low == low[0]).all() and (high == high[0]).all()) if width else True
    axis = None if same else 0
    smallest = np.full(() if same else width, np.inf)
    largest = np.full(() if same else width, -np.inf)
    complete = True
    step = max(1, BLOCK_CELLS // max(width, 1))
    levels = np.empty((n, width), dtype=np.uint8) if compact_scales(rubric) else None
    floats: npt.NDArray[np.float64] | None = None if levels is not None else np.empty((n, width))
    buffer = np.empty((min(step, n), width))
    same_cells = np.empty((min(step, n), width), dtype=bool)
    for start in range(0, n, step):
        stop = min(start + step, n)
        if levels is not None:
            rows = matrix[start:stop] if order is None else buffer[: stop - start]
            if order is not None:
                np.take(matrix, order[start:stop], axis=0, out=rows)
            found = _as_bytes(rows, levels[start:stop], same_cells, axis)
            if found is not None:
                low_block, high_block, scored = found
                complete = complete and scored
                np.fmin(smallest, low_block, out=smallest)
                np.fmax(largest, high_block, out=largest)
                continue
            # a fraction (or a score off the scales, reported below): floats from here on
            floats = np.empty((n, width))
            floats[:start] = Levels(levels[:start]).as_floats()
            levels = None
        block = cast("npt.NDArray[np.float64]", floats)[start:stop]
        if order is None:
            block[...] = matrix[start:stop]
        else:
            np.take(matrix, order[start:stop], axis=0, out=block)
        # minimum and maximum propagate NaN, so they also tell whether a block has any
        low_block, high_block = np.minimum.reduce(block, axis), np.maximum.reduce(block, axis)
        if np.isnan(low_block).any():
            complete = False
            low_block, high_block = np.fmin.reduce(block, axis), np.fmax.reduce(block, axis)
        np.fmin(smallest, low_block, out=smallest)
        np.fmax(largest, high_block, out=largest)
    if not (bool(np.all(smallest >= low)) and bool(np.all(largest <= high))):
        raise ObservationError(enumerate_limited(score_problems(rubric, matrix, where)))
    if levels is not None:
        return Levels(readonly(levels)), complete
    return cast("npt.NDArray[np.float64]", floats), complete


def _as_bytes(
    rows: npt.NDArray[np.float64],
    out: npt.NDArray[np.uint8],
    same: npt.NDArray[np.bool_],
    axis: int | None,
) -> tuple[Any, Any, bool] | None:
    """Write a block's scores as bytes into `out` and return its least and largest score.

    The cast and one comparison tell at once whether every score is a whole
    level 0..254 (a fraction, a negative or a larger number does not
    survive the round trip); NaN becomes ``NOT_SCORED``. Returns
    ``(lowest, highest, all scored)``, or None when a score is not such a
    level. `same` is scratch space of at least the block's shape.
    """
    flags = same[: len(rows)]
    with np.errstate(invalid="ignore", over="ignore"):  # checked by the comparison below
        out[...] = rows
    np.equal(out, rows, out=flags)
    scored = bool(flags.all())
    if not scored:
        blank = np.isnan(rows)
        if not bool((flags | blank).all()):
            return None
        out[blank] = NOT_SCORED
        kept = np.where(blank, np.uint8(0), out)
        low = np.minimum.reduce(np.where(blank, np.uint8(NOT_SCORED), out), axis)
        high = np.maximum.reduce(kept, axis)
        return low.astype(np.float64), high.astype(np.float64), False
    # a 255 among the scores is off every byte scale (compact_scales): reported by the caller
    low, high = np.minimum.reduce(out, axis), np.maximum.reduce(out, axis)
    return low.astype(np.float64), high.astype(np.float64), True


def stored_floats(stored: npt.NDArray[Any] | Levels) -> npt.NDArray[np.float64]:
    """Return stored scores as floats (a view of a float copy; an array for levels)."""
    result: npt.NDArray[np.float64] = stored.as_floats() if isinstance(stored, Levels) else stored
    return result


def spelled(unit: npt.NDArray[Any] | Labels) -> npt.NDArray[Any]:
    """Return per-row labels spelled out."""
    return unit.spelled() if isinstance(unit, Labels) else unit


def coded(
    codes: npt.NDArray[Any], unit_ids: npt.ArrayLike
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """Return the ids in use, in `unit_ids` order, and each row's position among them.

    The codes and ids are checked (``observation_problems``) before. Both
    are copies: the caller's arrays stay as they were (and writable).
    """
    ids = np.array(unit_ids, dtype=np.str_)
    position = codes.astype(np.intp, copy=False)
    used = np.bincount(position, minlength=len(ids)) > 0
    if used.all():
        return ids, position.copy() if position is codes else position
    renumber = np.cumsum(used, dtype=np.intp) - 1
    return ids[used], renumber[position]


def visit_numbers(codes: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
    """Return 1, 2, ... within each run of equal codes (grouped codes: a visit number)."""
    change = np.empty(len(codes), dtype=bool)
    change[:1] = True
    np.not_equal(codes[1:], codes[:-1], out=change[1:])
    position = np.arange(len(codes), dtype=np.int64)
    starts = np.maximum.accumulate(np.where(change, position, 0))
    numbers: npt.NDArray[np.int64] = position - starts + 1
    return numbers
