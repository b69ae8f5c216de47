"""Plain data read from YAML into a checked Rubric: every problem with file, line and path."""

from __future__ import annotations

import warnings
from typing import Any

from pelayanan_eval._common.messages import Path, format_path
from pelayanan_eval._loading.reader import (
    CRITERION_KEYS,
    INSTRUMENT_KEYS,
    SCHEMA_VERSION,
    TOP_KEYS,
    TOP_REQUIRED,
    Reader,
)
from pelayanan_eval._rubric.grading import Band, GradeScale, Rounding
from pelayanan_eval._rubric.instruments import Instrument
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval._rubric.parts import (
    Answers,
    Conversion,
    Criterion,
    Regulation,
    parse_weight,
    show,
)
from pelayanan_eval.exceptions import OptionError, ProvisionalRubricWarning, RubricError

MAX_BYTES = 1 << 20


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
                reader.required_text(reg, "name", ("regulation",)),
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
    _no_percent_points(reader, data, ())
    if scale is None or criteria is None:
        return None
    try:
        return Rubric(
            id=reader.required_text(data, "id", ()),
            title=reader.required_text(data, "title", ()),
            scale=scale,
            criteria=criteria,
            regulation=regulation,
            status=reader.required_text(data, "status", ()),
            provisional=reader.texts(data.get("provisional"), ("provisional",)),
            notes=reader.texts(data.get("notes"), ("notes",)),
            weighting=_weighting(reader, data, ()),  # type: ignore[arg-type]
            conversion=conversion,
            rounding=rounding,
            grades=grades,
            instruments=_instruments(reader, data.get("instruments")),
        )
    except RubricError as error:
        merge(reader, error)
        return None


def merge(reader: Reader, error: RubricError) -> None:
    """Add the model's problems (``"path: message"``) to the reader's, except where it has one."""
    for path, message in zip(error.paths, error.problems, strict=True):
        if path not in reader.skip:
            reader.problems.append((path, message[len(format_path(path)) + 2 :], None))


def _weighting(reader: Reader, data: dict[Any, Any], path: Path) -> str:
    """Return the weighting of `data`'s children; if unreadable, their sum is not checked."""
    weighting = reader.text(data.get("weighting"), (*path, "weighting"), "normalized")
    if (*path, "weighting") in reader.skip:
        reader.skip.add((*path, "criteria"))
    return weighting


