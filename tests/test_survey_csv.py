"""Survey CSVs streamed into tallies: both engines agree, every bad cell is named, the CLI reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval._cli.main import main
from pelayanan_eval.exceptions import ObservationError
from tests.conftest import load_quietly

ENGINES = ["python", pytest.param("pyarrow", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("pyarrow") is None, reason="pyarrow not installed"))]  # fmt: skip


@pytest.fixture(scope="module")
def rubric() -> pe.Rubric:
    """The bundled 14/2017 IKM rubric (9 unsur, 1-4, x25)."""
    return load_quietly("permenpanrb-14-2017-ikm")


def _write(path: Path, rubric: pe.Rubric, rows: list[list[str]], sep: str = ",",
           extra: tuple[str, ...] = ()) -> Path:  # fmt: skip
    header = sep.join(["unit", *rubric.leaf_ids, *extra])
    path.write_text("\n".join([header, *(sep.join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


def _random_rows(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    answers = rng.integers(1, 5, (n, 9)).astype(float)
    answers[rng.random((n, 9)) < 0.05] = np.nan
    answers[:, 0] = rng.integers(1, 5, n)
    return answers, np.array([f"kel-{k}" for k in rng.integers(0, 7, n)]), rng.uniform(0.5, 3, n)


@pytest.mark.parametrize("engine", ENGINES)
def test_csv_tally_equals_the_in_memory_tally(
    rubric: pe.Rubric, tmp_path: Path, engine: str
) -> None:
    """A CSV read by either engine gives the tally of the same answers built in memory."""
    answers, unit, weights = _random_rows(1, 3000)
    rows = [[u, *("" if np.isnan(a) else str(int(a)) for a in row), repr(float(w))]
            for u, row, w in zip(unit, answers, weights, strict=True)]  # fmt: skip
    path = _write(tmp_path / "skm.csv", rubric, rows, extra=("bobot",))
    found = ikm.read_csv(rubric, path, engine=engine, weight_column="bobot", moments=True)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=unit,
                                                 weights=weights))  # fmt: skip
    assert found.unit_ids.tolist() == memory.unit_ids.tolist()
    assert np.array_equal(found.answered, memory.answered)
    np.testing.assert_allclose(found.wsum, memory.wsum, rtol=1e-12)
    scale = np.abs(memory.moments).max()  # centred moments: entries near 0 against the scale
    np.testing.assert_allclose(found.moments, memory.moments, rtol=1e-12, atol=1e-12 * scale)
    plain = ikm.read_csv(rubric, path, engine=engine)
    exact = ikm.compute(rubric, ikm.Responses.from_arrays(rubric, answers=answers, unit=unit))
    assert np.array_equal(ikm.compute(rubric, plain).nrr, exact.nrr)  # integers: exact


@pytest.mark.parametrize("engine", ENGINES)
def test_four_bad_cells_in_one_error(rubric: pe.Rubric, tmp_path: Path, engine: str) -> None:
    """Answers 0, 'baik', '3,5' and 5 in four rows give one error naming file, row and unsur of each."""
    good = ["3"] * 9
    rows = [["kel-a", *good]]
    for column, value in ((0, "0"), (2, "baik"), (4, '"3,5"'), (8, "5")):
        row = good.copy()
        row[column] = value
        rows.append(["kel-a", *row])
    path = _write(tmp_path / "skm.csv", rubric, rows)
    with pytest.raises(ObservationError) as caught:
        ikm.read_csv(rubric, path, engine=engine)
    message = str(caught.value)
    assert message.startswith(f"{path}: 4 problem(s): ")
    assert "row 3, unsur 'persyaratan': answer 0 is off the scale 1..4" in message
    assert "row 4, unsur 'waktu': 'baik' is not a number" in message
    assert "row 5, unsur 'produk': '3,5' is not a whole answer 1..4 (a decimal comma?)" in message
    assert "row 6, unsur 'sarana': '5' is off the scale 1..4" in message


def test_missing_columns_and_bad_weights(rubric: pe.Rubric, tmp_path: Path) -> None:
    """A missing unsur column is named with a suggestion; bad weights are named with their rows."""
    path = tmp_path / "short.csv"
    path.write_text("unit,persyaratn\nkel-a,3\n", encoding="utf-8")
    with pytest.raises(
        ObservationError,
        match=r"row 1: missing column\(s\) 'persyaratan' \(did you mean 'persyaratn'\?\), 'prosedur'",
    ):
        ikm.read_csv(rubric, path)
    rows = [["kel-a", *["3"] * 9, w] for w in ("1", "-2", "", "x")]
    bad = _write(tmp_path / "w.csv", rubric, rows, extra=("bobot",))
    with pytest.raises(
        ObservationError,
        match=r"3 problem\(s\): row 3: weight '-2'.*row 4: weight ''.*row 5: weight 'x'",
    ):
        ikm.read_csv(rubric, bad, weight_column="bobot")


def test_semicolon_file_with_decimal_comma_weights(rubric: pe.Rubric, tmp_path: Path) -> None:
    """A ';' file is recognised by its header; its weights may use a decimal comma."""
    rows = [["kel-a", *["3"] * 9, "1,5"], ["kel-a", *["4"] * 9, "0,5"]]
    path = _write(tmp_path / "skm.csv", rubric, rows, sep=";", extra=("bobot",))
    for engine in ("python", "auto"):
        found = ikm.read_csv(rubric, path, weight_column="bobot", engine=engine)
        # (1.5 x 3 + 0.5 x 4) / 2 = 3.25 on every unsur
        assert ikm.compute(rubric, found).nrr[0].tolist() == [3.25] * 9


def test_breakdown_from_csv(rubric: pe.Rubric, tmp_path: Path) -> None:
    """by= in read_csv groups the respondents by (unit, value), as tally(by=) does."""
    rows = [["kel-a", *["4"] * 9, "online"], ["kel-a", *["2"] * 9, "offline"],
            ["kel-a", *["3"] * 9, "online"]]  # fmt: skip
    path = _write(tmp_path / "skm.csv", rubric, rows, extra=("kanal",))
    for engine in ("python", "auto"):
        found = ikm.read_csv(rubric, path, by="kanal", engine=engine)
        result = ikm.survey(rubric, found)
        pairs = dict(zip(result.unit_ids.tolist(), result.means[:, 0].tolist(), strict=True))
        assert pairs == {"kel-a | online": 3.5, "kel-a | offline": 2.0}


def test_cli_reads_weights_and_is_quiet(rubric: pe.Rubric, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """'ikm --weight-column --quiet' gives the weighted IKM and draws no progress bar."""
    rows = [["kel-a", *["3"] * 9, "3"], ["kel-a", *["4"] * 9, "1"]]
    path = _write(tmp_path / "skm.csv", rubric, rows, extra=("bobot",))
    assert main(["ikm", str(path), "--weight-column", "bobot", "--quiet", "--format", "json"]) == 0
    out = capsys.readouterr()
    # (3 x 3 + 1 x 4) / 4 = 3.25 -> x25 = 81.25
    assert __import__("json").loads(out.out)["units"][0]["rounded"] == 81.25
    assert "%" not in out.err and "#" not in out.err


def test_progress_bar_only_when_asked(rubric: pe.Rubric, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """progress=True draws a bar on stderr ending at 100 %; the default in a pipe draws nothing."""
    path = _write(tmp_path / "skm.csv", rubric, [["kel-a", *["3"] * 9]])
    ikm.read_csv(rubric, path, progress=True, engine="python")
    assert "100%" in capsys.readouterr().err
    ikm.read_csv(rubric, path)
    assert capsys.readouterr().err == ""


def test_all_weights_zero_in_a_unit(rubric: pe.Rubric, tmp_path: Path) -> None:
    """A unit whose respondents in the file all weigh 0 is named when the IKM is computed."""
    rows = [["kel-a", *["3"] * 9, "1"], ["kel-b", *["4"] * 9, "0"], ["kel-b", *["2"] * 9, "0"]]
    path = _write(tmp_path / "skm.csv", rubric, rows, extra=("bobot",))
    for engine in ("python", "auto"):
        found = ikm.read_csv(rubric, path, weight_column="bobot", engine=engine)
        with pytest.raises(
            ObservationError, match=r"unit\(s\) whose respondents all have weight 0: 'kel-b'"
        ):
            ikm.compute(rubric, found)


@pytest.mark.parametrize("engine", ENGINES)
def test_bom_crlf_quotes_and_spaced_header(rubric: pe.Rubric, tmp_path: Path, engine: str) -> None:
    """A BOM, CRLF line ends, a quoted unit with a comma and spaces in the header are read as meant."""
    path = tmp_path / "excel.csv"
    lines = ["unit, " + ", ".join(rubric.leaf_ids), "kel-a," + ",".join(["3"] * 9),
             '"kel,b",' + ",".join(["4"] * 9)]  # fmt: skip
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig", newline="")
    found = ikm.read_csv(rubric, path, engine=engine)
    assert found.unit_ids.tolist() == ["kel-a", "kel,b"]
    assert ikm.compute(rubric, found).nrr[:, 0].tolist() == [3.0, 4.0]
    empty = tmp_path / "empty.csv"
    empty.write_text("unit," + ",".join(rubric.leaf_ids) + "\n", encoding="utf-8")
    with pytest.raises(ObservationError, match=r"no respondents \(only a header row\)"):
        ikm.read_csv(rubric, empty, engine=engine)
