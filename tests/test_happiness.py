"""The BPS happiness index from household answers: a weighted case worked by hand, levels, provenance."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval import ikm
from tests.conftest import load_quietly

TOL = 1e-9

# Each household gives one answer (0-10) to every item of a group:
# Kepuasan Hidup Personal (5 items), Sosial (5), Perasaan (3), Makna Hidup (6).
#            unit     weight  KHP KHS Per Mak
HOUSEHOLDS = [
    ("kel-a", 2.0, 6, 8, 7, 9),
    ("kel-a", 1.0, 9, 5, 4, 6),
    ("kel-b", 1.0, 5, 7, 6, 8),
    ("kel-b", 3.0, 8, 9, 5, 7),
    ("kel-b", 1.0, 4, 6, 9, 5),
]
# By hand (score = 10 x weighted mean answer):
# kel-a, W = 3: KHP (2*6 + 9)/3 = 7 -> 70; KHS (16 + 5)/3 = 7 -> 70; Perasaan (14 + 4)/3 = 6
#   -> 60; Makna (18 + 6)/3 = 8 -> 80; Kepuasan Hidup (70 + 70)/2 = 70;
#   index 0.3480*70 + 0.3118*60 + 0.3402*80 = 24.36 + 18.708 + 27.216 = 70.284 -> 70.28
# kel-b, W = 5: KHP (5 + 24 + 4)/5 = 6.6 -> 66; KHS (7 + 27 + 6)/5 = 8 -> 80; Perasaan
#   (6 + 15 + 9)/5 = 6 -> 60; Makna (8 + 21 + 5)/5 = 6.8 -> 68; Kepuasan Hidup (66 + 80)/2 = 73;
#   index 0.3480*73 + 0.3118*60 + 0.3402*68 = 25.404 + 18.708 + 23.1336 = 67.2456 -> 67.25
# city (pooled, W = 8): KHP 54/8 = 6.75 -> 67.5; KHS 61/8 = 7.625 -> 76.25; Perasaan 48/8 = 6
#   -> 60; Makna 58/8 = 7.25 -> 72.5; Kepuasan Hidup 71.875;
#   index 0.348*71.875 + 0.3118*60 + 0.3402*72.5 = 25.0125 + 18.708 + 24.6645 = 68.385 -> 68.39
EXPECTED = {
    "kel-a": {"kepuasan-hidup-personal": 70, "kepuasan-hidup-sosial": 70, "kepuasan-hidup": 70,
              "perasaan": 60, "makna-hidup": 80, "index": 70.284, "rounded": 70.28},
    "kel-b": {"kepuasan-hidup-personal": 66, "kepuasan-hidup-sosial": 80, "kepuasan-hidup": 73,
              "perasaan": 60, "makna-hidup": 68, "index": 67.2456, "rounded": 67.25},
    "kota": {"kepuasan-hidup-personal": 67.5, "kepuasan-hidup-sosial": 76.25,
             "kepuasan-hidup": 71.875, "perasaan": 60, "makna-hidup": 72.5, "index": 68.385,
             "rounded": 68.39},
}  # fmt: skip
GROUP_SIZES = (5, 5, 3, 6)


@pytest.fixture(scope="module")
def rubric() -> pe.Rubric:
    """The bundled BPS happiness rubric (provisional)."""
    return load_quietly("bps-indeks-kebahagiaan-2017")


@pytest.fixture(scope="module")
def households(rubric: pe.Rubric) -> ikm.Responses:
    """The five households of the hand calculation."""
    answers = [np.repeat(row[2:], GROUP_SIZES) for row in HOUSEHOLDS]
    return ikm.Responses.from_arrays(
        rubric, answers=answers, unit=[row[0] for row in HOUSEHOLDS],
        weights=[row[1] for row in HOUSEHOLDS],
    )  # fmt: skip


def _check(result: ikm.SurveyResult, expected: dict[str, dict[str, float]]) -> None:
    for i, unit in enumerate(result.unit_ids.tolist()):
        for name, value in expected[unit].items():
            if name == "index":
                assert result.index[i] == pytest.approx(value, abs=TOL), (unit, name)
            elif name == "rounded":
                assert result.rounded[i] == value, (unit, name)
            else:
                assert result.node(name)[i] == pytest.approx(value, abs=TOL), (unit, name)


def test_weighted_happiness_by_hand(rubric: pe.Rubric, households: ikm.Responses) -> None:
    """Two kelurahan, five weighted households: every dimension and the index as worked by hand."""
    result = ikm.survey(rubric, households)
    assert result.unit_ids.tolist() == ["kel-a", "kel-b"]
    assert result.respondents.tolist() == [2, 3]
    assert result.weight.tolist() == [3.0, 5.0]
    _check(result, EXPECTED)
    assert result.grades is None  # BPS publishes no bands


def test_city_pools_the_households(rubric: pe.Rubric, households: ikm.Responses) -> None:
    """The city level pools all households (W = 8), as worked by hand; kecamatan = both kelurahan."""
    units, kecamatan, city = ikm.levels(rubric, households, {"kel-a": "kec-x", "kel-b": "kec-x"})
    _check(units, EXPECTED)
    _check(city, {"kota": EXPECTED["kota"]})
    assert kecamatan.index[0] == pytest.approx(EXPECTED["kota"]["index"], abs=TOL)


def test_dimension_interval_by_hand(rubric: pe.Rubric, households: ikm.Responses) -> None:
    """Linearised SE of kel-a's Perasaan: u = 10 w (x - 6) / 3 = +-20/3, V = 2/1 x 800/9, SE 40/3."""
    result = ikm.survey(rubric, households)
    perasaan = result.node_ids.index("perasaan")
    assert result.node_se[0, perasaan] == pytest.approx(40 / 3, rel=1e-12)


