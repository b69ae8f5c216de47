"""The ``pelayanan-eval`` command line: the parser, and one error line instead of a traceback."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable, Sequence

import pelayanan_eval as pe
from pelayanan_eval._cli import agreement as agreement_command
from pelayanan_eval._cli import commands, options, report
from pelayanan_eval._cli import decisions as decision_commands
from pelayanan_eval._cli.csvio import CommandError
from pelayanan_eval.exceptions import PelayananEvalError
from pelayanan_eval.typing import GroupBy, IkmWeights, MissingPolicy, TieMethod, choices

BROKEN_PIPE = 141  # what a shell reports for a command ended by SIGPIPE (128 + 13)
FORMATS = ("table", "csv", "json")


def _band_table(text: str) -> str:
    """Read the id of a published IKM band table (the survey engine is loaded here, not before)."""
    from pelayanan_eval import ikm

    if text not in ikm.BAND_TABLES:
        raise argparse.ArgumentTypeError(
            f"unknown band table {options.echo(text)}; valid: {', '.join(sorted(ikm.BAND_TABLES))}"
        )
    return text


def _positive(text: str) -> int:
    """Read a whole number >= 1 that is also a finite float (a population, a count)."""
    try:
        value = int(text)
        float(value)
    except ValueError:
        value = 0
    except OverflowError:
        raise argparse.ArgumentTypeError(f"number too large, got {options.echo(text)}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {options.echo(text)}"
        )
    return value


def _count(text: str) -> int:
    """Read a whole number >= 0."""
    return 0 if text.strip() == "0" else _positive(text)


def _missing(text: str) -> str:
    """Read a missing-data policy; ``zero`` is the former name of ``scale_min``."""
    if text == "zero":
        commands.note("--missing zero is now called --missing scale_min (an unscored criterion "
                      "counts as the scale minimum); 'zero' will be removed")  # fmt: skip
        return "scale_min"
    return text


def _weights(text: str) -> str | float:
    if text in choices(IkmWeights):
        return text
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected rubric, exact, printed or a number such as 0.111, got {options.echo(text)}"
        ) from None


def _evaluate_parser(commands_: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands_.add_parser("evaluate", help="evaluate units from CSV or .xlsx files")
    options.add_inputs(run, _missing)
    run.add_argument("--within", default="category", choices=(*choices(GroupBy), "none"))
    run.add_argument("--ties", default="min", choices=choices(TieMethod))
    run.add_argument(
        "--tiebreak", default="", metavar="NAMES",
        help="comma-separated criterion ids and/or 'id' that settle ties, in order",
    )  # fmt: skip
    run.add_argument(
        "--top", type=_positive, metavar="K",
        help="only the units ranked K or better in each group (all tied at the cut)",
    )  # fmt: skip
    run.add_argument(
        "--awards", type=_count, metavar="K",
        help="in the table, mark '* award' the units ranked K or better in each group "
        "(all tied at the cut; default: --top, else 2; 0 marks none)",
    )  # fmt: skip
    run.add_argument(
        "--bottom", type=_count, default=0, metavar="K",
        help="in the table, mark '! coaching' the K lowest-ranked units of each group",
    )  # fmt: skip
    run.add_argument("--format", choices=(*FORMATS, "xlsx"), help="default: from --output, "
                     "else table")  # fmt: skip
    options.add_output(run)
    decision_commands.add_uncertainty_options(run)
    run.set_defaults(run=decision_commands.evaluate)


def _ikm_parser(commands_: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    survey = commands_.add_parser("ikm", help="citizen satisfaction index from survey answers")
    survey.add_argument("responses", metavar="CSV", help="a unit column, one column per unsur")
    survey.add_argument("--rubric", default="permenpanrb-14-2017-ikm", metavar="ID|PATH")
    survey.add_argument("--unit-column", default="unit")
    survey.add_argument("--weight-column", metavar="NAME", help="respondents' design weights")
    survey.add_argument(
        "--quiet", action="store_true", default=argparse.SUPPRESS,
        help="no progress bar or notes on stderr (as 'pelayanan-eval --quiet ikm ...')",
    )  # fmt: skip
    survey.add_argument(
        "--weights", default="rubric", type=_weights,
        help="rubric (default), exact (1/n), printed (0.111 for 9) or a number",
    )  # fmt: skip
    survey.add_argument("--round-nrr", type=int, metavar="K", help="round each NRR to K decimals")
    survey.add_argument(
        "--round-weighted", type=int, metavar="K",
        help="round each NRR x weight to K decimals before summing",
    )  # fmt: skip
    survey.add_argument(
        "--round-ikm", type=int, metavar="K",
        help="round the weighted sum (1-4) to K decimals before x25",
    )  # fmt: skip
    survey.add_argument(
        "--bands", type=_band_table, metavar="TABLE",
        help="another band table: permenpanrb-14-2017, kepmenpan-25-2004 or minerba-1-4",
    )  # fmt: skip
    policies = [p for p in choices(MissingPolicy) if p != "scale_min"]
    survey.add_argument("--missing", default="error", choices=policies)
    survey.add_argument("--format", choices=FORMATS, help="default: from --output, else table")
    options.add_file_options(survey, units=False)
    options.add_output(survey)
    survey.set_defaults(run=commands.survey)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``pelayanan-eval``."""
    parser = argparse.ArgumentParser(
        prog="pelayanan-eval",
        description="Evaluate Indonesian public-service units (PermenPANRB 17/2017, 29/2022, "
        "IKM 14/2017).",
    )
    parser.add_argument("--version", action="version", version=f"pelayanan-eval {pe.__version__}")
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="print no notes (provisional rubric, ...)"
    )
    subs = parser.add_subparsers(dest="command", required=True)
    demo = subs.add_parser(
        "demo", help="evaluate the bundled synthetic city (the best two of each category "
        "are marked '* award')",
    )  # fmt: skip
    demo.add_argument("--export", metavar="DIR", help="write its units.csv and observations.csv")
    demo.add_argument(
        "--report", metavar="DIR", help="write its city report and every unit's rapor (HTML)"
    )
    report.add_report_options(demo)
    demo.set_defaults(run=report.demo)
    _evaluate_parser(subs)
    _ikm_parser(subs)
    decision_commands.add_compare_parser(subs)
    agreement_command.add_parser(subs)
    size = subs.add_parser("sample-size", help="Krejcie & Morgan sample size")
    size.add_argument("population", type=_positive, nargs="+", metavar="N")
    size.set_defaults(run=commands.sample_size)
    subs.add_parser("rubrics", help="list the bundled rubrics").set_defaults(run=commands.rubrics)
    rubric = subs.add_parser("rubric", help="show or check a rubric")
    actions = rubric.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="the criteria tree with effective weights")
    show.add_argument("rubric", metavar="ID|PATH")
    show.set_defaults(run=commands.show)
    check = actions.add_parser("check", help="report every problem of a rubric file (exit 1)")
    check.add_argument("path", metavar="PATH")
    check.set_defaults(run=commands.check)
    grade = subs.add_parser("grade", help="grade index values under a rubric")
    grade.add_argument("rubric", metavar="ID|PATH")
    grade.add_argument("values", metavar="VALUE", type=options.number, nargs="+")
    grade.add_argument(
        "--reported", "--converted", action="store_true", dest="reported",
        help="values are on the reported scale, after the conversion (e.g. IKM 25-100); "
        "--converted is the old name",
    )  # fmt: skip
    grade.set_defaults(run=commands.grade)
    report.add_parsers(subs)
    return parser


