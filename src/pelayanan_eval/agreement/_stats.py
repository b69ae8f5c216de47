"""Quantiles of the F and t distributions without scipy: the incomplete beta function, inverted."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
_TINY = 1e-300
_EPS = 1e-15
_MAX_TERMS = 100_000
_MAX_STEPS = 200


def _continued_fraction(x: float, a: float, b: float) -> float:
    """Evaluate the continued fraction of the incomplete beta function (modified Lentz).

    The terms are those of Abramowitz & Stegun 26.5.8. Plain floats: the
    callers evaluate a few values (one per criterion), for which a Python
    loop is faster than numpy on tiny arrays.
    """
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, _MAX_TERMS):
        numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + numerator / c
        c = c if abs(c) > _TINY else _TINY
        result *= c * d
        numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + numerator / c
        c = c if abs(c) > _TINY else _TINY
        step = c * d
        result *= step
        if abs(step - 1.0) < _EPS:
            break
    return result


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def beta_cdf(x: float, a: float, b: float) -> float:
    """Return the regularized incomplete beta function ``I_x(a, b)``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on this side only
        return front * _continued_fraction(x, a, b) / a
    return 1.0 - front * _continued_fraction(1.0 - x, b, a) / b


def _paulson(p: float, d1: float, d2: float) -> float:
    """Return Paulson's approximation of the F quantile (Wilson-Hilferty cube roots), or NaN."""
    z = NormalDist().inv_cdf(p)
    c1, c2 = 2.0 / (9.0 * d1), 2.0 / (9.0 * d2)
    a, b = 1.0 - c2, 1.0 - c1
    lead = a * a - z * z * c2
    inside = a * a * b * b - lead * (b * b - z * z * c1)
    if lead <= 0 or inside < 0:
        return math.nan
    y = (a * b + math.copysign(math.sqrt(inside), z)) / lead
    return y**3 if y > 0 else math.nan


def _beta_quantile(p: float, d1: float, d2: float) -> float:
    """Return x with ``I_x(d1/2, d2/2) = p``: Newton's method inside a bisection bracket."""
    a, b = d1 / 2.0, d2 / 2.0
    lbeta = _log_beta(a, b)
    start = _paulson(p, d1, d2)
    x = d1 * start / (d1 * start + d2) if math.isfinite(start) else 0.5
    x = min(max(x, 1e-12), 1.0 - 1e-12)
    low, high = 0.0, 1.0
    for _ in range(_MAX_STEPS):
        cdf = beta_cdf(x, a, b)
        if cdf < p:
            low = x
        else:
            high = x
        log_density = (a - 1) * math.log(x) + (b - 1) * math.log1p(-x) - lbeta
        density = math.exp(log_density) if log_density < 700 else math.inf
        step = x - (cdf - p) / density if density > 0 else math.nan
        new = step if low < step < high else (low + high) / 2.0
        if abs(new - x) <= 1e-15 * max(x, 1e-300):
            return new
        x = new
    return x


def f_quantile(p: float, d1: npt.ArrayLike, d2: npt.ArrayLike) -> Array:
    r"""Return the `p` quantile of the F distribution with `d1`, `d2` degrees of freedom.

    Notes
    -----
    :math:`P(F \le f) = I_{d_1 f / (d_1 f + d_2)}(d_1/2, d_2/2)`; the beta
    quantile :math:`x` is found by Newton's method from Paulson's
    approximation, kept inside a bisection bracket (a step leaving it
    bisects instead), then :math:`f = d_2 x / (d_1 (1 - x))`. Degrees of
    freedom that are not positive and finite give NaN.
    """
    first, second = np.broadcast_arrays(np.asarray(d1, dtype=np.float64),
                                        np.asarray(d2, dtype=np.float64))  # fmt: skip
    out = np.full(first.shape, np.nan)
    flat = out.reshape(-1)
    pairs = zip(first.reshape(-1).tolist(), second.reshape(-1).tolist(), strict=True)
    for i, (u, v) in enumerate(pairs):  # one per criterion (or per bound): a few values
        if 0 < u < math.inf and 0 < v < math.inf:
            x = _beta_quantile(p, u, v)
            flat[i] = v * x / (u * (1.0 - x)) if x < 1.0 else math.inf
    return out


def t_quantile(p: float, df: npt.ArrayLike) -> Array:
    """Return the `p` quantile (``p > 0.5``) of Student's t: the root of an F(1, df) quantile."""
    result: Array = np.sqrt(f_quantile(2.0 * p - 1.0, 1.0, df))
    return result


def normal_quantile(p: float) -> float:
    """Return the `p` quantile of the standard normal distribution."""
    return NormalDist().inv_cdf(p)
