"""Every grading entry point gives the same grade for the same value, under each rounding mode."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval._cli.main import main
from pelayanan_eval.schema import Rounding
from tests.conftest import load_quietly

# IKM values on 25-100 at and inside the printed gaps of the 14/2017 table
# (D 25,00-64,99 / C 65,00-76,60 / B 76,61-88,30 / A 88,31-100), graded by hand:
# half up: 76.605 -> 76.61 B, 88.305 -> 88.31 A; half to even: 76.605 -> 76.60 C,
# 88.305 -> 88.30 B; 64.995 -> 65.00 C and 64.9949 -> 64.99 D under both;
# 76.6049 -> 76.60 C and 88.3051 -> 88.31 A under both.
VALUES = [76.605, 88.305, 64.995, 64.9949, 76.6049, 88.3051]
EXPECTED = {
    "half_up": ["B", "A", "C", "D", "C", "A"],
    "half_even": ["C", "B", "C", "D", "C", "A"],
}


def _rubric(mode: str) -> pe.Rubric:
    base = load_quietly("permenpanrb-14-2017-ikm")
    return attrs.evolve(base, rounding=Rounding(2, mode))  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_rubric_grade_scalar_and_array(mode: str) -> None:
    """Rubric.grade gives the hand-worked grade for scalars and arrays, on both scales."""
    rubric = _rubric(mode)
    assert [rubric.grade(v, on="reported").code for v in VALUES] == EXPECTED[mode]
    assert rubric.grade(VALUES, on="reported").tolist() == EXPECTED[mode]
    assert rubric.grade(np.array(VALUES) / 25).tolist() == EXPECTED[mode]


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_evaluate_cards_and_unit_grades(mode: str) -> None:
    """evaluate(), Evaluation.grade() and report cards agree with the hand-worked grades."""
    rubric = _rubric(mode)
    ids = [f"u{i}" for i in range(len(VALUES))]
    values = np.repeat(np.array(VALUES)[:, None] / 25, len(rubric.leaves), axis=1)
    ev = pe.evaluate(rubric, pe.Observations.from_arrays(rubric, unit=ids, values=values))
    by_unit = dict(zip(ev.units.ids.tolist(), ev.grades.tolist(), strict=True))
    assert [by_unit[u] for u in ids] == EXPECTED[mode]
    assert [ev.grade(u).code for u in ids] == EXPECTED[mode]  # type: ignore[union-attr]
    assert [card.grade.code for card in ev.cards(ids)] == EXPECTED[mode]  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_ikm_from_nrr_and_rubric_band_table(mode: str) -> None:
    """ikm.from_nrr with the rubric's own bands grades as the rubric does, rounding included."""
    rubric = _rubric(mode)
    nrr = np.repeat(np.array(VALUES)[:, None] / 25, len(rubric.leaves), axis=1)
    result = ikm.from_nrr(rubric, nrr)
    assert result.grades.tolist() == EXPECTED[mode]
    assert result.rounded.tolist() == rubric.rounding.apply(VALUES).tolist()


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_cli_grade(mode: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command line's grade command prints the same grades."""
    path = tmp_path / "ikm.yaml"
    path.write_text(pe.dump_rubric(_rubric(mode)), encoding="utf-8")
    assert main(["grade", str(path), *map(str, VALUES), "--reported"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[2] for line in out] == EXPECTED[mode]


def test_published_band_tables_equal_the_rubric_files() -> None:
    """ikm.BAND_TABLES for 14/2017 and 25/2004 have the bands and rounding of the rubric files."""
    for table_id, rubric_id in (("permenpanrb-14-2017", "permenpanrb-14-2017-ikm"),
                                ("kepmenpan-25-2004", "kepmenpan-25-2004-ikm")):  # fmt: skip
        rubric, table = load_quietly(rubric_id), ikm.BAND_TABLES[table_id]
        assert table.on == "reported"
        assert table.grades == rubric.grades
        assert table.rounding == rubric.rounding
