"""The package layout: no import cycles, layers pointing one way, the CLI on the public API."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PUBLIC_SUBMODULES

PACKAGE = "pelayanan_eval"
ROOT = Path(__file__).resolve().parents[1] / "src" / PACKAGE
MAX_LINES = 400
PUBLIC = frozenset({PACKAGE, *(f"{PACKAGE}.{m}" for m in PUBLIC_SUBMODULES)})

# Layers, lowest first: a module may import its own layer and those below it.
# `exceptions` and `typing` (option types) sit below every layer.
LAYERS = ("_common", "_rubric", "_loading", "_data", "_evaluation", "ikm", "agreement", "_demo",
          "decisions", "facade", "plot", "report", "_cli", "__main__")  # fmt: skip
BASE = frozenset({"exceptions", "typing", "_version"})
FACADE = frozenset({"__init__", "results", "schema"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(module: str) -> Iterator[tuple[str, int, str]]:
    """Yield (imported module of the package, line, import text) for every import in `module`.

    Every import counts: at the top, inside ``if TYPE_CHECKING:`` and inside functions.
    ``from package import name`` is an import of the submodule ``package.name`` when
    there is one, else of ``package``.
    """
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    yield alias.name, node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            if not (base == PACKAGE or base.startswith(PACKAGE + ".")):
                continue
            text = f"from {'.' * node.level}{node.module or ''} import "
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if candidate in MODULES else base
                yield target, node.lineno, text + alias.name


GRAPH = {
    module: sorted({(target, line, text) for target, line, text in _imports(module)})
    for module in MODULES
}


def find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in edges.get(node, []):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _layer(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in BASE:
        return "base"
    return "facade" if top in FACADE else top


def test_modules_are_found() -> None:
    """The test sees the package's modules (so the checks below are not vacuous)."""
    for module in ("pelayanan_eval._cli.main", "pelayanan_eval._rubric", "pelayanan_eval.ikm"):
        assert module in MODULES
    engine = {target for target, _, _ in GRAPH["pelayanan_eval._evaluation.engine"]}
    assert "pelayanan_eval._rubric.model" in engine


def test_find_cycle_reports_a_cycle() -> None:
    """The cycle finder returns the modules of a cycle, and None for a graph without one."""
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b", "c"], "b": ["c"], "c": []}) is None


def test_no_import_cycles() -> None:
    """No module imports itself through other modules (TYPE_CHECKING imports count too)."""
    edges = {m: [t for t, _, _ in imports if t != m] for m, imports in GRAPH.items()}
    cycle = find_cycle(edges)
    if cycle:
        steps = []
        for source, target in itertools.pairwise(cycle):
            line, text = next((ln, tx) for t, ln, tx in GRAPH[source] if t == target)
            steps.append(f"{source} (line {line}: {text})")
        pytest.fail("import cycle: " + " -> ".join(steps) + f" -> {cycle[-1]}")


def test_cli_uses_only_the_public_api() -> None:
    """The command line imports only public modules of the package (and its own modules)."""
    offences = [
        f"{module} line {line}: {text} (private: {target})"
        for module, imports in GRAPH.items()
        if module.startswith(f"{PACKAGE}._cli")
        for target, line, text in imports
        if target not in PUBLIC and not target.startswith(f"{PACKAGE}._cli")
    ]
    assert not offences, "the CLI imports private modules:\n" + "\n".join(offences)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_short(module: str) -> None:
    """No module is over 400 lines."""
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"


def _allowed(source: str, target: str) -> bool:
    mine, theirs = _layer(source), _layer(target)
    if mine == "_common":
        return theirs in ("_common", "base") and target in (
            f"{PACKAGE}.exceptions",
            *(m for m in MODULES if _layer(m) == "_common"),
        )
    if mine == "base":  # exceptions, typing, _version: nothing of the package but exceptions
        return target == f"{PACKAGE}.exceptions"
    if theirs == "base":
        return True
    return LAYERS.index(theirs) <= LAYERS.index(mine)


def test_layers_point_one_way() -> None:
    """Each layer imports only layers below it: _common <- _rubric <- ... <- ikm <- _cli."""
    offences = [
        f"{module} ({_layer(module)}) line {line}: {text} imports {target} ({_layer(target)})"
        for module, imports in GRAPH.items()
        for target, line, text in imports
        if target != module and not _allowed(module, target)
    ]
    assert not offences, "imports against the layers:\n" + "\n".join(offences)
