"""The rapor: one unit's report card as a standalone, printable HTML document."""

from __future__ import annotations

from typing import Any

from pelayanan_eval._evaluation.card import ReportCard
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.agreement import Agreement, Disagreements
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.report._html import band_colour, esc, page, table
from pelayanan_eval.report._messages import number, percent, plain, text
from pelayanan_eval.report._svg import aspect_bars, short


def category_name(category: str, locale: str) -> str:
    """Return a category label as shown (``(tanpa kategori)`` when blank)."""
    return category if category else text("no_category", locale)


def level_text(rubric: Rubric, criterion: str, level: float) -> str:
    """Return the level text of `level` of a criterion (the nearest level below), or ``""``."""
    levels = rubric[criterion].levels
    fitting = [description for score, description in levels if score <= level + 1e-9]
    return fitting[-1] if fitting else ""


def provenance(evaluation: Evaluation, locale: str, *, full: bool = True) -> str:
    """Render the provenance section: rubric, regulation, status and unverified parts, settings.

    Without `full` the unverified parts are named, not described (the city
    report describes them).
    """
    rubric, s = evaluation.rubric, evaluation.settings
    status = text("provisional" if rubric.status == "provisional" else "verified", locale)
    rows = [
        (esc(text("rubric", locale)), esc(f"{rubric.id}: {rubric.title}")),
        (esc(text("regulation", locale)), esc(rubric.regulation.name)),
        (esc(text("status", locale)), esc(status)),
        (esc(text("content_hash", locale)), esc(s.rubric_hash[:16])),
        (esc(text("settings", locale)), esc(text(
            "settings_line", locale, method=s.aggregation.method, order=s.order,
            missing=s.missing, rounding=s.rounding))),
    ]  # fmt: skip
    if rubric.provisional:
        shown = rubric.provisional if full else [p.split(":", 1)[0] for p in rubric.provisional]
        parts = ("<br>" if full else "; ").join(esc(part) for part in shown)
        rows.append((esc(text("provisional_parts", locale)), parts))
    return f"<h2>{esc(text('provenance', locale))}</h2>" + table(
        ("", ""), rows, widths=("28%", "72%")
    )


def band_table(rubric: Rubric, current: str, locale: str) -> str:
    """Render the rubric's grade bands as one strip, best first, the unit's band outlined."""
    bands = rubric.grades.bands
    cells = []
    for position, band in enumerate(bands):
        colour = band_colour(position, len(bands))
        outline = ' class="here"' if band.code == current else ""
        cells.append(f'<td{outline} style="background:{colour}"><strong>{esc(band.code)}</strong>'
                     f"<br>&ge; {esc(number(band.min, locale))}<br>"
                     f'<span class="small">{esc(band.label)}</span></td>')  # fmt: skip
    return (
        f'<table class="bands" aria-label="{esc(text("bands", locale))}"><tbody><tr>'
        f"{''.join(cells)}</tr></tbody></table>"
    )


def _headline(evaluation: Evaluation, card: ReportCard, locale: str) -> str:
    rubric = evaluation.rubric
    if card.grade is None:
        return f"<p><strong>{esc(text('no_index', locale))}</strong></p>"
    digits = rubric.rounding.digits if rubric.rounding.digits is not None else 2
    bands = rubric.grades.bands
    position = [b.code for b in bands].index(card.grade.code)
    colour = band_colour(position, len(bands))
    rank = ""
    if card.rank == card.rank:
        rank = esc(text("rank_of", locale, rank=plain(card.rank, locale),
                        count=card.ranked_in_group,
                        category=category_name(card.unit.category, locale)))  # fmt: skip
    visits = esc(text("visits", locale, visits=card.visits,
                      coverage=percent(card.coverage, locale)))  # fmt: skip
    return (
        f'<div class="headline"><div class="index">{esc(number(card.rounded, locale, digits))}'
        f'</div><div><span class="badge" style="background:{colour}">'
        f"{esc(card.grade.code)}</span> {esc(card.grade.label)}<br>{rank}<br>"
        f'<span class="muted">{visits}</span></div></div>'
    )


def _aspects(evaluation: Evaluation, card: ReportCard, locale: str) -> str:
    """Render the aspects as one chart: the unit, its category's mean and best, each weight."""
    names = [f"{short(a.name, 27)} ({percent(a.weight, locale)})" for a in card.aspects]
    series = [[a.score for a in card.aspects], [a.category_mean for a in card.aspects],
              [a.category_best for a in card.aspects]]  # fmt: skip
    legend = [text(k, locale) for k in ("this_unit", "cat_mean", "cat_best")]
    low, high = evaluation.rubric.scale.min, evaluation.rubric.scale.max
    chart = aspect_bars(names, series, legend, (low, high), locale, text("chart_aspects", locale),
                        [a.name for a in card.aspects])  # fmt: skip
    return f"<h2>{esc(text('aspects', locale))}</h2>{chart}"


def _losses(card: ReportCard, locale: str) -> str:
    if not card.losses:
        return ""
    rows = [
        (esc(loss.id), esc(loss.name),
         esc(f"{plain(loss.score, locale)} / {plain(loss.max, locale)}"),
         esc(number(loss.points, locale, 3)))
        for loss in card.losses
    ]  # fmt: skip
    head = [esc(text("criterion", locale)), "", esc(text("score", locale)),
            esc(text("points_lost", locale))]  # fmt: skip
    return f"<h2>{esc(text('losses', locale))}</h2>" + table(
        head, rows, numeric=(2, 3), widths=("12%", "58%", "14%", "16%")
    )


