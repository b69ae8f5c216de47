"""Which source of uncertainty moves the ranks most: visits, weights or the aggregation."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._data.observations import Observations
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.decisions._replicates import aspect_replicates, grade, psd_root, ranks
from pelayanan_eval.decisions._result import Source
from pelayanan_eval.decisions._variance import pooled_variance
from pelayanan_eval.exceptions import ObservationError

Array = npt.NDArray[np.float64]


def weight_draws(
    weights: Array,
    perturb: str,
    spread: float,
    concentration: float,
    replicates: int,
    rng: np.random.Generator,
) -> Array:
    """``[replicates, aspects]`` perturbed aspect weights with the printed total."""
    total = weights.sum()
    if perturb == "uniform":
        draws = weights * rng.uniform(1 - spread, 1 + spread, (replicates, len(weights)))
        result: Array = draws * total / draws.sum(axis=1, keepdims=True)
        return result
    dirichlet: Array = rng.dirichlet(concentration * weights / total, replicates) * total
    return dirichlet


def rank_sources(
    evaluation: Evaluation,
    observations: Observations | None,
    aspects: Array,
    printed: Array,
    perturb: str | None,
    spread: float,
    concentration: float,
    count: int,
    codes: npt.NDArray[np.intp],
    rng: np.random.Generator,
) -> tuple[Source, ...]:
    """Return the mean variance of the ranks with each source varying alone, and all together."""
    root = None
    if observations is not None:
        try:
            root = psd_root(np.asarray(pooled_variance(evaluation, observations).unit_covariance))
        except ObservationError:
            root = None  # one visit per unit: the visits cannot be a source
    fixed = np.broadcast_to(printed, (count, len(printed)))
    draws = (
        fixed
        if perturb is None
        else weight_draws(printed, perturb, spread, concentration, count, rng)
    )
    choice = rng.integers(0, len(aspects), count) if len(aspects) > 1 else None
    settings = evaluation.settings
    varying: dict[str, tuple[Any, Any, Any] | None] = {
        "visits": (None, root, fixed) if root is not None else None,
        "weights": (None, None, draws) if perturb is not None else None,
        "aggregation": (choice, None, fixed) if choice is not None else None,
    }
    active = {name: parts for name, parts in varying.items() if parts is not None}
    if not active:
        return ()
    active["all"] = (choice, root, draws)
    variances = {}
    for name, (chosen, noise, weights) in active.items():  # at most four sources
        index = aspect_replicates(
            aspects,
            chosen,
            noise,
            np.asarray(weights),
            printed.sum(),
            rng,
            renormalize=settings.missing == "renormalize",
            min_coverage=settings.min_coverage,
        )
        rounded = grade(index, evaluation.rubric).rounded
        ranked = ranks(rounded, codes, evaluation.rubric.rounding.digits)
        variances[name] = float(np.nanmean(np.nanvar(ranked, axis=0)))
    total = variances["all"]
    return tuple(
        Source(name, value, value / total if total > 0 else 0.0)
        for name, value in variances.items()
    )
