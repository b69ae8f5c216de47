"""top() and bottom() tables: a list of Standing rows that renders in a notebook."""

from __future__ import annotations

import attrs
import numpy as np

import pelayanan_eval as pe
from pelayanan_eval.results import Standing, Standings
from tests.conftest import TWO_LEVEL

RUBRIC = pe.parse_rubric(TWO_LEVEL)


def evaluation() -> pe.Evaluation:
    # three units in one category; u1 and u2 tie at 4.0 (every score 4), u3 scores 2
    values = np.array([[4.0] * 4, [4.0] * 4, [2.0] * 4])
    obs = pe.Observations.from_arrays(RUBRIC, unit=["u1", "u2", "u3"], values=values)
    units = [pe.Unit(u, f"Unit <{u}>", "kel") for u in ("u1", "u2", "u3")]
    return pe.evaluate(RUBRIC, obs, units=units)


def test_top_is_a_list_of_standings_with_records() -> None:
    """top(1) holds both tied units as Standing rows; to_records() are their fields."""
    top = evaluation().top(1)
    assert isinstance(top, Standings) and isinstance(top, list)
    assert [s.unit for s in top] == ["u1", "u2"] and all(isinstance(s, Standing) for s in top)
    assert top.to_records() == [attrs.asdict(s) for s in top]
    assert top.to_records()[0]["rounded"] == 4.0 and top.to_records()[0]["tied"] is True


def test_standings_render_as_an_escaped_html_table() -> None:
    """The notebook table names the list, marks ties with '=' and escapes unit names."""
    ev = evaluation()
    html = ev.top(1)._repr_html_()
    assert "award table (top 1): 2 unit(s)" in html and "<td>1=</td>" in html
    assert "Unit &lt;u1&gt;" in html and "<u1>" not in html
    low = ev.bottom(1)._repr_html_()
    assert "coaching list (bottom 1): 1 unit(s)" in low and "<td>u3</td>" in low


def test_every_notebook_table_comes_from_one_renderer() -> None:
    """Records render escaped once, NaN and None blank, numbers to 4 significant digits.

    The first 50 rows are shown and the count of the others.
    """
    from pelayanan_eval._common.records import HTML_ROWS, html_records

    records = [{"unit": f"<u{i}>", "p": 1 / 3, "gap": float("nan"), "note": None}
               for i in range(HTML_ROWS + 7)]  # fmt: skip
    table = html_records("a & b", records)
    assert table.startswith("<table><caption>a &amp; b</caption>")
    assert "<th>unit</th><th>p</th><th>gap</th><th>note</th>" in table
    assert "<tr><td>&lt;u0&gt;</td><td>0.3333</td><td></td><td></td></tr>" in table
    assert table.count("<tr>") == 1 + HTML_ROWS and table.endswith("<p>... 7 more rows</p>")
    assert html_records("nothing", []) == (
        "<table><caption>nothing</caption><thead><tr></tr></thead><tbody></tbody></table>"
    )
    ev = evaluation()
    assert "<td>Unit &lt;u1&gt;</td>" in ev._repr_html_()  # escaped once, not &amp;lt;
