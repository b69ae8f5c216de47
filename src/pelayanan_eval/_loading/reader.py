"""YAML text into plain data, remembering the line of every path; problems collected, not raised."""

from __future__ import annotations

import datetime
import sys
from typing import Any

import yaml

from pelayanan_eval._common.messages import Path, format_path, suggest
from pelayanan_eval._loading.composer import MAX_DEPTH, MAX_NODES, YamlProblem, compose
from pelayanan_eval._rubric.parts import Scale, show

SCHEMA_VERSION = 1

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
    "instruments",
)
INSTRUMENT_KEYS = (
    "id", "name", "kind", "weight", "criteria", "items", "weighting", "min_respondents", "notes",
)  # fmt: skip
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
    "answers",
)


# Keys whose null has a meaning: no rounding, no weight (under 'equal'), no digits.
# Any other optional key given as null would silently read as absent.
NULLABLE = frozenset({"rounding", "weight", "digits"})

_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class TooLarge(Exception):
    pass


def _too_big(value: object) -> bool:
    """Tell whether `value` is an integer no float can hold (float() would overflow)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > _FLOAT_MAX


_FLOAT_MAX = int(sys.float_info.max)
_DIGITS = 309  # more digits than the largest float has


def cut(text: str, limit: int = 80) -> str:
    """Return `text` shortened to about `limit` characters."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


# What PyYAML's constructors raise on values they cannot build ("2024-13-45",
# "!!int x", "!!bool x", a 5,000-digit integer).
_CONSTRUCT_ERRORS = (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError)


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
            node = compose(text)
        except YamlProblem as error:
            self.problem((), error.message, error.line)
            return None
        if node is None:
            self.problem((), "the document is empty")
            return None
        try:
            return self._convert(node)
        except TooLarge as error:
            self.problem(
                (),
                f"the document expands to more than {MAX_NODES} nodes or {MAX_DEPTH} "
                "levels (aliases/anchors nested too deeply?)",
                error.args[0],
            )
            return None

    def _convert(self, root: yaml.Node) -> Any:
        """Plain data of the node tree, aliases expanded, walked with a stack (no recursion)."""
        top: dict[int, Any] = {}
        pending: list[tuple[yaml.Node, Path, int, Any, Any]] = [(root, (), 0, top, 0)]
        while pending:
            node, path, depth, into, slot = pending.pop()
            line = node.start_mark.line + 1
            self.visits += 1
            if self.visits > MAX_NODES or depth > MAX_DEPTH:
                raise TooLarge(line)
            self.lines.setdefault(path, line)
            if isinstance(node, yaml.ScalarNode):
                into[slot] = self._scalar(node, path)
            elif node.tag not in (_SEQ_TAG, _MAP_TAG):
                self.problem(path, f"unsupported tag {show(node.tag)}", line)
                into[slot] = None
            elif isinstance(node, yaml.SequenceNode):
                items: list[Any] = [None] * len(node.value)
                into[slot] = items
                pending.extend(
                    (item, (*path, i), depth + 1, items, i)
                    for i, item in reversed(list(enumerate(node.value)))
                )
            else:
                out: dict[Any, Any] = {}
                into[slot] = out
                children = []
                for key_node, value_node in node.value:
                    key_line = key_node.start_mark.line + 1
                    if not isinstance(key_node, yaml.ScalarNode):
                        self.problem(path, "mapping keys must be plain values", key_line)
                        continue
                    key = self._scalar(key_node, path)
                    where = (*path, key)
                    if key in out:
                        first = self.lines[where]
                        self.problem(
                            where, f"duplicate key {show(key)} (first at line {first})", key_line
                        )
                        continue
                    self.lines[where] = key_line
                    out[key] = None
                    children.append((value_node, where, depth + 1, out, key))
                pending.extend(reversed(children))
        return top[0]

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        line = node.start_mark.line + 1
        try:
            value = self.constructor.construct_object(node, deep=True)
        except _CONSTRUCT_ERRORS as error:
            self.constructor.recursive_objects.pop(node, None)
            kind = str(node.tag).rsplit(":", 1)[-1]
            if kind == "int" and isinstance(error, ValueError) and len(node.value) > _DIGITS:
                message = f"a number of {len(node.value)} digits is too large for a number"
            elif isinstance(error, yaml.YAMLError | ValueError):
                reason = getattr(error, "problem", None) or str(error)
                message = f"cannot read {show(node.value)} as {kind}: {cut(reason)}"
            else:  # a KeyError or AttributeError says nothing useful
                message = f"cannot read {show(node.value)} as {kind}"
            self.problem(path, message, line)
            return None
        if _too_big(value):
            self.problem(path, f"{show(value)} is too large for a number", line)
            return None
        return value

    # Typed accessors: each records a problem and returns a neutral value on bad input.

    def mapping(
        self, value: Any, path: Path, keys: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[Any, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping, got {show(value)}")
            return None
        for key, item in value.items():
            if key not in keys:
                self.problem((*path, key), f"unknown key {show(key)}{suggest(str(key), keys)}")
            elif item is None and key not in required and key not in NULLABLE:
                self.problem((*path, key), "is null; give a value or leave the key out")
        for key in required:
            if key not in value:
                self.problem(path, f"missing required key {key!r}")
        return value

    def text(self, value: Any, path: Path, default: str = "") -> str:
        """`value` if it is text; an absent or null optional text gives `default`."""
        if isinstance(value, str):
            return value
        if value is not None:
            quotable = int | float | bool | datetime.date
            hint = " (quote it)" if isinstance(value, quotable) else ""
            self.problem(path, f"must be text, got {show(value)}{hint}")
        return default

    def required_text(self, data: dict[Any, Any], key: str, path: Path) -> str:
        """Return the text under a required `key`; null is an error (mapping reports absence)."""
        if key in data and data[key] is None:
            self.problem((*path, key), "must be text, got null")
            return ""
        return self.text(data.get(key), (*path, key))

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
