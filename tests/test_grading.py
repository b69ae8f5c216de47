"""Rounding and grading: regulation numbers, band edges, and bad values."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ScoreError


@pytest.mark.parametrize(
    ("index", "code", "label"),
    [
        (2.92, "C", "Cukup"),
        (2.84, "C", "Cukup"),
        (4.08, "A-", "Sangat Baik"),
        (4.05, "A-", "Sangat Baik"),
        (4.11, "A-", "Sangat Baik"),
        (3.68, "B", "Baik"),
    ],
)
def test_17_2017_published_examples(
    rubric_17: pe.Rubric, index: float, code: str, label: str
) -> None:
    """Indices from the Kediri-style example grade as the category table says (table in f02 ref)."""
    grade = rubric_17.grade(index)
    assert (grade.code, grade.label) == (code, label)


def test_4505_rounds_half_up_like_a_spreadsheet(rubric_17: pe.Rubric) -> None:
    """4.505 is stored as 4.50499...; a spreadsheet shows 4.51, which is band A (>= 4.51)."""
    assert 4.505 < 4.505000000000001  # the float really is below the decimal tie
    grade = rubric_17.grade(4.505)
    assert (grade.code, grade.label, grade.rounded, grade.lower) == (
        "A",
        "Pelayanan Prima",
        4.51,
        4.51,
    )
    assert grade.reported == 4.505


def test_45049_stays_below_band_a(rubric_17: pe.Rubric) -> None:
    """4.5049 rounds to 4.50, inside A- (4.01-4.50)."""
    grade = rubric_17.grade(4.5049)
    assert (grade.code, grade.rounded) == ("A-", 4.5)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0.0, "F"),
        (1.00, "F"),
        (1.005, "E"),
        (1.01, "E"),
        (1.5, "E"),
        (1.51, "D"),
        (2.0, "D"),
        (2.01, "C-"),
        (2.5, "C-"),
        (2.51, "C"),
        (3.0, "C"),
        (3.01, "B-"),
        (3.5, "B-"),
        (3.51, "B"),
        (4.0, "B"),
        (4.01, "A-"),
        (4.5, "A-"),
        (4.51, "A"),
        (5.0, "A"),
    ],
)
def test_17_2017_every_band_edge(rubric_17: pe.Rubric, value: float, code: str) -> None:
    """Each printed interval edge (x,x0 / x,x1) falls on the printed side; 1.005 rounds to 1.01."""
    assert rubric_17.grade(value).code == code


def test_array_grading_is_vectorised_codes(rubric_17: pe.Rubric) -> None:
    """An array gives a numpy array of codes in the same order."""
    codes = rubric_17.grade(np.array([2.92, 4.505, 3.68, 0.4]))
    assert isinstance(codes, np.ndarray)
    assert codes.tolist() == ["C", "A", "B", "F"]


def test_ikm_published_examples(rubric_ikm: pe.Rubric) -> None:
    """IKM 3.41 -> 85.25 -> B Baik; 3.80 -> 95.00 -> A Sangat Baik (DESIGN.md example)."""
    assert (rubric_ikm.grade(3.41).rounded, str(rubric_ikm.grade(3.41))) == (85.25, "B (Baik)")
    assert (rubric_ikm.grade(3.80).rounded, str(rubric_ikm.grade(3.80))) == (
        95.0,
        "A (Sangat Baik)",
    )


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        (64.99, "D"),
        (65.00, "C"),
        (76.60, "C"),
        (76.61, "B"),
        (88.30, "B"),
        (88.31, "A"),
        (25.00, "D"),
        (100.00, "A"),
        (76.6049, "C"),
        (76.605, "B"),
    ],
)
def test_ikm_printed_edges_on_converted_scale(rubric_ikm: pe.Rubric, nik: float, code: str) -> None:
    """NIK table 25,00-64,99 D / 65,00-76,60 C / 76,61-88,30 B / 88,31-100 A; gaps round to 2 dp."""
    assert rubric_ikm.grade(nik, on="reported").code == code


@pytest.mark.parametrize(
    ("ni", "code"),
    [
        (2.5996, "D"),
        (2.60, "C"),
        (3.064, "C"),
        (3.0644, "B"),
        (3.532, "B"),
        (3.5324, "A"),
        (1.0, "D"),
        (4.0, "A"),
    ],
)
def test_ikm_printed_edges_on_1_to_4_scale(rubric_ikm: pe.Rubric, ni: float, code: str) -> None:
    """NI table 1,00-2,5996 D / 2,60-3,064 C / 3,0644-3,532 B / 3,5324-4,00 A (each = NIK / 25)."""
    assert rubric_ikm.grade(ni).code == code


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.1, 5.2])
def test_ungradable_scalar_raises(rubric_17: pe.Rubric, bad: float) -> None:
    """NaN, infinity and values outside 0-5 are errors, never a silent grade."""
    with pytest.raises(ScoreError, match=r"permenpanrb-17-2017.*within \[0, 5\].*got"):
        rubric_17.grade(bad)


def test_ungradable_array_names_positions(rubric_17: pe.Rubric) -> None:
    """The error for an array says which positions are bad and what they hold."""
    with pytest.raises(ScoreError, match=r"got 7\.0, nan at position\(s\) \[1, 3\]"):
        rubric_17.grade([4.0, 7.0, 3.0, float("nan")])


def test_non_number_raises(rubric_17: pe.Rubric) -> None:
    """A string is reported as not a number."""
    with pytest.raises(ScoreError, match="not a number"):
        rubric_17.grade("empat")  # type: ignore[arg-type]


def test_rubric_without_grades(mini: pe.Rubric) -> None:
    """Grading under a rubric with no bands says so."""
    bare = pe.Rubric(
        id="bare",
        title="Bare",
        scale=pe.schema.Scale(0, 1),
        status="verified",
        regulation=pe.schema.Regulation("x"),
        criteria=[pe.schema.Criterion("a", "A", weight=1)],
    )
    with pytest.raises(ScoreError, match="defines no grades"):
        bare.grade(0.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4.505, 4.51),
        (2.675, 2.68),
        (1.005, 1.01),
        (0.125, 0.13),
        (76.605, 76.61),
        (-2.675, -2.68),
        (4.5049, 4.50),
        (3.0644 * 25, 76.61),
    ],
)
def test_round_half_up_matches_decimal_rounding(value: float, expected: float) -> None:
    """Half up on the printed decimal, unlike round(), which gives 2.67 for 2.675."""
    assert pe.schema.round_half_up(value, 2) == expected


def test_half_even_mode() -> None:
    """Banker's rounding on the printed decimal: 0.125 -> 0.12, 0.135 -> 0.14."""
    assert pe.schema.Rounding(2, "half_even").apply([0.125, 0.135]).tolist() == [0.12, 0.14]


def test_none_is_not_a_number(rubric_17: pe.Rubric) -> None:
    """None is reported as not a number, not as NaN."""
    with pytest.raises(ScoreError, match="cannot grade None: not a number"):
        rubric_17.grade(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("grades", "message"),
    [
        ("text-min", r"grades\[0\]\.min: must be a number, got 'x'"),
        ("bool-min", r"grades\[0\]\.min: must be a number, got True"),
        ("not-a-list", r"grades: must be a list of bands, got 5"),
    ],
)
def test_bands_of_the_wrong_type_are_rubric_errors(grades: str, message: str) -> None:
    """A band minimum that is text or True, or bands that are not a list, are RubricErrors."""
    import attrs

    from pelayanan_eval.exceptions import RubricError
    from pelayanan_eval.schema import Band, GradeScale
    from tests.conftest import load_quietly

    scale = {
        "text-min": GradeScale([Band("A", "x"), Band("B", 0)]),  # type: ignore[arg-type]
        "bool-min": GradeScale([Band("A", True), Band("B", 0)]),
        "not-a-list": GradeScale(5),  # type: ignore[arg-type]
    }[grades]
    with pytest.raises(RubricError, match=message):
        attrs.evolve(load_quietly("permenpanrb-17-2017"), grades=scale)
