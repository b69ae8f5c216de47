"""The decision commands: ``evaluate --uncertainty`` and ``compare`` of evaluation rounds."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

import pelayanan_eval as pe
from pelayanan_eval._cli import commands
from pelayanan_eval._cli.csvio import (
    CommandError,
    check_units_listed,
    read_file,
    records_text,
    units_from_file,
)
from pelayanan_eval._cli.options import add_file_options
from pelayanan_eval.typing import GroupBy, choices

if TYPE_CHECKING:  # the command's own module is imported when it runs
    from pelayanan_eval import decisions

INDEX_END = 65  # where the index column of tables.ranking_table ends: the new columns go there
HEADER = f"{'rank':>5}  {'unit'}"


@attrs.frozen
class Columns:
    """Columns added to the ranking of ``evaluate``: cells for the table, values for records."""

    header: str
    cells: list[str]
    values: dict[str, list[Any]]
    footer: str

    def into_table(self, text: str, order: npt.NDArray[np.intp]) -> str:
        """Insert the cells after the index column of each unit's line, in the table's order."""
        lines = text.split("\n")
        rows = iter(order.tolist())
        out = []
        for j, line in enumerate(lines):
            following = lines[j + 1] if j + 1 < len(lines) else ""
            if line.startswith(HEADER):
                out.append(line[:INDEX_END] + self.header + line[INDEX_END:])
            elif not line or following.startswith(HEADER):
                out.append(line)
            else:
                out.append(line[:INDEX_END] + self.cells[next(rows)] + line[INDEX_END:])
        return "\n".join(out) + "\n\n" + self.footer

    def into_records(self, records: list[dict[str, Any]]) -> None:
        """Add the values to each unit's record (records in evaluation order)."""
        for i, record in enumerate(records):
            record.update({name: column[i] for name, column in self.values.items()})


def add_uncertainty_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--uncertainty``, ``--replicates`` and ``--seed`` to the ``evaluate`` parser."""
    parser.add_argument(
        "--uncertainty",
        action="store_true",
        help="add P(award) and a 90 %% rank interval from the noise of the visits "
        "(between-visit variance pooled across units), and say which awards are ties",
    )
    parser.add_argument(
        "--replicates",
        type=int,
        default=2000,
        metavar="N",
        help="simulated replicates for --uncertainty (default 2000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _number(value: float, digits: int = 2) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def _interval(low: float, high: float) -> str:
    return "-" if math.isnan(low) else f"{low:g}-{high:g}"


def uncertainty_columns(
    args: argparse.Namespace,
    evaluation: pe.Evaluation,
    observations: pe.Observations,
    within: GroupBy | None,
) -> Columns:
    """P(award) and the 90 % rank interval of each unit, and the awards that are ties."""
    from pelayanan_eval import decisions

    k = args.awards or args.top or commands.DEMO_AWARDS
    result = decisions.uncertainty(
        evaluation, observations, k=k, within=within, replicates=args.replicates, rng=args.seed
    )
    cells = [
        f"  {_number(p):>8}  {_interval(lo, hi):>8}"
        for p, lo, hi in zip(
            result.p_award.tolist(),
            result.rank_low.tolist(),
            result.rank_high.tolist(),
            strict=True,
        )
    ]
    tied = [a for a in result.awards if a.verdict == "tied"]
    lines = [
        f"P(award): share of {result.replicates} replicates (method {result.method}, seed "
        f"{args.seed}) in which the unit is ranked {k} or better; rank 90%: its rank interval.",
        f"Expected number of award decisions that would change: "
        f"{result.expected_award_changes:.2f}.",
    ]
    if tied:
        lines.append("Awards within the noise of the visits (announce as ties):")
        lines += [
            f"  {a.group or 'all'}: {a.unit} ({a.rounded:.2f}) vs {a.next_unit} "
            f"({a.next_rounded:.2f}): ahead in {a.p_ahead:.0%} of replicates"
            for a in tied
        ]
    values = {
        "p_award": result.p_award.tolist(),
        "rank_low": result.rank_low.tolist(),
        "rank_high": result.rank_high.tolist(),
        "index_sd": result.index_sd.tolist(),
    }
    return Columns(f"  {'P(award)':>8}  {'rank 90%':>8}", cells, values, "\n".join(lines))


def evaluate(args: argparse.Namespace) -> str | bytes:
    """``evaluate``, with the uncertainty columns when ``--uncertainty`` is given."""
    return commands.evaluate(args, uncertainty_columns if args.uncertainty else None)


def add_compare_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``compare`` command."""
    run = subs.add_parser("compare", help="compare evaluation rounds of the same units")
    run.add_argument(
        "rounds",
        nargs="+",
        metavar="ROUND",
        help="a folder with observations.csv (and units.csv), or an observations CSV; "
        "two or more, oldest first",
    )
    run.add_argument("--rubric", required=True, metavar="ID|PATH")
    run.add_argument("--labels", default="", help="comma-separated labels of the rounds")
    run.add_argument("--within", default="category", choices=(*choices(GroupBy), "none"))
    run.add_argument(
        "--coached",
        type=int,
        default=2,
        metavar="K",
        help="the K lowest of each group were coached (default 2, 0: none)",
    )
    run.add_argument(
        "--shared",
        action="store_true",
        help="compare rounds under different rubrics on the aspects they share",
    )
    run.add_argument("--replicates", type=int, default=2000, metavar="N")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--format", default="table", choices=("table", "csv", "json"))
    add_file_options(run)
    run.set_defaults(run=compare)


