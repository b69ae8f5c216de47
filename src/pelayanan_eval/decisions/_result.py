"""Result types of the decision analyses: records, pandas frames and HTML tables."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import readonly
from pelayanan_eval._common.records import html_records, to_pandas
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.decisions._variance import VisitVariance
from pelayanan_eval.typing import GroupBy

Array = npt.NDArray[np.float64]


@attrs.frozen
class Award:
    """One award in an award table, with how sure it is.

    ``next_unit`` is the best unit of the group without an award; ``p_ahead``
    the share of replicates in which the award winner is ahead of it, and
    ``verdict`` is ``"clear"`` when ``p_ahead`` reaches the threshold the
    analysis used (else ``"tied"``: announce it as a tie, or as within the
    noise of the visits).
    """

    group: str
    unit: str
    name: str
    rank: float
    rounded: float
    p_award: float
    next_unit: str
    next_rounded: float
    p_ahead: float
    verdict: str


@attrs.frozen
class UnitUncertainty:
    """What a report card shows of one unit's uncertainty."""

    unit: str
    rank: float
    rank_low: float
    rank_high: float
    index_low: float
    index_high: float
    p_award: float
    p_next_grade: float
    next_grade: str


@attrs.frozen(eq=False, repr=False)
class Uncertainty:
    """How sure each award, grade and coaching decision is, from simulated replicates.

    Arrays are aligned with ``evaluation.units``. Probabilities are shares
    of the replicates (Monte Carlo error at most ``0.5 / sqrt(replicates)``);
    a unit without an index has NaN in every column (its row says so).

    Attributes
    ----------
    evaluation
        The evaluation analysed.
    method
        ``"pooled"`` (normal model, pooled between-visit variance),
        ``"bootstrap"`` (visits resampled within units), ``"given"`` (a
        variance of one visit's index given by the caller) or
        ``"weights:<perturbation>"`` (from :func:`sensitivity`).
    replicates, level, k, coaching, below, within
        The settings used.
    index_sd, index_low, index_high
        Standard deviation of each unit's index and its `level` interval
        (rubric scale).
    rank, rank_low, rank_high
        The published rank (competition ranking) and its `level` interval.
    p_award, p_coaching, p_below
        P(ranked `k` or better), P(among the `coaching` lowest), P(published
        value below `below`; None without a threshold).
    p_grades, grade_codes
        ``[units, bands]`` P(each grade), bands in `grade_codes` order.
    p_next_grade
        P(a better grade than the published one): 0 in the top band.
    awards
        The award table (:class:`Award` rows, grouped, best first).
    expected_award_changes, expected_coaching_changes
        Expected number of units whose award (coaching) decision would differ.
    variance
        The pooled variance behind a ``"pooled"`` result (else None).
    """

    evaluation: Evaluation
    method: str
    replicates: int
    level: float
    k: int
    coaching: int
    below: float | None
    within: GroupBy | None
    index_sd: Array = attrs.field(converter=readonly)
    index_low: Array = attrs.field(converter=readonly)
    index_high: Array = attrs.field(converter=readonly)
    rank: Array = attrs.field(converter=readonly)
    rank_low: Array = attrs.field(converter=readonly)
    rank_high: Array = attrs.field(converter=readonly)
    p_award: Array = attrs.field(converter=readonly)
    p_coaching: Array = attrs.field(converter=readonly)
    p_below: Array | None
    p_grades: Array = attrs.field(converter=readonly)
    grade_codes: tuple[str, ...]
    p_next_grade: Array = attrs.field(converter=readonly)
    awards: tuple[Award, ...]
    expected_award_changes: float
    expected_coaching_changes: float
    variance: VisitVariance | None = None

    def __len__(self) -> int:
        return len(self.evaluation)

    def __repr__(self) -> str:
        tied = sum(a.verdict == "tied" for a in self.awards)
        return (
            f"<Uncertainty of {len(self)} units: method={self.method}, "
            f"{self.replicates} replicates, {len(self.awards)} awards ({tied} tied), "
            f"expected changed awards {self.expected_award_changes:.2f}>"
        )

    def unit(self, unit_id: str) -> UnitUncertainty:
        """Return one unit's rank interval, P(award) and P(next grade), as a card shows them."""
        i = self.evaluation.units.position(unit_id)
        position = self._position(i)
        return UnitUncertainty(
            unit=unit_id,
            rank=float(self.rank[i]),
            rank_low=float(self.rank_low[i]),
            rank_high=float(self.rank_high[i]),
            index_low=float(self.index_low[i]),
            index_high=float(self.index_high[i]),
            p_award=float(self.p_award[i]),
            p_next_grade=float(self.p_next_grade[i]),
            next_grade="" if position <= 0 else self.grade_codes[position - 1],
        )

    def _position(self, i: int) -> int:
        code = str(self.evaluation.grades[i])
        return self.grade_codes.index(code) if code in self.grade_codes else -1

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per unit: index interval, rank interval, probabilities per decision.

        Keys: ``unit``, ``name``, ``group``, ``rounded``, ``grade``, ``index_sd``,
        ``index_low``, ``index_high``, ``rank``, ``rank_low``, ``rank_high``,
        ``p_award``, ``p_coaching``, ``p_below`` (when a threshold was given),
        ``p_next_grade``, then ``p_<grade>`` for every grade band.
        """
        ev = self.evaluation
        groups = _groups(ev, self.within)
        records = []
        for i in range(len(ev)):
            record: dict[str, Any] = {
                "unit": str(ev.units.ids[i]),
                "name": str(ev.units.names[i]),
                "group": str(groups[i]),
                "rounded": float(ev.rounded[i]),
                "grade": str(ev.grades[i]),
                "index_sd": float(self.index_sd[i]),
                "index_low": float(self.index_low[i]),
                "index_high": float(self.index_high[i]),
                "rank": float(self.rank[i]),
                "rank_low": float(self.rank_low[i]),
                "rank_high": float(self.rank_high[i]),
                "p_award": float(self.p_award[i]),
                "p_coaching": float(self.p_coaching[i]),
            }
            if self.p_below is not None:
                record["p_below"] = float(self.p_below[i])
            record["p_next_grade"] = float(self.p_next_grade[i])
            for j, code in enumerate(self.grade_codes):
                record[f"p_{code}"] = float(self.p_grades[i, j])
            records.append(record)
        return records

    def award_records(self) -> list[dict[str, Any]]:
        """Return the award table as dicts (one per award, grouped, best first)."""
        return [attrs.asdict(award) for award in self.awards]

    def to_pandas(self) -> Any:
        """Return the records as a DataFrame indexed by unit (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), index="unit", what="Uncertainty")

    def _repr_html_(self) -> str:
        columns = ("group", "unit", "rounded", "p_award", "next_unit", "p_ahead", "verdict")
        return html_records(repr(self), self.award_records(), columns)


