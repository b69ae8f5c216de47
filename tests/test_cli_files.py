"""Files as an Indonesian clerk has them, and the command line a clerk can run (issue findings)."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval._cli.main import main
from pelayanan_eval.exceptions import CategoryLabelWarning, ObservationError
from tests.conftest import load_quietly


def _city_with_halves() -> tuple[pe.results.DemoCity, pe.Observations]:
    """The demo city with every tenth score raised by 0.5 (capped at 5): decimals to write."""
    city = pe.demo_city()
    obs = city.observations
    values = obs.values.copy()
    values.reshape(-1)[::10] = np.minimum(values.reshape(-1)[::10] + 0.5, 5)
    changed = pe.Observations.from_arrays(
        city.rubric, unit=obs.unit, values=values, visit=obs.visit, observer=obs.observer,
        date=obs.date,
    )  # fmt: skip
    return city, changed


def write_indonesian(folder: Path, units_rows: list[list[str]] | None = None) -> tuple[Path, Path]:
    """Write the demo (with halves) as Excel saves CSV in an Indonesian locale.

    ``;`` between fields, a UTF-8 byte-order mark, CRLF line ends, decimal
    commas, dates as dd/mm/yyyy and a trailing space after one header.
    """
    city, obs = _city_with_halves()
    units = folder / "unit.csv"
    rows = units_rows or [[u.id, u.name, u.category, ""] for u in city.units]
    text = "id;name;category;parent\r\n" + "".join(";".join(r) + "\r\n" for r in rows)
    units.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    leaves = list(city.rubric.leaf_ids)
    header = ["unit", "visit", "observer", "date", *leaves]
    header[4] += " "  # '1.a.K1 ' as a clerk's header may end
    lines = [";".join(header)]
    dates = obs.date.astype("datetime64[D]").astype(object)
    for i in range(len(obs)):
        scores = [f"{v:g}".replace(".", ",") for v in obs.values[i].tolist()]
        day = dates[i].strftime("%d/%m/%Y")
        lines.append(";".join([str(obs.unit[i]), str(obs.visit[i]), str(obs.observer[i]), day,
                               *scores]))  # fmt: skip
    observations = folder / "penilaian.csv"
    observations.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return units, observations


def _evaluate(units: Path, observations: Path, *options: str) -> list[str]:
    return ["evaluate", "--rubric", "permenpanrb-17-2017", "--units", str(units),
            "--observations", str(observations), *options]  # fmt: skip


def test_indonesian_csv_gives_the_numbers_of_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """';', BOM, CRLF, decimal comma, dd/mm/yyyy, 'id ' header: same indices as evaluate()."""
    units, observations = write_indonesian(tmp_path)
    assert main(_evaluate(units, observations, "--format", "json")) == 0
    result = json.loads(capsys.readouterr().out)
    city, obs = _city_with_halves()
    expected = pe.evaluate(city.rubric, obs, units=city.units)
    got = {r["unit"]: r["index"] for r in result["units"]}
    assert got == pytest.approx(dict(zip(expected.units.ids.tolist(), expected.index.tolist(),
                                         strict=True)), abs=1e-12)  # fmt: skip


def test_dates_day_first_are_read_as_dates(tmp_path: Path) -> None:
    """'01/08/2026' is 1 August 2026 (day first, the Indonesian way), as ISO '2026-08-01' is."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    row = {leaf: "3" for leaf in rubric.leaf_ids}
    obs = pe.Observations.from_records(rubric, [
        {"unit": "a", "visit": "1", "date": "01/08/2026", **row},
        {"unit": "a", "visit": "2", "date": "2026-08-02", **row},
        {"unit": "a", "visit": "3", "date": "3.8.2026", **row},
    ])  # fmt: skip
    assert obs.date.tolist() == [np.datetime64("2026-08-01"), np.datetime64("2026-08-02"),
                                 np.datetime64("2026-08-03")]  # fmt: skip