def _read_round(
    args: argparse.Namespace, rubric: pe.Rubric, source: str
) -> tuple[pe.Evaluation, pe.Observations]:
    path = Path(source)
    units_path = None
    if path.is_dir():
        units_path = path / "units.csv" if (path / "units.csv").exists() else None
        path = path / "observations.csv"
        if not path.exists():
            raise CommandError(f"{source}: no observations.csv in this folder")
    units = units_from_file(args, str(units_path)) if units_path else None
    observations = pe.Observations.from_records(rubric, read_file(args, str(path), args.sheet))
    if units is not None:
        check_units_listed(observations.unit.tolist(), units, str(units_path))
    return pe.evaluate(rubric, observations, units=units), observations


def compare(args: argparse.Namespace) -> str:
    """``compare``: each round against the one before, with the noise of its visits."""
    from pelayanan_eval import decisions

    if len(args.rounds) < 2:
        raise CommandError("compare needs two or more rounds")
    rubric = commands.load(args.rubric)
    labels = [x.strip() for x in args.labels.split(",")] if args.labels else list(args.rounds)
    rounds = [_read_round(args, rubric, source) for source in args.rounds]
    within = None if args.within == "none" else args.within
    noise: list[decisions.Uncertainty | None] = []
    for evaluation, observations in rounds:
        try:
            noise.append(
                decisions.uncertainty(
                    evaluation,
                    observations,
                    within=within,
                    replicates=args.replicates,
                    rng=args.seed,
                )
            )
        except pe.exceptions.ObservationError as error:  # one visit per unit: no noise
            commands.note(f"no uncertainty: {error}")
            noise.append(None)
    result = decisions.compare(
        [ev for ev, _ in rounds],
        labels=labels,
        noise=noise,
        within=within,
        criteria="shared" if args.shared else "same",
        coached=args.coached or None,
    )
    if args.format != "table":
        header = {
            "rounds": list(result.labels),
            "pairs": [
                {
                    "from": p.before,
                    "to": p.after,
                    "added": list(p.added),
                    "removed": list(p.removed),
                }
                for p in result.pairs
            ],
        }
        return records_text(result.to_records(), args.format, header)
    return "\n\n".join(_pair_text(pair) for pair in result.pairs) + "\n"


def _pair_text(pair: decisions.RoundChange) -> str:
    lines = [
        f"{pair.before} -> {pair.after}: {len(pair.units)} units in both rounds"
        + (f"; added: {', '.join(pair.added)}" if pair.added else "")
        + (f"; removed: {', '.join(pair.removed)}" if pair.removed else ""),
        f"{'unit':<16} {'before':>6} {'after':>6} {'change':>7} {'+/-90%':>6}  {'grade':<8}  rank",
    ]
    for u in sorted(pair.units, key=lambda u: (u.group, -u.change if u.change == u.change else 0)):
        noise = "" if math.isnan(u.se) else f"{1.645 * u.se:.2f}"
        mark = " *" if u.beyond_noise else ""
        lines.append(
            f"{u.unit[:16]:<16} {u.before:>6.2f} {u.after:>6.2f} {u.change:>+7.2f} {noise:>6}"
            f"  {u.grade_before:>2} -> {u.grade_after:<2}  {u.rank_before:g} -> {u.rank_after:g}"
            f"{mark}{' (coached)' if u.coached else ''}"
        )
    lines.append("* change beyond the noise of the visits (90 %)")
    for gap in pair.gaps:
        state = "narrowed" if gap.narrowed else "did not narrow"
        best = pair.most_improved.get(gap.group, "-")
        lines.append(
            f"{gap.group or 'all'}: best-worst gap {gap.range_before:.2f} -> "
            f"{gap.range_after:.2f} ({state}), IQR {gap.iqr_before:.2f} -> {gap.iqr_after:.2f}; "
            f"most improved {best}"
        )
    if pair.coaching is not None:
        c = pair.coaching
        se = "" if math.isnan(c.se) else f" +/- {c.se:.2f}"
        lines.append(
            f"coached units ({c.coached}) changed {c.mean_change_coached:+.2f} on average, the "
            f"others ({c.others}) {c.mean_change_others:+.2f}: difference {c.difference:+.2f}{se}"
            " (the lowest units of a noisy round rise on average even without coaching)"
        )
    return "\n".join(lines)
