"""The rapor and the city report in a real browser: headless Chromium loads and prints them.

Needs Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run``
installs it). Without it these tests are skipped, and the reason is printed
in the summary (``pytest -ra``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import pelayanan_eval as pe
from pelayanan_eval import report

BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="headless Chromium not installed (apt-get install chromium)"
)
PRINT_WIDTH = 688  # CSS pixels of the A4 print area: 210 mm - 2 x 14 mm margins = 182 mm at 96 dpi
MEASURE = """<script>
(function () {
  var limit = document.documentElement.clientWidth, bad = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > limit + 0.5 || box.left < -0.5)) {
      bad.push(el.tagName + "." + el.className + " " + Math.round(box.right));
    }
  });
  if (document.documentElement.scrollWidth > limit) { bad.push("page " +
      document.documentElement.scrollWidth); }
  var out = document.createElement("pre");
  out.id = "overflow"; out.textContent = JSON.stringify(bad);
  document.body.appendChild(out);
})();
</script></body>"""


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu",
               "--enable-logging=stderr", "--v=0", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_messages(page: Path) -> list[str]:
    """Return the console messages Chromium logs while it loads `page`."""
    result = _chromium("--dump-dom", page.as_uri())
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


def overflowing(page: Path, folder: Path) -> list[str]:
    """Return the elements wider than the A4 print area, measured in a copy of `page`."""
    probe = folder / f"probe-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE), "utf-8")
    result = _chromium(f"--window-size={PRINT_WIDTH},1200", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="overflow">(.*?)</pre>', result.stdout, flags=re.S)
    assert found, result.stderr[-2000:]
    return [] if found.group(1) == "[]" else [found.group(1)]


def pdf_pages(page: Path, folder: Path) -> int:
    """Print `page` to PDF as a user's "print to PDF" does and count its pages."""
    target = folder / f"{page.stem}.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri())
    return len(re.findall(rb"/Type\s*/Page[^s]", target.read_bytes()))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[pe.Evaluation, Path]:
    """The demo city's reports, written to a folder."""
    city = pe.demo_city()
    evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    out = tmp_path_factory.mktemp("reports") / "demo"
    report.write_reports(evaluation, out, excel=False, note=city.note)
    return evaluation, out


def test_the_console_check_can_fail(tmp_path: Path) -> None:
    """A page with a script error logs a console message that the check sees."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedFunction();</script></body></html>", "utf-8")
    assert any("undefinedFunction" in m for m in console_messages(bad))


def test_the_width_check_can_fail(tmp_path: Path) -> None:
    """An element wider than the A4 print area is reported."""
    wide = tmp_path / "wide.html"
    wide.write_text('<html><body><div style="width:900px">x</div></body></html>', "utf-8")
    assert overflowing(wide, tmp_path)


def _sample(evaluation: pe.Evaluation) -> list[str]:
    """The units with the longest and the shortest path to the next grade, and the lowest."""
    cards = [c for c in evaluation.cards() if c.next_grade is not None]
    cards.sort(key=lambda c: len(c.next_grade.steps))  # type: ignore[union-attr]
    lowest = evaluation.units.ids[int(evaluation.rounded.argmin())]
    return [cards[-1].unit.id, cards[0].unit.id, str(lowest)]


def test_pages_load_cleanly_and_fit_a4(written: tuple[pe.Evaluation, Path], tmp_path: Path) -> None:
    """City report and rapor: no console message, no element wider than the A4 print area."""
    evaluation, out = written
    names = report.file_names(evaluation.units.ids.tolist())
    pages = [out / "index.html", *(out / "rapor" / names[u] for u in _sample(evaluation))]
    for page in pages:
        assert console_messages(page) == [], page
        assert overflowing(page, tmp_path) == [], page


def test_printed_page_counts(written: tuple[pe.Evaluation, Path], tmp_path: Path) -> None:
    """Printed to PDF: a rapor is 2 A4 pages (3 past 11 steps); each city category a new page."""
    evaluation, out = written
    names = report.file_names(evaluation.units.ids.tolist())
    for unit in _sample(evaluation):
        card = evaluation.card(unit)
        steps = len(card.next_grade.steps) if card.next_grade else 0
        expected = 3 if steps > 11 else 2
        assert pdf_pages(out / "rapor" / names[unit], tmp_path) == expected, (unit, steps)
    pages = pdf_pages(out / "index.html", tmp_path)
    assert 1 + 3 <= pages <= 12
