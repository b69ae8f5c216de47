"""The command line's files: tables read with its file options, units, the demo export, CSV out."""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ObservationError

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


def read_options(args: argparse.Namespace, sheet: str | None) -> dict[str, Any]:
    """Return the ``read_table`` options of the command's file flags."""
    ignore = [name.strip() for name in (args.ignore_columns or "").split(",") if name.strip()]
    return {"sheet": sheet, "delimiter": args.delimiter, "decimal": args.decimal,
            "encoding": args.encoding, "ignore": ignore}  # fmt: skip


def read_file(args: argparse.Namespace, path: str, sheet: str | None) -> pe.results.Table:
    """Read a CSV or .xlsx file with the command's file flags.

    ``--ignore-columns`` serves every file of the command, so a name one
    file does not have is not an error there.
    """
    options = read_options(args, sheet)
    ignore = set(options.pop("ignore"))
    table = pe.read_table(path, **options)
    if not ignore & set(table.columns):
        return table
    rows = tuple({k: v for k, v in row.items() if k not in ignore} for row in table.rows)
    kept = tuple(name for name in table.columns if name not in ignore)
    return attrs.evolve(table, rows=rows, columns=kept)


def units_from_file(args: argparse.Namespace, path: str) -> pe.Units:
    """Read a units file: ``id`` (or ``unit``), ``name``, ``category`` and ``parent`` columns."""
    return pe.Units.from_records(
        read_file(args, path, args.units_sheet), normalize_categories=args.normalize_categories
    )


def check_units_listed(observed: Iterable[str], units: pe.Units, units_path: str) -> None:
    """Raise naming the units file if an observed unit has no row in it."""
    known = set(units.ids.tolist())
    absent = sorted(set(observed) - known)
    if absent:
        shown = [f"{u!r}{did_you_mean(u, known)}" for u in absent[:SHOWN]] + absent[SHOWN:]
        raise ObservationError(
            f"{units_path}: no row for unit(s) {listed(shown)}, which have observations"
        )


def export_demo(city: pe.results.DemoCity, folder: Path) -> tuple[Path, ...]:
    """Write the demo's files into `folder` (created if needed).

    ``units.csv`` and ``observations.csv``; ``survey-f03.csv`` (a row per
    respondent) with ``composite.yaml``, the demonstration rubric that
    declares F-03, for ``evaluate --rubric composite.yaml --survey F-03=...``.
    """
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
    survey = city.survey
    answers = [[f"{v:g}" for v in row] for row in survey.values.tolist()]
    survey_text = _csv_text(
        ["unit", *survey.rubric.leaf_ids],
        ([u, *row] for u, row in zip(survey.unit.tolist(), answers, strict=True)),
    )
    names = ("units.csv", "observations.csv", "survey-f03.csv", "composite.yaml")
    texts = (units_text, observations_text, survey_text, pe.dump_rubric(city.composite))
    targets = tuple(folder / name for name in names)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, text in zip(targets, texts, strict=True):
            with target.open("w", newline="", encoding="utf-8") as handle:
                handle.write(text)
    except OSError as error:
        where = "" if error.filename in (None, str(folder)) else f" ({error.filename})"
        raise CommandError(f"cannot export to {folder}{where}: {error.strerror}") from None
    return targets


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def records_text(
    records: list[dict[str, Any]], form: str, header: dict[str, Any], locale: str = "en"
) -> str:
    """Write records as JSON (NaN as null, header fields first) or CSV (NaN as an empty cell).

    CSV numbers are written as given (the caller formats them); with
    locale ``id`` fields are separated by ``;`` and decimal points become
    commas, as a spreadsheet with Indonesian settings reads them.
    """
    clean = [
        {k: None if isinstance(v, float) and v != v else v for k, v in r.items()} for r in records
    ]
    if form == "json":
        return json.dumps({**header, "units": clean}, indent=2, ensure_ascii=False) + "\n"
    fields = list(clean[0]) if clean else ["unit"]
    if locale == "id":
        rows = ([_comma(r[f]) for f in fields] for r in clean)
        return _csv_text(fields, rows, ";")
    return _csv_text(fields, ([r[f] for f in fields] for r in clean))


def _comma(value: Any) -> Any:
    if isinstance(value, float):
        value = f"{value:.12g}"
    if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit():
        return value.replace(".", ",")
    return value
