"""Aggregation across visits or respondents: kernels over a [unit, visit, column] cube."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import BLOCK_CELLS, factorize, readonly
from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._data.columns import finite_number
from pelayanan_eval.exceptions import ObservationError, OptionError

METHODS: tuple[str, ...] = (
    "mean", "median", "min", "max", "trimmed_mean", "latest", "observer_weighted",
)  # fmt: skip

Array = npt.NDArray[np.float64]
FEW_VISITS = 8  # up to this many rows per group, summed slice by slice


def _weights(value: Mapping[str, float] | None) -> Mapping[str, float] | None:
    """Return a copy keyed by text (the values are checked by the class)."""
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else value


@attrs.frozen
class Aggregation:
    """How the visits (or respondents) of one unit are combined, criterion by criterion.

    Parameters
    ----------
    method
        ``"mean"`` (default), ``"median"``, ``"min"`` (conservative),
        ``"max"``, ``"trimmed_mean"``, ``"latest"`` (the most recent scored
        visit: by date, then visit number; text visit labels need dates) or
        ``"observer_weighted"``.
    trim
        For ``trimmed_mean``: the fraction cut from each end,
        ``floor(trim * n)`` values (as ``scipy.stats.trim_mean``).
    observer_weights
        For ``observer_weighted``: weight of each observer's scores.

    Notes
    -----
    Every method ignores unscored (NaN) entries; a unit with no scored entry
    for a criterion gets NaN, which the missing-data policy then handles.

    Examples
    --------
    >>> Aggregation("trimmed_mean", trim=0.25)
    Aggregation(method='trimmed_mean', trim=0.25, observer_weights=None)
    >>> Aggregation("avg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pelayanan_eval.exceptions.OptionError: unknown aggregation 'avg'; valid: mean, median, min, ...
    """

    method: str = "mean"
    trim: float = 0.1
    observer_weights: Mapping[str, float] | None = attrs.field(
        default=None, converter=_weights, hash=False
    )

    def __attrs_post_init__(self) -> None:
        check_option("aggregation", self.method, METHODS)
        trim = self.trim
        if isinstance(trim, bool) or not (isinstance(trim, int | float) and 0 <= trim < 0.5):
            raise OptionError(f"trim must be a number in [0, 0.5), got {trim!r}")
        weights = self.observer_weights
        if weights is not None and not isinstance(weights, Mapping):
            raise OptionError("observer_weights must be a mapping {observer: weight}, got "
                              f"{type(weights).__name__}")  # fmt: skip
        if self.method == "observer_weighted" and not weights:
            raise OptionError("observer_weighted needs observer_weights={observer: weight}")
        if weights:
            bad = [f"{k!r}: {v!r}" for k, v in weights.items() if not (finite_number(v) or 0) > 0]
            if bad:
                raise OptionError("observer weights must be finite numbers > 0, got "
                                  + ", ".join(bad))  # fmt: skip
            object.__setattr__(self, "observer_weights", {k: float(v) for k, v in weights.items()})

    @classmethod
    def coerce(cls, value: str | Aggregation) -> Aggregation:
        """Accept a method name or an Aggregation."""
        return value if isinstance(value, Aggregation) else cls(value)


def _as_number(label: object) -> float:
    try:
        return float(str(label))
    except ValueError:
        return math.nan


def visit_time(
    visit: npt.NDArray[Any],
    date: npt.NDArray[np.datetime64],
    unit_codes: npt.NDArray[np.intp],
    unit_ids: npt.NDArray[np.str_],
) -> npt.NDArray[np.int64]:
    """Rank of each row in time for ``latest``: by date, then by visit number.

    Visit labels that are numbers (``1``, ``"2"``, ``"10"``) are ordered as
    numbers, not as text (``"9"`` before ``"10"``). A text label (``"awal"``)
    says nothing about time: its visit must then have a date of its own
    within its unit, or ObservationError names the units where it has not.
    """
    days = date.astype(np.int64)  # NaT is the smallest: undated visits count as earliest
    if visit.dtype.kind in "iuf":
        number = visit.astype(np.float64)
    else:
        labels, codes = factorize(visit)  # few distinct labels: each is read once
        number = np.array([_as_number(label) for label in labels.tolist()])[codes]
    text = np.isnan(number)
    if text.any():
        by_unit = np.lexsort((days, unit_codes))
        units, ordered, worded = unit_codes[by_unit], days[by_unit], text[by_unit]
        tied = (units[1:] == units[:-1]) & (ordered[1:] == ordered[:-1])
        tied &= worded[1:] | worded[:-1]
        if tied.any():
            names = [repr(str(u)) for u in unit_ids[np.unique(units[1:][tied])].tolist()]
            shown = str(visit[np.flatnonzero(text)[0]])
            raise ObservationError(
                f"aggregate='latest': visit labels such as {shown!r} are not numbers, so only "
                "a date can tell when such a visit was; these units have one beside another "
                "visit without a date or on the same date: " + enumerate_limited(names)
                + " (give dates, or number the visits)"
            )  # fmt: skip
        number[text] = 0.0
    by_time = np.lexsort((number, days))
    time = np.empty(len(by_time), dtype=np.int64)
    time[by_time] = np.arange(len(by_time))
    return time


def _cube(
    values: npt.NDArray[Any],
    codes: npt.NDArray[np.intp],
    groups: int,
    order: npt.NDArray[np.intp] | None,
    fill: Any = np.nan,
) -> npt.NDArray[Any]:
    """Arrange rows as [group, position, column], padded with `fill`.

    Rows grouped by code with as many rows in every group (grouped input:
    the observations keep it so) give a view, no copy. Otherwise rows are
    placed by `order` (the position within a group follows it; default:
    row order) in one scatter.
    """
    n, width = values.shape
    counts = np.bincount(codes, minlength=groups)
    depth = int(counts.max()) if n else 0
    if order is None:
        grouped = n < 2 or bool(np.all(codes[1:] >= codes[:-1]))
        if grouped and bool(np.all(counts == depth)):
            return values.reshape(groups, depth, width)
        if not grouped:
            order = np.argsort(codes, kind="stable")
    starts = np.cumsum(counts) - counts
    if order is None:
        position = np.arange(n) - starts[codes]
    else:  # the rank of each row within its group, in `order`
        position = np.empty(n, dtype=np.intp)
        position[order] = np.arange(n) - starts[codes[order]]
    cube = np.full((groups, depth, width), fill, dtype=values.dtype)
    cube[codes, position] = values
    return cube


def aggregate(
    values: npt.NDArray[Any],
    codes: npt.NDArray[np.intp],
    groups: int,
    aggregation: Aggregation,
    *,
    time: npt.NDArray[Any] | None = None,
    observers: npt.NDArray[np.str_] | None = None,
    complete: bool = False,
) -> Array:
    """Combine the rows of each group column by column; returns ``[groups, columns]``.

    Parameters
    ----------
    values
        ``[rows, columns]``, NaN for unscored; or whole-number scores as bytes
        (``storage.Levels``: all scored, rows grouped by code) for the mean.
    codes
        Group (unit) of each row, ``0 <= code < groups``; every group has a row.
    groups
        Number of groups.
    aggregation
        The method.
    time
        Sort key per row for ``latest`` (later = larger).
    observers
        Observer per row for ``observer_weighted``.
    complete
        The caller knows `values` holds no NaN (skips a pass).
    """
    method = aggregation.method
    if values.dtype == np.uint8:  # whole-number scores, all scored, rows grouped (Levels)
        return _mean_of_levels(values, codes, groups)
    order = None
    if method == "latest" and time is not None:
        order = np.lexsort((np.arange(len(codes)), time, codes)).astype(np.intp)
    cube = _cube(values, codes, groups, order)
    depth = cube.shape[1]
    padded = cube.shape[0] * depth != len(values)
    if method == "mean" and not padded and (complete or not np.isnan(values).any()):
        # complete, balanced visits: no masking passes; einsum's sum over the middle axis
        # is faster than adding the visit slices (2.4 vs 4.5 ms at 10,000 x 3 x 72)
        if depth and depth & (depth - 1) == 0:
            # 1/depth is exact for 1, 2, 4, ... visits: scaling each visit while summing gives
            # the same numbers as dividing the sum, without a second pass over the result
            mean: Array = np.einsum("gdw,d->gw", cube, np.full(depth, 1.0 / depth))
            return mean
        total: Array = np.einsum("gdw->gw", cube)
        total /= depth
        return total
    finite = ~np.isnan(cube)
    count = finite.sum(axis=1)
    result: Array
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "mean":
            result = np.where(finite, cube, 0.0).sum(axis=1) / count
        elif method == "min":
            result = np.fmin.reduce(cube, axis=1)
        elif method == "max":
            result = np.fmax.reduce(cube, axis=1)
        elif method == "latest":
            last = cube.shape[1] - 1 - np.argmax(finite[:, ::-1, :], axis=1)
            picked = np.take_along_axis(cube, last[:, None, :], axis=1)[:, 0, :]
            result = np.where(count > 0, picked, np.nan)
        elif method == "observer_weighted":
            result = _observer_weighted(values, codes, groups, aggregation, observers)
        else:
            ordered = np.sort(cube, axis=1)  # NaN sorts last
            if method == "median":
                low = np.take_along_axis(ordered, np.maximum(count - 1, 0)[:, None, :] // 2, axis=1)
                high = np.take_along_axis(ordered, (count // 2)[:, None, :], axis=1)
                result = np.where(count > 0, (low[:, 0, :] + high[:, 0, :]) / 2, np.nan)
            else:  # trimmed_mean
                cut = np.floor(count * aggregation.trim).astype(np.intp)
                rank = np.arange(cube.shape[1])[None, :, None]
                keep = (rank >= cut[:, None, :]) & (rank < (count - cut)[:, None, :])
                result = np.where(keep, ordered, 0.0).sum(axis=1) / (count - 2 * cut)
    return result


def _mean_of_levels(
    levels: npt.NDArray[np.uint8], codes: npt.NDArray[np.intp], groups: int
) -> Array:
    """Mean per group of whole-number scores in rows grouped by code.

    Sums of whole numbers are exact, so the means equal the float path's to the bit.
    """
    counts = np.bincount(codes, minlength=groups)
    depth = int(counts.max())
    wide = np.uint16 if depth * 255 <= np.iinfo(np.uint16).max else np.float64
    mean: Array
    if bool(np.all(counts == depth)):  # as many visits everywhere: a view as [unit, visit, leaf]
        cube = levels.reshape(groups, depth, -1)
        total: npt.NDArray[Any]
        if depth > FEW_VISITS:
            total = np.add.reduce(cube, axis=1, dtype=wide)
        else:  # adding visit slices is faster than a reduction over the middle axis
            total = _visit_sums(cube, np.empty(cube[:, 0, :].shape, wide))
        mean = np.multiply(total, 1.0 / depth) if depth & (depth - 1) == 0 else total / depth
        return mean
    starts = np.cumsum(counts) - counts
    mean = np.add.reduceat(levels, starts, axis=0, dtype=wide) / counts[:, None]
    return mean


@attrs.frozen(eq=False)
class LeafMeans:
    """Means of complete, balanced whole-number visits, worked out from their bytes when read.

    A million units' means as floats take 240 MB that a ranking never
    reads; the visits' bytes are kept by the observations anyway.
    """

    levels: npt.NDArray[np.uint8]  # [groups * depth, columns], each group's visits together
    depth: int
    top: int  # the highest level: the sums' type
    into: npt.NDArray[np.intp] | None = None  # the rows in this order (None: as they are)

    def reordered(self, into: npt.NDArray[np.intp] | None) -> LeafMeans:
        """Return the means with their rows in the order `into` (None: as they are)."""
        if into is None:
            return self
        rows = into if self.into is None else self.into[into]
        return LeafMeans(self.levels, self.depth, self.top, rows)

    def as_floats(self) -> Array:
        """Return the means as floats, the same numbers as the mean of the float visits."""
        groups = len(self.levels) // self.depth
        cube = self.levels.reshape(groups, self.depth, -1)
        total = _visit_sums(cube, np.empty(cube[:, 0, :].shape, _sum_type(self.depth, self.top)))
        means = _divided(total, self.depth)
        return means if self.into is None else means[self.into]


def _sum_type(depth: int, top: int) -> type[np.generic]:
    """Return the narrowest type that holds `depth` levels of at most `top` added up."""
    return next(
        (kind for kind in (np.uint8, np.uint16) if depth * top <= np.iinfo(kind).max), np.float64
    )


def _visit_sums(cube: npt.NDArray[np.uint8], out: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Sum ``[groups, visits, columns]`` over the visits into `out` (adding visit slices)."""
    np.copyto(out, cube[:, 0, :])
    for visit in range(1, cube.shape[1]):
        out += cube[:, visit, :]
    return out


def _divided(total: npt.NDArray[Any], depth: int, out: Array | None = None) -> Array:
    """``total / depth``, by multiplication when ``1 / depth`` is exact (1, 2, 4, ... visits)."""
    result: Array = (
        np.multiply(total, 1.0 / depth, out=out)
        if depth & (depth - 1) == 0
        else np.divide(total, depth, out=out)
    )
    return result


def kept_means(value: Array | LeafMeans) -> Array | LeafMeans:
    """Convert an evaluation's leaf scores: floats made read-only, sums kept as they are."""
    return value if isinstance(value, LeafMeans) else readonly(value)


def mean_and_roll_up(
    levels: npt.NDArray[np.uint8], groups: int, linear: Array, top: int
) -> tuple[LeafMeans, Array]:
    """Means of complete, balanced whole-number visits per group, and ``means @ linear``.

    One pass over blocks of groups: each block's visits are added up (in the
    narrowest type that holds them, `top` being the highest level) and its
    means multiplied by the roll-up matrix while they are in cache; only the
    products are kept. The products are taken over the same blocks of rows
    as :func:`~pelayanan_eval._common.arrays.blocked_product`, so the numbers
    equal those of ``blocked_product(aggregate(...), linear)``.
    """
    depth = len(levels) // groups
    width = levels.shape[1]
    cube = levels.reshape(groups, depth, width)
    inner = np.empty((groups, linear.shape[1]))
    step = max(1, BLOCK_CELLS // max(width, 1))
    totals = np.empty((step, width), dtype=_sum_type(depth, top))
    means = np.empty((step, width))
    for start in range(0, groups, step):
        stop = min(start + step, groups)
        total = _visit_sums(cube[start:stop], totals[: stop - start])
        mean = _divided(total, depth, out=means[: stop - start])
        np.matmul(mean, linear, out=inner[start:stop])
    return LeafMeans(levels, depth, top), inner


def any_per_group(
    mask: npt.NDArray[np.bool_], codes: npt.NDArray[np.intp], groups: int
) -> npt.NDArray[np.bool_]:
    """Per group and column: is any row's entry True? Returns ``[groups, columns]``."""
    result: npt.NDArray[np.bool_] = np.any(_cube(mask, codes, groups, None, fill=False), axis=1)
    return result


def _observer_weighted(
    values: Array,
    codes: npt.NDArray[np.intp],
    groups: int,
    aggregation: Aggregation,
    observers: npt.NDArray[np.str_] | None,
) -> Array:
    weights = aggregation.observer_weights or {}
    if observers is None:
        raise ObservationError("observer_weighted needs an observer for every observation")
    names, name_codes = np.unique(observers, return_inverse=True)
    missing = [str(name) for name in names.tolist() if name not in weights]
    if missing:
        raise ObservationError(
            "observer_weighted: no weight for observer(s) "
            + enumerate_limited([repr(m) for m in missing])
        )
    per_row = np.array([weights[str(name)] for name in names.tolist()])[name_codes]
    weighted = np.where(np.isnan(values), 0.0, values * per_row[:, None])
    scored = np.where(np.isnan(values), 0.0, per_row[:, None])
    # the cube pads short groups with NaN; the real entries hold no NaN here
    numerator = np.nansum(_cube(weighted, codes, groups, None), axis=1)
    denominator = np.nansum(_cube(scored, codes, groups, None), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Array = np.where(denominator > 0, numerator / denominator, np.nan)
    return result
