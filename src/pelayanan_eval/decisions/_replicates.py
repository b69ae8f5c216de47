"""Simulated replicates of a city: ``[replicates, units]`` arrays, never a loop over either."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._data.observations import Observations
from pelayanan_eval._evaluation.aggregation import aggregate, visit_time
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.grading import grade_values
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError

Array = npt.NDArray[np.float64]
MIN_REPLICATES = 100  # below this a probability's Monte Carlo error exceeds 0.05
CHUNK_CELLS = 1 << 22  # float64 cells of one block of replicates (32 MiB)


def check_replicates(replicates: object) -> int:
    """Return the replicate count, or refuse one that is not a whole number >= the minimum."""
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer):
        raise OptionError(f"replicates must be a whole number, got {replicates!r}")
    if replicates < MIN_REPLICATES:
        raise OptionError(
            f"replicates must be at least {MIN_REPLICATES} (the Monte Carlo error of a "
            f"probability is up to 0.5/sqrt(replicates)), got {replicates}"
        )
    return int(replicates)


def generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a Generator from a Generator, a seed or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, int | np.integer)):
        raise OptionError(
            f"rng must be a numpy Generator, a whole-number seed or None, got {rng!r}"
        )
    return np.random.default_rng(rng)


@attrs.frozen(eq=False)
class Graded:
    """Replicates graded as the rubric grades: published value, band position (-1: none)."""

    rounded: Array
    positions: npt.NDArray[np.intp]


def grade(index: Array, rubric: Rubric) -> Graded:
    """Convert, round and band replicate indices through the library's one grading path."""
    if not rubric.grades.bands:
        rounded = rubric.rounding.apply(index * rubric.conversion.factor)
        return Graded(rounded, np.full(index.shape, -1, dtype=np.intp))
    graded = grade_values(
        index,
        rubric.grades,
        rubric.rounding,
        factor=rubric.conversion.factor,
        nan="blank",
        what="simulated indices",
    )
    return Graded(graded.rounded, graded.positions)


def ranks(
    values: Array, codes: npt.NDArray[np.intp], digits: int | None, *, best: bool = True
) -> Array:
    """Competition ("min") ranks within groups in every replicate row, in one ranking call.

    Replicate ``r``'s group ``g`` is the group ``r * groups + g`` of one
    flat ranking; published values (whole hundredths) are ranked by
    counting, not sorting.
    """
    replicates, units = values.shape
    groups = int(codes.max()) + 1 if units else 1
    flat_groups = (np.arange(replicates)[:, None] * groups + codes[None, :]).ravel()
    scores = values if digits is None else np.rint(values * 10.0**digits)
    ranked = rank(scores.ravel(), flat_groups, ties="min", descending=best)
    return ranked.reshape(replicates, units)


def normal(index: Array, sd: Array, replicates: int, rng: np.random.Generator) -> Array:
    """``[replicates, units]`` indices drawn around each unit's index with its SD."""
    noise = rng.standard_normal((replicates, len(index)))
    noise *= sd
    noise += index
    return noise


