"""Quantiles of the F and t distributions without scipy: the incomplete beta function, inverted."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
_TINY = 1e-300
_EPS = 1e-15
_MAX_TERMS = 20_000
_BISECTIONS = 64


def _continued_fraction(x: Array, a: Array, b: Array) -> Array:
    """Evaluate the continued fraction of the incomplete beta function (modified Lentz).

    The terms are those of Abramowitz & Stegun 26.5.8; every element is
    iterated together and the loop ends when all have converged.
    """
    c = np.ones_like(x)
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
    result = d.copy()
    done = np.zeros(x.shape, dtype=bool)
    for m in range(1, _MAX_TERMS):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1.0 + numerator / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            step = c * d
            result = np.where(done, result, result * step)
        done |= np.abs(step - 1.0) < _EPS
        if done.all():
            break
    final: Array = result
    return final


def beta_cdf(x: Array, a: Array, b: Array) -> Array:
    """Return the regularized incomplete beta function ``I_x(a, b)``, element-wise."""
    x, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, a, b)))
    lbeta = np.vectorize(math.lgamma)(a) + np.vectorize(math.lgamma)(b)
    lbeta -= np.vectorize(math.lgamma)(a + b)
    inner = np.clip(x, _TINY, 1.0 - 1e-16)
    front = np.exp(a * np.log(inner) + b * np.log1p(-inner) - lbeta)
    swap = x > (a + 1.0) / (a + b + 2.0)  # the fraction converges fast on this side only
    xs, as_, bs = np.where(swap, 1.0 - inner, inner), np.where(swap, b, a), np.where(swap, a, b)
    value = front * _continued_fraction(xs, as_, bs) / as_
    result: Array = np.where(swap, 1.0 - value, value)
    return np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, result))


def f_quantile(p: float, d1: npt.ArrayLike, d2: npt.ArrayLike) -> Array:
    r"""Return the `p` quantile of the F distribution with `d1`, `d2` degrees of freedom.

    Notes
    -----
    :math:`P(F \le f) = I_{d_1 f / (d_1 f + d_2)}(d_1/2, d_2/2)`; the beta
    quantile is found by bisection on :math:`x \in (0, 1)` (64 halvings),
    then :math:`f = d_2 x / (d_1 (1 - x))`. Infinite degrees of freedom
    are not accepted (the callers' are finite).
    """
    a = np.asarray(d1, dtype=np.float64) / 2.0
    b = np.asarray(d2, dtype=np.float64) / 2.0
    a, b = np.broadcast_arrays(a, b)
    low, high = np.zeros(a.shape), np.ones(a.shape)
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2.0
        below = beta_cdf(middle, a, b) < p
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    x = (low + high) / 2.0
    with np.errstate(divide="ignore"):
        result: Array = b * x / (a * (1.0 - x))
    return result


def t_quantile(p: float, df: npt.ArrayLike) -> Array:
    """Return the `p` quantile (``p > 0.5``) of Student's t: the root of an F(1, df) quantile."""
    result: Array = np.sqrt(f_quantile(2.0 * p - 1.0, 1.0, df))
    return result


def normal_quantile(p: float) -> float:
    """Return the `p` quantile of the standard normal distribution."""
    return NormalDist().inv_cdf(p)
