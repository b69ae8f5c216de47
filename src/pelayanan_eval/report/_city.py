"""The city report: rankings per category with awards and coaching, grades, priorities, heatmap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.report._html import band_colour, esc, page, score_colour, table
from pelayanan_eval.report._messages import number, percent, plain, text
from pelayanan_eval.report._rapor import category_name, provenance
from pelayanan_eval.report._svg import count_bars

WEAKEST = 10  # criteria listed among the city's priorities


def marks(evaluation: Evaluation, top: int, bottom: int) -> npt.NDArray[np.str_]:
    """Each unit's mark: ``award`` (ranked `top` or better), ``coaching`` (the `bottom` lowest)."""
    ids = evaluation.units.ids
    out = np.full(len(ids), "", dtype="<U8")
    if bottom:
        out[np.isin(ids, [s.unit for s in evaluation.bottom(bottom)])] = "coaching"
    if top:
        out[np.isin(ids, [s.unit for s in evaluation.top(top)])] = "award"
    return out


def _priorities(evaluation: Evaluation, locale: str) -> str:
    rubric = evaluation.rubric
    low, high = rubric.scale.min, rubric.scale.max
    aspect_ids = evaluation.score_ids(1)
    with np.errstate(invalid="ignore"):
        means = np.nanmean(evaluation.scores(1), axis=0) if len(evaluation) else np.array([])
    shares = (means - low) / (high - low)
    order = np.argsort(shares, kind="stable")
    head = [esc(text(k, locale)) for k in ("aspect", "weight", "city_mean", "share_of_max")]
    aspects = table(head, [
        (esc(rubric[aspect_ids[j]].name), esc(percent(rubric.weight_of(aspect_ids[j]), locale, 1)),
         esc(number(means[j], locale)), esc(percent(shares[j], locale)))
        for j in order.tolist()
    ], numeric=(1, 2, 3), widths=("52%", "14%", "16%", "18%"))  # fmt: skip
    leaf_low, leaf_high = rubric.leaf_scales
    with np.errstate(invalid="ignore"):
        leaf_means = np.nanmean(evaluation.leaf_scores, axis=0)
        leaf_shares = (leaf_means - leaf_low) / (leaf_high - leaf_low)
    # the largest weighted shortfall first: what lifts the city's mean index most
    shortfall = rubric.leaf_weights * (leaf_high - leaf_means) * rubric.conversion.factor
    worst = np.argsort(-np.nan_to_num(shortfall, nan=-1.0), kind="stable")[:WEAKEST]
    head = [esc(text(k, locale)) for k in ("criterion", "name", "weight", "city_mean",
                                           "share_of_max", "city_gain")]  # fmt: skip
    criteria = table(head, [
        (esc(rubric.leaves[j].id), esc(rubric.leaves[j].name),
         esc(percent(rubric.leaf_weights[j], locale, 1)), esc(number(leaf_means[j], locale)),
         esc(percent(leaf_shares[j], locale)), esc("+" + number(shortfall[j], locale, 3)))
        for j in worst.tolist()
    ], numeric=(2, 3, 4, 5), widths=("10%", "40%", "11%", "12%", "13%", "14%"))  # fmt: skip
    return (
        f'<h2 id="priorities">{esc(text("priorities", locale))}</h2>'
        f"<p>{esc(text('priorities_intro', locale))}</p>"
        f"<h3>{esc(text('weak_aspects', locale))}</h3>{aspects}"
        f"<h3>{esc(text('weak_criteria', locale))}</h3>{criteria}"
    )


def _distribution(evaluation: Evaluation, categories: list[str], locale: str) -> str:
    bands = evaluation.rubric.grades.bands
    codes = [b.code for b in bands]
    colours = [band_colour(i, len(bands)) for i in range(len(bands))]
    counts = [int(np.count_nonzero(evaluation.grades == code)) for code in codes]
    chart = count_bars(codes, counts, colours, text("chart_grades", locale))
    head = [esc(text("category", locale)), *(esc(c) for c in codes)]
    rows = []
    for category in categories:
        inside = evaluation.grades[evaluation.units.categories == category]
        rows.append([esc(category_name(category, locale)),
                     *(str(int(np.count_nonzero(inside == c))) for c in codes)])  # fmt: skip
    rows.append([f"<strong>{esc(text('all_units', locale))}</strong>", *map(str, counts)])
    numeric = tuple(range(1, len(codes) + 1))
    return (f"<h2 id=\"grades\">{esc(text('distribution', locale))}</h2>{chart}"
            + table(head, rows, numeric=numeric, widths=("22%", *(
                [f"{78 / len(codes):.2f}%"] * len(codes)))))  # fmt: skip


