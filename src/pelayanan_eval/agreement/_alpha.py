"""Krippendorff's alpha: coincidence matrices by counting, four difference functions, bootstrap."""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option
from pelayanan_eval.typing import MeasurementLevel, choices

LEVELS = choices(MeasurementLevel)
Array = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]
BOOT_CELLS = 1 << 22  # replicate x pattern (or unit) weights held at once


@attrs.frozen(eq=False)
class Coincidences:
    """The coincidence matrix of one set of reliability units, and how it was counted.

    ``matrix[c, k]`` is :math:`o_{ck}`, over the values of `domain`;
    `units` is the number of pairable units (two values or more),
    `dropped` the units with a single value (unpairable, left out), and
    `patterns` / `frequency` the distinct per-unit contributions (each a
    flattened ``V x V`` matrix) with the number of units giving each, which
    is all a bootstrap over units needs; `mask` flags the pairable units.
    """

    matrix: Array
    domain: Array
    units: int
    dropped: int
    patterns: Array
    frequency: Counts
    mask: npt.NDArray[np.bool_]  # per unit: pairable (two values or more)
    keys: Counts | None = None  # per unit: its pattern's key into key_table (when counted so)
    key_table: Array | None = None  # per key: the flattened contribution

    @property
    def pairable(self) -> float:
        """The number of pairable values, :math:`n_{..}`."""
        return float(self.matrix.sum())


def value_codes(
    values: Array, bounds: tuple[float, float] | None = None
) -> tuple[Array, npt.NDArray[np.int16]]:
    """Return the possible values (sorted) and each cell's position among them (-1: NaN).

    With `bounds` (the rubric's scales, which every score was checked
    against) whole numbers in a small span are coded in two passes and the
    domain is the whole span (a value nobody gave has no weight in alpha).
    Otherwise whole numbers within a small span are counted without
    sorting, and anything else goes through :func:`numpy.unique`.
    """
    if bounds is not None and float(bounds[0]).is_integer() and 0 <= bounds[1] - bounds[0] <= 64:
        low = float(bounds[0])
        missing = np.isnan(values)
        shifted = np.subtract(values, low)
        shifted[missing] = -1.0
        coded = shifted.astype(np.int16)
        if np.array_equal(coded, shifted):
            return np.arange(int(bounds[1] - low) + 1, dtype=np.float64) + low, coded
    finite = ~np.isnan(values)
    if not finite.any():
        return np.zeros(0), np.full(values.shape, -1, dtype=np.int16)
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    shifted = values - low
    if high - low <= 1000 and np.array_equal(np.rint(shifted), shifted, equal_nan=True):
        offset = np.where(finite, shifted, -1.0).astype(np.int16)
        used = np.bincount(offset.ravel() + 1, minlength=int(high - low) + 2)[1:] > 0
        if used.all():
            return np.arange(len(used), dtype=np.float64) + low, offset
        renumber = np.r_[-1, np.cumsum(used) - 1].astype(np.int16)
        codes = renumber[offset.astype(np.intp) + 1]
        return np.flatnonzero(used).astype(np.float64) + low, codes
    present = values[finite]
    domain, inverse = np.unique(present, return_inverse=True)
    codes = np.full(values.shape, -1, dtype=np.int16)
    codes[finite] = inverse.reshape(-1)
    return domain, codes


def unit_counts(codes: npt.NDArray[np.int16], unit_codes: npt.NDArray[np.intp], units: int,
                values: int) -> Counts:  # fmt: skip
    """Return ``[units, values]``: how many times each value was given to each unit."""
    scored = codes >= 0
    keys = unit_codes[scored].astype(np.int64) * values + codes[scored]
    return np.bincount(keys, minlength=units * values).reshape(units, values)


