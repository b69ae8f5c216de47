"""Linearised intervals of an IKM from its tally: weighted respondents, merged chunks."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._bands import BandTable
from pelayanan_eval.ikm._items import items
from pelayanan_eval.ikm._partial import Tally
from pelayanan_eval.ikm._responses import first_top
from pelayanan_eval.ikm._survey import coefficients_of, linearised_se
from pelayanan_eval.ikm._uncertainty import (
    Interval,
    Sample,
    band_edges,
    bootstrap,
    normal,
    normal_cdf,
    normal_quantile,
)

Array = npt.NDArray[np.float64]


def linearised(
    found: Tally,
    weighted: Rubric,
    missing: str,
    factor: float,
    table: BandTable,
    grades: npt.NDArray[np.str_],
    level: float,
) -> Interval:
    """Return the normal interval of each unit's reported IKM from the tallied moments."""
    if found.moments is None:
        raise OptionError("this tally has no interval moments: tally with moments=True")
    with np.errstate(invalid="ignore", divide="ignore"):
        means = found.wsum / found.wcount
    means[found.wcount == 0] = np.nan
    scale = items(weighted)
    scores = scale.offset + scale.factor * means
    estimate = roll_up(scores, weighted._compiled, missing, 0.0)[:, -1] * factor
    coefficients = coefficients_of(scores, weighted, missing)[:, -1:, :]
    se = linearised_se(found, coefficients, scale, means)[:, 0] * factor
    z = normal_quantile(0.5 + level / 2)
    low, high, scale_to = band_edges(table, grades, factor)
    low, high = low * scale_to, high * scale_to
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = normal_cdf((high - estimate) / se) - normal_cdf((low - estimate) / se)
    differs = np.where(se > 0, 1.0 - inside, 0.0)
    return Interval("linearised", level, found.unit_ids, estimate, estimate - z * se,
                    estimate + z * se, se, differs)  # fmt: skip


def ikm_interval(
    result: Any,
    *,
    level: float,
    method: str,
    n_boot: int,
    rng: np.random.Generator | int | None,
) -> Interval:
    """Return the interval of `result` (an ``IkmResult``), from its answers or its tally."""
    check_option("interval method", method, ("bootstrap", "normal"))
    if not 0 < level < 1:
        raise OptionError(f"level must be between 0 and 1, got {level!r}")
    r = result
    weighted = r.responses is not None and r.responses.weights is not None
    if r.tally is not None and (r.responses is None or weighted) and method == "normal":
        c = r.conventions
        return linearised(r.tally, r.weighted_rubric, c.missing, c.conversion_factor,
                          r.band_table, r.grades, level)  # fmt: skip
    if r.responses is None or r.sums is None or r.answered is None or r.respondents is None:
        raise OptionError(
            "intervals need the respondents' answers, or a tally with moments (method='normal'); "
            "this result was built from NRRs or is a mean of unit IKMs (use a pooled roll-up)"
        )
    sample = Sample(
        r.unit_ids, r.responses.answers, r.responses.unit_codes, r.sums, r.answered,
        r.respondents, r.weighted_rubric, r.conventions.missing,
        r.conventions.conversion_factor, first_top(r.rubric), r.band_table, r.grades,
        r.responses.weights,
    )  # fmt: skip
    if method == "normal":
        return normal(sample, level)
    return bootstrap(sample, level, n_boot, rng)
