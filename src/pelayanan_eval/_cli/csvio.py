"""Reading and writing the command line's files: strict CSV tables, units, the demo export."""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ObservationError

UNIT_COLUMNS = ("id", "unit", "name", "category", "parent")
SHOWN = 5  # problems of one kind listed in a message before "... and N more"


class CommandError(Exception):
    """A problem the command line itself finds: a file it cannot write, an option it refuses."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for a close match among `choices`, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def listed(items: Sequence[str]) -> str:
    """Join the first few items with ', ' and say how many more there are."""
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def read_table(path: str) -> list[dict[str, str]]:
    """Read a CSV file with a header row into one dict per row, refusing what it cannot read.

    Row numbers count the header as row 1, as a spreadsheet does. A header
    naming a column twice or leaving one unnamed, a row with fewer or more fields than the header,
    a blank row between rows, a field over the csv module's size limit
    (128 KiB) and text that is not UTF-8 are errors naming the file and row;
    blank lines at the end of the file are ignored.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ObservationError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ObservationError(
            f"{path} line {line}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
    except csv.Error as error:
        raise ObservationError(f"{path} row {len(rows) + 1}: {error}") from None
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise ObservationError(f"{path}: the file is empty; expected a header row of column names")
    header, body = rows[0], rows[1:]
    _check_header(path, header)
    blank = [str(number) for number, row in enumerate(body, start=2) if not row]
    if blank:
        raise ObservationError(f"{path}: blank row(s) {listed(blank)} between rows of data")
    width = len(header)
    uneven = [
        f"row {number} has {len(row)}"
        for number, row in enumerate(body, start=2)
        if len(row) != width
    ]
    if uneven:
        raise ObservationError(
            f"{path}: the header has {width} fields, but {listed(uneven)} "
            "(a truncated row or a value with an unquoted comma?)"
        )
    return [dict(zip(header, row, strict=True)) for row in body]


def _check_header(path: str, header: list[str]) -> None:
    unnamed = [str(position) for position, name in enumerate(header, start=1) if not name.strip()]
    if unnamed:
        raise ObservationError(f"{path} row 1: column(s) {listed(unnamed)} have no name")
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        seen.setdefault(name, []).append(position)
    twice = [
        f"{name!r} (columns {', '.join(map(str, positions))})"
        for name, positions in seen.items()
        if len(positions) > 1
    ]
    if twice:
        raise ObservationError(f"{path} row 1: column(s) named more than once: {listed(twice)}")


def units_from_table(path: str) -> list[pe.Unit]:
    """Read a units file: ``id`` (or ``unit``), ``name``, ``category`` and ``parent`` columns."""
    rows = read_table(path)
    unknown = sorted({key for row in rows[:1] for key in row if key not in UNIT_COLUMNS})
    if unknown:
        raise ObservationError(
            f"{path}: column(s) "
            + ", ".join(f"{c!r}{did_you_mean(c, UNIT_COLUMNS)}" for c in unknown)
            + " not understood; a units file has id (or unit), name, category, parent"
        )
    units = []
    for line, row in enumerate(rows, start=2):
        unit_id = (row.get("id") or row.get("unit") or "").strip()
        if not unit_id:
            raise ObservationError(f"{path} row {line}: no unit id (column 'id')")
        name, category = (row.get("name") or "").strip(), (row.get("category") or "").strip()
        units.append(pe.Unit(unit_id, name, category, (row.get("parent") or "").strip() or None))
    return units


def check_units_listed(observed: Iterable[str], units: Sequence[pe.Unit], units_path: str) -> None:
    """Raise naming the units file if an observed unit has no row in it."""
    known = {unit.id for unit in units}
    absent = sorted(set(observed) - known)
    if absent:
        shown = [f"{u!r}{did_you_mean(u, known)}" for u in absent[:SHOWN]] + absent[SHOWN:]
        raise ObservationError(
            f"{units_path}: no row for unit(s) {listed(shown)}, which have observations"
        )


def export_demo(city: pe.results.DemoCity, folder: Path) -> tuple[Path, Path]:
    """Write the demo's units.csv and observations.csv into `folder` (created if needed)."""
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"cannot export into {folder}: it is a file, not a folder")
    units_text = _csv_text(
        ["id", "name", "category"], ([u.id, u.name, u.category] for u in city.units)
    )
    obs = city.observations
    values = [[f"{v:g}" for v in row] for row in obs.values.tolist()]
    observations_text = _csv_text(
        ["unit", "visit", "observer", "date", *city.rubric.leaf_ids],
        ([u, v, o, str(d), *scores] for u, v, o, d, scores in zip(
            obs.unit.tolist(), obs.visit.tolist(), obs.observer.tolist(),
            obs.date.astype(str).tolist(), values, strict=True))
    )  # fmt: skip
    targets = (folder / "units.csv", folder / "observations.csv")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, text in zip(targets, (units_text, observations_text), strict=True):
            with target.open("w", newline="", encoding="utf-8") as handle:
                handle.write(text)
    except OSError as error:
        where = "" if error.filename in (None, str(folder)) else f" ({error.filename})"
        raise CommandError(f"cannot export to {folder}{where}: {error.strerror}") from None
    return targets


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def records_text(records: list[dict[str, Any]], form: str, header: dict[str, Any]) -> str:
    """Write records as JSON (NaN as null, header fields first) or CSV (NaN as an empty cell)."""
    clean = [
        {k: None if isinstance(v, float) and v != v else v for k, v in r.items()} for r in records
    ]
    if form == "json":
        return json.dumps({**header, "units": clean}, indent=2, ensure_ascii=False) + "\n"
    fields = list(clean[0]) if clean else ["unit"]
    return _csv_text(fields, ([r[f] for f in fields] for r in clean))
