"""Uncertainty of IKM estimates: respondent bootstrap and delta-method normal intervals."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._bands import BandTable
from pelayanan_eval.ikm._tally import CHUNK_ROWS, count_answers

Array = npt.NDArray[np.float64]
BOOTSTRAP_ROWS = 1 << 21  # resampled rows held at once


def normal_cdf(z: Array) -> Array:
    """Compute the standard normal CDF, vectorised (Numerical Recipes erfc, error < 1.2e-7)."""
    x = np.abs(np.asarray(z, dtype=np.float64)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))  # fmt: skip
    upper = 0.5 * t * np.exp(poly)  # P(Z > |z|)
    result: Array = np.where(np.asarray(z) >= 0, 1.0 - upper, upper)
    return result


def normal_quantile(p: float) -> float:
    """Compute the inverse standard normal CDF (Acklam's approximation, error < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)  # fmt: skip
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    if p < 0.02425 or p > 1 - 0.02425:
        q = np.sqrt(-2 * np.log(min(p, 1 - p)))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)  # fmt: skip
        return float(x if p < 0.5 else -x)
    q = p - 0.5
    r = q * q
    return float((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1))  # fmt: skip


@attrs.frozen(repr=False)
class TargetCheck:
    """Distance to a target IKM and the probability that the unit already reaches it.

    ``gap`` is target minus estimate on the reported scale (positive: still
    below); ``p_reached`` the probability that the true IKM is at or above it.
    Its repr is a small table, one line per unit (the first 20).
    """

    unit_ids: npt.NDArray[Any] = attrs.field(eq=False)
    target: float
    gap: Array = attrs.field(eq=False)
    p_reached: Array = attrs.field(eq=False)

    def __repr__(self) -> str:
        names = [str(u) for u in self.unit_ids.tolist()]
        width = max([4, *(len(n) for n in names[:20])])
        lines = [f"TargetCheck: target {self.target:g} (reported scale), {len(names)} unit(s)",
                 f"  {'unit':<{width}}  {'gap':>8}  {'P(reached)':>10}"]  # fmt: skip
        rows = zip(names[:20], self.gap.tolist(), self.p_reached.tolist(), strict=False)
        lines += [f"  {name:<{width}}  {gap:>8.2f}  {p:>10.3f}" for name, gap, p in rows]
        if len(names) > 20:
            lines.append(f"  ... and {len(names) - 20} more")
        return "\n".join(lines)


@attrs.frozen
class Interval:
    """Confidence interval of each unit's IKM on the reported scale (25-100).

    ``p_category_differs`` is the probability that the unit's true category
    is not its point category (from the replicates, or the normal model).
    """

    method: str
    level: float
    unit_ids: npt.NDArray[Any] = attrs.field(eq=False)
    estimate: Array = attrs.field(eq=False)
    lower: Array = attrs.field(eq=False)
    upper: Array = attrs.field(eq=False)
    se: Array = attrs.field(eq=False)
    p_category_differs: Array = attrs.field(eq=False)
    replicates: Array | None = attrs.field(default=None, eq=False, repr=False)

    def target(self, goal: float, estimate: Array) -> TargetCheck:
        """Compare each unit with a target on the reported scale."""
        if self.replicates is not None:
            reached = np.mean(self.replicates >= goal - 1e-12, axis=0)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (estimate - goal) / self.se
            reached = np.where(self.se > 0, normal_cdf(z), (estimate >= goal).astype(float))
        return TargetCheck(self.unit_ids, goal, goal - estimate, reached)


@attrs.frozen(eq=False)
class Sample:
    """What an interval needs of an IKM result: the answers, their tallies and the conventions."""

    unit_ids: npt.NDArray[Any]
    answers: npt.NDArray[np.uint8]
    codes: npt.NDArray[np.intp]
    sums: npt.NDArray[np.int64]
    answered: npt.NDArray[np.int64]
    respondents: npt.NDArray[np.int64]
    weighted: Rubric  # the survey rubric with the weights used
    missing: str
    factor: float  # the conversion factor (IKM: 25)
    top: int  # the largest answer
    band_table: BandTable
    grades: npt.NDArray[np.str_]  # each unit's point grade
    weights: Array | None = None  # design weight per respondent


def _unrounded(sample: Sample) -> tuple[Array, Array]:
    sums: npt.NDArray[Any]
    given: npt.NDArray[Any]
    if sample.weights is None:
        sums, given = sample.sums, sample.answered
    else:
        sums, given = _weighted_sums(sample.codes, sample.answers, sample.weights,
                                     len(sample.unit_ids))  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = sums / given
    index = roll_up(nrr, sample.weighted._compiled, sample.missing, 0.0)[:, -1]
    return nrr, index * sample.factor


