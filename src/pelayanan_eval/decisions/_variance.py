"""Between-visit variance: pooled within units per aspect or criterion, and the unit's share."""

from __future__ import annotations

import warnings

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import blocked_product, readonly
from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._data.columns import leaf_mismatch
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.compiled import Compiled
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.typing import PoolLevel, choices

Array = npt.NDArray[np.float64]
POOL_LEVELS = choices(PoolLevel)
TWO_VISIT_MEANS = ("median", "trimmed_mean")  # the mean when a unit has two visits or fewer


@attrs.frozen(eq=False)
class VisitVariance:
    r"""The pooled between-visit (co)variance and what it means for each unit's scores.

    Attributes
    ----------
    pool
        ``"aspect"`` or ``"criterion"``: the scores whose covariance was pooled.
    columns
        The ids of the top-level criteria (aspects), the columns of the covariances.
    covariance
        ``[aspects, aspects]``: pooled within-unit covariance of one visit's aspect scores.
    df
        Degrees of freedom of the pooled estimate, :math:`\sum_u (n_u - 1)`.
    unit_covariance
        ``[units, aspects, aspects]``: covariance of each unit's aggregated aspect scores.
    index_variance
        ``[units]``: variance of each unit's index on the rubric's scale.
    """

    pool: str
    columns: tuple[str, ...]
    covariance: Array = attrs.field(converter=readonly)
    df: int
    unit_covariance: Array = attrs.field(converter=readonly)
    index_variance: Array = attrs.field(converter=readonly)


def aspect_columns(tree: Compiled) -> npt.NDArray[np.intp]:
    """Node columns of the top-level criteria (aspects), in document order."""
    columns: npt.NDArray[np.intp] = np.flatnonzero(tree.depths[:-1] == 1)
    return columns


def aspect_weights(tree: Compiled) -> Array:
    """Effective weight in the index of each top-level criterion."""
    return np.array([tree.node_weights[i] for i in aspect_columns(tree).tolist()])


def aspect_map(tree: Compiled) -> Array:
    """``[leaves, aspects]``: each aspect's score as weights on the leaves (no missing data)."""
    columns = aspect_columns(tree)
    inner = {int(c): j for j, c in enumerate(tree.inner_columns.tolist())}
    leaves = {int(c): j for j, c in enumerate(tree.leaf_columns.tolist())}
    out = np.zeros((len(tree.leaf_ids), len(columns)))
    for j, column in enumerate(columns.tolist()):
        if column in leaves:
            out[leaves[column], j] = 1.0
        else:
            out[:, j] = tree.linear[:, inner[column]]
    return out


def node_matrix(leaf_scores: Array, inner: Array, tree: Compiled) -> Array:
    """``[rows, nodes]`` scores of every criterion from the leaf and inner scores."""
    scores = np.empty((leaf_scores.shape[0], len(tree.node_ids) - 1))
    scores[:, tree.leaf_columns] = leaf_scores
    scores[:, tree.inner_columns[:-1]] = inner[:, :-1]
    return scores


def check_single(evaluation: Evaluation, what: str) -> None:
    """Refuse a composite index (instruments): its other instruments' noise is not modelled."""
    if not isinstance(evaluation, Evaluation):
        raise OptionError(f"{what}: expected an Evaluation, got {type(evaluation).__name__}")
    if evaluation.instruments is not None:
        raise OptionError(
            f"{what} models the evaluator's visits; this evaluation's index is a composite "
            f"({evaluation.settings.composite}): analyse the evaluation without instruments="
        )


