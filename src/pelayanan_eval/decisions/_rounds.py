"""Evaluation rounds compared: changes beyond noise, grade transitions, gaps, coached units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.decisions._comparison import (
    Coaching,
    Comparison,
    Gap,
    RoundChange,
)
from pelayanan_eval.decisions._result import Uncertainty
from pelayanan_eval.decisions._summary import t_quantile
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.typing import CompareOn, GroupBy, choices

Array = npt.NDArray[np.float64]


def _rounds(
    rounds: Sequence[Evaluation] | Mapping[str, Evaluation], labels: Sequence[str] | None
) -> list[tuple[str, Evaluation]]:
    if isinstance(rounds, Mapping):
        items = [(str(label), ev) for label, ev in rounds.items()]
    else:
        rounds = list(rounds)
        names = [f"round {i + 1}" for i in range(len(rounds))] if labels is None else labels
        if len(names) != len(rounds):
            raise OptionError(f"{len(names)} labels for {len(rounds)} rounds")
        items = [(str(label), ev) for label, ev in zip(names, rounds, strict=True)]
    if len(items) < 2:
        raise OptionError(f"compare needs two or more rounds, got {len(items)}")
    wrong = [
        f"{label}: {type(ev).__name__}" for label, ev in items if not isinstance(ev, Evaluation)
    ]
    if wrong:
        raise OptionError("compare takes Evaluation results, got " + ", ".join(wrong))
    return items


def _criteria(items: list[tuple[str, Evaluation]], on: str) -> tuple[tuple[str, ...], bool]:
    """Return the aspect ids compared, and whether every round used the same rubric."""
    hashes = {ev.settings.rubric_hash for _, ev in items}
    same = len(hashes) == 1
    if not same and on == "same":
        shown = [f"{label}: {ev.rubric.id} ({ev.settings.rubric_hash[:8]})" for label, ev in items]
        raise OptionError(
            "the rounds were evaluated under different rubrics (" + "; ".join(shown) + "): "
            "their indices are not comparable; compare(..., criteria='shared') compares them on "
            "the top-level criteria they share"
        )
    first = items[0][1].score_ids(1)
    shared = tuple(c for c in first if all(c in ev.score_ids(1) for _, ev in items[1:]))
    if not shared:
        raise OptionError("the rounds' rubrics share no top-level criterion id")
    return shared, same


def _matched(
    a: Evaluation, b: Evaluation, la: str, lb: str
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows in `a` and `b` of the units both have, in `b`'s order."""
    ids_a, ids_b = a.units.ids, b.units.ids
    in_a = np.isin(ids_b, ids_a)
    if not in_a.any():
        raise ObservationError(
            f"no unit id of {lb} is in {la} (e.g. "
            f"{enumerate_limited([repr(u) for u in ids_b[:3].tolist()])} against "
            f"{enumerate_limited([repr(u) for u in ids_a[:3].tolist()])}): units are matched by id"
        )
    rows_b = np.flatnonzero(in_a)
    sorter = np.argsort(ids_a, kind="stable")
    rows_a = sorter[np.searchsorted(ids_a[sorter], ids_b[rows_b])]
    return rows_a, rows_b


def _coached(
    a: Evaluation, coached: int | Sequence[str] | None, within: GroupBy | None, label: str
) -> npt.NDArray[np.bool_] | None:
    """Which units of round `a` were coached: its `coached` lowest per group, or named ids."""
    if coached is None:
        return None
    if isinstance(coached, int) and not isinstance(coached, bool):
        if coached < 1:
            raise OptionError(f"coached must be a whole number >= 1 or unit ids, got {coached}")
        codes = None if within is None else a.units.group_codes(within)
        digits = a.rubric.rounding.digits
        scores = a.rounded if digits is None else np.rint(a.rounded * 10.0**digits)
        result: npt.NDArray[np.bool_] = rank(scores, codes, ties="min", descending=False) <= coached
        return result
    if isinstance(coached, str | bool) or not isinstance(coached, Sequence):
        raise OptionError(f"coached must be a whole number or a list of unit ids, got {coached!r}")
    names = [str(unit) for unit in coached]
    unknown = sorted(set(names) - set(a.units.ids.tolist()))
    if unknown:
        raise ObservationError(f"coached unit(s) not in {label}: " + enumerate_limited(unknown))
    return np.isin(a.units.ids, names)


def _gaps(groups: npt.NDArray[np.str_], before: Array, after: Array) -> tuple[Gap, ...]:
    out = []
    for group in np.unique(groups).tolist():  # a few groups (categories)
        mask = (groups == group) & ~np.isnan(before) & ~np.isnan(after)
        if not mask.any():
            continue
        b, a = before[mask], after[mask]
        iqr_b = float(np.subtract(*np.percentile(b, [75, 25])))
        iqr_a = float(np.subtract(*np.percentile(a, [75, 25])))
        range_b, range_a = float(b.max() - b.min()), float(a.max() - a.min())
        out.append(Gap(str(group), range_b, range_a, iqr_b, iqr_a, range_a < range_b))
    return tuple(out)


