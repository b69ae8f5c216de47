r"""Checks of input columns before numpy converts them: labels, numbers, unit codes.

numpy converts silently where a library must not: ``True`` becomes 1.0, a
complex number its real part, ``None`` the text ``"None"``, and text drops
trailing NUL characters (``"a\\x00"`` becomes ``"a"``). Each function here
looks at the input as it was given and returns one message per problem;
the caller raises them together.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import is_distinct, readonly, repeated
from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._data.scores import score_problems
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError

_NUMBER_TYPES = (int, float, np.integer, np.floating)
_SHOWN = 5  # bad cells named per problem; the count says how many in all


def raise_problems(where: str, problems: list[str]) -> None:
    """Raise one ObservationError listing every problem, if there is any."""
    if problems:
        raise ObservationError(f"{where}: " + enumerate_limited(problems))


def _listed(name: str, what: str, positions: list[str], count: int) -> str:
    more = f" ({count} in all)" if count > len(positions) else ""
    return f"{name}: {what} at {', '.join(positions)}{more}"


def dates_column(values: Any, n: int) -> npt.NDArray[np.datetime64]:
    """Return the dates as ``datetime64[D]`` (all ``NaT`` when None), or a library error."""
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    try:
        result: npt.NDArray[np.datetime64] = np.array(values, dtype="datetime64[D]")
    except (TypeError, ValueError, OverflowError) as error:
        raise ObservationError(f"observations: date: not dates ({error})") from None
    return result


def empty_rows(ids: npt.NDArray[np.str_], codes: npt.NDArray[np.intp]) -> list[int]:
    """Rows (up to 10) whose id is empty, in any order of `ids`; reads one character per id."""
    if len(ids) == 0 or ids.dtype.kind != "U":
        return []
    first = np.ascontiguousarray(ids).view(np.uint32).reshape(len(ids), -1)[:, 0]
    empty = np.flatnonzero(first == 0)  # "" (or a leading NUL, refused as well)
    if not len(empty):
        return []
    rows: list[int] = np.flatnonzero(np.isin(codes, empty))[:10].tolist()
    return rows


def finite_number(value: object) -> float | None:
    """Return `value` as a float if it is a finite real number, else None (bool and text too)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, _NUMBER_TYPES):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _label_problem(value: Any) -> str | None:
    """Why `value` cannot be a label (unit id, visit, observer, respondent), or None."""
    if value is None:
        return "None"
    if isinstance(value, bool | np.bool_):
        return "True/False"
    if isinstance(value, str):
        return "a NUL character" if "\x00" in value else None
    if isinstance(value, float | np.floating):
        return "NaN" if math.isnan(value) else None
    if isinstance(value, int | np.integer | np.datetime64):
        return None
    return f"a {type(value).__name__}"


def _plain(items: list[Any]) -> bool:
    """Tell all text without NUL, or all integers: passes in C, no call per element."""
    types = set(map(type, items))
    return types <= {int} or (types == {str} and "\x00" not in "".join(items))


def label_problems(raw: Any, name: str, n: int | None = None) -> list[str]:
    r"""Problems of a label column: one text or number per row, no None, bool, NaN or NUL.

    A numpy text array is taken as it is (numpy has already dropped any
    trailing NUL); anything else is looked at element by element before it
    is converted, so ``"a"`` and ``"a\\x00"``, or ``None`` and ``"None"``,
    cannot become one label.
    """
    if type(raw) is list and _plain(raw):
        return (
            []
            if n is None or len(raw) == n
            else [f"{name} has shape ({len(raw)},), expected ({n},)"]
        )
    array = raw if isinstance(raw, np.ndarray) else None
    if array is None and not (raw is None or isinstance(raw, str | bytes)):
        try:
            array = np.asarray(raw, dtype=object)
        except ValueError:
            return [f"{name}: expected one label per row, got nested rows of different lengths"]
    if array is None or array.ndim == 0:
        return [f"{name}: expected one label per row, got a single {raw!r}"]
    if array.ndim != 1:
        return [f"{name}: expected one label per row, got shape {array.shape}"]
    if n is not None and len(array) != n:
        return [f"{name} has shape {array.shape}, expected ({n},)"]
    kind = array.dtype.kind
    if kind == "b":
        return [f"{name}: True/False are not labels (give text or numbers)"]
    if kind == "c":
        return [f"{name}: complex numbers are not labels"]
    if kind == "f":
        nan = np.flatnonzero(np.isnan(array))
        shown = [f"row {i}" for i in nan[:_SHOWN].tolist()]
        return [_listed(name, "NaN", shown, len(nan))] if len(nan) else []
    if kind != "O":
        return []
    items = array.tolist()
    if _plain(items):
        return []
    found: dict[str, list[int]] = {}
    for i, value in enumerate(items):
        problem = _label_problem(value)
        if problem is not None:
            found.setdefault(problem, []).append(i)
    return [
        _listed(name, problem, [_at(f"row {i}", array[i]) for i in rows[:_SHOWN]], len(rows))
        for problem, rows in found.items()
    ]


