"""The IKM of units from their respondents' answers, or from a report's printed NRRs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._data.columns import leaf_mismatch, number_problems
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError, OptionError, RubricError
from pelayanan_eval.ikm._bands import BandTable
from pelayanan_eval.ikm._conventions import WeightsSpec
from pelayanan_eval.ikm._partial import Tally, check_tally
from pelayanan_eval.ikm._responses import Responses
from pelayanan_eval.ikm._result import IkmResult, build_result, compute_tally, tally_result
from pelayanan_eval.typing import IkmMissing


def compute(
    rubric: Rubric,
    responses: Responses | Tally,
    *,
    weights: WeightsSpec = "rubric",
    round_nrr: int | None = None,
    round_weighted: int | None = None,
    round_ikm: int | None = None,
    bands: str | BandTable | None = None,
    missing: IkmMissing = "error",
    population: npt.ArrayLike | Mapping[Any, Any] | None = None,
) -> IkmResult:
    """Compute the IKM of every unit from its respondents' answers.

    Parameters
    ----------
    rubric
        The survey rubric (``permenpanrb-14-2017-ikm``, ``kepmenpan-25-2004-ikm``, ...).
    responses
        The answers (see :class:`Responses`; with design weights, every NRR
        is the weighted mean), or their :class:`Tally` (merged chunks, files
        or partitions).
    weights
        ``"rubric"`` (as the rubric file says, default), ``"exact"`` (1/n
        each), ``"printed"`` (1/n printed to 3 decimals: 0,111 for 9 unsur,
        0,071 for 14), a number used for every unsur as printed (0.11,
        0.1111), or a mapping unsur -> weight (as printed).
    round_nrr
        Round each NRR half up to this many decimals first.
    round_weighted
        Round each NRR x weight ("NRR tertimbang") before summing them.
    round_ikm
        Round the weighted sum (on 1-4) before the conversion.
    bands
        A key of :data:`BAND_TABLES` or a :class:`BandTable`; by default the
        rubric's own grades on the reported scale.
    missing
        ``"error"`` (default): a unit with an unsur nobody answered is an
        error; ``"renormalize"``: that unsur's weight is re-spread.
    population
        Per unit (array in ``unit_ids`` order, or mapping unit id -> size),
        the service users in the period; adds the Krejcie-Morgan required
        sample and an adequacy flag.

    Returns
    -------
    IkmResult

    Notes
    -----
    NRR per unsur = sum of the answers given / number given (weighted:
    sum of weight x answer / sum of the weights of those who answered); IKM = sum of
    NRR x weight; IKM (25-100) = IKM x 25, rounded to 2 decimals and graded.

    References
    ----------
    PermenPANRB 14/2017, Lampiran (see ``docs/regulations.md``); Kepmenpan
    25/KEP/M.PAN/2/2004 for 14 unsur and the printed 0,071.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> answers = [[3] * 9] * 59 + [[4] * 9] * 41  # NRR 3.41 on every unsur
    >>> result = ikm.compute(
    ...     rubric, ikm.Responses.from_arrays(rubric, answers=answers, unit=["kel-a"] * 100)
    ... )
    >>> result.rounded.tolist(), result.grades.tolist(), result.grade_labels.tolist()
    ([85.25], ['B'], ['Baik'])
    """
    if not isinstance(rubric, Rubric):
        raise RubricError([f"ikm.compute: expected a Rubric (see load_rubric), got "
                           f"{type(rubric).__name__}"])  # fmt: skip
    options: dict[str, Any] = {
        "weights": weights, "round_nrr": round_nrr, "round_weighted": round_weighted,
        "round_ikm": round_ikm, "bands": bands, "missing": missing, "population": population,
    }  # fmt: skip
    if isinstance(responses, Tally):
        return compute_tally(rubric, check_tally(responses, rubric), **options)
    if not isinstance(responses, Responses):
        raise ObservationError(f"responses must be ikm.Responses or ikm.Tally, got "
                               f"{type(responses).__name__}")  # fmt: skip
    mismatch = leaf_mismatch(responses.rubric, rubric)
    if mismatch:
        raise ObservationError(
            f"the responses answer the unsur of rubric {responses.rubric.id!r}, which differ "
            f"from those of {rubric.id!r}: {mismatch}"
        )
    return tally_result(rubric, responses, **options)


def from_nrr(
    rubric: Rubric,
    nrr: npt.ArrayLike | Mapping[str, float],
    *,
    unit_ids: npt.ArrayLike | None = None,
    weights: WeightsSpec = "rubric",
    round_nrr: int | None = None,
    round_weighted: int | None = None,
    round_ikm: int | None = None,
    bands: str | BandTable | None = None,
    missing: IkmMissing = "error",
) -> IkmResult:
    """Compute the IKM from per-unsur NRRs, as a published report prints them.

    The way to check a report: give its NRRs and the conventions its
    publisher used (printed weights, where it rounds) and compare the IKM
    and category with what it printed.

    Parameters
    ----------
    rubric
        The survey rubric.
    nrr
        ``[units, unsur]`` NRRs in ``rubric.leaf_ids`` order (one row per
        unit; a single row may be flat), or a mapping unsur id -> NRR for one
        unit. NaN for an unsur without answers.
    unit_ids
        Names of the rows (default "0", "1", ...).
    weights, round_nrr, round_weighted, round_ikm, bands, missing
        As in :func:`compute`.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> nrr = [3.2, 3.4, 3.0, 3.6, 3.4, 3.4, 3.8, 3.4, 3.0]
    >>> ikm.from_nrr(rubric, nrr).rounded.tolist()  # exact 1/9: 30.2 / 9 x 25
    [83.89]
    >>> ikm.from_nrr(rubric, nrr, weights=0.111).rounded.tolist()  # 30.2 x 0.111 x 25
    [83.81]
    """
    if isinstance(nrr, Mapping):
        unknown = [k for k in nrr if k not in rubric.leaf_ids]
        if unknown:
            raise OptionError("nrr: unknown unsur " + ", ".join(map(repr, unknown)))
        nrr = [[nrr.get(leaf, np.nan) for leaf in rubric.leaf_ids]]
    problems = number_problems(nrr, "nrr", list(rubric.leaf_ids))
    if problems:
        raise OptionError("; ".join(problems))
    values = np.atleast_2d(np.asarray(nrr, dtype=np.float64))
    if values.ndim != 2 or values.shape[1] != len(rubric.leaves):
        raise OptionError(f"nrr has shape {values.shape}, expected (units, {len(rubric.leaves)})")
    low, high = rubric.leaf_scales
    with np.errstate(invalid="ignore"):
        off = (values < low) | (values > high)
    if off.any():
        r, c = (int(x[0]) for x in np.nonzero(off))
        raise OptionError(f"nrr row {r}, unsur {rubric.leaf_ids[c]!r}: {float(values[r, c])!r} is "
                          f"outside the answer scale {low[c]:g}..{high[c]:g}")  # fmt: skip
    ids = np.arange(len(values)).astype(np.str_) if unit_ids is None else np.asarray(unit_ids)
    if ids.shape != (len(values),):
        raise OptionError(f"unit_ids has shape {ids.shape}, expected ({len(values)},)")
    return build_result(
        rubric, ids, values, None, None, None, None, None,
        weights=weights, round_nrr=round_nrr, round_weighted=round_weighted,
        round_ikm=round_ikm, bands=bands, missing=missing,
    )  # fmt: skip