def _groups(evaluation: Evaluation, within: GroupBy | None) -> npt.NDArray[Any]:
    units = evaluation.units
    if within is None:
        return np.full(len(units), "", dtype=np.str_)
    return units.categories if within == "category" else units.parents


@attrs.frozen
class Change:
    """One unit whose index, rank, grade, award or coaching differs under a scenario."""

    scenario: str
    unit: str
    index_before: float
    index_after: float
    rounded_before: float
    rounded_after: float
    rank_before: float
    rank_after: float
    grade_before: str
    grade_after: str
    award_before: bool
    award_after: bool
    coaching_before: bool
    coaching_after: bool


@attrs.frozen
class Scenario:
    """One alternative: how many units change rank, grade, award or coaching under it."""

    name: str
    kind: str  # "weights", "aggregation" or "missing"
    description: str
    rank_changes: int
    grade_changes: int
    award_changes: int
    coaching_changes: int
    largest_rank_move: float
    largest_index_change: float


@attrs.frozen
class Source:
    """One source of uncertainty and how much of the ranks' variance it gives on its own.

    ``rank_variance`` is the mean over units of the variance of the unit's
    rank when only this source varies (``"all"``: every source together);
    ``share`` is that over the variance with every source varying.
    """

    source: str
    rank_variance: float
    share: float


@attrs.frozen(eq=False, repr=False)
class Sensitivity:
    """What changes under other weights, aggregations and missing-data policies.

    Attributes
    ----------
    scenarios
        One summary per named alternative (weights, aggregation, missing policy).
    changes
        Every unit that changes under a scenario, with before and after.
    perturbed
        The decisions under random weight perturbations (an
        :class:`Uncertainty` with ``method`` naming the perturbation), or None.
    sources
        The variance-based summary of the uncertainty sources (may be empty).
    """

    evaluation: Evaluation
    scenarios: tuple[Scenario, ...]
    changes: tuple[Change, ...]
    perturbed: Uncertainty | None
    sources: tuple[Source, ...]

    def __repr__(self) -> str:
        names = ", ".join(s.name for s in self.scenarios) or "none"
        return (
            f"<Sensitivity of {len(self.evaluation)} units: scenarios {names}; "
            f"{len(self.changes)} unit changes>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per changed unit and scenario (see :class:`Change`)."""
        return [attrs.asdict(change) for change in self.changes]

    def scenario_records(self) -> list[dict[str, Any]]:
        """Return one dict per scenario (see :class:`Scenario`)."""
        return [attrs.asdict(scenario) for scenario in self.scenarios]

    def source_records(self) -> list[dict[str, Any]]:
        """Return one dict per source of uncertainty (see :class:`Source`)."""
        return [attrs.asdict(source) for source in self.sources]

    def to_pandas(self) -> Any:
        """Return the changes as a DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), what="Sensitivity")

    def _repr_html_(self) -> str:
        columns = (
            "name",
            "kind",
            "rank_changes",
            "grade_changes",
            "award_changes",
            "coaching_changes",
            "largest_rank_move",
        )
        return html_records(repr(self), self.scenario_records(), columns)