def _error(message: str) -> int:
    """Print ``error: message`` on standard error (if it is open); return exit code 1."""
    if sys.stderr is not None:
        print(f"error: {message}", file=sys.stderr)
    return 1


def _silence(stream: object) -> None:
    """Point a standard stream at the null device so that the exit flush cannot fail again."""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):  # closed, or not a real file (a stand-in)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _os_message(error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename is not None else reason


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    A library error, a file that cannot be read or written and output that
    cannot be written are one ``error:`` line on standard error and exit
    code 1 (argparse exits 2 on bad arguments); when the reader of the
    output goes away (``| head -1``) the command stops quietly with 141.
    """
    try:
        return _run(build_parser().parse_args(argv))
    except BrokenPipeError:
        _silence(sys.stdout)
        _silence(sys.stderr)
        return BROKEN_PIPE


def _run(args: argparse.Namespace) -> int:
    if sys.stdout is None:
        return _error("standard output is closed; nothing was run")
    command: Callable[[argparse.Namespace], str | bytes] = args.run
    try:
        with contextlib.redirect_stderr(io.StringIO()) if args.quiet else contextlib.nullcontext():
            text = command(args)
            if getattr(args, "output", None):
                commands.write_output(args.output, text)
                text = ""
    except (PelayananEvalError, CommandError) as error:
        return _error(str(error))
    except BrokenPipeError:  # a note on a standard error that is a closed pipe
        raise
    except OSError as error:
        return _error(_os_message(error))
    try:
        sys.stdout.write(text if isinstance(text, str) else "")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        _silence(sys.stdout)
        return _error(f"cannot write the output: {error.strerror or error}")
    return 0


def run() -> None:
    """Entry point of the ``pelayanan-eval`` script: exit with :func:`main`'s code."""
    sys.exit(main())
