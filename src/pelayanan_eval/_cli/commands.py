"""What each command does; each returns the text it prints, errors are raised."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

import pelayanan_eval as pe
from pelayanan_eval._cli.csvio import (
    CommandError,
    check_units_listed,
    export_demo,
    read_file,
    records_text,
    units_from_file,
)
from pelayanan_eval._cli.tables import (
    csv_records,
    ikm_table,
    instrument_table,
    plain_rank,
    ranking_table,
    tied,
)
from pelayanan_eval.exceptions import CategoryLabelWarning, ProvisionalRubricWarning
from pelayanan_eval.typing import BandScale, GroupBy, TieMethod

DELIMITERS = {",": ",", ";": ";", "tab": "\t"}  # --delimiter as a CSV field separator
DEMO_AWARDS = 2  # the best two of each category get an award


def note(text: str) -> None:
    """Print one ``note:`` line on standard error (if it is open)."""
    if sys.stderr is not None:
        print(f"note: {text}", file=sys.stderr)


def load(source: str) -> pe.Rubric:
    """Load a rubric, turning the provisional warning into one short note on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvisionalRubricWarning)
        rubric = pe.load_rubric(source)
    for warning in caught:
        if not issubclass(warning.category, ProvisionalRubricWarning):
            note(str(warning.message))
            continue
        parts = len(rubric.provisional)
        note(f"rubric {rubric.id!r} is provisional ({parts} part(s) not verified against the "
             f"regulation text): see 'pelayanan-eval rubric show {source}'; --quiet hides "
             "notes")  # fmt: skip
    return rubric


def write_output(path: str, content: str | bytes) -> None:
    """Write `content` to `path` through a temporary file, so no half-written file is left."""
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"cannot write {path}: it is a folder")
    partial = target.with_name(f".{target.name}.partial")
    try:
        if isinstance(content, bytes):
            partial.write_bytes(content)
        else:
            partial.write_text(content, encoding="utf-8", newline="")
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None
    note(f"wrote {path}")


def output_format(args: argparse.Namespace) -> str:
    """Return the output form: --format, else from the suffix of --output, else a table."""
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    return suffix if suffix in ("csv", "json", "xlsx") else "table"


def rubrics(_: argparse.Namespace) -> str:
    """``rubrics``: one line per bundled rubric."""
    return "".join(
        f"{info.id:<30} {info.status:<12} {info.title}\n" for info in pe.available_rubrics()
    )


def show(args: argparse.Namespace) -> str:
    """``rubric show``: the criteria tree with effective weights, rounding and grades."""
    rubric = load(args.rubric)
    low, high = rubric.index_range
    rounding = (
        f"rounding: {rubric.rounding.digits} digits {rubric.rounding.mode}"
        if rubric.rounding.digits is not None
        else "no rounding"
    )
    lines = [
        f"{rubric.id}: {rubric.title}",
        f"regulation: {rubric.regulation.name}",
        f"status: {rubric.status}",
        *(f"  provisional: {part}" for part in rubric.provisional),
        f"index range: {low:g} to {high:g}; {rounding}",
        f"{'weight':>8}  criterion",
    ]
    for node in rubric.nodes:
        depth = len(rubric.path(node.id)) - 1
        lines.append(
            f"{rubric.weight_of(node.id) * 100:7.3f}%  {'  ' * depth}{node.id}  {node.name}"
        )
    if rubric.grades.bands:
        lines.append("grades:")
        lines += [f"  {band.code:<3} from {band.min:g}  {band.label}" for band in rubric.grades]
    return "\n".join(lines) + "\n"


def check(args: argparse.Namespace) -> str:
    """``rubric check``: ok, or every problem of the file (raised, so the exit code is 1)."""
    rubric = load(args.path)
    return f"{args.path}: ok ({len(rubric.leaves)} scored criteria, {rubric.status})\n"


def grade(args: argparse.Namespace) -> str:
    """``grade``: value, rounded value, code and label of each value."""
    rubric = load(args.rubric)
    on: BandScale = "reported" if args.reported else "index"
    lines = []
    for value in args.values:
        result = rubric.grade(value, on=on)
        lines.append(f"{value:g}\t{result.rounded:g}\t{result.code}\t{result.label}\n")
    return "".join(lines)


