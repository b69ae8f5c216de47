"""Tables into a score matrix: dict records (a CSV file) and long form (one score per line).

Both readers check every cell and return the columns for
``Observations.from_arrays``, which stores them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import check_lengths, factorize
from pelayanan_eval._common.messages import enumerate_limited, suggest
from pelayanan_eval._data.scores import check_scores, parse_score, score_problems
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError

META_COLUMNS = ("unit", "visit", "observer", "date")


def dates_column(values: Any, n: int) -> npt.NDArray[np.datetime64]:
    """Return the dates as ``datetime64[D]`` (all ``NaT`` when None), or a library error."""
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    try:
        result: npt.NDArray[np.datetime64] = np.array(values, dtype="datetime64[D]")
    except (TypeError, ValueError) as error:
        raise ObservationError(f"observations: date: not dates ({error})") from None
    return result


def read_records(
    rubric: Rubric, rows: Sequence[Mapping[str, Any]], source: str, first_row: int
) -> dict[str, Any]:
    """Check every cell of dict rows; return the ``from_arrays`` columns, or name every problem."""
    leaf_index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
    problems: list[str] = []
    unknown = sorted(
        {key for row in rows for key in row if key not in leaf_index and key not in META_COLUMNS},
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
            parsed = parse_score(raw)
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
            else dates_column([np.datetime64("NaT") if d is None else d for d in dates], n)
        )
    except ObservationError as error:
        raise ObservationError(f"{source}: {error}") from None
    return {
        "unit": units.astype(np.str_),
        "values": matrix,
        "visit": visit_column,
        "observer": observers.astype(np.str_),
        "date": date_column,
    }


def read_long(
    rubric: Rubric,
    unit: npt.ArrayLike,
    criterion: npt.ArrayLike,
    value: npt.ArrayLike,
    *,
    visit: npt.ArrayLike | None,
    observer: npt.ArrayLike | None,
    date: npt.ArrayLike | None,
) -> dict[str, Any]:
    """Pivot (unit, criterion, value) lines to one row per (unit, visit); return the columns."""
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
            str(name) for name, col in zip(names.tolist(), columns.tolist(), strict=True) if col < 0
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
    return {
        "unit": units[first_rows],
        "values": matrix,
        "visit": None if visit is None else visits[first_rows],
        "observer": None if observer is None else np.asarray(observer)[first_rows],
        "date": None if date is None else np.asarray(date)[first_rows],
    }
