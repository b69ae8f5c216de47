"""Agreement coefficients: alpha and ICCs on plain tables and on an evaluation's observations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._common.records import warn
from pelayanan_eval._data.design import checked
from pelayanan_eval._data.observations import Observations
from pelayanan_eval.agreement._alpha import (
    alpha_value,
    bootstrap_alpha,
    check_level,
    coincidences,
    leaf_coincidences,
    unit_counts,
    value_codes,
)
from pelayanan_eval.agreement._icc import FORMS, ONE_WAY, TWO_WAY, one_way, two_way
from pelayanan_eval.agreement._raters import VISIT_COVERAGE, raters
from pelayanan_eval.agreement._result import Agreement, AgreementSettings, Coefficient, IccResult
from pelayanan_eval.agreement._rows import (
    alpha_row,
    icc_columns,
    interval,
    pooled_intervals,
    why_undefined,
)
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.typing import MeasurementLevel, RaterField

Array = npt.NDArray[np.float64]


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def check_confidence(confidence: object) -> float:
    """Return `confidence` as a float if it is between 0 and 1, else raise OptionError."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, float | int)
        or not (0 < confidence < 1)
    ):
        raise OptionError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(confidence)


def _check_options(n_boot: object, confidence: object) -> tuple[int, float]:
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < 0:
        raise OptionError(f"n_boot must be a whole number >= 0, got {n_boot!r}")
    return int(n_boot), check_confidence(confidence)


