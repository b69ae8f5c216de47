"""Survey answers from CSV files, streamed in chunks into a tally (bounded memory)."""

from __future__ import annotations

import csv
import itertools
import os
from typing import Any

import numpy as np

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError
from pelayanan_eval.ikm._csv_columns import columns_of, header_of, sniff
from pelayanan_eval.ikm._csv_fast import split_lines, whole_codes
from pelayanan_eval.ikm._items import Items, items
from pelayanan_eval.ikm._partial import Tally, tally_codes
from pelayanan_eval.ikm._progress import Progress
from pelayanan_eval.typing import CsvEngine, choices

CHUNK_ROWS = 1 << 16  # rows parsed at once: about 650,000 cells of a 9-unsur survey
MAX_PROBLEMS = 1000  # problems kept for the message; all are counted


def read_csv(
    rubric: Rubric,
    path: str | os.PathLike[str],
    *,
    unit_column: str = "unit",
    weight_column: str | None = None,
    by: str | None = None,
    delimiter: str | None = None,
    moments: bool = False,
    engine: CsvEngine = "auto",
    progress: bool | None = None,
) -> Tally:
    r"""Read a survey CSV in chunks into a :class:`Tally`, in memory that does not grow with it.

    Parameters
    ----------
    rubric
        The survey rubric: the file has one column per item id.
    path
        A UTF-8 CSV file with a header row; other columns are ignored.
    unit_column
        The column naming each respondent's unit.
    weight_column
        The column of design weights (decimal point, or decimal comma when
        the delimiter is ``;``), if any.
    by
        A column to break units down by (groups ``"unit | value"``).
    delimiter
        ``","`` or ``";"``; None: the one the header uses.
    moments
        Also tally what the intervals need (slower; see :func:`tally`).
    engine
        ``"auto"`` (pyarrow's streaming reader when installed, else the
        standard library), ``"pyarrow"`` or ``"python"``.
    progress
        Show a progress bar on stderr; None (default): only when stderr is a terminal.

    Returns
    -------
    Tally

    Raises
    ------
    ObservationError
        A missing column, or cells that are not answers on their item's
        scale (empty = no answer), weights that are not finite numbers >= 0:
        every problem of the file in one error, with its row (the header is
        row 1) and column.

    Notes
    -----
    Both engines give the same tally. The standard-library engine parses
    :data:`CHUNK_ROWS` rows at a time; the pyarrow engine (the ``csv``
    extra) reads blocks of the file in parallel threads, typed, which is what
    makes it faster than ``pandas.read_csv``; when it meets a cell it cannot
    read it hands the file to the standard-library engine, which names every
    problem.

    Examples
    --------
    >>> import pathlib, tempfile, warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "skm.csv"
    >>> header = "unit," + ",".join(rubric.leaf_ids)
    >>> _ = path.write_text(header + "\nkel-a" + ",3" * 9 + "\nkel-a" + ",4" * 9 + "\n")
    >>> tally = ikm.read_csv(rubric, path)
    >>> tally.respondents.tolist(), ikm.compute(rubric, tally).rounded.tolist()
    ([2], [87.5])
    """
    check_option("engine", engine, choices(CsvEngine))
    where = os.fspath(path)
    scale = items(rubric)
    with Progress(where, os.path.getsize(where) if os.path.exists(where) else 0, progress) as bar:
        if engine != "python":
            from pelayanan_eval.ikm._arrow import arrow_tally

            found = arrow_tally(rubric, scale, where, unit_column, weight_column, by, delimiter,
                                moments, bar, required=engine == "pyarrow")  # fmt: skip
            if found is not None:
                return found
            bar.restart()
        return _python_tally(rubric, scale, where, unit_column, weight_column, by, delimiter,
                             moments, bar)  # fmt: skip


def answer_table(scale: Items) -> list[dict[str, int]]:
    """Per item, the text of each whole answer -> its code (and "" -> 0, no answer)."""
    return [
        {"": 0, **{str(v): v - int(lo) + 1 for v in range(int(lo), int(hi) + 1)}}
        for lo, hi in zip(scale.low.tolist(), scale.high.tolist(), strict=True)
    ]


def _cell_problem(text: str, low: float, high: float) -> str:
    """Say why a cell is not an answer on the scale low..high."""
    stripped = text.strip()
    try:
        value = float(stripped)
    except ValueError:
        if "," in stripped:
            return f"{text!r} is not a whole answer {low:g}..{high:g} (a decimal comma?)"
        return f"{text!r} is not a number (answers are {low:g}..{high:g}, empty = no answer)"
    if value != int(value) if np.isfinite(value) else True:
        return f"{text!r} is not a whole answer {low:g}..{high:g}"
    if value == 0:
        return (f"answer 0 is off the scale {low:g}..{high:g} (leave the cell empty for "
                "no answer)")  # fmt: skip
    return f"{text!r} is off the scale {low:g}..{high:g}"


