"""Disagreement flags: the scores to re-check against their evidence first, and unstable units."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.records import html_records, to_pandas
from pelayanan_eval._data.design import checked
from pelayanan_eval._data.observations import Observations
from pelayanan_eval.agreement._raters import visit_scores
from pelayanan_eval.exceptions import OptionError

Array = npt.NDArray[np.float64]
PAIR_COLUMNS = ("unit", "criterion", "name", "low", "high", "difference", "stake", "scores")
UNIT_COLUMNS = ("unit", "low", "high", "difference", "visits")


@attrs.frozen(eq=False, repr=False)
class Disagreements:
    """Scores that differ between a unit's visits by at least a threshold.

    ``pairs`` lists each (unit, criterion) whose highest and lowest score
    differ by at least `threshold`, most index points at stake first;
    ``units`` lists each unit whose visits' indices differ by more than
    `index_threshold`, widest first. Both are lists of dicts (as
    ``to_records()`` gives them).
    """

    pairs: tuple[dict[str, Any], ...]
    units: tuple[dict[str, Any], ...]
    threshold: float
    index_threshold: float
    compared: int  # (unit, criterion) pairs with two scores or more

    def __repr__(self) -> str:
        return (
            f"<Disagreements: {len(self.pairs)} of {self.compared} (unit, criterion) pairs "
            f"differ by {self.threshold:g}+; {len(self.units)} units' indices differ by more "
            f"than {self.index_threshold:g}>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return the flagged (unit, criterion) pairs, most at stake first."""
        return [dict(p) for p in self.pairs]

    def to_pandas(self) -> Any:
        """Return the flagged pairs as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), PAIR_COLUMNS)

    def units_to_pandas(self) -> Any:
        """Return the units whose visit indices differ as a pandas DataFrame."""
        return to_pandas([dict(u) for u in self.units], UNIT_COLUMNS)

    def _repr_html_(self) -> str:
        caption = f"Scores differing by {self.threshold:g} or more (most at stake first)"
        return html_records(caption, self.to_records(), PAIR_COLUMNS)


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise OptionError(f"{name} must be a number > 0, got {value!r}")
    return float(value)


def disagreements(
    observations: Observations, *, threshold: float = 2.0, index_threshold: float = 0.5
) -> Disagreements:
    r"""Find the scores to re-verify first: large differences between a unit's visits.

    Parameters
    ----------
    observations
        The assessors' visits.
    threshold
        Least difference between the highest and the lowest score of a
        (unit, criterion) to flag it (default 2 levels).
    index_threshold
        A unit is listed when its visits' indices differ by more than this
        (default 0.5 on the index scale).

    Returns
    -------
    Disagreements
        Flagged pairs sorted by points at stake (then unit and criterion),
        and units with unstable indices.

    Raises
    ------
    OptionError
        A threshold that is not a positive number.

    Notes
    -----
    The points at stake of a flagged pair are :math:`w_j (x_{\max} -
    x_{\min}) \cdot f`, the criterion's effective weight in the index times
    the difference, times the rubric's conversion factor: how far the
    unit's reported index moves between trusting the highest and the
    lowest score, when one visit's score is used alone. Each visit's index
    is rolled up on its own, re-spreading unscored weight.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import agreement
    >>> found = agreement.disagreements(pe.demo_city().observations)
    >>> first = found.pairs[0]
    >>> first["difference"] >= 2, first["stake"] >= found.pairs[-1]["stake"]
    (True, True)
    """
    obs = checked(observations, "disagreements")
    threshold = _positive("threshold", threshold)
    index_threshold = _positive("index_threshold", index_threshold)
    change = np.r_[True, obs.unit_codes[1:] != obs.unit_codes[:-1]]
    starts = np.flatnonzero(change)  # rows are stored grouped by unit
    values = obs.values
    scored = ~np.isnan(values)
    count = np.add.reduceat(scored.astype(np.int64), starts, axis=0)
    with np.errstate(invalid="ignore"):
        high = np.fmax.reduceat(values, starts, axis=0)
        low = np.fmin.reduceat(values, starts, axis=0)
    difference = np.where(count >= 2, high - low, np.nan)
    rubric = obs.rubric
    stake = difference * rubric.leaf_weights * rubric.conversion.factor
    units, leaves = np.nonzero(difference >= threshold - 1e-12)
    order = np.lexsort((leaves, units, -stake[units, leaves]))
    units, leaves = units[order], leaves[order]
    names = [leaf.name for leaf in rubric.leaves]
    pairs = []
    for u, j in zip(units.tolist(), leaves.tolist(), strict=True):  # the flagged pairs only
        end = int(starts[u + 1]) if u + 1 < len(starts) else len(obs)
        text = ", ".join(f"{_label(obs, r)}: {values[r, j]:g}"
                         for r in range(int(starts[u]), end) if scored[r, j])  # fmt: skip
        pairs.append({
            "unit": str(obs.unit_ids[u]), "criterion": rubric.leaf_ids[j], "name": names[j],
            "low": float(low[u, j]), "high": float(high[u, j]),
            "difference": float(difference[u, j]), "stake": float(stake[u, j]), "scores": text,
        })  # fmt: skip
    index = visit_scores(obs)[:, -1]
    with np.errstate(invalid="ignore"):
        index_high = np.fmax.reduceat(index, starts)
        index_low = np.fmin.reduceat(index, starts)
    visits = np.add.reduceat((~np.isnan(index)).astype(np.int64), starts)
    spread = np.where(visits >= 2, index_high - index_low, np.nan)
    wide = np.flatnonzero(spread > index_threshold)
    wide = wide[np.lexsort((wide, -spread[wide]))]
    unit_rows = tuple(
        {"unit": str(obs.unit_ids[u]), "low": float(index_low[u]), "high": float(index_high[u]),
         "difference": float(spread[u]), "visits": int(visits[u])}
        for u in wide.tolist()
    )  # fmt: skip
    return Disagreements(tuple(pairs), unit_rows, threshold, index_threshold,
                         int(np.count_nonzero(count >= 2)))  # fmt: skip


def _label(obs: Observations, row: int) -> str:
    """Name a row as ``visit 1 (observer)``, or ``visit 1`` without an observer."""
    visit, observer = obs.visit[row].item(), str(obs.observer[row])
    return f"visit {visit} ({observer})" if observer else f"visit {visit}"