def _ranking(
    evaluation: Evaluation,
    category: str,
    rows_of: npt.NDArray[np.intp],
    ranks: npt.NDArray[np.float64],
    mark: npt.NDArray[np.str_],
    links: Mapping[str, str],
    locale: str,
) -> str:
    bands = evaluation.rubric.grades.bands
    position = {b.code: i for i, b in enumerate(bands)}
    digits = evaluation.rubric.rounding.digits
    digits = 2 if digits is None else digits
    units, labels = evaluation.units, evaluation.grade_labels
    rows = []
    for i in rows_of.tolist():
        unit_id, grade = str(units.ids[i]), str(evaluation.grades[i])
        colour = band_colour(position.get(grade, -1), len(bands))
        name = esc(units.names[i] or unit_id)
        link = links.get(unit_id)
        if link:
            name = f'<a href="{esc(link)}">{name}</a>'
        flag = text(str(mark[i]), locale) if mark[i] else ""
        rows.append((esc("-" if ranks[i] != ranks[i] else plain(ranks[i], locale)),
                     f"{name}<br><span class=\"muted\">{esc(unit_id)}</span>",
                     esc(number(evaluation.rounded[i], locale, digits)),
                     f'<span class="badge" style="background:{colour}">{esc(grade or "-")}'
                     f"</span> {esc(labels[i])}",
                     f'<span class="mark">{esc(flag)}</span>'))  # fmt: skip
    head = [esc(text(k, locale)) for k in ("rank", "unit", "index", "grade", "mark")]
    shown = category_name(category, locale)
    return (
        f"<h3>{esc(text('ranking', locale, category=shown))} "
        f"({esc(text('units_count', locale, count=len(rows_of)))})</h3>"
        + table(head, rows, numeric=(0, 2), widths=("9%", "43%", "12%", "24%", "12%"))
    )


def _heatmap(evaluation: Evaluation, rows_of: npt.NDArray[np.intp], locale: str) -> str:
    rubric = evaluation.rubric
    aspect_ids = evaluation.score_ids(1)
    scores = evaluation.scores(1)
    low, high = rubric.scale.min, rubric.scale.max
    head = [f'<span title="{esc(rubric[a].name)}">{esc(a)}</span>' for a in aspect_ids]
    rows = []
    for i in rows_of.tolist():
        cells = [esc(evaluation.units.ids[i])]
        for j in range(len(aspect_ids)):
            value = float(scores[i, j])
            colour = score_colour((value - low) / (high - low))
            cells.append(f'<span style="display:block;background:{colour}">'
                         f"{esc(number(value, locale))}</span>")  # fmt: skip
        rows.append(cells)
    return f"<h3>{esc(text('heatmap', locale))}</h3>" + table(
        [esc(text("unit", locale)), *head], rows, css="heat"
    )


def city_document(
    evaluation: Evaluation,
    *,
    locale: str,
    top: int,
    bottom: int,
    period: str | None,
    title: str | None,
    links: Mapping[str, str],
    note: str | None = None,
) -> str:
    """Render the city report as a whole HTML document; `links` maps unit ids to rapor files."""
    units = evaluation.units
    ranks = evaluation.rank("category")
    mark = marks(evaluation, top, bottom)
    categories = sorted(set(units.categories.tolist()))
    order = np.lexsort((units.ids, ranks, units.categories))
    heading = title or text("city_title", locale)
    summary = text("summary_line", locale, units=len(units), categories=len(categories),
                   rubric=evaluation.rubric.id)  # fmt: skip
    warning = f'<p class="synthetic">{esc(note)}</p>' if note else ""
    sections = []
    for category in categories:
        rows_of = order[units.categories[order] == category]
        sections.append('<section class="category">'
                        + _ranking(evaluation, category, rows_of, ranks, mark, links, locale)
                        + _heatmap(evaluation, rows_of, locale) + "</section>")  # fmt: skip
    period_line = f"<p>{esc(text('period', locale))}: <strong>{esc(period)}</strong></p>"
    body = (
        warning + f"<h1>{esc(heading)}</h1>" + (period_line if period else "")
        + f"<h2>{esc(text('summary', locale))}</h2><p>{esc(summary)}</p>"
        + f"<p>{esc(text('marks_note', locale, top=top, bottom=bottom))}</p>"
        + _priorities(evaluation, locale)
        + _distribution(evaluation, categories, locale)
        + "".join(sections)
        + provenance(evaluation, locale)
    )  # fmt: skip
    return page(heading, body, locale)
