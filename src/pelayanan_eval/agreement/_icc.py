"""Intraclass correlations: one-way forms on any design, two-way forms on crossed designs."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval.agreement._stats import f_quantile

Array = npt.NDArray[np.float64]

ONE_WAY = ("ICC(1)", "ICC(1,k)")
TWO_WAY = ("ICC(A,1)", "ICC(A,k)", "ICC(C,1)", "ICC(C,k)")
FORMS = ONE_WAY + TWO_WAY


@attrs.frozen(eq=False)
class Forms:
    """ICC values and F-based interval bounds per form, for one or more score columns."""

    value: dict[str, Array]
    low: dict[str, Array]
    high: dict[str, Array]
    units: npt.NDArray[np.int64]  # units used per column
    raters: Array  # raters per unit (k; the mean size k0 for an unbalanced one-way design)


def one_way(values: Array, unit_codes: npt.NDArray[np.intp], units: int,
            confidence: float) -> Forms:  # fmt: skip
    r"""Compute ICC(1) and ICC(1,k) for each column of `values` (rows: scores, NaN: none).

    Units with fewer than two scores in a column are left out of it.

    Notes
    -----
    One-way random-effects ANOVA (Shrout & Fleiss 1979, case 1; McGraw &
    Wong 1996, model 1): with :math:`MS_B` between units and :math:`MS_W`
    within, :math:`\mathrm{ICC}(1) = (MS_B - MS_W) / (MS_B + (k_0 - 1) MS_W)`
    and :math:`\mathrm{ICC}(1,k) = (MS_B - MS_W) / MS_B`, where
    :math:`k_0 = (N - \sum_i k_i^2 / N) / (n - 1)` is the number of scores
    per unit (:math:`k` when every unit has :math:`k`). Interval: with
    :math:`F = MS_B / MS_W`, :math:`F_L = F / F_{1-a/2}(n-1, N-n)`,
    :math:`F_U = F \cdot F_{1-a/2}(N-n, n-1)`; bounds
    :math:`(F_L - 1)/(F_L + k_0 - 1)` and :math:`1 - 1/F_L` (and likewise
    with :math:`F_U`). For unequal :math:`k_i` the F interval is an
    approximation.
    """
    columns = values.shape[1]
    scored = ~np.isnan(values)
    size = np.stack([np.bincount(unit_codes[scored[:, j]], minlength=units)
                     for j in range(columns)], axis=1).astype(np.float64)  # fmt: skip
    keep = (size >= 2)[unit_codes] & scored
    zeroed = np.where(keep, values, 0.0)
    total = np.stack([np.bincount(unit_codes, weights=zeroed[:, j], minlength=units)
                      for j in range(columns)], axis=1)  # fmt: skip
    size = np.where(size >= 2, size, 0.0)
    n = (size > 0).sum(axis=0).astype(np.float64)
    big_n = size.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_mean = total / size
        grand = total.sum(axis=0) / big_n
        between = np.nansum(size * (unit_mean - grand) ** 2, axis=0)
        deviation = np.where(keep, values - unit_mean[unit_codes], 0.0)
        within = (deviation**2).sum(axis=0)
        df_b, df_w = n - 1.0, big_n - n
        ms_b, ms_w = between / df_b, within / df_w
        k0 = (big_n - (size**2).sum(axis=0) / big_n) / df_b
        single = (ms_b - ms_w) / (ms_b + (k0 - 1.0) * ms_w)
        average = (ms_b - ms_w) / ms_b
        f_low, f_high = _f_bounds(ms_b / ms_w, df_b, df_w, confidence)
        value = {"ICC(1)": single, "ICC(1,k)": average}
    low = {"ICC(1)": _single(f_low, k0), "ICC(1,k)": _average(f_low)}
    high = {"ICC(1)": _single(f_high, k0), "ICC(1,k)": _average(f_high)}
    return Forms(value, low, high, n.astype(np.int64), k0)


def two_way(ratings: Array, confidence: float) -> Forms:
    r"""Compute the two-way forms on ``[columns, units, raters]`` ratings.

    In each column, the units missing a rater's score are left out.

    Notes
    -----
    Two-way ANOVA without replication (McGraw & Wong 1996, cases 2A and
    3; Shrout & Fleiss 1979 ICC(2,·) and ICC(3,·)), with :math:`MS_R`
    between units, :math:`MS_C` between raters and :math:`MS_E` residual:

    - agreement :math:`\mathrm{ICC}(A,1) =
      \frac{MS_R - MS_E}{MS_R + (k-1) MS_E + k (MS_C - MS_E)/n}`,
      :math:`\mathrm{ICC}(A,k) = \frac{MS_R - MS_E}{MS_R + (MS_C - MS_E)/n}`;
    - consistency :math:`\mathrm{ICC}(C,1) = \frac{MS_R - MS_E}{MS_R + (k-1) MS_E}`,
      :math:`\mathrm{ICC}(C,k) = \frac{MS_R - MS_E}{MS_R}`.

    Intervals: consistency from :math:`F = MS_R / MS_E` on
    :math:`(n-1, (n-1)(k-1))` degrees of freedom as for ICC(1); agreement
    from McGraw & Wong's Table 7 with Satterthwaite's degrees of freedom
    :math:`v = (a MS_C + b MS_E)^2 / ((a MS_C)^2/(k-1) + (b MS_E)^2/((n-1)(k-1)))`,
    :math:`a = k\rho/(n(1-\rho))`, :math:`b = 1 + k\rho(n-1)/(n(1-\rho))`;
    the bounds of the average forms are the Spearman-Brown step-ups
    :math:`kL/(1 + (k-1)L)` of the single ones.
    """
    k = ratings.shape[2]
    # units with a score from every rater, per column; the others are left out of that column
    complete = np.asarray(~np.isnan(ratings).any(axis=2), dtype=bool)
    n = complete.sum(axis=1).astype(np.float64)
    filled = np.where(complete[:, :, None], ratings, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        grand = filled.sum(axis=(1, 2)) / (n * k)
        row = filled.sum(axis=2) / k
        col = filled.sum(axis=1) / n[:, None]
    centred_row = np.where(complete, row - grand[:, None], 0.0)
    ss_r = k * (centred_row**2).sum(axis=1)
    ss_c = n * ((col - grand[:, None]) ** 2).sum(axis=1)
    centred = np.where(complete[:, :, None], filled - grand[:, None, None], 0.0)
    ss_t = (centred**2).sum(axis=(1, 2))
    ss_e = ss_t - ss_r - ss_c
    df_r, df_c, df_e = n - 1.0, k - 1.0, (n - 1.0) * (k - 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ms_r, ms_c, ms_e = ss_r / df_r, ss_c / df_c, np.maximum(ss_e, 0.0) / df_e
        a1 = (ms_r - ms_e) / (ms_r + (k - 1) * ms_e + k * (ms_c - ms_e) / n)
        ak = (ms_r - ms_e) / (ms_r + (ms_c - ms_e) / n)
        c1 = (ms_r - ms_e) / (ms_r + (k - 1) * ms_e)
        ck = (ms_r - ms_e) / ms_r
        f_low, f_high = _f_bounds(ms_r / ms_e, np.asarray(df_r), np.asarray(df_e), confidence)
        a = k * a1 / (n * (1 - a1))
        b = 1 + k * a1 * (n - 1) / (n * (1 - a1))
        v = (a * ms_c + b * ms_e) ** 2 / ((a * ms_c) ** 2 / df_c + (b * ms_e) ** 2 / df_e)
        v = np.where(np.isfinite(v) & (v > 0), v, np.nan)  # no interval without a valid df
        upper_q = (1 + confidence) / 2
        f_star = f_quantile(upper_q, df_r, v)
        f_star2 = f_quantile(upper_q, v, df_r)
        spread = k * ms_c + (k * n - k - n) * ms_e
        a1_low = n * (ms_r - f_star * ms_e) / (f_star * spread + n * ms_r)
        a1_high = n * (f_star2 * ms_r - ms_e) / (spread + n * f_star2 * ms_r)
    # perfect agreement (no residual, no rater effect): the interval is the point 1
    perfect = a1 >= 1.0 - 1e-12
    a1_low, a1_high = np.where(perfect, 1.0, a1_low), np.where(perfect, 1.0, a1_high)
    value = {"ICC(A,1)": a1, "ICC(A,k)": ak, "ICC(C,1)": c1, "ICC(C,k)": ck}
    low = {"ICC(A,1)": a1_low, "ICC(A,k)": _step_up(a1_low, k),
           "ICC(C,1)": _single(f_low, k), "ICC(C,k)": _average(f_low)}  # fmt: skip
    high = {"ICC(A,1)": a1_high, "ICC(A,k)": _step_up(a1_high, k),
            "ICC(C,1)": _single(f_high, k), "ICC(C,k)": _average(f_high)}  # fmt: skip
    return Forms(value, low, high, n.astype(np.int64), np.full(len(grand), float(k)))


def _single(f: Array, k: Array | float) -> Array:
    """Return the single-score bound (F - 1) / (F + k - 1) of an F bound (1 when F is infinite)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Array = np.where(np.isposinf(f), 1.0, (f - 1) / (f + k - 1))
    return result


def _average(f: Array) -> Array:
    """Return the average-score bound 1 - 1/F of an F bound."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Array = 1 - 1 / f
    return result


def _step_up(single: Array, k: float) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Array = k * single / (1 + (k - 1) * single)
    return result


def _f_bounds(f: Array, df1: Array, df2: Array, confidence: float) -> tuple[Array, Array]:
    r"""Return :math:`F / F_{1-a/2}(d_1, d_2)` and :math:`F \\cdot F_{1-a/2}(d_2, d_1)`."""
    upper_q = (1 + confidence) / 2
    safe1 = np.where(np.asarray(df1) > 0, df1, 1.0)
    safe2 = np.where(np.asarray(df2) > 0, df2, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = f / f_quantile(upper_q, safe1, safe2)
        high = f * f_quantile(upper_q, safe2, safe1)
    return low, high
