"""Load rubrics from YAML: safe loading, every problem reported with file and line."""

from __future__ import annotations

import os
import warnings
from pathlib import Path as FilePath
from typing import Any

import attrs
import yaml

from pelayanan_eval._common.messages import Path, format_path, suggest
from pelayanan_eval._rubric.grading import Band, GradeScale, Rounding
from pelayanan_eval._rubric.model import (
    Conversion,
    Criterion,
    Regulation,
    Rubric,
    Scale,
    parse_weight,
)
from pelayanan_eval.exceptions import (
    ProvisionalRubricWarning,
    RubricError,
    RubricNotFoundError,
)

SCHEMA_VERSION = 1
# A real rubric has a few thousand YAML nodes; a "billion laughs" document
# expands its aliases past this long before it costs time or memory.
MAX_NODES = 200_000
MAX_DEPTH = 64

_TOP_KEYS = (
    "schema",
    "id",
    "title",
    "regulation",
    "status",
    "provisional",
    "notes",
    "scale",
    "weighting",
    "conversion",
    "rounding",
    "grades",
    "criteria",
)
_TOP_REQUIRED = ("schema", "id", "title", "regulation", "status", "scale", "criteria")
_CRITERION_KEYS = (
    "id",
    "name",
    "weight",
    "description",
    "notes",
    "weighting",
    "criteria",
    "scale",
    "levels",
)


