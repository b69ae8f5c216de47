"""The header of a survey CSV: its delimiter and where each needed column is."""

from __future__ import annotations

import csv
from collections.abc import Sequence

from pelayanan_eval._common.messages import check_option, suggest
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError


def sniff(first_line: str, delimiter: str | None) -> str:
    """Return the delimiter: given, or ``;`` when the header has more of them than commas."""
    if delimiter is not None:
        check_option("delimiter", delimiter, (",", ";"))
        return delimiter
    return ";" if first_line.count(";") > first_line.count(",") else ","


def columns_of(
    rubric: Rubric,
    header: Sequence[str],
    where: str,
    unit_column: str,
    weight_column: str | None,
    by: str | None,
) -> tuple[int, list[int], int | None, int | None]:
    """Positions of the unit, item, weight and `by` columns; every missing one named at once."""
    position = {name.strip(): i for i, name in enumerate(header)}
    wanted = [unit_column, *rubric.leaf_ids, *(c for c in (weight_column, by) if c is not None)]
    absent = [name for name in wanted if name not in position]
    if absent:
        raise ObservationError(f"{where} row 1: missing column(s) " + ", ".join(
            f"{name!r}{suggest(name, list(position))}" for name in absent))  # fmt: skip
    return (position[unit_column], [position[leaf] for leaf in rubric.leaf_ids],
            None if weight_column is None else position[weight_column],
            None if by is None else position[by])  # fmt: skip


def header_of(first_line: str, delimiter: str) -> list[str]:
    """Return the column names of a header line."""
    return [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter), [])]
