"""The ``pelayanan-eval`` command line (stdlib argparse; thin over the library)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval import ikm
from pelayanan_eval._common.messages import suggest
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._data.units import Unit
from pelayanan_eval._demo import SYNTHETIC, DemoCity, demo_city
from pelayanan_eval._evaluation.aggregation import METHODS
from pelayanan_eval._evaluation.engine import ORDERS, evaluate
from pelayanan_eval._evaluation.ranking import TIE_METHODS
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._evaluation.rollup import MISSING_POLICIES
from pelayanan_eval._loading.bundled import available_rubrics, load_rubric
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError, PelayananEvalError, ProvisionalRubricWarning
from pelayanan_eval.typing import BandScale

AWARDS = 2  # the best two of each category get an award


def _load(source: str) -> Rubric:
    """Load a rubric, turning the provisional warning into one note on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvisionalRubricWarning)
        rubric = load_rubric(source)
    for warning in caught:
        print(f"note: {warning.message}", file=sys.stderr)
    return rubric


def _rubrics(_: argparse.Namespace) -> int:
    for info in available_rubrics():
        print(f"{info.id:<30} {info.status:<12} {info.title}")
    return 0


def _show(args: argparse.Namespace) -> int:
    rubric = _load(args.rubric)
    low, high = rubric.index_range
    print(f"{rubric.id}: {rubric.title}")
    print(f"regulation: {rubric.regulation.name}")
    print(f"status: {rubric.status}")
    for part in rubric.provisional:
        print(f"  provisional: {part}")
    print(
        f"index range: {low:g} to {high:g}; rounding: {rubric.rounding.digits} digits "
        f"{rubric.rounding.mode}"
        if rubric.rounding.digits is not None
        else f"index range: {low:g} to {high:g}; no rounding"
    )
    print(f"{'weight':>8}  criterion")
    for node in rubric.nodes:
        depth = len(rubric.path(node.id)) - 1
        print(f"{rubric.weight_of(node.id) * 100:7.3f}%  {'  ' * depth}{node.id}  {node.name}")
    if rubric.grades.bands:
        print("grades:")
        for band in rubric.grades:
            print(f"  {band.code:<3} from {band.min:g}  {band.label}")
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        rubric = _load(args.path)
    except PelayananEvalError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{args.path}: ok ({len(rubric.leaves)} scored criteria, {rubric.status})")
    return 0


def _grade(args: argparse.Namespace) -> int:
    rubric = _load(args.rubric)
    on: BandScale = "reported" if args.converted else "index"
    for value in args.values:
        grade = rubric.grade(value, on=on)
        print(f"{value:g}\t{grade.value:g}\t{grade.code}\t{grade.label}")
    return 0


def _ranking_table(
    evaluation: Evaluation, top: int | None, within: str | None, ranks: npt.NDArray[np.float64]
) -> str:
    """Each group's ranking: rank, unit, name, index, grade; awards marked for the top two."""
    groups = (
        np.full(len(evaluation), "", dtype=np.str_)
        if within is None
        else (evaluation.units.categories if within == "category" else evaluation.units.parents)
    )
    lines = []
    for group in sorted(set(groups.tolist())):
        rows = np.flatnonzero(groups == group)
        rows = rows[np.lexsort((evaluation.units.ids[rows], ranks[rows]))]
        title = f"{within} {group}" if within else "all units"
        lines += ["", f"{title} ({len(rows)} units)",
                  f"{'rank':>5}  {'unit':<16} {'name':<34} {'index':>6}  grade"]  # fmt: skip
        for i in rows:
            if top is not None and not ranks[i] <= top:
                continue
            code = str(evaluation.grades[i])
            label = next((b.label for b in evaluation.rubric.grades if b.code == code), "")
            mark = "  * award" if ranks[i] <= AWARDS else ""
            if evaluation.coverage[i] < 1:  # renormalize: say how much of the index was scored
                mark += f"  (scored {evaluation.coverage[i]:.0%} of the weight)"
            rank_text = "-" if np.isnan(ranks[i]) else f"{ranks[i]:g}"
            unit, name = evaluation.units.ids[i], evaluation.units.names[i][:34]
            lines.append(
                f"{rank_text:>5}  {unit:<16} {name:<34} "
                f"{evaluation.rounded[i]:>6.2f}  {code} {label}{mark}"
            )
    return "\n".join(lines)


def _demo(args: argparse.Namespace) -> int:
    city = demo_city()
    if args.export:
        folder = Path(args.export)
        folder.mkdir(parents=True, exist_ok=True)
        _write_demo_csv(city, folder)
        print(f"wrote {folder / 'units.csv'} and {folder / 'observations.csv'} ({SYNTHETIC})")
        return 0
    evaluation = evaluate(city.rubric, city.observations, units=city.units)
    print(f"{SYNTHETIC}.")
    print(
        f"{len(city.units)} units, {len(city.observations)} visits, rubric {city.rubric.id} "
        "(provisional weights and bands: see 'pelayanan-eval rubric show permenpanrb-17-2017')."
    )
    print(_ranking_table(evaluation, None, "category", evaluation.rank("category")))
    lowest = str(evaluation.units.ids[int(np.nanargmin(evaluation.reported))])
    print("\nReport card of the lowest unit:\n")
    print(evaluation.card(lowest))
    return 0


