"""The decision commands: evaluate --uncertainty and compare."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import pelayanan_eval as pe
from pelayanan_eval import decisions
from pelayanan_eval._cli.main import main


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo city exported, and a second round without kelurahan-01 and with a new unit."""
    folder = tmp_path_factory.mktemp("rounds")
    first, second = folder / "2025", folder / "2026"
    assert main(["demo", "--export", str(first)]) == 0
    second.mkdir()
    for name in ("units.csv", "observations.csv"):
        rows = list(csv.reader((first / name).read_text(encoding="utf-8").splitlines()))
        kept = [rows[0]] + [r for r in rows[1:] if r[0] != "kelurahan-01"]
        kept += [["kelurahan-99", *r[1:]] for r in rows[1:] if r[0] == "kelurahan-02"]
        with (second / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(kept)
    return first, second


def _evaluate(folder: Path, *extra: str) -> list[str]:
    return ["evaluate", "--rubric", "permenpanrb-17-2017", "--units", str(folder / "units.csv"),
            "--observations", str(folder / "observations.csv"), "--uncertainty", *extra]  # fmt: skip


def test_evaluate_uncertainty_adds_columns(rounds, capsys: pytest.CaptureFixture[str]) -> None:
    """The table gets P(award) and a rank interval per unit, and names the tied awards."""
    assert main(_evaluate(rounds[0])) == 0
    out = capsys.readouterr().out
    assert "P(award)  rank 90%" in out
    line = next(x for x in out.splitlines() if "kelurahan-16 " in x)
    assert 0.0 <= float(line[65:75]) <= 1.0 and "-" in line[75:85]
    assert "Awards within the noise of the visits (announce as ties):" in out


def test_evaluate_uncertainty_json_matches_the_library(rounds, capsys) -> None:
    """The JSON records carry the library's P(award) for the same seed and replicates."""
    assert main(_evaluate(rounds[0], "--format", "json", "--replicates", "300", "--seed", "7")) == 0
    units = {r["unit"]: r for r in json.loads(capsys.readouterr().out)["units"]}
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    result = decisions.uncertainty(ev, city.observations, replicates=300, rng=7)
    for i, unit in enumerate(ev.units.ids.tolist()):
        assert units[unit]["p_award"] == pytest.approx(result.p_award[i])
        assert units[unit]["rank_low"] == result.rank_low[i]


def test_evaluate_refuses_too_few_replicates(rounds, capsys) -> None:
    """--replicates below the minimum is one error line and exit code 1."""
    assert main(_evaluate(rounds[0], "--replicates", "10")) == 1
    assert "replicates must be at least 100" in capsys.readouterr().err


def test_compare_reports_added_and_removed_units(rounds, capsys) -> None:
    """The compare command lists the unit removed, the unit added and each matched unit."""
    first, second = rounds
    args = ["compare", str(first), str(second), "--rubric", "permenpanrb-17-2017",
            "--labels", "2025,2026", "--replicates", "200"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("2025 -> 2026: 69 units in both rounds; added: kelurahan-99; "
                          "removed: kelurahan-01")  # fmt: skip
    assert "best-worst gap" in out and "coached units" in out
    line = next(x for x in out.splitlines() if x.startswith("kelurahan-02 "))
    assert "+0.00" in line  # the same visits in both rounds


def test_compare_csv_has_one_row_per_matched_unit(rounds, capsys) -> None:
    """--format csv writes the 69 matched units."""
    first, second = rounds
    args = ["compare", str(first), str(second), "--rubric", "permenpanrb-17-2017",
            "--format", "csv", "--replicates", "200"]  # fmt: skip
    assert main(args) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 69 and {"change", "beyond_noise", "se"} <= set(rows[0])


def test_compare_needs_two_rounds(rounds, capsys) -> None:
    """One round is refused with one error line."""
    assert main(["compare", str(rounds[0]), "--rubric", "permenpanrb-17-2017"]) == 1
    assert "two or more rounds" in capsys.readouterr().err
