"""The conventions of an IKM: weights as printed, the band table, rounding options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._data.columns import finite_number
from pelayanan_eval._rubric.checks import AS_PRINTED_TOLERANCE
from pelayanan_eval._rubric.grading import round_half_up
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError, RubricError
from pelayanan_eval.ikm._bands import BAND_TABLES, BandTable

WeightsSpec = str | float | Mapping[str, float]


@attrs.frozen
class Conventions:
    """The arithmetic conventions an IKM result used, recorded with it."""

    rubric_id: str
    weights: str
    unsur_weights: tuple[float, ...]
    round_nrr: int | None
    round_weighted: int | None
    round_ikm: int | None
    conversion_factor: float
    rounding: str
    band_table: str
    missing: str


def weighted_rubric(rubric: Rubric, weights: WeightsSpec) -> tuple[Rubric, str]:
    if isinstance(weights, str):
        check_option("weights", weights, ("rubric", "exact", "printed"))
        if weights == "rubric":
            return rubric, f"as in the rubric ({rubric.weighting})"
    if any(c.criteria for c in rubric.criteria):
        raise OptionError(
            f"weights={weights!r} needs a flat survey rubric; {rubric.id!r} is nested"
        )
    n = len(rubric.criteria)
    if weights == "exact":
        children = tuple(attrs.evolve(c, weight=None) for c in rubric.criteria)
        return attrs.evolve(rubric, weighting="equal", criteria=children), f"exact 1/{n}"
    if weights == "printed":
        value: Any = float(round_half_up(1 / n, 3))
        label = f"printed {value:g} (1/{n} to 3 decimals)"
    else:
        value, label = weights, f"as printed: {weights}"
    if isinstance(value, Mapping):
        unknown = [k for k in value if not isinstance(k, str) or k not in rubric]
        absent = [c.id for c in rubric.criteria if c.id not in value]
        bad = [f"{k!r}: {v!r}" for k, v in value.items() if finite_number(v) is None]
        if unknown or absent or bad:
            parts = [f"unknown: {', '.join(map(repr, unknown))}"] if unknown else []
            parts += [f"missing: {', '.join(map(repr, absent))}"] if absent else []
            parts += [f"not finite numbers: {', '.join(bad)}"] if bad else []
            raise OptionError("a weights mapping gives every unsur a weight; " + "; ".join(parts))
        each = [float(value[c.id]) for c in rubric.criteria]
        label = "as printed: " + ", ".join(f"{w:g}" for w in each)
    else:
        if finite_number(value) is None:
            raise OptionError(
                "weights must be 'rubric', 'exact', 'printed', a number or a mapping "
                f"unsur -> number, got {value!r}"
            )
        each = [float(value)] * n
    children = tuple(attrs.evolve(c, weight=w) for c, w in zip(rubric.criteria, each, strict=True))
    try:
        return attrs.evolve(rubric, weighting="as_printed", criteria=children), label
    except RubricError:
        raise OptionError(
            f"printed weights must be positive and sum to 1 within {AS_PRINTED_TOLERANCE:.0%}; "
            f"got {', '.join(f'{w:g}' for w in each)} (sum {sum(each):.6g})"
        ) from None


def band_table(rubric: Rubric, bands: str | BandTable | None) -> BandTable:
    if isinstance(bands, BandTable):
        return bands
    if bands is None:
        if not rubric.grades.bands:
            raise OptionError(f"rubric {rubric.id!r} has no grades; pass bands=")
        return BandTable(f"{rubric.id} (rubric)", "reported", rubric.rounding, rubric.grades,
                         f"the grades of rubric {rubric.id}")  # fmt: skip
    check_option("band table", bands, tuple(BAND_TABLES))
    return BAND_TABLES[bands]


def check_digits(name: str, digits: int | None) -> None:
    if digits is not None and not (
        isinstance(digits, int) and not isinstance(digits, bool) and 0 <= digits <= 12
    ):
        raise OptionError(f"{name} must be a whole number from 0 to 12, got {digits!r}")


def align(
    values: npt.ArrayLike | Mapping[Any, Any], unit_ids: npt.NDArray[Any], name: str
) -> npt.NDArray[Any]:
    """Return a per-unit input as an array in `unit_ids` order (array or mapping by id)."""
    if isinstance(values, Mapping):
        absent = [u for u in unit_ids.tolist() if u not in values]
        if absent:
            raise OptionError(f"{name}: no entry for unit(s) "
                              + enumerate_limited([repr(u) for u in absent]))  # fmt: skip
        return np.array([values[u] for u in unit_ids.tolist()])
    array = np.asarray(values)
    if array.shape != (len(unit_ids),):
        raise OptionError(f"{name} has shape {array.shape}, expected ({len(unit_ids)},) "
                          "in unit_ids order (or pass a mapping by unit id)")  # fmt: skip
    return array
