"""Local Sphinx extension of the pelayanan_eval docs.

- ``rubric-summary`` directive: a bundled rubric's structure and provenance, read
  from its file, so the regulations page lists the provisional parts, notes and
  sources that are in ``rubrics/*.yaml``, never a copy that can drift.
- A check that every public name (``pelayanan_eval.__all__``,
  and the ``__all__`` of the public modules ``exceptions``, ``ikm``, ``results``,
  ``schema`` and ``typing``) is
  documented; a missing one is a warning, so the ``-W`` build fails until
  ``api.md`` lists it.
- ``numpy.typing.ArrayLike`` in overloaded signatures is shown by its name.
- Doctest sessions (``pycon`` blocks) end with a blank line, which doctest needs
  before the closing fence; it is trimmed from the rendered block, and the
  ``<BLANKLINE>`` markers doctest needs for empty output lines are shown as
  the empty lines they stand for.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import pelayanan_eval as pe
import pelayanan_eval.exceptions
import pelayanan_eval.ikm
import pelayanan_eval.results
import pelayanan_eval.schema
import pelayanan_eval.typing
from pelayanan_eval.exceptions import ProvisionalRubricWarning

logger = logging.getLogger(__name__)

_URL = re.compile(r"(https?://[^\s;,)]+)")


def _paragraph(text: str) -> nodes.paragraph:
    """A paragraph with bare URLs turned into links."""
    para = nodes.paragraph()
    for i, piece in enumerate(_URL.split(text)):
        if i % 2:
            para += nodes.reference(piece, piece, refuri=piece)
        elif piece:
            para += nodes.Text(piece)
    return para


def _bullets(items: tuple[str, ...]) -> nodes.bullet_list:
    bullets = nodes.bullet_list()
    for item in items:
        bullets += nodes.list_item("", _paragraph(item))
    return bullets


def _table(header: list[str], rows: list[list[str]], widths: list[int]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    body = nodes.tbody()
    group += body
    for target, cells in ((head, header), *((body, row) for row in rows)):
        row_node = nodes.row()
        for cell in cells:
            row_node += nodes.entry("", nodes.paragraph(text=cell))
        target += row_node
    return table


def _number(value: float) -> str:
    return f"{value:g}"


class RubricSummary(SphinxDirective):
    """Render facts, top-level weights, grades and provenance of one bundled rubric."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "depth": directives.positive_int,
    }

    def run(self) -> list[nodes.Node]:
        rubric_id = self.arguments[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProvisionalRubricWarning)
            rubric = pe.load_rubric(rubric_id)
        info = {i.id: i for i in pe.available_rubrics()}[rubric_id]
        self.env.note_dependency(str(info.path))
        depth = self.options.get("depth", 1)
        low, high = rubric.index_range
        rounding = (
            f"{rubric.rounding.digits} decimals, {rubric.rounding.mode}"
            if rubric.rounding.digits is not None
            else "none"
        )
        facts = [
            ["regulation", rubric.regulation.name],
            ["status", rubric.status],
            ["scored criteria (leaves)", str(len(rubric.leaves))],
            ["leaf scale", f"{_number(rubric.scale.min)}–{_number(rubric.scale.max)}"],
            ["top-level weighting", rubric.weighting],
            ["conversion factor", _number(rubric.conversion.factor)],
            ["index range", f"{_number(round(low, 9))}–{_number(round(high, 9))}"],
            ["rounding before grading", rounding],
        ]
        out: list[nodes.Node] = [_table(["", rubric.id], facts, [25, 75])]

        rows = []
        for node in rubric.nodes:
            level = len(rubric.path(node.id))
            if level > depth:
                continue
            written = "—" if node.weight is None else _number(node.weight)
            rows.append(
                [
                    "\u2003" * (level - 1) + node.id,
                    node.name,
                    written,
                    f"{rubric.weight_of(node.id) * 100:.4g} %",
                    str(sum(1 for leaf in rubric.leaves if node.id in rubric.path(leaf.id))),
                ]
            )
        out.append(
            _paragraph(
                "Criteria: the weight as read from the file (a percentage as a "
                "fraction), the effective weight in the index, and the number "
                "of scored leaves below:"
            )
        )
        header = ["id", "name", "weight", "effective", "leaves"]
        out.append(_table(header, rows, [22, 50, 8, 10, 7]))
        if rubric.grades.bands:
            out.append(_paragraph("Grade bands (lower bounds, top band first):"))
            out.append(
                _table(
                    ["code", "from", "label"],
                    [[b.code, _number(b.min), b.label] for b in rubric.grades],
                    [6, 8, 30],
                )
            )
        else:
            out.append(_paragraph("No grade bands."))
        for title, items in (
            ("Provisional parts (from the rubric's provisional list)", rubric.provisional),
            ("Notes", rubric.notes),
            ("Sources", rubric.regulation.sources),
        ):
            if items:
                out.append(_paragraph(f"{title}:"))
                out.append(_bullets(items))
        return out


def _trim_sessions(app: Any, doctree: nodes.document) -> None:
    """Drop the trailing blank line of each ``pycon`` block; show ``<BLANKLINE>`` as empty."""
    for block in doctree.findall(nodes.literal_block):
        if block.get("language") != "pycon":
            continue
        original = block.astext()
        lines = ["" if line == "<BLANKLINE>" else line for line in original.splitlines()]
        text = "\n".join(lines).rstrip()
        if text != original:
            block.children = [nodes.Text(text)]
            block.rawsource = text


def _shorten_array_like(app: Any, doctree: nodes.document) -> None:
    """Show ``numpy.typing.ArrayLike`` annotations as ``ArrayLike``.

    autodoc expands the alias into its whole union in ``@overload`` signatures
    (``Rubric.grade``) and prints ``TypeAliasForwardRef('...')`` when the alias is
    part of a union (``npt.ArrayLike | None``).
    """
    for xref in list(doctree.findall(addnodes.pending_xref)):
        if xref.get("reftarget") != "TypeAliasForwardRef" or xref.parent is None:
            continue
        parent = xref.parent
        at = parent.index(xref)
        following = parent.children[at + 1 : at + 4]
        if len(following) == 3 and isinstance(following[1], addnodes.desc_sig_literal_string):
            name = following[1].astext().strip("'\"").rsplit(".", 1)[-1]
            parent.children[at : at + 4] = [addnodes.desc_sig_name("", name)]
    for parameter in doctree.findall(addnodes.desc_parameter):
        if "_SupportsArray" in parameter.astext() and len(parameter.children) > 3:
            parameter.children[3] = addnodes.desc_sig_name("", "ArrayLike")


def _check_public_names(app: Any, env: Any) -> None:
    """Warn about public names that no page documents."""
    documented = set(env.get_domain("py").objects)
    public = [f"pelayanan_eval.{name}" for name in pe.__all__ if name != "__version__"]
    modules = (pelayanan_eval.exceptions, pelayanan_eval.ikm, pelayanan_eval.results,
               pelayanan_eval.schema, pelayanan_eval.typing)  # fmt: skip
    for module in modules:
        public += [f"{module.__name__}.{name}" for name in module.__all__]
    missing = [name for name in public if name not in documented]
    if missing:
        logger.warning(
            "public names missing from the API reference (docs/api.md): %s", ", ".join(missing)
        )


def setup(app: Any) -> dict[str, Any]:
    """Register the directive, the signature and session clean-ups, and the API check."""
    app.add_directive("rubric-summary", RubricSummary)
    app.connect("doctree-read", _trim_sessions)
    app.connect("doctree-read", _shorten_array_like)
    app.connect("env-check-consistency", _check_public_names)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
