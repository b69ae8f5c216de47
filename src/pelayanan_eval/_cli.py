"""The ``pelayanan-eval`` command line (stdlib argparse; thin over the library)."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from pelayanan_eval._loading import available_rubrics, load_rubric
from pelayanan_eval._rubric import Rubric
from pelayanan_eval.exceptions import PelayananEvalError, ProvisionalRubricWarning


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
    on = "converted" if args.converted else "index"
    for value in args.values:
        grade = rubric.grade(value, on=on)
        print(f"{value:g}\t{grade.value:g}\t{grade.code}\t{grade.label}")
    return 0


def _demo(_: argparse.Namespace) -> int:
    rubric = _load("permenpanrb-17-2017")
    print(f"Grading example indices under {rubric.id} ({rubric.regulation.name}).")
    print("Values are rounded half up to 2 decimals first, as a spreadsheet shows them.")
    print(f"{'index':>8} {'rounded':>8}  grade")
    for value in (4.69, 4.505, 4.5049, 4.11, 3.68, 2.92, 1.2):
        grade = rubric.grade(value)
        print(f"{value:>8} {grade.value:>8.2f}  {grade}")
    ikm = _load("permenpanrb-14-2017-ikm")
    print(f"\nIKM under {ikm.id}: index on 1-4, converted x25, graded on 25-100.")
    for value in (3.41, 3.80, 3.0644, 3.064):
        grade = ikm.grade(value)
        print(f"{value:>8} {grade.value:>8.2f}  {grade}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``pelayanan-eval``."""
    parser = argparse.ArgumentParser(
        prog="pelayanan-eval",
        description="Evaluate Indonesian public-service units (PermenPANRB 17/2017, 29/2022, "
        "IKM 14/2017).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the bundled demonstration").set_defaults(run=_demo)
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
