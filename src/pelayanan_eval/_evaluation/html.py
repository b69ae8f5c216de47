"""Results as HTML for notebooks: the report card as a card with bars, the evaluation as a table."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from pelayanan_eval._common.records import HTML_ROWS, html_table

STYLE = (
    "font-family:sans-serif;max-width:46em;border:1px solid #ccc;border-radius:6px;"
    "padding:0.8em 1em"
)


def _bar(score: float, best: float, high: float) -> str:
    """Return a bar for a score on 0..`high`, with a tick at the category's best."""
    width = 0.0 if score != score else max(0.0, min(score / high, 1.0)) * 100
    tick = 0.0 if best != best else max(0.0, min(best / high, 1.0)) * 100
    return (
        '<div style="position:relative;background:#edf2f7;height:0.8em;width:10em">'
        f'<div style="background:#2b6cb0;height:100%;width:{width:.1f}%"></div>'
        f'<div style="position:absolute;top:-2px;left:{tick:.1f}%;height:1.1em;'
        'border-left:2px solid #38a169"></div></div>'
    )


def card_html(card: Any) -> str:
    """Render a :class:`ReportCard` as an HTML card: headline, aspects with bars, losses, path.

    Bars run from 0 to the criteria's scale maximum (as the losses give it;
    5 when nothing was lost), with a green tick at the category's best.
    """
    esc = html.escape
    scale_max = max((loss.max for loss in card.losses), default=5.0)
    unit = card.unit
    grade = f"{esc(card.grade.code)} {esc(card.grade.label)}" if card.grade else "no grade"
    rank = "" if card.rank != card.rank else f"; rank {card.rank:g} of {card.ranked_in_group}"
    category = f", category {esc(unit.category)}" if unit.category else ""
    right = "<td style='text-align:right'>"
    rows = "".join(
        f"<tr><td>{esc(a.name)}</td>{right}{a.weight:.1%}</td>{right}{a.score:.2f}</td>"
        f"<td>{_bar(a.score, a.category_best, scale_max)}</td>{right}{a.category_mean:.2f}</td>"
        f"{right}{a.category_best:.2f}</td></tr>"
        for a in card.aspects
    )
    losses = "".join(
        f"<li><b>{esc(x.id)}</b> {esc(x.name)}: {x.score:g}/{x.max:g}, -{x.points:.3f}</li>"
        for x in card.losses
    )
    if card.next_grade is None:
        path = f"<p>{esc(card.note)}</p>"
    else:
        nxt = card.next_grade
        steps = "".join(
            f"<li>&#9744; <b>{esc(s.id)}</b> {esc(s.name)}: {s.before:g} &rarr; {s.after:g} "
            f"(+{s.gain:.3f})</li>"
            for s in nxt.steps
        )
        path = (
            f"<p>Path to <b>{esc(nxt.code)}</b> ({esc(nxt.label)}, from {nxt.lower:g}): raise "
            f"{nxt.levels} level(s), reaching {nxt.reaches:.2f}</p>"
            f"<ul style='list-style:none;padding-left:0'>{steps}</ul>"
        )
    return (
        f'<div style="{STYLE}"><div style="font-size:1.15em"><b>{esc(unit.name or unit.id)}</b> '
        f"({esc(unit.id)}){category}</div>"
        f'<div><span style="font-size:1.8em;font-weight:bold">{card.rounded:.2f}</span> '
        f"{grade}{rank}</div><div style='color:#555'>rubric {esc(card.rubric_id)}; "
        f"{card.visits} visit(s); coverage {card.coverage:.0%}</div>"
        "<table><thead><tr><th>aspect</th><th>weight</th><th>score</th><th></th>"
        f"<th>cat. mean</th><th>cat. best</th></tr></thead><tbody>{rows}</tbody></table>"
        + (f"<p>Criteria that lost the most points:</p><ul>{losses}</ul>" if losses else "")
        + path
        + "</div>"
    )


def evaluation_html(evaluation: Any) -> str:
    """Render an evaluation as a table for notebooks: by category, best first, ties marked ``=``.

    The first :data:`HTML_ROWS` rows of that order are shown, and the count of the others.
    """
    ranks = evaluation.rank("category")
    units = evaluation.units
    order = np.lexsort((units.ids, np.nan_to_num(ranks, nan=np.inf), units.categories))
    shown = order[:HTML_ROWS].tolist()
    pairs = np.stack([units.group_codes("category"), np.nan_to_num(ranks, nan=-1.0)], axis=1)
    _, inverse, counts = np.unique(pairs, axis=0, return_inverse=True, return_counts=True)
    tied = counts[inverse.reshape(-1)] > 1
    rows = [
        (units.ids[i], units.names[i], units.categories[i], f"{evaluation.rounded[i]:.2f}",
         evaluation.grades[i],
         "" if np.isnan(ranks[i]) else f"{'=' if tied[i] else ''}{ranks[i]:g}")
        for i in shown
    ]  # fmt: skip
    head = ("unit", "name", "category", "index", "grade", "rank")
    return html_table(repr(evaluation), head, rows, len(evaluation) - len(rows), noun="units")
