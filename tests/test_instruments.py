"""Instruments and the composite index: F-02 (evaluator) with F-03 (public survey)."""

from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval.exceptions import (
    MissingScoreError,
    ObservationError,
    OptionError,
    ProvisionalRubricWarning,
    RubricError,
    UnknownCriterionError,
)

COMPOSITE = textwrap.dedent(
    """\
    schema: 1
    id: composite-test
    title: Composite test rubric
    regulation: {name: made up for the tests}
    status: verified
    scale: {min: 0, max: 5}
    rounding: {digits: 2, mode: half_up}
    grades:
      - {code: A, min: 4.51, label: Pelayanan Prima}
      - {code: A-, min: 4.01, label: Sangat Baik}
      - {code: B, min: 3.51, label: Baik}
      - {code: B-, min: 3.01, label: Baik (DC)}
      - {code: C, min: 2.51, label: Cukup}
      - {code: C-, min: 2.01, label: Cukup (DC)}
      - {code: D, min: 0, label: Pembinaan}
    instruments:
      - {id: F-02, name: Evaluator, kind: evaluator, weight: @F02@}
      - id: F-03
        name: Survei publik
        kind: survey
        weight: @F03@
        min_respondents: @MIN@
        items:
          - {id: q1, name: Satu}
          - {id: q2, name: Dua}
    criteria:
      - {id: a, name: A, weight: 60%}
      - {id: b, name: B, weight: 40%}
    """
)


def composite_text(f02: float = 0.75, f03: float = 0.25, minimum: int = 1) -> str:
    return (
        COMPOSITE.replace("@F02@", f"{f02:g}").replace("@F03@", f"{f03:g}")
        .replace("@MIN@", str(minimum))
    )  # fmt: skip


def composite_rubric(f02: float = 0.75, f03: float = 0.25, minimum: int = 1) -> pe.Rubric:
    return pe.parse_rubric(composite_text(f02, f03, minimum))


def assessors(rubric: pe.Rubric) -> pe.Observations:
    # u1: a = (4 + 5) / 2 = 4.5, b = 3 -> 0.6 x 4.5 + 0.4 x 3 = 3.9
    # u2: a = 2, b = 2 -> 2.0
    # u3: a = 5, b = (5 + 4) / 2 = 4.5 -> 0.6 x 5 + 0.4 x 4.5 = 4.8
    return pe.Observations.from_arrays(
        rubric,
        unit=["u1", "u1", "u2", "u3", "u3"],
        values=[[4, 3], [5, 3], [2, 2], [5, 5], [5, 4]],
    )


def survey(rubric: pe.Rubric) -> pe.Observations:
    # u1: q1 = (4 + 3) / 2 = 3.5, q2 = (5 + 4) / 2 = 4.5 -> F-03 = 4.0
    # u2: one respondent, q1 = q2 = 5 -> F-03 = 5.0; u3: nobody answered
    return pe.Observations.from_records(
        rubric.instrument_rubric("F-03"),
        [
            {"unit": "u1", "q1": 4, "q2": 5},
            {"unit": "u1", "q1": 3, "q2": 4},
            {"unit": "u2", "q1": 5, "q2": 5},
        ],
    )


UNITS = [pe.Unit("u1", "Satu", "kel"), pe.Unit("u2", "Dua", "kel"), pe.Unit("u3", "Tiga", "kel")]


def test_composite_worked_by_hand_zero() -> None:
    """no_data='zero': u3 without answers gets 0.75 x 4.8 + 0.25 x 0 = 3.6."""
    rubric = composite_rubric()
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS,
                     instruments={"F-03": survey(rubric)}, no_data="zero")  # fmt: skip
    parts = ev.instruments
    assert parts is not None and parts.ids == ("F-02", "F-03")
    np.testing.assert_allclose(parts.index[:, 0], [3.9, 2.0, 4.8], atol=1e-12)
    np.testing.assert_allclose(parts.index[:, 1], [4.0, 5.0, np.nan], atol=1e-12)
    assert parts.records.tolist() == [[2, 2], [1, 1], [2, 0]]
    # u1 0.75 x 3.9 + 0.25 x 4.0 = 3.925; u2 0.75 x 2 + 0.25 x 5 = 2.75; u3 3.6
    np.testing.assert_allclose(ev.index, [3.925, 2.75, 3.6], atol=1e-12)
    assert ev.rounded.tolist() == [3.93, 2.75, 3.6]
    assert ev.grades.tolist() == ["B", "C", "B"]
    assert parts.used.tolist() == [[True, True], [True, True], [True, False]]
    assert ev.settings.composite == "0.75 x F-02 + 0.25 x F-03; no data: zero"