def parse_weight(text: str, comma: bool) -> float | None:
    """Read a weight cell (None when it is not a finite number >= 0)."""
    try:
        value = float(text.replace(",", ".") if comma else text)
    except ValueError:
        return None
    return value if np.isfinite(value) and value >= 0 else None


def _python_tally(
    rubric: Rubric,
    scale: Items,
    where: str,
    unit_column: str,
    weight_column: str | None,
    by: str | None,
    delimiter: str | None,
    moments: bool,
    bar: Progress,
) -> Tally:
    """Tally with the standard library: csv.reader over chunks of rows, every problem collected."""
    try:
        handle = open(where, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as error:
        raise ObservationError(f"cannot read {where}: {error.strerror or error}") from None
    with handle:
        first = handle.readline()
        sep = sniff(first, delimiter)
        header = header_of(first, sep)
        unit_at, item_at, weight_at, by_at = columns_of(rubric, header, where, unit_column,
                                                        weight_column, by)  # fmt: skip
        table, low, high = answer_table(scale), scale.low.tolist(), scale.high.tolist()
        problems: list[str] = []
        count = 0
        total: Tally | None = None
        lines = bar.lines(handle, len(first))
        row_number = 1
        try:
            while chunk_lines := list(itertools.islice(lines, CHUNK_ROWS)):
                columns = split_lines(chunk_lines, sep, len(header))
                chunk = [] if columns is not None else list(csv.reader(chunk_lines, delimiter=sep))
                part, count = _chunk_tally(
                    rubric, chunk, columns, row_number, where, (unit_at, item_at, weight_at, by_at),
                    (table, low, high, scale), sep == ";", moments, problems, count,
                )  # fmt: skip
                row_number += len(chunk_lines)
                if part is not None and not count:
                    total = part if total is None else total + part
        except csv.Error as error:
            raise ObservationError(f"{where} row {row_number}: {error}") from None
        except UnicodeDecodeError as error:
            raise ObservationError(f"{where}: not UTF-8 text ({error.reason})") from None
    if count:
        raise ObservationError(f"{where}: {count} problem(s): " + enumerate_limited(problems, 50))
    if total is None:
        raise ObservationError(f"{where}: no respondents (only a header row)")
    return total


def _chunk_tally(
    rubric: Rubric,
    chunk: list[list[str]],
    columns: list[list[str]] | None,
    first_row: int,
    where: str,
    at: tuple[int, list[int], int | None, int | None],
    answers: tuple[Any, ...],
    comma: bool,
    moments: bool,
    problems: list[str],
    count: int,
) -> tuple[Tally | None, int]:
    """Tally one chunk of rows (row numbers from `first_row` + 1); add its problems."""
    unit_at, item_at, weight_at, by_at = at
    table, low, high, scale = answers

    def problem(text: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(text)

    if columns is not None:
        numbers = np.arange(first_row + 1, first_row + 1 + len(columns[0]))
    else:
        width = max([unit_at, *item_at, weight_at or 0, by_at or 0]) + 1
        for i, row in enumerate(chunk):
            if len(row) < width:
                problem(f"row {first_row + 1 + i}: {len(row)} field(s), expected at least {width}")
        keep = [row[:width] for row in chunk if len(row) >= width]
        numbers = np.array([first_row + 1 + i for i, row in enumerate(chunk) if len(row) >= width])
        columns = [list(column) for column in zip(*keep, strict=True)] if keep else [[]] * width
    answer_cells = np.stack([np.array(columns[j], dtype=np.str_) for j in item_at], axis=1) if len(
        numbers) else np.zeros((0, len(item_at)), dtype="U1")  # fmt: skip
    codes, flagged = whole_codes(answer_cells, scale)
    for i, j in zip(*np.nonzero(flagged), strict=True):
        text = str(answer_cells[i, j])
        if text.strip() in table[j]:  # padded with spaces: read as what it says
            codes[i, j] = table[j][text.strip()]
        else:
            problem(f"row {numbers[i]}, unsur {rubric.leaf_ids[j]!r}: "
                    + _cell_problem(text, low[j], high[j]))  # fmt: skip
    units = np.array(columns[unit_at], dtype=np.str_)
    for i in np.flatnonzero(np.char.str_len(np.char.strip(units)) == 0).tolist():
        problem(f"row {numbers[i]}: no unit (column {unit_at + 1})")
    weights = None
    if weight_at is not None:
        column = columns[weight_at]
        parsed = [parse_weight(text, comma) for text in column]
        for i in [i for i, w in enumerate(parsed) if w is None]:
            problem(f"row {numbers[i]}: weight {str(column[i])!r} is not a finite number >= 0")
        weights = np.array([0.0 if w is None else w for w in parsed])
    if count or not len(numbers):
        return None, count
    if by_at is not None:
        units = np.char.add(np.char.add(units, " | "), np.array(columns[by_at], dtype=np.str_))
    ids, group = factorize(units, sort=False)
    return tally_codes(rubric, codes, group, ids, weights, moments=moments, compiled=False), count