def test_unweighted_is_the_plain_mean(rubric: pe.Rubric) -> None:
    """Without weights, 0-10 answers 4 and 8 give 60 on every item and the index 60."""
    answers = [[4] * 19, [8] * 19]
    result = ikm.survey(rubric, ikm.Responses.from_arrays(rubric, answers=answers, unit=["k"] * 2))
    assert result.index[0] == pytest.approx(60.0, abs=TOL)
    assert not result.weighted


def test_zero_is_an_answer_on_a_0_to_10_item(rubric: pe.Rubric) -> None:
    """On 0-10 items a 0 is an answer (NaN is none), also from records."""
    answers = np.full((2, 19), 10.0)
    answers[0] = 0
    answers[1, 3] = np.nan
    result = ikm.survey(rubric, ikm.Responses.from_arrays(rubric, answers=answers, unit=["k"] * 2))
    assert result.answered[0].tolist() == [2, 2, 2, 1] + [2] * 15
    assert result.scores[0, 0] == pytest.approx(50.0) and result.scores[0, 3] == 0.0
    row = {"unit": "k", **dict.fromkeys(rubric.leaf_ids, "0")}
    assert ikm.Responses.from_records(rubric, [row]).answers[0].tolist() == [1] * 19


def test_published_national_index_reproduces(rubric: pe.Rubric) -> None:
    """BPS 2017 national dimensions 71,07 / 68,59 / 72,23 give the published IK 70,69 [V-calc]."""
    scores = {"kepuasan-hidup": 71.07, "perasaan": 68.59, "makna-hidup": 72.23}
    index = sum(scores[d] * rubric.weight_of(d) for d in scores)
    assert float(pe.schema.round_half_up(index, 2)) == 70.69


def test_answers_are_provisional(rubric: pe.Rubric) -> None:
    """The 0-10 answer scale is a placeholder and says so in the rubric's provisional list."""
    assert all(leaf.answers == pe.schema.Answers(0, 10, 10) for leaf in rubric.leaves)
    assert any("answers 0–10" in note for note in rubric.provisional)
    assert rubric.status == "provisional"


def test_questionnaire_lists_the_answer_scale(rubric: pe.Rubric) -> None:
    """The questionnaire of the happiness rubric offers the answers 0..10 of each item."""
    text = ikm.questionnaire(rubric, format="text")
    assert "(0)" in text and "(10)" in text and "(100)" not in text
