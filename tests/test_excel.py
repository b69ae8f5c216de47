"""Reading units, observations and survey answers from .xlsx, and the errors a workbook can hold."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval._cli.main import main
from pelayanan_eval.exceptions import ObservationError
from tests.conftest import load_quietly
from tests.test_cli_files import _city_with_halves

openpyxl = pytest.importorskip("openpyxl")


def _book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_reference_case_from_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Units and observations typed in Excel (numbers, dates as dates): the numbers of evaluate."""
    city, obs = _city_with_halves()
    units = _book(tmp_path / "unit.xlsx", {"Unit": [["id", "name", "category"]] + [
        [u.id, u.name, u.category] for u in city.units]})  # fmt: skip
    dates = obs.date.astype("datetime64[D]").astype(object)
    rows = [["unit", "visit", "observer", "date", *city.rubric.leaf_ids]]
    rows += [[str(obs.unit[i]), int(obs.visit[i]), str(obs.observer[i]),
              dt.datetime.combine(dates[i], dt.time()), *obs.values[i].tolist()]
             for i in range(len(obs))]  # fmt: skip
    observations = _book(tmp_path / "penilaian.xlsx", {"Petunjuk": [], "Data": rows})
    assert main(["-q", "evaluate", "--rubric", "permenpanrb-17-2017", "--units", str(units),
                 "--observations", str(observations), "--sheet", "Data",
                 "--format", "json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    expected = pe.evaluate(city.rubric, obs, units=city.units)
    assert {r["unit"]: r["index"] for r in result["units"]} == pytest.approx(
        dict(zip(expected.units.ids.tolist(), expected.index.tolist(), strict=True)), abs=1e-12
    )
    table = pe.read_table(observations, sheet="Data")
    read = pe.Observations.from_records(city.rubric, table)
    assert read.date.tolist() == obs.date.astype("datetime64[D]").tolist()
    out = tmp_path / "expose"
    assert main(["-q", "report", "--rubric", "permenpanrb-17-2017", "--units", str(units),
                 "--observations", str(observations), "--sheet", "Data",
                 "--out", str(out)]) == 0  # fmt: skip
    assert len(list((out / "rapor").iterdir())) == len(city.units)
    book = openpyxl.load_workbook(out / "evaluasi.xlsx")
    cards = {row[0]: row[3] for row in book["Rapor"].iter_rows(min_row=2, values_only=True)}
    assert cards == dict(zip(expected.units.ids.tolist(), expected.rounded.tolist(), strict=True))


def test_data_on_another_sheet_names_the_sheets(tmp_path: Path) -> None:
    """An empty first sheet says which sheets hold data; an unknown sheet lists the sheets."""
    path = _book(tmp_path / "u.xlsx", {"Petunjuk": [], "Data": [["id"], ["a"]]})
    with pytest.raises(
        ObservationError,
        match=r"sheet 'Petunjuk' is empty; sheets with data: "
        r"'Data' \(choose one\)",
    ):
        pe.read_table(path)
    with pytest.raises(
        ObservationError,
        match=r"no sheet 'data' \(did you mean 'Data'\?\); the "
        r"sheets are 'Petunjuk', 'Data'",
    ):
        pe.read_table(path, sheet="data")
    assert pe.read_table(path, sheet="Data").rows == ({"id": "a"},)


def test_merged_header_cells_are_refused(tmp_path: Path) -> None:
    """Merged cells in the header row are an error naming the range."""
    path = tmp_path / "m.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["unit", "Kebijakan", None])
    sheet.append(["a", 4, 3])
    sheet.merge_cells("B1:C1")
    book.save(path)
    with pytest.raises(ObservationError, match=r"sheet 'Data' row 1: merged header cells B1:C1"):
        pe.read_table(path)


def test_formula_without_a_saved_value(tmp_path: Path) -> None:
    """A formula whose value was never saved (written by a program, not Excel) names the cell."""
    path = _book(tmp_path / "f.xlsx", {"Data": [["unit", "visit"], ["a", "=1+1"]]})
    with pytest.raises(
        ObservationError,
        match=r"formula\(s\) without a saved value in B2 "
        r"\(=1\+1\); open the file in Excel",
    ):
        pe.read_table(path)


def test_bad_cell_names_sheet_row_and_column(tmp_path: Path) -> None:
    """A text score in a sheet is reported with the file, sheet, row and column."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    leaves = list(rubric.leaf_ids)
    path = _book(
        tmp_path / "skm.xlsx",
        {
            "Jawaban": [
                ["unit", *leaves],
                ["a", *[3] * len(leaves)],
                ["a", "empat", *[3] * (len(leaves) - 1)],
            ]
        },
    )
    table = pe.read_table(path)
    with pytest.raises(ObservationError) as caught:
        pe.ikm.Responses.from_records(rubric, table, source=table.source, first_row=2)
    assert (
        f"{path} sheet 'Jawaban' row 3, column '{leaves[0]}': must be a number, got "
        "'empat'" in str(caught.value)
    )


def test_whole_number_ids_read_as_text(tmp_path: Path) -> None:
    """A unit id typed 101 (stored 101 or 101.0) is the unit '101'."""
    path = _book(tmp_path / "u.xlsx", {"Unit": [["id", "category"], [101, "opd"], [102.0, "opd"]]})
    assert pe.Units.from_records(pe.read_table(path)).ids.tolist() == ["101", "102"]


def test_not_a_workbook(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is one error naming it."""
    path = tmp_path / "x.xlsx"
    path.write_text("id,name\n", encoding="utf-8")
    with pytest.raises(ObservationError, match=r"cannot read .*x\.xlsx as an \.xlsx workbook"):
        pe.read_table(path)


def test_evaluation_workbook_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'evaluate -o hasil.xlsx' writes a ranking sheet per category, report cards and settings."""
    assert main(["demo", "--export", str(tmp_path)]) == 0
    capsys.readouterr()
    target = tmp_path / "hasil.xlsx"
    assert main(["-q", "evaluate", "--rubric", "permenpanrb-17-2017", "--units",
                 str(tmp_path / "units.csv"), "--observations", str(tmp_path / "observations.csv"),
                 "-o", str(target), "--locale", "id"]) == 0  # fmt: skip
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Peringkat kelurahan", "Peringkat opd", "Peringkat puskesmas",
                               "Rapor", "Pengaturan"]  # fmt: skip
    assert book["Peringkat opd"].max_row == 25  # header + 24 OPD
    city = pe.demo_city()
    standings = pe.evaluate(city.rubric, city.observations, units=city.units).top(100)
    tied = {s.unit for s in standings if s.tied}
    marked = {
        row[2]
        for name in book.sheetnames[:3]
        for row in book[name].iter_rows(min_row=2, values_only=True)
        if row[1] == "seri"
    }
    assert marked == tied
    assert book["Rapor"].max_row == 71
    settings = {row[0]: row[1] for row in book["Pengaturan"].iter_rows(values_only=True)}
    assert settings["Rubrik"] == "permenpanrb-17-2017"
    assert main(["-q", "ikm", str(tmp_path / "units.csv"), "-o", str(tmp_path / "x.xlsx")]) == 1


def test_survey_answers_from_xlsx_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'ikm answers.xlsx --sheet Jawaban': every answer 4 gives IKM 4 on 1-4 (100 reported)."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    leaves = list(rubric.leaf_ids)
    path = _book(
        tmp_path / "skm.xlsx",
        {
            "Petunjuk": [["baca dulu"]],
            "Jawaban": [
                ["unit", "umur", *leaves],
                *(["kel-a", 30, *[4] * len(leaves)] for _ in range(3)),
            ],
        },
    )
    assert main(["-q", "ikm", str(path), "--sheet", "Jawaban", "--ignore-columns", "umur",
                 "--format", "json"]) == 0  # fmt: skip
    (unit,) = json.loads(capsys.readouterr().out)["units"]
    assert unit["index"] == pytest.approx(4.0) and unit["rounded"] == pytest.approx(100.0)


def test_workbook_sheet_names_are_valid_and_distinct() -> None:
    """Categories with '/' or over 31 characters still give distinct sheet names Excel accepts."""
    from pelayanan_eval import report

    rubric = load_quietly("permenpanrb-14-2017-ikm")
    long = "kecamatan dengan nama yang sangat panjang sekali"
    units = pe.Units.from_arrays(["a", "b", "c"], category=["opd/dinas", long, long + " 2"])
    obs = pe.Observations.from_arrays(rubric, unit=["a", "b", "c"],
                                      values=np.full((3, len(rubric.leaves)), 3.0))  # fmt: skip
    book = openpyxl.load_workbook(
        io.BytesIO(report.workbook(pe.evaluate(rubric, obs, units=units)))
    )
    names = book.sheetnames
    assert len(set(names)) == len(names) == 5
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
