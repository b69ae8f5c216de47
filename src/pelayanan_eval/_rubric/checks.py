"""The rules a rubric must follow, checked all at once with a path to each problem."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Protocol

from pelayanan_eval._common.messages import Path, format_path, plain, suggest
from pelayanan_eval._rubric.answers import check_answers
from pelayanan_eval._rubric.grading import ROUNDING_MODES, Band, GradeScale, Rounding
from pelayanan_eval._rubric.parts import (
    Answers,
    Conversion,
    Criterion,
    Regulation,
    Scale,
    group_weights,
    show,
)


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
    def notes(self) -> tuple[str, ...]: ...
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
# Real rubrics have at most four levels of criteria; the limit keeps every
# walk over the tree far from Python's recursion limit.
MAX_LEVELS = 32

_CRITERION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_RUBRIC_ID = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*\Z")


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_rubric(rubric: Fields) -> list[tuple[Path, str]]:
    """Every rule a rubric breaks, as ``(path in the document, message)`` pairs."""
    problems = check_types(rubric)
    if problems:
        return problems  # the rules below read the fields as their types

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
    _check_group(rubric.weighting, rubric.criteria, ("criteria",), rubric.scale, add, {}, 1.0)
    weights_ok = len(problems) == before
    if weights_ok and not all(math.isfinite(bound) for bound in rubric.index_range):
        low, high = rubric.index_range
        add(
            ("conversion", "factor"),
            f"the index range [{low:g}, {high:g}] is not finite: scale x weights x factor "
            f"({rubric.conversion.factor:g}) overflows",
        )
        weights_ok = False
    _check_grades(rubric, add, weights_ok=weights_ok)
    return problems


def check_types(rubric: Fields) -> list[tuple[Path, str]]:
    """Every field that does not hold its type (a rubric built in code can hold anything)."""
    problems: list[tuple[Path, str]] = []

    def need(value: object, kind: type | tuple[type, ...], path: Path, what: str) -> bool:
        if isinstance(value, kind):
            return True
        problems.append((path, f"must be {what}, got {show(value)}"))
        return False

    def texts(values: object, path: Path) -> None:
        if isinstance(values, tuple):
            for i, item in enumerate(values):
                need(item, str, (*path, i), "text")
        else:
            need(values, tuple, path, "a list of texts")

    def scale(value: object, path: Path) -> None:
        if need(value, Scale, path, "a Scale"):
            for bound in ("min", "max"):
                need(getattr(value, bound), float, (*path, bound), "a number")

    for name in ("id", "title", "status", "weighting"):
        need(getattr(rubric, name), str, (name,), "text")
    texts(rubric.provisional, ("provisional",))
    texts(rubric.notes, ("notes",))
    scale(rubric.scale, ("scale",))
    if need(rubric.regulation, Regulation, ("regulation",), "a Regulation"):
        need(rubric.regulation.name, str, ("regulation", "name"), "text")
        texts(rubric.regulation.sources, ("regulation", "sources"))
    if need(rubric.conversion, Conversion, ("conversion",), "a Conversion"):
        need(rubric.conversion.factor, float, ("conversion", "factor"), "a number")
        need(rubric.conversion.name, str, ("conversion", "name"), "text")
    need(rubric.rounding, Rounding, ("rounding",), "a Rounding")
    if need(rubric.grades, GradeScale, ("grades",), "a GradeScale") and need(
        rubric.grades.bands, tuple, ("grades",), "a list of bands"
    ):
        for i, band in enumerate(rubric.grades.bands):
            if need(band, Band, ("grades", i), "a Band"):
                need(band.code, str, ("grades", i, "code"), "text")
                need(band.min, float, ("grades", i, "min"), "a number")
                need(band.label, str, ("grades", i, "label"), "text")
    groups: list[tuple[object, Path, int]] = [(rubric.criteria, ("criteria",), 1)]
    while groups:  # a stack, not recursion: the depth is what is being checked
        children, path, level = groups.pop()
        if not isinstance(children, tuple):
            need(children, tuple, path, "a list of criteria")
            continue
        if level > MAX_LEVELS:
            problems.append((path, f"criteria are nested more than {MAX_LEVELS} levels deep"))
            continue
        for i, child in enumerate(children):
            here = (*path, i)
            if not need(child, Criterion, here, "a Criterion"):
                continue
            for name in ("id", "name", "weighting", "description"):
                need(getattr(child, name), str, (*here, name), "text")
            texts(child.notes, (*here, "notes"))
            if child.weight is not None and not isinstance(child.weight, float):
                problems.append(
                    (
                        (*here, "weight"),
                        f"must be a number or a percentage such as '24%', got {show(child.weight)}",
                    )
                )
            if child.scale is not None:
                scale(child.scale, (*here, "scale"))
            if need(child.levels, tuple, (*here, "levels"), "a mapping of scores to texts"):
                for pair in child.levels:
                    score, text = pair if isinstance(pair, tuple) and len(pair) == 2 else (pair, "")
                    if not isinstance(score, int | float) or isinstance(score, bool):
                        problems.append(
                            ((*here, "levels"), f"level scores must be numbers, got {show(score)}")
                        )
                    elif not isinstance(text, str):
                        problems.append(
                            ((*here, "levels", score), f"level text must be text, got {show(text)}")
                        )
            groups.append((child.criteria, (*here, "criteria"), level + 1))
    return problems


def _check_scale(scale: Scale, path: Path, add: Callable[[Path, str], None]) -> None:
    if not (math.isfinite(scale.min) and math.isfinite(scale.max)):
        add(
            path,
            f"min and max must be finite numbers, got {plain(scale.min)}..{plain(scale.max)}",
        )
    elif scale.min >= scale.max:
        add(path, f"min must be below max, got min {plain(scale.min)}, max {plain(scale.max)}")
    elif not math.isfinite(scale.max - scale.min):
        add(path, f"min and max are too far apart, got {scale.min:g}..{scale.max:g}")


def _check_group(
    weighting: str,
    children: tuple[Criterion, ...],
    path: Path,
    default_scale: Scale,
    add: Callable[[Path, str], None],
    seen: dict[str, Path],
    above: float,
) -> None:
    """Check one group of siblings; `above` is the effective weight of their parent."""
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
        elif not math.isfinite(child.weight):
            add(where, f"must be a finite number, got {child.weight}")
            weights_ok = False
        elif child.weight <= 0:
            add(where, f"must be > 0, got {plain(child.weight)}")
            weights_ok = False
    shares = [0.0] * len(children)
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
    if weights_ok:
        shares = _shares(weighting, children, path, above, add)
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
            if child.scale is not None or child.levels or child.answers is not None:
                add(here, "a criterion with sub-criteria cannot have its own scale, levels "
                          "or answers")  # fmt: skip
            _check_group(
                child.weighting,
                child.criteria,
                (*here, "criteria"),
                default_scale,
                add,
                seen,
                above * shares[i],
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
        if isinstance(child.answers, Answers):
            check_answers(child.answers, scale, (*here, "answers"), add)
        elif child.answers is not None:
            add((*here, "answers"), f"must be an Answers, got {show(child.answers)}")


def _shares(
    weighting: str,
    children: tuple[Criterion, ...],
    path: Path,
    above: float,
    add: Callable[[Path, str], None],
) -> list[float]:
    """Return the children's shares of their parent; refuse sums and products floats cannot hold."""
    if weighting == "relative" and not math.isfinite(
        sum(child.weight or 0.0 for child in children)
    ):
        printed = ", ".join(f"{child.weight or 0.0:g}" for child in children)
        add(path, f"relative weights must have a finite sum, got {printed} (the sum overflows)")
        return [0.0] * len(children)
    shares = group_weights(weighting, children)
    for i, (child, share) in enumerate(zip(children, shares, strict=True)):
        if above > 0 and above * share == 0:
            add(
                (*path, i, "weight"),
                "the effective weight in the index underflows to 0 (weight "
                f"{child.weight or 0.0:g} under '{weighting}' weighting, below a parent "
                f"weighing {above:g})",
            )
    return shares


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