def demo(args: argparse.Namespace) -> str:
    """``demo``: the synthetic city's rankings and the lowest unit's card, or its CSV files."""
    from pelayanan_eval import agreement

    city = pe.demo_city()
    if args.export:
        written = export_demo(city, Path(args.export))
        return f"wrote {', '.join(map(str, written))} ({city.note})\n"
    evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    table = _ranking(evaluation, "category", awards=DEMO_AWARDS)
    lowest = str(evaluation.units.ids[int(np.nanargmin(evaluation.reported))])
    both = pe.evaluate(city.composite, city.observations, units=city.units,
                       instruments={"F-03": city.survey}, no_data="renormalize")  # fmt: skip
    return (
        f"{city.note}.\n{len(city.units)} units, {len(city.observations)} visits, rubric "
        f"{city.rubric.id} (provisional weights and bands: see "
        f"'pelayanan-eval rubric show {city.rubric.id}').\n\n{table}\n"
        f"\nReport card of the lowest unit:\n\n{evaluation.card(lowest)}\n"
        f"\n{agreement.summary(city.observations)} ('pelayanan-eval agreement').\n"
        f"\nWith the synthetic public survey F-03 ({len(city.survey)} respondents; "
        f"{both.settings.composite}; a demonstration: the weights of 17/2017's F-01 and F-03 "
        f"are unknown), the first units of each category:\n\n"
        f"{_composite_lines(both)}\n"
        f"\n{_happiness_line()}\n"
    )


def _happiness_line() -> str:
    """Return the happiness index of a synthetic household survey, by kecamatan and city."""
    from pelayanan_eval import ikm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("bps-indeks-kebahagiaan-2017")
    responses, parents = ikm.synthetic_city(rubric, rng=2017)
    _, kecamatan, city = ikm.levels(rubric, responses, parents)
    ids, values = kecamatan.unit_ids.tolist(), kecamatan.rounded.tolist()
    parts = ", ".join(f"{u} {x:.2f}" for u, x in zip(ids, values, strict=True))
    return (
        f"Happiness index ({rubric.id}, provisional; a SYNTHETIC household survey of "
        f"{city.respondents[0]} weighted households): city {city.rounded[0]:.2f} "
        f"[95% {city.lower[0]:.2f}-{city.upper[0]:.2f}]; {parts}."
    )


def _composite_lines(evaluation: pe.Evaluation) -> str:
    """Return the award table of a composite evaluation, with each instrument's index."""
    parts = evaluation.instruments
    ids = () if parts is None else parts.ids
    by_unit = {record["unit"]: record for record in evaluation.to_records()}
    best = [by_unit[standing.unit] for standing in evaluation.top(DEMO_AWARDS)]
    return instrument_table(best, ids)


def _ranked_records(
    evaluation: pe.Evaluation,
    within: GroupBy | None,
    *,
    ties: TieMethod = "min",
    tiebreak: Sequence[str] = (),
    top: int | None = None,
    awards: int = 0,
    bottom: int = 0,
) -> tuple[list[dict[str, Any]], Any, Any, Any]:
    """Return the records (one ``rank``, the user's options), rows to show, groups and marks.

    The rows shown and the awards are chosen by competition rank ("min")
    whatever the tie method, as :meth:`Evaluation.top` chooses them, so
    every unit tied at a cut is in; the coaching marks are the units of
    :meth:`Evaluation.bottom`. Each record says whether its unit is
    ``tied`` with another of its group. Units without a parent (grouped
    by parent) get no marks: they are not a group.
    """
    records = evaluation.to_records(within, ties=ties, tiebreak=tiebreak)
    ranks = evaluation.rank(within, ties=ties, tiebreak=tiebreak)
    places = evaluation.rank(within, ties="min", tiebreak=tiebreak)
    groups = None
    if within is not None:
        units = evaluation.units
        groups = units.categories if within == "category" else units.parents
    shared = tied(places, groups)
    for record, is_tied in zip(records, shared.tolist(), strict=True):
        record["rank"] = plain_rank(record["rank"])
        record["tied"] = is_tied
    ids = evaluation.units.ids
    order = np.lexsort((ids, ranks) if groups is None else (ids, ranks, groups))
    if top is not None:
        order = order[places[order] <= top]
    marks = np.where(places <= awards, "award", "").astype("<U8")
    if bottom:
        coached = [s.unit for s in evaluation.bottom(bottom, within, tiebreak=tiebreak)]
        marks[np.isin(ids, coached)] = "coaching"
    if within == "parent":
        marks[evaluation.units.parents == ""] = ""
    return records, order, groups, marks


def _ranking(evaluation: pe.Evaluation, within: GroupBy | None, **options: Any) -> str:
    records, order, groups, marks = _ranked_records(evaluation, within, **options)
    return ranking_table(records, order, groups, within, marks)


def evaluation_from(args: argparse.Namespace) -> pe.Evaluation:
    """Evaluate the files the command names (rubric, units, observations) with its options."""
    return inputs(args)[0]


def inputs(args: argparse.Namespace) -> tuple[pe.Evaluation, pe.Observations]:
    """Read the command's files; return the evaluation and the observations it was made from."""
    rubric = load(args.rubric)
    units = units_from_file(args, args.units) if args.units else None
    table = read_file(args, args.observations, args.sheet)
    observations = pe.Observations.from_records(rubric, table)
    if units is not None:
        check_units_listed(observations.unit.tolist(), units, args.units)
    instruments = _instrument_records(args, rubric) if args.survey else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CategoryLabelWarning)
        evaluation = pe.evaluate(
            rubric, observations, units=units, aggregate=args.aggregate, order=args.order,
            missing=args.missing, min_coverage=args.min_coverage, instruments=instruments,
            no_data=args.no_data,
        )  # fmt: skip
        evaluation.rank("category")  # the category labels are checked when first grouped
    for warning in caught:
        note(str(warning.message).replace("normalize_categories=True", "--normalize-categories"))
    return evaluation, observations


