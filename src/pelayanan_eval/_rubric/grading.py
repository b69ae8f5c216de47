"""Rounding as the regulations (and spreadsheets) do it, and grade bands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

RoundingMode = Literal["half_up", "half_even"]
ROUNDING_MODES: tuple[str, ...] = ("half_up", "half_even")

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
    scaled = np.round(np.asarray(values, dtype=np.float64) * 10.0**digits, _TIE_DECIMALS)
    result: npt.NDArray[np.float64] = (
        np.copysign(np.floor(np.abs(scaled) + 0.5), scaled) / 10.0**digits
    )
    return result


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
    min: float = attrs.field(converter=float)
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
    value
        The rounded value that was graded (on the rubric's reported scale).
    raw
        The value before rounding.
    """

    code: str
    label: str
    lower: float
    value: float
    raw: float

    def __str__(self) -> str:
        return f"{self.code} ({self.label})" if self.label else self.code


def _bands(values: Iterable[Band]) -> tuple[Band, ...]:
    return tuple(values)


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