def test_composite_worked_by_hand_renormalize() -> None:
    """no_data='renormalize': u3 without answers is scored on F-02 alone (4.8, grade A)."""
    rubric = composite_rubric()
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS,
                     instruments={"F-03": survey(rubric)}, no_data="renormalize")  # fmt: skip
    np.testing.assert_allclose(ev.index, [3.925, 2.75, 4.8], atol=1e-12)
    assert ev.grades.tolist() == ["B", "C", "A"]
    # the criteria's scores stay the evaluator's
    np.testing.assert_allclose(ev.scores("a"), [4.5, 2.0, 5.0])


def test_composite_worked_by_hand_error() -> None:
    """no_data='error' (default) names the unit and the instrument without data."""
    rubric = composite_rubric()
    with pytest.raises(MissingScoreError, match=r"1 unit x instrument pair\(s\).*F-03: 'u3'"):
        pe.evaluate(rubric, assessors(rubric), units=UNITS, instruments={"F-03": survey(rubric)})


def test_apps_conventions_reproduced() -> None:
    """Both published PEKPPP conventions on the same data, each by its option.

    gilangtriwijaya/pekpp: F-03 counts 0 below a target number of respondents
    (target 2: u2's single answer does not count) -> u2 = 0.75 x 2.0 + 0 = 1.5.
    brayenid/pekppp-guide: f03Count > 0 ? 0.75 x F-02 + 0.25 x F-03 : F-02
    -> u3 = 4.8, u2 = 0.75 x 2 + 0.25 x 5 = 2.75.
    """
    target = composite_rubric(minimum=2)
    ev = pe.evaluate(target, assessors(target), units=UNITS,
                     instruments={"F-03": survey(target)}, no_data="zero")  # fmt: skip
    np.testing.assert_allclose(ev.index, [3.925, 1.5, 3.6], atol=1e-12)
    rubric = composite_rubric()
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS,
                     instruments={"F-03": survey(rubric)}, no_data="renormalize")  # fmt: skip
    np.testing.assert_allclose(ev.index, [3.925, 2.75, 4.8], atol=1e-12)


def test_without_instrument_data_the_index_is_the_evaluators() -> None:
    """A rubric with instruments but no instrument data evaluates as before: F-02 alone."""
    rubric = composite_rubric()
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS)
    np.testing.assert_allclose(ev.index, [3.9, 2.0, 4.8], atol=1e-12)
    assert ev.instruments is None and ev.settings.composite == ""


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), policy=st.sampled_from(["zero", "renormalize"]))
def test_zero_survey_weight_gives_todays_index(seed: int, policy: str) -> None:
    """With F-03 weight 0 the composite equals the evaluator's index for every unit."""
    rubric = composite_rubric(f02=1, f03=0)
    rng = np.random.default_rng(seed)
    obs = pe.Observations.from_arrays(rubric, unit=np.repeat(["x", "y", "z"], 2),
                                      values=rng.integers(0, 6, (6, 2)))  # fmt: skip
    answers = pe.Observations.from_arrays(rubric.instrument_rubric("F-03"), unit=["x", "y"],
                                          values=rng.integers(0, 6, (2, 2)))  # fmt: skip
    plain = pe.evaluate(rubric, obs)
    mixed = pe.evaluate(rubric, obs, instruments={"F-03": answers}, no_data=policy)  # type: ignore[arg-type]
    np.testing.assert_allclose(mixed.index, plain.index, rtol=0, atol=1e-12)
    assert mixed.grades.tolist() == plain.grades.tolist()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cell=st.integers(0, 11))
