"""Observations: assessors' (or respondents') scores, one row per visit, one column per leaf."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import Labels, check_lengths, factorize, readonly, repeated
from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._data.columns import (
    as_labels,
    checked_columns,
    dates_column,
    empty_rows,
    observation_problems,
    raise_problems,
)
from pelayanan_eval._data.scores import by_leaf
from pelayanan_eval._data.storage import (
    Levels,
    coded,
    spelled,
    store_checked,
    stored_floats,
    visit_numbers,
)
from pelayanan_eval._data.tables import Observation, read_long, read_records
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError

__all__ = ["Observation", "Observations"]  # Observation is defined with the record reader

_STORED = frozenset({"unit", "values"})  # columns kept in private fields behind properties


@attrs.frozen(eq=False)
class _Known:
    unit: npt.NDArray[np.str_] | Labels
    values: npt.NDArray[np.float64] | Levels
    complete: bool
    unit_ids: npt.NDArray[np.str_]
    unit_codes: npt.NDArray[np.intp]


@attrs.frozen(eq=False, repr=False)
class Observations:
    """Scores of many visits, stored by column: the engine's input.

    Rows are observations (a visit by an assessor, or a survey respondent);
    columns of `values` are the rubric's leaves in order; NaN means "not
    scored". Build it with :meth:`from_arrays` (fast path),
    :meth:`from_records`, :meth:`from_long` or :meth:`from_observations`,
    which check every score against the rubric. Calling the class itself
    checks its columns just as strictly (every problem in one error).
    Observations depend on the rubric's leaves and their scales only: any
    rubric with the same leaf ids and scales (other weights or grades)
    evaluates them.

    Attributes
    ----------
    rubric
        The rubric whose leaves are the columns.
    unit
        Unit id per row.
    visit
        Visit label per row.
    observer
        Assessor per row (``""`` if unknown).
    date
        Date per row (``NaT`` if unknown).
    input_rows
        Rows are stored grouped by unit; when the input was not, the input
        position of each stored row (None when the input order was kept).
    values
        ``float64[n_observations, n_leaves]``, read-only.
    complete
        True when every cell of `values` is scored (no NaN).
    unit_ids
        Distinct unit ids in order of first appearance (with integer codes,
        in the order of the `unit_ids` given).
    unit_codes
        Each row's position in `unit_ids`.

    `complete`, `unit_ids` and `unit_codes` are derived from `unit` and
    `values` (the named constructors find them while checking the input).
    """

    rubric: Rubric
    # from_arrays keeps the unit ids as codes (Labels) and whole-number scores as bytes
    # (Levels); `unit` and `values` spell them out when first asked for
    _unit: npt.NDArray[np.str_] | Labels = attrs.field(alias="unit")
    _values: npt.NDArray[np.float64] | Levels = attrs.field(alias="values")
    visit: npt.NDArray[Any]
    observer: npt.NDArray[np.str_]
    date: npt.NDArray[np.datetime64]
    input_rows: npt.NDArray[np.intp] | None = None
    # what from_arrays found while checking `unit` and `values`, valid for those very arrays
    _known: _Known | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)
    complete: bool = attrs.field(init=False)
    unit_ids: npt.NDArray[np.str_] = attrs.field(init=False)
    unit_codes: npt.NDArray[np.intp] = attrs.field(init=False)
    _spelled: dict[str, npt.NDArray[Any]] = attrs.field(init=False, factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        known = self._known
        object.__setattr__(self, "_known", None)  # attrs.evolve() must derive them afresh
        if known is None or known.unit is not self._unit or known.values is not self._values:
            # given to the class itself (or by attrs.evolve): nothing is checked yet
            object.__setattr__(self, "_unit", spelled(self._unit))
            object.__setattr__(self, "_values", stored_floats(self._values))
            for name, column in checked_columns(self.rubric, self).items():
                object.__setattr__(self, f"_{name}" if name in _STORED else name, column)
            self._spelled.clear()  # the checks read the columns as given
            uniques, codes = factorize(self.unit, sort=False)
            complete = not np.isnan(np.add.reduce(self.values, None))
            known = _Known(self.unit, self.values, complete, readonly(uniques), readonly(codes))
        elif len(known.unit_codes) == 0:
            raise ObservationError("observations: the set is empty (no rows)")
        empty = empty_rows(known.unit_ids, known.unit_codes)
        if empty:
            rows = empty if self.input_rows is None else sorted(self.input_rows[empty].tolist())
            raise ObservationError(f"observations: empty unit id in row(s) {rows}")
        if self.visit.dtype.kind == "O":
            object.__setattr__(self, "visit", readonly(as_labels(self.visit)))
        object.__setattr__(self, "complete", known.complete)
        object.__setattr__(self, "unit_ids", known.unit_ids)
        object.__setattr__(self, "unit_codes", known.unit_codes)
        self._check_unique_visits()

    def _check_unique_visits(self) -> None:
        codes, visit = self.unit_codes, self.visit
        if len(codes) < 2:
            return
        if visit.dtype.kind in "iuUS":  # rows grouped by unit, visits ascending: no pair twice
            later = codes[1:] > codes[:-1]
            later |= (codes[1:] == codes[:-1]) & (visit[1:] > visit[:-1])
            if bool(later.all()):
                return
        visits, visit_codes = factorize(visit)
        key = codes.astype(np.int64) * len(visits) + visit_codes
        if bool(np.all(key[1:] > key[:-1])):
            return
        twice = repeated(key)
        if len(twice):
            rows = np.arange(len(key)) if self.input_rows is None else self.input_rows
            pairs = [
                f"unit {str(self.unit_ids[k // len(visits)])!r} visit "
                f"{visits[k % len(visits)].item()!r} (rows "
                f"{sorted(rows[key == k].tolist())})"
                for k in twice[:20].tolist()
            ]
            raise ObservationError(
                "observations: the same (unit, visit) appears more than once: "
                + enumerate_limited(pairs)
                + (f" ... {len(twice)} in all" if len(twice) > 20 else "")
            )

    @property
    def unit(self) -> npt.NDArray[np.str_]:
        """Unit id per row (read-only)."""
        if "unit" not in self._spelled:
            self._spelled["unit"] = spelled(self._unit)
        return self._spelled["unit"]

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """``float64[n_observations, n_leaves]`` scores, NaN where not scored (read-only)."""
        if "values" not in self._spelled:
            self._spelled["values"] = stored_floats(self._values)
        return self._spelled["values"]

    @property
    def _levels(self) -> npt.NDArray[np.uint8] | None:
        """The scores as bytes when all are whole numbers (``NOT_SCORED``: none), else None."""
        return self._values.codes if isinstance(self._values, Levels) else None

    def __len__(self) -> int:
        return len(self.unit_codes)

    def __repr__(self) -> str:
        return (
            f"<Observations: {len(self)} rows, {len(self.unit_ids)} units, "
            f"{self.values.shape[1]} criteria of {self.rubric.id!r}>"
        )

    @classmethod
    def from_arrays(
        cls,
        rubric: Rubric,
        *,
        unit: npt.ArrayLike,
        values: npt.ArrayLike,
        visit: npt.ArrayLike | None = None,
        observer: npt.ArrayLike | None = None,
        date: npt.ArrayLike | None = None,
        unit_ids: npt.ArrayLike | None = None,
    ) -> Observations:
        """Build from arrays: the fast path for large data (no per-row Python work).

        Parameters
        ----------
        rubric
            The rubric; `values` has one column per leaf, in ``rubric.leaf_ids`` order.
        unit
            Unit id per row; with `unit_ids`, an integer code per row into it
            (the fastest path for national data: no text to factorise).
        values
            ``[n_rows, n_leaves]`` scores; NaN = not scored.
        visit
            Visit label per row; by default visits are numbered 1, 2, ...
            within each unit in row order.
        observer, date
            Assessor and date per row (optional).
        unit_ids
            The distinct unit ids that integer codes in `unit` point to; the
            result's `unit_ids` keep this order, leaving out ids no row
            points to. Without `unit_ids`, units are numbered in order of
            first appearance.

        Raises
        ------
        ObservationError
            Mismatched shapes, non-numbers, scores outside a leaf's scale,
            an empty set, the same (unit, visit) twice, or unit codes outside
            `unit_ids`.

        Examples
        --------
        >>> import numpy as np, warnings, pelayanan_eval as pe
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
        >>> obs = pe.Observations.from_arrays(rubric, unit=["a", "a", "b"],
        ...                                   values=np.full((3, 9), 3.0))
        >>> obs
        <Observations: 3 rows, 2 units, 9 criteria of 'permenpanrb-14-2017-ikm'>
        >>> obs.visit.tolist()
        [1, 2, 1]
        >>> coded = pe.Observations.from_arrays(rubric, unit=[1, 0, 1], unit_ids=["b", "a"],
        ...                                     values=np.full((3, 9), 3.0))
        >>> coded.unit_ids.tolist(), coded.unit.tolist()  # stored grouped, in unit_ids order
        (['b', 'a'], ['b', 'a', 'a'])
        >>> coded.input_rows.tolist()  # row 1 is unit "b", rows 0 and 2 are unit "a"
        [1, 0, 2]
        """
        raise_problems("observations", observation_problems(
            rubric, unit=unit, values=values, visit=visit, observer=observer, unit_ids=unit_ids
        ))  # fmt: skip
        units = np.asarray(unit)
        if units.ndim != 1:
            raise ObservationError(f"observations: unit must be one-dimensional, got {units.shape}")
        values = by_leaf(rubric, values, "observations: values")
        try:
            matrix = np.asarray(values, dtype=np.float64)  # copied below, once
        except (TypeError, ValueError):
            raise ObservationError(
                "observations: values must be numbers (NaN for not scored)"
            ) from None
        n, leaves = len(units), len(rubric.leaves)
        if matrix.shape != (n, leaves):
            raise ObservationError(
                f"observations: values has shape {matrix.shape}, expected ({n}, {leaves}): "
                f"one row per unit entry and one column per leaf of {rubric.id!r}"
            )
        check_lengths("observations", n, {"visit": visit, "observer": observer, "date": date})
        if unit_ids is None:
            # ids read one by one, as Observations(...) does
            uniques, codes = factorize(np.asarray(unit, dtype=np.str_), sort=False)
        else:
            uniques, codes = coded(units, unit_ids)
        # stored grouped by unit, so every later step reads a unit's rows as one block
        grouped = n < 2 or bool(np.all(codes[1:] >= codes[:-1]))
        order = None if grouped else np.argsort(codes, kind="stable")
        stored, complete = store_checked(
            rubric, matrix, order, lambda i: f"row {i} (unit {str(uniques[codes[i]])!r})"
        )
        # an absent column is one value seen n times (no memory per row)
        observers = (
            np.broadcast_to(np.str_(""), n) if observer is None else np.array(observer, np.str_)
        )
        dates = np.broadcast_to(np.datetime64("NaT", "D"), n) if date is None else None
        dates = dates_column(date, n) if dates is None else dates
        visits: npt.NDArray[Any] = np.array(visit) if visit is not None else np.empty(0)
        if order is not None:
            codes = codes[order]
            observers = observers if observer is None else observers[order]
            dates = dates if date is None else dates[order]
            if visit is not None:
                visits = visits[order]
        if visit is None:
            visits = visit_numbers(codes)
        uniques, codes = readonly(uniques), readonly(codes)
        labels, stored = (
            Labels(uniques, codes),
            stored if isinstance(stored, Levels) else readonly(stored),
        )
        known = _Known(labels, stored, complete, uniques, codes)
        return cls(rubric, labels, stored, readonly(visits), readonly(observers), readonly(dates),
                   input_rows=None if order is None else readonly(order), known=known)  # fmt: skip

    @classmethod
    def from_records(
        cls,
        rubric: Rubric,
        records: Iterable[Mapping[str, Any]],
        *,
        source: str = "records",
        first_row: int = 0,
    ) -> Observations:
        """Build from dict rows, as ``csv.DictReader`` or ``DataFrame.to_dict("records")`` give.

        Each row has ``unit`` and optionally ``visit``, ``observer``, ``date``;
        every other key is a leaf id whose value is a number, a numeric
        string (``"4"``, ``"3,5"``), or empty / ``None`` / NaN for not scored
        (the text ``"nan"``, True/False and complex numbers are errors).
        A visit ``0`` is the visit labelled ``"0"``, not a blank one.

        Parameters
        ----------
        rubric
            The rubric the scores follow.
        records
            The rows.
        source, first_row
            How rows are named in errors: ``f"{source} row {first_row + i}"``
            (the CLI passes the CSV file and its first data line).

        Raises
        ------
        ObservationError
            Listing every bad cell: unknown criterion column, missing unit,
            non-number, score outside the scale; or the same (unit, visit) twice.

        Examples
        --------
        >>> import warnings, pelayanan_eval as pe
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
        >>> row = {"unit": "kel-a", **{leaf: "3" for leaf in rubric.leaf_ids}}
        >>> pe.Observations.from_records(rubric, [row, {**row, "biaya": "9"}])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        pelayanan_eval.exceptions.ObservationError: records row 1, column 'biaya': score 9.0 ...
        """
        return cls.from_arrays(rubric, **read_records(rubric, records, source, first_row))

    @classmethod
    def from_observations(cls, rubric: Rubric, observations: Iterable[Observation]) -> Observations:
        """Build from :class:`Observation` objects (hand-made data)."""
        items = list(observations) if isinstance(observations, Iterable) else [observations]
        for i, item in enumerate(items):
            if not isinstance(item, Observation):
                raise ObservationError(
                    f"observations[{i}]: expected an Observation, got {type(item).__name__}"
                )
        records = [{"unit": o.unit, "visit": o.visit, "observer": o.observer, "date": o.date,
                    **o.scores} for o in items]  # fmt: skip
        return cls.from_records(rubric, records, source="observations")

    @classmethod
    def from_long(
        cls,
        rubric: Rubric,
        *,
        unit: npt.ArrayLike,
        criterion: npt.ArrayLike,
        value: npt.ArrayLike,
        visit: npt.ArrayLike | None = None,
        observer: npt.ArrayLike | None = None,
        date: npt.ArrayLike | None = None,
    ) -> Observations:
        """Build from long form: one (unit, criterion, value) triple per row.

        Rows sharing (unit, visit) form one observation; `observer` and
        `date`, if given, are taken from the first row of each observation.

        Examples
        --------
        >>> import warnings, pelayanan_eval as pe
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
        >>> obs = pe.Observations.from_long(
        ...     rubric, unit=["a"] * 9, criterion=list(rubric.leaf_ids), value=[4] * 9)
        >>> obs.values.shape
        (1, 9)
        """
        columns = read_long(
            rubric, "observations (long form)", unit=unit, criterion=criterion, value=value,
            key=("visit", visit), extra={"observer": observer, "date": date},
        )  # fmt: skip
        return cls.from_arrays(rubric, **columns)