def test_bad_date_names_the_row_and_the_value(tmp_path: Path) -> None:
    """A date that is not dd/mm/yyyy or ISO is an error with the row, column and value."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    row = {leaf: "3" for leaf in rubric.leaf_ids}
    with pytest.raises(ObservationError) as caught:
        pe.Observations.from_records(rubric, [
            {"unit": "a", "visit": "1", "date": "Agustus 2026", **row},
            {"unit": "a", "visit": "2", "date": "31/02/2026", **row},
        ], source="obs.csv", first_row=2)  # fmt: skip
    message = str(caught.value)
    assert (
        "obs.csv row 2, column 'date': not a date (write dd/mm/yyyy or yyyy-mm-dd), got "
        "'Agustus 2026'" in message
    )
    assert "obs.csv row 3, column 'date': not a date (day is out of range for month" in message
    assert "numpy" not in message


def test_category_typed_with_a_capital_warns_and_can_be_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Kelurahan' beside 'kelurahan' and a blank category: a note; --normalize-categories merges."""
    city = pe.demo_city()
    rows = [[u.id, u.name, u.category, ""] for u in city.units]
    rows[0][2] = "Kelurahan"
    rows[1][2] = ""
    units, observations = write_indonesian(tmp_path, rows)
    assert main(_evaluate(units, observations)) == 0
    captured = capsys.readouterr()
    assert "'Kelurahan' / 'kelurahan'" in captured.err
    assert "1 unit(s) have no category" in captured.err
    assert "--normalize-categories" in captured.err
    assert "category Kelurahan (1 unit)" in captured.out
    assert main(_evaluate(units, observations, "--normalize-categories")) == 0
    captured = capsys.readouterr()
    assert "'Kelurahan' / 'kelurahan'" not in captured.err
    assert "category kelurahan (23 units)" in captured.out  # 24, one of them left blank


def test_category_slip_warning_in_python() -> None:
    """Units whose labels differ by case or spaces raise CategoryLabelWarning when ranked."""
    units = pe.Units.from_records([{"id": "a", "category": "kelurahan"},
                                   {"id": "b", "category": " Kelurahan"}])  # fmt: skip
    with pytest.warns(CategoryLabelWarning, match="differ only by case or spaces"):
        units.group_codes("category")
    merged = pe.Units.from_records([{"id": "a", "category": "kelurahan"},
                                    {"id": "b", "category": " Kelurahan"},
                                    {"id": "c", "category": "kelurahan"}],
                                   normalize_categories=True)  # fmt: skip
    assert merged.categories.tolist() == ["kelurahan"] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        merged.group_codes("category")


def test_provisional_note_is_one_short_line_and_quiet_hides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The provisional note is one line under 200 characters naming the rubric; --quiet: none."""
    assert main(["grade", "permenpanrb-17-2017", "4"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 200
    assert "permenpanrb-17-2017" in err and "rubric show" in err
    assert main(["--quiet", "grade", "permenpanrb-17-2017", "4"]) == 0
    assert capsys.readouterr().err == ""


def test_grade_takes_a_decimal_comma(capsys: pytest.CaptureFixture[str]) -> None:
    """'grade ... 4,505' is 4.505, rounded half up to 4.51: A (from 4.51)."""
    assert main(["-q", "grade", "permenpanrb-17-2017", "4,505"]) == 0
    assert capsys.readouterr().out.split("\t")[:3] == ["4.505", "4.51", "A"]


def _csv_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_csv_output_rounded_raw_integer_ranks_tie_and_parent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV: index as published (2 decimals), index_raw, integer ranks, parent and tied columns."""
    units, observations = write_indonesian(tmp_path)
    assert main(_evaluate(units, observations, "--format", "csv")) == 0
    rows = _csv_rows(capsys.readouterr().out)
    assert {"parent", "tied", "index", "index_raw", "rank"} <= set(rows[0])
    for row in rows:
        assert len(row["index"].split(".")[1]) == 2
        assert row["rank"].isdigit()
        assert row["tied"] in ("True", "False")
        for key in ("kebijakan", "sdm", "coverage"):
            assert len(row[key].replace(".", "").lstrip("0")) <= 12  # no 4.6499999999999995
    city, obs = _city_with_halves()
    expected = pe.evaluate(city.rubric, obs, units=city.units)
    raw = {r["unit"]: float(r["index_raw"]) for r in rows}
    assert raw == dict(zip(expected.units.ids.tolist(), expected.index.tolist(), strict=True))