def _write_demo_csv(city: DemoCity, folder: Path) -> None:
    with (folder / "units.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "category"])
        writer.writerows([u.id, u.name, u.category] for u in city.units)
    obs = city.observations
    with (folder / "observations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "visit", "observer", "date", *city.rubric.leaf_ids])
        for i in range(len(obs)):
            writer.writerow([obs.unit[i], obs.visit[i], obs.observer[i], obs.date[i],
                             *(f"{v:g}" for v in obs.values[i])])  # fmt: skip


def _read_csv(path: str) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise ObservationError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ObservationError(f"{path}: not UTF-8 text") from None


UNIT_COLUMNS = ("id", "unit", "name", "category", "parent")


def _units_from_csv(path: str) -> list[Unit]:
    rows = _read_csv(path)
    unknown = sorted({key for row in rows for key in row if key not in UNIT_COLUMNS}, key=str)
    if unknown:
        raise ObservationError(
            f"{path}: column(s) "
            + ", ".join(f"{c!r}{suggest(str(c), UNIT_COLUMNS)}" for c in unknown)
            + " not understood; a units file has id (or unit), name, category, parent"
        )
    units = []
    for line, row in enumerate(rows, start=2):
        unit_id = (row.get("id") or row.get("unit") or "").strip()
        if not unit_id:
            raise ObservationError(f"{path} row {line}: no unit id (column 'id')")
        name, category = (row.get("name") or "").strip(), (row.get("category") or "").strip()
        units.append(Unit(unit_id, name, category, (row.get("parent") or "").strip() or None))
    return units


def _evaluate(args: argparse.Namespace) -> int:
    rubric = _load(args.rubric)
    units = _units_from_csv(args.units) if args.units else None
    observations = Observations.from_records(
        rubric, _read_csv(args.observations), source=args.observations, first_row=2
    )
    evaluation = evaluate(
        rubric, observations, units=units, aggregate=args.aggregate, order=args.order,
        missing=args.missing, min_coverage=args.min_coverage,
    )  # fmt: skip
    within = None if args.within == "none" else args.within
    tiebreak = [name.strip() for name in args.tiebreak.split(",") if name.strip()]
    ranks = evaluation.rank(within, ties=args.ties, tiebreak=tiebreak)
    if args.format == "table":
        print(_ranking_table(evaluation, args.top, within, ranks).lstrip("\n"))
        return 0
    records = []
    for record, rank_value in zip(evaluation.to_records(), ranks.tolist(), strict=True):
        if args.top is None or rank_value <= args.top:
            records.append({**record, "rank": rank_value})
    group = "category" if within == "category" else None
    records.sort(key=lambda r: (str(r.get(group, "")) if group else "", r["rank"]))
    _write(records, args.format, {"settings": attrs.asdict(evaluation.settings)})
    return 0


def _write(records: list[dict[str, Any]], form: str, header: dict[str, Any]) -> None:
    """Print records as JSON (NaN as null) or CSV (NaN as an empty cell)."""
    clean = [
        {k: None if isinstance(v, float) and v != v else v for k, v in r.items()} for r in records
    ]
    if form == "json":
        print(json.dumps({**header, "units": clean}, indent=2, ensure_ascii=False))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(clean[0]) if clean else ["unit"])
    writer.writeheader()
    writer.writerows(clean)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _weights_option(text: str) -> str | float:
    if text in ("rubric", "exact", "printed"):
        return text
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected rubric, exact, printed or a number such as 0.111, got {text!r}"
        ) from None


def _ikm(args: argparse.Namespace) -> int:
    rubric = _load(args.rubric)
    rows = _read_csv(args.responses)
    responses = ikm.Responses.from_records(
        rubric, rows, unit_column=args.unit_column, source=args.responses, first_row=2
    )
    result = ikm.compute(
        rubric, responses, weights=args.weights, round_nrr=args.round_nrr,
        round_weighted=args.round_weighted, round_ikm=args.round_ikm, bands=args.bands,
        missing=args.missing,
    )  # fmt: skip
    records = result.to_records()
    if args.format != "table":
        _write(records, args.format, {"conventions": attrs.asdict(result.conventions)})
    else:
        print(f"IKM under {rubric.id}; weights {result.conventions.weights}; "
              f"bands {result.conventions.band_table}")  # fmt: skip
        print(f"{'unit':<24} {'respondents':>11} {'IKM 1-4':>8} {'IKM':>7}  mutu kinerja")
        for r in records:
            print(f"{str(r['unit'])[:24]:<24} {r['respondents']:>11} {r['index']:>8.4f} "
                  f"{r['rounded']:>7.2f}  {r['grade']:<4} {r['grade_label']}")  # fmt: skip
    return 0


