"""Reading one sheet of an ``.xlsx`` workbook as rows of cells (openpyxl, the ``excel`` extra)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pelayanan_eval._common.messages import enumerate_limited, suggest
from pelayanan_eval.exceptions import ObservationError


def openpyxl_module(purpose: str) -> Any:
    """Import openpyxl, or raise ImportError saying which extra installs it."""
    try:
        import openpyxl  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ImportError(
            f"{purpose} needs openpyxl: pip install 'pelayanan-eval[excel]'"
        ) from None
    return openpyxl


def _cell(value: Any) -> Any:
    """Return a cell as the readers take it: whole floats as int (101.0 is the id 101)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def read_sheet(path: str, sheet: str | None) -> tuple[str, list[list[Any]]]:
    """Return how to name the sheet in messages and its rows of cell values.

    Refuses, naming the file and sheet: a workbook that cannot be opened, a
    sheet that is not there or is empty (listing the sheets found), merged
    cells in the header row and formulas whose value was never saved.
    """
    openpyxl = openpyxl_module("reading .xlsx files")
    if not Path(path).is_file():
        raise ObservationError(f"cannot read {path}: no such file")
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError, ... on a damaged file
        raise ObservationError(f"cannot read {path} as an .xlsx workbook: {error}") from None
    names = list(book.sheetnames)
    found = ", ".join(repr(n) for n in names)
    if sheet is None:
        sheet = names[0]
    elif sheet not in book.sheetnames:
        raise ObservationError(f"{path}: no sheet {sheet!r}{suggest(sheet, names)}; the sheets "
                               f"are {found}")  # fmt: skip
    where = f"{path} sheet {sheet!r}"
    page = book[sheet]
    rows = [[_cell(v) for v in row] for row in page.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        others = [n for n in names if n != sheet and book[n].max_row > 1]
        hint = f"; sheets with data: {', '.join(map(repr, others))} (choose one)" if others else ""
        raise ObservationError(f"{where} is empty{hint}; the sheets are {found}")
    width = max(len(row) for row in rows)
    while width and all(len(row) < width or row[width - 1] is None for row in rows):
        width -= 1
    rows = [row[:width] + [None] * (width - len(row)) for row in rows]
    merged = [str(r) for r in page.merged_cells.ranges if r.min_row == 1]
    if merged:
        raise ObservationError(f"{where} row 1: merged header cells {', '.join(merged)}; "
                               "unmerge them so that every column has its own name")  # fmt: skip
    if any(v is None for row in rows for v in row):
        _check_formulas(openpyxl, path, sheet, where, rows)
    return where, rows


def _check_formulas(
    openpyxl: Any, path: str, sheet: str, where: str, rows: list[list[Any]]
) -> None:
    """Refuse the empty cells that hold a formula: the workbook was saved without its values."""
    formulas = openpyxl.load_workbook(path, data_only=False)[sheet]
    cells = []
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                text = formulas.cell(row=r, column=c).value
                if isinstance(text, str) and text.startswith("="):
                    cells.append(f"{formulas.cell(row=r, column=c).coordinate} ({text})")
    if cells:
        raise ObservationError(
            f"{where}: formula(s) without a saved value in {enumerate_limited(cells, 5)}; "
            "open the file in Excel or LibreOffice and save it again so the values are stored"
        )
