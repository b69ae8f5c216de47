"""Invariants of the report helpers and the table reader, checked with Hypothesis."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import report
from pelayanan_eval.report._messages import number

PORTABLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\.html")
ids = st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=120)


@given(st.lists(ids, min_size=1, max_size=30, unique=True))
def test_file_names_are_portable_and_distinct(unit_ids: list[str]) -> None:
    """Any distinct ids get distinct (also ignoring case), portable names of at most 94 chars."""
    names = report.file_names(unit_ids)
    assert list(names) == unit_ids
    assert len({name.lower() for name in names.values()}) == len(unit_ids)
    for name in names.values():
        assert PORTABLE.fullmatch(name) and len(name) <= 80 + 9 + 5


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 4))
def test_indonesian_and_english_numbers_say_the_same(value: float, digits: int) -> None:
    """'1.234,5' (id) and '1,234.5' (en) are the same number with the marks swapped."""
    indonesian, english = number(value, "id", digits), number(value, "en", digits)
    assert indonesian.replace(".", "").replace(",", ".") == english.replace(",", "")


names = (
    st.text(st.sampled_from("abcdefghij_.0123456789 "), min_size=1, max_size=8)
    .map(str.strip)
    .filter(bool)
)
# text a file can hold: no NUL, no lone surrogate (UTF-8 cannot encode one)
cells = st.text(st.characters(exclude_characters="\x00\r", exclude_categories=["Cs"]),
                max_size=12)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    header=st.lists(names, min_size=2, max_size=5, unique=True),
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    given_delimiter=st.booleans(),
)
def test_csv_round_trip(
    header: list[str], data: st.DataObject, delimiter: str, bom: bool, given_delimiter: bool
) -> None:
    """A table written by the csv module (any delimiter, BOM, CRLF) reads back the same."""
    rows = data.draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)).filter(
        lambda row: row[0].strip() != ""), min_size=1, max_size=6))  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f" {name}" for name in header])  # spaces around names are stripped
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
        option = ("tab" if delimiter == "\t" else delimiter) if given_delimiter else None
        table = pe.read_table(path, delimiter=option)
    assert table.columns == tuple(header)
    assert [list(row.values()) for row in table] == rows
    assert table.delimiter == delimiter