def test_csv_output_in_the_indonesian_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--locale id writes ';' between fields and decimal commas, as Indonesian Excel reads CSV."""
    units, observations = write_indonesian(tmp_path)
    assert main(_evaluate(units, observations, "--format", "csv", "--locale", "id")) == 0
    rows = _csv_rows(capsys.readouterr().out, ";")
    assert "," in rows[0]["index"] and "." not in rows[0]["index"]
    assert rows[0]["name"] == "Kelurahan Contoh 16 (sintetis)"  # names keep their dots, if any


def test_top_marks_that_many_awards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--top 5 without --awards marks the five shown per category (ranks 1-5), not two."""
    units, observations = write_indonesian(tmp_path)
    assert main(_evaluate(units, observations, "--top", "5")) == 0
    out = capsys.readouterr().out
    awarded = [line.split()[0] for line in out.splitlines() if line.endswith("* award")]
    assert len(awarded) >= 15 and set(awarded) <= {"1", "2", "3", "4", "5"}


def test_bottom_marks_coaching(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--bottom 2 marks the two lowest-ranked units of each category '! coaching'."""
    units, observations = write_indonesian(tmp_path)
    assert main(_evaluate(units, observations, "--bottom", "2")) == 0
    out = capsys.readouterr().out
    marked = [line for line in out.splitlines() if line.endswith("! coaching")]
    assert len(marked) == 6
    for category, size in (("kelurahan", 24), ("puskesmas", 22), ("opd", 24)):
        block = out.split(f"category {category} (")[1].split("\n\n")[0].splitlines()
        ranks = [int(line.split()[0]) for line in block[2:] if line.endswith("! coaching")]
        assert ranks and min(ranks) >= size - 2, (category, ranks)


def test_units_without_a_parent_are_named_and_get_no_award(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--within parent: units without a parent are 'units without a parent', unmarked."""
    city = pe.demo_city()
    rows = [[u.id, u.name, u.category, "dinas-a" if i < 10 else ""]
            for i, u in enumerate(city.units)]  # fmt: skip
    units, observations = write_indonesian(tmp_path, rows)
    assert main(_evaluate(units, observations, "--within", "parent")) == 0
    out = capsys.readouterr().out
    assert "units without a parent (60 units)" in out
    groups = {block.splitlines()[0]: block for block in out.split("\n\n")}
    assert "* award" not in groups["units without a parent (60 units)"]
    assert groups["parent dinas-a (10 units)"].count("* award") == 2


def test_names_are_cut_at_a_word_with_an_ellipsis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A long name is cut at a word boundary and ends with '…'."""
    city = pe.demo_city()
    rows = [[u.id, u.name, u.category, ""] for u in city.units]
    rows[0][1] = "Dinas Kependudukan dan Pencatatan Sipil Kota Kediri"
    units, observations = write_indonesian(tmp_path, rows)
    assert main(_evaluate(units, observations)) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "Dinas" in x)
    assert "Dinas Kependudukan dan Pencatatan…" in line


def test_ignore_columns_of_a_survey_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An IKM export with timestamp, umur, jenis_kelamin: the unsur columns are read, others left.

    A CSV of answers is streamed by ``ikm.read_csv``, which reads the unsur
    columns and ignores the rest (a missing unsur is named); --ignore-columns
    is accepted all the same.
    """
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    leaves = list(rubric.leaf_ids)
    path = tmp_path / "skm.csv"
    lines = [";".join(["timestamp", "unit", "umur", "jenis_kelamin", *leaves])]
    lines += [f"01/08/2026 09:00;kel-a;34;P;{';'.join(['3'] * len(leaves))}"] * 4
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert main(["-q", "ikm", str(path), "--format", "json"]) == 0
    (unit,) = json.loads(capsys.readouterr().out)["units"]
    assert unit["index"] == pytest.approx(3.0)
    ignore = "timestamp,umur,jenis_kelamin"
    assert main(["-q", "ikm", str(path), "--ignore-columns", ignore, "--format", "json"]) == 0
    (unit,) = json.loads(capsys.readouterr().out)["units"]
    assert unit["index"] == pytest.approx(3.0)  # every answer 3: IKM 3 on 1-4 (75 reported)


def test_units_file_with_an_address_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A units file with 'alamat' is refused with the way out, and read with --ignore-columns."""
    city = pe.demo_city()
    units, observations = write_indonesian(tmp_path)
    text = units.read_bytes().decode("utf-8-sig").splitlines()
    lines = [text[0] + ";alamat"] + [line + ";Jl. Contoh" for line in text[1:]]
    units.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert main(_evaluate(units, observations)) == 1
    err = capsys.readouterr().err
    assert "column(s) 'alamat' not understood" in err and "--ignore-columns" in err
    assert main(_evaluate(units, observations, "--ignore-columns", "alamat", "-o",
                          str(tmp_path / "out.csv"))) == 0  # fmt: skip
    rows = _csv_rows((tmp_path / "out.csv").read_text(encoding="utf-8"))
    assert len(rows) == len(city.units)


def test_delimiter_option_and_a_wrong_one(tmp_path: Path) -> None:
    """--delimiter overrides the guess; the wrong one says the rows do not fit the header."""
    path = tmp_path / "u.csv"
    path.write_text("id;name\na;Kelurahan A, Utara\n", encoding="utf-8")
    assert pe.read_table(path).rows == ({"id": "a", "name": "Kelurahan A, Utara"},)
    with pytest.raises(ObservationError, match="the wrong delimiter"):
        pe.read_table(path, delimiter=",")


def test_cp1252_file_says_how_to_read_it(tmp_path: Path) -> None:
    """A CSV in Excel's ANSI encoding is refused naming the line and --encoding cp1252; read with it."""
    path = tmp_path / "u.csv"
    path.write_bytes("id;name\nkel-a;Kelurahan Sukamaju – Utara\n".encode("cp1252"))
    with pytest.raises(ObservationError, match=r"line 2: not UTF-8 text .*--encoding cp1252"):
        pe.read_table(path)
    assert pe.read_table(path, encoding="cp1252").rows[0]["name"].endswith("– Utara")


def test_column_map_renames_and_refuses_absent_names(tmp_path: Path) -> None:
    """columns={'kode': 'id'} renames; a map naming no column is an error listing the columns."""
    path = tmp_path / "u.csv"
    path.write_text("kode,nama\na,A\n", encoding="utf-8")
    table = pe.read_table(path, columns={"kode": "id", "nama": "name"})
    assert pe.Units.from_records(table)[0] == pe.Unit("a", "A")
    with pytest.raises(
        ObservationError,
        match=r"names 'kd' \(did you mean 'kode'\?\), which is "
        r"not a column of the file \(columns: kode, nama\)",
    ):
        pe.read_table(path, columns={"kd": "id"})


def test_version_output_card_and_unknown_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--version prints the version; 'card UNIT' prints its report card; a typo names close ids."""
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"pelayanan-eval {pe.__version__}"
    units, observations = write_indonesian(tmp_path)
    files = ["--rubric", "permenpanrb-17-2017", "--units", str(units), "--observations",
             str(observations)]  # fmt: skip
    assert main(["-q", "card", "opd-03", *files]) == 0
    assert capsys.readouterr().out.startswith("Report card: OPD Contoh 03 (sintetis) (opd-03)")
    assert main(["-q", "card", "opd-3", *files]) == 1
    assert "no unit 'opd-3' (did you mean" in capsys.readouterr().err


def test_dataframe_is_taken_directly(tmp_path: Path) -> None:
    """A pandas DataFrame given to from_records is read as its rows (no 'got str' error)."""
    pd = pytest.importorskip("pandas")
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    frame = pd.DataFrame([{"unit": "a", "visit": "1", **dict.fromkeys(rubric.leaf_ids, 3)}])
    obs = pe.Observations.from_records(rubric, frame)
    assert obs.values.tolist() == [[3.0] * len(rubric.leaf_ids)]
    units = pe.Units.from_records(pd.DataFrame({"id": ["a"], "category": ["kelurahan"]}))
    assert units.ids.tolist() == ["a"]
    with pytest.raises(ObservationError, match=r"reset_index\(\)"):
        pe.Units.from_records(pd.DataFrame({"category": ["x"]}, index=pd.Index(["a"], name="id")))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("units.csv", b"PK\x03\x04rest", "not a CSV table but a zip archive"),
        ("units.csv", b"%PDF-1.7\n", "not a CSV table but a PDF document"),
        ("units.csv", b"\xd0\xcf\x11\xe0\xa1\xb1", "an old Excel .xls"),
        ("units.xls", b"\xd0\xcf\x11\xe0\xa1\xb1", ".xls files cannot be read; save the sheet"),
        ("units.ods", b"PK\x03\x04", ".ods files cannot be read"),
    ],
)
def test_a_file_that_is_not_a_table(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    """A workbook, PDF or old .xls given as a table is one error saying what it is."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ObservationError, match=re.escape(message)):
        pe.read_table(path)
