"""The printed tables of the command line: rankings and IKM results."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

AWARD_MARK = "  * award"


def plain_rank(value: float) -> int | float | None:
    """Return a rank as written out: whole ranks as integers (``2.0`` -> ``2``), NaN as None."""
    if math.isnan(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def rank_text(value: int | float | None) -> str:
    """Format a rank for a table: ``2``, ``2.5``, or ``-`` for a unit without an index."""
    return "-" if value is None else f"{value:g}"


def ranking_table(
    records: Sequence[dict[str, Any]],
    order: npt.NDArray[np.intp],
    groups: npt.NDArray[Any] | None,
    within: str | None,
    award: npt.NDArray[np.bool_],
) -> str:
    """Each group's ranking: rank, unit, name, index, grade; award winners marked.

    `records` are the evaluation's rows with their ``rank``; `order` the
    rows to print, grouped and best first; `award` flags the rows marked
    ``* award``. A unit scored on part of the weight (``missing
    renormalize``) says how much.
    """
    counts: dict[Any, int] = {}
    if groups is not None:
        labels, sizes = np.unique(groups, return_counts=True)
        counts = dict(zip(labels.tolist(), sizes.tolist(), strict=True))
    lines: list[str] = []
    current: object = None
    for i in order.tolist():
        group = "" if groups is None else groups[i]
        if not lines or group != current:
            current = group
            size = counts[group] if within else len(records)
            label = f"{within} {group or '(none)'}" if within else "all units"
            title = f"{label} ({size} unit{'s' if size != 1 else ''})"
            lines += ["", title, f"{'rank':>5}  {'unit':<16} {'name':<34} {'index':>6}  grade"]
        record = records[i]
        mark = AWARD_MARK if award[i] else ""
        if record["coverage"] < 1:  # renormalize: say how much of the index was scored
            mark += f"  (scored {record['coverage']:.0%} of the weight)"
        rounded = record["rounded"]
        value = "-" if rounded is None or rounded != rounded else f"{rounded:.2f}"
        lines.append(
            f"{rank_text(record['rank']):>5}  {record['unit']:<16} {record['name'][:34]:<34} "
            f"{value:>6}  {record['grade']} {record['grade_label']}{mark}"
        )
    return "\n".join(lines).lstrip("\n")


def instrument_table(records: Sequence[dict[str, Any]], instruments: Sequence[str]) -> str:
    """One line per unit: each instrument's index and records, then the composite and grade."""
    head = "".join(f" {i:>7} {'n':>4}" for i in instruments)
    lines = [f"{'unit':<16} {'name':<34}{head} {'index':>6}  grade"]
    for r in records:
        parts = "".join(f" {_two(r[f'index_{i}']):>7} {r[f'records_{i}']:>4}" for i in instruments)
        lines.append(f"{r['unit']:<16} {r['name'][:34]:<34}{parts} {_two(r['rounded']):>6}  "
                     f"{r['grade']} {r['grade_label']}")  # fmt: skip
    return "\n".join(lines)


def _two(value: float | None) -> str:
    return "-" if value is None or value != value else f"{value:.2f}"


def ikm_table(records: Sequence[dict[str, Any]], rubric_id: str, weights: str, bands: str) -> str:
    """One line per unit: respondents, IKM on 1-4 and reported (25-100), mutu and kinerja."""
    lines = [
        f"IKM under {rubric_id}; weights {weights}; bands {bands}",
        f"{'unit':<24} {'respondents':>11} {'IKM 1-4':>8} {'IKM':>7}  mutu kinerja",
    ]
    for r in records:
        lines.append(
            f"{str(r['unit'])[:24]:<24} {r['respondents']:>11} {r['index']:>8.4f} "
            f"{r['rounded']:>7.2f}  {r['grade']:<4} {r['grade_label']}"
        )
    return "\n".join(lines)
