"""The command line with several instruments: --survey ID=CSV and --no-data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pelayanan_eval._cli.main import main
from tests.test_instruments import composite_text


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The hand-worked case of test_instruments as files: rubric, visits, F-03 answers."""
    paths = {name: tmp_path / name for name in ("rubric.yaml", "obs.csv", "f03.csv")}
    paths["rubric.yaml"].write_text(composite_text(), encoding="utf-8")
    paths["obs.csv"].write_text(
        "unit,visit,a,b\nu1,1,4,3\nu1,2,5,3\nu2,1,2,2\nu3,1,5,5\nu3,2,5,4\n", encoding="utf-8"
    )
    paths["f03.csv"].write_text("unit,q1,q2\nu1,4,5\nu1,3,4\nu2,5,5\n", encoding="utf-8")
    return paths


def test_evaluate_with_a_survey(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """--survey F-03=... --no-data zero: the composite as worked by hand (3.925, 2.75, 3.6)."""
    code = main(["evaluate", "--rubric", str(files["rubric.yaml"]), "--observations",
                 str(files["obs.csv"]), "--survey", f"F-03={files['f03.csv']}",
                 "--no-data", "zero", "--within", "none", "--format", "json"])  # fmt: skip
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    rows = {row["unit"]: row for row in payload["units"]}
    assert rows["u1"]["index"] == pytest.approx(3.925)
    assert rows["u2"]["index"] == pytest.approx(2.75)
    assert rows["u3"]["index"] == pytest.approx(3.6)
    assert rows["u3"]["records_F-03"] == 0
    assert payload["settings"]["composite"] == "0.75 x F-02 + 0.25 x F-03; no data: zero"


def test_survey_errors_are_one_line(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """No answers for u3 under the default policy, or an unknown instrument: one error line."""
    base = [
        "evaluate",
        "--rubric",
        str(files["rubric.yaml"]),
        "--observations",
        str(files["obs.csv"]),
    ]
    assert main([*base, "--survey", f"F-03={files['f03.csv']}"]) == 1
    assert "F-03: 'u3'" in capsys.readouterr().err
    assert main([*base, "--survey", f"F-09={files['f03.csv']}"]) == 1
    assert "declares no instrument 'F-09'" in capsys.readouterr().err
    assert main([*base, "--survey", "F-03"]) in (1, 2)
    assert "ID=FILE" in capsys.readouterr().err


def test_exported_demo_survey_gives_the_demo_composite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'demo --export' writes the F-03 answers and the composite rubric; the CLI reproduces it."""
    import pelayanan_eval as pe

    assert main(["demo", "--export", str(tmp_path)]) == 0
    capsys.readouterr()
    code = main(["-q", "evaluate", "--rubric", str(tmp_path / "composite.yaml"),
                 "--units", str(tmp_path / "units.csv"),
                 "--observations", str(tmp_path / "observations.csv"),
                 "--survey", f"F-03={tmp_path / 'survey-f03.csv'}", "--no-data", "renormalize",
                 "--format", "json"])  # fmt: skip
    assert code == 0
    rows = {r["unit"]: r for r in json.loads(capsys.readouterr().out)["units"]}
    city = pe.demo_city()
    ev = pe.evaluate(city.composite, city.observations, units=city.units,
                     instruments={"F-03": city.survey}, no_data="renormalize")  # fmt: skip
    for unit, index in zip(ev.units.ids.tolist(), ev.index.tolist(), strict=True):
        assert rows[unit]["index"] == pytest.approx(index, abs=1e-12)
