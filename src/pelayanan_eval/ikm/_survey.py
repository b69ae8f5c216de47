"""Any survey rubric's index per unit from a tally: means, conversion, roll-up, intervals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.grading import grade_values
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import MissingScoreError, OptionError, RubricError
from pelayanan_eval.ikm._items import Items, items
from pelayanan_eval.ikm._partial import Tally, check_tally, tally
from pelayanan_eval.ikm._responses import Responses
from pelayanan_eval.ikm._survey_result import SurveyResult
from pelayanan_eval.ikm._uncertainty import normal_quantile
from pelayanan_eval.typing import IkmMissing

Array = npt.NDArray[np.float64]


def survey(
    rubric: Rubric,
    data: Responses | Tally,
    *,
    by: str | None = None,
    missing: IkmMissing = "error",
    level: float = 0.95,
) -> SurveyResult:
    r"""Compute a survey rubric's index per unit, with every dimension and its interval.

    The general survey engine: the IKM (14/2017), the public survey (F-03),
    the BPS happiness index (``bps-indeks-kebahagiaan-2017``) or any rubric
    whose items declare their answers (:class:`~pelayanan_eval.schema.Answers`).

    Parameters
    ----------
    rubric
        The survey rubric.
    data
        The answers (:class:`Responses`, weighted if they carry design
        weights) or their :class:`Tally` (summed over files or partitions;
        :meth:`Tally.regroup` pools units into kecamatan or the city).
    by
        With :class:`Responses`: a respondent attribute to break the units
        down by (rows are "unit | value").
    missing
        ``"error"`` (default): an item nobody in a unit answered is an
        error; ``"renormalize"``: its weight is re-spread over its siblings.
    level
        Confidence level of the intervals.

    Returns
    -------
    SurveyResult

    Raises
    ------
    ObservationError
        A unit without respondents, or whose weights are all 0.
    MissingScoreError
        Under ``missing="error"``, naming each unit x item nobody answered.
    OptionError
        A tally of another rubric or rubric version; a bad option.

    Notes
    -----
    Per unit and item :math:`j`, with weights :math:`w_i` (1 unweighted) and
    :math:`d_{ij} = 1` when respondent :math:`i` answered item :math:`j`:
    mean answer :math:`m_j = \sum_i w_i d_{ij} x_{ij} / W_j`,
    :math:`W_j = \sum_i w_i d_{ij}`; item score :math:`s_j = o_j + f_j m_j`
    (the item's declared conversion); every criterion's score is the
    rubric's roll-up of the :math:`s_j`, :math:`S = \sum_j c_j s_j`; the
    reported index is :math:`S` times the rubric's conversion factor.

    The interval is the Taylor linearisation (Woodruff 1971) of the ratio
    means: :math:`u_i = \sum_j c_j f_j w_i d_{ij} (x_{ij} - m_j) / W_j`,
    :math:`\widehat{V}(S) = \frac{n}{n-1} \sum_i u_i^2` over the unit's
    :math:`n` respondents, :math:`S \pm z_{(1+level)/2} \sqrt{\widehat V}`.
    It treats respondents as independent draws with replacement within the
    unit (the usual approximation for a weighted household sample; strata
    and clusters are not modelled). :math:`\sum_i u_i^2` is computed from
    the tallied moments :math:`\sum_i z_i z_i^T`, so intervals of merged
    tallies are exact. Without weights it is the delta-method interval of
    :meth:`IkmResult.interval`.

    References
    ----------
    Woodruff, R. S. (1971). A simple method for approximating the variance
    of a complicated estimate. JASA 66(334), 411-414. Wolter, K. M. (2007).
    Introduction to Variance Estimation, 2nd ed., ch. 6 (Taylor series
    methods). BPS, Indeks Kebahagiaan 2017 (three dimensions, weights
    34,80 / 31,18 / 34,02 %; see ``docs/regulations.md``).

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> answers = [[3] * 9, [4] * 9, [4] * 9]
    >>> responses = ikm.Responses.from_arrays(
    ...     rubric, answers=answers, unit=["a"] * 3, weights=[2.0, 1.0, 1.0]
    ... )
    >>> result = ikm.survey(rubric, responses)  # (2 x 3 + 4 + 4) / 4 = 3.5 on every unsur
    >>> result.means[0, 0], result.rounded.tolist(), result.grades.tolist()
    (np.float64(3.5), [87.5], ['B'])
    """
    check_option("missing policy", missing, ("error", "renormalize"))
    if not 0 < level < 1:
        raise OptionError(f"level must be between 0 and 1, got {level!r}")
    if not isinstance(rubric, Rubric):
        raise RubricError([f"survey: expected a Rubric (see load_rubric), got "
                           f"{type(rubric).__name__}"])  # fmt: skip
    profile = None
    if isinstance(data, Responses):
        from pelayanan_eval.ikm._profile import profile_records

        profile = profile_records(data)
        data = tally(data, by=by)
    elif by is not None:
        raise OptionError("by= needs the Responses (a tally has no respondent attributes)")
    found = check_tally(data, rubric)
    return from_tally(rubric, found, missing, level, by, profile)


def coefficients_of(scores: Array, rubric: Rubric, missing: str) -> Array:
    """``[units, inner, items]``: each criterion's score as weights on the item scores."""
    tree = rubric._compiled
    units, width = scores.shape
    if missing != "renormalize" or not np.isnan(scores).any():
        return np.broadcast_to(tree.linear.T, (units, *tree.linear.T.shape))
    absent = np.isnan(scores)
    out = np.empty((units, tree.linear.shape[1], width))
    for j in range(width):  # one roll-up per item: the roll-up is linear given what is missing
        basis = np.where(absent, np.nan, 0.0)
        basis[:, j] = np.where(absent[:, j], np.nan, 1.0)
        out[:, :, j] = np.nan_to_num(roll_up(basis, tree, missing, 0.0))
    return out


def from_tally(
    rubric: Rubric,
    found: Tally,
    missing: str,
    level: float,
    by: str | None,
    profile: list[dict[str, Any]] | None,
) -> SurveyResult:
    """Means, scores, roll-up, grades and linearised intervals of a checked tally."""
    scale = items(rubric)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = found.wsum / found.wcount
    means[found.wcount == 0] = np.nan
    scores = scale.offset + scale.factor * means
    if missing == "error" and np.isnan(scores).any():
        rows, cols = np.nonzero(np.isnan(scores))
        pairs = [(str(found.unit_ids[r]), rubric.leaf_ids[c])
                 for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]  # fmt: skip
        raise MissingScoreError(
            f"{len(pairs)} unit x item pair(s) nobody answered (missing='error'; "
            "missing='renormalize' re-spreads the weight): "
            + enumerate_limited([f"{u}: {c}" for u, c in pairs]),
            missing=pairs,
        )
    tree = rubric._compiled
    inner = roll_up(scores, tree, missing, 0.0)
    coefficients = coefficients_of(scores, rubric, missing)
    se = linearised_se(found, coefficients, scale, means)
    z = normal_quantile(0.5 + level / 2)
    factor = rubric.conversion.factor
    index = inner[:, -1]
    reported = index * factor
    grades = labels = None
    if rubric.grades.bands:
        graded = grade_values(reported, rubric.grades, rubric.rounding, nan="blank",
                              what=f"the index under rubric {rubric.id!r}")  # fmt: skip
        grades, labels = graded.codes, graded.labels
    names = tuple(tree.node_ids[c] for c in tree.inner_columns)
    return SurveyResult(
        rubric=rubric, unit_ids=found.unit_ids, by=by, respondents=found.respondents,
        weight=found.weight, answered=found.answered, means=means, scores=scores,
        node_ids=names, node_scores=inner, node_se=se, coefficients=coefficients,
        index=index, se=se[:, -1] * factor, level=level,
        lower=reported - z * se[:, -1] * factor, upper=reported + z * se[:, -1] * factor,
        reported=reported, rounded=rubric.rounding.apply(reported), grades=grades,
        grade_labels=labels, missing=missing, weighted=found.weighted, tally=found,
        profile=profile,
    )  # fmt: skip


def linearised_se(found: Tally, coefficients: Array, scale: Items, means: Array) -> Array:
    """``[units, inner]`` standard errors from the tallied moments (NaN without moments)."""
    units, inner, _ = coefficients.shape
    if found.moments is None:
        return np.full((units, inner), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = coefficients * (scale.factor / found.wcount)[:, None, :]
    a = np.where(np.isfinite(a), a, 0.0)
    centred = np.nan_to_num(means - (scale.low + scale.high) / 2)  # the moments' centre
    b = np.concatenate([a, -a * centred[:, None, :]], axis=2)
    total = np.einsum("uni,uij,unj->un", b, found.moments, b)
    n = found.respondents.astype(np.float64)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(n > 1, np.maximum(total, 0.0) * n / (n - 1), np.nan)
    result: Array = np.sqrt(variance)
    return result


def levels(
    rubric: Rubric,
    data: Responses | Tally,
    parents: Mapping[str, str],
    *,
    top: str = "kota",
    missing: IkmMissing = "error",
    level: float = 0.95,
) -> tuple[SurveyResult, SurveyResult, SurveyResult]:
    """Compute a survey index per unit, per parent (kecamatan) and for the whole (the city).

    The parents and the city pool their units' respondents (their tallies
    add), so each level is estimated from its own households, with its interval.

    Parameters
    ----------
    rubric, data, missing, level
        As in :func:`survey`.
    parents
        Unit id -> parent id (kelurahan -> kecamatan), for every unit.
    top
        The name of the whole (one row).

    Returns
    -------
    units, parents, whole : SurveyResult

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("bps-indeks-kebahagiaan-2017")
    >>> responses, parents = ikm.synthetic_city(rubric, kelurahan=6, households=30, rng=7)
    >>> kelurahan, kecamatan, city = ikm.levels(rubric, responses, parents)
    >>> len(kelurahan), kecamatan.unit_ids.tolist(), city.unit_ids.tolist()
    (6, ['kec-a-sintetis', 'kec-b-sintetis', 'kec-c-sintetis'], ['kota'])
    """
    found = tally(data) if isinstance(data, Responses) else data
    units = survey(rubric, found, missing=missing, level=level)
    middle = survey(rubric, found.regroup(parents), missing=missing, level=level)
    whole = survey(rubric, found.regroup({u: top for u in found.unit_ids.tolist()}),
                   missing=missing, level=level)  # fmt: skip
    return units, middle, whole
