"""Ranking with explicit tie methods, within groups, on plain arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import check_option
from pelayanan_eval.exceptions import ScoreError
from pelayanan_eval.typing import TieMethod, choices

TIE_METHODS = choices(TieMethod)
COUNT_BLOCK = 1 << 15  # scores per block when ranking by counting (256 KiB of float64)


def _as_numbers(values: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ScoreError(f"rank: {name} must be numbers") from None
    if array.ndim != 1:
        raise ScoreError(f"rank: {name} must be one-dimensional, got shape {array.shape}")
    return array


def _sort_key(
    values: npt.ArrayLike, descending: bool, n: int, name: str
) -> npt.NDArray[np.float64]:
    array = np.asarray(values)
    if array.shape != (n,):
        raise ScoreError(f"rank: {name} has shape {array.shape}, expected ({n},)")
    if array.dtype.kind in "biuf":
        numbers = array.astype(np.float64)
        return -numbers if descending else numbers
    return factorize(array.astype(np.str_, copy=False))[1].astype(np.float64)


def _group_codes(groups: npt.ArrayLike, n: int) -> npt.NDArray[np.intp]:
    array = np.asarray(groups)
    if array.shape != (n,):
        raise ScoreError(f"rank: groups has shape {array.shape}, expected ({n},)")
    if array.dtype.kind in "iu" and n and int(array.min()) >= 0 and int(array.max()) <= 2 * n:
        # codes already (as a units table keeps them): ranking needs no dense renumbering
        codes: npt.NDArray[np.intp] = array.astype(np.intp, copy=False)
        return codes
    return factorize(array if array.dtype.kind in "biufUS" else array.astype(np.str_))[1]


def rank(
    scores: npt.ArrayLike,
    groups: npt.ArrayLike | None = None,
    *,
    ties: TieMethod = "min",
    descending: bool = True,
    tiebreak: Sequence[npt.ArrayLike] = (),
) -> npt.NDArray[np.float64]:
    """Rank scores, best first, within each group.

    Parameters
    ----------
    scores
        One score per item; NaN items are not ranked (their rank is NaN).
    groups
        Group label per item (e.g. the unit category); ranks restart at 1
        in each group. ``None``: one group.
    ties
        ``"min"`` (competition ranking 1-2-2-4, default), ``"dense"``
        (1-2-2-3), ``"average"`` (1-2.5-2.5-4) or ``"ordinal"`` (1-2-3-4,
        remaining ties in input order).
    descending
        Higher scores rank first (default).
    tiebreak
        Arrays consulted in order when scores are equal, before `ties`
        applies: numbers rank the same way as the scores (higher first when
        `descending`); text sorts alphabetically (e.g. unit ids).

    Returns
    -------
    numpy.ndarray
        float64 ranks aligned with `scores` (NaN for NaN scores).

    Raises
    ------
    ScoreError
        Scores that are not numbers, or arrays of mismatched shapes.
    OptionError
        An unknown tie method.

    Notes
    -----
    One ``lexsort`` over (group, NaN flag, score, tie-breakers), then ranks
    from the positions of tie blocks; no loop over items. Agrees with
    ``scipy.stats.rankdata(-scores, method=...)`` per group.

    Examples
    --------
    >>> rank([4.1, 3.9, 3.9, 3.5]).tolist()
    [1.0, 2.0, 2.0, 4.0]
    >>> rank([4.1, 3.9, 3.9, 3.5], ties="dense").tolist()
    [1.0, 2.0, 2.0, 3.0]
    >>> rank([4.1, 3.9, 3.9, 3.5], tiebreak=[[0, 4.0, 4.2, 0]]).tolist()
    [1.0, 3.0, 2.0, 4.0]
    >>> rank([3.0, 4.0, 2.0, 5.0], groups=["kel", "kel", "pkm", "pkm"]).tolist()
    [2.0, 1.0, 2.0, 1.0]
    """
    check_option("tie method", ties, TIE_METHODS)
    values = _as_numbers(scores, "scores")
    n = len(values)
    if n == 0:
        empty: npt.NDArray[np.float64] = values.copy()
        return empty
    group_codes = np.zeros(n, dtype=np.intp) if groups is None else _group_codes(groups, n)
    missing = np.isnan(values)
    if not tiebreak and ties != "ordinal":
        counted = _counted(values, missing, group_codes, ties, descending)
        if counted is not None:
            return counted
    primary = -values if descending else values  # sorts put NaN last, after any infinity
    breakers = [_sort_key(t, descending, n, f"tiebreak[{i}]") for i, t in enumerate(tiebreak)]
    if breakers or ties == "ordinal":
        order = np.lexsort((*reversed(breakers), primary, group_codes))  # stable: input order last
    else:
        # the order within a block of equal scores does not change min, dense or average
        # ranks: an unstable sort of the scores, then a stable (radix) sort of the groups
        order = np.argsort(primary)
        if groups is not None:
            small = group_codes.astype(np.uint16 if group_codes.max() < 1 << 16 else np.intp)
            order = order[np.argsort(small[order], kind="stable")]
    # blocks of equal keys (NaN scores: one block each) within groups, in sorted order
    new_block = np.zeros(n, dtype=bool)
    new_block[0] = True
    for key in (primary, *breakers):
        ordered = key[order]
        new_block[1:] |= ordered[1:] != ordered[:-1]
    group_start: npt.NDArray[np.intp] | int = 0
    if groups is not None:
        sorted_groups = group_codes[order]
        new_block[1:] |= sorted_groups[1:] != sorted_groups[:-1]
        counts = np.bincount(group_codes)
        group_start = (np.cumsum(counts) - counts)[sorted_groups]  # groups sort by code
    position = np.arange(n)
    if ties == "ordinal":
        ranked = (position - group_start + 1).astype(np.float64)
    elif ties == "dense":
        blocks = np.cumsum(new_block)
        ranked = (blocks - blocks[group_start] + 1).astype(np.float64)
    else:
        block_start = np.maximum.accumulate(np.where(new_block, position, 0))
        ranked = (block_start - group_start + 1).astype(np.float64)
        if ties == "average":
            block_id = np.cumsum(new_block) - 1
            size = np.bincount(block_id)[block_id]
            ranked = ranked + (size - 1) / 2
    result = np.empty(n)
    result[order] = ranked
    result[missing] = np.nan
    return result


def _counted(
    values: npt.NDArray[np.float64],
    missing: npt.NDArray[np.bool_],
    group_codes: npt.NDArray[np.intp],
    ties: str,
    descending: bool,
) -> npt.NDArray[np.float64] | None:
    """Ranks of whole-number scores in a small span by counting, without sorting; else None.

    Published indices are whole numbers of hundredths, so ranking them is a
    count per (group, score) cell: a unit's "min" rank is one more than the
    units of its group in better cells, its "dense" rank one more than the
    better cells that hold a unit. Each cell's rank is worked out once and
    looked up per unit. The same ranks as the sorting path.
    """
    blanks = bool(missing.any())
    scored = values[~missing] if blanks else values
    if len(scored) == 0:
        return None
    low, high = float(scored.min()), float(scored.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    groups = int(group_codes.max()) + 1
    span = high - low + 1
    if groups * span > 4 * len(values) + 4096:
        return None
    span = int(span)
    best, toward = (high, -1.0) if descending else (low, 1.0)  # distance 0: the best score
    cell = np.empty(len(values), dtype=np.intp)  # group x span + distance from the best score
    work = np.empty(min(len(values), COUNT_BLOCK))
    for start in range(0, len(values), COUNT_BLOCK):  # blocks that stay in cache
        stop = min(start + COUNT_BLOCK, len(values))
        known = values[start:stop]
        if blanks:
            known = np.where(missing[start:stop], best, known)
        here, scratch = cell[start:stop], work[: stop - start]
        np.subtract(known, best, out=scratch)
        np.abs(scratch, out=scratch)
        np.copyto(here, scratch, casting="unsafe")  # whole numbers 0 .. span - 1 (checked next)
        np.multiply(here, toward, out=scratch)
        scratch += best
        if not bool(np.equal(scratch, known).all()):  # a fraction, however small: not whole
            return None
        if groups > 1:
            here += group_codes[start:stop] * span
    counts = np.bincount(cell[~missing] if blanks else cell, minlength=groups * span)
    if ties == "dense":
        held = (counts > 0).astype(np.int64)
        ahead: npt.NDArray[np.int64] = np.cumsum(held) - held  # cells holding a unit, before
    else:
        ahead = np.cumsum(counts) - counts  # units in better cells
    first = np.repeat(ahead[::span], span)  # the count before each cell's group's best cell
    rank_of_cell = (ahead - first + 1).astype(np.float64)
    if ties == "average":
        rank_of_cell += (counts - 1) / 2
    ranked: npt.NDArray[np.float64] = rank_of_cell[cell]
    if blanks:
        ranked[missing] = np.nan
    return ranked
