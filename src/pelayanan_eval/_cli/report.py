"""The ``card`` and ``report`` commands, and ``demo --report``: what a unit and the mayor get."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import pelayanan_eval as pe
from pelayanan_eval._cli import commands
from pelayanan_eval._cli.options import add_inputs, add_output, count
from pelayanan_eval.typing import Locale, choices

DEFAULT_MARKS = 2


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of the written reports: language, marks, period, title, --force."""
    group = parser.add_argument_group("the reports")
    group.add_argument(
        "--locale", default="id", choices=choices(Locale),
        help="language and number format of the reports: id (Bahasa Indonesia, 4,11; "
        "default) or en",
    )  # fmt: skip
    group.add_argument(
        "--period",
        help="the evaluation period as printed, e.g. 'Agustus 2026' (default: the first and "
        "last visit dates)",
    )
    group.add_argument("--title", help="the city report's title")
    group.add_argument(
        "--awards", type=count, default=DEFAULT_MARKS, metavar="K",
        help="award the units ranked K or better in each category (default 2)",
    )  # fmt: skip
    group.add_argument(
        "--bottom", type=count, default=DEFAULT_MARKS, metavar="K",
        help="coaching for the K lowest-ranked units of each category (default 2)",
    )  # fmt: skip
    group.add_argument(
        "--force", action="store_true", help="replace an output folder that holds files"
    )


def add_parsers(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``card`` and ``report`` commands."""
    card = subs.add_parser("card", help="one unit's report card (text)")
    card.add_argument("unit", metavar="UNIT", help="the unit's id")
    add_inputs(card)
    add_output(card)
    card.set_defaults(run=card_command)
    run = subs.add_parser(
        "report", help="write the city report, every unit's rapor (HTML) and the workbook"
    )
    add_inputs(run)
    run.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    add_report_options(run)
    run.set_defaults(run=report_command)


def write_city(evaluation: pe.Evaluation, out: str, args: argparse.Namespace, **extra: Any) -> str:
    """Write the reports of `evaluation` into `out`; return what was written."""
    from pelayanan_eval import report

    folder = report.write_reports(
        evaluation, out, locale=args.locale, top=args.awards, bottom=args.bottom,
        period=args.period, title=args.title, force=args.force, **extra,
    )  # fmt: skip
    files = len(evaluation)
    book = (folder / report.WORKBOOK_FILE).exists()
    workbook = f" and {report.WORKBOOK_FILE}" if book else " (no workbook: pip install "
    workbook += "" if book else "'pelayanan-eval[excel]')"
    return (f"wrote {folder / report.CITY_FILE}, {files} rapor in "
            f"{folder / report.RAPOR_FOLDER}{workbook}\n")  # fmt: skip


def card_command(args: argparse.Namespace) -> str:
    """``card UNIT``: the report card of one unit, as text."""
    evaluation = commands.evaluation_from(args)
    return f"{evaluation.card(args.unit)}\n"


def visit_period(observations: pe.Observations) -> str | None:
    """Return the first and last visit dates as ``dd/mm/yyyy – dd/mm/yyyy``, if dates were given."""
    dates = observations.date[~np.isnat(observations.date)]
    if len(dates) == 0:
        return None
    first, last = (d.astype(object).strftime("%d/%m/%Y") for d in (dates.min(), dates.max()))
    return first if first == last else f"{first} – {last}"


def report_command(args: argparse.Namespace) -> str:
    """``report``: the city report and every rapor from the files (period: the visits' dates)."""
    evaluation, observations = commands.inputs(args)
    if args.period is None:
        args.period = visit_period(observations)
    return write_city(evaluation, args.out, args)


def demo(args: argparse.Namespace) -> str | bytes:
    """``demo``: as before, or with ``--report DIR`` the demo city's reports."""
    if not args.report:
        return commands.demo(args)
    city = pe.demo_city()
    evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    return write_city(evaluation, args.report, args, note=city.note)
