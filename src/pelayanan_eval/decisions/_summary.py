"""The decisions of replicate cities summarised per unit: P(award), P(grade), rank intervals."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.decisions._replicates import grade, ranks
from pelayanan_eval.decisions._result import Award, Uncertainty
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._uncertainty import normal_quantile
from pelayanan_eval.typing import GroupBy, RankBy

Array = npt.NDArray[np.float64]
BLOCK_CELLS = 1 << 21  # replicate x unit cells ranked at once


@attrs.frozen(eq=False)
class Decisions:
    """The decisions of replicate cities, summarised per unit (see :func:`decide`)."""

    rank: Array
    rank_low: Array
    rank_high: Array
    p_award: Array
    p_coaching: Array
    p_below: Array | None
    p_grades: Array
    grade_codes: tuple[str, ...]
    p_next_grade: Array
    awards: tuple[Award, ...]
    expected_award_changes: float
    expected_coaching_changes: float


def _t_cdf(t: float, df: int) -> float:
    """Student's t CDF for a whole number of degrees of freedom (A&S 26.7.3 and 26.7.4)."""
    theta = math.atan(t / math.sqrt(df))
    sin, cos = math.sin(theta), math.cos(theta)
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for j in range(2, df - 1, 2):  # the series has df / 2 terms
            term *= cos * cos * (j - 1) / j
            total += term
        inside = sin * total
    else:
        term, total = cos, cos if df > 1 else 0.0
        for j in range(3, df - 1, 2):
            term *= cos * cos * (j - 1) / j
            total += term
        inside = 2 / math.pi * (theta + sin * total)
    return 0.5 + 0.5 * inside


def t_quantile(p: float, df: int | None) -> float:
    """Student's t quantile (the normal quantile when `df` is None).

    Below 100 degrees of freedom the exact CDF (A&S 26.7.3-4) is inverted
    by bisection; above, the Cornish-Fisher expansion (A&S 26.7.5) errs by
    less than 1e-6.
    """
    z = normal_quantile(p)
    if df is None:
        return z
    if df < 100:
        low, high = z, z * 20 + 20
        for _ in range(80):
            middle = (low + high) / 2
            low, high = (middle, high) if _t_cdf(middle, df) < p else (low, middle)
        return (low + high) / 2
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def group_codes(evaluation: Evaluation, within: GroupBy | None) -> npt.NDArray[np.intp]:
    """Each unit's group as a code (all 0 for ``within=None``)."""
    if within is None:
        return np.zeros(len(evaluation), dtype=np.intp)
    check_option("within", within, ("category", "parent"))
    return evaluation.units.group_codes(within)


