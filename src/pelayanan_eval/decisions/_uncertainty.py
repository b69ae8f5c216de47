"""How sure the decisions are: awards, coaching, grades and ranks over simulated replicates."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.decisions._replicates import (
    bootstrap,
    check_replicates,
    generator,
    normal,
)
from pelayanan_eval.decisions._result import Uncertainty
from pelayanan_eval.decisions._summary import check_counts, decide, result, t_quantile
from pelayanan_eval.decisions._variance import check_single, evaluation_rows, pooled_variance
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.typing import GroupBy, PoolLevel, RankBy, VisitMethod, choices

Array = npt.NDArray[np.float64]
BOOTSTRAP_VISITS = 5  # fewer visits give a bootstrap too coarse to trust; pool instead


def uncertainty(
    evaluation: Evaluation,
    observations: Observations | None = None,
    *,
    method: VisitMethod = "auto",
    pool: PoolLevel = "aspect",
    visit_variance: float | None = None,
    replicates: int = 2000,
    k: int = 2,
    coaching: int = 2,
    below: float | None = None,
    within: GroupBy | None = "category",
    by: RankBy = "rounded",
    level: float = 0.9,
    clear: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> Uncertainty:
    r"""How sure each award, grade and coaching decision is, given the visits behind it.

    Parameters
    ----------
    evaluation
        The result of :func:`pelayanan_eval.evaluate`.
    observations
        The observations it was computed from (their visits give the noise).
    method
        ``"pooled"``: a normal model with the within-unit between-visit
        variance pooled across units (for the usual two visits);
        ``"bootstrap"``: each unit's visits resampled with replacement;
        ``"auto"`` (default): the bootstrap when every unit has at least 5
        visits, else the pooled model. The method used is recorded.
    pool
        ``"aspect"`` (default) or ``"criterion"``: the scores whose
        covariance is pooled (the same result when every visit scored
        every criterion).
    visit_variance
        A known variance of one visit's index (e.g. from another round),
        used instead of the observations: unit ``u`` gets
        :math:`\sigma^2 / n_u`.
    replicates
        Simulated cities (at least 100).
    k, coaching
        The best `k` of each group get an award; the `coaching` lowest
        (0: none) are coached; ties at the cut are in, as in
        :meth:`~pelayanan_eval.Evaluation.top`.
    below
        Also give P(published index < `below`), e.g. ``3.01`` for "below B-".
    within
        ``"category"`` (default), ``"parent"`` or ``None``.
    by
        Rank by the published value (``"rounded"``, default) or at full precision.
    level
        Coverage of the index and rank intervals (default 0.9).
    clear
        An award is ``"clear"`` when its winner is ahead of the best unit
        without an award in at least this share of replicates (default 0.95).
    rng
        A numpy Generator, a seed or None.

    Returns
    -------
    Uncertainty

    Raises
    ------
    ObservationError
        Observations that are not the evaluation's, no unit with two visits
        (the message says what still works), or the bootstrap asked for with
        units of one visit.
    OptionError
        Fewer than 100 replicates, unknown options, bad counts or levels.

    Notes
    -----
    Pooled model: :math:`\hat I_u^{(r)} = \hat I_u + z_{ur}\sqrt{w^\top\hat\Sigma w / n_u}`,
    :math:`z_{ur} \sim N(0, 1)`, with :math:`\hat\Sigma` the pooled
    between-visit covariance of the aspect scores (see
    :func:`pooled_variance`), taken as known in the replicates; the index
    interval is :math:`\hat I_u \pm t_{\nu,(1+\text{level})/2}\, \mathrm{sd}_u`
    with :math:`\nu = \sum_u (n_u - 1)` (the normal quantile for a given
    `visit_variance`; the replicates' quantiles for the bootstrap). Each
    replicate is graded through the library's one grading path and ranked
    as :meth:`~pelayanan_eval.Evaluation.rank` ranks; P(award) is the share
    of replicates where the unit's rank is at most `k`, the rank interval
    the replicates' ``(1 - level) / 2`` and ``(1 + level) / 2`` rank
    quantiles, and the expected number of changed awards
    :math:`\sum_u |P_u(\text{award}) - 1[\text{awarded}_u]|`.

    References
    ----------
    Efron, B. and Tibshirani, R. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall. Goldstein, H. and Spiegelhalter, D. J. (1996). League
    tables and their limitations. *J. R. Stat. Soc. A* 159(3), 385-443.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import decisions
    >>> city = pe.demo_city()
    >>> ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    >>> result = decisions.uncertainty(ev, city.observations, replicates=500, rng=1)
    >>> result.method, len(result.awards)
    ('pooled', 6)
    """
    check_single(evaluation, "uncertainty()")
    check_option("method", method, choices(VisitMethod))
    count = check_replicates(replicates)
    check_counts(k, coaching, level, clear, below)
    check_option("rank by", by, choices(RankBy))
    random = generator(rng)
    variance = None
    if visit_variance is not None:
        if (
            method == "bootstrap"
            or isinstance(visit_variance, bool)
            or not (
                isinstance(visit_variance, int | float)
                and math.isfinite(visit_variance)
                and visit_variance >= 0
            )
        ):
            raise OptionError(
                f"visit_variance must be a number >= 0 used with method 'auto' or "
                f"'pooled', got {visit_variance!r}"
            )
        used, sd = "given", np.sqrt(visit_variance / evaluation.visits)
    elif observations is None:
        raise OptionError(
            "uncertainty from the visits needs the observations the evaluation was "
            "computed from (or visit_variance=...)"
        )
    else:
        visits = evaluation.visits
        many = bool(np.all(visits >= BOOTSTRAP_VISITS))
        used = "bootstrap" if method == "bootstrap" or (method == "auto" and many) else "pooled"
        if used == "bootstrap":
            single = evaluation.units.ids[visits < 2].tolist()
            if single:
                raise ObservationError(
                    "the bootstrap resamples each unit's visits and needs two or more; one "
                    "visit only: "
                    + enumerate_limited([repr(u) for u in single])
                    + " (use method='pooled')"
                )
            rows = evaluation_rows(evaluation, observations)
            resampled = bootstrap(evaluation, observations, rows, count, random)
        else:
            variance = pooled_variance(evaluation, observations, pool)
            sd = np.sqrt(variance.index_variance)
    if used == "bootstrap":
        index = resampled
        tail = (1.0 - level) / 2.0
        low, high = np.nanquantile(index, [tail, 1 - tail], axis=0)
        sd = np.nanstd(index, axis=0, ddof=1)
    else:
        index = normal(evaluation.index, sd, count, random)
        z = t_quantile((1.0 + level) / 2.0, None if variance is None else variance.df)
        low, high = evaluation.index - z * sd, evaluation.index + z * sd
    summary = decide(
        evaluation,
        index,
        within=within,
        k=int(k),
        coaching=int(coaching),
        below=below,
        by=by,
        level=level,
        clear=clear,
    )
    return result(
        evaluation,
        summary,
        used,
        count,
        level,
        within,
        sd,
        low,
        high,
        variance,
        k=int(k),
        coaching=int(coaching),
        below=below,
    )
