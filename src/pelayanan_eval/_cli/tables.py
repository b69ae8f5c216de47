"""The printed tables of the command line: rankings and IKM results, and CSV rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

MARKS = {"award": "  * award", "coaching": "  ! coaching"}
NAME_WIDTH = 34


def plain_rank(value: float) -> int | float | None:
    """Return a rank as written out: whole ranks as integers (``2.0`` -> ``2``), NaN as None."""
    if math.isnan(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def rank_text(value: int | float | None) -> str:
    """Format a rank for a table: ``2``, ``2.5``, or ``-`` for a unit without an index."""
    return "-" if value is None else f"{value:g}"


def shorten(text: str, width: int) -> str:
    """Cut `text` to `width` characters at a word boundary, ending with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " ":  # the cut falls inside a word: drop that word
        space = cut.rfind(" ")
        cut = cut[:space] if space > width // 2 else cut
    return cut.rstrip(" ,.;-") + "…"


def tied(places: npt.NDArray[np.float64], groups: npt.NDArray[Any] | None) -> npt.NDArray[np.bool_]:
    """Whether each unit shares its competition rank with another unit of its group."""
    keys = np.where(np.isnan(places), -1.0, places)
    codes = np.zeros(len(keys), dtype=np.intp)
    if groups is not None:
        codes = np.unique(groups, return_inverse=True)[1].reshape(-1)
    _, inverse, counts = np.unique(
        np.stack([codes.astype(np.float64), keys], axis=1), axis=0, return_inverse=True,
        return_counts=True,
    )  # fmt: skip
    shared: npt.NDArray[np.bool_] = (counts[inverse.reshape(-1)] > 1) & ~np.isnan(places)
    return shared


def _value(value: Any, digits: int | None = None) -> Any:
    """Return a number as a CSV shows it: to the regulation's digits, else without float noise."""
    if not isinstance(value, float) or math.isnan(value):
        return value
    return f"{value:.{digits}f}" if digits is not None else f"{value:.12g}"


def csv_records(records: Sequence[dict[str, Any]], digits: int | None) -> list[dict[str, Any]]:
    """Rows for a CSV file: the published index as the regulation rounds it, the raw one apart.

    ``index`` is the rounded (published) value with the rubric's digits,
    ``index_raw`` the full-precision index on the rubric's scale; other
    numbers lose only their floating-point noise (``4.6499999999999995``
    is written ``4.65``).
    """
    out = []
    for record in records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key == "index":
                continue
            if key == "reported":
                continue
            if key == "rounded":
                row["index"] = _value(value, digits)
            else:
                row[key] = _value(value)
        row["index_raw"] = repr(record["index"]) if not math.isnan(record["index"]) else ""
        out.append(row)
    return out


def ranking_table(
    records: Sequence[dict[str, Any]],
    order: npt.NDArray[np.intp],
    groups: npt.NDArray[Any] | None,
    within: str | None,
    marks: npt.NDArray[np.str_],
) -> str:
    """Each group's ranking: rank, unit, name, index, grade; awards and coaching marked.

    `records` are the evaluation's rows with their ``rank``; `order` the
    rows to print, grouped and best first; `marks` says which rows are
    marked ``* award`` or ``! coaching``. A unit scored on part of the
    weight (``missing renormalize``) says how much.
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
            if not within:
                label = "all units"
            elif within == "parent" and not group:
                label = "units without a parent"
            else:
                label = f"{within} {group or '(none)'}"
            title = f"{label} ({size} unit{'s' if size != 1 else ''})"
            lines += ["", title, f"{'rank':>5}  {'unit':<16} {'name':<34} {'index':>6}  grade"]
        record = records[i]
        mark = MARKS.get(str(marks[i]), "")
        if record["coverage"] < 1:  # renormalize: say how much of the index was scored
            mark += f"  (scored {record['coverage']:.0%} of the weight)"
        rounded = record["rounded"]
        value = "-" if rounded is None or rounded != rounded else f"{rounded:.2f}"
        lines.append(
            f"{rank_text(record['rank']):>5}  {record['unit']:<16} "
            f"{shorten(record['name'], NAME_WIDTH):<34} "
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
            f"{shorten(str(r['unit']), 24):<24} {r['respondents']:>11} {r['index']:>8.4f} "
            f"{r['rounded']:>7.2f}  {r['grade']:<4} {r['grade_label']}"
        )
    return "\n".join(lines)