def evaluate(args: argparse.Namespace, extra: Callable[..., Any] | None = None) -> str | bytes:
    """``evaluate``: rank units from CSV or .xlsx files, as a table, CSV, JSON or a workbook.

    `extra(args, evaluation, observations, within)`, if given, returns
    columns added to the table and the records (``--uncertainty``).
    """
    from pelayanan_eval import report

    form = output_format(args)
    if form == "xlsx" and not args.output:
        raise CommandError("--format xlsx writes a workbook: name it with --output FILE.xlsx")
    evaluation, observations = inputs(args)
    within = None if args.within == "none" else args.within
    tiebreak = [name.strip() for name in args.tiebreak.split(",") if name.strip()]
    options = {"ties": args.ties, "tiebreak": tiebreak, "top": args.top}
    awards = args.awards if args.awards is not None else (args.top or DEMO_AWARDS)
    added = None if extra is None else extra(args, evaluation, observations, within)
    if form == "table":
        text = _ranking(evaluation, within, awards=awards, bottom=args.bottom, **options)
        if added is not None:
            text = added.into_table(text, _ranked_records(evaluation, within, **options)[1])
        return text + "\n"
    if form == "xlsx":
        return report.workbook(evaluation, locale=args.locale, top=awards,
                               bottom=args.bottom or DEMO_AWARDS)  # fmt: skip
    records, order, _, _ = _ranked_records(evaluation, within, **options)
    if added is not None:
        added.into_records(records)
    ranking = {"within": within, "ties": args.ties, "tiebreak": tiebreak, "top": args.top}
    header = {"settings": attrs.asdict(evaluation.settings), "ranking": ranking}
    rows = [records[i] for i in order.tolist()]
    if form == "csv":
        rows = csv_records(rows, evaluation.rubric.rounding.digits)
    return records_text(rows, form, header, args.locale)


def _instrument_records(args: argparse.Namespace, rubric: pe.Rubric) -> dict[str, pe.Observations]:
    """Read each ``--survey ID=FILE``: one row per respondent, on the instrument's rubric."""
    found: dict[str, pe.Observations] = {}
    for text in args.survey:
        instrument_id, _, path = (part.strip() for part in text.partition("="))
        if not instrument_id or not path:
            raise CommandError(f"--survey expects ID=FILE (e.g. F-03=survei.csv), got {text!r}")
        own = rubric.instrument_rubric(instrument_id)
        found[instrument_id] = pe.Observations.from_records(own, read_file(args, path, None))
    return found


def survey(args: argparse.Namespace) -> str:
    """``ikm``: the satisfaction index per unit from a CSV of answers."""
    from pelayanan_eval import ikm

    rubric = load(args.rubric)
    if Path(args.responses).suffix.lower() == ".xlsx":  # a sheet: read whole, cell by cell
        table = read_file(args, args.responses, args.sheet)
        answers: ikm.Responses | ikm.Tally = ikm.Responses.from_records(
            rubric, table, unit_column=args.unit_column, weight_column=args.weight_column,
            source=table.source, first_row=2,
        )  # fmt: skip
    else:  # a CSV, streamed in chunks
        answers = ikm.read_csv(
            rubric, args.responses, unit_column=args.unit_column,
            weight_column=args.weight_column, delimiter=DELIMITERS.get(args.delimiter),
            progress=False if args.quiet else None,
        )  # fmt: skip
    result = ikm.compute(
        rubric, answers, weights=args.weights, round_nrr=args.round_nrr,
        round_weighted=args.round_weighted, round_ikm=args.round_ikm, bands=args.bands,
        missing=args.missing,
    )  # fmt: skip
    records = result.to_records()
    form = output_format(args)
    if form not in ("table", "csv", "json"):
        raise CommandError(f"'ikm' writes a table, .csv or .json, not .{form}")
    if form != "table":
        header = {"conventions": attrs.asdict(result.conventions)}
        return records_text(records, form, header, args.locale)
    conventions = result.conventions
    return ikm_table(records, rubric.id, conventions.weights, conventions.band_table) + "\n"


def sample_size(args: argparse.Namespace) -> str:
    """``sample-size``: Krejcie & Morgan sample sizes."""
    from pelayanan_eval import ikm

    sizes = np.atleast_1d(ikm.sample_size(args.population)).tolist()
    lines = ["population\tsample (Krejcie & Morgan 1970, 95 %, d = 0.05)"]
    lines += [f"{n}\t{s}" for n, s in zip(args.population, sizes, strict=True)]
    return "\n".join(lines) + "\n"