def _at(where: str, value: Any) -> str:
    """Name a bad cell with its value, if the value says more than the problem does."""
    if value is None or isinstance(value, bool | np.bool_):
        return where
    text = repr(value)
    return f"{where} ({text if len(text) <= 40 else text[:37] + '...'})"


def as_labels(raw: Any) -> npt.NDArray[Any]:
    """Return checked labels as an array: numbers stay numbers, anything mixed becomes text."""
    array = np.asarray(raw)
    return array.astype(np.str_) if array.dtype.kind == "O" else array


def number_problems(raw: Any, name: str, names: list[str] | None = None) -> list[str]:
    """Problems of a numeric table: real numbers or NaN only (no bool, complex, text, None).

    `names` are the column names for the messages (default: the positions).
    """
    if hasattr(raw, "columns") and not isinstance(raw, np.ndarray):
        raw = np.asarray(raw)  # a data frame: its column types tell
    array = raw if isinstance(raw, np.ndarray) else None
    if array is not None:
        kind = array.dtype.kind
        if kind in "iuf":
            return []
        if kind == "b":
            return [f"{name} must be numbers, got True/False (NaN means not scored)"]
        if kind == "c":
            return [f"{name} must be numbers, got complex numbers"]
        if kind in "USV":
            return [f"{name} must be numbers, got text (read text cells with from_records)"]
        if kind != "O":
            return [f"{name} must be numbers, got {array.dtype}"]
    else:
        try:
            array = np.asarray(raw, dtype=object)
        except ValueError:
            return [f"{name} must be numbers in rows of equal length"]
    cells = array.reshape(-1) if array.ndim else array.reshape(1)
    items = cells.tolist()
    if set(map(type, items)) <= {float, int}:  # whole-list passes in C first
        try:
            np.asarray(items, dtype=np.float64)
            return []
        except OverflowError:
            pass  # an integer beyond a float: named below
    found: dict[str, list[int]] = {}
    for i, value in enumerate(items):
        problem = _number_problem(value)
        if problem is not None:
            found.setdefault(problem, []).append(i)
    width = array.shape[-1] if array.ndim > 1 else 1

    def where(i: int) -> str:
        if array.ndim < 2:
            return _at(f"row {i}", cells[i])
        column = names[i % width] if names and i % width < len(names) else i % width
        return _at(f"row {i // width}, column {column!r}", cells[i])

    return [
        _listed(f"{name} must be numbers", problem, [where(i) for i in rows[:_SHOWN]], len(rows))
        for problem, rows in found.items()
    ]


def _number_problem(value: Any) -> str | None:
    if isinstance(value, bool | np.bool_):
        return "True/False"
    if isinstance(value, _NUMBER_TYPES):
        if isinstance(value, int) and not -1e308 < value < 1e308:
            return "a number too large for a float (beyond 1e308)"
        return None
    if value is None:
        return "None (NaN means not scored)"
    if isinstance(value, complex | np.complexfloating):
        return "a complex number"
    if isinstance(value, str):
        return "text (read text cells with from_records)"
    return f"a {type(value).__name__}, not a number"


def unit_code_problems(codes: Any, unit_ids: Any) -> list[str]:
    """Problems of integer codes into `unit_ids` (one meaning for every table): all of them."""
    problems = label_problems(unit_ids, "unit_ids")
    array = np.asarray(codes)
    if array.dtype.kind == "b" or array.dtype.kind not in "iu":
        problems.append(f"with unit_ids, unit must hold integer codes, got {array.dtype}")
    elif array.ndim != 1:
        problems.append(f"unit must be one-dimensional, got {array.shape}")
    if problems:
        return problems
    ids = np.asarray(unit_ids, dtype=np.str_)  # checked, not kept: no copy of a text array
    if len(ids) == 0:
        return ["unit_ids is empty"]
    if len(array) and (int(array.min()) < 0 or int(array.max()) >= len(ids)):
        problems.append(f"unit codes must lie in 0..{len(ids) - 1}, "
                        f"got {int(array.min())}..{int(array.max())}")  # fmt: skip
    if not is_distinct(ids):  # a sort only to name the repeated ids
        twice = repeated(ids).tolist()
        problems.append("unit_ids repeats " + enumerate_limited([repr(r) for r in twice]))
    if bool((ids == "").any()):
        problems.append("unit_ids has an empty id")
    return problems