def alpha(
    data: npt.ArrayLike,
    level: MeasurementLevel = "ordinal",
    *,
    n_boot: int = 0,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> Coefficient:
    r"""Compute Krippendorff's alpha of a raters x units table (NaN: not scored).

    Parameters
    ----------
    data
        ``[raters, units]`` values, as Krippendorff tabulates reliability
        data; NaN where a rater gave no value.
    level
        ``"nominal"``, ``"ordinal"`` (default, for rubric levels 0-5),
        ``"interval"`` or ``"ratio"``.
    n_boot
        Bootstrap replicates over units for the interval (0: none).
    confidence
        Coverage of the percentile interval.
    rng
        Seed or generator of the bootstrap.

    Returns
    -------
    Coefficient
        Alpha, its interval, and the units used and dropped.

    Raises
    ------
    OptionError
        An unknown level, `n_boot` or `confidence`.
    ObservationError
        Data that is not a 2-D table of numbers, no unit with two values,
        or alpha undefined (every pairable value the same).

    Notes
    -----
    :math:`\alpha = 1 - D_o / D_e = 1 - (n_{..} - 1) \frac{\sum_{ck} o_{ck}
    \delta^2_{ck}}{\sum_{ck} n_c n_k \delta^2_{ck}}`, with the coincidence
    matrix :math:`o_{ck}` counted from the values each unit received and
    the level's difference function :math:`\delta^2_{ck}` (Krippendorff
    2011). The interval resamples units with replacement and takes the
    percentiles of the replicates' alphas; Krippendorff's own bootstrap
    (Hayes & Krippendorff 2007) resamples pairs of values instead, which
    treats values of one unit as independent.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*.
    Annenberg School for Communication, University of Pennsylvania,
    https://repository.upenn.edu/asc_papers/43.
    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a
    standard reliability measure for coding data. *Communication Methods
    and Measures*, 1(1), 77-89.

    Examples
    --------
    Krippendorff's (2011) example: four observers, twelve units, values 1-5
    with missing values (unit 12 has one value and is dropped):

    >>> import numpy as np
    >>> from pelayanan_eval import agreement
    >>> nan = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> [round(agreement.alpha(data, level).value, 3)
    ...  for level in ("nominal", "ordinal", "interval", "ratio")]
    [0.743, 0.815, 0.849, 0.797]
    >>> agreement.alpha(data).dropped
    1
    """
    chosen = check_level(level)
    n_boot, confidence = _check_options(n_boot, confidence)
    try:
        table = np.array(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise ObservationError("alpha: data must be numbers (NaN for not scored)") from None
    if table.ndim != 2:
        raise ObservationError(f"alpha: data must be a raters x units table, got {table.shape}")
    domain, codes = value_codes(table)
    units = np.tile(np.arange(table.shape[1], dtype=np.intp), table.shape[0])
    found = coincidences(unit_counts(codes.ravel(), units, table.shape[1], len(domain)), domain)
    value, observed, expected = alpha_value(found.matrix, domain, chosen)
    if np.isnan(value):
        raise ObservationError(
            f"alpha: undefined: {why_undefined(found.matrix, domain)}; {found.units} unit(s) "
            "have two values or more"
        )
    low = high = float("nan")
    if n_boot:
        replicates = bootstrap_alpha(found.patterns, found.frequency, domain, chosen, n_boot,
                                     _generator(rng))  # fmt: skip
        low, high = interval(replicates, confidence)
    return Coefficient(value, low, high, chosen, found.units, found.dropped, found.pairable,
                       observed, expected)  # fmt: skip


def icc(ratings: npt.ArrayLike, *, confidence: float = 0.95) -> IccResult:
    r"""Compute the intraclass correlations a units x raters table supports.

    The one-way forms ICC(1) and ICC(1,k) are computed on any table
    (units with fewer than two scores are left out); the two-way forms,
    agreement ICC(A,1), ICC(A,k) and consistency ICC(C,1), ICC(C,k), only
    on a complete table, where every rater scored every unit (columns
    are raters). Forms not computed are listed with the reason.

    Parameters
    ----------
    ratings
        ``[units, raters]``; NaN: not scored.
    confidence
        Coverage of the F-based intervals.

    Raises
    ------
    ObservationError
        Not a 2-D table of numbers, fewer than two units with two scores,
        or every score the same (the ICCs are undefined).

    Notes
    -----
    The formulas and intervals are in the notes of the module's kernels:
    one-way and two-way ANOVA mean squares, McGraw & Wong (1996) Table 7
    for the intervals. ICC(A,1) is Shrout & Fleiss's ICC(2,1) and
    ICC(C,1) their ICC(3,1).

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in
    assessing rater reliability. *Psychological Bulletin*, 86(2), 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some
    intraclass correlation coefficients. *Psychological Methods*, 1(1), 30-46.

    Examples
    --------
    Shrout & Fleiss's (1979) Table 2, six targets rated by four judges:

    >>> from pelayanan_eval import agreement
    >>> table = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...          [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> found = agreement.icc(table)
    >>> [round(value, 2) for value in found.value.values()]
    [0.17, 0.44, 0.29, 0.62, 0.71, 0.91]
    >>> list(found.value)
    ['ICC(1)', 'ICC(1,k)', 'ICC(A,1)', 'ICC(A,k)', 'ICC(C,1)', 'ICC(C,k)']
    """
    _, confidence = _check_options(0, confidence)
    try:
        table = np.array(ratings, dtype=np.float64)
    except (TypeError, ValueError):
        raise ObservationError("icc: ratings must be numbers (NaN for not scored)") from None
    if table.ndim != 2 or table.shape[1] < 2:
        raise ObservationError(f"icc: ratings must be a units x raters table, got {table.shape}")
    n_units, k = table.shape
    given = table[~np.isnan(table)]
    if len(given) and bool(np.all(given == given[0])):
        raise ObservationError(
            f"icc: undefined: every score is {given[0]:g} (no variation between or within units)"
        )
    units = np.repeat(np.arange(n_units, dtype=np.intp), k)
    forms = one_way(table.reshape(-1, 1), units, n_units, confidence)
    if forms.units[0] < 2:
        raise ObservationError("icc: fewer than two units have two scores")
    value = {f: float(forms.value[f][0]) for f in ONE_WAY}
    low = {f: float(forms.low[f][0]) for f in ONE_WAY}
    high = {f: float(forms.high[f][0]) for f in ONE_WAY}
    unsupported: dict[str, str] = {}
    incomplete = int(np.isnan(table).any(axis=1).sum())
    if incomplete:
        unsupported = {f: f"{incomplete} unit(s) lack a score from some rater" for f in TWO_WAY}
    else:
        crossed = two_way(table[None], confidence)
        value |= {f: float(crossed.value[f][0]) for f in TWO_WAY}
        low |= {f: float(crossed.low[f][0]) for f in TWO_WAY}
        high |= {f: float(crossed.high[f][0]) for f in TWO_WAY}
    raters_per_unit = float(k if not incomplete else forms.raters[0])
    return IccResult(value, low, high, unsupported, int(forms.units[0]), raters_per_unit,
                     confidence)  # fmt: skip


def _requested(forms: str | Sequence[str] | None) -> list[str] | None:
    """Return the forms asked for (None: what the design supports)."""
    if forms == "auto":
        return None
    if forms is None:
        return []
    if isinstance(forms, str):
        forms = [forms]
    unknown = [f for f in forms if f not in FORMS]
    if unknown:
        raise OptionError(f"unknown ICC form(s) {unknown}; valid: {', '.join(FORMS)}, or 'auto'")
    return list(forms)


def coefficients(
    observations: Observations,
    *,
    by: RaterField = "observer",
    level: MeasurementLevel = "ordinal",
    icc: str | Sequence[str] | None = "auto",
    n_boot: int = 1000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> Agreement:
    """Agreement between raters per criterion, per aspect and on the index.

    Parameters
    ----------
    observations
        The assessors' visits.
    by
        Who the raters are: ``"observer"`` (default) or ``"visit"`` (the
        visit label: first against second visit).
    level
        Level of measurement of alpha (default ``"ordinal"``: rubric levels).
    icc
        ``"auto"`` (default): the forms the design supports (the one-way
        forms always, the two-way forms when every rater scores every unit);
        a list of forms to insist on (a two-way form on a design that is
        not crossed is refused); None: no ICC.
    n_boot
        Bootstrap replicates over units for alpha's intervals (0: none).
    confidence
        Coverage of the intervals (bootstrap for alpha, F-based for ICCs).
    rng
        Seed or generator of the bootstrap.

    Returns
    -------
    Agreement
        One row per criterion, aspect and the index.

    Raises
    ------
    OptionError
        An unknown level, rater field, ICC form, or a two-way form asked for
        on a design that is not crossed.
    ObservationError
        An observer missing on some rows (``by="observer"``), a single
        rater, or no unit with two scores.

    Warns
    -----
    AgreementWarning
        Rows whose alpha is undefined (every pairable score the same), named;
        their ICCs are NaN for the same reason.

    Notes
    -----
    Alpha as in :func:`alpha`, on the rows of each unit; an aspect's alpha
    pools the coincidence matrices of its criteria (each unit x criterion a
    reliability unit) and its bootstrap resamples service units with all
    their criteria. ICCs as in :func:`icc`, on each criterion's scores and
    on each visit's aspect and index scores (each visit rolled up on its
    own, re-spreading unscored weight; under half the weight scored: none).
    Rater identity does not enter alpha, only the ICCs' design.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import agreement
    >>> city = pe.demo_city()
    >>> table = agreement.coefficients(city.observations, n_boot=200, rng=1)
    >>> round(table.value("index"), 2), sorted(table.icc)
    (0.54, ['ICC(1)', 'ICC(1,k)'])
    >>> table.unsupported["ICC(A,1)"][:26]
    'the design is not crossed:'
    """
    obs = checked(observations)
    measure = check_level(level)
    n_boot, confidence = _check_options(n_boot, confidence)
    wanted = _requested(icc)
    found = raters(obs, by)
    tree = obs.rubric._compiled
    n_units, leaves = len(obs.unit_ids), len(tree.leaf_ids)
    bounds = (float(tree.leaf_min.min()), float(tree.leaf_max.max()))
    domain, codes = value_codes(obs.values.T, bounds)
    codes_by_leaf = np.ascontiguousarray(codes)
    most = int(np.bincount(obs.unit_codes).max())
    per_leaf = leaf_coincidences(codes_by_leaf, obs.unit_codes, n_units, domain, most)
    if not any(c.units for c in per_leaf):
        raise ObservationError(
            "agreement: no unit has two scores on any criterion (every unit was scored once)"
        )
    inner = [tree.nodes[i].id for i in tree.inner_columns[:-1].tolist()] + ["index"]
    members = [[j for j, leaf in enumerate(tree.leaf_ids) if node in tree.paths[leaf]]
               for node in inner[:-1]] + [list(range(leaves))]  # fmt: skip
    generator = _generator(rng)
    rows: dict[str, tuple[float, float, float, int, int, float]] = {}
    undefined: dict[str, str] = {}
    for j, leaf in enumerate(tree.leaf_ids):
        rows[leaf] = alpha_row(leaf, [per_leaf[j]], domain, measure, n_boot, confidence,
                               generator, undefined)  # fmt: skip
    for node, chosen in zip(inner, members, strict=True):
        rows[node] = alpha_row(node, [per_leaf[j] for j in chosen], domain, measure, n_boot,
                               confidence, generator, undefined)  # fmt: skip
    pooled_intervals(rows, dict(zip(inner, members, strict=True)), per_leaf, codes_by_leaf,
                     obs.unit_codes, domain, measure, n_boot, confidence, generator)  # fmt: skip
    ids = (*(n.id for n in tree.nodes), "index")
    (icc_value, icc_low, icc_high, icc_units), unsupported = icc_columns(
        obs, found, wanted, confidence
    )
    column = {leaf: j for j, leaf in enumerate(tree.leaf_ids)}
    column |= {node: leaves + i for i, node in enumerate(inner)}
    order = np.array([column[i] for i in ids], dtype=np.intp)
    if undefined:
        warn("alpha is undefined for " + enumerate_limited(
            [f"{row}: {why}" for row, why in undefined.items()]))  # fmt: skip
    kinds = tuple(_kind(tree.nodes[tree.position[i]].criteria if i != "index" else None)
                  for i in ids)  # fmt: skip
    names = tuple("index" if i == "index" else tree.nodes[tree.position[i]].name for i in ids)
    stack = np.array([rows[i] for i in ids], dtype=np.float64).T
    settings = AgreementSettings(measure, found.by, tuple(str(n) for n in found.names.tolist()),
                                 found.crossed, n_boot, confidence, VISIT_COVERAGE)  # fmt: skip
    matrices = {leaf: per_leaf[j].matrix for j, leaf in enumerate(tree.leaf_ids)}
    matrices |= {node: np.sum([per_leaf[j].matrix for j in chosen], axis=0)
                 for node, chosen in zip(inner, members, strict=True)}  # fmt: skip
    return Agreement(
        ids, kinds, names, stack[0], stack[1], stack[2], stack[3].astype(np.int64),
        stack[4].astype(np.int64), stack[5],
        {f: v[order] for f, v in icc_value.items()}, {f: v[order] for f, v in icc_low.items()},
        {f: v[order] for f, v in icc_high.items()}, icc_units[order], unsupported, undefined,
        settings, np.stack([matrices[i] for i in ids]), domain,
    )  # fmt: skip


def _kind(children: object) -> str:
    if children is None:
        return "index"
    return "aspect" if children else "criterion"
