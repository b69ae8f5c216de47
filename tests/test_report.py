"""The rapor, the city report and the folder they are written to."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import pelayanan_eval as pe
from pelayanan_eval import report
from pelayanan_eval._cli.main import main
from pelayanan_eval.exceptions import OutputError
from pelayanan_eval.report._messages import CATALOGUE, number, percent, plain, text
from tests.test_cli_files import _city_with_halves, write_indonesian


@pytest.fixture(scope="module")
def evaluation() -> pe.Evaluation:
    """The demo city, evaluated."""
    city = pe.demo_city()
    return pe.evaluate(city.rubric, city.observations, units=city.units)


def test_numbers_follow_the_locale() -> None:
    """Indonesian numbers use a decimal comma and a thousands dot: 1.234,50; English the reverse."""
    assert number(4.11, "id") == "4,11"
    assert number(1234.5, "id") == "1.234,50"
    assert number(1234.5, "en") == "1,234.50"
    assert number(float("nan"), "id") == "-"
    assert plain(3.5, "id") == "3,5" and plain(4.0, "id") == "4"
    assert percent(0.875, "id") == "88 %" and percent(0.875, "en", 1) == "87.5%"


def test_catalogue_has_both_languages_and_the_same_fields() -> None:
    """Every label exists in Bahasa Indonesia and English, non-empty, with the same {fields}."""
    for key, (indonesian, english) in CATALOGUE.items():
        assert indonesian.strip() and english.strip(), key
        fields = re.compile(r"\{(\w+)\}")
        assert set(fields.findall(indonesian)) <= set(fields.findall(english)), key
    with pytest.raises(pe.exceptions.OptionError, match="locale"):
        text("rank", "fr")


def test_rapor_shows_the_evaluations_figures(evaluation: pe.Evaluation) -> None:
    """The rapor prints the unit's published index (4,xx), grade, rank and aspect scores."""
    unit = "puskesmas-05"
    card = evaluation.card(unit)
    page = report.rapor(evaluation, unit)
    assert f'<div class="index">{number(card.rounded, "id")}</div>' in page
    assert f"{card.grade.code}</span> {card.grade.label}" in page
    rank = f"peringkat {plain(card.rank, 'id')} dari {card.ranked_in_group} unit"
    assert rank in page
    for aspect in card.aspects:
        assert number(aspect.score, "id") in page and aspect.name in page
    english = report.rapor(evaluation, unit, locale="en")
    assert f'<div class="index">{number(card.rounded, "en")}</div>' in english
    assert "Public Service Report Card" in english and "Rapor Pelayanan Publik" not in english


def test_rapor_path_is_a_checklist_of_level_texts(evaluation: pe.Evaluation) -> None:
    """Each step to the next grade is a checkbox item with the rubric's text of the level to reach."""
    unit = next(c.unit.id for c in evaluation.cards() if c.next_grade is not None)
    card = evaluation.card(unit)
    page = report.rapor(evaluation, unit)
    items = re.findall(r"<li>(.*?)</li>", page, flags=re.S)
    assert len(items) == len(card.next_grade.steps)
    for step, item in zip(card.next_grade.steps, items, strict=True):
        assert f"<strong>{step.id}</strong>" in item
        levels = dict(evaluation.rubric[step.id].levels)
        reached = max(score for score in levels if score <= step.after)
        import html

        assert html.escape(levels[reached], quote=True) in item


def test_rapor_has_provenance_and_no_external_resources(evaluation: pe.Evaluation) -> None:
    """The rapor names the rubric, its status and unverified parts; it loads nothing from outside."""
    page = report.rapor(evaluation, "opd-01")
    assert "permenpanrb-17-2017" in page and "Bagian yang belum diverifikasi" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<script" not in page
    assert "@page { size: A4;" in page


def test_english_pages_hold_no_indonesian_labels(evaluation: pe.Evaluation) -> None:
    """No catalogue label of the Indonesian side (where it differs) appears on an English page."""
    pages = report.rapor(evaluation, "opd-01", locale="en") + report.city_report(
        evaluation, locale="en"
    )
    for key, (indonesian, english) in CATALOGUE.items():
        if "{" in indonesian or indonesian == english or len(indonesian) < 8:
            continue
        assert f">{indonesian}<" not in pages, key


def test_city_report_marks_awards_and_coaching_as_top_and_bottom(
    evaluation: pe.Evaluation,
) -> None:
    """Units marked Penghargaan are Evaluation.top(2), units marked Pembinaan Evaluation.bottom(2)."""
    page = report.city_report(evaluation)
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    marked: dict[str, set[str]] = {"Penghargaan": set(), "Pembinaan": set()}
    for row in rows:
        found = re.search(r'<span class="muted">([^<]+)</span>.*<span class="mark">([^<]*)</span>',
                          row, flags=re.S)  # fmt: skip
        if found and found.group(2):
            marked[found.group(2)].add(found.group(1))
    assert marked["Penghargaan"] == {s.unit for s in evaluation.top(2)}
    assert marked["Pembinaan"] == {s.unit for s in evaluation.bottom(2)}


