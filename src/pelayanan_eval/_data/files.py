"""Table files into rows: CSV as spreadsheets save it (any delimiter, BOM, CRLF) and ``.xlsx``.

A :class:`Table` is a list of dict rows that remembers where it came from,
so the readers of observations, survey answers and units name the file,
sheet and row of every bad cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from pelayanan_eval._common.messages import check_option, enumerate_limited, suggest
from pelayanan_eval.exceptions import ObservationError

DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t"}
DECIMALS = (".", ",")
SHOWN = 5  # rows of one kind named in a message before "... and N more"


@attrs.frozen
class Table:
    """Rows read from a file: ``list(table)`` gives one dict per row, keyed by column name.

    Attributes
    ----------
    rows
        The rows, as dicts of column name to cell (text for CSV; numbers,
        text or dates for ``.xlsx``).
    columns
        The column names, in file order, after mapping and ignoring.
    source
        How rows are named in messages: the file, and for ``.xlsx`` the sheet.
    first_row
        The row number of ``rows[0]`` (2: the header is row 1).
    delimiter, decimal
        The CSV delimiter found or given, and the decimal mark (``.`` or ``,``).
    """

    rows: tuple[dict[str, Any], ...]
    columns: tuple[str, ...]
    source: str
    first_row: int = 2
    delimiter: str = ","
    decimal: str = "."

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _listed(items: Sequence[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def sniff_delimiter(line: str) -> str:
    """Return the delimiter of a header line: the most frequent of ``,`` ``;`` tab outside quotes.

    A header with none of them is one column (``,``); a tie goes to ``,``
    then ``;``.
    """
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts.values())
    return next(d for d, count in counts.items() if count == best) if best else ","


# what a file that is not text is, by its first bytes
_NOT_TEXT = (
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook under another name? name it .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or Word .doc) file: save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document, not a table"),
)


def _decode(data: bytes, path: str, encoding: str) -> str:
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            raise ObservationError(f"{path}: not a CSV table but {what}")
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        return data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        hint = (
            "; a CSV saved by Excel as 'CSV (Comma delimited)' is often cp1252: "
            "read it with encoding cp1252 (--encoding cp1252), or save it as 'CSV UTF-8'"
            if encoding.lower().startswith("utf")
            else ""
        )
        shown = "UTF-8" if utf8 else encoding
        raise ObservationError(f"{path} line {line}: not {shown} text ({error.reason} at "
                               f"byte {error.start}){hint}") from None  # fmt: skip
    except LookupError:
        raise ObservationError(f"{path}: unknown text encoding {encoding!r}") from None


def _csv_rows(path: str, delimiter: str | None, encoding: str) -> tuple[list[list[str]], str]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ObservationError(f"cannot read {path}: {error.strerror or error}") from None
    text = _decode(data, path, encoding)
    if delimiter is None:
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ObservationError(f"{path} row {len(rows) + 1}: {error}") from None
    return rows, delimiter


def _header(source: str, raw: Sequence[Any]) -> list[str]:
    header = ["" if name is None else str(name).strip() for name in raw]
    unnamed = [str(position) for position, name in enumerate(header, start=1) if not name]
    if unnamed:
        raise ObservationError(f"{source} row 1: column(s) {_listed(unnamed)} have no name")
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        seen.setdefault(name, []).append(position)
    twice = [f"{name!r} (columns {', '.join(map(str, at))})" for name, at in seen.items()
             if len(at) > 1]  # fmt: skip
    if twice:
        raise ObservationError(f"{source} row 1: column(s) named more than once: {_listed(twice)}")
    return header


def _body_problems(source: str, width: int, body: Sequence[Sequence[Any]], first: int) -> None:
    blank = [str(n) for n, row in enumerate(body, start=first) if not any(_filled(c) for c in row)]
    if blank:
        raise ObservationError(f"{source}: blank row(s) {_listed(blank)} between rows of data")
    uneven = [f"row {n} has {len(row)}" for n, row in enumerate(body, start=first)
              if len(row) != width]  # fmt: skip
    if uneven:
        raise ObservationError(
            f"{source}: the header has {width} fields, but {_listed(uneven)} "
            "(a truncated row, a value with an unquoted delimiter, or the wrong delimiter?)"
        )


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and cell.strip() == "")


def _select(
    source: str,
    header: list[str],
    columns: Mapping[str, str] | None,
    ignore: Iterable[str],
) -> tuple[list[int], list[str]]:
    """Return the positions kept and their new names; naming an absent column is an error."""
    ignored = [str(name).strip() for name in ignore]
    mapping = {str(k).strip(): str(v).strip() for k, v in (columns or {}).items()}
    absent = [f"{name!r}{suggest(name, header)}" for name in [*mapping, *ignored]
              if name not in header]  # fmt: skip
    if absent:
        raise ObservationError(
            f"{source}: the column map or ignore list names {enumerate_limited(absent)}, which "
            f"is not a column of the file (columns: {', '.join(header)})"
        )
    keep = [i for i, name in enumerate(header) if name not in ignored]
    names = [mapping.get(header[i], header[i]) for i in keep]
    clash = sorted({name for name in names if names.count(name) > 1})
    if clash:
        raise ObservationError(f"{source}: after the column map, column(s) {', '.join(clash)} "
                               "are named more than once")  # fmt: skip
    return keep, names


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str = "utf-8",
    columns: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
) -> Table:
    r"""Read a CSV or ``.xlsx`` file with a header row into a :class:`Table` of dict rows.

    CSV files are read as spreadsheets save them: a UTF-8 byte-order mark
    and CRLF line ends are accepted, and the delimiter (``,``, ``;`` or
    tab) is found from the header unless given. Spaces around column names
    are stripped. ``.xlsx`` and ``.xlsm`` files are read with openpyxl (the
    ``excel`` extra), from the first sheet or the one named.

    Parameters
    ----------
    path
        The file; ``.xlsx``/``.xlsm`` are spreadsheets, anything else CSV.
    sheet
        Spreadsheets: the sheet to read (default: the first).
    delimiter
        CSV: ``","``, ``";"``, ``"\t"`` (or ``"tab"``); default: found from the header.
    decimal
        The decimal mark of the numbers, ``"."`` or ``","``; default ``","``
        when the delimiter is ``;``, else ``"."``. Scores are read with
        either mark; it is recorded for writing results back in kind.
    encoding
        CSV: the text encoding (``"cp1252"`` for Excel's "CSV (Comma delimited)").
    columns
        Renames, ``{"name in the file": "name wanted"}``, e.g. ``{"kode": "id"}``.
    ignore
        Columns to leave out (``timestamp``, ``umur``, ``alamat``, ...).

    Returns
    -------
    Table
        The rows, with the file (and sheet) and first row number for messages.

    Raises
    ------
    ObservationError
        A file that cannot be read or is not a table (no header, a column
        without a name or named twice, rows of the wrong width, a blank row
        inside the data), a sheet that is not there (naming the sheets
        found), merged header cells, a formula without a saved value, or a
        column map or ignore list naming a column that is not in the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "units.csv").write_bytes(
    ...     b"\xef\xbb\xbfid;name ;category\r\nkel-a;Kelurahan A;kelurahan\r\n")
    >>> table = read_table(folder / "units.csv")
    >>> table.delimiter, table.decimal, list(table)
    (';', ',', [{'id': 'kel-a', 'name': 'Kelurahan A', 'category': 'kelurahan'}])
    """
    name = str(path)
    if delimiter is not None:
        check_option("delimiter", delimiter, tuple(DELIMITERS))
        delimiter = DELIMITERS[delimiter]
    if decimal is not None:
        check_option("decimal", decimal, DECIMALS)
    suffix = Path(name).suffix.lower()
    if suffix in (".xls", ".ods", ".numbers"):
        raise ObservationError(f"{name}: {suffix} files cannot be read; save the sheet as .xlsx "
                               "or as CSV")  # fmt: skip
    if suffix in (".xlsx", ".xlsm"):
        from pelayanan_eval._data.excel import read_sheet

        source, rows = read_sheet(name, sheet)
        found = ","
    else:
        source = name
        rows, found = _csv_rows(name, delimiter, encoding)
        rows = [list(row) for row in rows]
    while rows and not any(_filled(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ObservationError(f"{source}: the file is empty; expected a header row of column "
                               "names")  # fmt: skip
    header = _header(source, rows[0])
    body = rows[1:]
    _body_problems(source, len(header), body, 2)
    keep, names = _select(source, header, columns, ignore)
    records = tuple({name: row[i] for name, i in zip(names, keep, strict=True)} for row in body)
    mark = decimal or ("," if found == ";" else ".")
    return Table(records, tuple(names), source, 2, found, mark)