def _coaching(change: Array, coached: npt.NDArray[np.bool_]) -> Coaching:
    kept = ~np.isnan(change)
    yes, no = change[coached & kept], change[~coached & kept]

    def mean(x: Array) -> float:
        return float(x.mean()) if len(x) else float("nan")

    def var(x: Array) -> float:
        return float(x.var(ddof=1)) / len(x) if len(x) > 1 else float("nan")

    return Coaching(
        len(yes),
        len(no),
        mean(yes),
        mean(no),
        mean(yes) - mean(no),
        float(np.sqrt(var(yes) + var(no))),
    )


def _band_positions(grades: npt.NDArray[np.str_], codes: list[str]) -> npt.NDArray[np.intp]:
    """Position of each grade code among `codes` (-1: no grade)."""
    distinct, inverse = np.unique(grades, return_inverse=True)
    where = {code: i for i, code in enumerate(codes)}
    known = np.array([where.get(str(code), -1) for code in distinct.tolist()], dtype=np.intp)
    result: npt.NDArray[np.intp] = known[inverse.ravel()] if len(grades) else known[:0]
    return result


def _aspect_se(
    ua: Uncertainty | None,
    rows_a: npt.NDArray[np.intp],
    ub: Uncertainty | None,
    rows_b: npt.NDArray[np.intp],
    criteria: tuple[str, ...],
) -> dict[str, Array]:
    """Return the standard error of each aspect's change from both rounds' pooled variances."""
    if ua is None or ub is None or ua.variance is None or ub.variance is None:
        return {}
    va, vb = ua.variance, ub.variance
    out = {}
    for c in criteria:  # a few aspects
        if c in va.columns and c in vb.columns:
            i, j = va.columns.index(c), vb.columns.index(c)
            var = va.unit_covariance[rows_a, i, i] + vb.unit_covariance[rows_b, j, j]
            out[c] = np.sqrt(var)
    return out


def _pair(
    la: str,
    a: Evaluation,
    lb: str,
    b: Evaluation,
    noise: tuple[Uncertainty | None, ...],
    criteria: tuple[str, ...],
    same: bool,
    coached: int | Sequence[str] | None,
    within: GroupBy | None,
    level: float,
) -> RoundChange:
    rows_a, rows_b = _matched(a, b, la, lb)
    ids_b = b.units.ids
    added = tuple(ids_b[~np.isin(ids_b, a.units.ids)].tolist())
    removed = tuple(a.units.ids[~np.isin(a.units.ids, ids_b)].tolist())
    before, after = a.reported[rows_a], b.reported[rows_b]
    change = after - before
    ua, ub = noise
    if ua is not None and ub is not None:
        se = np.hypot(
            ua.index_sd[rows_a] * a.rubric.conversion.factor,
            ub.index_sd[rows_b] * b.rubric.conversion.factor,
        )
    else:
        se = np.full(len(rows_b), np.nan)
    z = t_quantile((1.0 + level) / 2.0, None)
    rank_a, rank_b = a.rank(within)[rows_a], b.rank(within)[rows_b]
    aspects = {c: b.scores(c)[rows_b] - a.scores(c)[rows_a] for c in criteria}
    aspect_se = _aspect_se(ua, rows_a, ub, rows_b, criteria)
    flags = _coached(a, coached, within, la)
    coached_rows = np.zeros(len(rows_a), dtype=bool) if flags is None else flags[rows_a]
    labels = (
        np.full(len(b), "", dtype=np.str_)
        if within is None
        else (b.units.categories if within == "category" else b.units.parents)
    )
    groups = labels[rows_b]
    codes = list(dict.fromkeys([*(band.code for band in a.rubric.grades.bands),
                                *(band.code for band in b.rubric.grades.bands)]))  # fmt: skip
    grades_a, grades_b = a.grades[rows_a], b.grades[rows_b]
    from_code, to_code = _band_positions(grades_a, codes), _band_positions(grades_b, codes)
    known = (from_code >= 0) & (to_code >= 0)
    grid = np.zeros((len(codes), len(codes)), dtype=np.int64)
    np.add.at(grid, (from_code[known], to_code[known]), 1)
    order = np.lexsort((ids_b[rows_b], np.where(np.isnan(change), np.inf, -change), groups))
    first = np.r_[True, groups[order][1:] != groups[order][:-1]] if len(order) else order
    best = {
        str(groups[i]): str(ids_b[rows_b][i])
        for i in order[first].tolist()
        if not np.isnan(change[i])
    }
    with np.errstate(invalid="ignore"):
        beyond = np.where(np.isnan(se), np.nan, np.abs(change) > z * se)
        aspect_beyond = {c: np.abs(aspects[c]) > z * v for c, v in aspect_se.items()}
    columns = {
        "unit": ids_b[rows_b], "name": b.units.names[rows_b], "group": groups,
        "before": before, "after": after, "change": change, "se": se, "beyond_noise": beyond,
        "grade_before": grades_a, "grade_after": grades_b, "rank_before": rank_a,
        "rank_after": rank_b, "rank_move": rank_a - rank_b, "coached": coached_rows,
    }  # fmt: skip
    return RoundChange(
        before=la,
        after=lb,
        criteria=criteria,
        same_rubric=same,
        added=added,
        removed=removed,
        columns=columns,
        aspect_changes=aspects,
        aspect_beyond=aspect_beyond,
        grade_codes=tuple(codes),
        transitions=tuple(map(tuple, grid.tolist())),
        most_improved=best,
        gaps=_gaps(groups, before, after),
        coaching=None if flags is None else _coaching(change, coached_rows),
    )


