"""Units from dict rows, and the category labels that look like typing slips."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pelayanan_eval._common.messages import enumerate_limited, suggest
from pelayanan_eval._data.files import Table
from pelayanan_eval._data.scores import mapping_rows
from pelayanan_eval._data.tables import rows_of
from pelayanan_eval.exceptions import ObservationError

UNIT_COLUMNS = ("id", "unit", "name", "category", "parent")


def _key(label: str) -> str:
    """Return the label as compared for slips: spaces collapsed, case folded."""
    return " ".join(label.split()).casefold()


def category_slips(labels: Sequence[str], counts: Sequence[int]) -> str:
    """Say which distinct category labels look like slips, or return ``""``.

    Two labels are one category typed twice when they differ only by case
    or spaces; a blank category among labelled units is reported too.
    """
    groups: dict[str, list[str]] = {}
    for label in labels:
        groups.setdefault(_key(label), []).append(label)
    problems = [
        " / ".join(repr(v) for v in variants)
        for key, variants in groups.items()
        if len(variants) > 1 and key
    ]
    notes = []
    if problems:
        notes.append(
            "category labels that differ only by case or spaces are ranked as separate "
            f"categories: {enumerate_limited(problems, 5)}"
        )
    blank = [count for label, count in zip(labels, counts, strict=True) if not label.strip()]
    if blank and len(labels) > len(blank):
        notes.append(f"{sum(blank)} unit(s) have no category and are ranked as a category of "
                     "their own")  # fmt: skip
    if not notes:
        return ""
    return "; ".join(notes) + " (normalize_categories=True merges case and spaces)"


def normalized(labels: list[str]) -> list[str]:
    """Replace each label by the most frequent spelling of its case- and space-folded form.

    A tie goes to the spelling met first.
    """
    spellings: dict[str, Counter[str]] = {}
    for label in labels:
        spellings.setdefault(_key(label), Counter())[" ".join(label.split())] += 1
    chosen = {key: max(counts, key=counts.__getitem__) for key, counts in spellings.items()}
    return [chosen[_key(label)] for label in labels]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool) or (isinstance(value, str) and "\x00" in value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def records_to_columns(
    records: Iterable[Mapping[str, Any]],
    extra: str,
    normalize: bool,
    source: str,
    first_row: int,
) -> tuple[list[str], list[str], list[str], list[str], tuple[Mapping[str, Any], ...]]:
    """Check every row of a units table; return ids, names, categories, parents, attributes."""
    if isinstance(records, Table):
        source, first_row = records.source, records.first_row
    rows = mapping_rows(rows_of(records, source), source, first_row)
    problems: list[str] = []
    keys = list(dict.fromkeys(str(k) for row in rows for k in row))
    unknown = [k for k in keys if k.strip() not in UNIT_COLUMNS]
    if unknown and extra == "error":
        named = ", ".join(f"{c!r}{suggest(c, UNIT_COLUMNS)}" for c in unknown)
        problems.append(
            f"{source}: column(s) {named} not understood; a units table has id (or unit), "
            "name, category, parent (ignore other columns with extra='ignore' or "
            "--ignore-columns, or keep them with extra='attributes')"
        )
    columns: dict[str, list[str]] = {name: [] for name in ("id", "name", "category", "parent")}
    attributes = []
    for i, row in enumerate(rows):
        where = f"{source} row {first_row + i}"
        cells = {str(k).strip(): v for k, v in row.items()}
        for name in columns:
            raw = cells.get(name, cells.get("unit") if name == "id" else None)
            text = _text(raw)
            if text is None:
                problems.append(f"{where}, column {name!r}: not text, got {raw!r}")
                text = ""
            elif name == "id" and not text:
                problems.append(f"{where}: no unit id (column 'id')")
            columns[name].append(text)
        if extra == "attributes":
            attributes.append({k: v for k, v in cells.items() if k not in UNIT_COLUMNS})
    if not rows:
        problems.append(f"{source}: no units (the table has no rows)")
    if problems:
        raise ObservationError(enumerate_limited(problems))
    categories = normalized(columns["category"]) if normalize else columns["category"]
    return (columns["id"], columns["name"], categories, columns["parent"],
            tuple(attributes))  # fmt: skip
