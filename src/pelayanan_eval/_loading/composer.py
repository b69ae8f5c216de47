"""YAML text into a node tree, without recursion, the same with libyaml and the pure-Python parser.

PyYAML's own composer recurses once per level of nesting (libyaml's through C
code that has no depth check at all), so a document of a few thousand ``[``
ends in ``RecursionError`` or a crash. Here the events of either parser are
assembled with an explicit stack that refuses to grow past `MAX_DEPTH`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# A real rubric has a few thousand YAML nodes and fewer than 15 levels; an
# alias bomb ("billion laughs") expands past these long before it costs time.
MAX_NODES = 200_000
MAX_DEPTH = 64

# libyaml composes a rubric about 25 times faster. Tests switch it off to
# check that both parsers give the same problems.
_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))


# libyaml accepts a tab after "key:" and a comment right after a block scalar's
# "|" or ">", which the pure-Python parser refuses, and drops byte order marks
# after the first character, which it keeps; a document that may hold any of
# these goes to the pure-Python parser so that both parsers agree (found by
# fuzzing both with the same texts).
_LIBYAML_DIFFERS = re.compile(
    "\t|[|>][-+0-9]*#|[\\s\\S]\ufeff"
    # and it takes tags with characters the pure-Python parser refuses, like "!1?!"
    r"|(?:^|[\s\[\]{},])![^\s\[\]{},]*[^\w\s\[\]{},!:/.-]",
    re.MULTILINE,
)


class _Differs(Exception):
    """libyaml read a plain scalar that the pure-Python parser splits ('?' in [...] or {...})."""


class YamlProblem(Exception):
    """The document cannot be composed; `line` is 1-based, or None."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def compose(text: str) -> yaml.Node | None:
    """Return the root node of the single document in `text` (None if there is none).

    Raises
    ------
    YamlProblem
        Syntax error (worded by the pure-Python parser, whichever parser ran),
        more than one document, an undefined or repeated anchor, or more than
        `MAX_NODES` nodes or `MAX_DEPTH` levels.
    """
    if _LIBYAML and not _LIBYAML_DIFFERS.search(text):
        try:
            return _compose(yaml.CSafeLoader(text))
        except (yaml.YAMLError, UnicodeError, _Differs):
            pass  # worded below by the pure-Python parser, the reference
    try:
        return _compose(yaml.SafeLoader(text))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "syntax error"
        raise YamlProblem(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:
        character = error.character
        code = ord(character) if isinstance(character, str) else int(character)
        line = text.count("\n", 0, error.position) + 1
        raise YamlProblem(
            f"not valid YAML: unacceptable character #x{code:04x} ({error.reason})", line
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML: {error}", None) from None


def _line(event: Any) -> int:
    return int(event.start_mark.line) + 1


def _compose(loader: Any) -> yaml.Node | None:
    try:
        loader.get_event()  # StreamStartEvent
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # DocumentStartEvent
        root = _document(loader)
        loader.get_event()  # DocumentEndEvent
        if not loader.check_event(yaml.StreamEndEvent):
            raise YamlProblem(
                "expected one document, found a second one (a '---' line?)",
                _line(loader.peek_event()),
            )
        return root
    finally:
        loader.dispose()


def _document(loader: Any) -> yaml.Node:
    anchors: dict[str, tuple[yaml.Node, int]] = {}
    open_nodes: list[list[Any]] = []  # [collection node, pending mapping key or None]
    count = 0
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.CollectionEndEvent):
            done = open_nodes.pop()[0]
            done.end_mark = event.end_mark
            if not open_nodes:
                return done  # type: ignore[no-any-return]
            continue
        count += 1
        if count > MAX_NODES:
            raise YamlProblem(f"the document has more than {MAX_NODES} nodes", _line(event))
        node = _node(loader, event, anchors)
        if (
            isinstance(event, yaml.ScalarEvent)
            and not event.style  # plain: None from one parser, '' from the other
            and "?" in event.value
            and any(open_node[0].flow_style for open_node in open_nodes)
        ):
            raise _Differs
        if open_nodes:
            parent = open_nodes[-1]
            if isinstance(parent[0], yaml.SequenceNode):
                parent[0].value.append(node)
            elif parent[1] is None:
                parent[1] = node
            else:
                parent[0].value.append((parent[1], node))
                parent[1] = None
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= MAX_DEPTH:
                raise YamlProblem(
                    f"the document is nested more than {MAX_DEPTH} levels deep", _line(event)
                )
            open_nodes.append([node, None])
        elif not open_nodes:
            return node


def _node(loader: Any, event: Any, anchors: dict[str, tuple[yaml.Node, int]]) -> yaml.Node:
    if isinstance(event, yaml.AliasEvent):
        if event.anchor not in anchors:
            raise YamlProblem(f"alias *{event.anchor} names no anchor before it", _line(event))
        return anchors[event.anchor][0]
    node: yaml.Node
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag == "!":  # "non-specific": text (the Python parser calls an empty one implicit)
            tag = "tag:yaml.org,2002:str"
        elif tag is None:
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        start: Any = event.start_mark
        end: Any = event.end_mark
        node = yaml.ScalarNode(tag, event.value, start, end, event.style)
    else:
        kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        if tag is None or tag == "!":
            tag = loader.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
    if event.anchor is not None:
        if event.anchor in anchors:
            first = anchors[event.anchor][1]
            raise YamlProblem(
                f"anchor &{event.anchor} is defined twice (first at line {first})", _line(event)
            )
        anchors[event.anchor] = (node, _line(event))
    return node
