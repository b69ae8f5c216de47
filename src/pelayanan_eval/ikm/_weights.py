"""Respondent design weights and attributes: checked once, all problems together."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._data.columns import label_problems, number_problems


def weight_problems(
    weights: Any,
    codes: npt.NDArray[np.intp] | None,
    unit_ids: npt.NDArray[np.str_] | None,
    n: int,
    row_name: Callable[[int], str],
) -> tuple[list[str], npt.NDArray[np.float64] | None]:
    """Check design weights: numbers, finite, >= 0, one per respondent, not all 0 in a unit."""
    if weights is None:
        return [], None
    problems = number_problems(weights, "weights")
    if problems:
        return problems, None
    values = np.asarray(weights, dtype=np.float64)
    if values.shape != (n,):
        return [f"weights have shape {values.shape}, expected ({n},): one per respondent"], None
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if len(bad):
        shown = [f"{row_name(i)}: {float(values[i])!r}" for i in bad[:20].tolist()]
        problems.append(f"{len(bad)} weight(s) negative, NaN or infinite (a design weight is a "
                        "finite number >= 0): " + enumerate_limited(shown, 20))  # fmt: skip
    elif codes is not None and unit_ids is not None and len(codes) == n:
        total = np.bincount(codes, weights=values, minlength=len(unit_ids))
        present = np.bincount(codes, minlength=len(unit_ids)) > 0
        zero = np.flatnonzero(present & (total == 0))
        if len(zero):
            problems.append("every respondent of unit(s) " + enumerate_limited(
                [repr(str(unit_ids[u])) for u in zero.tolist()]) + " has weight 0")  # fmt: skip
    return problems, values


def attribute_problems(
    attributes: Mapping[str, Any] | None, n: int
) -> tuple[list[str], dict[str, npt.NDArray[np.str_]]]:
    """Check respondent attributes: a mapping name -> one label per respondent (blank allowed)."""
    if attributes is None:
        return [], {}
    if not isinstance(attributes, Mapping):
        return [f"attributes must be a mapping name -> labels, got {type(attributes).__name__}"], {}
    problems: list[str] = []
    out: dict[str, npt.NDArray[np.str_]] = {}
    for name, raw in attributes.items():
        found = label_problems(raw, f"attribute {name!r}", n)
        if found:
            problems += found
            continue
        values = np.asarray(raw)
        if values.shape != (n,):
            problems.append(f"attribute {name!r} has shape {values.shape}, expected ({n},)")
            continue
        out[str(name)] = values if values.dtype.kind == "U" else values.astype(np.str_)
    return problems, out
