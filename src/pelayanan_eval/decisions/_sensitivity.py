"""Sensitivity of the decisions to the weights, the aggregation and the missing-data policy."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._evaluation.engine import evaluate
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.decisions._replicates import (
    aspect_replicates,
    check_replicates,
    generator,
    grade,
)
from pelayanan_eval.decisions._result import Change, Scenario, Sensitivity, Source
from pelayanan_eval.decisions._sources import rank_sources, weight_draws
from pelayanan_eval.decisions._summary import check_counts, decide, group_codes, result
from pelayanan_eval.decisions._variance import aspect_weights, check_single
from pelayanan_eval.exceptions import OptionError, RubricError
from pelayanan_eval.typing import AggregationMethod, GroupBy, MissingPolicy, Perturbation, choices

Array = npt.NDArray[np.float64]


def _alternatives(rubric: Rubric, weights: Mapping[str, Mapping[str, Any]]) -> dict[str, Rubric]:
    """Each named weight set as a re-validated rubric; every problem of every set in one error."""
    if not isinstance(weights, Mapping):
        raise OptionError(
            "weights must map a scenario name to {criterion id: weight}, got "
            f"{type(weights).__name__}"
        )
    out, problems = {}, []
    for name, mapping in weights.items():
        try:
            out[str(name)] = rubric.with_weights(mapping)
        except RubricError as error:
            problems += [f"weights {name!r}: {problem}" for problem in error.problems]
    if problems:
        raise RubricError(problems, source=rubric.id)
    return out


def _rounded_ranks(
    evaluation: Evaluation, rounded: Array, codes: npt.NDArray[np.intp], *, best: bool = True
) -> Array:
    digits = evaluation.rubric.rounding.digits
    scores = rounded if digits is None else np.rint(rounded * 10.0**digits)
    return rank(scores, codes, ties="min", descending=best)


def _scenario(
    name: str,
    kind: str,
    description: str,
    evaluation: Evaluation,
    index: Array,
    codes: npt.NDArray[np.intp],
    k: int,
    coaching: int,
) -> tuple[Scenario, list[Change]]:
    """Compare one scenario's indices with the evaluation's: counts and the changed units."""
    graded = grade(index[None, :], evaluation.rubric)
    rounded, positions = graded.rounded[0], graded.positions[0]
    bands = np.array([band.code for band in evaluation.rubric.grades.bands] + [""])
    grades = bands[positions]
    place = _rounded_ranks(evaluation, evaluation.rounded, codes)
    after = _rounded_ranks(evaluation, rounded, codes)
    bottom = _rounded_ranks(evaluation, evaluation.rounded, codes, best=False)
    bottom_after = _rounded_ranks(evaluation, rounded, codes, best=False)
    award, award_after = place <= k, after <= k
    coach, coach_after = bottom <= coaching, bottom_after <= coaching
    moved = ~((place == after) | (np.isnan(place) & np.isnan(after)))
    regraded = grades != evaluation.grades
    changed = moved | regraded | (award != award_after) | (coach != coach_after)
    ids = evaluation.units.ids
    changes = [
        Change(
            scenario=name,
            unit=str(ids[i]),
            index_before=float(evaluation.index[i]),
            index_after=float(index[i]),
            rounded_before=float(evaluation.rounded[i]),
            rounded_after=float(rounded[i]),
            rank_before=float(place[i]),
            rank_after=float(after[i]),
            grade_before=str(evaluation.grades[i]),
            grade_after=str(grades[i]),
            award_before=bool(award[i]),
            award_after=bool(award_after[i]),
            coaching_before=bool(coach[i]),
            coaching_after=bool(coach_after[i]),
        )
        for i in np.flatnonzero(changed).tolist()
    ]
    with np.errstate(invalid="ignore"):
        move = np.nanmax(np.abs(after - place), initial=0.0)
        shift = np.nanmax(np.abs(index - evaluation.index), initial=0.0)
    summary = Scenario(
        name=name,
        kind=kind,
        description=description,
        rank_changes=int(moved.sum()),
        grade_changes=int(regraded.sum()),
        award_changes=int((award != award_after).sum()),
        coaching_changes=int((coach != coach_after).sum()),
        largest_rank_move=float(move),
        largest_index_change=float(shift),
    )
    return summary, changes


def _reevaluate(
    evaluation: Evaluation, observations: Observations | None, what: str, **options: Any
) -> Evaluation:
    if observations is None:
        raise OptionError(f"{what} needs the observations the evaluation was computed from")
    s = evaluation.settings
    settings: dict[str, Any] = {"aggregate": s.aggregation, "order": s.order, "missing": s.missing}
    settings.update(options)
    if settings["missing"] == "renormalize":
        settings.setdefault("min_coverage", s.min_coverage)
    rubric = settings.pop("rubric", evaluation.rubric)
    return evaluate(rubric, observations, units=evaluation.units, **settings)


def sensitivity(
    evaluation: Evaluation,
    observations: Observations | None = None,
    *,
    weights: Mapping[str, Mapping[str, float | str]] | None = None,
    perturb: Perturbation | None = None,
    spread: float = 0.2,
    concentration: float = 100.0,
    aggregations: Sequence[AggregationMethod] = (),
    missing: Sequence[MissingPolicy] = (),
    replicates: int = 1000,
    sources: bool = True,
    k: int = 2,
    coaching: int = 2,
    within: GroupBy | None = "category",
    rng: np.random.Generator | int | None = None,
) -> Sensitivity:
    r"""Re-score the units under other weights, aggregations and missing policies: what changes.

    Parameters
    ----------
    evaluation
        The result of :func:`pelayanan_eval.evaluate`.
    observations
        Its observations: needed for other aggregations or missing policies,
        for weights under ``order="visits_first"`` and for the visits in
        the summary of sources.
    weights
        Named alternative weight sets, each ``{criterion id: weight}`` as
        :meth:`~pelayanan_eval.Rubric.with_weights` takes it (siblings must
        still sum to 100 %), e.g. ``{"12/10": {"konsultasi-pengaduan":
        "12%", "inovasi": "10%"}}``.
    perturb
        ``"dirichlet"``: aspect weights drawn from a Dirichlet distribution
        with mean the printed weights and concentration `concentration`;
        ``"uniform"``: each aspect weight times a uniform factor in
        ``1 +/- spread``, then scaled back to the printed total. None: no
        random perturbation.
    aggregations, missing
        Other aggregation methods and missing-data policies to try.
    replicates
        Draws of the perturbed weights and of the summary of sources (at least 100).
    sources
        Also summarise which source (visits, weights, aggregation) moves the ranks most.
    k, coaching, within
        The awards, the coaching list and the groups, as in :func:`uncertainty`.
    rng
        A numpy Generator, a seed or None.

    Returns
    -------
    Sensitivity

    Raises
    ------
    RubricError
        A weight set naming unknown criteria or whose siblings do not sum
        to 100 % (every problem of every set in one error).
    OptionError
        Unknown options, too few replicates, or observations needed and not given.

    Notes
    -----
    Under ``order="criteria_first"`` a weight set re-rolls the evaluation's
    aggregated criterion scores up the new tree; otherwise each scenario is
    a full re-evaluation. Perturbations act on the aspect (top-level)
    weights: index :math:`I^{(r)}_u = \sum_a w^{(r)}_a A_{ua}`. The summary
    of sources draws replicates in which one source varies at a time
    (visit noise from the pooled model, perturbed weights, an aggregation
    chosen at random among the baseline and `aggregations`) and all
    together; for each it gives the mean over units of the variance of the
    rank and its share of the joint variance. These one-at-a-time shares
    (cf. the first-order indices of a variance-based sensitivity analysis)
    need not sum to 1: what is left is interaction.

    References
    ----------
    Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*.
    Wiley. Becker, W. et al. (2022). COINr: An R package for developing
    composite indicators. *Journal of Open Source Software* 7(78), 4567.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import decisions
    >>> city = pe.demo_city()
    >>> ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    >>> same = decisions.sensitivity(ev, weights={"printed": {"inovasi": "7%"}}, sources=False)
    >>> same.changes
    ()
    """
    check_single(evaluation, "sensitivity()")
    count = check_replicates(replicates)
    check_counts(k, coaching, 0.9, 0.95, None)
    if perturb is not None:
        check_option("perturb", perturb, choices(Perturbation))
    for name, value, low, high in (
        ("spread", spread, 0.0, 1.0),
        ("concentration", concentration, 0.0, math.inf),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value < high:
            raise OptionError(
                f"{name} must be a number between {low:g} and {high:g}, got {value!r}"
            )
    for method in aggregations:
        check_option("aggregation", method, choices(AggregationMethod))
    for policy in missing:
        check_option("missing policy", policy, choices(MissingPolicy))
    random = generator(rng)
    codes = group_codes(evaluation, within)
    settings = evaluation.settings
    scenarios: list[Scenario] = []
    changes: list[Change] = []

    def add(name: str, kind: str, description: str, index: Array) -> None:
        summary, changed = _scenario(name, kind, description, evaluation, index, codes, k, coaching)
        scenarios.append(summary)
        changes.extend(changed)

    for name, rubric in _alternatives(evaluation.rubric, weights or {}).items():
        described = ", ".join(f"{key}={value}" for key, value in (weights or {})[name].items())
        if settings.order == "criteria_first":
            tree = rubric._compiled
            index = roll_up(
                np.asarray(evaluation.leaf_scores), tree, settings.missing, settings.min_coverage
            )[:, -1]
        else:
            index = _reevaluate(
                evaluation, observations, "weights under visits_first", rubric=rubric
            ).index
        add(name, "weights", described, index)
    aspect_sets = [np.asarray(evaluation.scores(1))]
    for method in aggregations:
        other = _reevaluate(evaluation, observations, "another aggregation", aggregate=method)
        add(f"aggregate={method}", "aggregation", f"visits combined by {method}", other.index)
        aspect_sets.append(np.asarray(other.scores(1)))
    for policy in missing:
        other = _reevaluate(evaluation, observations, "another missing policy", missing=policy)
        add(f"missing={policy}", "missing", f"unscored criteria: {policy}", other.index)

    tree = evaluation.rubric._compiled
    printed = aspect_weights(tree)
    renormalize = settings.missing == "renormalize"
    perturbed = None
    if perturb is not None:
        draws = weight_draws(printed, perturb, spread, concentration, count, random)
        index = aspect_replicates(
            aspect_sets[0][None],
            None,
            None,
            draws,
            printed.sum(),
            random,
            renormalize=renormalize,
            min_coverage=settings.min_coverage,
        )
        summary = decide(evaluation, index, within=within, k=k, coaching=coaching)
        low, high = np.nanquantile(index, [0.05, 0.95], axis=0)
        perturbed = result(
            evaluation,
            summary,
            f"weights:{perturb}",
            count,
            0.9,
            within,
            np.nanstd(index, axis=0, ddof=1),
            low,
            high,
            None,
            k=k,
            coaching=coaching,
            below=None,
        )
    found: tuple[Source, ...] = ()
    if sources:
        found = rank_sources(
            evaluation,
            observations,
            np.stack(aspect_sets),
            printed,
            perturb,
            spread,
            concentration,
            count,
            codes,
            random,
        )
    return Sensitivity(evaluation, tuple(scenarios), tuple(changes), perturbed, found)
