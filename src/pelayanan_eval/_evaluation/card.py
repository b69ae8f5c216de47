"""The report card of one unit: where it lost points and the shortest path to the next grade."""

from __future__ import annotations

import html

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._data.units import Unit
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.compiled import Compiled
from pelayanan_eval._rubric.grading import Grade, grade_values
from pelayanan_eval._rubric.model import Rubric

LOSSES_SHOWN = 5


@attrs.frozen
class AspectLine:
    """A top-level criterion on the card: weight, the unit's score, its category's mean and best."""

    id: str
    name: str
    weight: float
    score: float
    category_mean: float
    category_best: float


@attrs.frozen
class Loss:
    """Weighted index points a criterion lost: ``weight x (scale max - score) x conversion``."""

    id: str
    name: str
    score: float
    max: float
    points: float


@attrs.frozen
class Step:
    """Raise criterion `id` from `before` to `after`, one level at a time, gaining `gain`."""

    id: str
    name: str
    before: float
    after: float
    gain: float


@attrs.frozen
class NextGrade:
    """The fewest one-level improvements that lift the rounded index into the next band."""

    code: str
    label: str
    lower: float
    steps: tuple[Step, ...]
    levels: int
    reaches: float


@attrs.frozen
class ReportCard:
    """A unit's report card: index, grade, rank, aspects, losses, path to the next grade.

    ``str(card)`` renders it as text; in a notebook it renders as HTML.
    ``next_grade`` is None at the top band, or when the path cannot be
    computed (``note`` says why). ``unscored`` lists the criteria no visit
    scored (possible under ``missing="renormalize"``); they are not among
    the ``losses``.
    """

    unit: Unit
    rubric_id: str
    index: float
    reported: float
    rounded: float
    grade: Grade | None
    rank: float
    ranked_in_group: int
    visits: int
    coverage: float
    aspects: tuple[AspectLine, ...]
    losses: tuple[Loss, ...]
    next_grade: NextGrade | None
    note: str
    unscored: tuple[str, ...] = ()
    instruments: tuple[tuple[str, float, int], ...] = ()  # (id, index, records) per instrument
    composite: str = ""  # the instruments' rule, when the index is a composite

    def __str__(self) -> str:
        unit = self.unit
        lines = [
            f"Report card: {unit.name or unit.id} ({unit.id})"
            + (f", category {unit.category}" if unit.category else ""),
            f"rubric {self.rubric_id}; {self.visits} visit(s); coverage {self.coverage:.0%}",
            (
                f"index {self.rounded:.2f}"
                if self.reported == self.index
                else f"index {self.index:.4g}, reported {self.rounded:.2f}"
            )
            + (f" -> grade {self.grade}" if self.grade else " (no grade)")
            + (
                f"; rank {self.rank:g} of {self.ranked_in_group}" if not np.isnan(self.rank) else ""
            ),
            "",
            f"{'aspect':<40} {'weight':>7} {'score':>6} {'cat.mean':>8} {'cat.best':>8}",
        ]
        if self.instruments:
            parts = ", ".join(f"{i} {x:.2f} ({n} records)" if x == x else f"{i} - (no data)"
                              for i, x, n in self.instruments)  # fmt: skip
            lines[3:3] = [f"composite {self.composite}: {parts}"]
        for a in self.aspects:
            lines.append(
                f"{a.name[:40]:<40} {a.weight:>7.1%} {a.score:>6.2f} "
                f"{a.category_mean:>8.2f} {a.category_best:>8.2f}"
            )
        if self.losses:
            lines += ["", "criteria that lost the most weighted points:"]
            for loss in self.losses:
                lines.append(
                    f"  {loss.id:<10} {loss.name[:48]:<48} {loss.score:.2f}/{loss.max:g}"
                    f"  -{loss.points:.3f}"
                )
        if self.unscored:
            lines += ["", "criteria not scored in any visit: " + ", ".join(self.unscored)]
        lines.append("")
        if self.next_grade is None:
            lines.append(self.note)
        else:
            nxt = self.next_grade
            lines.append(
                f"path to {nxt.code} ({nxt.label}), from {nxt.lower:g}: raise {nxt.levels} "
                f"level(s) on {len(nxt.steps)} criteria"
                + (f" of {self.instruments[0][0]}" if self.instruments else "")
                + f", reaching {nxt.reaches:.2f}"
            )
            for step in nxt.steps:
                lines.append(
                    f"  {step.id:<10} {step.name[:48]:<48} {step.before:g} -> {step.after:g}"
                    f"  +{step.gain:.3f}"
                )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def path_to_next_grade(
    rubric: Rubric,
    leaf_scores: npt.NDArray[np.float64],
    reported: float,
    now: int | None = None,
    share: float = 1.0,
) -> NextGrade | str:
    """Find the fewest one-level leaf improvements reaching the next band, or say why not.

    Each one-level step raises a leaf by 1 (the last step to the scale
    maximum may be partial) and adds ``weight x step x conversion`` to the
    index. Taking steps in order of decreasing gain is optimal: for any
    number of steps k, the largest reachable gain is the sum of the k
    largest step gains (a leaf's later steps never gain more than its
    earlier ones, so this choice is always feasible), hence the first k
    whose sum reaches the next band's lower bound is the minimum. `now` is
    the band position of `reported`, when the caller graded it already;
    `share` is the criteria's instrument's weight in a composite index (the
    other instruments' indices stay as they are).
    """
    bands = rubric.grades.bands
    if not bands:
        return "the rubric has no grades"
    if now is None:
        now = int(grade_values(reported, rubric.grades, rubric.rounding).positions)
    if now == 0:
        return f"already in the top band ({bands[0].code})"
    target = bands[now - 1]
    _, high = rubric.leaf_scales
    factor = rubric.leaf_weights * rubric.conversion.factor * share
    room = np.maximum(high - leaf_scores, 0.0)
    full = np.floor(room + 1e-9).astype(np.int64)
    partial = room - full
    partly = (partial > 1e-9).nonzero()[0]
    leaf_of = np.concatenate([np.arange(len(room)).repeat(full), partly])
    size = np.concatenate([np.ones(int(full.sum())), partial[partly]])
    gains = factor[leaf_of] * size
    order = np.lexsort((-size, leaf_of, -gains))
    reach = reported + np.cumsum(gains[order])
    reached = grade_values(reach, rubric.grades, rubric.rounding)
    enough = np.flatnonzero(reached.positions < now)
    if len(enough) == 0:
        return f"{target.code} cannot be reached even with every criterion at its maximum"
    count = int(enough[0]) + 1
    chosen_leaf = leaf_of[order[:count]]
    # a leaf's one-level steps are 1.0 each and at most one partial step: exact in any order
    raised = np.bincount(chosen_leaf, weights=size[order[:count]], minlength=len(room))
    steps = []
    for leaf in dict.fromkeys(chosen_leaf.tolist()):
        node, before, up = rubric.leaves[leaf], float(leaf_scores[leaf]), float(raised[leaf])
        steps.append(Step(node.id, node.name, before, before + up, float(factor[leaf] * up)))
    return NextGrade(
        target.code, target.label, target.min, tuple(steps), count,
        float(reached.rounded[count - 1]),
    )  # fmt: skip


