"""The Evaluation result: per-unit scores, index and grade, ranking, lists and exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize, readonly
from pelayanan_eval._common.messages import check_option
from pelayanan_eval._common.records import to_pandas
from pelayanan_eval._data.units import Units
from pelayanan_eval._evaluation.card import (
    Categories,
    ReportCard,
    UnitFigures,
    build_card,
    categories,
)
from pelayanan_eval._evaluation.composite import InstrumentScores
from pelayanan_eval._evaluation.html import evaluation_html
from pelayanan_eval._evaluation.means import LeafMeans, kept_means, spelled_means
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval._evaluation.records import unit_records
from pelayanan_eval._evaluation.settings import Settings
from pelayanan_eval._evaluation.standings import (
    Standing,
    Standings,
    choose,
    tiebreak_names,
)
from pelayanan_eval._rubric.compiled import Compiled
from pelayanan_eval._rubric.grading import Grade, Graded
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.typing import GroupBy, RankBy, TieMethod, choices

RANK_BY = choices(RankBy)

Array = npt.NDArray[np.float64]


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
        How it was computed (enough to reproduce the result).
    node_ids
        Every criterion id in document order (aspects, indicators, ...).
    leaf_scores
        ``[units, leaves]`` aggregated scores, in ``rubric.leaf_ids`` order
        (NaN: unscored); for complete whole-number visits, worked out from
        their bytes when first read.
    inner_scores
        Scores of the criteria with children, in document order (worked out
        when first read, as `leaf_scores` are).
    index
        Weighted index on the rubric's scale (e.g. 0-5, or IKM 1-4).
    reported
        The index times the conversion factor (IKM: x25).
    rounded
        The reported index rounded as the rubric declares (graded, published).
    grades
        Grade code per unit (``""`` where the index is NaN).
    visits
        Observations per unit.
    coverage
        Share of the index weight whose criteria were scored at least once.
    instruments
        With instrument records: each instrument's index per unit and what
        entered the composite (:class:`InstrumentScores`); `index` is then
        the composite, and the criteria's scores are the evaluator's.
    """

    rubric: Rubric
    units: Units
    settings: Settings
    node_ids: tuple[str, ...]
    _leaf_scores: Array | LeafMeans = attrs.field(converter=kept_means, alias="leaf_scores")
    _inner_scores: Array | LeafMeans = attrs.field(
        converter=kept_means, alias="inner_scores", repr=False
    )
    _tree: Compiled = attrs.field(repr=False)
    index: Array = attrs.field(converter=readonly)
    reported: Array = attrs.field(converter=readonly)
    rounded: Array = attrs.field(converter=readonly)
    grades: npt.NDArray[np.str_] = attrs.field(converter=readonly)
    visits: npt.NDArray[np.int64] = attrs.field(converter=readonly)
    coverage: Array = attrs.field(converter=readonly)
    instruments: InstrumentScores | None = attrs.field(default=None, kw_only=True)

    def __len__(self) -> int:
        return len(self.units)

    @cached_property
    def leaf_scores(self) -> Array:
        return spelled_means(self._leaf_scores)

    @cached_property
    def inner_scores(self) -> Array:
        return spelled_means(self._inner_scores, self._tree.linear)

    @cached_property
    def _ranks(self) -> dict[tuple[Any, ...], Array]:
        """Rankings already computed, by (within, ties, tie-breakers, by)."""
        return {}

    @cached_property
    def grade_labels(self) -> npt.NDArray[np.str_]:
        """Grade label per unit (``""`` where the index is NaN), aligned with :attr:`grades`."""
        return readonly(self._graded.labels)

    @cached_property
    def _graded(self) -> Graded:
        """The graded columns as one :class:`Graded` (band positions read from the codes)."""
        positions = np.full(len(self), -1, dtype=np.intp)
        for position, band in enumerate(self.rubric.grades.bands):
            positions[self.grades == band.code] = position
        return Graded(self.reported, self.rounded, positions, self.rubric.grades)

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
            self.rubric[key]  # raises UnknownCriterionError naming close ids
            result: Array = self.node_scores[:, self.node_ids.index(key)]
            return result
        columns = [self.node_ids.index(node_id) for node_id in self.score_ids(key)]
        if not columns:
            raise OptionError(f"rubric {self.rubric.id!r} has no criteria at depth {key!r}")
        result = self.node_scores[:, columns]
        return result

    @cached_property
    def _categories(self) -> Categories:
        """What the report cards share, computed for the first card and kept."""
        codes = self.units.group_codes("category")
        ranks = self.rank("category")
        return categories(self.rubric, codes, ranks, self.score_ids(1), self.scores(1))

    def grade(self, unit_id: str) -> Grade | None:
        """Return the grade of one unit (None if its index is NaN)."""
        return self._graded.grade(self.units.position(unit_id))

    def _groups(self, within: GroupBy | npt.ArrayLike | None) -> npt.NDArray[Any] | None:
        if within is None:
            return None
        if isinstance(within, str):
            check_option("within", within, ("category", "parent"))
            return self.units.categories if within == "category" else self.units.parents
        groups = np.asarray(within)
        if groups.shape != (len(self),):
            raise OptionError(f"within has shape {groups.shape}, expected ({len(self)},)")
        return groups

    def _group_codes(self, within: GroupBy | npt.ArrayLike | None) -> npt.NDArray[np.intp] | None:
        """Each unit's group as a code (None: one group); the units cache their own codes."""
        if isinstance(within, str):
            check_option("within", within, ("category", "parent"))
            return self.units.group_codes(within)
        groups = self._groups(within)  # checks `within`
        return None if groups is None else factorize(groups)[1]

    def rank(
        self,
        within: GroupBy | npt.ArrayLike | None = "category",
        *,
        ties: TieMethod = "min",
        tiebreak: Sequence[str] = (),
        by: RankBy = "rounded",
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
        listed = isinstance(tiebreak, list | tuple) and (within is None or isinstance(within, str))
        cache = (within, ties, tuple(tiebreak), by) if listed else None
        if cache is not None and cache in self._ranks:
            return self._ranks[cache]
        keys = self._tiebreak_keys(tiebreak)
        score = self.rounded if by == "rounded" else self.reported
        digits = self.rubric.rounding.digits
        if by == "rounded" and digits is not None and not keys:
            score = score * 10.0**digits
            np.rint(score, out=score)  # whole numbers: ranked by counting, no sort
        ranks = readonly(rank(score, self._group_codes(within), ties=ties, tiebreak=keys))
        if cache is not None:
            self._ranks[cache] = ranks
        return ranks

    def _tiebreak_keys(self, tiebreak: Sequence[str]) -> list[npt.NDArray[Any]]:
        """Return the arrays behind tie-breaker names: criterion ids (their scores), ``"id"``."""
        names = tiebreak_names(tiebreak, ("id", *self.node_ids))
        return [self.units.ids if name == "id" else self.scores(name) for name in names]

    def _standings(
        self,
        k: int,
        within: GroupBy | npt.ArrayLike | None,
        ties: TieMethod,
        tiebreak: Sequence[str],
        best: bool,
    ) -> Standings:
        groups, codes = self._groups(within), self._group_codes(within)
        rows, ranks, tied = choose(
            self.rounded, codes, self._tiebreak_keys(tiebreak), k, ties, best=best
        )
        names = np.full(len(self), "", dtype=np.str_) if groups is None else np.asarray(groups)
        labels = self.grade_labels
        found = Standings(
            Standing(
                group=str(names[i]),
                rank=float(r),
                tied=bool(t),
                unit=str(self.units.ids[i]),
                name=str(self.units.names[i]),
                index=float(self.index[i]),
                reported=float(self.reported[i]),
                rounded=float(self.rounded[i]),
                grade=str(self.grades[i]),
                grade_label=str(labels[i]),
            )
            for i, r, t in zip(rows.tolist(), ranks.tolist(), tied.tolist(), strict=True)
        )
        found.title = f"{'award table (top' if best else 'coaching list (bottom'} {k})"
        return found

    def top(
        self,
        k: int = 2,
        within: GroupBy | npt.ArrayLike | None = "category",
        *,
        ties: TieMethod = "min",
        tiebreak: Sequence[str] = (),
    ) -> Standings:
        """Return the award table: units ranked `k` or better per group (ties at the cut included).

        Units are ranked by the published (rounded) index; `ties` and
        `tiebreak` work as in :meth:`rank` (e.g. ``tiebreak=["kebijakan",
        "id"]``: a higher aspect score, then the unit id, settles a tie).
        Returns one :class:`~pelayanan_eval.results.Standing` per unit
        (group, rank, tied, unit, name, index, reported, rounded, grade,
        grade_label), grouped by `within` and best first; ``tied`` marks a
        unit whose published index and tie-breaker values another unit of
        its group shares.
        """
        return self._standings(k, within, ties, tiebreak, best=True)

    def bottom(
        self,
        k: int = 2,
        within: GroupBy | npt.ArrayLike | None = "category",
        *,
        ties: TieMethod = "min",
        tiebreak: Sequence[str] = (),
    ) -> Standings:
        """Return the coaching list: the `k` lowest-ranked units of each group, lowest first.

        As :meth:`top`, from the other end of the same ranking (so a tie a
        tie-breaker settles puts its loser here). Units without an index
        (too little scored under ``renormalize``) are not ranked, so not
        listed: ``units.ids[np.isnan(index)]`` names them.
        """
        return self._standings(k, within, ties, tiebreak, best=False)

    def card(self, unit_id: str, *, uncertainty: Any = None) -> ReportCard:
        """Return the report card of one unit (see :class:`ReportCard` and :meth:`cards`)."""
        return self.cards([unit_id], uncertainty=uncertainty)[0]

    def cards(
        self, unit_ids: Iterable[str] | None = None, *, uncertainty: Any = None
    ) -> list[ReportCard]:
        """Return the report cards of these units (default: every unit, in result order).

        Ranks and each category's aspect means and bests are computed once
        per evaluation, so all cards of a large city (or one card at a time)
        cost little more than the cards themselves. With `uncertainty` (the
        result of ``pelayanan_eval.decisions.uncertainty`` for this
        evaluation) each card shows the unit's rank interval and its
        probability of reaching the next grade.
        """
        if isinstance(unit_ids, str):
            raise OptionError(
                f"cards() takes a list of unit ids, got the text {unit_ids!r}; for one unit "
                "use card(unit_id)"
            )
        rows = (
            list(range(len(self)))
            if unit_ids is None
            else [self.units.position(unit_id) for unit_id in unit_ids]
        )
        if uncertainty is not None and getattr(uncertainty, "evaluation", None) is not self:
            raise OptionError("cards(uncertainty=...) takes decisions.uncertainty() of this "
                              f"very evaluation, got {type(uncertainty).__name__}")  # fmt: skip
        shared, settings, parts = self._categories, self.settings, self.instruments
        out = []
        for i in rows:
            composite = {} if parts is None else parts.card_figures(i)
            grade = self._graded.grade(i)
            band = None if grade is None else int(self._graded.positions[i])
            figures = UnitFigures(
                unit=self.units[i], leaf_scores=self.leaf_scores[i],
                aspect_scores=shared.scores[i], index=float(self.index[i]),
                reported=float(self.reported[i]), rounded=float(self.rounded[i]), grade=grade,
                band=band, rank=float(shared.ranks[i]), visits=int(self.visits[i]),
                coverage=float(self.coverage[i]), **composite,
            )  # fmt: skip
            group = int(shared.codes[i])
            card = build_card(
                self.rubric, figures, aspects=shared.aspects, category_mean=shared.means[group],
                category_best=shared.bests[group], ranked_in_group=int(shared.ranked[group]),
                missing=settings.missing, min_coverage=settings.min_coverage,
            )  # fmt: skip
            if uncertainty is not None:
                unit = uncertainty.unit(str(self.units.ids[i]))
                card = attrs.evolve(card, rank_interval=(unit.rank_low, unit.rank_high),
                                    p_next_grade=unit.p_next_grade)  # fmt: skip
            out.append(card)
        return out

    def to_records(
        self,
        within: GroupBy | npt.ArrayLike | None = "category",
        *,
        ties: TieMethod = "min",
        tiebreak: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Return one dict per unit, in result order; shared fields are named as in ``Standing``.

        Keys: ``unit``, ``name``, ``category``, ``parent``, ``visits``, ``coverage``,
        ``index`` (full precision), ``reported`` (after the conversion),
        ``rounded`` (published), ``grade``, ``grade_label``, ``rank`` (as
        :meth:`rank` gives it with `within`, `ties` and `tiebreak`), then one
        key per top-level criterion id with its score; with instruments,
        ``index_<id>`` and ``records_<id>`` per instrument.
        """
        return unit_records(self, self.rank(within, ties=ties, tiebreak=tiebreak))

    def to_pandas(self) -> Any:
        """Return the records as a pandas DataFrame indexed by unit (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), index="unit", what="Evaluation")

    def _repr_html_(self) -> str:
        return evaluation_html(self)
