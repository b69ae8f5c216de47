"""Survey tallies over the partitions of a Dask DataFrame (the optional ``dask`` extra)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from pelayanan_eval._common.messages import suggest
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.ikm._partial import Tally, tally
from pelayanan_eval.ikm._responses import Responses


def from_dask(
    rubric: Rubric,
    frame: Any,
    *,
    unit_column: str = "unit",
    weight_column: str | None = None,
    by: str | None = None,
    moments: bool = True,
    scheduler: str | None = None,
) -> Tally:
    """Tally a Dask DataFrame of answers partition by partition and merge the tallies exactly.

    Parameters
    ----------
    rubric
        The survey rubric; the frame has one column per item id.
    frame
        A ``dask.dataframe.DataFrame`` (one row per respondent; empty cells
        NaN, or 0 on an item whose scale has no 0).
    unit_column, weight_column, by
        The unit, design-weight and breakdown columns (see :func:`read_csv`).
    moments
        Also tally what the intervals need.
    scheduler
        Passed to ``dask.compute`` (None: Dask's default; ``"threads"``,
        ``"processes"``, ``"synchronous"`` or a distributed client's).

    Returns
    -------
    Tally
        Equal to the tally of all the rows at once: each partition is
        tallied where it lives, and the tallies are summed in a tree.

    Raises
    ------
    ObservationError
        Missing columns (before anything is computed), or the problems of
        a partition, named with the partition.
    OptionError
        Without dask installed (``pip install 'pelayanan-eval[dask]'``).
    """
    try:
        import dask as dask_module
    except ImportError:
        raise OptionError("from_dask needs dask: pip install 'pelayanan-eval[dask]'") from None
    dask: Any = dask_module  # dask's top-level names are not typed
    if not hasattr(frame, "to_delayed") or not hasattr(frame, "columns"):
        raise ObservationError(f"from_dask: expected a dask DataFrame, got {type(frame).__name__}")
    present = [str(c) for c in frame.columns]
    wanted = [unit_column, *rubric.leaf_ids, *(c for c in (weight_column, by) if c is not None)]
    absent = [name for name in wanted if name not in present]
    if absent:
        raise ObservationError("from_dask: the frame has no column(s) " + ", ".join(
            f"{name!r}{suggest(name, present)}" for name in absent))  # fmt: skip
    parts = [
        dask.delayed(_partition)(part, number, rubric, unit_column, weight_column, by, moments)
        for number, part in enumerate(frame.to_delayed())
    ]
    while len(parts) > 1:  # a balanced tree of sums
        pairs = [dask.delayed(_add)(a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)]
        parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
    (total,) = dask.compute(parts[0], scheduler=scheduler)
    if total is None:
        raise ObservationError("from_dask: the frame has no rows")
    found: Tally = total
    return found


def _add(a: Tally | None, b: Tally | None) -> Tally | None:
    return b if a is None else a if b is None else operator.add(a, b)


def _partition(
    part: Any,
    number: int,
    rubric: Rubric,
    unit_column: str,
    weight_column: str | None,
    by: str | None,
    moments: bool,
) -> Tally | None:
    """Tally one pandas partition; its problems are named with the partition."""
    if len(part) == 0:
        return None
    try:
        answers = part[list(rubric.leaf_ids)].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        answers = part[list(rubric.leaf_ids)].to_numpy(dtype=object)
    weights = None if weight_column is None else part[weight_column].to_numpy()
    attributes = None if by is None else {by: part[by].astype(str).to_numpy()}
    try:
        responses = Responses.from_arrays(
            rubric, answers=answers, unit=part[unit_column].astype(str).to_numpy(),
            weights=weights, attributes=attributes,
        )  # fmt: skip
    except ObservationError as error:
        raise ObservationError(f"dask partition {number}: {error}") from None
    return tally(responses, by=by, moments=moments)
