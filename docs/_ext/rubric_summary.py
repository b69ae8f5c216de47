"""``rubric-summary`` directive: a bundled rubric's structure and provenance, read from its file.

The regulations page uses it so the lists of provisional parts, notes and sources
are always the ones in ``rubrics/*.yaml``, never a copy that can drift.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning

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


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
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
    option_spec = {"depth": directives.positive_int}

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
        out: list[nodes.Node] = [_table(["", rubric.id], facts)]

        rows = []
        for node in rubric.nodes:
            level = len(rubric.path(node.id))
            if level > depth:
                continue
            written = "—" if node.weight is None else _number(node.weight)
            rows.append([
                "\u2003" * (level - 1) + node.id,
                node.name,
                written,
                f"{rubric.weight_of(node.id) * 100:.4g} %",
                str(sum(1 for leaf in rubric.leaves if node.id in rubric.path(leaf.id))),
            ])
        out.append(_paragraph("Criteria (weight as written, effective weight in the index, "
                              "number of scored leaves):"))
        out.append(_table(["id", "name", "weight", "effective", "leaves"], rows))
        if rubric.grades.bands:
            out.append(_paragraph("Grade bands (lower bounds, top band first):"))
            out.append(_table(
                ["code", "from", "label"],
                [[b.code, _number(b.min), b.label] for b in rubric.grades],
            ))
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


def setup(app: Any) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("rubric-summary", RubricSummary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
