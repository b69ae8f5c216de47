"""Observations: assessors' (or respondents') scores, one row per visit, one column per leaf."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._arrays import check_lengths, readonly
from pelayanan_eval._messages import enumerate_limited, suggest
from pelayanan_eval._rubric import Rubric
from pelayanan_eval.exceptions import ObservationError

META_COLUMNS = ("unit", "visit", "observer", "date")


def factorize(labels: npt.ArrayLike) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """Sorted distinct labels and, per element, the position of its label.

    Rows grouped by label in sorted order (as a database export ordered by
    unit gives them) are recognised in one vectorised pass; anything else
    falls back to :func:`numpy.unique`.

    Examples
    --------
    >>> uniques, codes = factorize(["b", "b", "a", "b"])
    >>> uniques.tolist(), codes.tolist()
    (['a', 'b'], [1, 1, 0, 1])
    """
    array = np.asarray(labels)
    if len(array) == 0:
        return array[:0], np.zeros(0, dtype=np.intp)
    change = np.empty(len(array), dtype=bool)
    change[0] = True
    np.not_equal(array[1:], array[:-1], out=change[1:])
    heads = array[change]
    if len(heads) == 1 or bool(np.all(heads[1:] > heads[:-1])):
        codes: npt.NDArray[np.intp] = np.cumsum(change, dtype=np.intp) - 1
        return heads, codes
    if len(array) > 4096:
        # few distinct labels (categories, visit numbers): one comparison pass per label
        # instead of sorting every element
        sample = np.unique(array[:: len(array) // 1024])
        if len(sample) <= 16:
            codes = np.full(len(array), -1, dtype=np.intp)
            for i, label in enumerate(sample):
                codes[array == label] = i
            if bool(np.all(codes >= 0)):
                return sample, codes
    if array.dtype.kind == "U" and len(array) > 4096:
        found = _factorize_text(array)
        if found is not None:
            return found
    uniques, inverse = np.unique(array, return_inverse=True)
    return uniques, inverse.astype(np.intp, copy=False)


def _factorize_text(
    array: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]] | None:
    """Factorise text through a 64-bit hash of its characters.

    Sorting integers is several times faster than sorting strings; only the
    distinct labels are sorted as text. Returns None on a hash collision
    (checked, not assumed), and the caller then sorts the strings.
    """
    chars = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), -1)
    hashed = np.zeros(len(array), dtype=np.uint64)
    for position in range(chars.shape[1]):  # a loop over character positions, not rows
        hashed *= np.uint64(1_000_003)
        hashed += chars[:, position]
    _, first, inverse = np.unique(hashed, return_index=True, return_inverse=True)
    labels = array[first]
    for start in range(0, len(array), 1 << 20):  # equal hashes must mean equal text
        if not np.array_equal(labels[inverse[start : start + (1 << 20)]],
                              array[start : start + (1 << 20)]):  # fmt: skip
            return None
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=np.intp)
    rank[order] = np.arange(len(labels))
    return labels[order], rank[inverse]


def _dates(values: Any, n: int) -> npt.NDArray[np.datetime64]:
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    try:
        result: npt.NDArray[np.datetime64] = np.array(values, dtype="datetime64[D]")
    except (TypeError, ValueError) as error:
        raise ObservationError(f"observations: date: not dates ({error})") from None
    return result


@attrs.frozen
class Observation:
    """One visit to one unit: who scored what, when (for small, hand-made data).

    Parameters
    ----------
    unit
        The unit's id.
    scores
        Score by criterion (leaf) id; ``None`` or NaN for "not scored".
    visit, observer, date
        Visit label, assessor, and date of the visit.

    Examples
    --------
    >>> Observation("kel-a", {"a1": 4, "a2": 3, "b": 5}, visit="1", observer="Ani").unit
    'kel-a'
    """

    unit: str
    scores: Mapping[str, float | None] = attrs.field(converter=dict, hash=False)
    visit: str = ""
    observer: str = ""
    date: dt.date | str | None = None


@attrs.frozen(eq=False, repr=False)
class Observations:
    """Scores of many visits, stored by column: the engine's input.

    Rows are observations (a visit by an assessor, or a survey respondent);
    columns of `values` are the rubric's leaves in order; NaN means "not
    scored". Build it with :meth:`from_arrays` (fast path),
    :meth:`from_records`, :meth:`from_long` or :meth:`from_observations`,
    which check every score against the rubric.

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
    unit_ids
        Distinct unit ids, sorted.
    unit_codes
        Each row's position in `unit_ids`.
    """

    rubric: Rubric
    unit: npt.NDArray[np.str_]
    values: npt.NDArray[np.float64]
    visit: npt.NDArray[Any]
    observer: npt.NDArray[np.str_]
    date: npt.NDArray[np.datetime64]
    input_rows: npt.NDArray[np.intp] | None = None
    unit_ids: npt.NDArray[np.str_] = attrs.field(init=False)
    unit_codes: npt.NDArray[np.intp] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        n = len(self.unit)
        if n == 0:
            raise ObservationError("observations: the set is empty (no rows)")
        uniques, codes = factorize(self.unit)
        object.__setattr__(self, "unit_ids", readonly(uniques))
        object.__setattr__(self, "unit_codes", readonly(codes))
        self._check_unique_visits()

    def _check_unique_visits(self) -> None:
        visits, visit_codes = factorize(self.visit)
        key = self.unit_codes.astype(np.int64) * len(visits) + visit_codes
        if len(key) < 2 or bool(np.all(key[1:] > key[:-1])):
            return
        ordered = np.sort(key)
        repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        if len(repeated):
            rows = np.arange(len(key)) if self.input_rows is None else self.input_rows
            pairs = [
                f"unit {str(self.unit_ids[k // len(visits)])!r} visit "
                f"{visits[k % len(visits)].item()!r} (rows "
                f"{sorted(rows[key == k].tolist())})"
                for k in repeated[:20].tolist()
            ]
            raise ObservationError(
                "observations: the same (unit, visit) appears more than once: "
                + enumerate_limited(pairs)
                + (f" ... {len(repeated)} in all" if len(repeated) > 20 else "")
            )

    def __len__(self) -> int:
        return len(self.unit)

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
    ) -> Observations:
        """Build from arrays: the fast path for large data (no per-row Python work).

        Parameters
        ----------
        rubric
            The rubric; `values` has one column per leaf, in ``rubric.leaf_ids`` order.
        unit
            Unit id per row.
        values
            ``[n_rows, n_leaves]`` scores; NaN = not scored.
        visit
            Visit label per row; by default visits are numbered 1, 2, ...
            within each unit in row order.
        observer, date
            Assessor and date per row (optional).

        Raises
        ------
        ObservationError
            Mismatched shapes, non-numbers, scores outside a leaf's scale,
            an empty set, or the same (unit, visit) twice.

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
        """
        units = np.asarray(unit)
        if units.ndim != 1:
            raise ObservationError(f"observations: unit must be one-dimensional, got {units.shape}")
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
        units = np.array(units, dtype=np.str_)  # a copy: the caller's array stays writable
        check_scores(rubric, matrix, lambda i: f"row {i} (unit {str(units[i])!r})")
        _, codes = factorize(units)
        grouped = n < 2 or bool(np.all(codes[1:] >= codes[:-1]))
        order = np.arange(n) if grouped else np.argsort(codes, kind="stable")
        if visit is None:
            starts = np.searchsorted(codes[order], codes[order], side="left")
            numbers = np.empty(n, dtype=np.int64)
            numbers[order] = np.arange(n) - starts + 1
            visits: npt.NDArray[Any] = numbers
        else:
            visits = np.array(visit)
        observers = (
            np.full(n, "", dtype=np.str_) if observer is None else np.array(observer, dtype=np.str_)
        )
        dates = _dates(date, n)
        if grouped:  # stored as given (one copy of the values)
            return cls(rubric, readonly(units), readonly(np.array(matrix)), readonly(visits),
                       readonly(observers), readonly(dates))  # fmt: skip
        # stored grouped by unit, so every later step reads a unit's rows as one block; the
        # reordering is the copy of the values that is made anyway
        return cls(rubric, readonly(units[order]), readonly(matrix[order]),
                   readonly(visits[order]), readonly(observers[order]),
                   readonly(dates[order]), input_rows=readonly(order))  # fmt: skip

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
        string (``"4"``, ``"3,5"``), or empty / ``None`` / NaN for not scored.

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
        rows = mapping_rows(records, source, first_row)
        leaf_index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
        problems: list[str] = []
        unknown = sorted(
            {
                key
                for row in rows
                for key in row
                if key not in leaf_index and key not in META_COLUMNS
            },
            key=str,
        )
        for key in unknown:
            hint = suggest(str(key), [*leaf_index, *META_COLUMNS])
            problems.append(f"{source}: column {key!r} is not a criterion of {rubric.id!r}{hint}")
        n = len(rows)
        matrix = np.full((n, len(leaf_index)), np.nan)
        units = np.empty(n, dtype=object)
        visits = np.empty(n, dtype=object)
        observers = np.empty(n, dtype=object)
        dates: list[Any] = []
        for i, row in enumerate(rows):
            where = f"{source} row {first_row + i}"
            unit = row.get("unit")
            if unit is None or str(unit).strip() == "":
                problems.append(f"{where}: no unit")
            units[i] = "" if unit is None else str(unit).strip()
            visits[i] = str(row.get("visit") or "").strip()
            observers[i] = str(row.get("observer") or "").strip()
            dates.append(row.get("date") or None)
            for key, raw in row.items():
                column = leaf_index.get(key)
                if column is None:
                    continue
                parsed = _parse_score(raw)
                if parsed is None:
                    problems.append(f"{where}, column {key!r}: must be a number, got {raw!r}")
                else:
                    matrix[i, column] = parsed
        problems += score_problems(
            rubric, matrix, lambda i: f"{source} row {first_row + i}", column_names=True
        )
        first_seen: dict[tuple[str, str], int] = {}
        for i, pair in enumerate(zip(units.tolist(), visits.tolist(), strict=True)):
            visit_key = (str(pair[0]), str(pair[1]))
            if visit_key in first_seen and visit_key[1]:
                problems.append(
                    f"{source} row {first_row + i}: unit {visit_key[0]!r} visit "
                    f"{visit_key[1]!r} again (first at row {first_row + first_seen[visit_key]})"
                )
            first_seen.setdefault(visit_key, i)
        if problems:
            raise ObservationError(enumerate_limited(problems))
        blank_visits = n > 0 and all(v == "" for v in visits)
        visit_column = None if blank_visits else visits.astype(np.str_)
        try:
            date_column = (
                None
                if all(d is None for d in dates)
                else _dates([np.datetime64("NaT") if d is None else d for d in dates], n)
            )
        except ObservationError as error:
            raise ObservationError(f"{source}: {error}") from None
        return cls.from_arrays(
            rubric,
            unit=units.astype(np.str_),
            values=matrix,
            visit=visit_column,
            observer=observers.astype(np.str_),
            date=date_column,
        )

    @classmethod
    def from_observations(cls, rubric: Rubric, observations: Iterable[Observation]) -> Observations:
        """Build from :class:`Observation` objects (hand-made data)."""
        records = []
        for i, item in enumerate(observations):
            if not isinstance(item, Observation):
                raise ObservationError(
                    f"observations[{i}]: expected an Observation, got {type(item).__name__}"
                )
            records.append(
                {
                    "unit": item.unit,
                    "visit": item.visit,
                    "observer": item.observer,
                    "date": item.date,
                    **item.scores,
                }
            )
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
        units = np.asarray(unit).astype(np.str_)
        criteria = np.asarray(criterion).astype(np.str_)
        try:
            scores = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ObservationError("observations (long form): value must be numbers") from None
        n = len(units)
        lengths = {"criterion": criteria, "value": scores, "visit": visit,
                   "observer": observer, "date": date}  # fmt: skip
        check_lengths("observations (long form)", n, lengths)
        if n == 0:
            raise ObservationError("observations: the set is empty (no rows)")
        leaf_index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
        names, name_codes = factorize(criteria)
        columns = np.array([leaf_index.get(str(name), -1) for name in names.tolist()])
        if (columns < 0).any():
            bad = [
                str(name)
                for name, col in zip(names.tolist(), columns.tolist(), strict=True)
                if col < 0
            ]
            raise ObservationError(
                "observations (long form): unknown criterion id(s) "
                + enumerate_limited([f"{b!r}{suggest(b, leaf_index)}" for b in bad])
            )
        visits = np.zeros(n, dtype=np.int64) if visit is None else np.asarray(visit)
        _, unit_codes = factorize(units)
        visit_ids, visit_codes = factorize(visits)
        key = unit_codes.astype(np.int64) * len(visit_ids) + visit_codes
        keys, row = np.unique(key, return_index=False, return_inverse=True)
        cell = row.astype(np.int64) * len(leaf_index) + columns[name_codes]
        ordered = np.sort(cell)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if len(repeated):
            first = int(repeated[0])
            rows_hit = np.flatnonzero(cell == first).tolist()
            raise ObservationError(
                f"observations (long form): {len(np.unique(repeated))} (unit, visit, criterion) "
                f"cell(s) given more than once, e.g. rows {rows_hit}"
            )
        matrix = np.full((len(keys), len(leaf_index)), np.nan)
        matrix.reshape(-1)[cell] = scores
        first_rows = np.zeros(len(keys), dtype=np.intp)
        first_rows[row[::-1]] = np.arange(n)[::-1]
        check_scores(rubric, matrix, lambda i: f"(long form) unit {str(units[first_rows[i]])!r}")
        return cls.from_arrays(
            rubric,
            unit=units[first_rows],
            values=matrix,
            visit=None if visit is None else visits[first_rows],
            observer=None if observer is None else np.asarray(observer)[first_rows],
            date=None if date is None else np.asarray(date)[first_rows],
        )


def mapping_rows(
    records: Iterable[Mapping[str, Any]], source: str, first_row: int
) -> list[Mapping[str, Any]]:
    """Return the records as a list, refusing any row that is not a mapping."""
    rows = list(records)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ObservationError(f"{source} row {first_row + i}: expected a mapping of "
                                   f"column to value, got {type(row).__name__}")  # fmt: skip
    return rows


def _parse_score(raw: Any) -> float | None:
    """Read a cell as a float: NaN when empty, None when it is not a number."""
    if raw is None:
        return float("nan")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | np.integer | np.floating):
        return float(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".")
        if text == "":
            return float("nan")
        try:
            return float(text)
        except ValueError:
            return None
    return None


def check_scores(
    rubric: Rubric,
    matrix: npt.NDArray[np.float64],
    where: Callable[[int], str],
    *,
    column_names: bool = False,
) -> None:
    """Raise ObservationError naming every score outside its leaf's scale (NaN is allowed)."""
    problems = score_problems(rubric, matrix, where, column_names=column_names)
    if problems:
        raise ObservationError(enumerate_limited(problems))


