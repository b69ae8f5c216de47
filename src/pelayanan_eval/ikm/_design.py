"""Survey design helpers: Krejcie & Morgan sample sizes and the questionnaire of a rubric."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option
from pelayanan_eval._rubric.grading import round_half_up
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._items import items


def sample_size(
    population: npt.ArrayLike, *, chi2: float = 3.841, p: float = 0.5, d: float = 0.05
) -> Any:
    """Krejcie & Morgan (1970) sample size for a population, rounded to the nearest whole number.

    Parameters
    ----------
    population
        Population size(s) N (scalar or array of positive whole numbers).
    chi2, p, d
        Chi-square for 1 degree of freedom at the confidence level (3.841
        for 95 %), the population proportion (0.5), and the margin of error (0.05).

    Returns
    -------
    int or numpy.ndarray

    Notes
    -----
    :math:`s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P))`, rounded half
    up: the printed table rounds to nearest (N = 15 gives 14.47 -> 14), not up.

    References
    ----------
    Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for
    research activities. Educational and Psychological Measurement, 30, 607-610.

    Examples
    --------
    >>> sample_size(9000)
    368
    >>> sample_size([10, 15, 100, 220]).tolist()
    [10, 14, 80, 140]
    """
    try:
        sizes = np.asarray(population, dtype=np.float64)
    except (TypeError, ValueError):
        raise OptionError("population must be whole numbers") from None
    if (~np.isfinite(sizes)).any() or (sizes < 1).any() or (sizes != np.rint(sizes)).any():
        raise OptionError(f"population must be whole numbers >= 1, got {population!r}")
    if not (chi2 > 0 and 0 < p < 1 and 0 < d < 1):
        raise OptionError("need chi2 > 0, 0 < p < 1 and 0 < d < 1")
    s = chi2 * sizes * p * (1 - p) / (d * d * (sizes - 1) + chi2 * p * (1 - p))
    result = np.minimum(round_half_up(s, 0), sizes).astype(np.int64)
    return int(result) if result.ndim == 0 else result


def questionnaire(rubric: Rubric, *, format: str = "markdown") -> str:
    """Render the survey form of a rubric: each item with its answer options.

    Parameters
    ----------
    rubric
        A survey rubric: each item is asked on its answer scale (its
        declared ``answers``, or its own scale), with its answer labels
        (``levels``) where it has them.
    format
        ``"markdown"`` or ``"text"``.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> print(questionnaire(rubric, format="text").splitlines()[2])
    1. Persyaratan: (1) Tidak sesuai  (2) Kurang sesuai  (3) Sesuai  (4) Sangat sesuai
    """
    check_option("format", format, ("markdown", "text"))
    scales = items(rubric)  # each item's answer scale (IKM: its own 1-4; a 0-10 question)
    low, high = scales.low, scales.high
    lines = [f"# {rubric.title}" if format == "markdown" else rubric.title, ""]
    for number, (leaf, lo, hi) in enumerate(zip(rubric.leaves, low, high, strict=True), start=1):
        labels = dict(leaf.levels)
        options = [(score, labels.get(score, "")) for score in range(int(lo), int(hi) + 1)]
        if format == "markdown":
            lines.append(f"{number}. **{leaf.name}**")
            lines += [f"   - [ ] {s}. {text}".rstrip() for s, text in options]
        else:
            rendered = "  ".join(f"({s}) {text}".rstrip() for s, text in options)
            lines.append(f"{number}. {leaf.name}: {rendered}")
    return "\n".join(lines) + "\n"
