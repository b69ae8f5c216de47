"""The evaluation workbook: a ranking sheet per category, the report-card rows, the settings."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pelayanan_eval._data.excel import openpyxl_module
from pelayanan_eval._evaluation.card import ReportCard
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._version import __version__
from pelayanan_eval.report._city import marks
from pelayanan_eval.report._messages import text
from pelayanan_eval.report._rapor import category_name

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    """Return a sheet name Excel accepts: at most 31 characters, none of ``[]:*?/``, distinct."""
    base = _SHEET_UNSAFE.sub("_", title)[:31] or "_"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(name.lower())
    return name


def _number(value: float) -> float | None:
    return None if value != value else float(value)


def workbook_bytes(
    evaluation: Evaluation,
    *,
    locale: str,
    top: int,
    bottom: int,
    cards: Sequence[ReportCard] | None = None,
) -> bytes:
    """Write the evaluation workbook and return the ``.xlsx`` file's bytes.

    `cards` are the evaluation's report cards, when the caller has them already.
    """
    openpyxl = openpyxl_module("writing .xlsx workbooks")
    book = openpyxl.Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    units, rubric = evaluation.units, evaluation.rubric
    ranks = evaluation.rank("category")
    mark = marks(evaluation, top, bottom)
    aspects = evaluation.score_ids(1)
    scores = evaluation.scores(1)
    digits = rubric.rounding.digits if rubric.rounding.digits is not None else 2
    fmt = "0." + "0" * digits if digits else "0"
    head = [text(k, locale) for k in ("rank", "tied", "unit_id", "name", "index", "grade",
                                      "label", "mark")]  # fmt: skip
    head += [rubric[a].name for a in aspects] + [f"{text('index', locale)} (raw)"]
    order = np.lexsort((units.ids, ranks, units.categories))
    for category in sorted(set(units.categories.tolist())):
        title = f"{text('sheet_ranking', locale)} {category_name(category, locale)}"
        sheet = book.create_sheet(_sheet_title(title, taken))
        sheet.append(head)
        rows = order[units.categories[order] == category]
        # rows are sorted by rank: a unit is tied when a neighbour has its rank
        same = np.diff(ranks[rows]) == 0
        shared_rank = np.zeros(len(rows), dtype=bool)
        shared_rank[1:] |= same
        shared_rank[:-1] |= same
        for line, (i, shared) in enumerate(zip(rows.tolist(), shared_rank.tolist(),
                                               strict=True), start=2):  # fmt: skip
            rank = _number(ranks[i])
            sheet.append([
                None if rank is None else (int(rank) if rank.is_integer() else rank),
                text("tied", locale) if shared else "", str(units.ids[i]), str(units.names[i]),
                _number(evaluation.rounded[i]), str(evaluation.grades[i]),
                str(evaluation.grade_labels[i]), text(str(mark[i]), locale) if mark[i] else "",
                *(_number(v) for v in scores[i].tolist()), _number(evaluation.index[i]),
            ])  # fmt: skip
            sheet.cell(row=line, column=5).number_format = fmt
        sheet.freeze_panes = "A2"
    _cards_sheet(book.create_sheet(_sheet_title(text("sheet_cards", locale), taken)),
                 evaluation.cards() if cards is None else cards, locale)  # fmt: skip
    _settings_sheet(book.create_sheet(_sheet_title(text("sheet_settings", locale), taken)),
                    evaluation, locale)  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cards_sheet(sheet: Any, cards: Sequence[ReportCard], locale: str) -> None:
    sheet.append([text(k, locale) for k in ("unit_id", "name", "category", "index", "grade",
                                            "rank", "worst_criteria", "next_grade",
                                            "levels_needed", "next_title")])  # fmt: skip
    for card in cards:
        nxt = card.next_grade
        path = "; ".join(f"{s.id} {s.before:g}->{s.after:g}" for s in nxt.steps) if nxt else ""
        sheet.append([
            card.unit.id, card.unit.name, card.unit.category, _number(card.rounded),
            card.grade.code if card.grade else "",
            None if card.rank != card.rank else card.rank,
            ", ".join(loss.id for loss in card.losses[:3]),
            nxt.code if nxt else "", nxt.levels if nxt else None, path or card.note,
        ])  # fmt: skip
    sheet.freeze_panes = "A2"


def _settings_sheet(sheet: Any, evaluation: Evaluation, locale: str) -> None:
    rubric = evaluation.rubric
    sheet.append([text("setting", locale), text("value", locale)])
    rows: list[tuple[str, Any]] = [
        (text("rubric", locale), rubric.id), ("title", rubric.title),
        (text("regulation", locale), rubric.regulation.name),
        (text("status", locale), rubric.status),
        *((text("provisional_parts", locale), part) for part in rubric.provisional),
    ]  # fmt: skip
    for key, value in attrs.asdict(evaluation.settings).items():
        rows.append((key, str(value) if isinstance(value, dict) else value))
    rows += [("pelayanan-eval", __version__), (text("locale", locale), locale)]
    for row in rows:
        sheet.append(list(row))