def leaf_coincidences(
    codes: npt.NDArray[np.int16],
    unit_codes: npt.NDArray[np.intp],
    units: int,
    domain: Array,
    most: int,
) -> list[Coincidences]:
    """Count every criterion's coincidence matrix straight from its value codes.

    `codes` is ``[criteria, rows]`` with rows grouped by unit. Each unit's
    values on a criterion are summed into one integer key, ``sum_v n_uv *
    (most + 1) ** v`` (`most`: the most rows any unit has), for every
    criterion and unit in one ``reduceat``; the distinct keys, counted in
    one ``bincount``, are the unit patterns. Falls back to
    :func:`coincidences` on each criterion's count matrix when the keys
    would not fit.
    """
    size = len(domain)
    base = most + 1
    if size * math.log2(max(base, 2)) >= 20:
        return [coincidences(unit_counts(c, unit_codes, units, size), domain) for c in codes]
    span = base**size
    powers = np.r_[0.0, float(base) ** np.arange(size)]  # code -1 (not scored) adds nothing
    starts = np.flatnonzero(np.r_[True, unit_codes[1:] != unit_codes[:-1]])
    summed = np.add.reduceat(np.take(powers, codes + np.int16(1)), starts, axis=1)
    keys = np.rint(summed).astype(np.int64)
    offsets = (np.arange(len(codes), dtype=np.int64) * span)[:, None]
    tally = np.bincount((keys + offsets).ravel(), minlength=len(codes) * span)
    tally = tally.reshape(len(codes), span)
    digits = base ** np.arange(size, dtype=np.int64)
    everything = (np.arange(span, dtype=np.int64)[:, None] // digits) % base
    values_of_key = everything.sum(axis=1)
    masks = values_of_key[keys] >= 2
    key_table = contributions(everything)
    found = []
    for j in range(len(codes)):  # a loop over criteria, on their few distinct patterns
        distinct = np.flatnonzero(tally[j])
        m = values_of_key[distinct]
        pairable = m >= 2
        frequency = tally[j, distinct[pairable]].astype(np.int64)
        per_unit = contributions(everything[distinct[pairable]])
        matrix = (frequency.astype(np.float64) @ per_unit).reshape(size, size)
        dropped = int(tally[j, distinct[m == 1]].sum())
        found.append(Coincidences(matrix, domain, int(frequency.sum()), dropped, per_unit,
                                  frequency, masks[j], keys[j], key_table))  # fmt: skip
    return found


def coincidences(counts: Counts, domain: Array) -> Coincidences:
    r"""Count the coincidence matrix from per-unit value counts.

    Notes
    -----
    :math:`o_{ck} = \sum_u \frac{n_{uc} (n_{uk} - [c = k])}{m_u - 1}` over
    units with :math:`m_u \ge 2` values (Krippendorff 2011, section C).
    Units are first reduced to their distinct count vectors (two assessors
    on six levels give at most 21), so the work after the counting does
    not grow with the number of units.
    """
    total = counts.sum(axis=1)
    pairable = total >= 2
    dropped = int(np.count_nonzero(total == 1))
    kept = counts[pairable]
    patterns, frequency = _distinct_rows(kept)
    per_unit = contributions(patterns)
    size = len(domain)
    matrix = (frequency.astype(np.float64) @ per_unit).reshape(size, size)
    return Coincidences(matrix, domain, int(pairable.sum()), dropped, per_unit, frequency, pairable)


def contributions(counts: Counts) -> Array:
    """Return each unit's flattened ``V x V`` contribution to the coincidence matrix."""
    m = counts.sum(axis=1).astype(np.float64)
    size = counts.shape[1]
    outer = counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(size)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(m[:, None, None] >= 2, outer / (m - 1.0)[:, None, None], 0.0)
    result: Array = scaled.reshape(len(counts), size * size)
    return result


def _distinct_rows(rows: Counts) -> tuple[Counts, Counts]:
    """Return the distinct rows of a small-integer matrix and how often each occurs."""
    if len(rows) == 0:
        return rows, np.zeros(0, dtype=np.int64)
    base = int(rows.max()) + 1
    width = rows.shape[1]
    if width * np.log2(base) < 62:
        powers = base ** np.arange(width, dtype=np.int64)
        keys = rows @ powers
        if int(keys.max()) < 1 << 22:
            tally = np.bincount(keys)
            distinct = np.flatnonzero(tally)
            decoded = (distinct[:, None] // powers) % base
            return decoded.astype(np.int64), tally[distinct].astype(np.int64)
        distinct, first, count = np.unique(keys, return_index=True, return_counts=True)
        return rows[first], count.astype(np.int64)
    unique, count = np.unique(rows, axis=0, return_counts=True)
    return unique, count.astype(np.int64)


def differences(domain: Array, marginals: Array, level: str) -> Array:
    r"""Return the squared differences :math:`\delta^2_{ck}` of a level (batched over marginals).

    Notes
    -----
    Krippendorff (2011), section E: nominal :math:`[c \ne k]`; ordinal
    :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`; interval
    :math:`(c - k)^2`; ratio :math:`((c - k)/(c + k))^2` (0 when
    :math:`c = k = 0`). Only the ordinal one depends on the marginals
    `marginals` (``[..., V]``), which is why a bootstrap recomputes it.
    """
    c, k = domain[:, None], domain[None, :]
    if level == "nominal":
        nominal: Array = (c != k).astype(np.float64)
        return nominal
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        total = c + k
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(total == 0, 0.0, (c - k) / np.where(total == 0, 1.0, total))
        return ratio**2
    cumulative = np.cumsum(marginals, axis=-1)
    n = marginals
    result: Array = (
        cumulative[..., None, :]
        - cumulative[..., :, None]
        + (n[..., :, None] - n[..., None, :]) / 2
    ) ** 2
    return result


def alpha_value(matrix: Array, domain: Array, level: str) -> tuple[float, float, float]:
    r"""Return (alpha, observed disagreement, expected disagreement) of a coincidence matrix.

    Notes
    -----
    :math:`\alpha = 1 - D_o / D_e` with
    :math:`D_o = \frac{1}{n} \sum_{c,k} o_{ck} \delta^2_{ck}` and
    :math:`D_e = \frac{1}{n(n-1)} \sum_{c,k} n_c n_k \delta^2_{ck}`.
    Alpha is NaN when :math:`D_e = 0` (every pairable value the same, or
    fewer than two pairable values): the caller says so.
    """
    marginals = matrix.sum(axis=1)
    n = float(marginals.sum())
    if n < 2:
        return float("nan"), float("nan"), 0.0
    delta = differences(domain, marginals, level)
    observed = float((matrix * delta).sum()) / n
    expected = float((np.outer(marginals, marginals) * delta).sum()) / (n * (n - 1.0))
    if expected <= 0.0:
        return float("nan"), observed, 0.0
    return 1.0 - observed / expected, observed, expected


def _replicate_alphas(matrices: Array, domain: Array, level: str) -> Array:
    """Return the alpha of each flattened matrix of ``[replicates, V * V]`` (NaN: undefined)."""
    size = len(domain)
    matrices = matrices.reshape(len(matrices), size, size)
    marginals = matrices.sum(axis=2)
    n = marginals.sum(axis=1)
    delta = differences(domain, marginals, level)
    if delta.ndim == 2:
        delta = np.broadcast_to(delta, matrices.shape)
    observed = (matrices * delta).sum(axis=(1, 2))
    expected = (marginals[:, :, None] * marginals[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Array = np.where(
            expected > 0, 1.0 - (n - 1.0) * observed / np.where(expected > 0, expected, 1.0), np.nan
        )
    return result


def bootstrap_alpha(
    patterns: Array,
    frequency: Counts,
    domain: Array,
    level: str,
    n_boot: int,
    rng: np.random.Generator,
) -> Array:
    """Return `n_boot` alphas of samples of units drawn with replacement (NaN: undefined).

    Each replicate draws as many units as there are, with replacement;
    units with the same contribution are drawn together (multinomial counts
    of the distinct patterns), so the cost depends on the patterns, not on
    the units. Replicates are processed in blocks.
    """
    units = int(frequency.sum())
    out = np.empty(n_boot)
    block = max(1, BOOT_CELLS // max(len(patterns), 1))
    for start in range(0, n_boot, block):  # blocks of replicates, each block vectorised
        count = min(block, n_boot - start)
        weights = rng.multinomial(units, frequency / units, size=count).astype(np.float64)
        out[start : start + count] = _replicate_alphas(weights @ patterns, domain, level)
    return out


def bootstrap_units(
    tables: list[Array], domain: Array, level: str, n_boot: int, rng: np.random.Generator
) -> list[Array]:
    """Return `n_boot` alphas for each ``[units, V * V]`` table, from shared draws of units.

    Each replicate draws as many units as there are, with replacement, and
    the same draws serve every table (the rows of one agreement table).
    """
    units = tables[0].shape[0]
    out = [np.empty(n_boot) for _ in tables]
    block = max(1, BOOT_CELLS // max(units, 1))
    for start in range(0, n_boot, block):  # blocks of replicates, each block vectorised
        count = min(block, n_boot - start)
        draws = rng.integers(0, units, size=(count, units))
        draws += np.arange(count)[:, None] * units
        drawn = np.bincount(draws.ravel(), minlength=count * units).reshape(count, units)
        weights = drawn.astype(np.float64)
        for table, result in zip(tables, out, strict=True):
            result[start : start + count] = _replicate_alphas(weights @ table, domain, level)
    return out


def check_level(level: object) -> str:
    """Return `level` if it is a level of measurement, else raise OptionError listing them."""
    return check_option("level of measurement", level, LEVELS)