def compare(
    rounds: Sequence[Evaluation] | Mapping[str, Evaluation],
    *,
    labels: Sequence[str] | None = None,
    noise: Sequence[Uncertainty | None] | None = None,
    criteria: CompareOn = "same",
    coached: int | Sequence[str] | None = 2,
    within: GroupBy | None = "category",
    level: float = 0.9,
) -> Comparison:
    r"""Compare evaluation rounds of the same units, each with the one before it.

    Parameters
    ----------
    rounds
        Two or more evaluations in time order (a mapping gives their labels).
    labels
        Labels of the rounds (default ``"round 1"``, ``"round 2"``, ...).
    noise
        One :class:`Uncertainty` per round (or None), to say which changes
        are beyond the noise of the visits.
    criteria
        ``"same"`` (default): the rounds must share one rubric;
        ``"shared"``: rounds under different rubrics are compared on the
        top-level criteria they share (their indices as each rubric gives them).
    coached
        The units coached after each earlier round: its `coached` lowest per
        group (default 2, ties at the cut in), a list of unit ids, or None.
    within
        Groups for ranks, gaps and the most improved: ``"category"``, ``"parent"`` or None.
    level
        Two-sided level of the "beyond noise" test (default 0.9).

    Returns
    -------
    Comparison

    Raises
    ------
    OptionError
        Fewer than two rounds, rounds under different rubrics without
        ``criteria="shared"``, or bad options.
    ObservationError
        Two consecutive rounds with no unit id in common, or coached ids not in the round.

    Notes
    -----
    Units are matched by id; added and removed units are listed. A change
    :math:`d_u = I_u^{(2)} - I_u^{(1)}` is beyond noise when
    :math:`|d_u| > z_{(1+\text{level})/2} \sqrt{\mathrm{sd}^{(1)2}_u + \mathrm{sd}^{(2)2}_u}`
    (independent visits in the two rounds). Gaps (range and inter-quartile
    range of the index per group) are computed on the matched units of each
    pair, so that a narrowing is not an effect of units added or removed.
    The coached units' advantage is the difference of mean changes with its
    Welch standard error.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import decisions
    >>> city = pe.demo_city()
    >>> first = pe.evaluate(city.rubric, city.observations, units=city.units)
    >>> later = pe.evaluate(city.rubric, pe.demo_city(seed=2018).observations, units=city.units)
    >>> pair = decisions.compare([first, later], labels=["2025", "2026"]).pairs[0]
    >>> len(pair.units), pair.added, pair.removed
    (70, (), ())
    """
    check_option("criteria", criteria, choices(CompareOn))
    if within is not None:
        check_option("within", within, ("category", "parent"))
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise OptionError(f"level must be a number between 0 and 1, got {level!r}")
    items = _rounds(rounds, labels)
    shared, same = _criteria(items, criteria)
    given = [None] * len(items) if noise is None else list(noise)
    if len(given) != len(items):
        raise OptionError(f"noise has {len(given)} entries for {len(items)} rounds")
    for (label, ev), u in zip(items, given, strict=True):
        if u is not None and (not isinstance(u, Uncertainty) or u.evaluation is not ev):
            raise OptionError(f"noise for {label} must be decisions.uncertainty() of that round")
    pairs = tuple(
        _pair(la, a, lb, b, (ua, ub), shared, same, coached, within, level)
        for (la, a), (lb, b), ua, ub in zip(items, items[1:], given, given[1:], strict=False)
    )
    return Comparison(tuple(label for label, _ in items), pairs)
