"""Scores against their scales: reading a cell, checking a matrix, naming every bad score."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError


def mapping_rows(
    records: Iterable[Mapping[str, Any]], source: str, first_row: int
) -> list[Mapping[str, Any]]:
    """Return the records as a list, refusing any row that is not a mapping."""
    if (
        records is None
        or isinstance(records, str | bytes | Mapping)
        or not isinstance(records, Iterable)
    ):
        raise ObservationError(f"{source}: expected rows (an iterable of mappings of column "
                               f"to value), got {type(records).__name__}")  # fmt: skip
    rows = list(records)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ObservationError(f"{source} row {first_row + i}: expected a mapping of "
                                   f"column to value, got {type(row).__name__}")  # fmt: skip
    return rows


def parse_score(raw: Any) -> float | str:
    """Read a cell as a float (NaN when empty or NaN), or say why it is not a number.

    Only an empty cell (``None``, ``""``, a float NaN) is "not scored": the
    text ``"nan"``, ``True``/``False`` and complex numbers are refused.
    """
    if raw is None:
        return float("nan")
    if isinstance(raw, bool | np.bool_):
        return f"must be a number, got {raw!r}"
    if isinstance(raw, int | float | np.integer | np.floating):
        try:
            return float(raw)
        except OverflowError:
            return f"must be a number a float can hold, got one of {len(str(abs(raw)))} digits"
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".")
        if text == "":
            return float("nan")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not math.isnan(value):
            return value
    shown = raw if not isinstance(raw, str) or len(raw) <= 40 else raw[:40] + "..."
    return f"must be a number, got {shown!r}"


def check_scores(
    rubric: Rubric,
    matrix: npt.NDArray[np.float64],
    where: Callable[[int], str],
    *,
    column_names: bool = False,
) -> None:
    """Raise ObservationError naming every score outside its leaf's scale (NaN is allowed)."""
    problems = score_problems(rubric, matrix, where, column_names=column_names)
    if problems:
        raise ObservationError(enumerate_limited(problems))


def score_problems(
    rubric: Rubric,
    matrix: npt.NDArray[np.float64],
    where: Callable[[int], str],
    *,
    column_names: bool = False,
) -> list[str]:
    """One message per score outside its leaf's scale."""
    low, high = rubric.leaf_scales
    if len(matrix) == 0:
        return []
    # minima and maxima first (one cheap pass each; over the whole matrix when every leaf
    # has the same scale); cells only when something is off
    axis = None if (low == low[0]).all() and (high == high[0]).all() else 0
    if bool(np.all(np.fmin.reduce(matrix, axis=axis) >= low)) and bool(
        np.all(np.fmax.reduce(matrix, axis=axis) <= high)
    ):
        return []
    with np.errstate(invalid="ignore"):
        bad = (matrix < low) | (matrix > high)
    rows, cols = np.nonzero(bad)
    problems = []
    for i, j in zip(rows[:50].tolist(), cols[:50].tolist(), strict=True):
        leaf = rubric.leaf_ids[j]
        label = (
            f"{where(i)}, column {leaf!r}" if column_names else f"{where(i)}, criterion {leaf!r}"
        )
        problems.append(
            f"{label}: score {float(matrix[i, j])!r} is outside the scale {low[j]:g}..{high[j]:g}"
        )
    if len(rows) > 50:
        problems.append(f"{len(rows) - 50} more scores outside their scale")
    return problems


def by_leaf(rubric: Rubric, table: Any, where: str) -> Any:
    """Return a data frame's columns in leaf order, matched by name; anything else as it is.

    A frame (anything with ``columns``) with any text column name must name
    every leaf and nothing else; its columns are then taken in
    ``rubric.leaf_ids`` order, so a frame in another column order is not
    read by position. Frames whose column labels are all numbers (0, 1,
    ...) and arrays are read by position.
    """
    columns = getattr(table, "columns", None)
    if columns is None:
        return table
    names = list(columns)
    if not any(isinstance(name, str) for name in names):
        return table
    missing = [leaf for leaf in rubric.leaf_ids if leaf not in names]
    unknown = [name for name in names if name not in rubric.leaf_ids]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("no column for " + ", ".join(repr(m) for m in missing))
        if unknown:
            listed = ", ".join(repr(u) for u in unknown)
            parts.append(f"column(s) that are not criteria of {rubric.id!r}: {listed}")
        raise ObservationError(f"{where}: " + "; ".join(parts))
    return table[list(rubric.leaf_ids)]
