"""The rows of an agreement table: alpha per criterion or pooled node, ICCs per score column."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pelayanan_eval._data.observations import Observations
from pelayanan_eval.agreement._alpha import (
    Coincidences,
    alpha_value,
    bootstrap_alpha,
    bootstrap_units,
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
) -> Row:
    """Return alpha, its interval, units, single-valued units and pairable values of a row.

    One part: a criterion, bootstrapped here (`n_boot` > 0). Several: a
    pooled node, whose units are the service units with a pairable value
    on any of its criteria; its interval comes from :func:`pooled_intervals`.
    """
    matrix = np.sum([p.matrix for p in parts], axis=0)
    units = int(np.logical_or.reduce([p.mask for p in parts]).sum())
    single = sum(p.dropped for p in parts)
    value = alpha_value(matrix, domain, level)[0]
    low = high = float("nan")
    if np.isnan(value):
        undefined[row] = why_undefined(matrix, domain)
    elif n_boot and len(parts) == 1:
        replicates = bootstrap_alpha(parts[0].patterns, parts[0].frequency, domain, level, n_boot,
                                     rng)  # fmt: skip
        low, high = interval(replicates, confidence)
    return value, low, high, units, single, float(matrix.sum())


def unit_table(
    parts: list[Coincidences],
    codes: list[npt.NDArray[np.int16]],
    unit_codes: npt.NDArray[np.intp],
    n_units: int,
    size: int,
) -> Array:
    """Return ``[units, V * V]``: each service unit's contribution summed over criteria `parts`."""
    total = np.zeros((n_units, size * size))
    for part, leaf_codes in zip(parts, codes, strict=True):  # a loop over criteria
        if part.keys is not None and part.key_table is not None:
            total += part.key_table[part.keys]
        else:
            total += contributions(unit_counts(leaf_codes, unit_codes, n_units, size))
    return total


def pooled_intervals(
    rows: dict[str, Row],
    pooled: dict[str, list[int]],
    per_leaf: list[Coincidences],
    codes_by_leaf: npt.NDArray[np.int16],
    unit_codes: npt.NDArray[np.intp],
    domain: Array,
    level: str,
    n_boot: int,
    confidence: float,
    rng: np.random.Generator,
) -> None:
    """Fill in the bootstrap intervals of the pooled rows, from one set of unit draws.

    Every replicate draws the evaluation's units with replacement, each
    with all its criteria, and the same draws serve every pooled row.
    """
    defined = [node for node in pooled if not np.isnan(rows[node][0])]
    if not defined or not n_boot:
        return
    n_units = len(per_leaf[0].mask)
    tables = [unit_table([per_leaf[j] for j in pooled[node]],
                         [codes_by_leaf[j] for j in pooled[node]], unit_codes, n_units,
                         len(domain)) for node in defined]  # fmt: skip
    for node, replicates in zip(defined, bootstrap_units(tables, domain, level, n_boot, rng),
                                strict=True):  # fmt: skip
        value, _, _, units, single, pairable = rows[node]
        low, high = interval(replicates, confidence)
        rows[node] = (value, low, high, units, single, pairable)


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
