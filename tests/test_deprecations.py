"""Renamed public names keep working for one release, with a DeprecationWarning."""

from __future__ import annotations

import pytest

from pelayanan_eval import ikm
from tests.conftest import load_quietly


def test_ikm_result_old_field_names_warn_and_alias_the_new_ones() -> None:
    """IkmResult.converted / mutu / kinerja are the new reported / grades / grade_labels."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    # NRR 3.41 on every unsur: IKM 3.41 x 25 = 85.25, band B "Baik" (76.61 <= 85.25 < 88.31)
    result = ikm.from_nrr(rubric, [3.41] * 9)
    assert result.rounded.tolist() == [85.25]
    assert result.grades.tolist() == ["B"] and result.grade_labels.tolist() == ["Baik"]
    for old, new in (("converted", "reported"), ("mutu", "grades"), ("kinerja", "grade_labels")):
        with pytest.warns(DeprecationWarning, match=f"IkmResult.{old} is deprecated"):
            assert getattr(result, old).tolist() == getattr(result, new).tolist()


def test_ikm_records_use_the_evaluation_vocabulary() -> None:
    """IkmResult.to_records() names index, reported, rounded, grade and grade_label."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    (record,) = ikm.from_nrr(rubric, [3.41] * 9, unit_ids=["kel-a"]).to_records()
    assert record["unit"] == "kel-a"
    assert record["index"] == pytest.approx(3.41) and record["reported"] == pytest.approx(85.25)
    assert (record["rounded"], record["grade"], record["grade_label"]) == (85.25, "B", "Baik")


def test_on_converted_is_a_deprecated_alias_of_reported() -> None:
    """grade(on="converted"), target(on="converted") and BandTable(on="converted") warn."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    with pytest.warns(DeprecationWarning, match="on='converted' is deprecated"):
        old = rubric.grade(85.25, on="converted")  # type: ignore[call-overload]
    assert (old.code, old.rounded) == (rubric.grade(85.25, on="reported").code, 85.25)
    table = ikm.BAND_TABLES["permenpanrb-14-2017"]
    with pytest.warns(DeprecationWarning, match="on='converted' is deprecated"):
        copy = ikm.BandTable(table.id, "converted", table.rounding, table.grades, table.source)  # type: ignore[arg-type]
    assert copy.on == "reported"


def test_grade_value_and_raw_are_deprecated_aliases() -> None:
    """Grade.value / Grade.raw warn and equal Grade.rounded / Grade.reported."""
    rubric = load_quietly("permenpanrb-17-2017")
    grade = rubric.grade(4.505)  # 4.505 rounds half up to 4.51, band A from 4.51
    assert (grade.code, grade.rounded, grade.reported) == ("A", 4.51, 4.505)
    with pytest.warns(DeprecationWarning, match="Grade.value is deprecated"):
        assert grade.value == 4.51
    with pytest.warns(DeprecationWarning, match="Grade.raw is deprecated"):
        assert grade.raw == 4.505
