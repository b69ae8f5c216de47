"""What table-like results share: records as a DataFrame, an HTML table, plain numbers."""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Sequence
from typing import Any

from pelayanan_eval.exceptions import AgreementWarning

HTML_ROWS = 30  # rows shown in a notebook before "... N more"


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


def html_records(caption: str, records: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Render records as an escaped HTML table (the first rows), saying how many more there are."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.3f}"
        return html.escape(str(value))

    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r.get(c))}</td>" for c in columns) + "</tr>"
        for r in records[:HTML_ROWS]
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    more = len(records) - HTML_ROWS
    tail = f"<p>... {more} more rows</p>" if more > 0 else ""
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{tail}"
    )


def warn(message: str, category: type[UserWarning] = AgreementWarning) -> None:
    """Emit a warning pointing at the caller of the public function."""
    warnings.warn(message, category, stacklevel=3)
