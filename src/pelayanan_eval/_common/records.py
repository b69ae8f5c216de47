"""What table-like results share: records as a DataFrame, an HTML table, plain numbers."""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Sequence
from typing import Any

from pelayanan_eval.exceptions import AgreementWarning

HTML_ROWS = 50  # rows a notebook table shows before "... N more"


def number(value: Any) -> float | None:
    """Return a float for a record, or None for NaN (so JSON and CSV show a blank)."""
    result = float(value)
    return None if math.isnan(result) else result


def to_pandas(
    records: list[dict[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    index: str | None = None,
    what: str = "",
) -> Any:
    """Return the records as a pandas DataFrame (pandas is imported here, when asked for).

    `columns` orders the columns (default: as the records give them),
    `index` names the column that indexes a non-empty frame, and `what`
    names the result in the error raised without pandas.
    """
    try:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pandas is an optional extra
        raise ImportError(
            f"{what + '.' if what else ''}to_pandas() needs pandas: "
            "pip install 'pelayanan-eval[pandas]'"
        ) from None
    table = pd.DataFrame.from_records(records, columns=None if columns is None else list(columns))
    return table.set_index(index) if index and len(table) else table


def html_table(
    caption: str, head: Sequence[str], rows: Sequence[Sequence[Any]], more: int, noun: str = "rows"
) -> str:
    """Render rows of cells as an escaped HTML table, saying how many more `noun` there are.

    The one renderer of every notebook table of the library.
    """
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    header = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    tail = f"<p>... {more} more {noun}</p>" if more > 0 else ""
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{cells}</tbody></table>{tail}"
    )


def html_records(
    caption: str, records: Sequence[dict[str, Any]], columns: Sequence[str] | None = None
) -> str:
    """Render the first records as an HTML table of `columns` (default: the first record's keys).

    Numbers are shown to 4 significant digits, NaN and None as blanks.
    """

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.4g}"
        return "" if value is None else str(value)

    keys = list(records[0]) if columns is None and records else list(columns or ())
    rows = [[cell(r.get(c)) for c in keys] for r in records[:HTML_ROWS]]
    return html_table(caption, keys, rows, len(records) - len(rows))


def warn(message: str, category: type[UserWarning] = AgreementWarning) -> None:
    """Emit a warning pointing at the caller of the public function."""
    warnings.warn(message, category, stacklevel=3)
