"""Plain data read from YAML into a checked Rubric: every problem with file, line and path."""

from __future__ import annotations

import warnings
from typing import Any

from pelayanan_eval._common.messages import Path
from pelayanan_eval._loading.reader import (
    CRITERION_KEYS,
    SCHEMA_VERSION,
    TOP_KEYS,
    TOP_REQUIRED,
    Reader,
    show,
)
from pelayanan_eval._rubric.grading import Band, GradeScale, Rounding
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval._rubric.parts import Conversion, Criterion, Regulation, parse_weight
from pelayanan_eval.exceptions import ProvisionalRubricWarning, RubricError


def _build(reader: Reader, doc: Any) -> Rubric | None:
    data = reader.mapping(doc, (), TOP_KEYS, TOP_REQUIRED)
    if data is None:
        return None
    if "schema" in data and data["schema"] != SCHEMA_VERSION:
        reader.problem(
            ("schema",),
            f"unsupported schema version {data['schema']!r}; "
            f"this library reads schema {SCHEMA_VERSION}",
        )
    regulation = Regulation("")
    if "regulation" in data:
        reg = reader.mapping(data["regulation"], ("regulation",), ("name", "sources"), ("name",))
        if reg is not None:
            regulation = Regulation(
                reader.text(reg.get("name"), ("regulation", "name")),
                reader.texts(reg.get("sources"), ("regulation", "sources")),
            )
    scale = reader.scale(data["scale"], ("scale",)) if "scale" in data else None
    conversion = Conversion()
    if "conversion" in data:
        conv = reader.mapping(data["conversion"], ("conversion",), ("factor", "name"), ("factor",))
        if conv is not None and "factor" in conv:
            factor = reader.number(conv["factor"], ("conversion", "factor"))
            name = reader.text(conv.get("name"), ("conversion", "name"))
            conversion = Conversion(factor if factor is not None else 1.0, name)
    rounding = Rounding()
    if data.get("rounding") is not None:
        rnd = reader.mapping(data["rounding"], ("rounding",), ("digits", "mode"), ("digits",))
        if rnd is not None and "digits" in rnd:
            rounding = Rounding(rnd["digits"], rnd.get("mode", "half_up"))
    grades = GradeScale(_bands(reader, data.get("grades")))
    criteria = _criteria(reader, data["criteria"], ("criteria",)) if "criteria" in data else None
    if scale is None or criteria is None:
        return None
    try:
        return Rubric(
            id=reader.text(data.get("id"), ("id",)),
            title=reader.text(data.get("title"), ("title",)),
            scale=scale,
            criteria=criteria,
            regulation=regulation,
            status=reader.text(data.get("status"), ("status",)),
            provisional=reader.texts(data.get("provisional"), ("provisional",)),
            notes=reader.texts(data.get("notes"), ("notes",)),
            weighting=reader.text(data.get("weighting"), ("weighting",), "normalized"),  # type: ignore[arg-type]
            conversion=conversion,
            rounding=rounding,
            grades=grades,
        )
    except RubricError as error:
        for path, message in zip(error.paths, error.problems, strict=True):
            if path not in reader.skip:
                reader.problems.append((path, message.split(": ", 1)[1], None))
        return None


