"""evaluate(): observations to per-unit node scores, index and grade."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option, enumerate_limited, suggest
from pelayanan_eval._data.columns import leaf_mismatch
from pelayanan_eval._data.design import design_report
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._data.units import Unit, Units
from pelayanan_eval._evaluation.aggregation import Aggregation, any_per_group, visit_time
from pelayanan_eval._evaluation.aggregation import aggregate as aggregate_rows
from pelayanan_eval._evaluation.composite import composite
from pelayanan_eval._evaluation.means import LeafMeans, mean_and_roll_up
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._evaluation.rollup import MISSING_POLICIES, roll_up
from pelayanan_eval._evaluation.settings import Settings
from pelayanan_eval._rubric.grading import grade_values
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import (
    DesignWarning,
    MissingScoreError,
    ObservationError,
    OptionError,
    RubricError,
)
from pelayanan_eval.typing import (
    AggregationMethod,
    DesignCheck,
    MissingPolicy,
    NoDataPolicy,
    Order,
    choices,
)

ORDERS = choices(Order)
NEAR_IDS = 400  # ids searched for a did-you-mean: all of a short table, else those near

Array = npt.NDArray[np.float64]


def _positions(units: Units, ids: npt.NDArray[np.str_]) -> npt.NDArray[np.intp] | None:
    """Row in `units` of each id (None: the same ids in the same order); all must be there."""
    if len(units.ids) == len(ids) and bool(np.all(units.ids == ids)):
        return None
    sorter = np.argsort(units.ids, kind="stable")
    ordered = units.ids[sorter]
    found = np.minimum(np.searchsorted(ordered, ids), len(ordered) - 1)
    known = ordered[found] == ids
    if not bool(np.all(known)):
        unknown = np.flatnonzero(~known)
        shown = [f"{str(ids[i])!r}{_close(str(ids[i]), ordered)}" for i in unknown[:20]]
        more = f"; ... and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        raise ObservationError(
            "observations for unit(s) not in units: " + enumerate_limited(shown) + more
        )
    result: npt.NDArray[np.intp] = sorter[found]
    return result


def _close(word: str, ordered: npt.NDArray[np.str_]) -> str:
    """Did-you-mean among the sorted ids near `word` and near its shorter prefixes.

    A long table is not searched whole (difflib on every id costs about
    0.4 s per word among 20,000): a typo after the first characters sorts
    next to the intended id or next to one of its prefixes.
    """
    if len(ordered) <= NEAR_IDS:
        return suggest(word, ordered.tolist())
    near: dict[str, None] = {}
    for cut in range(len(word), max(len(word) - 4, 0), -1):
        at = int(np.searchsorted(ordered, word[:cut]))
        low = max(0, at - NEAR_IDS // 8)
        near.update(dict.fromkeys(ordered[low : low + NEAR_IDS // 4].tolist()))
    return suggest(word, near)


def _reordered(per_unit: npt.NDArray[Any], into: npt.NDArray[np.intp] | None) -> Any:
    """Rows of a per-unit result in the units table's order (`into`: None when it is so)."""
    return per_unit if into is None else per_unit[into]


def _index_and_inner(rolled: Array) -> tuple[Array, Array]:
    """Split rolled-up scores into the index (contiguous) and the other criteria's scores.

    Each later pass over a contiguous index reads one column's bytes, not all of them.
    """
    return np.ascontiguousarray(rolled[:, -1]), rolled[:, :-1]


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
        f"or 'scale_min' to evaluate anyway): " + enumerate_limited(lines),
        missing=pairs,
    )