def _next_grade(rubric: Rubric, card: ReportCard, locale: str) -> str:
    title = f"<h2>{esc(text('next_title', locale))}</h2>"
    nxt = card.next_grade
    if nxt is None:
        key = "top_band" if card.grade is not None and card.note.startswith("already") else None
        message = text(key, locale) if key else text("no_path", locale, why=card.note)
        return f"{title}<p>{esc(message)}</p>"
    digits = rubric.rounding.digits if rubric.rounding.digits is not None else 2
    intro = text("next_intro", locale, code=nxt.code, label=nxt.label,
                 lower=number(nxt.lower, locale), levels=nxt.levels, count=len(nxt.steps),
                 reaches=number(nxt.reaches, locale, digits))  # fmt: skip
    items = []
    for step in nxt.steps:
        change = text("from_to", locale, before=plain(step.before, locale),
                      after=plain(step.after, locale))  # fmt: skip
        needed = level_text(rubric, step.id, step.after)
        detail = f"<br><em>{esc(needed)}</em>" if needed else ""
        gain = f"+{number(step.gain, locale, 3)}"
        items.append(f"<li><strong>{esc(step.id)}</strong> {esc(step.name)}: {esc(change)} "
                     f'<span class="muted">({esc(gain)})</span>{detail}</li>')  # fmt: skip
    return f'{title}<p>{esc(intro)}</p><ul class="check">{"".join(items)}</ul>'


def _certainty(card: ReportCard, found: Any, locale: str) -> str:
    """Render the rank interval and the chances of an award and of the next grade."""
    if found is None:
        return ""
    unit = found.unit(card.unit.id)
    line = text(
        "certainty_line", locale, method=found.method, replicates=found.replicates,
        low=plain(unit.rank_low, locale), high=plain(unit.rank_high, locale),
        award=percent(unit.p_award, locale), next_grade=percent(unit.p_next_grade, locale),
    )  # fmt: skip
    return f"<h2>{esc(text('certainty', locale))}</h2><p>{esc(line)}</p>"


def _agreement(card: ReportCard, found: tuple[Any, Any] | None, locale: str) -> str:
    """Render the city's agreement between assessors and this unit's scores to re-check."""
    if found is None:
        return ""
    if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], Agreement)
            and isinstance(found[1], Disagreements)):  # fmt: skip
        raise OptionError("agreement= takes the pair (agreement.coefficients(obs), "
                          f"agreement.disagreements(obs)), got {type(found).__name__}")  # fmt: skip
    table, flags = found
    index = next(r for r in table.to_records() if r["kind"] == "index")
    mine = [p for p in flags.to_records() if p.get("unit") == card.unit.id]
    low, high = index["alpha_low"], index["alpha_high"]
    unknown = low is None or low != low  # no bootstrap: no interval
    interval = "" if unknown else f" [{number(low, locale)}–{number(high, locale)}]"
    line = text(
        "agreement_line", locale, alpha=number(index["alpha"], locale), interval=interval,
        icc=number(index["icc_1"], locale), threshold=plain(flags.threshold, locale),
        flags=", ".join(str(p["criterion"]) for p in mine) or "-",
    )  # fmt: skip
    return f"<h2>{esc(text('agreement', locale))}</h2><p>{esc(line)}</p>"


def rapor_document(
    evaluation: Evaluation,
    card: ReportCard,
    *,
    locale: str,
    period: str | None,
    home: str | None,
    note: str | None = None,
    uncertainty: Any = None,
    agreement: tuple[Any, Any] | None = None,
) -> str:
    """Render one unit's rapor as a whole HTML document.

    `uncertainty` is ``decisions.uncertainty`` of the evaluation and
    `agreement` the pair (``agreement.coefficients``,
    ``agreement.disagreements``) of its visits; each adds its section.
    """
    rubric, unit = evaluation.rubric, card.unit
    facts: list[tuple[str, Any]] = [
        (text("unit_id", locale), unit.id),
        (text("category", locale), category_name(unit.category, locale)),
    ]
    if unit.parent:
        facts.append((text("parent", locale), unit.parent))
    if period:
        facts.append((text("period", locale), period))
    facts_html = " · ".join(f"{esc(k)}: <strong>{esc(v)}</strong>" for k, v in facts)
    back = f'<p class="noprint"><a href="{esc(home)}">{esc(text("back", locale))}</a></p>'
    warning = f'<p class="synthetic">{esc(note)}</p>' if note else ""
    unscored = ""
    if card.unscored:
        unscored = (f"<p>{esc(text('unscored', locale))}: "
                    f"{esc(', '.join(card.unscored))}</p>")  # fmt: skip
    grade = card.grade.code if card.grade else ""
    body = (
        (back if home else "") + warning
        + f"<h1>{esc(text('rapor_title', locale))}</h1>"
        + f"<h2 style=\"border:0;margin-top:0\">{esc(unit.name or unit.id)}</h2>"
        + f"<p>{facts_html}</p>"
        + _headline(evaluation, card, locale)
        + band_table(rubric, grade, locale)
        + _aspects(evaluation, card, locale)
        + _losses(card, locale)
        + unscored
        + _next_grade(rubric, card, locale)
        + _certainty(card, uncertainty, locale)
        + _agreement(card, agreement, locale)
        + provenance(evaluation, locale, full=False)
    )  # fmt: skip
    title = f"{text('rapor_title', locale)}: {unit.name or unit.id}"
    return page(title, body, locale)