_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _TooLarge(Exception):
    pass


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class _Reader:
    """Turns YAML text into plain data, remembering the line of every path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Path, int] = {}
        self.problems: list[tuple[Path, str, int | None]] = []
        self.skip: set[Path] = set()
        self.visits = 0
        self.constructor = yaml.SafeLoader("")

    def problem(self, path: Path, message: str, line: int | None = None) -> None:
        self.problems.append((path, message, line))
        self.skip.add(path)

    def line_of(self, path: Path) -> int | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def _ordered(self) -> list[tuple[Path, str, int | None]]:
        return sorted(self.problems, key=lambda p: p[2] or self.line_of(p[0]) or 0)

    def paths(self) -> list[Path]:
        return [path for path, _, _ in self._ordered()]

    def messages(self) -> list[str]:
        out = []
        for path, message, line in self._ordered():
            line = line or self.line_of(path)
            where = f"{self.source}:{line}" if line else self.source
            out.append(f"{where}: {format_path(path)}: {message}")
        return out

    def parse(self, text: str) -> Any:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else None
            self.problem((), f"not valid YAML: {error.problem or error}", line)
            return None
        except yaml.YAMLError as error:
            self.problem((), f"not valid YAML: {error}")
            return None
        if node is None:
            self.problem((), "the document is empty")
            return None
        try:
            return self._convert(node, (), 0)
        except _TooLarge:
            self.problem(
                (),
                f"the document expands to more than {MAX_NODES} nodes or "
                f"{MAX_DEPTH} levels (aliases/anchors nested too deeply?)",
                1,
            )
            return None

    def _convert(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.visits += 1
        if self.visits > MAX_NODES or depth > MAX_DEPTH:
            raise _TooLarge
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if node.tag not in (_SEQ_TAG, _MAP_TAG):
            self.problem(path, f"unsupported tag {node.tag!r}", node.start_mark.line + 1)
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(path, "mapping keys must be plain values", line)
                continue
            key = self._scalar(key_node, path)
            where = (*path, key)
            if key in out:
                first = self.lines[where]
                self.problem(where, f"duplicate key {key!r} (first at line {first})", line)
                continue
            self.lines[where] = line
            out[key] = self._convert(value_node, where, depth + 1)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or str(error)
            self.problem(
                path, f"cannot read value {node.value!r}: {problem}", node.start_mark.line + 1
            )
            return None

    # Typed accessors: each records a problem and returns a neutral value on bad input.

    def mapping(
        self, value: Any, path: Path, keys: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[Any, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping, got {_show(value)}")
            return None
        for key in value:
            if key not in keys:
                self.problem((*path, key), f"unknown key {key!r}{suggest(str(key), keys)}")
        for key in required:
            if key not in value:
                self.problem(path, f"missing required key {key!r}")
        return value

    def text(self, value: Any, path: Path, default: str = "") -> str:
        if isinstance(value, str):
            return value
        if value is not None:
            hint = " (quote it)" if isinstance(value, int | float | bool) else ""
            self.problem(path, f"must be text, got {_show(value)}{hint}")
        return default

    def number(self, value: Any, path: Path) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        self.problem(path, f"must be a number, got {_show(value)}")
        return None

    def texts(self, value: Any, path: Path) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"must be a list of texts, got {_show(value)}")
            return ()
        return tuple(self.text(item, (*path, i)) for i, item in enumerate(value))

    def scale(self, value: Any, path: Path) -> Scale | None:
        data = self.mapping(value, path, ("min", "max"), ("min", "max"))
        if data is None or "min" not in data or "max" not in data:
            return None
        low, high = (
            self.number(data["min"], (*path, "min")),
            self.number(data["max"], (*path, "max")),
        )
        return None if low is None or high is None else Scale(low, high)


def _build(reader: _Reader, doc: Any) -> Rubric | None:
    data = reader.mapping(doc, (), _TOP_KEYS, _TOP_REQUIRED)
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


def _bands(reader: _Reader, value: Any) -> tuple[Band, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.problem(("grades",), f"must be a list of bands, got {_show(value)}")
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


def _criteria(reader: _Reader, value: Any, path: Path) -> tuple[Criterion, ...] | None:
    if not isinstance(value, list):
        reader.problem(path, f"must be a list of criteria, got {_show(value)}")
        return None
    children = []
    for i, item in enumerate(value):
        child = _criterion(reader, item, (*path, i))
        if child is None:
            reader.skip.add(path)  # siblings' weights cannot be summed meaningfully
        else:
            children.append(child)
    return tuple(children)


def _criterion(reader: _Reader, value: Any, path: Path) -> Criterion | None:
    data = reader.mapping(value, path, _CRITERION_KEYS, ("id", "name"))
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
        reader.problem((*path, "levels"), f"must map scores to texts, got {_show(raw_levels)}")
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
    rubric = _parse_quietly(text, source)
    _warn_if_provisional(rubric)
    return rubric


def _parse_quietly(text: str, source: str) -> Rubric:
    reader = _Reader(source)
    document = reader.parse(text)
    rubric = None if reader.problems else _build(reader, document)
    if reader.problems or rubric is None:
        raise RubricError(reader.messages(), source=source, paths=reader.paths())
    return rubric


def _warn_if_provisional(rubric: Rubric) -> None:
    if rubric.status == "provisional":
        names = [part.split(":", 1)[0].strip() for part in rubric.provisional]
        warnings.warn(
            ProvisionalRubricWarning(
                f"rubric {rubric.id!r} is provisional; not verified against the regulation "
                f"text: {'; '.join(names)} (details: rubric.provisional)"
            ),
            stacklevel=3,
        )


def bundled_directory() -> FilePath:
    """Folder of the bundled rubric files (inside the wheel, or the source checkout)."""
    packaged = FilePath(__file__).parents[1] / "rubrics"
    if packaged.is_dir():
        return packaged
    return FilePath(__file__).resolve().parents[3] / "rubrics"


def _bundled_ids() -> list[str]:
    return sorted(path.stem for path in bundled_directory().glob("*.yaml"))


def _resolve(source: str | os.PathLike[str]) -> FilePath:
    text = os.fspath(source)
    looks_like_path = (
        isinstance(source, os.PathLike)
        or any(sep in text for sep in ("/", "\\"))
        or text.endswith((".yaml", ".yml"))
    )
    if looks_like_path:
        path = FilePath(text)
        if not path.is_file():
            raise RubricNotFoundError(f"no rubric file at {text!r} (resolved to {path.resolve()})")
        return path
    ids = _bundled_ids()
    if text not in ids:
        raise RubricNotFoundError(
            f"no bundled rubric {text!r}{suggest(text, ids)}; available: {', '.join(ids)}"
        )
    return bundled_directory() / f"{text}.yaml"


def load_rubric(source: str | os.PathLike[str]) -> Rubric:
    """Load a bundled rubric by id, or a rubric YAML file by path.

    Parameters
    ----------
    source
        A bundled id (see :func:`available_rubrics`), or a path to a
        ``.yaml``/``.yml`` file.

    Returns
    -------
    Rubric

    Raises
    ------
    RubricNotFoundError
        Unknown bundled id (the message lists the available ones) or no such file.
    RubricError
        The file is not valid: every problem, each with file, line, path and value.

    Warns
    -----
    ProvisionalRubricWarning
        Once per call if the rubric has parts not verified in the regulation.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = load_rubric("permenpanrb-17-2017")
    >>> len(rubric.leaves), str(rubric.grade(4.11))
    (37, 'A- (Sangat Baik)')
    """
    path = _resolve(source)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise RubricError(
            [f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"], source=str(path)
        ) from None
    except OSError as error:
        raise RubricNotFoundError(
            f"cannot read rubric file {str(path)!r}: {error.strerror}"
        ) from None
    rubric = _parse_quietly(text, str(path))
    if path.parent == bundled_directory() and rubric.id != path.stem:
        raise RubricError([f"{path}: id {rubric.id!r} differs from the file name"], str(path))
    _warn_if_provisional(rubric)
    return rubric


@attrs.frozen
class RubricInfo:
    """A bundled rubric's id, title, regulation, status and file."""

    id: str
    title: str
    regulation: str
    status: str
    path: FilePath


def available_rubrics() -> tuple[RubricInfo, ...]:
    """List the bundled rubrics, sorted by id.

    Examples
    --------
    >>> [info.id for info in available_rubrics()]  # doctest: +NORMALIZE_WHITESPACE
    ['bps-indeks-kebahagiaan-2017', 'kepmenpan-25-2004-ikm', 'permenpanrb-14-2017-ikm',
     'permenpanrb-17-2017', 'permenpanrb-29-2022']
    """
    infos = []
    for identifier in _bundled_ids():
        path = bundled_directory() / f"{identifier}.yaml"
        rubric = _parse_quietly(path.read_text(encoding="utf-8"), str(path))
        infos.append(
            RubricInfo(rubric.id, rubric.title, rubric.regulation.name, rubric.status, path)
        )
    return tuple(infos)
