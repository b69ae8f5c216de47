"""Survey answers from CSV files, streamed in chunks into a tally (bounded memory)."""

from __future__ import annotations

import csv
import os
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError
from pelayanan_eval.ikm._csv_columns import columns_of, header_of, sniff
from pelayanan_eval.ikm._csv_fast import Fields, byte_codes, split_plain, whole_codes
from pelayanan_eval.ikm._csv_units import UnitIndex, blank, decoded, first_seen, pairs
from pelayanan_eval.ikm._items import Items, items
from pelayanan_eval.ikm._partial import Tally, add_extended, tally_codes
from pelayanan_eval.ikm._progress import Progress
from pelayanan_eval.typing import CsvEngine, choices

CHUNK_CHARS = 1 << 21  # whole lines read at once: about 80,000 rows of a 9-unsur survey
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
    Both engines give the same tally and read the file part by part, so
    memory does not grow with it. The standard-library engine reads about
    :data:`CHUNK_CHARS` characters of whole lines at a time and finds the
    cells of plain lines (no quotes) with numpy in their bytes, the csv
    module splitting the others. The pyarrow engine (the ``csv`` extra)
    parses parts of whole rows in parallel threads, typed (answers as
    integers, the unit dictionary-encoded), the next part while numpy tallies
    this one: this is what makes it faster than ``pandas.read_csv``. When it
    meets a cell it cannot read it hands the file to the standard-library
    engine, which names every problem.

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
        index = UnitIndex()
        done, row_number = len(first), 1
        try:
            while chunk_lines := _whole_rows(handle):
                fields = split_plain(chunk_lines, sep, len(header))
                chunk = [] if fields is not None else list(csv.reader(chunk_lines, delimiter=sep))
                part, count = _chunk_tally(
                    rubric, chunk, fields, row_number, where, (unit_at, item_at, weight_at, by_at),
                    (table, low, high, scale), sep == ";", moments, problems, count, index,
                )  # fmt: skip
                row_number += len(chunk_lines)
                done += sum(map(len, chunk_lines))
                bar.update(min(done, bar.total - 1))
                if part is not None and not count:
                    total = part if total is None else add_extended(total, part)
        except csv.Error as error:
            raise ObservationError(f"{where} row {row_number}: {error}") from None
        except UnicodeDecodeError as error:
            raise ObservationError(f"{where}: not UTF-8 text ({error.reason})") from None
    if count:
        raise ObservationError(f"{where}: {count} problem(s): " + enumerate_limited(problems, 50))
    if total is None:
        raise ObservationError(f"{where}: no respondents (only a header row)")
    return total


def _whole_rows(handle: Any) -> list[str]:
    """About :data:`CHUNK_CHARS` characters of lines, ending outside quotes (none: the end)."""
    lines: list[str] = handle.readlines(CHUNK_CHARS)
    quotes = "".join(lines).count('"')
    while quotes % 2 and (line := handle.readline()):  # a quoted field goes on: its other lines
        lines.append(line)
        quotes += line.count('"')
    return lines


def _chunk_tally(
    rubric: Rubric,
    chunk: list[list[str]],
    fields: Fields | None,
    first_row: int,
    where: str,
    at: tuple[int, list[int], int | None, int | None],
    answers: tuple[Any, ...],
    comma: bool,
    moments: bool,
    problems: list[str],
    count: int,
    index: UnitIndex,
) -> tuple[Tally | None, int]:
    """Tally one chunk of rows (row numbers from `first_row` + 1) on `index`; add its problems.

    `fields` are the cells of plain lines (read from their bytes); else
    `chunk` holds the rows the csv module split.
    """
    unit_at, item_at, weight_at, by_at = at
    table, low, high, scale = answers

    def problem(text: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(text)

    if fields is not None:
        numbers = np.arange(first_row + 1, first_row + 1 + len(fields))
        codes, flagged = byte_codes(fields, item_at, scale)
        cells: Any = _FieldCells(fields, item_at)
        names, group = _distinct_bytes(fields.cells(unit_at))
        extra = None if by_at is None else _distinct_bytes(fields.cells(by_at))
        weight_text = None if weight_at is None else fields.column(weight_at)
    else:
        width = max([unit_at, *item_at, weight_at or 0, by_at or 0]) + 1
        for i, row in enumerate(chunk):
            if len(row) < width:
                problem(f"row {first_row + 1 + i}: {len(row)} field(s), expected at least {width}")
        keep = [row[:width] for row in chunk if len(row) >= width]
        numbers = np.array([first_row + 1 + i for i, row in enumerate(chunk) if len(row) >= width])
        columns = [list(column) for column in zip(*keep, strict=True)] if keep else [[]] * width
        cells = np.stack([np.array(columns[j], dtype=np.str_) for j in item_at], axis=1) if len(
            numbers) else np.zeros((0, len(item_at)), dtype="U1")  # fmt: skip
        codes, flagged = whole_codes(cells, scale)
        names, group = factorize(np.array(columns[unit_at], dtype=np.str_), sort=False)
        extra = None if by_at is None else factorize(np.array(columns[by_at], dtype=np.str_),
                                                     sort=False)  # fmt: skip
        weight_text = None if weight_at is None else columns[weight_at]
    for i, j in zip(*np.nonzero(flagged), strict=True):
        text = str(cells[i, j])
        if text.strip() in table[j]:  # padded with spaces: read as what it says
            codes[i, j] = table[j][text.strip()]
        else:
            problem(f"row {numbers[i]}, unsur {rubric.leaf_ids[j]!r}: "
                    + _cell_problem(text, low[j], high[j]))  # fmt: skip
    for i in np.flatnonzero(blank(names.astype(np.str_))[group]).tolist():
        problem(f"row {numbers[i]}: no unit (column {unit_at + 1})")
    weights = None
    if weight_text is not None:
        parsed = [parse_weight(text, comma) for text in weight_text]
        for i in [i for i, w in enumerate(parsed) if w is None]:
            problem(f"row {numbers[i]}: weight {str(weight_text[i])!r} is not a finite number >= 0")
        weights = np.array([0.0 if w is None else w for w in parsed])
    if count or not len(numbers):
        return None, count
    if extra is not None:
        names, group = pairs(group, names, extra[1], extra[0])
    rows = index.positions(names.astype(np.str_))[group]
    return tally_codes(rubric, codes, rows, index.ids, weights, moments=moments,
                       compiled=False), count  # fmt: skip


class _FieldCells:
    """``cells[i, j]``: the text of answer `j` of row `i` of plain lines, read when asked."""

    def __init__(self, fields: Fields, columns: list[int]) -> None:
        self.fields, self.columns = fields, columns

    def __getitem__(self, where: tuple[int, int]) -> str:
        return self.fields.text(where[0], self.columns[where[1]])


def _distinct_bytes(
    cells: npt.NDArray[np.bytes_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """Distinct cells as text in order of appearance, and each row's position among them."""
    distinct, group = first_seen(cells)
    return decoded(distinct), group
