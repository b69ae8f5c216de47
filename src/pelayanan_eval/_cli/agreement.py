"""The ``agreement`` command: coefficients, severity, flags and design warnings from CSV files."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, Any

import pelayanan_eval as pe
from pelayanan_eval._cli.commands import load
from pelayanan_eval._cli.csvio import _csv_text, read_file, units_from_file
from pelayanan_eval._cli.options import add_file_options
from pelayanan_eval.typing import MeasurementLevel, RaterField, choices

if TYPE_CHECKING:  # the command's own module is imported when it runs
    from pelayanan_eval import agreement

TABLES = ("coefficients", "severity", "flags", "design")
FLAGS_SHOWN = 10


def add_parser(commands_: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``agreement`` to the command line."""
    run = commands_.add_parser(
        "agreement", help="do the assessors agree? coefficients, severity, flags, design checks"
    )
    run.add_argument("--rubric", required=True, metavar="ID|PATH")
    run.add_argument(
        "--observations", required=True, metavar="FILE",
        help="CSV or .xlsx: unit, visit, observer, date, then one column per criterion id",
    )  # fmt: skip
    run.add_argument("--units", metavar="FILE", help="id, name, category: for the category checks")
    run.add_argument("--by", default="observer", choices=choices(RaterField),
                     help="who the raters are (default: observer)")  # fmt: skip
    run.add_argument("--level", default="ordinal", choices=choices(MeasurementLevel))
    run.add_argument("--boot", type=int, default=1000, metavar="N",
                     help="bootstrap replicates for alpha's intervals (0: none)")  # fmt: skip
    run.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    run.add_argument("--threshold", type=float, default=2.0, metavar="LEVELS",
                     help="flag scores of a unit differing by this much (default 2)")  # fmt: skip
    run.add_argument("--period", nargs=2, metavar=("START", "END"),
                     help="dates the visits must fall in (YYYY-MM-DD)")  # fmt: skip
    run.add_argument("--format", default="table", choices=("table", "csv", "json"))
    run.add_argument("--table", default="coefficients", choices=TABLES,
                     help="with --format csv: which table to write")  # fmt: skip
    add_file_options(run)
    run.set_defaults(run=run_agreement)


def _figure(value: Any, digits: int = 3) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (f"{value:.{digits}f}")
    )


def _interval(record: dict[str, Any], key: str) -> str:
    low, high = record.get(f"{key}_low"), record.get(f"{key}_high")
    if low is None or high is None:
        return ""
    return f"[{low:.2f}, {high:.2f}]"


def _coefficient_lines(table: agreement.Agreement) -> list[str]:
    records = table.to_records()
    s = table.settings
    lines = [
        f"Agreement by {s.by} ({len(s.raters)} raters); Krippendorff's alpha, {s.level} level; "
        f"{s.confidence:.0%} intervals ({s.n_boot} bootstrap replicates for alpha)",
        f"{'criterion':<14} {'kind':<9} {'alpha':>6} {'interval':<14} {'ICC(1)':>6} "
        f"{'interval':<14} {'units':>5} {'single':>6}",
    ]
    for r in records:
        lines.append(
            f"{r['criterion'][:14]:<14} {r['kind']:<9} {_figure(r['alpha']):>6} "
            f"{_interval(r, 'alpha'):<14} {_figure(r.get('icc_1')):>6} "
            f"{_interval(r, 'icc_1'):<14} {r['units']:>5} {r['single']:>6}"
            + (f"  {r['note']}" if r.get("note") else "")
        )
    lines += [f"not computed: {form}: {why}" for form, why in table.unsupported.items()][:1]
    return lines


def _severity_lines(found: agreement.Severity) -> list[str]:
    lines = [
        "",
        f"Severity by {found.by} (mean deviation from the others on the same units; "
        "+ scores higher)",
        f"{'rater':<24} {'units':>5} {'criteria':>8} {'interval':<16} {'index':>7} {'effect':>7}",
    ]
    for r in found.to_records():
        lines.append(
            f"{r['rater'][:24]:<24} {r['units']:>5} {_figure(r['deviation'], 2):>8} "
            f"{_interval(r, 'deviation'):<16} {_figure(r['index_deviation'], 2):>7} "
            f"{_figure(r['effect'], 2):>7}"
        )
    if not found.connected:
        lines.append("note: the design is not connected; effects compare raters within a part")
    return lines


def _flag_lines(found: agreement.Disagreements) -> list[str]:
    lines = ["", f"Re-check first: {len(found.pairs)} (unit, criterion) scores differ by "
             f"{found.threshold:g} or more (most index points at stake first)"]  # fmt: skip
    for p in found.pairs[:FLAGS_SHOWN]:
        lines.append(f"  {p['unit']:<16} {p['criterion']:<10} stake {p['stake']:.3f}  "
                     f"{p['scores']}")  # fmt: skip
    if len(found.pairs) > FLAGS_SHOWN:
        lines.append(f"  ... {len(found.pairs) - FLAGS_SHOWN} more (--format csv --table flags)")
    lines += [f"  unit {u['unit']}: visit indices {u['low']:.2f} to {u['high']:.2f}"
              for u in found.units]  # fmt: skip
    return lines


def run_agreement(args: argparse.Namespace) -> str:
    """``agreement``: the four analyses of a CSV of visits, as a table, CSV or JSON."""
    from pelayanan_eval import agreement

    rubric = load(args.rubric)
    observations = pe.Observations.from_records(
        rubric, read_file(args, args.observations, args.sheet)
    )
    units = units_from_file(args, args.units) if args.units else None
    table = agreement.coefficients(observations, by=args.by, level=args.level,
                                   n_boot=args.boot, rng=args.seed)  # fmt: skip
    found = agreement.severity(observations, by=args.by)
    flags = agreement.disagreements(observations, threshold=args.threshold)
    period = tuple(args.period) if args.period else None
    design = agreement.design_report(observations, units=units, period=period)
    if args.format == "json":
        settings = {"level": args.level, "by": args.by, "n_boot": args.boot, "seed": args.seed}
        whole = {"settings": settings, "coefficients": table.to_records(),
                 "unsupported": dict(table.unsupported), "severity": found.to_records(),
                 "flags": flags.to_records(), "unstable_units": [dict(u) for u in flags.units],
                 "design": design.to_records()}  # fmt: skip
        return json.dumps(whole, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if args.format == "csv":
        chosen: dict[str, Any] = {"coefficients": table, "severity": found, "flags": flags,
                                  "design": design}  # fmt: skip
        records = chosen[args.table].to_records()
        fields = list(records[0]) if records else ["check"]
        fields += sorted({k for r in records for k in r} - set(fields))
        return _csv_text(fields, ([r.get(f) for f in fields] for r in records))
    lines = _coefficient_lines(table) + _severity_lines(found) + _flag_lines(flags)
    lines += ["", str(design)]
    return "\n".join(lines) + "\n"