def _effective_weights(
    compiled: Compiled, leaf_scores: npt.NDArray[np.float64], min_coverage: float
) -> npt.NDArray[np.float64]:
    """Each scored leaf's weight in this unit's index once unscored siblings' weight is re-spread.

    With the unscored leaves fixed, the renormalised index is linear in the
    scored ones: the weight of leaf j is the index of "1 on leaf j, 0 on the
    other scored leaves".
    """
    scored = np.flatnonzero(~np.isnan(leaf_scores))
    probes = np.tile(np.where(np.isnan(leaf_scores), np.nan, 0.0), (len(scored), 1))
    probes[np.arange(len(scored)), scored] = 1.0
    index = roll_up(probes, compiled, "renormalize", min_coverage)
    weights = np.full(len(leaf_scores), np.nan)
    weights[scored] = index[:, -1]
    return weights


def group_statistics(
    scores: npt.NDArray[np.float64], codes: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mean and best score of each column within each group (NaN ignored), ``[groups, columns]``."""
    groups = int(codes.max()) + 1
    scored = ~np.isnan(scores)
    counts = np.zeros((groups, scores.shape[1]))
    np.add.at(counts, codes, scored)
    sums = np.zeros((groups, scores.shape[1]))
    np.add.at(sums, codes, np.where(scored, scores, 0.0))
    bests = np.full((groups, scores.shape[1]), -np.inf)
    np.fmax.at(bests, codes, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    bests[counts == 0] = np.nan
    return means, bests


@attrs.frozen(eq=False)
class Categories:
    """What every card of an evaluation shares: the aspects and each category's figures."""

    codes: npt.NDArray[np.intp]  # each unit's category
    ranks: npt.NDArray[np.float64]  # rank within the category
    aspects: tuple[tuple[str, str, float], ...]  # top-level criteria: id, name, weight
    scores: npt.NDArray[np.float64]  # [units, aspects]
    means: npt.NDArray[np.float64]  # [categories, aspects]
    bests: npt.NDArray[np.float64]  # [categories, aspects]
    ranked: npt.NDArray[np.int64]  # units ranked in each category


def categories(
    rubric: Rubric,
    codes: npt.NDArray[np.intp],
    ranks: npt.NDArray[np.float64],
    aspect_ids: tuple[str, ...],
    scores: npt.NDArray[np.float64],
) -> Categories:
    """Collect, once per evaluation, what the cards of all its units share."""
    means, bests = group_statistics(scores, codes)
    ranked = np.bincount(codes[~np.isnan(ranks)], minlength=len(means))
    aspects = tuple((a, rubric[a].name, rubric.weight_of(a)) for a in aspect_ids)
    return Categories(codes, ranks, aspects, scores, means, bests, ranked)


@attrs.frozen
class UnitFigures:
    """One unit's row of an evaluation, as the card needs it."""

    unit: Unit
    leaf_scores: npt.NDArray[np.float64]
    aspect_scores: npt.NDArray[np.float64]
    index: float
    reported: float
    rounded: float
    grade: Grade | None
    band: int | None  # position of the grade's band (0 = top), None without a grade
    rank: float
    visits: int
    coverage: float
    share: float = 1.0  # the evaluator's weight in this unit's composite index
    instruments: tuple[tuple[str, float, int], ...] = ()
    composite: str = ""


def build_card(
    rubric: Rubric,
    figures: UnitFigures,
    *,
    aspects: tuple[tuple[str, str, float], ...],
    category_mean: npt.NDArray[np.float64],
    category_best: npt.NDArray[np.float64],
    ranked_in_group: int,
    missing: str,
    min_coverage: float,
) -> ReportCard:
    """Assemble one unit's report card from its figures and its category's statistics.

    `aspects` gives each top-level criterion's id, name and effective weight.
    """
    lines = tuple(
        AspectLine(node_id, name, weight, float(figures.aspect_scores[j]),
                   float(category_mean[j]), float(category_best[j]))
        for j, (node_id, name, weight) in enumerate(aspects)
    )  # fmt: skip
    leaf_scores = figures.leaf_scores
    unscored = np.isnan(leaf_scores).nonzero()[0].tolist()
    _, high = rubric.leaf_scales
    weights = rubric.leaf_weights
    if unscored and missing == "renormalize":
        weights = _effective_weights(rubric._compiled, leaf_scores, min_coverage)
    lost = weights * (high - leaf_scores) * rubric.conversion.factor * figures.share
    order = (-lost).argsort(kind="stable")  # NaN last; unscored leaves lose nothing here
    worst = order[lost[order] > 1e-12][:LOSSES_SHOWN].tolist()
    losses = tuple(
        Loss(rubric.leaves[j].id, rubric.leaves[j].name, float(leaf_scores[j]),
             float(high[j]), float(lost[j]))
        for j in worst
    )  # fmt: skip
    note = ""
    next_grade: NextGrade | None = None
    if np.isnan(figures.reported):
        note = "no index: too few criteria scored (missing='renormalize')"
    elif unscored:
        note = "path to the next grade not computed: some criteria are unscored"
    else:
        found = path_to_next_grade(
            rubric, leaf_scores, figures.reported, figures.band, figures.share
        )
        if isinstance(found, NextGrade):
            next_grade = found
        else:
            note = found
    return ReportCard(
        unit=figures.unit,
        rubric_id=rubric.id,
        index=figures.index,
        reported=figures.reported,
        rounded=figures.rounded,
        grade=figures.grade,
        rank=figures.rank,
        ranked_in_group=ranked_in_group,
        visits=figures.visits,
        coverage=figures.coverage,
        aspects=lines,
        losses=losses,
        next_grade=next_grade,
        note=note,
        unscored=tuple(rubric.leaf_ids[j] for j in unscored),
        instruments=figures.instruments,
        composite=figures.composite,
    )