def evaluate(
    rubric: Rubric,
    observations: Observations,
    *,
    units: Units | Sequence[Unit] | None = None,
    aggregate: AggregationMethod | Aggregation = "mean",
    order: Order = "criteria_first",
    missing: MissingPolicy = "error",
    min_coverage: float | None = None,
    instruments: Mapping[str, Observations] | None = None,
    no_data: NoDataPolicy = "error",
    design: Sequence[DesignCheck] | None = None,
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
        in their order (``observations.unit_ids``: order of first
        appearance, or of the `unit_ids` given with integer codes), without
        names or categories. Every unit must have observations and every
        observation a unit.
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
        aggregate). ``"scale_min"``: a criterion not scored in a visit counts
        as its scale minimum ("no evidence": 0 on the 0-5 scales of 17/2017
        and 29/2022). ``"zero"`` is a deprecated alias of ``"scale_min"``.
    min_coverage
        See `missing` (default 0.5); only with ``missing="renormalize"``.
    instruments
        Records of the rubric's other instruments by id, e.g.
        ``{"F-03": survey}`` (one row per respondent, built on
        ``rubric.instrument_rubric("F-03")``); `observations` are the
        evaluator's (F-02). With them the index is the composite
        ``sum(weight x instrument index)`` of the rubric's instruments (each
        instrument's index: the mean of its items' mean answers); without
        them (default) it is the evaluator's index alone, as for a rubric
        that declares no instruments.
    no_data
        A unit without records for an instrument (or with fewer than its
        ``min_respondents``): ``"error"`` (default) names the units;
        ``"zero"`` counts the instrument as 0 with its weight (as one
        published PEKPPP app does below its target of respondents);
        ``"renormalize"`` weighs the other instruments up to 1 (as another
        does when nobody answered).
    design
        Checks of the visit design that must pass, e.g.
        ``["same_assessor", "category_labels"]`` (``[]``: every check): a
        finding raises ObservationError naming the units instead of being a
        warning. The planned design is two visits by two assessors per unit;
        for other plans, or a period the visits must fall in, run
        ``pelayanan_eval.agreement.design_report(...)`` with them and call its
        ``raise_for``.

    Returns
    -------
    Evaluation

    Raises
    ------
    ObservationError
        Observations scored on other leaves or scales than `rubric`'s
        (weights and grades may differ), units without observations, or
        observations of unknown units; instrument records of an instrument
        the rubric does not declare, or for units not among the units.
    MissingScoreError
        Unscored criteria under ``missing="error"``; units without an
        instrument's records under ``no_data="error"``.
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
    if not isinstance(rubric, Rubric):
        raise RubricError([f"evaluate: expected a Rubric (see load_rubric), got "
                           f"{type(rubric).__name__}"])  # fmt: skip
    if not isinstance(observations, Observations):
        raise ObservationError(
            f"observations must be an Observations, got {type(observations).__name__}"
        )
    mismatch = leaf_mismatch(observations.rubric, rubric)
    if mismatch:
        raise ObservationError(
            f"the observations were scored on the criteria of rubric "
            f"{observations.rubric.id!r}, which differ from those of {rubric.id!r}: {mismatch}"
        )
    method = Aggregation.coerce(aggregate)
    check_option("order", order, ORDERS)
    legacy: str = missing
    if legacy == "zero":
        warnings.warn(
            "missing='zero' is deprecated: it counts an unscored criterion as its scale "
            "minimum, so it is now called missing='scale_min'",
            DeprecationWarning,
            stacklevel=2,
        )
        missing = "scale_min"
    check_option("missing policy", missing, MISSING_POLICIES)
    if min_coverage is None:
        min_coverage = 0.5
    elif missing != "renormalize":
        raise OptionError(
            f"min_coverage applies to missing='renormalize' only, not to missing={missing!r}"
        )
    if isinstance(min_coverage, bool) or not (
        isinstance(min_coverage, int | float) and 0 <= min_coverage <= 1
    ):
        raise OptionError(f"min_coverage must be between 0 and 1, got {min_coverage!r}")

    table = Units.from_arrays(observations.unit_ids) if units is None else Units.coerce(units)
    if design is not None:
        if isinstance(design, str) or not isinstance(design, Sequence):
            raise OptionError(f"design must be a list of check names (e.g. ['same_assessor']), "
                              f"got {design!r}")  # fmt: skip
        with warnings.catch_warnings():  # only the chosen checks matter here
            warnings.simplefilter("ignore", DesignWarning)
            report = design_report(observations, units=table)
        report.raise_for(*design)
    # rows are aggregated by the observations' own unit codes (grouped rows: a reshape, no
    # sort or scatter of the matrix); per-unit results are then put in the table's order
    codes, groups = observations.unit_codes, len(observations.unit_ids)
    # a table built from the observations' own ids is in their order already
    positions = None if units is None else _positions(table, observations.unit_ids)
    per_unit = np.bincount(codes, minlength=groups)
    if positions is None:
        visits, into = per_unit, None
    else:
        visits = np.zeros(len(table), dtype=per_unit.dtype)
        visits[positions] = per_unit
        if not bool(np.all(visits > 0)):
            idle = table.ids[visits == 0].tolist()
            raise ObservationError(
                "unit(s) without observations: " + enumerate_limited([repr(u) for u in idle])
            )
        into = np.empty(groups, dtype=np.intp)
        into[positions] = np.arange(groups)

    complete = observations.complete
    # whole-number scores are averaged from their bytes when nothing else is asked for
    levels = observations._levels
    bytewise = complete and method.method == "mean" and order == "criteria_first"
    values: npt.NDArray[Any] = levels if bytewise and levels is not None else observations.values
    low, high = rubric.leaf_scales
    if missing == "scale_min" and not complete:
        values = np.where(np.isnan(values), low, values)
    time = None
    if method.method == "latest":
        time = visit_time(observations.visit, observations.date, observations.unit_codes,
                          observations.unit_ids)  # fmt: skip
    options: dict[str, Any] = {"time": time, "observers": observations.observer}

    tree = rubric._compiled
    # the commonest case (whole-number scores, all scored, as many visits everywhere): the
    # means and their roll-up in one pass over the bytes
    fused = values.dtype == np.uint8 and missing != "renormalize"
    inner: Array | LeafMeans
    if fused and bool(np.all(per_unit == per_unit[0])):
        means, index = mean_and_roll_up(values, groups, tree.linear, int(high.max()))
        # the other criteria's scores are worked out from the same bytes when read
        leaf_scores, index = means.reordered(into), _reordered(index, into)
        inner = leaf_scores
    elif order == "criteria_first":
        leaf_scores = _reordered(
            aggregate_rows(values, codes, groups, method, complete=complete, **options), into
        )
        if missing == "error" and not complete and np.isnan(leaf_scores).any():
            raise _missing_error(
                leaf_scores, table.ids.tolist(), rubric.leaf_ids, "unit x criterion pair(s)"
            )
        index, inner = _index_and_inner(roll_up(leaf_scores, tree, missing, min_coverage))
    else:
        if missing == "error" and not complete:
            labels = [
                f"unit {u!r} visit {v!r}"
                for u, v in zip(
                    observations.unit.tolist(), observations.visit.tolist(), strict=True
                )
            ]
            raise _missing_error(values, labels, rubric.leaf_ids, "visit x criterion pair(s)")
        leaf_scores = _reordered(
            aggregate_rows(values, codes, groups, method, complete=complete, **options), into
        )
        per_visit = roll_up(values, tree, missing, min_coverage)
        rolled = aggregate_rows(per_visit, codes, groups, method, **options)
        index, inner = _index_and_inner(_reordered(rolled, into))
    weights = rubric.leaf_weights
    if complete:
        coverage = np.broadcast_to(np.float64(1.0), (len(table),))  # read-only, no memory per unit
    else:
        covered = _reordered(any_per_group(~np.isnan(observations.values), codes, groups), into)
        coverage = np.where(covered.all(axis=1), 1.0, covered @ weights / weights.sum())

    parts = None
    if instruments is not None:
        index, parts = composite(rubric, table, (index, visits), instruments, no_data, evaluate)
    elif no_data != "error":
        raise OptionError("no_data applies when instrument records are given (instruments=...)")
    graded = grade_values(
        index, rubric.grades, rubric.rounding, factor=rubric.conversion.factor, nan="blank",
        what=f"the index under rubric {rubric.id!r}",
    ) if rubric.grades.bands else None  # fmt: skip
    reported = index * rubric.conversion.factor if graded is None else graded.reported
    rounded = rubric.rounding.apply(reported) if graded is None else graded.rounded
    grades = np.full(len(table), "", dtype=np.str_) if graded is None else graded.codes
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
            composite="" if parts is None else f"{parts.rule}; no data: {parts.no_data}",
        ),
        node_ids=tree.node_ids[:-1],
        leaf_scores=leaf_scores,
        inner_scores=inner,
        tree=tree,
        index=index,
        reported=reported,
        rounded=rounded,
        grades=grades,
        visits=visits,
        coverage=coverage,
        instruments=parts,
    )
