"""Who the raters are (assessors or visits), whether they cross the units, per-visit scores."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._data.design import pair_counts
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.typing import RaterField, choices

RATER_FIELDS = choices(RaterField)
Array = npt.NDArray[np.float64]
VISIT_COVERAGE = 0.5  # a visit's aspect or index needs half the weight scored (renormalised)


@attrs.frozen(eq=False)
class Raters:
    """The rater of each stored row, as codes into `names`, and how they meet the units."""

    by: str
    names: npt.NDArray[np.str_]
    codes: npt.NDArray[np.intp]
    units: int
    crossed: bool
    reason: str  # why the design is not crossed ("" when it is)


def input_row(observations: Observations, rows: npt.NDArray[np.intp]) -> list[int]:
    """Return the input positions of stored rows (rows are stored grouped by unit)."""
    if observations.input_rows is None:
        return sorted(rows.tolist())
    return sorted(observations.input_rows[rows].tolist())


def raters(observations: Observations, by: object) -> Raters:
    """Return the raters of each row, checking that they are known and at least two.

    Raises
    ------
    OptionError
        An unknown rater field.
    ObservationError
        Rows without an observer (``by="observer"``), or one rater only.
    """
    field = check_option("rater field", by, RATER_FIELDS)
    if field == "observer":
        names, codes = factorize(observations.observer)
        blank = [i for i, name in enumerate(names.tolist()) if not name.strip()]  # distinct names
        empty = np.flatnonzero(np.isin(codes, blank)) if blank else np.zeros(0, dtype=np.intp)
        if len(empty) == len(codes):
            raise ObservationError(
                "agreement by observer: no row names its observer (the observer column is "
                "empty); fill it in, or use by='visit' to compare first and second visits"
            )
        if len(empty):
            rows = input_row(observations, empty)
            raise ObservationError(
                f"agreement by observer: {len(rows)} row(s) have an empty observer: rows "
                + enumerate_limited([str(r) for r in rows])
                + " (fill them in, or use by='visit')"
            )
    else:
        visits, visit_codes = factorize(observations.visit)
        labels = np.array([str(v) for v in visits.tolist()], dtype=np.str_)  # distinct visits
        names, renumber = factorize(labels)
        codes = renumber[visit_codes]
    if len(names) < 2:
        raise ObservationError(
            f"agreement needs at least two raters; every row has {field} {str(names[0])!r}"
        )
    units = len(observations.unit_ids)
    crossed, reason = _crossing(observations.unit_codes, codes, units, len(names), field)
    return Raters(field, names, codes, units, crossed, reason)


def _crossing(unit_codes: npt.NDArray[np.intp], rater_codes: npt.NDArray[np.intp], units: int,
              raters: int, field: str) -> tuple[bool, str]:  # fmt: skip
    who = "assessor" if field == "observer" else "visit label"
    pairs, rows = pair_counts(unit_codes, rater_codes, raters)
    twice = len(np.unique(pairs[rows > 1] // raters))
    if twice:
        return False, f"{twice} unit(s) have more than one row from the same {who}"
    distinct = np.bincount(pairs // raters, minlength=units)
    if bool(np.all(distinct == raters)):
        return True, ""
    low, high = int(distinct.min()), int(distinct.max())
    spread = f"{low}" if low == high else f"{low} to {high}"
    hint = (
        " (by='visit' treats first and second visits as the raters)" if field == "observer" else ""
    )
    return False, (
        f"the design is not crossed: units are scored by {spread} of the "
        f"{raters} {who}s, not by every one{hint}"
    )


def require_crossed(found: Raters, forms: list[str]) -> None:
    """Raise OptionError when two-way forms are asked for on a design that is not crossed."""
    if forms and not found.crossed:
        raise OptionError(
            f"{', '.join(forms)} need a fully crossed design (every rater scores every unit "
            f"once): {found.reason}; the one-way forms ICC(1) and ICC(1,k) fit this design"
        )


def visit_scores(observations: Observations) -> Array:
    """Return ``[rows, inner]``: each visit's score of every criterion with children and the index.

    Each visit is rolled up on its own, re-spreading the weight of
    unscored criteria over the scored ones (``missing="renormalize"``);
    a node with less than half of its weight scored in a visit is NaN.
    """
    tree = observations.rubric._compiled
    return roll_up(observations.values, tree, "renormalize", VISIT_COVERAGE)


def ratings_cube(values: Array, unit_codes: npt.NDArray[np.intp], found: Raters) -> Array:
    """Return ``[columns, units, raters]`` ratings of a crossed design (one row per cell).

    Only for crossed designs, where units x raters is the number of rows.
    """
    cube = np.full((values.shape[1], found.units, len(found.names)), np.nan)
    cube[:, unit_codes, found.codes] = values.T
    return cube
