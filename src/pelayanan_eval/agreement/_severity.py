"""Assessor severity: mean deviation from colleagues on shared units, additive assessor effects."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import readonly
from pelayanan_eval._common.records import html_records, number, to_pandas
from pelayanan_eval._data.design import checked, pair_counts
from pelayanan_eval._data.observations import Observations
from pelayanan_eval.agreement._coefficients import check_confidence
from pelayanan_eval.agreement._raters import raters, visit_scores
from pelayanan_eval.agreement._stats import t_quantile
from pelayanan_eval.typing import RaterField

Array = npt.NDArray[np.float64]
COLUMNS = ("rater", "rows", "units", "deviation", "deviation_low", "deviation_high",
           "index_deviation", "index_low", "index_high", "effect", "component")  # fmt: skip


@attrs.frozen(eq=False, repr=False)
class Severity:
    """How much each rater's scores differ from the other raters' scores of the same units.

    Attributes
    ----------
    raters
        The raters (assessors, or visit labels), sorted.
    rows, units
        Visits of each rater that have a colleague's score to compare with,
        and the distinct units they cover (shared units).
    deviation, deviation_low, deviation_high
        Mean deviation over criteria (positive: scores higher, more
        lenient; negative: harsher) with its t interval over the rows.
    by_criterion
        ``[raters, leaves]`` mean deviation per criterion (NaN: none shared).
    index_deviation, index_low, index_high
        The same on each visit's index.
    effects
        Additive rater effects on the index from least squares on
        unit + rater effects, summing to zero within each connected part
        of the design (a diagnostic, never applied by itself).
    component
        Connected part of each rater (raters linked through shared units).
    adjusted_index
        Per unit (:attr:`unit_ids`): the mean over its visits of the visit
        index minus the rater's effect; only meaningful when the design is
        connected (:attr:`connected`).
    confidence
        Coverage of the intervals.
    by
        The rater field.
    """

    raters: tuple[str, ...]
    rows: npt.NDArray[np.int64]
    units: npt.NDArray[np.int64]
    deviation: Array
    deviation_low: Array
    deviation_high: Array
    by_criterion: Array
    index_deviation: Array
    index_low: Array
    index_high: Array
    effects: Array
    component: npt.NDArray[np.intp]
    unit_ids: npt.NDArray[np.str_]
    adjusted_index: Array
    leaf_ids: tuple[str, ...]
    confidence: float
    by: str

    @property
    def connected(self) -> bool:
        """True when every rater is linked to every other through shared units."""
        return len(np.unique(self.component)) == 1

    def __repr__(self) -> str:
        parts = len(np.unique(self.component))
        design = "connected" if parts == 1 else f"{parts} disconnected parts"
        return f"<Severity of {len(self.raters)} raters by {self.by}: design {design}>"

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per rater (NaN as None); ``effect`` is on the index."""
        return [
            {"rater": r, "rows": int(self.rows[i]), "units": int(self.units[i]),
             "deviation": number(self.deviation[i]),
             "deviation_low": number(self.deviation_low[i]),
             "deviation_high": number(self.deviation_high[i]),
             "index_deviation": number(self.index_deviation[i]),
             "index_low": number(self.index_low[i]), "index_high": number(self.index_high[i]),
             "effect": number(self.effects[i]), "component": int(self.component[i])}
            for i, r in enumerate(self.raters)
        ]  # fmt: skip

    def to_pandas(self) -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), COLUMNS)

    def _repr_html_(self) -> str:
        return html_records(f"Severity by {self.by}", self.to_records(), COLUMNS)


