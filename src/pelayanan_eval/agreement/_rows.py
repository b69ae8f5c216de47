"""The rows of an agreement table: alpha per criterion or pooled node, ICCs per score column."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from pelayanan_eval._data.observations import Observations
from pelayanan_eval.agreement._alpha import (
    Coincidences,
    alpha_value,
    bootstrap_alpha,
    contributions,
    unit_counts,
)
from pelayanan_eval.agreement._icc import ONE_WAY, TWO_WAY, Forms, one_way, two_way
from pelayanan_eval.agreement._raters import Raters, ratings_cube, require_crossed, visit_scores

Array = npt.NDArray[np.float64]
Row = tuple[float, float, float, int, int, float]
IccColumns = tuple[dict[str, Array], dict[str, Array], dict[str, Array], npt.NDArray[np.int64]]


def why_undefined(matrix: Array, domain: Array) -> str:
    """Say why alpha is undefined on a coincidence matrix."""
    marginals = matrix.sum(axis=1)
    if marginals.sum() < 2:
        return "no unit has two scores (nothing to compare)"
    given = domain[marginals > 0]
    return f"every pairable score is {given[0]:g} (no variation)"


def interval(replicates: Array, confidence: float) -> tuple[float, float]:
    """Return the percentile interval of the defined replicates (NaN if none is)."""
    defined = replicates[~np.isnan(replicates)]
    if len(defined) == 0:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2
    low, high = np.quantile(defined, [tail, 1 - tail])
    return float(low), float(high)


def alpha_row(
    row: str,
    parts: list[Coincidences],
    domain: Array,
    level: str,
    n_boot: int,
    confidence: float,
    rng: np.random.Generator,
    undefined: dict[str, str],
    patterns: Callable[[], tuple[Array, npt.NDArray[np.int64]]] | None = None,
) -> Row:
    """Return alpha, its interval, units, single-valued units and pairable values of a row.

    One part: a criterion. Several: a pooled node, whose units are the
    service units with a pairable value on any of its criteria and whose
    bootstrap draws those units (their contributions from `patterns`).
    """
    matrix = np.sum([p.matrix for p in parts], axis=0)
    units = int(np.logical_or.reduce([p.mask for p in parts]).sum())
    single = sum(p.dropped for p in parts)
    value = alpha_value(matrix, domain, level)[0]
    low = high = float("nan")
    if np.isnan(value):
        undefined[row] = why_undefined(matrix, domain)
    elif n_boot:
        if patterns is None:
            table, frequency = parts[0].patterns, parts[0].frequency
        else:
            table, frequency = patterns()
        low, high = interval(bootstrap_alpha(table, frequency, domain, level, n_boot, rng),
                             confidence)  # fmt: skip
    return value, low, high, units, single, float(matrix.sum())


def unit_patterns(
    codes_by_leaf: npt.NDArray[np.int16],
    unit_codes: npt.NDArray[np.intp],
    n_units: int,
    size: int,
    chosen: list[int],
) -> tuple[Array, npt.NDArray[np.int64]]:
    """Return each service unit's contribution summed over criteria `chosen`, for a bootstrap."""
    total = np.zeros((n_units, size * size))
    for j in chosen:  # a loop over criteria; every unit at once
        total += contributions(unit_counts(codes_by_leaf[j], unit_codes, n_units, size))
    used = total.any(axis=1)
    return total[used], np.ones(int(used.sum()), dtype=np.int64)


def icc_columns(
    obs: Observations,
    found: Raters,
    wanted: list[str] | None,
    confidence: float,
) -> tuple[IccColumns, dict[str, str]]:
    """Return the ICC forms over the score columns (leaves, then inner nodes and the index).

    `wanted` None: the one-way forms, and the two-way forms if the design
    is crossed (else listed as unsupported with the reason). A list: those
    forms; two-way ones on a design that is not crossed are refused.
    """
    unsupported: dict[str, str] = {}
    if wanted is None:
        wanted = list(ONE_WAY)
        if found.crossed:
            wanted += list(TWO_WAY)
        else:
            unsupported = dict.fromkeys(TWO_WAY, found.reason)
    require_crossed(found, [f for f in wanted if f in TWO_WAY])
    width = obs.values.shape[1] + len(obs.rubric._compiled.inner_columns)
    value: dict[str, Array] = {}
    low: dict[str, Array] = {}
    high: dict[str, Array] = {}
    if not wanted:
        return (value, low, high, np.zeros(width, dtype=np.int64)), unsupported
    columns = np.concatenate([obs.values, visit_scores(obs)], axis=1)
    n_units = len(obs.unit_ids)
    base = one_way(columns, obs.unit_codes, n_units, confidence)
    units = base.units
    _take(base, [f for f in wanted if f in ONE_WAY], value, low, high)
    crossed_forms = [f for f in wanted if f in TWO_WAY]
    if crossed_forms:
        cube = ratings_cube(columns, obs.unit_codes, found)
        _take(two_way(cube, confidence), crossed_forms, value, low, high)
    order = [f for f in (*ONE_WAY, *TWO_WAY) if f in value]
    return ({f: value[f] for f in order}, {f: low[f] for f in order},
            {f: high[f] for f in order}, units), unsupported  # fmt: skip


def _take(forms: Forms, names: list[str], value: dict[str, Array], low: dict[str, Array],
          high: dict[str, Array]) -> None:  # fmt: skip
    for form in names:
        value[form], low[form], high[form] = forms.value[form], forms.low[form], forms.high[form]
