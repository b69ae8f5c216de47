"""YAML text into plain data, remembering the line of every path; problems collected, not raised."""

from __future__ import annotations

from typing import Any

import yaml

from pelayanan_eval._common.messages import Path, format_path, suggest
from pelayanan_eval._rubric.parts import Scale

SCHEMA_VERSION = 1
# A real rubric has a few thousand YAML nodes; a "billion laughs" document
# expands its aliases past this long before it costs time or memory.
MAX_NODES = 200_000
MAX_DEPTH = 64

TOP_KEYS = (
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
TOP_REQUIRED = ("schema", "id", "title", "regulation", "status", "scale", "criteria")
CRITERION_KEYS = (
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


class TooLarge(Exception):
    pass


def show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class Reader:
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
        except TooLarge:
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
            raise TooLarge
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
            self.problem(path, f"must be a mapping, got {show(value)}")
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
            self.problem(path, f"must be text, got {show(value)}{hint}")
        return default

    def number(self, value: Any, path: Path) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        self.problem(path, f"must be a number, got {show(value)}")
        return None

    def texts(self, value: Any, path: Path) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"must be a list of texts, got {show(value)}")
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
