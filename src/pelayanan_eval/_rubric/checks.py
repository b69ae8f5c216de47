"""The rules a rubric must follow, checked all at once with a path to each problem."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Protocol

from pelayanan_eval._common.messages import Path, format_path, plain, suggest
from pelayanan_eval._rubric.grading import ROUNDING_MODES, Band, GradeScale, Rounding
from pelayanan_eval._rubric.parts import Conversion, Criterion, Regulation, Scale


class Fields(Protocol):
    """What the checks read of a rubric (the model passes itself)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def scale(self) -> Scale: ...
    @property
    def criteria(self) -> tuple[Criterion, ...]: ...
    @property
    def regulation(self) -> Regulation: ...
    @property
    def status(self) -> str: ...
    @property
    def provisional(self) -> tuple[str, ...]: ...
    @property
    def weighting(self) -> str: ...
    @property
    def conversion(self) -> Conversion: ...
    @property
    def rounding(self) -> Rounding: ...
    @property
    def grades(self) -> GradeScale: ...
    @property
    def index_range(self) -> tuple[float, float]: ...


WEIGHTINGS: tuple[str, ...] = ("normalized", "relative", "equal", "as_printed")
STATUSES: tuple[str, ...] = ("verified", "provisional")
SUM_TOLERANCE = 1e-6
AS_PRINTED_TOLERANCE = 0.02
MAX_DIGITS = 12

_CRITERION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_RUBRIC_ID = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*\Z")


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_rubric(rubric: Fields) -> list[tuple[Path, str]]:
    """Every rule a rubric breaks, as ``(path in the document, message)`` pairs."""
    problems: list[tuple[Path, str]] = []

    def add(path: Path, message: str) -> None:
        problems.append((path, message))

    if not _RUBRIC_ID.match(rubric.id):
        add(("id",), f"must be a lowercase slug such as 'permenpanrb-17-2017', got {rubric.id!r}")
    if not rubric.title.strip():
        add(("title",), "must not be empty")
    if not rubric.regulation.name.strip():
        add(("regulation", "name"), "must not be empty")
    if rubric.status not in STATUSES:
        add(("status",), f"must be 'verified' or 'provisional', got {rubric.status!r}")
    elif rubric.status == "provisional" and not rubric.provisional:
        add(("status",), "a provisional rubric must name its provisional parts in 'provisional'")
    elif rubric.status == "verified" and rubric.provisional:
        add(("provisional",), "a verified rubric lists no provisional parts; use 'provisional'")
    _check_scale(rubric.scale, ("scale",), add)
    if not (_finite(rubric.conversion.factor) and rubric.conversion.factor > 0):
        add(("conversion", "factor"), f"must be > 0, got {rubric.conversion.factor!r}")
    digits = rubric.rounding.digits
    if digits is not None and not (
        isinstance(digits, int) and not isinstance(digits, bool) and 0 <= digits <= MAX_DIGITS
    ):
        add(
            ("rounding", "digits"), f"must be a whole number from 0 to {MAX_DIGITS}, got {digits!r}"
        )
    if rubric.rounding.mode not in ROUNDING_MODES:
        add(
            ("rounding", "mode"),
            f"must be one of {', '.join(ROUNDING_MODES)}, got "
            f"{rubric.rounding.mode!r}{suggest(str(rubric.rounding.mode), ROUNDING_MODES)}",
        )
    before = len(problems)
    _check_group(rubric.weighting, rubric.criteria, ("criteria",), rubric.scale, add, {})
    _check_grades(rubric, add, weights_ok=len(problems) == before)
    return problems


def _check_scale(scale: Scale, path: Path, add: Callable[[Path, str], None]) -> None:
    if not (math.isfinite(scale.min) and math.isfinite(scale.max)):
        add(
            path,
            f"min and max must be finite numbers, got {plain(scale.min)}..{plain(scale.max)}",
        )
    elif scale.min >= scale.max:
        add(path, f"min must be below max, got min {plain(scale.min)}, max {plain(scale.max)}")