def leaf_mismatch(scored_on: Rubric, rubric: Rubric) -> str | None:
    """Why data scored on `scored_on` cannot be read with `rubric`, or None if it can.

    Data depend on the leaves and their scales only: a rubric with other
    weights, grades or titles reads the same columns.
    """
    if scored_on is rubric:
        return None
    ours, theirs = scored_on.leaf_ids, rubric.leaf_ids
    if ours != theirs:
        gone = [leaf for leaf in ours if leaf not in set(theirs)]
        new = [leaf for leaf in theirs if leaf not in set(ours)]
        parts = [f"not in {rubric.id!r}: " + ", ".join(map(repr, gone))] if gone else []
        parts += [f"only in {rubric.id!r}: " + ", ".join(map(repr, new))] if new else []
        return "; ".join(parts) or "the same criteria in another order"
    (low, high), (their_low, their_high) = scored_on.leaf_scales, rubric.leaf_scales
    differ = np.flatnonzero((low != their_low) | (high != their_high)).tolist()
    if not differ:
        return None
    return "scales differ: " + enumerate_limited(
        [
            f"{ours[j]!r} {low[j]:g}..{high[j]:g} here, {their_low[j]:g}..{their_high[j]:g} "
            f"in {rubric.id!r}"
            for j in differ
        ]
    )


def observation_problems(
    rubric: Any,
    *,
    unit: Any,
    values: Any,
    visit: Any = None,
    observer: Any = None,
    unit_ids: Any = None,
) -> list[str]:
    """Every problem of observation columns that numpy would hide or fail on with its own error."""
    if not isinstance(rubric, Rubric):
        return [f"rubric must be a Rubric, got {type(rubric).__name__}"]
    if unit_ids is None:
        problems = label_problems(unit, "unit")
    else:
        problems = unit_code_problems(unit, unit_ids)
    n = len(unit) if not problems else None
    names = [str(c) for c in values.columns] if hasattr(values, "columns") else rubric.leaf_ids
    problems += number_problems(values, "values", list(names))
    for name, column in (("visit", visit), ("observer", observer)):
        if column is not None:
            problems += label_problems(column, name, n)
    return problems


def checked_columns(rubric: Any, given: Any) -> dict[str, Any]:
    """Check and convert the columns given to ``Observations`` itself: all problems at once.

    Returns the canonical read-only columns (text ids and labels, a float
    copy of the values, dates, row positions), or raises naming every problem.
    """
    problems = observation_problems(
        rubric, unit=given.unit, values=given.values, visit=given.visit, observer=given.observer
    )
    raise_problems("observations", problems)
    unit = np.array(given.unit, dtype=np.str_)
    n, leaves = len(unit), len(rubric.leaves)
    if n == 0:
        raise ObservationError("observations: the set is empty (no rows)")
    values = np.array(given.values, dtype=np.float64)  # a copy: the caller's stays writable
    if values.shape != (n, leaves):
        problems.append(f"values has shape {values.shape}, expected ({n}, {leaves})")
    else:
        problems += score_problems(rubric, values, lambda i: f"row {i}")
    date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    try:
        date = dates_column(given.date, n)
        if date.shape != (n,):
            problems.append(f"date has shape {date.shape}, expected ({n},)")
    except ObservationError as error:
        problems.append(str(error).removeprefix("observations: "))
    rows = None if given.input_rows is None else np.asarray(given.input_rows)
    if rows is not None and not (
        rows.dtype.kind in "iu" and rows.shape == (n,) and int(rows.min()) >= 0
        and bool(np.all(np.bincount(rows, minlength=n) == 1))
    ):  # fmt: skip
        problems.append(f"input_rows must be a permutation of 0..{n - 1}")
    raise_problems("observations", problems)
    columns = {
        "unit": unit, "values": values, "visit": as_labels(given.visit),
        "observer": np.array(given.observer, dtype=np.str_), "date": date,
    }  # fmt: skip
    if rows is not None:
        columns["input_rows"] = rows.astype(np.intp)
    return {name: readonly(column) for name, column in columns.items()}