def test_city_priorities_are_the_largest_weighted_shortfalls(evaluation: pe.Evaluation) -> None:
    """The first weakest criterion is the one whose weight x (5 - city mean) is largest."""
    import numpy as np

    rubric = evaluation.rubric
    shortfall = [
        rubric.leaf_weights[j] * (5 - float(np.mean(evaluation.leaf_scores[:, j])))
        for j in range(len(rubric.leaves))
    ]
    first = rubric.leaves[int(np.argmax(shortfall))].id
    page = report.city_report(evaluation)
    section = page.split("Kriteria terlemah</h3>")[1].split("</tr>")[1]
    assert re.search(r"<td>([^<]+)</td>", section).group(1) == first
    assert f"+{number(max(shortfall), 'id', 3)}" in section


def test_file_names_are_portable_and_distinct() -> None:
    """Plain ids keep their name; '/', spaces, CON, dot-files and case twins get a hash suffix."""
    names = report.file_names(["kel-a", "a/b", "x y", "CON", ".hidden", "A", "a", "ü"])
    assert names["kel-a"] == "kel-a.html"
    assert len(set(names.values())) == len(names)
    assert len({n.lower() for n in names.values()}) == len(names)
    for unit_id in ("a/b", "x y", "CON", ".hidden", "ü"):
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*-[0-9a-f]{8}\.html", names[unit_id])


def test_write_reports_writes_every_rapor_and_links_them(
    evaluation: pe.Evaluation, tmp_path: Path
) -> None:
    """index.html links every unit's rapor; every rapor links back; the folder holds nothing else."""
    out = report.write_reports(evaluation, tmp_path / "laporan", excel=False)
    files = sorted(p.name for p in (out / "rapor").iterdir())
    assert len(files) == len(evaluation)
    city = (out / "index.html").read_text(encoding="utf-8")
    for name in files:
        assert f'href="rapor/{name}"' in city
    assert 'href="../index.html"' in (out / "rapor" / files[0]).read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laporan"]


def test_write_reports_refuses_a_folder_with_files_unless_forced(
    evaluation: pe.Evaluation, tmp_path: Path
) -> None:
    """A folder holding files is refused (kept as it was); force=True replaces it."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "catatan.txt").write_text("jangan hapus", encoding="utf-8")
    with pytest.raises(OutputError, match="already holds files"):
        report.write_reports(evaluation, out, excel=False)
    assert (out / "catatan.txt").exists()
    report.write_reports(evaluation, out, excel=False, force=True)
    assert not (out / "catatan.txt").exists() and (out / "index.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_leaves_nothing(
    evaluation: pe.Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure half-way (disk full) leaves no output folder and no temporary folder."""
    calls = {"n": 0}
    original = Path.write_text

    def fail_after_ten(self: Path, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] > 10:
            raise OSError(28, "No space left on device", str(self))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", fail_after_ten)
    with pytest.raises(OutputError, match="No space left on device"):
        report.write_reports(evaluation, tmp_path / "out", excel=False)
    assert list(tmp_path.iterdir()) == []


def test_write_reports_onto_a_file_or_an_unwritable_parent(
    evaluation: pe.Evaluation, tmp_path: Path
) -> None:
    """--out naming a file, or under a file, is one clear error."""
    existing = tmp_path / "file.txt"
    existing.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        report.write_reports(evaluation, existing, excel=False)
    with pytest.raises(OutputError, match="cannot write the reports to"):
        report.write_reports(evaluation, existing / "sub", excel=False)