def check_counts(k: object, coaching: object, level: object, clear: object, below: object) -> None:
    """Refuse every bad count, level or threshold together."""
    problems = []
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        problems.append(f"k must be a whole number >= 1, got {k!r}")
    if isinstance(coaching, bool) or not isinstance(coaching, int | np.integer) or coaching < 0:
        problems.append(f"coaching must be a whole number >= 0, got {coaching!r}")
    for name, value, low in (("level", level, 0.0), ("clear", clear, 0.5)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value < 1:
            problems.append(f"{name} must be a number between {low:g} and 1, got {value!r}")
    if below is not None and (
        isinstance(below, bool) or not isinstance(below, int | float) or not math.isfinite(below)
    ):
        problems.append(f"below must be a finite number on the published scale, got {below!r}")
    if problems:
        raise OptionError("; ".join(problems))


def _pairs(
    evaluation: Evaluation, codes: npt.NDArray[np.intp], place: Array, k: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Each award winner and the best unit of its group without an award (-1: none)."""
    ids = evaluation.units.ids
    winners = np.flatnonzero(place <= k)
    others = np.flatnonzero(place > k)
    groups = int(codes.max()) + 1 if len(codes) else 0
    follower = np.full(groups, -1, dtype=np.intp)
    if len(others):
        ordered = others[np.lexsort((ids[others], place[others], codes[others]))]
        first = np.r_[True, codes[ordered][1:] != codes[ordered][:-1]]
        follower[codes[ordered][first]] = ordered[first]
    return winners, follower[codes[winners]]


@attrs.frozen(eq=False)
class _Tally:
    award: Array
    coaching: Array
    below: Array
    grades: npt.NDArray[np.int64]
    ahead: Array
    ranks: npt.NDArray[np.float32]  # [units, replicates]


def _tally(evaluation: Evaluation, index: Array, codes: npt.NDArray[np.intp], by: str, k: int,
           coaching: int, below: float | None, winners: npt.NDArray[np.intp],
           chasing: npt.NDArray[np.intp]) -> _Tally:  # fmt: skip
    """Count the decisions of every replicate, a block of replicates at a time.

    Blocks of about two million cells bound the ranking's work arrays (at
    100,000 units x 200 replicates, about half the time of one pass).
    """
    rubric = evaluation.rubric
    digits = rubric.rounding.digits if by == "rounded" else None
    replicates, units = index.shape
    bands = max(len(rubric.grades.bands), 1)
    award, coach, under = np.zeros(units), np.zeros(units), np.zeros(units)
    grades = np.zeros(units * bands, dtype=np.int64)
    present = chasing >= 0
    ahead = np.zeros(len(winners))
    stored = np.empty((units, replicates), dtype=np.float32)
    cells = np.arange(units) * bands
    step = max(1, BLOCK_CELLS // max(units, 1))
    for start in range(0, replicates, step):  # blocks of replicates, each vectorised
        block = index[start : start + step]
        graded = grade(block, rubric)
        values = graded.rounded if by == "rounded" else block * rubric.conversion.factor
        top = ranks(values, codes, digits)
        award += (top <= k).sum(axis=0)
        if coaching:
            coach += (ranks(values, codes, digits, best=False) <= coaching).sum(axis=0)
        if below is not None:
            under += (graded.rounded < below).sum(axis=0)
        kept = graded.positions >= 0
        grades += np.bincount((cells + graded.positions)[kept], minlength=units * bands)
        stored[:, start : start + step] = top.T
        if present.any():
            mine, theirs = values[:, winners[present]], values[:, chasing[present]]
            ahead[present] += (mine > theirs).sum(axis=0)
    return _Tally(award, coach, under, grades.reshape(units, bands), ahead, stored)


def _rank_interval(stored: npt.NDArray[np.float32], level: float) -> tuple[Array, Array]:
    """Return the ``(1 - level) / 2`` ("lower") and ``(1 + level) / 2`` ("higher") quantiles."""
    tail = (1.0 - level) / 2.0
    if np.isnan(stored).any():
        low = np.nanquantile(stored, tail, axis=1, method="lower")
        high = np.nanquantile(stored, 1 - tail, axis=1, method="higher")
        return low.astype(np.float64), high.astype(np.float64)
    last = stored.shape[1] - 1
    first, second = math.floor(tail * last), math.ceil((1 - tail) * last)
    parted = np.partition(stored, [first, second], axis=1)  # as numpy's "lower" / "higher"
    return parted[:, first].astype(np.float64), parted[:, second].astype(np.float64)


def decide(
    evaluation: Evaluation,
    index: Array,
    *,
    within: GroupBy | None = "category",
    k: int = 2,
    coaching: int = 2,
    below: float | None = None,
    by: RankBy = "rounded",
    level: float = 0.9,
    clear: float = 0.95,
) -> Decisions:
    """Summarise ``[replicates, units]`` simulated indices into the city's decisions."""
    rubric = evaluation.rubric
    codes = group_codes(evaluation, within)
    digits = rubric.rounding.digits if by == "rounded" else None
    observed = evaluation.rounded if by == "rounded" else evaluation.reported
    place = evaluation.rank(within, ties="min", by=by)
    scaled = observed if digits is None else np.rint(observed * 10.0**digits)
    from_bottom = rank(scaled, codes, ties="min", descending=False)
    unranked = np.isnan(observed)
    winners, chasing = _pairs(evaluation, codes, place, k)
    tally = _tally(evaluation, index, codes, by, k, coaching, below, winners, chasing)
    replicates, units = index.shape
    p_award = np.where(unranked, np.nan, tally.award / replicates)
    p_coaching = np.where(unranked, np.nan, tally.coaching / replicates)
    p_below = None if below is None else np.where(unranked, np.nan, tally.below / replicates)
    low, high = _rank_interval(tally.ranks, level)
    shares: Array = np.where(unranked[:, None], np.nan, tally.grades / replicates)
    codes_of = tuple(band.code for band in rubric.grades.bands)
    position = np.full(units, -1, dtype=np.intp)
    for j, code in enumerate(codes_of):
        position[evaluation.grades == code] = j
    better = np.cumsum(shares, axis=1)
    p_next = np.where(position > 0, better[np.arange(units), np.maximum(position - 1, 0)], 0.0)
    p_next = np.where(position < 0, np.nan, p_next)
    expected_awards = float(np.nansum(np.abs(p_award - (place <= k))))
    expected_coaching = float(np.nansum(np.abs(p_coaching - (from_bottom <= coaching))))
    awards = _award_table(evaluation, winners, chasing, tally.ahead / replicates, place, clear,
                          p_award, within)  # fmt: skip
    return Decisions(
        rank=place,
        rank_low=np.where(unranked, np.nan, low),
        rank_high=np.where(unranked, np.nan, high),
        p_award=p_award,
        p_coaching=p_coaching,
        p_below=p_below,
        p_grades=shares,
        grade_codes=codes_of,
        p_next_grade=p_next,
        awards=awards,
        expected_award_changes=expected_awards,
        expected_coaching_changes=expected_coaching,
    )


def _award_table(
    evaluation: Evaluation,
    winners: npt.NDArray[np.intp],
    chasing: npt.NDArray[np.intp],
    ahead: Array,
    place: Array,
    clear: float,
    p_award: Array,
    within: GroupBy | None,
) -> tuple[Award, ...]:
    """Each award with the group's best unit without one and the share of replicates ahead."""
    ids = evaluation.units.ids
    codes = group_codes(evaluation, within)
    labels = evaluation.units.categories if within == "category" else evaluation.units.parents
    order = np.lexsort((ids[winners], place[winners], codes[winners]))
    rows = []
    for j in order.tolist():
        i, n = int(winners[j]), int(chasing[j])
        rows.append(
            Award(
                group="" if within is None else str(labels[i]),
                unit=str(ids[i]),
                name=str(evaluation.units.names[i]),
                rank=float(place[i]),
                rounded=float(evaluation.rounded[i]),
                p_award=float(p_award[i]),
                next_unit="" if n < 0 else str(ids[n]),
                next_rounded=math.nan if n < 0 else float(evaluation.rounded[n]),
                p_ahead=1.0 if n < 0 else float(ahead[j]),
                verdict="clear" if n < 0 or ahead[j] >= clear else "tied",
            )
        )
    return tuple(rows)


def result(
    evaluation: Evaluation,
    summary: Decisions,
    method: str,
    count: int,
    level: float,
    within: GroupBy | None,
    sd: Array,
    low: Array,
    high: Array,
    variance: Any,
    *,
    k: int,
    coaching: int,
    below: float | None,
) -> Uncertainty:
    """Assemble the result from the summary and the index intervals."""
    return Uncertainty(
        evaluation=evaluation,
        method=method,
        replicates=count,
        level=level,
        k=k,
        coaching=coaching,
        below=below,
        within=within,
        index_sd=sd,
        index_low=low,
        index_high=high,
        rank=summary.rank,
        rank_low=summary.rank_low,
        rank_high=summary.rank_high,
        p_award=summary.p_award,
        p_coaching=summary.p_coaching,
        p_below=summary.p_below,
        p_grades=summary.p_grades,
        grade_codes=summary.grade_codes,
        p_next_grade=summary.p_next_grade,
        awards=summary.awards,
        expected_award_changes=summary.expected_award_changes,
        expected_coaching_changes=summary.expected_coaching_changes,
        variance=variance,
    )