def test_raising_a_survey_answer_never_lowers_the_composite(seed: int, cell: int) -> None:
    """One F-03 answer raised by 1 (within the scale): no unit's composite goes down."""
    rubric = composite_rubric()
    rng = np.random.default_rng(seed)
    obs = pe.Observations.from_arrays(rubric, unit=["x", "y"], values=rng.integers(0, 6, (2, 2)))
    values = rng.integers(0, 5, (6, 2)).astype(float)
    unit = ["x", "x", "x", "y", "y", "y"]
    own = rubric.instrument_rubric("F-03")
    before = pe.evaluate(rubric, obs, instruments={
        "F-03": pe.Observations.from_arrays(own, unit=unit, values=values)})  # fmt: skip
    values[cell // 2, cell % 2] += 1
    after = pe.evaluate(rubric, obs, instruments={
        "F-03": pe.Observations.from_arrays(own, unit=unit, values=values)})  # fmt: skip
    assert bool(np.all(after.index >= before.index - 1e-12))


def test_records_carry_each_instrument() -> None:
    """to_records() has each instrument's index and record count beside the composite."""
    rubric = composite_rubric()
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS,
                     instruments={"F-03": survey(rubric)}, no_data="zero")  # fmt: skip
    first = ev.to_records()[0]
    assert first["index_F-02"] == pytest.approx(3.9)
    assert first["index_F-03"] == pytest.approx(4.0)
    assert first["records_F-03"] == 2
    assert first["index"] == pytest.approx(3.925)


def test_survey_answer_off_the_scale() -> None:
    """An F-03 answer of 7 on the 0-5 scale names the row and the statement."""
    own = composite_rubric().instrument_rubric("F-03")
    with pytest.raises(ObservationError, match=r"f03\.csv row 3, column 'q2': score 7\.0"):
        pe.Observations.from_records(own, [{"unit": "u1", "q1": 4, "q2": 7}],
                                     source="f03.csv", first_row=3)  # fmt: skip


def test_instrument_not_in_the_rubric() -> None:
    """Data for an instrument the rubric does not declare is refused with the declared ids."""
    rubric = composite_rubric()
    with pytest.raises(
        ObservationError, match=r"no instrument 'F-04' \(it declares 'F-02', 'F-03'\)"
    ):
        pe.evaluate(rubric, assessors(rubric), instruments={"F-04": survey(rubric)})
    with pytest.raises(ObservationError, match=r"'F-02' is the evaluator's"):
        pe.evaluate(rubric, assessors(rubric), instruments={"F-02": assessors(rubric)})
    with pytest.raises(UnknownCriterionError, match=r"declares no instrument 'F-01'"):
        rubric.instrument_rubric("F-01")


@pytest.mark.parametrize("policy", ["error", "zero", "renormalize"])
def test_survey_answers_for_a_unit_without_visits(policy: str) -> None:
    """F-03 answers for a unit the assessors never visited are refused under every policy."""
    rubric = composite_rubric()
    stray = pe.Observations.from_records(
        rubric.instrument_rubric("F-03"), [{"unit": "u9", "q1": 3, "q2": 3}]
    )
    with pytest.raises(
        ObservationError,
        match=r"instrument 'F-03': records for unit\(s\) not among the units: 'u9'",
    ):
        pe.evaluate(rubric, assessors(rubric), instruments={"F-03": stray}, no_data=policy)  # type: ignore[arg-type]


def test_survey_scored_on_the_evaluator_rubric_is_refused() -> None:
    """F-03 records built on the assessors' rubric (other leaves) are refused, saying which."""
    rubric = composite_rubric()
    with pytest.raises(ObservationError, match=r"instrument 'F-03': the records were scored on"):
        pe.evaluate(rubric, assessors(rubric), instruments={"F-03": assessors(rubric)})


def test_instrument_weights_must_sum_to_one() -> None:
    """0.75 + 0.5 is refused with the sum."""
    with pytest.raises(
        RubricError, match=r"instruments' weights must sum to 1, got 0.75 \+ 0.5 = 1.25"
    ):
        composite_rubric(f03=0.5)


def test_instrument_over_unknown_criteria() -> None:
    """A view over criteria that do not exist names the instrument and the criterion."""
    text = (
        composite_text()
        .replace(
            "    items:\n      - {id: q1, name: Satu}\n      - {id: q2, name: Dua}\n",
            "    criteria: [a, c]\n",
        )
        .replace("kind: survey", "kind: self_assessment")
    )
    with pytest.raises(
        RubricError,
        match=r"instruments\[1\]\.criteria\[1\]: instrument 'F-03': the rubric has no top-level criterion 'c'",
    ):
        pe.parse_rubric(text)


