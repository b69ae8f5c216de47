"""evaluate(): observations to per-unit node scores, index and grade; the Evaluation result."""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._aggregation import Aggregation, any_per_group
from pelayanan_eval._aggregation import aggregate as aggregate_rows
from pelayanan_eval._arrays import factorize, readonly
from pelayanan_eval._grading import Grade
from pelayanan_eval._messages import check_option, enumerate_limited, suggest
from pelayanan_eval._observations import Observations
from pelayanan_eval._ranking import rank
from pelayanan_eval._rubric import Rubric
from pelayanan_eval._scoring import MISSING_POLICIES, Tree, roll_up
from pelayanan_eval._units import Unit, Units
from pelayanan_eval.exceptions import MissingScoreError, ObservationError, OptionError

if TYPE_CHECKING:
    from pelayanan_eval._card import ReportCard

ORDERS: tuple[str, ...] = ("criteria_first", "visits_first")
RANK_BY: tuple[str, ...] = ("rounded", "raw")

Array = npt.NDArray[np.float64]


@attrs.frozen
class Settings:
    """Everything needed to reproduce an evaluation, recorded in its result."""

    rubric_id: str
    rubric_hash: str
    aggregation: Aggregation
    order: str
    missing: str
    min_coverage: float
    rounding: str
    conversion_factor: float