def band_edges(
    table: BandTable, grades: npt.NDArray[Any], factor: float
) -> tuple[Array, Array, float]:
    """Raw-value edges of each unit's point band on the table's scale, and the scale factor."""
    half = 0.0 if table.rounding.digits is None else 0.5 * 10.0 ** (-table.rounding.digits)
    lows = np.array([band.min for band in table.grades]) - half
    position = {band.code: i for i, band in enumerate(table.grades)}
    index = np.array([position.get(str(code), -1) for code in grades.tolist()])
    lower = np.where(index == len(lows) - 1, -np.inf, lows[np.maximum(index, 0)])
    upper = np.where(index <= 0, np.inf, lows[np.maximum(index - 1, 0)])
    scale = 1.0 if table.on == "reported" else factor
    return lower, upper, scale


def normal(sample: Sample, level: float) -> Interval:
    """Delta-method interval: each respondent's influence on the weighted NRR sum."""
    nrr, estimate = _unrounded(sample)
    weights = sample.weighted.leaf_weights
    data = sample
    codes, answers = data.codes, data.answers
    units = len(sample.unit_ids)
    total = np.zeros(units)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = weights / data.answered  # [units, unsur]
    for start in range(0, len(answers), CHUNK_ROWS):
        block = answers[start : start + CHUNK_ROWS]
        unit = codes[start : start + CHUNK_ROWS]
        given = block > 0
        deviation = np.where(given, block - nrr[unit], 0.0) * np.where(given, scale[unit], 0.0)
        total += np.bincount(unit, weights=deviation.sum(axis=1) ** 2, minlength=units)
    n = data.respondents.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(total * n / (n - 1)) * sample.factor
    z = normal_quantile(0.5 + level / 2)
    low, high, factor = band_edges(sample.band_table, sample.grades, sample.factor)
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = normal_cdf((high * factor - estimate) / se) - normal_cdf(
            (low * factor - estimate) / se
        )
    differs = np.where(se > 0, 1.0 - inside, 0.0)
    return Interval("normal", level, sample.unit_ids, estimate, estimate - z * se,
                    estimate + z * se, se, differs)  # fmt: skip


def _weighted_sums(
    group: npt.NDArray[np.intp], answers: npt.NDArray[np.uint8], weights: Array, groups: int
) -> tuple[Array, Array]:
    """Per group and unsur: sum of weight x answer, and of the weights of those who answered."""
    sums, given = np.empty((groups, answers.shape[1])), np.empty((groups, answers.shape[1]))
    for j in range(answers.shape[1]):  # one bincount per unsur, over all replicates at once
        column = answers[:, j]
        sums[:, j] = np.bincount(group, weights=weights * column, minlength=groups)
        given[:, j] = np.bincount(group, weights=weights * (column > 0), minlength=groups)
    return sums, given


def bootstrap(
    sample: Sample, level: float, n_boot: int, rng: np.random.Generator | int | None
) -> Interval:
    """Percentile interval from resampling each unit's respondents with replacement.

    With design weights each drawn respondent keeps their weight, so every
    replicate is the weighted estimate on a resample (Rao & Wu 1988's
    with-replacement bootstrap, one stage).
    """
    if not isinstance(n_boot, int) or n_boot < 10:
        raise OptionError(f"n_boot must be a whole number >= 10, got {n_boot!r}")
    generator = np.random.default_rng(rng)
    answers, codes = sample.answers, sample.codes
    kept = np.flatnonzero(answers.any(axis=1))
    order = kept[np.argsort(codes[kept], kind="stable")]
    slot_unit = codes[order]
    units = len(sample.unit_ids)
    sizes = np.bincount(slot_unit, minlength=units)
    starts = np.cumsum(sizes) - sizes
    tree = sample.weighted._compiled
    top, factor = sample.top, sample.factor
    per_chunk = max(1, BOOTSTRAP_ROWS // max(1, len(order)))
    replicates = np.empty((n_boot, units))
    for first in range(0, n_boot, per_chunk):
        count = min(per_chunk, n_boot - first)
        unit = np.tile(slot_unit, count)
        draws = starts[unit] + np.floor(generator.random(len(unit)) * sizes[unit]).astype(np.intp)
        group = np.repeat(np.arange(count), len(order)) * units + unit
        rows = order[draws]
        if sample.weights is None:
            sums, given, _, _ = count_answers(group, answers[rows], count * units, top)
            with np.errstate(invalid="ignore", divide="ignore"):
                nrr = sums / given
        else:  # each drawn respondent brings their weight (a weighted bootstrap)
            weighted, given_w = _weighted_sums(group, answers[rows], sample.weights[rows],
                                               count * units)  # fmt: skip
            with np.errstate(invalid="ignore", divide="ignore"):
                nrr = weighted / given_w
        index = roll_up(nrr, tree, "renormalize", 0.0)[:, -1]
        replicates[first : first + count] = index.reshape(count, units) * factor
    alpha = (1 - level) / 2
    lower, upper = np.nanquantile(replicates, [alpha, 1 - alpha], axis=0)
    _, estimate = _unrounded(sample)
    low, high, scale = band_edges(sample.band_table, sample.grades, sample.factor)
    differs = np.mean((replicates < low * scale) | (replicates >= high * scale), axis=0)
    se = np.nanstd(replicates, axis=0, ddof=1)
    return Interval("bootstrap", level, sample.unit_ids, estimate, lower, upper, se, differs,
                    replicates)  # fmt: skip
