"""The HTML page of every report: one file, no network, print-friendly A4, band colours."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from pelayanan_eval._version import __version__
from pelayanan_eval.report._messages import text

# green (best) to red (worst); a band's colour is picked by its position in the scale
PALETTE = ("#1a9850", "#66bd63", "#a6d96a", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43",
           "#d73027")  # fmt: skip

CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt;
  color: #1b1b1b; }
body { margin: 0 auto; max-width: 182mm; padding: 6mm 0; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 1.5mm; border-bottom: 1px solid #999;
  break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
p { margin: 1.5mm 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 1mm 0 3mm; }
th, td { border: 1px solid #c8c8c8; padding: 1mm 1.5mm; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #eef0f3; font-weight: 600; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
.headline { display: flex; gap: 6mm; align-items: center; margin: 3mm 0; }
.index { font-size: 28pt; font-weight: 700; }
.badge { display: inline-block; padding: 1mm 3mm; border-radius: 2mm; font-weight: 700; }
.muted { color: #555; font-size: 9pt; }
.mark { font-weight: 700; }
.current td { font-weight: 700; }
.check { list-style: none; padding-left: 0; margin: 1mm 0; }
.check li { margin: 0 0 1mm; padding-left: 6mm; text-indent: -6mm; break-inside: avoid;
  font-size: 8.8pt; line-height: 1.25; }
.check li::before { content: "\\2610\\00a0\\00a0"; font-size: 11pt; }
svg { width: 100%; height: auto; display: block; }
section { break-inside: auto; }
section.category { break-before: page; page-break-before: always; }
.heat td { text-align: center; font-size: 8.5pt; padding: 0.3mm 1mm; }
.bands td { text-align: center; font-size: 8.5pt; padding: 1mm 0.5mm; }
.bands td.here { outline: 2.5px solid #1b1b1b; outline-offset: -2.5px; }
.small { font-size: 7.5pt; }
.heat td.name, .heat th.name { text-align: left; }
.synthetic { border: 2px solid #d73027; padding: 1mm 2mm; font-weight: 700; }
a { color: #0b4f8a; }
@media print { a { color: inherit; text-decoration: none; } .noprint { display: none; } }
"""


def esc(value: object) -> str:
    """Escape any value for HTML text or an attribute."""
    return html.escape(str(value), quote=True)


def band_colour(position: int, bands: int) -> str:
    """Return the colour of band `position` (0 = top) in a scale of `bands` bands."""
    if position < 0 or bands <= 0:
        return "#ffffff"
    step = (len(PALETTE) - 1) / max(bands - 1, 1)
    return PALETTE[min(round(position * step), len(PALETTE) - 1)]


def score_colour(share: float) -> str:
    """Return the colour of a score that is `share` of its scale (1 = best); white when unknown."""
    if share != share:
        return "#ffffff"
    share = min(max(share, 0.0), 1.0)
    return PALETTE[round((1 - share) * (len(PALETTE) - 1))]


def table(
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    widths: Sequence[str] = (),
    row_class: Sequence[str] = (),
    css: str = "",
) -> str:
    """Render an HTML table of already-escaped cells; `numeric` columns are right-aligned."""
    cols = "".join(f'<col style="width:{w}">' for w in widths)
    heads = "".join(
        f'<th class="num">{h}</th>' if i in numeric else f"<th>{h}</th>" for i, h in enumerate(head)
    )
    body = []
    for r, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        extra = f' class="{row_class[r]}"' if r < len(row_class) and row_class[r] else ""
        body.append(f"<tr{extra}>{cells}</tr>")
    klass = f' class="{css}"' if css else ""
    return (
        f"<table{klass}><colgroup>{cols}</colgroup><thead><tr>{heads}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def page(title: str, body: str, locale: str) -> str:
    """Return a whole standalone HTML document: inline CSS, no script, no external resource."""
    footer = esc(text("generated", locale, version=__version__))
    return (
        f'<!DOCTYPE html>\n<html lang="{locale}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        f'<p class="muted">{footer}</p>\n</body>\n</html>\n'
    )
