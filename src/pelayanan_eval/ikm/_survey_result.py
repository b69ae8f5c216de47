"""The result of a survey rubric per unit: values, intervals, tables and priorities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.records import html_records, to_pandas
from pelayanan_eval.exceptions import UnknownCriterionError, UnknownUnitError

if TYPE_CHECKING:
    from pelayanan_eval._rubric.model import Rubric
    from pelayanan_eval.ikm._partial import Tally

Array = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]


@attrs.frozen(eq=False, repr=False, kw_only=True)
class SurveyResult:
    """A survey rubric's results per unit (or per unit and attribute value).

    Attributes
    ----------
    rubric, unit_ids, by
        The rubric; the units (``"unit | value"`` in a breakdown by the
        attribute `by`).
    respondents, weight, answered
        Respondents with an answer, the sum of their weights, answers per item.
    means, scores
        ``[units, items]``: (weighted) mean answer on each item's answer
        scale, and the item's score after its declared conversion.
    node_ids, node_scores, node_se
        Every criterion with sub-criteria (dimensions, subdimensions), then
        ``"index"``: their scores ``[units, len(node_ids)]`` and standard errors.
    coefficients
        ``[units, len(node_ids), items]``: each criterion's score as weights on the item scores.
    index, reported, rounded
        The index on the rubric's scale, times the conversion factor, and rounded as declared.
    se, lower, upper, level
        Linearised standard error and interval of `reported`, and the
        confidence level; NaN for a unit with a single respondent (no
        variance to estimate) and when the tally was made with ``moments=False``.
    grades, grade_labels
        Band per unit, or None when the rubric has no grades.
    missing, weighted
        The missing-data policy; whether design weights were used.
    tally
        The tally the result was computed from.
    profile
        The respondents' profile (see :func:`~pelayanan_eval.ikm.profile`), or
        None when computed from a tally.
    """

    rubric: Rubric
    unit_ids: npt.NDArray[np.str_]
    by: str | None
    respondents: Counts
    weight: Array
    answered: Counts
    means: Array
    scores: Array
    node_ids: tuple[str, ...]
    node_scores: Array
    node_se: Array
    coefficients: Array
    index: Array
    se: Array
    level: float
    lower: Array
    upper: Array
    reported: Array
    rounded: Array
    grades: npt.NDArray[np.str_] | None
    grade_labels: npt.NDArray[np.str_] | None
    missing: str
    weighted: bool
    tally: Tally
    profile: list[dict[str, Any]] | None

    def __len__(self) -> int:
        return len(self.unit_ids)

    def __repr__(self) -> str:
        kind = "weighted" if self.weighted else "unweighted"
        return (f"<SurveyResult of {self.rubric.id!r}: {len(self)} units, "
                f"{int(self.respondents.sum())} respondents, {kind}>")  # fmt: skip

    def node(self, criterion_id: str) -> Array:
        """Return the score of a criterion with sub-criteria (a dimension) for every unit."""
        if criterion_id not in self.node_ids:
            raise UnknownCriterionError(f"no criterion with sub-criteria {criterion_id!r}; the "
                                        f"result has {', '.join(self.node_ids)}")  # fmt: skip
        result: Array = self.node_scores[:, self.node_ids.index(criterion_id)]
        return result

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per unit: respondents, weights, each item and criterion, the index.

        Keys: ``unit`` (and the `by` attribute in a breakdown), ``respondents``,
        ``weight``, ``score_<item>`` per item, ``<criterion>`` and
        ``<criterion>_se`` per criterion with sub-criteria, ``index``,
        ``reported``, ``se``, ``lower``, ``upper``, ``rounded``, and ``grade`` /
        ``grade_label`` when the rubric has grades.
        """
        out = []
        for i, unit in enumerate(self.unit_ids.tolist()):
            record: dict[str, Any] = {}
            if self.by is not None:
                name, _, value = unit.rpartition(" | ")
                record |= {"unit": name, self.by: value}
            else:
                record["unit"] = unit
            record |= {"respondents": int(self.respondents[i]), "weight": float(self.weight[i])}
            for j, leaf in enumerate(self.rubric.leaf_ids):
                record[f"score_{leaf}"] = float(self.scores[i, j])
            for k, node in enumerate(self.node_ids[:-1]):
                record |= {node: float(self.node_scores[i, k]),
                           f"{node}_se": float(self.node_se[i, k])}  # fmt: skip
            record |= {
                "index": float(self.index[i]), "reported": float(self.reported[i]),
                "se": float(self.se[i]), "lower": float(self.lower[i]),
                "upper": float(self.upper[i]), "rounded": float(self.rounded[i]),
            }  # fmt: skip
            if self.grades is not None and self.grade_labels is not None:
                record |= {"grade": str(self.grades[i]), "grade_label": str(self.grade_labels[i])}
            out.append(record)
        return out

    def to_pandas(self) -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), what="SurveyResult")

    def _repr_html_(self) -> str:
        keys = ("unit", *(() if self.by is None else (self.by,)), "respondents",
                *self.node_ids[:-1], "reported", "lower", "upper", "grade")  # fmt: skip
        rows = [{k: r[k] for k in keys if k in r} for r in self.to_records()]
        return html_records(repr(self), rows)

    def priorities(self, unit: str) -> list[dict[str, Any]]:
        """Rank the unit's items weakest first, each with what would lift the unit a band.

        Parameters
        ----------
        unit
            A unit id (as in :attr:`unit_ids`).

        Returns
        -------
        list of dict
            Per item, weakest score first: ``item``, ``name``, ``score``,
            ``weight`` (its effective weight in the unit's index), ``gap``
            (how far the unit's rounded index is below the next band's lower
            bound, on the reported scale; 0 at the top band or without
            grades) and ``rise_needed`` (how much this item's score alone must
            rise to close the gap; ``None`` if it cannot, within its scale).

        Notes
        -----
        ``rise_needed`` = gap / (conversion factor x effective weight): the
        index is linear in each item's score.
        """
        where = np.flatnonzero(self.unit_ids == unit)
        if not len(where):
            raise UnknownUnitError(f"no unit {unit!r} in this survey result")
        i = int(where[0])
        gap = 0.0
        if self.grades is not None:
            bands = self.rubric.grades.bands
            position = [b.code for b in bands].index(str(self.grades[i]))
            if position > 0:
                gap = max(0.0, bands[position - 1].min - float(self.rounded[i]))
        weights = self.coefficients[i, -1] * self.rubric.conversion.factor
        high = self.rubric.leaf_scales[1]
        order = np.argsort(self.scores[i], kind="stable")
        out = []
        for j in order.tolist():
            score = float(self.scores[i, j])
            rise = gap / weights[j] if weights[j] > 0 else np.inf
            feasible = gap == 0 or score + rise <= high[j] + 1e-9
            out.append({
                "item": self.rubric.leaf_ids[j], "name": self.rubric.leaves[j].name,
                "score": score, "weight": float(self.coefficients[i, -1, j]), "gap": gap,
                "rise_needed": float(rise) if feasible else None,
            })  # fmt: skip
        return out