def test_report_command_from_indonesian_csv_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'report' from Indonesian CSV: a rapor per unit, the city report, a workbook; same numbers."""
    openpyxl = pytest.importorskip("openpyxl")
    units, observations = write_indonesian(tmp_path)
    out = tmp_path / "expose"
    assert main(["-q", "report", "--rubric", "permenpanrb-17-2017", "--units", str(units),
                 "--observations", str(observations), "--out", str(out),
                 "--period", "Agustus–Oktober 2026"]) == 0  # fmt: skip
    city, obs = _city_with_halves()
    expected = pe.evaluate(city.rubric, obs, units=city.units)
    assert len(list((out / "rapor").iterdir())) == len(expected)
    for unit, rounded in zip(expected.units.ids.tolist(), expected.rounded.tolist(), strict=True):
        page = (out / "rapor" / f"{unit}.html").read_text(encoding="utf-8")
        assert f'<div class="index">{number(rounded, "id")}</div>' in page
        assert "Agustus–Oktober 2026" in page
    book = openpyxl.load_workbook(out / "evaluasi.xlsx")
    published = {}
    for sheet in book.worksheets:
        if sheet.title.startswith("Peringkat"):
            header = [c.value for c in sheet[1]]
            for row in sheet.iter_rows(min_row=2, values_only=True):
                published[row[header.index("Kode unit")]] = row[header.index("Indeks")]
    assert published == dict(zip(expected.units.ids.tolist(), expected.rounded.tolist(),
                                 strict=True))  # fmt: skip
    assert main(["-q", "report", "--rubric", "permenpanrb-17-2017", "--units", str(units),
                 "--observations", str(observations), "--out", str(out)]) == 1  # fmt: skip
    assert "already holds files" in capsys.readouterr().err


def test_demo_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'demo --report DIR --locale en' writes the synthetic city's reports, labelled synthetic."""
    assert main(["demo", "--report", str(tmp_path / "demo"), "--locale", "en"]) == 0
    assert "70 rapor" in capsys.readouterr().out
    city = (tmp_path / "demo" / "index.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in city and "What to prioritise" in city


def test_notebook_reprs_sort_by_rank_and_draw_a_card(evaluation: pe.Evaluation) -> None:
    """Evaluation's HTML lists each category best first; a card's HTML is a card with bars."""
    page = evaluation._repr_html_()
    rows = re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td><td>[^<]*</td>"
                      r"<td>[^<]*</td><td>=?([^<]*)</td></tr>", page)  # fmt: skip
    assert len(rows) == 50
    for (_, category, rank), (_, next_category, next_rank) in itertools.pairwise(rows):
        if category == next_category:
            assert float(rank) <= float(next_rank)
        else:
            assert category < next_category and float(next_rank) == 1
    card = evaluation.card("opd-01")._repr_html_()
    assert (
        card.startswith("<div")
        and "Path to" in card
        and card.count("&#9744;") == len(evaluation.card("opd-01").next_grade.steps)
    )


def test_notebook_repr_marks_ties() -> None:
    """Two units with the same published index in one category show rank '=1'."""
    rubric = pe.parse_rubric(
        "schema: 1\nid: t\ntitle: T\nregulation: {name: X, sources: [made up]}\nstatus: verified\n"
        "scale: {min: 0, max: 5}\ngrades: [{code: A, min: 0, label: A}]\n"
        "criteria: [{id: a, name: A, weight: 100%}]\n"
    )
    obs = pe.Observations.from_arrays(rubric, unit=["x", "y", "z"], values=[[4.0], [4.0], [3.0]])
    ev = pe.evaluate(rubric, obs)
    ranks = re.findall(r"<td>(=?\d)</td></tr>", ev._repr_html_())
    assert ranks == ["=1", "=1", "3"]


def test_report_period_defaults_to_the_visit_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --period the reports print the first and last visit dates, day first."""
    units, observations = write_indonesian(tmp_path)
    out = tmp_path / "expose"
    assert main(["-q", "report", "--rubric", "permenpanrb-17-2017", "--units", str(units),
                 "--observations", str(observations), "--out", str(out)]) == 0  # fmt: skip
    dates = pe.demo_city().observations.date
    first = dates.min().astype(object).strftime("%d/%m/%Y")
    last = dates.max().astype(object).strftime("%d/%m/%Y")
    assert f"{first} – {last}" in (out / "index.html").read_text(encoding="utf-8")


def test_names_are_escaped_everywhere(tmp_path: Path) -> None:
    """A unit named with HTML markup is shown as text in the rapor and the city report."""
    rubric = pe.parse_rubric(
        "schema: 1\nid: t\ntitle: T\nregulation: {name: X, sources: [made up]}\nstatus: verified\n"
        "scale: {min: 0, max: 5}\ngrades: [{code: A, min: 0, label: A}]\n"
        "criteria: [{id: a, name: A, weight: 100%}]\n"
    )
    obs = pe.Observations.from_arrays(rubric, unit=["x", "y"], values=[[4.0], [3.0]])
    units = [pe.Unit("x", '<b>Kantor</b> & "Dinas"', "opd"), pe.Unit("y", "Y", "<i>opd</i>")]
    ev = pe.evaluate(rubric, obs, units=units)
    for page in (report.rapor(ev, "x"), report.rapor(ev, "y"), report.city_report(ev)):
        assert "<b>Kantor" not in page and "<i>opd" not in page
    assert "&lt;b&gt;Kantor&lt;/b&gt; &amp; &quot;Dinas&quot;" in report.rapor(ev, "x")