def _sample_size(args: argparse.Namespace) -> int:
    sizes = ikm.sample_size(args.population)
    print("population\tsample (Krejcie & Morgan 1970, 95 %, d = 0.05)")
    for n, s in zip(args.population, np.atleast_1d(sizes).tolist(), strict=True):
        print(f"{n}\t{s}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``pelayanan-eval``."""
    parser = argparse.ArgumentParser(
        prog="pelayanan-eval",
        description="Evaluate Indonesian public-service units (PermenPANRB 17/2017, 29/2022, "
        "IKM 14/2017).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="evaluate the bundled synthetic city")
    demo.add_argument("--export", metavar="DIR", help="write its units.csv and observations.csv")
    demo.set_defaults(run=_demo)
    run = commands.add_parser("evaluate", help="evaluate units from CSV files")
    run.add_argument("--rubric", required=True, metavar="ID|PATH")
    run.add_argument("--units", metavar="CSV", help="id, name, category[, parent] per unit")
    run.add_argument(
        "--observations",
        required=True,
        metavar="CSV",
        help="unit, visit, observer, date, then one column per criterion id",
    )
    run.add_argument(
        "--aggregate", default="mean", choices=[m for m in METHODS if m != "observer_weighted"]
    )
    run.add_argument("--order", default="criteria_first", choices=ORDERS)
    run.add_argument("--missing", default="error", choices=MISSING_POLICIES)
    run.add_argument(
        "--min-coverage", type=float, metavar="SHARE",
        help="with --missing renormalize: the least scored share of a node's weight (0.5)",
    )  # fmt: skip
    run.add_argument("--within", default="category", choices=("category", "parent", "none"))
    run.add_argument("--ties", default="min", choices=TIE_METHODS)
    run.add_argument(
        "--tiebreak", default="", metavar="NAMES",
        help="comma-separated criterion ids and/or 'id' that settle ties, in order",
    )  # fmt: skip
    run.add_argument("--top", type=_positive, metavar="K", help="only the K best of each group")
    run.add_argument("--format", default="table", choices=("table", "csv", "json"))
    run.set_defaults(run=_evaluate)
    survey = commands.add_parser("ikm", help="citizen satisfaction index from survey answers")
    survey.add_argument("responses", metavar="CSV", help="a unit column, one column per unsur")
    survey.add_argument("--rubric", default="permenpanrb-14-2017-ikm", metavar="ID|PATH")
    survey.add_argument("--unit-column", default="unit")
    survey.add_argument(
        "--weights",
        default="rubric",
        type=_weights_option,
        help="rubric (default), exact (1/n), printed (0.111 for 9) or a number",
    )
    survey.add_argument("--round-nrr", type=int, metavar="K", help="round each NRR to K decimals")
    survey.add_argument(
        "--round-weighted",
        type=int,
        metavar="K",
        help="round each NRR x weight to K decimals before summing",
    )
    survey.add_argument(
        "--round-ikm",
        type=int,
        metavar="K",
        help="round the weighted sum (1-4) to K decimals before x25",
    )
    survey.add_argument("--bands", choices=sorted(ikm.BAND_TABLES), help="another band table")
    survey.add_argument("--missing", default="error", choices=("error", "renormalize"))
    survey.add_argument("--format", default="table", choices=("table", "csv", "json"))
    survey.set_defaults(run=_ikm)
    size = commands.add_parser("sample-size", help="Krejcie & Morgan sample size")
    size.add_argument("population", type=int, nargs="+", metavar="N")
    size.set_defaults(run=_sample_size)
    commands.add_parser("rubrics", help="list the bundled rubrics").set_defaults(run=_rubrics)
    rubric = commands.add_parser("rubric", help="show or check a rubric")
    actions = rubric.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="the criteria tree with effective weights")
    show.add_argument("rubric", metavar="ID|PATH")
    show.set_defaults(run=_show)
    check = actions.add_parser("check", help="report every problem of a rubric file (exit 1)")
    check.add_argument("path", metavar="PATH")
    check.set_defaults(run=_check)
    grade = commands.add_parser("grade", help="grade index values under a rubric")
    grade.add_argument("rubric", metavar="ID|PATH")
    grade.add_argument("values", metavar="VALUE", type=float, nargs="+")
    grade.add_argument(
        "--converted",
        action="store_true",
        help="values are on the converted scale (e.g. IKM 25-100)",
    )
    grade.set_defaults(run=_grade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except PelayananEvalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return code


def run() -> None:
    """Entry point of the ``pelayanan-eval`` script: exit with :func:`main`'s code."""
    sys.exit(main())
