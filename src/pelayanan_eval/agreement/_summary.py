"""One line of agreement for a printed report (the demo's)."""

from __future__ import annotations

import math

import numpy as np

from pelayanan_eval._data.observations import Observations
from pelayanan_eval.agreement._coefficients import coefficients
from pelayanan_eval.agreement._flags import disagreements
from pelayanan_eval.typing import MeasurementLevel, RaterField


def _figure(value: float) -> str:
    return "undefined" if math.isnan(value) else f"{value:.2f}"


def summary(
    observations: Observations,
    *,
    by: RaterField = "observer",
    level: MeasurementLevel = "ordinal",
    n_boot: int = 200,
    rng: np.random.Generator | int | None = 0,
) -> str:
    """Return one line: alpha over all criteria, ICC(1) of the index, and scores to re-check.

    The bootstrap is seeded (``rng=0``) so that the line is the same on
    every run; see :func:`coefficients` and :func:`disagreements` for the
    figures.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import agreement
    >>> print(agreement.summary(pe.demo_city().observations))  # doctest: +ELLIPSIS
    agreement between assessors: Krippendorff's alpha (ordinal, all criteria) 0.54 [95% ...
    """
    table = coefficients(observations, by=by, level=level, icc=["ICC(1)"], n_boot=n_boot,
                         rng=rng)  # fmt: skip
    last = len(table) - 1
    interval = ""
    if not math.isnan(table.alpha_low[last]):
        interval = f" [95% {table.alpha_low[last]:.2f}-{table.alpha_high[last]:.2f}]"
    icc = table.icc["ICC(1)"][last]
    flagged = len(disagreements(observations).pairs)
    who = "assessors" if by == "observer" else "visits"
    return (
        f"agreement between {who}: Krippendorff's alpha ({level}, all criteria) "
        f"{_figure(table.alpha[last])}{interval}; ICC(1) of the index {_figure(icc)}; "
        f"{flagged} score(s) differ by 2 levels or more (agreement.disagreements)"
    )