def _instruments(reader: Reader, value: Any) -> tuple[Instrument, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.problem(("instruments",), f"must be a list of instruments, got {show(value)}")
        return ()
    found = []
    for i, item in enumerate(value):
        path: Path = ("instruments", i)
        data = reader.mapping(item, path, INSTRUMENT_KEYS, ("id", "name", "kind", "weight"))
        if data is None or not {"id", "name", "kind", "weight"} <= data.keys():
            continue
        try:
            weight = parse_weight(data["weight"])
        except ValueError as error:
            reader.problem((*path, "weight"), str(error))
            continue
        criteria = data.get("criteria", "all")
        if isinstance(criteria, list):
            criteria = [reader.text(c, (*path, "criteria", j)) for j, c in enumerate(criteria)]
        elif criteria != "all":
            reader.problem(
                (*path, "criteria"),
                f"must be 'all' or a list of criterion ids, got {show(criteria)}",
            )
            continue
        items = _criteria(reader, data["items"], (*path, "items")) if "items" in data else ()
        minimum = data.get("min_respondents", 1)
        if isinstance(minimum, bool) or not isinstance(minimum, int):
            reader.problem(
                (*path, "min_respondents"), f"must be a whole number >= 1, got {show(minimum)}"
            )
            continue
        found.append(Instrument(
            id=reader.required_text(data, "id", path),
            name=reader.required_text(data, "name", path),
            kind=reader.required_text(data, "kind", path),
            weight=weight,
            criteria=criteria,
            items=items or (),
            weighting=_weighting(reader, data, path) if "weighting" in data else "equal",
            min_respondents=minimum,
            notes=reader.texts(data.get("notes"), (*path, "notes")),
        ))  # fmt: skip
    return tuple(found)


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
        code = reader.required_text(band, "code", path)
        if low is not None:
            bands.append(Band(code, low, reader.text(band.get("label"), (*path, "label"))))
    return tuple(bands)


def _no_percent_points(reader: Reader, data: dict[Any, Any], path: Path) -> None:
    """Refuse a percentage among relative points: '60%' next to 2 would be read as 0.6 : 2."""
    children = data.get("criteria")
    if data.get("weighting") != "relative" or not isinstance(children, list):
        return
    for i, child in enumerate(children):
        weight = child.get("weight") if isinstance(child, dict) else None
        if isinstance(weight, str) and "%" in weight:
            reader.problem(
                (*path, "criteria", i, "weight"),
                f"is a percentage ({weight!r}) under 'weighting: relative', whose weights are "
                "points; write points, or use 'weighting: normalized' for percentages",
            )


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
        if "scale" in data or "levels" in data or "answers" in data:
            reader.problem(
                path,
                "a criterion has either sub-criteria ('criteria') or leaf "
                "fields ('scale', 'levels', 'answers'), not both",
            )
        if data["criteria"] == []:
            reader.problem((*path, "criteria"), "must list at least one criterion")
        children = _criteria(reader, data["criteria"], (*path, "criteria")) or ()
        _no_percent_points(reader, data, path)
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
            if not isinstance(score, int | float) or isinstance(score, bool):
                reader.problem(where, f"level keys must be scores (numbers), got {show(score)}")
            elif text is None:
                reader.problem(where, "level text must be text, got null")
            else:
                levels[score] = reader.text(text, where)
    elif raw_levels is not None:
        reader.problem((*path, "levels"), f"must map scores to texts, got {show(raw_levels)}")
    identifier = reader.required_text(data, "id", path)
    if (*path, "id") in reader.skip or "id" not in data:
        # the problem is reported; a unique stand-in keeps the other checks running
        identifier = f"unreadable-{len(reader.problems)}"
    return Criterion(
        id=identifier,
        name=reader.required_text(data, "name", path),
        weight=weight,
        criteria=children,
        weighting=_weighting(reader, data, path),  # type: ignore[arg-type]
        scale=reader.scale(data["scale"], (*path, "scale")) if "scale" in data else None,
        levels=levels,
        description=reader.text(data.get("description"), (*path, "description")),
        notes=reader.texts(data.get("notes"), (*path, "notes")),
        answers=_answers(reader, data["answers"], (*path, "answers"))
        if "answers" in data
        else None,
    )


def _answers(reader: Reader, value: Any, path: Path) -> Answers | None:
    """Read a survey item's answer scale and conversion: ``{min, max, factor, offset}``."""
    data = reader.mapping(value, path, ("min", "max", "factor", "offset"), ("min", "max"))
    if data is None or "min" not in data or "max" not in data:
        return None
    numbers = {key: reader.number(data[key], (*path, key))
               for key in ("min", "max", "factor", "offset") if key in data}  # fmt: skip
    if any(number is None for number in numbers.values()):
        return None
    return Answers(**numbers)  # type: ignore[arg-type]


def parse_rubric(text: str, *, source: str = "<string>", max_bytes: int = MAX_BYTES) -> Rubric:
    """Build a rubric from YAML text (the format of ``docs/rubric-format.md``).

    Parameters
    ----------
    text
        The YAML document.
    source
        Name used in error messages (usually the file path).
    max_bytes
        Largest document read, in bytes of UTF-8 (default 1 MiB; the largest
        bundled rubric has 46 kB). A longer text is refused before parsing.

    Returns
    -------
    Rubric

    Raises
    ------
    RubricError
        Listing every problem in the document, each with ``source:line``,
        the path in the document and the value received; or `text` is not
        a ``str`` or is longer than `max_bytes`.

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
    rubric = parse_quietly(text, source, max_bytes)
    warn_if_provisional(rubric)
    return rubric


def check_limit(max_bytes: object) -> int:
    """`max_bytes` if it is a whole number of bytes >= 1, else OptionError."""
    if isinstance(max_bytes, int) and not isinstance(max_bytes, bool) and max_bytes >= 1:
        return max_bytes
    raise OptionError(f"max_bytes must be a whole number of bytes >= 1, got {show(max_bytes)}")


def refuse(source: str, message: str) -> RubricError:
    """Return a RubricError about the whole document."""
    return RubricError([f"{source}: (document): {message}"], source=source, paths=[()])


def too_large(size: int | str, max_bytes: int) -> str:
    return (
        f"the document has {size} bytes, more than the limit of {max_bytes}; "
        "pass max_bytes= to read a larger rubric"
    )


def parse_quietly(text: str, source: str, max_bytes: int = MAX_BYTES) -> Rubric:
    if not isinstance(source, str):
        raise RubricError([f"parse_rubric: source must be text, got {show(source)}"])
    max_bytes = check_limit(max_bytes)
    if not isinstance(text, str):
        hint = " (decode it first, e.g. data.decode('utf-8'))" if isinstance(text, bytes) else ""
        raise refuse(source, f"expected YAML text (a str), got {type(text).__name__}{hint}")
    # characters <= UTF-8 bytes <= 4 x characters: encode only when it decides
    if len(text) > max_bytes:
        raise refuse(source, too_large(f"at least {len(text)}", max_bytes))
    if 4 * len(text) > max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise refuse(source, too_large(size, max_bytes))
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