def evaluation_rows(evaluation: Evaluation, observations: Observations) -> npt.NDArray[np.intp]:
    """Row in `evaluation` of each unit of `observations`, after checking that they match."""
    check_single(evaluation, "the decision analyses")
    mismatch = leaf_mismatch(observations.rubric, evaluation.rubric)
    if mismatch:
        raise ObservationError(
            f"the observations were scored on the criteria of {observations.rubric.id!r}, which "
            f"differ from those of the evaluation's rubric {evaluation.rubric.id!r}: {mismatch}"
        )
    ids = evaluation.units.ids
    sorter = np.argsort(ids, kind="stable")
    wanted = observations.unit_ids
    found = np.minimum(np.searchsorted(ids[sorter], wanted), len(ids) - 1)
    known = ids[sorter][found] == wanted
    rows: npt.NDArray[np.intp] = sorter[found]
    counts = np.bincount(observations.unit_codes, minlength=len(wanted))
    problems = [f"unit {u!r} is not in the evaluation" for u in wanted[~known].tolist()]
    if len(wanted) != len(ids) and not problems:
        absent = np.setdiff1d(ids, wanted)
        problems += [f"unit {u!r} of the evaluation has no observations" for u in absent.tolist()]
    if not problems:
        differ = np.flatnonzero(evaluation.visits[rows] != counts)
        problems = [
            f"unit {str(wanted[i])!r}: {counts[i]} observations here, "
            f"{evaluation.visits[rows[i]]} in the evaluation"
            for i in differ.tolist()
        ]
    if problems:
        raise ObservationError(
            "the observations are not those the evaluation was computed from: "
            + enumerate_limited(problems)
        )
    return rows


def _check_means(evaluation: Evaluation, observations: Observations,
                 rows: npt.NDArray[np.intp], index: Array) -> None:  # fmt: skip
    """Refuse observations whose visits do not average to the evaluation's index."""
    differ = np.flatnonzero(~np.isclose(index, evaluation.index[rows], rtol=0, atol=1e-9))
    if len(differ):
        shown = [
            f"{str(observations.unit_ids[i])!r} ({index[i]:.4f} here, "
            f"{evaluation.index[rows[i]]:.4f} in the evaluation)"
            for i in differ[:5].tolist()
        ]
        raise ObservationError(
            "the observations are not those the evaluation was computed from: the mean of "
            "their visits differs for " + enumerate_limited(shown)
            + (f" and {len(differ) - 5} more units" if len(differ) > 5 else "")
        )  # fmt: skip


def group_sum(
    values: npt.NDArray[np.float64 | np.bool_], codes: npt.NDArray[np.intp], groups: int
) -> Array:
    """Sum of the rows of each group (rows of any order), ``[groups, ...]``."""
    flat = values.reshape(len(values), -1).astype(np.float64, copy=False)
    out = np.zeros((groups, flat.shape[1]))
    order = codes if bool(np.all(codes[1:] >= codes[:-1])) else None
    if order is not None and len(codes):
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        out[codes[starts]] = np.add.reduceat(flat, starts, axis=0)
    else:
        np.add.at(out, codes, flat)
    return out.reshape((groups, *values.shape[1:]))


def visit_scores(evaluation: Evaluation, observations: Observations, pool: str) -> Array:
    """One visit's scores at the pooled level: its aspects, or its criteria (leaves)."""
    tree = evaluation.rubric._compiled
    values = observations.values
    missing = evaluation.settings.missing
    if missing == "scale_min" and not observations.complete:
        values = np.where(np.isnan(values), evaluation.rubric.leaf_scales[0], values)
    if pool == "criterion":
        if np.isnan(values).any():
            raise OptionError(
                "pool='criterion' needs every visit to score every criterion; these observations "
                "have unscored criteria: use pool='aspect'"
            )
        return values
    if observations.complete or not np.isnan(values).any():
        return blocked_product(values, aspect_map(tree))  # aspects are linear in the leaves
    # a visit that missed a criterion is scored on the rest for the variance estimate
    policy = "renormalize"
    inner = roll_up(values, tree, policy, evaluation.settings.min_coverage)
    return node_matrix(values, inner, tree)[:, aspect_columns(tree)]


