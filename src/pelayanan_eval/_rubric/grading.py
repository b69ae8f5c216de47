"""Rounding as the regulations (and spreadsheets) do it, and grade bands."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from typing import Literal, cast

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option, renamed
from pelayanan_eval._rubric.parts import parse_texts, to_number
from pelayanan_eval.exceptions import ScoreError
from pelayanan_eval.typing import BandScale, RoundingMode, choices

ROUNDING_MODES = choices(RoundingMode)

# Representation error is absorbed at this many decimals of the rounding unit,
# so 4.505 (stored as 4.50499999999999989...) rounds up like a spreadsheet shows it.
_TIE_DECIMALS = 9


def round_half_up(values: npt.ArrayLike, digits: int) -> npt.NDArray[np.float64]:
    """Round half away from zero to `digits` decimals, as spreadsheets do.

    Parameters
    ----------
    values
        Numbers to round (scalar or array).
    digits
        Decimals to keep.

    Returns
    -------
    numpy.ndarray
        Rounded values, float64, same shape as `values`.

    Notes
    -----
    Python's :func:`round` and :func:`numpy.round` round half to even and
    act on the binary value, so ``round(4.505, 2) == 4.5``.  A regulation's
    "dibulatkan dua desimal" means half up on the decimal number as printed:
    4.505 becomes 4.51.  Here the value is scaled by ``10**digits``, cleaned of
    binary representation error at 1e-9 of the rounding unit, then rounded half
    away from zero.

    Examples
    --------
    >>> round_half_up([4.505, 4.5049, 2.675, 76.605], 2).tolist()
    [4.51, 4.5, 2.68, 76.61]
    """
    scaled = np.atleast_1d(np.asarray(values, dtype=np.float64)) * 10.0**digits
    np.round(scaled, _TIE_DECIMALS, out=scaled)
    result: npt.NDArray[np.float64] = np.abs(scaled)  # in place from here: no more copies
    result += 0.5
    np.floor(result, out=result)
    np.copysign(result, scaled, out=result)
    result /= 10.0**digits
    return result if np.ndim(values) else result[0]


@attrs.frozen
class Rounding:
    """Where and how a regulation rounds an index before grading it.

    Parameters
    ----------
    digits
        Decimals kept, or ``None`` for no rounding.
    mode
        ``"half_up"`` (as spreadsheets and regulations round) or
        ``"half_even"`` (banker's rounding).

    Examples
    --------
    >>> Rounding(2).apply([3.005, 3.0049]).tolist()
    [3.01, 3.0]
    >>> Rounding(None).apply([3.005]).tolist()
    [3.005]
    """

    digits: int | None = None
    mode: RoundingMode = "half_up"

    def describe(self) -> str:
        """Say the rule in words, e.g. ``"2 digits half_up"`` or ``"none"``."""
        return "none" if self.digits is None else f"{self.digits} digits {self.mode}"

    def apply(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return `values` rounded by this rule (unchanged if `digits` is None)."""
        array = np.asarray(values, dtype=np.float64)
        if self.digits is None:
            return array
        if self.mode == "half_even":
            scaled = np.round(array * 10.0**self.digits, _TIE_DECIMALS)
            result: npt.NDArray[np.float64] = np.round(scaled) / 10.0**self.digits
            return result
        return round_half_up(array, self.digits)


@attrs.frozen
class Band:
    """One grade band: values from `min` up to the next band's `min` get `code`."""

    code: str
    min: float = attrs.field(converter=to_number)
    label: str = ""


@attrs.frozen
class Grade:
    """The grade of one index value.

    Attributes
    ----------
    code
        Band code, e.g. ``"A-"``.
    label
        Band label, e.g. ``"Sangat Baik"``.
    lower
        The band's printed lower bound.
    rounded
        The rounded value that was graded, on the reported scale (was ``value``).
    reported
        The value on the reported scale before rounding (was ``raw``).
    """

    code: str
    label: str
    lower: float
    rounded: float
    reported: float

    def __str__(self) -> str:
        return f"{self.code} ({self.label})" if self.label else self.code

    @property
    def value(self) -> float:
        """Deprecated alias of :attr:`rounded`."""
        result: float = renamed(self, "value", "rounded")
        return result

    @property
    def raw(self) -> float:
        """Deprecated alias of :attr:`reported`."""
        result: float = renamed(self, "raw", "reported")
        return result


def _bands(values: Iterable[Band]) -> tuple[Band, ...]:
    """Bands converter: any iterable but a text or mapping as a tuple, else unchanged."""
    return cast(tuple[Band, ...], parse_texts(cast(Iterable[str], values)))


@attrs.frozen
class GradeScale:
    """Grade bands, top band first, lower bounds strictly decreasing.

    A value gets the first band (from the top) whose lower bound it reaches;
    bands are half-open ``[min, next band's min)``.  The lowest band also
    takes values below its printed minimum (the rubric checks that such values
    are still inside the index range).

    Examples
    --------
    >>> scale = GradeScale([Band("A", 4.51, "Pelayanan Prima"), Band("B", 3.51), Band("F", 0)])
    >>> scale.codes([4.51, 4.5, 0.2]).tolist()
    ['A', 'B', 'F']
    """

    bands: tuple[Band, ...] = attrs.field(default=(), converter=_bands)

    def __len__(self) -> int:
        return len(self.bands)

    def __iter__(self) -> Iterator[Band]:
        return iter(self.bands)

    def positions(self, values: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Index into `bands` (0 = top band) for each value; vectorised."""
        lowers = np.array([band.min for band in reversed(self.bands)])
        ascending = np.searchsorted(lowers, np.asarray(values, dtype=np.float64), side="right") - 1
        result: npt.NDArray[np.intp] = len(self.bands) - 1 - np.maximum(ascending, 0)
        return result

    def codes(self, values: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Band code of each value, as a numpy string array."""
        codes = np.array([band.code for band in self.bands])
        result: npt.NDArray[np.str_] = codes[self.positions(values)]
        return result


@attrs.frozen(eq=False)
class Graded:
    """Values converted, rounded and banded by :func:`grade_values`, aligned with the input."""

    reported: npt.NDArray[np.float64]  # the value times the conversion factor
    rounded: npt.NDArray[np.float64]  # the reported value rounded: what is published and graded
    positions: npt.NDArray[np.intp]  # band position (0 = top band); -1 where the value is NaN
    grades: GradeScale

    @property
    def codes(self) -> npt.NDArray[np.str_]:
        """Band code per value (``""`` where the value is NaN)."""
        codes = np.array([band.code for band in self.grades.bands] + [""])
        result: npt.NDArray[np.str_] = codes[self.positions]
        return result

    @property
    def labels(self) -> npt.NDArray[np.str_]:
        """Band label per value (``""`` where the value is NaN)."""
        labels = np.array([band.label for band in self.grades.bands] + [""])
        result: npt.NDArray[np.str_] = labels[self.positions]
        return result

    def grade(self, i: int) -> Grade | None:
        """Return the :class:`Grade` of value `i` (None where it is NaN)."""
        position = int(self.positions.flat[i])
        if position < 0:
            return None
        band = self.grades.bands[position]
        return Grade(
            band.code, band.label, band.min, float(self.rounded.flat[i]),
            float(self.reported.flat[i]),
        )  # fmt: skip


def grade_values(
    values: npt.ArrayLike,
    grades: GradeScale,
    rounding: Rounding,
    *,
    factor: float = 1.0,
    bounds: tuple[float, float] | None = None,
    nan: Literal["error", "blank"] = "error",
    what: str = "values",
) -> Graded:
    """Convert, round and band values: the one grading path of the library.

    Every grade the library gives (``Rubric.grade``, ``evaluate``, the IKM,
    report cards, the command line) comes from here, so the same value
    always gets the same grade.

    Parameters
    ----------
    values
        Values on the scale before conversion (scalar or array).
    grades
        The bands.
    rounding
        How the converted value is rounded before it is banded.
    factor
        Conversion factor (IKM: 25 from 1-4 onto 25-100).
    bounds
        The smallest and largest value allowed, on the scale of `values`;
        a value outside (beyond a relative tolerance of 1e-9) is an error.
    nan
        ``"error"``: NaN, infinite or non-numeric values raise;
        ``"blank"``: NaN values get no band (position -1, code ``""``).
    what
        What the values are, for the error message.

    Raises
    ------
    ScoreError
        Values that are not numbers, NaN (unless ``nan="blank"``), infinite,
        or outside `bounds`; or no bands to grade with.

    Examples
    --------
    >>> scale = GradeScale([Band("B", 76.61, "Baik"), Band("C", 65.0, "Kurang Baik")])
    >>> grade_values([76.605, 76.6049], scale, Rounding(2)).codes.tolist()
    ['B', 'C']
    >>> grade_values([76.605], scale, Rounding(2, "half_even")).codes.tolist()
    ['C']
    """
    if not grades.bands:
        raise ScoreError(f"cannot grade {what}: no grade bands are defined")
    if isinstance(values, bool | np.bool_ | complex | np.complexfloating) or values is None:
        raise ScoreError(f"cannot grade {values!r}: not a number")
    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise TypeError
        raw = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError, OverflowError):
        raise ScoreError(f"cannot grade {values!r}: not a number") from None
    missing = np.isnan(raw)
    bad = np.isinf(raw) if nan == "blank" else ~np.isfinite(raw)
    if bounds is not None:
        low, high = bounds
        tolerance = 1e-9 * max(1.0, abs(high))
        with np.errstate(invalid="ignore"):
            bad |= (raw < low - tolerance) | (raw > high + tolerance)
    if bad.any():
        where = np.flatnonzero(bad)
        shown = ", ".join(f"{float(raw.flat[i])!r}" for i in where[:5])
        position = "" if raw.ndim == 0 else f" at position(s) {where[:5].tolist()}"
        limits = "" if bounds is None else f" and within [{bounds[0]:g}, {bounds[1]:g}]"
        more = f" and {len(where) - 5} more" if len(where) > 5 else ""
        raise ScoreError(
            f"cannot grade {what}: values must be finite{limits}; got {shown}{position}{more}"
        )
    reported = raw * factor if factor != 1 else raw
    rounded = rounding.apply(reported)
    blanks = bool(missing.any())
    known = np.where(missing, 0.0, rounded) if blanks else rounded
    positions = _looked_up(grades, known, rounding.digits)
    if positions is None:
        positions = grades.positions(known)
    if blanks:
        positions = np.where(missing, -1, positions)
    return Graded(reported, rounded, positions, grades)


LOOKUP_SIZE = 1 << 16  # values graded through a table of every rounded value (else a search)


def _looked_up(
    grades: GradeScale, rounded: npt.NDArray[np.float64], digits: int | None
) -> npt.NDArray[np.intp] | None:
    """Band positions of many rounded values from a table of every value in their range.

    A value rounded to `digits` decimals is ``k / 10**digits`` for a whole
    ``k``, so the band of each ``k`` in the values' range is found once (by
    the same search, so the bands are the same) and looked up; None when
    there are few values, no rounding, or too wide a range.
    """
    if digits is None or rounded.size < LOOKUP_SIZE:
        return None
    unit = 10.0**digits
    steps = rounded * unit
    np.rint(steps, out=steps)
    low, high = float(steps.min()), float(steps.max())
    if not (high - low <= LOOKUP_SIZE and abs(low) < 2**52 and abs(high) < 2**52):
        return None
    table = grades.positions(np.arange(low, high + 1) / unit)
    steps -= low
    result: npt.NDArray[np.intp] = table[steps.astype(np.intp)]
    return result


def band_scale(on: object, name: str = "on") -> BandScale:
    """Check a scale option: ``"index"`` or ``"reported"`` (``"converted"``: deprecated alias)."""
    if on == "converted":
        warnings.warn(
            "on='converted' is deprecated: the scale after the conversion is called "
            "'reported', as Evaluation.reported and IkmResult.reported",
            DeprecationWarning,
            stacklevel=3,
        )
        return "reported"
    return "index" if check_option(name, on, choices(BandScale)) == "index" else "reported"
