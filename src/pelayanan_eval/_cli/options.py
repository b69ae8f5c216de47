"""Options shared by the commands that read evaluation files: inputs, file formats, output."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from pelayanan_eval.typing import (
    AggregationMethod,
    Locale,
    MissingPolicy,
    NoDataPolicy,
    Order,
    choices,
)

TEXT_LIMIT = 40  # characters of a refused argument echoed back


def echo(text: str) -> str:
    """Quote a refused argument, cut to a readable length."""
    return (
        repr(text)
        if len(text) <= TEXT_LIMIT
        else f"{text[:TEXT_LIMIT]!r}... ({len(text)} characters)"
    )


def number(text: str) -> float:
    """Read a finite number written with a decimal point or a decimal comma (``4,505``)."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(
            f"expected a number such as 4.505 or 4,505, got {echo(text)}"
        )
    return value


def count(text: str) -> int:
    """Read a whole number >= 0 (how many units get a mark)."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {echo(text)}")
    return int(text)


def add_file_options(parser: argparse.ArgumentParser, *, units: bool = True) -> None:
    """Add how CSV and .xlsx files are read: delimiter, decimal mark, encoding, sheet, columns."""
    files = parser.add_argument_group("reading the files")
    files.add_argument(
        "--delimiter", choices=(",", ";", "tab"), metavar="SEP",
        help="CSV field separator: ',', ';' or tab (default: found from the header line)",
    )  # fmt: skip
    files.add_argument(
        "--decimal", choices=(".", ","), metavar="MARK",
        help="decimal mark of the files, '.' or ',' (default: ',' when the delimiter is ';'); "
        "scores are read with either",
    )  # fmt: skip
    files.add_argument(
        "--encoding", default="utf-8",
        help="text encoding of CSV files (default utf-8; cp1252 for Excel's 'CSV (Comma "
        "delimited)')",
    )  # fmt: skip
    files.add_argument(
        "--sheet", help=".xlsx: the sheet of the observations or answers (default: the first)"
    )
    files.add_argument(
        "--ignore-columns", default="", metavar="NAMES",
        help="comma-separated columns to leave out (timestamp, umur, alamat, ...)",
    )  # fmt: skip
    if units:
        files.add_argument(
            "--units-sheet", metavar="SHEET", help=".xlsx: the sheet of the units (default: first)"
        )
        files.add_argument(
            "--normalize-categories", action="store_true",
            help="merge category labels that differ only by case or spaces (' Kelurahan' = "
            "'kelurahan')",
        )  # fmt: skip


def add_inputs(parser: argparse.ArgumentParser, missing: Callable[[str], str] = str) -> None:
    """Add the rubric, units and observations files and how visits and gaps are combined.

    `missing` reads the ``--missing`` value (the parser maps a former name).
    """
    parser.add_argument("--rubric", required=True, metavar="ID|PATH")
    parser.add_argument(
        "--units", metavar="FILE", help="CSV or .xlsx: id, name, category[, parent] per unit"
    )
    parser.add_argument(
        "--observations", required=True, metavar="FILE",
        help="CSV or .xlsx: unit, visit, observer, date, then one column per criterion id",
    )  # fmt: skip
    methods = [m for m in choices(AggregationMethod) if m != "observer_weighted"]
    parser.add_argument("--aggregate", default="mean", choices=methods)
    parser.add_argument("--order", default="criteria_first", choices=choices(Order))
    parser.add_argument(
        "--missing", default="error", type=missing, choices=choices(MissingPolicy),
        help="what an unscored criterion does (default: error)",
    )  # fmt: skip
    parser.add_argument(
        "--min-coverage", type=number, metavar="SHARE",
        help="with --missing renormalize: the least scored share of a node's weight (0.5)",
    )  # fmt: skip
    parser.add_argument(
        "--survey", action="append", metavar="ID=FILE",
        help="an instrument's records, e.g. F-03=survei.csv (unit, then one column per "
        "statement, a row per respondent); the index is then the rubric's composite",
    )  # fmt: skip
    parser.add_argument(
        "--no-data", default="error", choices=choices(NoDataPolicy),
        help="with --survey: a unit without an instrument's records (default: error)",
    )  # fmt: skip
    add_file_options(parser)


def add_output(parser: argparse.ArgumentParser) -> None:
    """Add ``--output FILE`` and ``--locale`` (the CSV form: ``id`` writes ``;`` and ``4,11``)."""
    parser.add_argument(
        "--output", "-o", metavar="FILE",
        help="write to FILE instead of the screen (.csv, .json; .xlsx writes a workbook)",
    )  # fmt: skip
    parser.add_argument(
        "--locale", default="en", choices=choices(Locale),
        help="CSV output: 'id' writes ';' between fields and decimal commas (4,11)",
    )  # fmt: skip