def pooled_variance(
    evaluation: Evaluation, observations: Observations, pool: PoolLevel = "aspect"
) -> VisitVariance:
    r"""Pool the within-unit between-visit covariance across units; each unit's share of it.

    Notes
    -----
    With :math:`y_{uv}` the scores of visit :math:`v` of unit :math:`u`
    (its aspect scores, or its criterion scores) and :math:`\bar y_u` their
    mean over the unit's :math:`n_u` visits, the pooled covariance is

    .. math:: \hat\Sigma = \frac{\sum_u \sum_v (y_{uv} - \bar y_u)(y_{uv} - \bar y_u)^\top}
                               {\sum_u (n_u - 1)}

    (criterion scores are then mapped to aspects, :math:`T^\top \hat\Sigma T`,
    which equals pooling the aspects when every visit scored every
    criterion). A unit's aggregated aspect scores have covariance
    :math:`\hat\Sigma / n_u` and its index variance
    :math:`w^\top \hat\Sigma w / n_u` with :math:`w` the aspects' weights.
    Where visits left aspects unscored, entry :math:`(i, j)` uses the
    visits scoring both, :math:`\hat\Sigma_{ij} m_{uij} / (m_{uii} m_{ujj})`.
    The model assumes that visits differ from one unit's true score by
    noise of the same covariance in every unit (the assumption pooling
    needs); the spread of the mean is what it gives, so for aggregations
    other than the mean (the median and trimmed mean of two visits are the
    mean) it is an approximation, and a warning says so.
    """
    check_option("pool", pool, POOL_LEVELS)
    method = evaluation.settings.aggregation.method
    rows = evaluation_rows(evaluation, observations)
    tree = evaluation.rubric._compiled
    scores = visit_scores(evaluation, observations, pool)
    codes, groups = observations.unit_codes, len(observations.unit_ids)
    scored = ~np.isnan(scores)
    counts = group_sum(scored, codes, groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = group_sum(np.where(scored, scores, 0.0), codes, groups) / counts
    if method == "mean" and pool == "aspect" and bool(scored.all()):
        _check_means(evaluation, observations, rows, means @ aspect_weights(tree))
    deviation = np.where(scored, scores - means[codes], 0.0)
    if bool(scored.all()):  # every visit scored every aspect: m_uij = n_u
        both = np.broadcast_to(counts[:, :, None], (groups, *scored.shape[1:], scored.shape[1]))
    else:
        both = group_sum(scored[:, :, None] & scored[:, None, :], codes, groups)  # m_uij
    df_pairs = np.maximum(both - 1.0, 0.0).sum(axis=0)
    df = round(float(np.max(np.diag(df_pairs)))) if df_pairs.size else 0
    if df == 0:
        raise ObservationError(
            "no unit has two visits that scored the same criteria, so the variance between "
            "visits cannot be estimated (every unit was visited once): use "
            "visit_variance=<a known variance of one visit's index> (e.g. from another round), "
            "or decisions.sensitivity(), which needs no second visit"
        )
    if method != "mean" and (
        method not in TWO_VISIT_MEANS or int(np.max(evaluation.visits, initial=0)) > 2
    ):
        warnings.warn(
            f"uncertainty with aggregate={method!r}: the pooled model gives the spread of the "
            "mean of the visits, an approximation for this aggregation",
            UserWarning,
            stacklevel=3,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = np.where(df_pairs > 0, deviation.T @ deviation / df_pairs, 0.0)
    if pool == "criterion":
        mapping = aspect_map(tree)
        covariance = mapping.T @ covariance @ mapping
        visits = counts[:, 0]
        per_unit = covariance[None, :, :] / visits[:, None, None]
        aspect_counts = np.repeat(visits[:, None], mapping.shape[1], axis=1)
    else:
        aspect_counts = counts
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = both / (aspect_counts[:, :, None] * aspect_counts[:, None, :])
        per_unit = np.where(both > 0, covariance[None] * scale, 0.0)
    weights = spread_weights(aspect_weights(tree), aspect_counts > 0)
    index_variance = np.einsum("ui,uij,uj->u", weights, per_unit, weights)
    into = np.empty(groups, dtype=np.intp)
    into[rows] = np.arange(groups)  # rows of the evaluation, in its unit order
    columns = tuple(tree.node_ids[i] for i in aspect_columns(tree).tolist())
    return VisitVariance(pool, columns, covariance, df, per_unit[into], index_variance[into])


def spread_weights(weights: Array, scored: npt.NDArray[np.bool_]) -> Array:
    """Per unit, the aspect weights re-spread over its scored aspects (``[units, aspects]``)."""
    kept = np.where(scored, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = kept.sum(axis=1, keepdims=True)
        result: Array = np.where(total > 0, kept * weights.sum() / total, 0.0)
    return result
