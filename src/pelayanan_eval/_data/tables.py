"""Tables into a score matrix: dict records (a CSV file, or `Observation` objects) and long form.

One set of readers for observations and survey responses. Both check every
cell, report every problem of the input together, and return the columns
for the ``from_arrays`` constructor, which stores them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize, repeated
from pelayanan_eval._common.messages import enumerate_limited, suggest
from pelayanan_eval._data.columns import (
    as_labels,
    label_problems,
    number_problems,
    raise_problems,
)
from pelayanan_eval._data.files import Table
from pelayanan_eval._data.scores import mapping_rows, parse_score, score_problems
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError

META_COLUMNS = ("unit", "visit", "observer", "date")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")


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


def _blank(value: Any) -> bool:
    """Tell an empty cell: None, blank text, or a float NaN (a data frame's empty cell)."""
    return (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (isinstance(value, float) and math.isnan(value))
    )


def _label(value: Any) -> str | None:
    """Return a label cell as text, or None when it cannot be one (True/False, a NUL character)."""
    if isinstance(value, bool | np.bool_) or (isinstance(value, str) and "\x00" in value):
        return None
    return str(value).strip()


def parse_date(raw: Any) -> np.datetime64 | str:
    """Read a date cell: a date object, ``yyyy-mm-dd`` or ``dd/mm/yyyy``; else say why not.

    Day-first is the Indonesian way of writing dates (``01/08/2026`` is 1
    August); ``-`` and ``.`` may separate them too. A time after an ISO date
    (as spreadsheets export it) is dropped.
    """
    if isinstance(raw, np.datetime64):
        day_of: np.datetime64 = raw.astype("datetime64[D]")
        return day_of
    if isinstance(raw, dt.date) and raw != raw:  # pandas' NaT is a datetime
        return np.datetime64("NaT")
    if isinstance(raw, dt.datetime):
        return np.datetime64(raw.date(), "D")
    if isinstance(raw, dt.date):
        return np.datetime64(raw, "D")
    text = raw.strip() if isinstance(raw, str) else None
    found = None if text is None else _ISO.fullmatch(text)
    if found:
        year, month, day = (int(x) for x in found.groups())
    elif text is not None and (found := _DMY.fullmatch(text)):
        day, month, year = (int(found.group(k)) for k in (1, 3, 4))
    else:
        shown = raw if not isinstance(raw, str) or len(raw) <= 40 else raw[:40] + "..."
        return f"not a date (write dd/mm/yyyy or yyyy-mm-dd), got {shown!r}"
    try:
        return np.datetime64(dt.date(year, month, day), "D")
    except ValueError as error:
        return f"not a date ({error}; dd/mm/yyyy is day first), got {raw!r}"


def rows_of(records: Any, source: str) -> Any:
    """Return a data frame's rows as dicts (pandas, polars); other records unchanged."""
    if not hasattr(records, "columns"):
        return records
    to_dicts = getattr(records, "to_dicts", None)  # polars
    if callable(to_dicts):
        return to_dicts()
    to_dict = getattr(records, "to_dict", None)  # pandas
    if callable(to_dict):
        if not _plain_index(records):
            raise ObservationError(f"{source}: the data frame has a named or non-default index; "
                                   "call .reset_index() first so it becomes a column")  # fmt: skip
        return to_dict("records")
    return records


def _plain_index(frame: Any) -> bool:
    index = getattr(frame, "index", None)
    return index is None or type(index).__name__ == "RangeIndex"


def read_records(
    rubric: Rubric,
    records: Iterable[Mapping[str, Any]],
    source: str,
    first_row: int,
    *,
    unit_column: str = "unit",
    meta: tuple[str, ...] = META_COLUMNS[1:],
    survey: bool = False,
) -> dict[str, Any]:
    """Check every cell of dict rows; return the ``from_arrays`` columns, or name every problem.

    `meta` are the columns besides the unit and the leaves (visit, observer,
    date for observations; none for a survey). With `survey`, leaves are
    called unsur, a 0 is refused (an empty cell is no answer) and the
    answers' scale is left to the caller.
    """
    if isinstance(records, Table):
        source, first_row = records.source, records.first_row
    rows = mapping_rows(rows_of(records, source), source, first_row)
    word = "an unsur" if survey else "a criterion"
    leaf_index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
    known = {*leaf_index, unit_column, *meta}
    # 0 is an answer only on an item whose answer scale has it (a 0-10 question, not IKM's 1-4)
    zero_answers = {leaf.id for leaf, low in zip(rubric.leaves, rubric.leaf_scales[0], strict=True)
                    if (low if leaf.answers is None else leaf.answers.min) <= 0}  # fmt: skip
    problems: list[str] = []
    for key in sorted({key for row in rows for key in row if key not in known}, key=str):
        hint = suggest(str(key), [*leaf_index, unit_column, *meta])
        problems.append(f"{source}: column {key!r} is not {word} of {rubric.id!r}{hint}")
    n = len(rows)
    matrix = np.full((n, len(leaf_index)), np.nan)
    columns: dict[str, list[Any]] = {name: [] for name in ("unit", *meta)}
    for i, row in enumerate(rows):
        where = f"{source} row {first_row + i}"
        for name, column in ((unit_column, "unit"), *((m, m) for m in meta)):
            raw = row.get(name)
            if column == "date":
                date = np.datetime64("NaT") if _blank(raw) else parse_date(raw)
                if isinstance(date, str):
                    problems.append(f"{where}, column {name!r}: {date}")
                columns["date"].append(date)
                continue
            text = "" if _blank(raw) else _label(raw)
            if text is None:
                problems.append(f"{where}, column {name!r}: not a label, got {raw!r}")
            elif text == "" and column == "unit":
                problems.append(f"{where}: no unit" + (f" (column {name!r})" if survey else ""))
            columns[column].append(text or "")
        for key, raw in row.items():
            j = leaf_index.get(key)
            if j is None:
                continue
            parsed = parse_score(raw)
            if isinstance(parsed, str):
                problems.append(f"{where}, column {key!r}: {parsed}")
            elif survey and parsed == 0 and key not in zero_answers:
                problems.append(f"{where}, column {key!r}: answer 0 is on no answer scale "
                                "(leave the cell empty for no answer)")  # fmt: skip
            else:
                matrix[i, j] = parsed
    if not survey:
        problems += score_problems(
            rubric, matrix, lambda i: f"{source} row {first_row + i}", column_names=True
        )
    if "visit" in columns:
        first_seen: dict[tuple[str, str], int] = {}
        for i, pair in enumerate(zip(columns["unit"], columns["visit"], strict=True)):
            if pair in first_seen and pair[1]:
                problems.append(f"{source} row {first_row + i}: unit {pair[0]!r} visit "
                                f"{pair[1]!r} again (first at row "
                                f"{first_row + first_seen[pair]})")  # fmt: skip
            first_seen.setdefault(pair, i)
    if problems:
        raise ObservationError(enumerate_limited(problems))
    result: dict[str, Any] = {"unit": np.array(columns["unit"], dtype=np.str_), "values": matrix}
    result |= {m: np.array(columns[m], dtype=np.str_) for m in meta if m not in META_COLUMNS}
    if "visit" in columns:
        visits = columns["visit"]
        result["visit"] = None if all(v == "" for v in visits) else np.array(visits, np.str_)
    if "observer" in columns:
        result["observer"] = np.array(columns["observer"], dtype=np.str_)
    if "date" in columns:
        dates = np.array(columns["date"], dtype="datetime64[D]")
        result["date"] = None if bool(np.isnat(dates).all()) else dates
    return result


def read_long(
    rubric: Rubric,
    where: str,
    *,
    unit: npt.ArrayLike,
    criterion: npt.ArrayLike,
    value: npt.ArrayLike,
    key: tuple[str, npt.ArrayLike | None],
    extra: Mapping[str, npt.ArrayLike | None],
    survey: bool = False,
) -> dict[str, Any]:
    """Pivot (unit, key, criterion, value) lines to one row per (unit, key); return the columns.

    `key` names the column that tells rows of one unit apart (``visit``, or
    ``respondent`` for a survey) and gives it (None: one row per unit).
    `extra` columns are taken from the first line of each row.
    """
    key_name, key_values = key
    word = "unsur" if survey else "criterion id(s)"
    problems = label_problems(unit, "unit")
    n = None if problems else int(np.shape(unit)[0])
    problems += label_problems(criterion, "criterion" if not survey else "item", n)
    problems += number_problems(value, "value" if not survey else "answer")
    if n is not None and np.shape(value) != (n,):
        problems.append(f"value has shape {np.shape(value)}, expected ({n},)")
    if key_values is not None:
        problems += label_problems(key_values, key_name, n)
    for name, column in extra.items():
        if column is None:
            continue
        if name != "date":
            problems += label_problems(column, name, n)
        elif n is not None and np.shape(column) != (n,):
            problems.append(f"{name} has shape {np.shape(column)}, expected ({n},)")
    if not problems and n == 0:
        problems.append("the set is empty (no rows)")
    raise_problems(where, problems)
    units = np.array(unit, dtype=np.str_)
    n = len(units)
    scores = np.asarray(value, dtype=np.float64)
    leaf_index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
    names, name_codes = factorize(np.array(criterion, dtype=np.str_))
    columns = np.array([leaf_index.get(str(name), -1) for name in names.tolist()])
    if (columns < 0).any():
        bad = [str(x) for x, col in zip(names.tolist(), columns.tolist(), strict=True) if col < 0]
        named = [f"{b!r}{suggest(b, leaf_index)}" for b in bad]
        raise ObservationError(f"{where}: unknown {word} " + enumerate_limited(named))
    keys = np.zeros(n, dtype=np.int64) if key_values is None else as_labels(key_values)
    _, unit_codes = factorize(units)
    key_ids, key_codes = factorize(keys)
    pair = unit_codes.astype(np.int64) * len(key_ids) + key_codes
    pairs, row = np.unique(pair, return_inverse=True)
    cell = row.astype(np.int64) * len(leaf_index) + columns[name_codes]
    twice = repeated(cell)
    if len(twice):
        rows_hit = np.flatnonzero(cell == int(twice[0])).tolist()
        raise ObservationError(
            f"{where}: {len(twice)} (unit, {key_name}, {word.split()[0]}) cell(s) "
            f"given more than once, e.g. rows {rows_hit}"
        )
    matrix = np.full((len(pairs), len(leaf_index)), np.nan)
    matrix.reshape(-1)[cell] = scores
    first = np.zeros(len(pairs), dtype=np.intp)
    first[row[::-1]] = np.arange(n)[::-1]
    if not survey:
        problems = score_problems(rubric, matrix, lambda i: f"unit {str(units[first[i]])!r}")
        raise_problems(where, problems)
    result: dict[str, Any] = {"unit": units[first], "values": matrix}
    if key_values is not None or not survey:
        result[key_name] = None if key_values is None else keys[first]
    for name, column in extra.items():
        result[name] = None if column is None else np.asarray(column)[first]
    return result