def top_level(
    aspects: Array, weights: Array, total: float, renormalize: bool, min_coverage: float
) -> Array:
    """Return the index from aspect scores ``[..., aspects]`` with weights ``[..., aspects]``.

    As the engine's roll-up does at the top: a plain weighted sum, or under
    ``renormalize`` the weights re-spread over the scored aspects (none if
    less than `min_coverage` of the weight is scored).
    """
    if not renormalize:
        result: Array = np.einsum("...c,...c->...", aspects, weights)
        return result
    scored = ~np.isnan(aspects)
    numerator = np.einsum("...c,...c->...", np.where(scored, aspects, 0.0), weights)
    covered = np.einsum("...c,...c->...", scored.astype(np.float64), weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(scored.all(axis=-1), numerator, numerator * total / covered)
    return np.where((covered >= min_coverage * total - 1e-12) & (covered > 0), spread, np.nan)


def psd_root(covariance: Array) -> Array:
    """Return a root ``L`` with ``L @ L.T == covariance`` of each ``[..., c, c]`` PSD matrix."""
    values, vectors = np.linalg.eigh(covariance)
    root: Array = vectors * np.sqrt(np.clip(values, 0.0, None))[..., None, :]
    return root


def aspect_replicates(
    aspects: Array,
    choice: npt.NDArray[np.intp] | None,
    root: Array | None,
    weights: Array,
    total: float,
    rng: np.random.Generator,
    *,
    renormalize: bool = False,
    min_coverage: float = 0.5,
) -> Array:
    """``[replicates, units]`` indices from aspect scores with any mix of three sources.

    Parameters
    ----------
    aspects
        ``[scenarios, units, aspects]``: aspect scores under each scenario
        (aggregation or missing-data policy); replicate ``r`` uses scenario
        ``choice[r]`` (None: scenario 0 throughout).
    root
        ``[units, aspects, aspects]`` roots of each unit's covariance of its
        aspect scores (visit noise added), or None (no visit noise).
    weights
        ``[replicates, aspects]`` aspect weights of each replicate.
    """
    replicates, units, width = len(weights), aspects.shape[1], aspects.shape[2]
    out = np.empty((replicates, units))
    step = max(1, CHUNK_CELLS // max(units * width, 1))
    for start in range(0, replicates, step):  # blocks of replicates bound the memory
        stop = min(start + step, replicates)
        block = aspects[0 if choice is None else choice[start:stop]]
        scores = np.broadcast_to(block, (stop - start, units, width))
        if root is not None:
            noise = rng.standard_normal((stop - start, units, width))
            scores = scores + np.einsum("uij,ruj->rui", root, noise)
        out[start:stop] = top_level(
            scores, weights[start:stop, None, :], total, renormalize, min_coverage
        )
    return out


def bootstrap(
    evaluation: Evaluation,
    observations: Observations,
    rows: npt.NDArray[np.intp],
    replicates: int,
    rng: np.random.Generator,
) -> Array:
    """``[replicates, units]`` indices with each unit's visits resampled with replacement.

    Every replicate draws, for each unit, as many visits as it has from its
    own visits, and evaluates them with the evaluation's settings (the same
    aggregation, order and missing policy kernels as :func:`evaluate`).
    """
    settings, rubric = evaluation.settings, evaluation.rubric
    tree = rubric._compiled
    codes, groups = observations.unit_codes, len(observations.unit_ids)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=groups)
    starts = np.cumsum(counts) - counts
    values = observations.values
    if settings.missing == "scale_min" and not observations.complete:
        values = np.where(np.isnan(values), rubric.leaf_scales[0], values)
    policy = settings.missing if settings.missing == "renormalize" else "error"
    if policy == "error" and np.isnan(values).any():
        policy = "renormalize"  # a resample may lose a unit's only score of a criterion
    time = None
    if settings.aggregation.method == "latest":
        time = visit_time(observations.visit, observations.date, codes, observations.unit_ids)
    out = np.empty((replicates, len(evaluation)))
    n = len(codes)
    step = max(1, CHUNK_CELLS // max(n * values.shape[1], 1))
    for start in range(0, replicates, step):  # blocks of replicates bound the memory
        block = min(step, replicates - start)
        draw = np.floor(rng.random((block, n)) * counts[codes]).astype(np.intp)
        picked = order[starts[codes] + draw].ravel()
        flat_codes = (np.arange(block)[:, None] * groups + codes[None, :]).ravel()
        options = {
            "time": None if time is None else time[picked],
            "observers": observations.observer[picked],
        }
        sample = values[picked]
        if settings.order == "criteria_first":
            leaf = aggregate(sample, flat_codes, block * groups, settings.aggregation, **options)
            index = roll_up(leaf, tree, policy, settings.min_coverage)[:, -1]
        else:
            per_visit = roll_up(sample, tree, policy, settings.min_coverage)
            index = aggregate(
                per_visit, flat_codes, block * groups, settings.aggregation, **options
            )[:, -1]
        out[start : start + block][:, rows] = index.reshape(block, groups)
    return out