def _bands(reader: Reader, value: Any) -> tuple[Band, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.problem(("grades",), f"must be a list of bands, got {show(value)}")
        return ()
    bands = []
    for i, item in enumerate(value):
        path: Path = ("grades", i)
        band = reader.mapping(item, path, ("code", "min", "label"), ("code", "min"))
        if band is None or "code" not in band or "min" not in band:
            continue
        low = reader.number(band["min"], (*path, "min"))
        code = reader.text(band["code"], (*path, "code"))
        if low is not None:
            bands.append(Band(code, low, reader.text(band.get("label"), (*path, "label"))))
    return tuple(bands)


def _criteria(reader: Reader, value: Any, path: Path) -> tuple[Criterion, ...] | None:
    if not isinstance(value, list):
        reader.problem(path, f"must be a list of criteria, got {show(value)}")
        return None
    children = []
    for i, item in enumerate(value):
        child = _criterion(reader, item, (*path, i))
        if child is None:
            reader.skip.add(path)  # siblings' weights cannot be summed meaningfully
        else:
            children.append(child)
    return tuple(children)


def _criterion(reader: Reader, value: Any, path: Path) -> Criterion | None:
    data = reader.mapping(value, path, CRITERION_KEYS, ("id", "name"))
    if data is None:
        return None
    children: tuple[Criterion, ...] = ()
    if "criteria" in data:
        if "scale" in data or "levels" in data:
            reader.problem(
                path,
                "a criterion has either sub-criteria ('criteria') or leaf "
                "fields ('scale', 'levels'), not both",
            )
        if data["criteria"] == []:
            reader.problem((*path, "criteria"), "must list at least one criterion")
        children = _criteria(reader, data["criteria"], (*path, "criteria")) or ()
    try:
        weight = parse_weight(data.get("weight"))
    except ValueError as error:
        reader.problem((*path, "weight"), str(error))
        reader.skip.add(path[:-1])
        weight = None
    levels: dict[float, str] = {}
    raw_levels = data.get("levels")
    if isinstance(raw_levels, dict):
        for score, text in raw_levels.items():
            where = (*path, "levels", score)
            if isinstance(score, int | float) and not isinstance(score, bool):
                levels[score] = reader.text(text, where, default="?")
            else:
                reader.problem(where, f"level keys must be scores (numbers), got {score!r}")
    elif raw_levels is not None:
        reader.problem((*path, "levels"), f"must map scores to texts, got {show(raw_levels)}")
    identifier = data.get("id")
    if not isinstance(identifier, str):
        reader.text(identifier, (*path, "id"))
        identifier = f"invalid-id-{len(reader.problems)}"
    return Criterion(
        id=identifier,
        name=reader.text(data.get("name"), (*path, "name"), default="?"),
        weight=weight,
        criteria=children,
        weighting=reader.text(data.get("weighting"), (*path, "weighting"), "normalized"),  # type: ignore[arg-type]
        scale=reader.scale(data["scale"], (*path, "scale")) if "scale" in data else None,
        levels=levels,
        description=reader.text(data.get("description"), (*path, "description")),
        notes=reader.texts(data.get("notes"), (*path, "notes")),
    )


def parse_rubric(text: str, *, source: str = "<string>") -> Rubric:
    """Build a rubric from YAML text (the format of ``docs/rubric-format.md``).

    Parameters
    ----------
    text
        The YAML document.
    source
        Name used in error messages (usually the file path).

    Returns
    -------
    Rubric

    Raises
    ------
    RubricError
        Listing every problem in the document, each with ``source:line``,
        the path in the document and the value received.

    Warns
    -----
    ProvisionalRubricWarning
        Once, naming the provisional parts, if the rubric is provisional.

    Examples
    --------
    >>> import warnings
    >>> text = '''
    ... schema: 1
    ... id: mini
    ... title: Mini
    ... regulation: {name: Contoh}
    ... status: verified
    ... scale: {min: 0, max: 5}
    ... criteria:
    ...   - {id: a, name: A, weight: 60%}
    ...   - {id: b, name: B, weight: 40%}
    ... '''
    >>> parse_rubric(text).leaf_weights.tolist()
    [0.6, 0.4]
    >>> parse_rubric(text.replace("40%", "30%"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pelayanan_eval.exceptions.RubricError: rubric <string>: 1 problem:
      <string>:8: criteria: weights must sum to 1 (100%), got 0.9 (90%) from 0.6, 0.3 ...
    """
    rubric = parse_quietly(text, source)
    warn_if_provisional(rubric)
    return rubric


def parse_quietly(text: str, source: str) -> Rubric:
    reader = Reader(source)
    document = reader.parse(text)
    rubric = None if reader.problems else _build(reader, document)
    if reader.problems or rubric is None:
        raise RubricError(reader.messages(), source=source, paths=reader.paths())
    return rubric


def warn_if_provisional(rubric: Rubric) -> None:
    if rubric.status == "provisional":
        names = [part.split(":", 1)[0].strip() for part in rubric.provisional]
        warnings.warn(
            ProvisionalRubricWarning(
                f"rubric {rubric.id!r} is provisional; not verified against the regulation "
                f"text: {'; '.join(names)} (details: rubric.provisional)"
            ),
            stacklevel=3,
        )