def severity(
    observations: Observations, *, by: RaterField = "observer", confidence: float = 0.95
) -> Severity:
    r"""Estimate each rater's severity from the units they share with other raters.

    Parameters
    ----------
    observations
        The assessors' visits.
    by
        ``"observer"`` (default) or ``"visit"`` (drift between visits).
    confidence
        Coverage of the t intervals.

    Returns
    -------
    Severity
        Mean deviations with intervals, per criterion and on the index, and
        additive effects with the design's connected parts.

    Raises
    ------
    OptionError
        An unknown rater field or confidence.
    ObservationError
        Missing observers (``by="observer"``) or a single rater.

    Notes
    -----
    For a visit :math:`v` of unit :math:`u` by rater :math:`r`, the
    deviation on criterion :math:`j` is
    :math:`d_{vj} = x_{vj} - \bar{x}_{u,-v,j}`, the score minus the mean of
    the unit's other visits' scores; a visit's deviation is the mean over
    its criteria, and a rater's the mean over their visits, with the
    interval :math:`\bar{d} \pm t_{1-a/2, n-1} s / \sqrt{n}`. The index
    deviation uses each visit's own index (rolled up alone).
    The additive effects solve least squares on
    :math:`y_v = \mu_u + \beta_r + e_v` (the visit index), after removing
    unit means: the reduced normal equations
    :math:`C \beta = q` with :math:`C = \sum_u (D_u - a_u a_u^\top / m_u)`;
    the minimum-norm solution makes the effects sum to zero within each
    connected part (raters linked through shared units); effects are not
    comparable across parts. Linacre's many-facet Rasch model is the
    fuller treatment of rater severity; this is its additive,
    linear-scale counterpart.

    References
    ----------
    Linacre, J. M. (1989). *Many-Facet Rasch Measurement*. MESA Press.
    Searle, S. R. (1971). *Linear Models*, ch. 7 (two-way classification
    with unequal numbers: connectedness). Wiley.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import agreement
    >>> found = agreement.severity(pe.demo_city().observations)
    >>> found.raters[0], found.connected
    ('Penilai A (sintetis)', True)
    """
    obs = checked(observations, "severity")
    confidence = check_confidence(confidence)
    found = raters(obs, by)
    n_raters = len(found.names)
    index = visit_scores(obs)[:, -1]
    deviations = _deviation_from_others(np.column_stack([obs.values, index]), obs)
    leaf_dev, index_dev = deviations[:, :-1], deviations[:, -1]
    with np.errstate(invalid="ignore"):
        row_dev = np.nanmean(np.where(np.isnan(leaf_dev).all(axis=1, keepdims=True), 0.0,
                                      leaf_dev), axis=1)  # fmt: skip
    row_dev[np.isnan(leaf_dev).all(axis=1)] = np.nan
    rows, mean, low, high = _rater_means(row_dev, found.codes, n_raters, confidence)
    _, index_mean, index_low, index_high = _rater_means(index_dev, found.codes, n_raters,
                                                        confidence)  # fmt: skip
    shared = ~np.isnan(row_dev)
    pairs, _ = pair_counts(obs.unit_codes[shared], found.codes[shared], n_raters)
    units_of = np.bincount(pairs % n_raters, minlength=n_raters).astype(np.int64)
    scored = ~np.isnan(leaf_dev)
    sums = np.stack(
        [
            np.bincount(
                found.codes, weights=np.where(scored[:, j], leaf_dev[:, j], 0.0), minlength=n_raters
            )
            for j in range(leaf_dev.shape[1])
        ],
        axis=1,
    )
    counts = np.stack([np.bincount(found.codes[scored[:, j]], minlength=n_raters)
                       for j in range(leaf_dev.shape[1])], axis=1)  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        by_criterion = sums / counts
    effects, component = _additive_effects(index, obs.unit_codes, found.codes, len(obs.unit_ids),
                                           n_raters)  # fmt: skip
    defined = ~np.isnan(index)
    adjusted_rows = np.where(defined, index - effects[found.codes], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        adjusted: Array = np.bincount(
            obs.unit_codes, weights=adjusted_rows, minlength=len(obs.unit_ids)
        ).astype(np.float64)
        adjusted /= np.bincount(obs.unit_codes, weights=defined.astype(float),
                                minlength=len(obs.unit_ids))  # fmt: skip
    return Severity(
        tuple(str(n) for n in found.names.tolist()), rows, units_of,
        mean, low, high, readonly(by_criterion), index_mean, index_low, index_high,
        readonly(effects), component, obs.unit_ids, readonly(adjusted),
        obs.rubric.leaf_ids, confidence, found.by,
    )  # fmt: skip


def _deviation_from_others(values: Array, obs: Observations) -> Array:
    """Return each score minus the mean of the same unit's other scores (NaN: none to compare)."""
    scored = ~np.isnan(values)
    zeroed = np.where(scored, values, 0.0)
    starts = np.flatnonzero(np.r_[True, obs.unit_codes[1:] != obs.unit_codes[:-1]])
    # rows are stored grouped by unit, so each unit is one run of rows
    sums = np.add.reduceat(zeroed, starts, axis=0)
    counts = np.add.reduceat(scored.astype(np.float64), starts, axis=0)
    run = np.cumsum(np.r_[True, obs.unit_codes[1:] != obs.unit_codes[:-1]]) - 1
    others = counts[run] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Array = np.where(scored & (others > 0),
                                 values - (sums[run] - zeroed) / others, np.nan)  # fmt: skip
    return result


def _rater_means(
    values: Array, codes: npt.NDArray[np.intp], n: int, confidence: float
) -> tuple[npt.NDArray[np.int64], Array, Array, Array]:
    """Return count, mean and t interval of `values` per rater (NaN values left out)."""
    defined = ~np.isnan(values)
    count = np.bincount(codes[defined], minlength=n)
    total = np.bincount(codes[defined], weights=values[defined], minlength=n)
    squares = np.bincount(codes[defined], weights=values[defined] ** 2, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        variance = np.maximum(squares - count * mean**2, 0.0) / (count - 1)
        half = t_quantile((1 + confidence) / 2, np.maximum(count - 1, 1)) * np.sqrt(
            variance / count
        )
    half = np.where(count > 1, half, np.nan)
    return count.astype(np.int64), mean, mean - half, mean + half


def starts_empty() -> npt.NDArray[np.intp]:
    """Return an empty array of positions."""
    return np.zeros(0, dtype=np.intp)


def _components(unit_codes: npt.NDArray[np.intp], rater_codes: npt.NDArray[np.intp],
                n_units: int, n_raters: int) -> npt.NDArray[np.intp]:  # fmt: skip
    """Label raters by connected part of the unit-rater graph (propagating the smallest label)."""
    label = np.arange(n_raters)
    while True:  # at most as many rounds as the graph's diameter, each over every row
        unit_label = np.full(n_units, n_raters)
        np.minimum.at(unit_label, unit_codes, label[rater_codes])
        new = label.copy()
        np.minimum.at(new, rater_codes, unit_label[unit_codes])
        if np.array_equal(new, label):
            break
        label = new
    _, component = np.unique(label, return_inverse=True)
    result: npt.NDArray[np.intp] = component.astype(np.intp)
    return result


def _additive_effects(
    y: Array,
    unit_codes: npt.NDArray[np.intp],
    rater_codes: npt.NDArray[np.intp],
    n_units: int,
    n_raters: int,
) -> tuple[Array, npt.NDArray[np.intp]]:
    """Return least-squares rater effects (zero-sum per connected part) and the parts."""
    keep = ~np.isnan(y)
    y, units, who = y[keep], unit_codes[keep], rater_codes[keep]
    size = np.bincount(units, minlength=n_units).astype(np.float64)
    unit_mean = np.bincount(units, weights=y, minlength=n_units) / np.where(size > 0, size, 1)
    q = np.bincount(who, weights=y - unit_mean[units], minlength=n_raters)
    # C = diag(rows per rater) - sum over units of a_u a_u' / m_u, from the pairs of rows
    # within each unit (rows are grouped by unit)
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]]) if len(units) else starts_empty()
    run = np.cumsum(np.r_[True, units[1:] != units[:-1]]) - 1 if len(units) else starts_empty()
    lengths = np.diff(np.r_[starts, len(units)])
    per_row = lengths[run]
    first = np.repeat(np.arange(len(units)), per_row)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    second = starts[run[first]] + offset
    pairs = np.bincount(who[first] * n_raters + who[second], weights=1.0 / per_row[first],
                        minlength=n_raters * n_raters).reshape(n_raters, n_raters)  # fmt: skip
    c = np.diag(np.bincount(who, minlength=n_raters).astype(np.float64)) - pairs
    effects: Array = np.linalg.lstsq(c, q, rcond=None)[0].astype(np.float64)
    component = _components(units, who, n_units, n_raters)
    return effects, component