def test_view_instrument_renormalises_its_criteria() -> None:
    """A self-assessment over criterion 'a' alone scores 'a' with weight 1."""
    text = (
        composite_text(0.5, 0.5)
        .replace(
            "    items:\n      - {id: q1, name: Satu}\n      - {id: q2, name: Dua}\n",
            "    criteria: [a]\n",
        )
        .replace("kind: survey", "kind: self_assessment")
    )
    rubric = pe.parse_rubric(text)
    own = rubric.instrument_rubric("F-03")
    assert own.leaf_ids == ("a",) and own.leaf_weights.tolist() == [1.0]
    mine = pe.Observations.from_arrays(own, unit=["u1", "u2", "u3"], values=[[5], [1], [3]])
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS, instruments={"F-03": mine})
    # u1 0.5 x 3.9 + 0.5 x 5 = 4.45; u2 0.5 x 2 + 0.5 x 1 = 1.5; u3 0.5 x 4.8 + 0.5 x 3 = 3.9
    np.testing.assert_allclose(ev.index, [4.45, 1.5, 3.9], atol=1e-12)


def test_unknown_no_data_policy_and_policy_without_data() -> None:
    """A typo in no_data is refused; no_data without instrument data is refused too."""
    rubric = composite_rubric()
    with pytest.raises(OptionError, match=r"unknown no_data policy 'zeros'.*did you mean 'zero'"):
        pe.evaluate(rubric, assessors(rubric), instruments={}, no_data="zeros")  # type: ignore[arg-type]
    with pytest.raises(OptionError, match=r"no_data applies when instrument records are given"):
        pe.evaluate(rubric, assessors(rubric), no_data="zero")


def test_rubric_without_instruments_refuses_instrument_data() -> None:
    """Instrument data for a rubric that declares none is an error, not ignored."""
    text = composite_text()
    plain = pe.parse_rubric(
        text.split("instruments:")[0] + "criteria:" + text.split("criteria:")[-1]
    )
    obs = pe.Observations.from_arrays(plain, unit=["u"], values=[[3, 3]])
    with pytest.raises(ObservationError, match=r"declares no instruments"):
        pe.evaluate(plain, obs, instruments={"F-03": obs})


def test_bundled_29_2022_declares_f02_and_f03() -> None:
    """29/2022: F-02 0.75 and F-03 0.25 (both [code]), named as provisional."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-29-2022")
    assert [(i.id, i.kind, i.weight) for i in rubric.instruments] == [
        ("F-02", "evaluator", 0.75), ("F-03", "survey", 0.25),
    ]  # fmt: skip
    assert any("0,75 x F-02" in text and "0,25 x F-03" in text for text in rubric.provisional)
    assert len(rubric.instrument_rubric("F-03").leaves) == 11


@pytest.mark.parametrize("policy", ["zero", "renormalize"])
def test_card_path_reaches_the_next_grade_of_the_composite(policy: str) -> None:
    """The lowest demo unit's card path, applied to its F-02 scores, lifts the composite's grade.

    Under 'zero' a unit without survey answers keeps F-02's weight 0.75 (F-03
    counts 0), under 'renormalize' F-02 carries the whole index: the path
    must account for the share either way.
    """
    city = pe.demo_city()
    options = {"instruments": {"F-03": city.survey}, "no_data": policy}
    ev = pe.evaluate(city.composite, city.observations, units=city.units, **options)  # type: ignore[arg-type]
    lowest = str(ev.units.ids[int(np.nanargmin(ev.reported))])
    card = ev.card(lowest)
    assert card.instruments[0][0] == "F-02" and card.composite == ev.settings.composite
    assert card.next_grade is not None
    values = np.array(city.observations.values)
    rows = city.observations.unit == lowest
    for step in card.next_grade.steps:
        values[rows, city.rubric.leaf_ids.index(step.id)] = step.after
    raised = pe.Observations.from_arrays(
        city.rubric, unit=city.observations.unit, values=values,
        visit=city.observations.visit,
    )  # fmt: skip
    after = pe.evaluate(city.composite, raised, units=city.units, **options)  # type: ignore[arg-type]
    position = [u.id for u in city.units].index(lowest)
    assert after.grades[position] == card.next_grade.code
    assert after.rounded[position] == pytest.approx(card.next_grade.reaches)


def test_f03_questionnaire_shows_the_anchors() -> None:
    """The F-03 form renders each statement with the printed anchors 0 and 5."""
    from pelayanan_eval import ikm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-29-2022")
    text = ikm.questionnaire(rubric.instrument_rubric("F-03"))
    assert "1. **Persyaratan pelayanan mudah dipenuhi**" in text
    assert "0. Sangat Buruk" in text and "5. Sangat Baik" in text
    assert text.count("5. Sangat Baik") == 11
