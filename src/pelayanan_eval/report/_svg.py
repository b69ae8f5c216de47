"""Inline SVG charts for the reports: small, exact, and with no plotting library needed.

The reports draw their few charts as SVG text so that an HTML file stays one
file and 10,000 rapor need no plotting library; :mod:`pelayanan_eval.plot`
draws the same figures with matplotlib for notebooks and papers.
"""

from __future__ import annotations

from collections.abc import Sequence

from pelayanan_eval.report._html import esc
from pelayanan_eval.report._messages import number

WIDTH = 640
SERIES = ("#2b6cb0", "#a0aec0", "#38a169")  # this unit, category mean, category best


def short(name: str, width: int = 36) -> str:
    """Cut `name` to `width` characters with an ellipsis (the full name is the bar's title)."""
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def aspect_bars(
    names: Sequence[str],
    series: Sequence[Sequence[float]],
    legend: Sequence[str],
    scale: tuple[float, float],
    locale: str,
    caption: str,
    titles: Sequence[str] = (),
) -> str:
    """Horizontal grouped bars: one group per aspect, one bar per series, value at the end.

    `titles` are the full names shown on hover (default: the labels).
    """
    low, high = scale
    left, right, bar, gap = 240, 40, 9, 8
    group = bar * len(series) + gap
    top = 26
    height = top + group * len(names) + 22
    span = WIDTH - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{esc(caption)}"><title>{esc(caption)}</title>',
        '<g font-size="11" font-family="DejaVu Sans, Arial, sans-serif">',
    ]
    x = left
    for k, label in enumerate(legend):
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{SERIES[k]}"/>'
                     f'<text x="{x + 14}" y="15">{esc(label)}</text>')  # fmt: skip
        x += 14 + 7 * len(label) + 18
    for tick in range(int(low), int(high) + 1):
        tx = left + span * (tick - low) / (high - low)
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{height - 18}" '
                     f'stroke="#e2e2e2"/><text x="{tx:.1f}" y="{height - 5}" '
                     f'text-anchor="middle" fill="#555">{tick}</text>')  # fmt: skip
    for i, name in enumerate(names):
        y0 = top + i * group
        title = titles[i] if i < len(titles) else name
        parts.append(
            f'<text x="{left - 6}" y="{y0 + bar * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end"><title>{esc(title)}</title>{esc(short(name))}</text>'
        )
        for k, values in enumerate(series):
            value = values[i]
            if value != value:
                continue
            w = span * (min(max(value, low), high) - low) / (high - low)
            y = y0 + k * bar
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 1}" '
                         f'fill="{SERIES[k]}"/><text x="{left + w + 3:.1f}" y="{y + bar - 1.5}" '
                         f'font-size="9">{number(value, locale)}</text>')  # fmt: skip
    parts.append("</g></svg>")
    return "".join(parts)


def count_bars(
    labels: Sequence[str], counts: Sequence[int], colours: Sequence[str], caption: str
) -> str:
    """Vertical bars, one per label (a grade), with the count above each bar."""
    height, bottom, top = 170, 24, 16
    slot = WIDTH / max(len(labels), 1)
    peak = max(max(counts, default=0), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{esc(caption)}"><title>{esc(caption)}</title>',
        '<g font-size="11" font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle">',
    ]
    for i, (label, count, colour) in enumerate(zip(labels, counts, colours, strict=True)):
        h = (height - bottom - top) * count / peak
        x = i * slot + slot * 0.15
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{colour}" stroke="#777" stroke-width="0.5"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}">{count}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{height - 8}">{esc(label)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
