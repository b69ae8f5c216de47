"""What each command does; each returns the text it prints, errors are raised."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval._cli.csvio import (
    check_units_listed,
    export_demo,
    read_table,
    records_text,
    units_from_table,
)
from pelayanan_eval._cli.tables import ikm_table, plain_rank, ranking_table
from pelayanan_eval.exceptions import ProvisionalRubricWarning
from pelayanan_eval.typing import BandScale, GroupBy, TieMethod

DEMO_AWARDS = 2  # the best two of each category get an award


def note(text: str) -> None:
    """Print one ``note:`` line on standard error (if it is open)."""
    if sys.stderr is not None:
        print(f"note: {text}", file=sys.stderr)


def load(source: str) -> pe.Rubric:
    """Load a rubric, turning the provisional warning into one note on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvisionalRubricWarning)
        rubric = pe.load_rubric(source)
    for warning in caught:
        note(str(warning.message))
    return rubric


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
    city = pe.demo_city()
    if args.export:
        units_path, observations_path = export_demo(city, Path(args.export))
        return f"wrote {units_path} and {observations_path} ({city.note})\n"
    evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    table = _ranking(evaluation, "category", awards=DEMO_AWARDS)
    lowest = str(evaluation.units.ids[int(np.nanargmin(evaluation.reported))])
    return (
        f"{city.note}.\n{len(city.units)} units, {len(city.observations)} visits, rubric "
        f"{city.rubric.id} (provisional weights and bands: see "
        f"'pelayanan-eval rubric show {city.rubric.id}').\n\n{table}\n"
        f"\nReport card of the lowest unit:\n\n{evaluation.card(lowest)}\n"
    )


def _ranked_records(
    evaluation: pe.Evaluation,
    within: GroupBy | None,
    *,
    ties: TieMethod = "min",
    tiebreak: Sequence[str] = (),
    top: int | None = None,
    awards: int = 0,
) -> tuple[list[dict[str, Any]], Any, Any, Any]:
    """Return the records (one ``rank``, the user's options), rows to show, groups and awards.

    The rows shown and the awards are chosen by competition rank ("min")
    whatever the tie method, as :meth:`Evaluation.top` chooses them, so
    every unit tied at a cut is in.
    """
    records = evaluation.to_records(within, ties=ties, tiebreak=tiebreak)
    ranks = evaluation.rank(within, ties=ties, tiebreak=tiebreak)
    places = evaluation.rank(within, ties="min", tiebreak=tiebreak)
    groups = None
    if within is not None:
        units = evaluation.units
        groups = units.categories if within == "category" else units.parents
    for record in records:
        record["rank"] = plain_rank(record["rank"])
    ids = evaluation.units.ids
    order = np.lexsort((ids, ranks) if groups is None else (ids, ranks, groups))
    if top is not None:
        order = order[places[order] <= top]
    return records, order, groups, places <= awards


def _ranking(evaluation: pe.Evaluation, within: GroupBy | None, **options: Any) -> str:
    records, order, groups, award = _ranked_records(evaluation, within, **options)
    return ranking_table(records, order, groups, within, award)


def evaluate(args: argparse.Namespace) -> str:
    """``evaluate``: rank units from CSV files, as a table, CSV or JSON."""
    rubric = load(args.rubric)
    units = units_from_table(args.units) if args.units else None
    observations = pe.Observations.from_records(
        rubric, read_table(args.observations), source=args.observations, first_row=2
    )
    if units is not None:
        check_units_listed(observations.unit.tolist(), units, args.units)
    evaluation = pe.evaluate(
        rubric, observations, units=units, aggregate=args.aggregate, order=args.order,
        missing=args.missing, min_coverage=args.min_coverage,
    )  # fmt: skip
    within = None if args.within == "none" else args.within
    tiebreak = [name.strip() for name in args.tiebreak.split(",") if name.strip()]
    options = {"ties": args.ties, "tiebreak": tiebreak, "top": args.top}
    if args.format == "table":
        return _ranking(evaluation, within, awards=args.awards, **options) + "\n"
    records, order, _, _ = _ranked_records(evaluation, within, **options)
    ranking = {"within": within, "ties": args.ties, "tiebreak": tiebreak, "top": args.top}
    header = {"settings": attrs.asdict(evaluation.settings), "ranking": ranking}
    return records_text([records[i] for i in order.tolist()], args.format, header)


def survey(args: argparse.Namespace) -> str:
    """``ikm``: the satisfaction index per unit from a CSV of answers."""
    rubric = load(args.rubric)
    answers = ikm.read_csv(
        rubric, args.responses, unit_column=args.unit_column, weight_column=args.weight_column,
        progress=False if args.quiet else None,
    )  # fmt: skip
    result = ikm.compute(
        rubric, answers, weights=args.weights, round_nrr=args.round_nrr,
        round_weighted=args.round_weighted, round_ikm=args.round_ikm, bands=args.bands,
        missing=args.missing,
    )  # fmt: skip
    records = result.to_records()
    if args.format != "table":
        return records_text(records, args.format, {"conventions": attrs.asdict(result.conventions)})
    conventions = result.conventions
    return ikm_table(records, rubric.id, conventions.weights, conventions.band_table) + "\n"


def sample_size(args: argparse.Namespace) -> str:
    """``sample-size``: Krejcie & Morgan sample sizes."""
    sizes = np.atleast_1d(ikm.sample_size(args.population)).tolist()
    lines = ["population\tsample (Krejcie & Morgan 1970, 95 %, d = 0.05)"]
    lines += [f"{n}\t{s}" for n, s in zip(args.population, sizes, strict=True)]
    return "\n".join(lines) + "\n"