def _positions(units: Units, ids: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
    """Row in `units` of each id; every id must be there."""
    if len(units.ids) == len(ids) and bool(np.all(units.ids == ids)):
        return np.arange(len(ids), dtype=np.intp)
    sorter = np.argsort(units.ids, kind="stable")
    ordered = units.ids[sorter]
    found = np.minimum(np.searchsorted(ordered, ids), len(ordered) - 1)
    known = ordered[found] == ids
    if not bool(np.all(known)):
        names = [f"{u!r}{suggest(u, units.ids.tolist())}" for u in ids[~known].tolist()]
        raise ObservationError("observations for unit(s) not in units: " + enumerate_limited(names))
    result: npt.NDArray[np.intp] = sorter[found]
    return result


def _missing_error(
    scores: Array, rows: Sequence[str], columns: Sequence[str], what: str
) -> MissingScoreError:
    row_index, col_index = np.nonzero(np.isnan(scores))
    pairs = [
        (rows[r], columns[c]) for r, c in zip(row_index.tolist(), col_index.tolist(), strict=True)
    ]
    by_row: dict[str, list[str]] = {}
    for row, column in pairs:
        by_row.setdefault(row, []).append(column)
    lines = [f"{row}: {', '.join(cols)}" for row, cols in by_row.items()]
    return MissingScoreError(
        f"{len(pairs)} {what} without a score (missing='error'; use missing='renormalize' "
        f"or 'zero' to evaluate anyway): " + enumerate_limited(lines),
        missing=pairs,
    )


def evaluate(
    rubric: Rubric,
    observations: Observations,
    *,
    units: Units | Sequence[Unit] | None = None,
    aggregate: str | Aggregation = "mean",
    order: str = "criteria_first",
    missing: str = "error",
    min_coverage: float = 0.5,
) -> Evaluation:
    """Evaluate units: aggregate their visits, roll the scores up the rubric, grade them.

    Parameters
    ----------
    rubric
        The rubric the observations were scored on.
    observations
        The visits (see :class:`Observations`).
    units
        The units, with names and categories (a list of :class:`Unit` or a
        :class:`Units` table); by default the units seen in `observations`,
        in sorted id order, without names or categories. Every unit must
        have observations and every observation a unit.
    aggregate
        How visits combine: a method name (``"mean"``, ``"median"``,
        ``"min"``, ``"max"``, ``"trimmed_mean"``, ``"latest"``,
        ``"observer_weighted"``) or an :class:`Aggregation`.
    order
        ``"criteria_first"`` (default): aggregate each criterion across
        visits, then roll up. ``"visits_first"``: score each visit, then
        aggregate the visit scores (node by node and the index).
    missing
        ``"error"`` (default): a criterion that no visit of a unit scored
        raises, naming each unit and criterion (with ``visits_first``: any
        visit missing a criterion). ``"renormalize"``: a parent's weights
        are re-spread over its scored children, and a parent with less than
        `min_coverage` of its weight scored is itself unscored (with
        ``visits_first`` such a visit then drops out of the unit's
        aggregate). ``"zero"``: a criterion not scored in a visit counts as
        its scale minimum ("no evidence").
    min_coverage
        See `missing`.

    Returns
    -------
    Evaluation

    Raises
    ------
    ObservationError
        Observations of another rubric, units without observations, or
        observations of unknown units.
    MissingScoreError
        Unscored criteria under ``missing="error"``.
    OptionError
        An unknown aggregation, order or missing policy.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> obs = pe.Observations.from_arrays(
    ...     rubric, unit=["a", "a", "b"], values=[[4] * 9, [3] * 9, [2] * 9])
    >>> ev = pe.evaluate(rubric, obs)
    >>> ev.index.round(6).tolist(), ev.rounded.tolist(), ev.grades.tolist()
    ([3.5, 2.0], [87.5, 50.0], ['B', 'D'])
    """
    if not isinstance(observations, Observations):
        raise ObservationError(
            f"observations must be an Observations, got {type(observations).__name__}"
        )
    if observations.rubric is not rubric and observations.rubric != rubric:
        raise ObservationError(
            f"the observations were scored on rubric {observations.rubric.id!r}, not on "
            f"{rubric.id!r} (or on a different version of it)"
        )
    method = Aggregation.coerce(aggregate)
    check_option("order", order, ORDERS)
    check_option("missing policy", missing, MISSING_POLICIES)
    if not (isinstance(min_coverage, int | float) and 0 <= min_coverage <= 1):
        raise OptionError(f"min_coverage must be between 0 and 1, got {min_coverage!r}")

    table = Units.from_arrays(observations.unit_ids) if units is None else Units.coerce(units)
    codes = _positions(table, observations.unit_ids)[observations.unit_codes]
    visits = np.bincount(codes, minlength=len(table))
    if not bool(np.all(visits > 0)):
        idle = table.ids[visits == 0].tolist()
        raise ObservationError(
            "unit(s) without observations: " + enumerate_limited([repr(u) for u in idle])
        )

    values = observations.values
    low, _ = rubric.leaf_scales
    complete = observations.complete
    if missing == "zero" and not complete:
        values = np.where(np.isnan(values), low, values)
    time = None
    if method.method == "latest":
        _, visit_codes = factorize(observations.visit)
        by_time = np.lexsort((visit_codes, observations.date.astype(np.int64)))
        time = np.empty(len(by_time), dtype=np.int64)
        time[by_time] = np.arange(len(by_time))
    options: dict[str, Any] = {"time": time, "observers": observations.observer}

    tree = Tree.from_rubric(rubric)
    leaf_scores = aggregate_rows(values, codes, len(table), method, complete=complete, **options)
    if order == "criteria_first":
        if missing == "error" and not complete and np.isnan(leaf_scores).any():
            raise _missing_error(
                leaf_scores, table.ids.tolist(), rubric.leaf_ids, "unit x criterion pair(s)"
            )
        inner = roll_up(leaf_scores, tree, missing, min_coverage)
    else:
        if missing == "error" and not complete:
            labels = [
                f"unit {u!r} visit {v!r}"
                for u, v in zip(
                    observations.unit.tolist(), observations.visit.tolist(), strict=True
                )
            ]
            raise _missing_error(values, labels, rubric.leaf_ids, "visit x criterion pair(s)")
        per_visit = roll_up(values, tree, missing, min_coverage)
        inner = aggregate_rows(per_visit, codes, len(table), method, **options)
    weights = rubric.leaf_weights
    if complete or missing == "zero":
        coverage = np.ones(len(table))
    else:
        covered = any_per_group(~np.isnan(observations.values), codes, len(table))
        coverage = np.where(covered.all(axis=1), 1.0, covered @ weights / weights.sum())

    index = inner[:, -1]
    reported = index if rubric.conversion.factor == 1 else index * rubric.conversion.factor
    rounded = rubric.rounding.apply(reported)
    finite = ~np.isnan(rounded)
    if not rubric.grades.bands or not finite.any():
        grades = np.full(len(table), "", dtype=np.str_)
    elif finite.all():
        grades = rubric.grades.codes(rounded)
    else:
        grades = rubric.grades.codes(np.where(finite, rounded, 0.0))
        grades[~finite] = ""
    return Evaluation(
        rubric=rubric,
        units=table,
        settings=Settings(
            rubric_id=rubric.id,
            rubric_hash=rubric.content_hash,
            aggregation=method,
            order=order,
            missing=missing,
            min_coverage=float(min_coverage),
            rounding=rubric.rounding.describe(),
            conversion_factor=rubric.conversion.factor,
        ),
        node_ids=tree.node_ids[:-1],
        leaf_scores=leaf_scores,
        inner_scores=inner[:, :-1],
        tree=tree,
        index=index,
        reported=reported,
        rounded=rounded,
        grades=grades,
        visits=visits,
        coverage=coverage,
    )


@attrs.frozen(eq=False, repr=False)
class Evaluation:
    """The result of :func:`evaluate`: per-unit scores, index, grade, and the settings used.

    Attributes
    ----------
    rubric
        The rubric used.
    units
        The units evaluated (a :class:`Units` table), in result order.
    settings
        How: aggregation, order, missing policy, rounding and the rubric's
        content hash; enough to reproduce the result.
    node_ids
        Every criterion id in document order (aspects, indicators, ...).
    leaf_scores
        ``[units, leaves]`` aggregated scores of the scored criteria, in
        ``rubric.leaf_ids`` order (NaN: unscored).
    inner_scores
        Scores of the criteria with children, in document order.
    index
        Weighted index on the rubric's scale (e.g. 0-5, or IKM 1-4).
    reported
        The index times the conversion factor (IKM: x25).
    rounded
        The reported index rounded as the rubric declares: the value that
        is graded and published.
    grades
        Grade code per unit (``""`` where the index is NaN).
    visits
        Observations per unit.
    coverage
        Share of the index weight whose criteria were scored at least once.
    """

    rubric: Rubric
    units: Units
    settings: Settings
    node_ids: tuple[str, ...]
    leaf_scores: Array = attrs.field(converter=readonly)
    inner_scores: Array = attrs.field(converter=readonly, repr=False)
    _tree: Tree = attrs.field(repr=False)
    index: Array = attrs.field(converter=readonly)
    reported: Array = attrs.field(converter=readonly)
    rounded: Array = attrs.field(converter=readonly)
    grades: npt.NDArray[np.str_] = attrs.field(converter=readonly)
    visits: npt.NDArray[np.int64] = attrs.field(converter=readonly)
    coverage: Array = attrs.field(converter=readonly)

    def __len__(self) -> int:
        return len(self.units)

    @cached_property
    def node_scores(self) -> Array:
        """``[units, nodes]`` scores of every criterion, in :attr:`node_ids` order."""
        scores = np.empty((len(self), len(self.node_ids)))
        scores[:, self._tree.leaf_columns] = self.leaf_scores
        scores[:, self._tree.inner_columns[:-1]] = self.inner_scores
        return readonly(scores)

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"<Evaluation of {len(self)} units under {s.rubric_id!r}: "
            f"aggregate={s.aggregation.method}, order={s.order}, missing={s.missing}>"
        )

    def score_ids(self, depth: int = 1) -> tuple[str, ...]:
        """Ids of the criteria at `depth` (1 = top level: aspects or survey items)."""
        depths = [len(self.rubric.path(node_id)) for node_id in self.node_ids]
        return tuple(n for n, d in zip(self.node_ids, depths, strict=True) if d == depth)

    def scores(self, key: int | str = 1) -> Array:
        """Scores of the criteria at a depth (``[units, criteria]``) or of one criterion id.

        ``scores(1)`` gives the top level (aspects) in :meth:`score_ids` order;
        ``scores("kebijakan")`` one column; ``scores("index")`` the index.
        """
        if key == "index":
            return self.index
        if isinstance(key, str):
            self.rubric[key]  # raises KeyError naming close ids
            result: Array = self.node_scores[:, self.node_ids.index(key)]
            return result
        columns = [self.node_ids.index(node_id) for node_id in self.score_ids(key)]
        if not columns:
            raise OptionError(f"rubric {self.rubric.id!r} has no criteria at depth {key!r}")
        result = self.node_scores[:, columns]
        return result

    def grade(self, unit_id: str) -> Grade | None:
        """Return the grade of one unit (None if its index is NaN)."""
        i = self.units.position(unit_id)
        if np.isnan(self.rounded[i]):
            return None
        grade = self.rubric.grade(float(self.reported[i]), on="converted")
        return grade if isinstance(grade, Grade) else None

    def _groups(self, within: str | npt.ArrayLike | None) -> npt.NDArray[Any] | None:
        if within is None:
            return None
        if isinstance(within, str):
            check_option("within", within, ("category", "parent"))
            return self.units.categories if within == "category" else self.units.parents
        groups = np.asarray(within)
        if groups.shape != (len(self),):
            raise OptionError(f"within has shape {groups.shape}, expected ({len(self)},)")
        return groups

    def rank(
        self,
        within: str | npt.ArrayLike | None = "category",
        *,
        ties: str = "min",
        tiebreak: Sequence[str] = (),
        by: str = "rounded",
    ) -> Array:
        """Rank units, best first, within their category (or parent, or overall).

        Parameters
        ----------
        within
            ``"category"`` (default), ``"parent"``, ``None`` (all units) or
            an array of group labels.
        ties
            ``"min"`` (1-2-2-4), ``"dense"``, ``"average"`` or ``"ordinal"``.
        tiebreak
            Criterion ids whose higher score wins a tie, in order, and/or
            ``"id"`` (alphabetical unit id) to make the order total.
        by
            ``"rounded"`` (the published index, so equal published values
            tie; default) or ``"raw"`` (full precision).

        Returns
        -------
        numpy.ndarray
            float ranks aligned with :attr:`units` (NaN where the index is NaN).
        """
        check_option("rank by", by, RANK_BY)
        keys = self._tiebreak_keys(tiebreak)
        score = self.rounded if by == "rounded" else self.reported
        groups = self.units.group_codes(within) if isinstance(within, str) else None
        return rank(score, self._groups(within) if groups is None else groups,
                    ties=ties, tiebreak=keys)  # fmt: skip

    def _tiebreak_keys(self, tiebreak: Sequence[str]) -> list[npt.NDArray[Any]]:
        """Return the arrays behind tie-breaker names: criterion ids (their scores), ``"id"``."""
        if isinstance(tiebreak, str):
            raise OptionError(f"tiebreak must be a list of names, got the text {tiebreak!r}")
        return [self.units.ids if name == "id" else self.scores(name) for name in tiebreak]

    def _standings(
        self,
        k: int,
        within: str | npt.ArrayLike | None,
        ties: str,
        tiebreak: Sequence[str],
        best: bool,
    ) -> list[dict[str, Any]]:
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise OptionError(f"k must be a positive whole number, got {k!r}")
        groups = self._groups(within)
        keys = self._tiebreak_keys(tiebreak)
        ranks = rank(self.rounded, groups, ties=ties, tiebreak=keys)
        cut = (
            ranks
            if best
            else rank(self.rounded, groups, ties=ties, descending=False, tiebreak=keys)
        )
        chosen = np.flatnonzero(cut <= k)
        labels = np.zeros(len(self), dtype=np.intp) if groups is None else factorize(groups)[1]
        names = np.full(len(self), "", dtype=np.str_) if groups is None else np.asarray(groups)
        # tied: another unit of the same group has the same published index and the same
        # tie-breaker values (whatever the tie method)
        ranked = ~np.isnan(ranks)
        columns = [labels, self.rounded, *(factorize(key)[1] for key in keys)]
        pairs = np.stack([np.asarray(c, dtype=np.float64)[ranked] for c in columns])
        _, inverse, counts = np.unique(pairs, axis=1, return_inverse=True, return_counts=True)
        shared = np.zeros(len(self), dtype=bool)
        shared[ranked] = counts[inverse.ravel()] > 1
        tied = shared[chosen]
        direction = 1 if best else -1
        order = np.lexsort((direction * ranks[chosen], labels[chosen]))
        return [
            self._standing(
                int(chosen[j]), float(ranks[chosen[j]]), str(names[chosen[j]]), bool(tied[j])
            )
            for j in order.tolist()
        ]

    def _standing(self, i: int, rank_value: float, label: Any, tied: bool) -> dict[str, Any]:
        code = str(self.grades[i])
        bands = {band.code: band.label for band in self.rubric.grades}
        return {
            "group": label,
            "rank": rank_value,
            "tied": bool(tied),
            "unit": str(self.units.ids[i]),
            "name": str(self.units.names[i]),
            "index": float(self.rounded[i]),
            "grade": code,
            "grade_label": bands.get(code, ""),
        }

    def top(
        self,
        k: int = 2,
        within: str | npt.ArrayLike | None = "category",
        *,
        ties: str = "min",
        tiebreak: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Return the award table: units ranked `k` or better per group (ties at the cut included).

        Units are ranked by the published (rounded) index; `ties` and
        `tiebreak` work as in :meth:`rank` (e.g. ``tiebreak=["kebijakan",
        "id"]``: a higher aspect score, then the unit id, settles a tie).
        Returns one dict per unit (group, rank, tied, unit, name, index,
        grade, grade_label), grouped by `within` and best first; ``tied``
        marks a unit whose published index and tie-breaker values another
        unit of its group shares.
        """
        return self._standings(k, within, ties, tiebreak, best=True)

    def bottom(
        self,
        k: int = 2,
        within: str | npt.ArrayLike | None = "category",
        *,
        ties: str = "min",
        tiebreak: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Return the coaching list: the `k` lowest-ranked units of each group, lowest first.

        As :meth:`top`, from the other end: a tie-breaker's lower value counts as lower.
        """
        return self._standings(k, within, ties, tiebreak, best=False)

    def card(self, unit_id: str) -> ReportCard:
        """Return the report card of one unit (see :class:`ReportCard`)."""
        from pelayanan_eval._card import build_card

        return build_card(self, self.units.position(unit_id))

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per unit: id, name, category, visits, coverage, index, grade, rank, aspects."""
        ranks = self.rank("category")
        top = self.score_ids(1)
        aspects = self.scores(1)
        bands = {band.code: band.label for band in self.rubric.grades}
        records = []
        for i in range(len(self)):
            record: dict[str, Any] = {
                "unit": str(self.units.ids[i]),
                "name": str(self.units.names[i]),
                "category": str(self.units.categories[i]),
                "visits": int(self.visits[i]),
                "coverage": float(self.coverage[i]),
                "index": float(self.index[i]),
                "reported": float(self.reported[i]),
                "rounded": float(self.rounded[i]),
                "grade": str(self.grades[i]),
                "grade_label": bands.get(str(self.grades[i]), ""),
                "rank_in_category": float(ranks[i]),
            }
            for j, node_id in enumerate(top):
                record[node_id] = float(aspects[i, j])
            records.append(record)
        return records

    def to_pandas(self) -> Any:
        """Return the records as a pandas DataFrame indexed by unit (needs the ``pandas`` extra)."""
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise ImportError(
                "Evaluation.to_pandas() needs pandas: pip install 'pelayanan-eval[pandas]'"
            ) from None
        return pd.DataFrame.from_records(self.to_records()).set_index("unit")

    def _repr_html_(self) -> str:
        ranks = self.rank("category")
        head = "".join(
            f"<th>{h}</th>" for h in ("unit", "name", "category", "index", "grade", "rank")
        )
        rows = []
        for i in range(min(len(self), 50)):
            cells = (
                self.units.ids[i], self.units.names[i], self.units.categories[i],
                f"{self.rounded[i]:.2f}", self.grades[i],
                "" if np.isnan(ranks[i]) else f"{ranks[i]:g}",
            )  # fmt: skip
            rows.append(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"
            )
        more = f"<p>... {len(self) - 50} more units</p>" if len(self) > 50 else ""
        caption = html.escape(repr(self))
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}"
        )