def _check_group(
    weighting: str,
    children: tuple[Criterion, ...],
    path: Path,
    default_scale: Scale,
    add: Callable[[Path, str], None],
    seen: dict[str, Path],
) -> None:
    if weighting not in WEIGHTINGS:
        add(
            (*path[:-1], "weighting"),
            f"must be one of {', '.join(WEIGHTINGS)}, got {weighting!r}"
            + suggest(weighting, WEIGHTINGS),
        )
        return
    if not children:
        add(path, "must list at least one criterion")
        return
    weights_ok = True
    for i, child in enumerate(children):
        where = (*path, i, "weight")
        if weighting == "equal":
            if child.weight is not None:
                add(where, f"must be omitted under 'weighting: equal', got {plain(child.weight)}")
        elif child.weight is None:
            add(where, f"is required under 'weighting: {weighting}'")
            weights_ok = False
        elif not math.isfinite(child.weight) or child.weight <= 0:
            add(where, f"must be > 0, got {plain(child.weight)}")
            weights_ok = False
    if weights_ok and weighting in ("normalized", "as_printed"):
        total = sum(child.weight or 0.0 for child in children)
        tolerance = SUM_TOLERANCE if weighting == "normalized" else AS_PRINTED_TOLERANCE
        if abs(total - 1) > tolerance:
            printed = ", ".join(f"{plain(child.weight or 0.0):g}" for child in children)
            hint = " (use 'weighting: relative' for points)" if weighting == "normalized" else ""
            add(
                path,
                f"weights must sum to 1 (100%), got {total:.6g} ({total * 100:.4g}%) "
                f"from {printed}{hint}",
            )
    for i, child in enumerate(children):
        here = (*path, i)
        if not isinstance(child.id, str) or not _CRITERION_ID.match(child.id):
            add(
                (*here, "id"),
                "must start with a letter or digit and use only letters, digits, "
                f"'.', '_' or '-', got {child.id!r}",
            )
        elif child.id in seen:
            add(
                (*here, "id"),
                f"duplicate id {child.id!r}, first used at {format_path(seen[child.id])}",
            )
        else:
            seen[child.id] = (*here, "id")
        if not str(child.name).strip():
            add((*here, "name"), "must not be empty")
        if child.criteria:
            if child.scale is not None or child.levels:
                add(here, "a criterion with sub-criteria cannot have its own scale or levels")
            _check_group(
                child.weighting, child.criteria, (*here, "criteria"), default_scale, add, seen
            )
            continue
        if child.weighting != "normalized":
            add((*here, "weighting"), "only a criterion with sub-criteria has a weighting")
        scale = child.scale or default_scale
        if child.scale is not None:
            _check_scale(child.scale, (*here, "scale"), add)
        for score, text in child.levels:
            if not scale.min <= score <= scale.max:
                add(
                    (*here, "levels", score),
                    f"level {score} is outside the scale {plain(scale.min)}..{plain(scale.max)}",
                )
            if not text.strip():
                add((*here, "levels", score), "level text must not be empty")


def _check_grades(rubric: Fields, add: Callable[[Path, str], None], *, weights_ok: bool) -> None:
    bands: tuple[Band, ...] = rubric.grades.bands
    codes: dict[str, int] = {}
    for i, band in enumerate(bands):
        if not band.code.strip():
            add(("grades", i, "code"), "must not be empty")
        elif band.code in codes:
            add(
                ("grades", i, "code"),
                f"duplicate grade code {band.code!r} (also grades[{codes[band.code]}])",
            )
        else:
            codes[band.code] = i
        if not math.isfinite(band.min):
            add(("grades", i, "min"), f"must be a finite number, got {band.min!r}")
        elif i and math.isfinite(bands[i - 1].min) and band.min >= bands[i - 1].min:
            add(
                ("grades", i, "min"),
                "lower bounds must decrease down the list (top band "
                f"first): {plain(band.min)} is not below {plain(bands[i - 1].min)} of "
                f"{bands[i - 1].code!r}",
            )
    if not weights_ok or not bands:
        return
    low, high = rubric.index_range
    tolerance = 1e-9 * max(1.0, abs(high))
    for i, band in enumerate(bands):
        if math.isfinite(band.min) and not low - tolerance <= band.min <= high + tolerance:
            add(
                ("grades", i, "min"),
                f"must lie inside the index range [{low:g}, {high:g}], got {plain(band.min)}",
            )