def score_problems(
    rubric: Rubric,
    matrix: npt.NDArray[np.float64],
    where: Callable[[int], str],
    *,
    column_names: bool = False,
) -> list[str]:
    """One message per score outside its leaf's scale."""
    low, high = rubric.leaf_scales
    if len(matrix) == 0:
        return []
    # minima and maxima first (one cheap pass each; over the whole matrix when every leaf
    # has the same scale); cells only when something is off
    axis = None if (low == low[0]).all() and (high == high[0]).all() else 0
    if bool(np.all(np.fmin.reduce(matrix, axis=axis) >= low)) and bool(
        np.all(np.fmax.reduce(matrix, axis=axis) <= high)
    ):
        return []
    with np.errstate(invalid="ignore"):
        bad = (matrix < low) | (matrix > high)
    rows, cols = np.nonzero(bad)
    problems = []
    for i, j in zip(rows[:50].tolist(), cols[:50].tolist(), strict=True):
        leaf = rubric.leaf_ids[j]
        label = (
            f"{where(i)}, column {leaf!r}" if column_names else f"{where(i)}, criterion {leaf!r}"
        )
        problems.append(
            f"{label}: score {float(matrix[i, j])!r} is outside the scale {low[j]:g}..{high[j]:g}"
        )
    if len(rows) > 50:
        problems.append(f"{len(rows) - 50} more scores outside their scale")
    return problems
