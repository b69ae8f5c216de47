"""Bad observations and survey answers: library errors naming what and where, nothing coerced."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval.exceptions import ObservationError, OptionError, RubricError
from tests.conftest import TWO_LEVEL, load_quietly

ROW = {"unit": "u1", "visit": "1", "a1": 4, "a2": 3, "b1": 5, "b2": 4}
NAT = np.full(2, np.datetime64("NaT"), dtype="datetime64[D]")


@pytest.fixture(scope="module")
def two() -> pe.Rubric:
    """The two-level rubric (leaves a1, a2, b1, b2 on 0-5)."""
    return pe.parse_rubric(TWO_LEVEL)


@pytest.fixture(scope="module")
def skm() -> pe.Rubric:
    """The 14/2017 survey rubric: nine unsur answered 1-4."""
    return load_quietly("permenpanrb-14-2017-ikm")


# (columns for from_arrays, a fragment both constructors' messages contain)
OBSERVATION_CASES: list[tuple[dict[str, Any], str]] = [
    (
        {"values": [[99.0, 3, 3, 3], [3, 3, 3, 3]]},
        r"criterion 'a1': score 99\.0 is outside the "
        r"scale 0\.\.5",
    ),
    ({"values": np.ones((2, 4), dtype=bool)}, r"values must be numbers, got True/False"),
    ({"values": [[True, 3, 3, 3], [3, 3, 3, 3]]}, r"True/False at row 0, column 'a1'"),
    ({"values": [[3 + 2j, 3, 3, 3], [3, 3, 3, 3]]}, r"a complex number at row 0, column 'a1'"),
    ({"values": [[10**400, 3, 3, 3], [3, 3, 3, 3]]}, r"too large for a float .* column 'a1'"),
    ({"values": [["4", 3, 3, 3], [3, 3, 3, 3]]}, r"text \(read text cells with from_records\)"),
    ({"values": np.ones((2, 3))}, r"values has shape \(2, 3\), expected \(2, 4\)"),
    ({"unit": ["a", None]}, r"unit: None at row 1"),
    ({"unit": [None, "None"]}, r"unit: None at row 0"),
    ({"unit": ["a", "a\x00"]}, r"unit: a NUL character at row 1 \('a\\x00'\)"),
    ({"unit": ["a", ""]}, r"empty unit id in row\(s\) \[1\]"),
    ({"unit": np.array([1.5, np.nan])}, r"unit: NaN at row 1"),
    ({"unit": np.array([True, False])}, r"unit: True/False are not labels"),
    ({"visit": [None, "2"]}, r"visit: None at row 0"),
    ({"visit": [1, 2, 3]}, r"visit has shape \(3,\), expected \(2,\)"),
    ({"unit": ["a", "a"], "visit": [0, 0]}, r"unit 'a' visit 0 \(rows \[0, 1\]\)"),
    ({"observer": ["Ani", None]}, r"observer: None at row 1"),
]


@pytest.mark.parametrize(("columns", "message"), OBSERVATION_CASES)
def test_observations_constructor_refuses_what_from_arrays_refuses(
    two: pe.Rubric, columns: dict[str, Any], message: str
) -> None:
    """pe.Observations(...) itself refuses each bad column that from_arrays refuses."""
    given = {"unit": ["a", "b"], "values": np.full((2, 4), 3.0), "visit": [1, 2],
             "observer": ["", ""], **columns}  # fmt: skip
    with pytest.raises(ObservationError, match=message):
        pe.Observations.from_arrays(two, **given)
    with pytest.raises(ObservationError, match=message):
        pe.Observations(two, given["unit"], given["values"], given["visit"], given["observer"], NAT)


def test_observations_constructor_reports_every_problem(two: pe.Rubric) -> None:
    """One error names the bad unit, the bad visit and the bad score together."""
    with pytest.raises(ObservationError) as caught:
        pe.Observations(two, ["a", None], [[3, 3, 3, True], [3] * 4], [1, None], ["", ""], NAT)
    message = str(caught.value)
    assert "unit: None at row 1" in message
    assert "visit: None at row 1" in message
    assert "True/False at row 0, column 'b2'" in message


def test_observations_constructor_keeps_good_input(two: pe.Rubric) -> None:
    """Good columns given to the class itself evaluate as from_arrays builds them."""
    values = np.array([[4.0, 3, 5, 4], [2, 2, 2, 2]])
    direct = pe.Observations(two, ["a", "b"], values, [1, 1], ["", ""], NAT)
    assert values.flags.writeable and not direct.values.flags.writeable
    # a: A = (2 * 4 + 3) / 3 = 11/3, B = 4.5; 0.6 * 11/3 + 0.4 * 4.5 = 4.0
    assert pe.evaluate(two, direct).index.tolist() == pytest.approx([4.0, 2.0])


@pytest.mark.parametrize(
    ("unit", "visit"),
    [(["a", "b", "a"], [1, 1, 1]), (["a", "a", "b"], [2, 2, 1]), (["a", "a"], ["x", "x"])],
)
def test_observations_constructor_refuses_a_visit_twice_in_any_row_order(
    two: pe.Rubric, unit: list[str], visit: list[Any]
) -> None:
    """Rows not grouped by unit, or visits not ascending, are still checked pair by pair."""
    values = np.full((len(unit), 4), 3.0)
    with pytest.raises(pe.exceptions.ObservationError, match=r"unit 'a' visit .* \(rows \["):
        pe.Observations(two, unit, values, visit, [""] * len(unit), [NAT[0]] * len(unit))


ANSWERS = np.full((2, 9), 3, dtype=np.uint8)

# (answers, unit codes, unit ids, a fragment both constructors' messages contain)
RESPONSE_CASES: list[tuple[Any, Any, Any, str]] = [
    (np.full((2, 9), 200), [0, 1], ["a", "b"], r"row 0, unsur 'persyaratan': 200 \(scale 1\.\.4\)"),
    (np.full((2, 9), 2.5), [0, 1], ["a", "b"], r"answers must be whole numbers"),
    (np.zeros((2, 9), dtype=bool), [0, 1], ["a", "b"], r"answers must be numbers, got True/False"),
    (np.full((2, 9), 3 + 0j), [0, 1], ["a", "b"], r"answers must be numbers, got complex"),
    (np.full((2, 8), 3), [0, 1], ["a", "b"], r"answers have shape \(2, 8\), expected"),
    (ANSWERS, [0, 2], ["a", "b"], r"unit codes must lie in 0\.\.1, got 0\.\.2"),
    (ANSWERS, [0, 1], ["a", "a"], r"unit_ids repeats 'a'"),
    (ANSWERS, [0, 1], ["a", None], r"unit_ids: None at row 1"),
    (ANSWERS, [0, 1], ["a", "a\x00"], r"unit_ids: a NUL character at row 1"),
    (ANSWERS, [0, 1], ["a", ""], r"unit_ids has an empty id"),
    (ANSWERS, ["a", "b"], ["a", "b"], r"unit must hold integer codes, got <U1"),
    (ANSWERS, [True, False], ["a", "b"], r"unit must hold integer codes, got bool"),
]


@pytest.mark.parametrize(("answers", "codes", "ids", "message"), RESPONSE_CASES)
def test_responses_constructor_refuses_what_from_arrays_refuses(
    skm: pe.Rubric, answers: Any, codes: Any, ids: Any, message: str
) -> None:
    """ikm.Responses(...) itself refuses each bad column that from_arrays refuses."""
    with pytest.raises(ObservationError, match=message):
        ikm.Responses.from_arrays(skm, answers=answers, unit=codes, unit_ids=ids)
    with pytest.raises(ObservationError, match=message):
        ikm.Responses(skm, answers, codes, ids)


def test_responses_constructor_keeps_good_input(skm: pe.Rubric) -> None:
    """Good columns given to ikm.Responses itself compute as from_arrays builds them."""
    direct = ikm.Responses(skm, [[4] * 9, [2] * 9], [0, 0], ["kel-a"])
    assert direct.answers.dtype == np.uint8 and direct.unit_ids.tolist() == ["kel-a"]
    assert ikm.compute(skm, direct).rounded.tolist() == [75.0]  # NRR 3 on all: 3 x 25


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (None, r"records: expected rows \(an iterable of mappings .*\), got NoneType"),
        ("u1,4,3", r"records: expected rows .* got str"),
        (
            [{**ROW, "a1": 10**400}],
            r"row 0, column 'a1': must be a number a float can hold, "
            r"got one of 401 digits",
        ),
        ([{**ROW, "a1": "nan"}], r"row 0, column 'a1': must be a number, got 'nan'"),
        ([{**ROW, "a1": True}], r"row 0, column 'a1': must be a number, got True"),
        ([{**ROW, "a1": 3 + 2j}], r"row 0, column 'a1': must be a number, got \(3\+2j\)"),
        (
            [ROW, {**ROW, "unit": "u1\x00", "visit": "2"}],
            r"row 1, column 'unit': not a label, "
            r"got 'u1\\x00'",
        ),
        ([{**ROW, "visit": 0}, {**ROW, "visit": 0}], r"row 1: unit 'u1' visit '0' again"),
        ([{**ROW, "visit": False}], r"row 0, column 'visit': not a label, got False"),
    ],
)
def test_bad_records(two: pe.Rubric, records: Any, message: str) -> None:
    """Records: None, text, huge numbers, 'nan', bool, complex, NUL and repeated visit 0."""
    with pytest.raises(ObservationError, match=message):
        pe.Observations.from_records(two, records)


def test_every_bad_record_cell_in_one_error(two: pe.Rubric) -> None:
    """A word, a 'nan' and a score off the scale are named in one message."""
    with pytest.raises(ObservationError) as caught:
        pe.Observations.from_records(two, [{**ROW, "a1": "nan", "a2": "tiga", "b1": 9}])
    assert [part.split(":")[0] for part in str(caught.value).split("; ")] == [
        "records row 0, column 'a1'", "records row 0, column 'a2'", "records row 0, column 'b1'",
    ]  # fmt: skip


def test_visit_zero_is_a_visit(two: pe.Rubric) -> None:
    """An integer visit 0 is kept as the label '0', not read as a blank visit."""
    obs = pe.Observations.from_records(two, [{**ROW, "visit": 0}, {**ROW, "visit": 1}])
    assert obs.visit.tolist() == ["0", "1"]


def test_empty_cell_is_not_scored(two: pe.Rubric) -> None:
    """Empty text, None and a float NaN (a frame's blank) are "not scored"; 'nan' text is not."""
    obs = pe.Observations.from_records(two, [{**ROW, "a1": "", "a2": None, "b1": float("nan")}])
    assert np.isnan(obs.values[0, :3]).all() and obs.values[0, 3] == 4.0


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            {"unit": "u1", "criterion": ["a1"], "value": [3]},
            r"unit: expected one label per row, "
            r"got a single 'u1'",
        ),
        ({"unit": [], "criterion": [], "value": []}, r"the set is empty \(no rows\)"),
        ({"unit": ["u", None], "criterion": ["a1", "a2"], "value": [3, 3]}, r"unit: None at row 1"),
        (
            {"unit": ["u"], "criterion": ["a1"], "value": [True]},
            r"value must be numbers: "
            r"True/False at row 0",
        ),
        ({"unit": ["u"], "criterion": ["a1"], "value": [10**400]}, r"too large for a float"),
        (
            {"unit": ["u", "u"], "criterion": ["a1", "a2"], "value": [3, 3], "visit": ["1", None]},
            r"visit: None at row 1",
        ),
    ],
)
def test_bad_long_form(two: pe.Rubric, columns: dict[str, Any], message: str) -> None:
    """Long form: a single unit, no rows, None labels, bool and huge values are named."""
    with pytest.raises(ObservationError, match=rf"^observations \(long form\): .*{message}"):
        pe.Observations.from_long(two, **columns)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            {"unit": "a", "respondent": [1], "item": ["biaya"], "answer": [3]},
            r"unit: expected one label per row, got a single 'a'",
        ),
        ({"unit": [], "respondent": [], "item": [], "answer": []}, r"the set is empty"),
        (
            {
                "unit": ["a", "a"],
                "respondent": [None, "r2"],
                "item": ["biaya", "biaya"],
                "answer": [3, 3],
            },
            r"respondent: None at row 0",
        ),
        (
            {"unit": ["a"], "respondent": [1], "item": ["biaya"], "answer": [False]},
            r"answer must be numbers: True/False at row 0",
        ),
    ],
)
def test_bad_survey_long_form(skm: pe.Rubric, columns: dict[str, Any], message: str) -> None:
    """Survey long form: a single unit, no rows, a None respondent, False as an answer."""
    with pytest.raises(ObservationError, match=rf"^responses \(long form\): .*{message}"):
        ikm.Responses.from_long(skm, **columns)


def test_survey_records(skm: pe.Rubric) -> None:
    """Unit 0 is a unit; False, 'nan' and 10**400 are refused, each named with its row."""
    assert ikm.Responses.from_records(skm, [{"unit": 0, "biaya": 3}]).unit_ids.tolist() == ["0"]
    with pytest.raises(ObservationError) as caught:
        ikm.Responses.from_records(skm, [{"unit": "a", "biaya": False, "waktu": "nan"},
                                         {"unit": "a", "biaya": 10**400}])  # fmt: skip
    message = str(caught.value)
    assert "records row 0, column 'biaya': must be a number, got False" in message
    assert "records row 0, column 'waktu': must be a number, got 'nan'" in message
    assert "records row 1, column 'biaya': must be a number a float can hold" in message
    with pytest.raises(ObservationError, match=r"records: expected rows .* got NoneType"):
        ikm.Responses.from_records(skm, None)  # type: ignore[arg-type]


def test_survey_arrays_refuse_false_as_no_answer(skm: pe.Rubric) -> None:
    """False in an answers list is refused, not read as 0 (no answer)."""
    with pytest.raises(ObservationError, match=r"True/False at row 0, column 'persyaratan'"):
        ikm.Responses.from_arrays(skm, answers=[[False] + [3] * 8], unit=["a"])
    with pytest.raises(ObservationError, match=r"unit: None at row 0"):
        ikm.Responses.from_arrays(skm, answers=[[3] * 9] * 2, unit=[None, "None"])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"a": "x", "b": 1}, r"observer weights must be finite numbers > 0, got 'a': 'x'$"),
        ({"a": True}, r"numbers > 0, got 'a': True$"),
        ({"a": 10**400}, r"numbers > 0, got 'a': 1000"),
        ({"a": -1, "b": float("inf")}, r"numbers > 0, got 'a': -1, 'b': inf$"),
        (["a"], r"observer_weights must be a mapping \{observer: weight\}, got list"),
    ],
)
def test_bad_observer_weights(weights: Any, message: str) -> None:
    """Non-numeric, bool, huge, negative or listed observer weights are OptionErrors."""
    with pytest.raises(OptionError, match=message):
        pe.Aggregation("observer_weighted", observer_weights=weights)


def test_trim_must_be_a_number() -> None:
    """trim=False is refused rather than read as 0."""
    with pytest.raises(OptionError, match=r"trim must be a number in \[0, 0\.5\), got False"):
        pe.Aggregation("trimmed_mean", trim=False)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("unsur-a", r"unknown weights 'unsur-a'"),
        ([0.111] * 9, r"weights must be 'rubric', 'exact', 'printed', a number or a mapping"),
        (True, r"weights must be .* got True"),
        ("mapping", r"not finite numbers: 'persyaratan': 'a'"),
    ],
)
def test_bad_survey_weights(skm: pe.Rubric, weights: Any, message: str) -> None:
    """A weights list, bool or non-numeric mapping value is an OptionError naming it."""
    if weights == "mapping":
        weights = {leaf: 0.111 for leaf in skm.leaf_ids} | {"persyaratan": "a"}
    responses = ikm.Responses.from_arrays(skm, answers=[[3] * 9], unit=["a"])
    with pytest.raises(OptionError, match=message):
        ikm.compute(skm, responses, weights=weights)


def test_rubric_must_be_a_rubric(two: pe.Rubric, skm: pe.Rubric) -> None:
    """evaluate(None, ...) and ikm.compute(None, ...) say what they got."""
    obs = pe.Observations.from_records(two, [ROW])
    with pytest.raises(RubricError, match=r"evaluate: expected a Rubric .* got NoneType"):
        pe.evaluate(None, obs)  # type: ignore[arg-type]
    responses = ikm.Responses.from_arrays(skm, answers=[[3] * 9], unit=["a"])
    with pytest.raises(RubricError, match=r"ikm\.compute: expected a Rubric .* got NoneType"):
        ikm.compute(None, responses)  # type: ignore[arg-type]
    with pytest.raises(ObservationError, match=r"rubric must be a Rubric, got NoneType"):
        pe.Observations.from_arrays(None, unit=["a"], values=[[3] * 4])  # type: ignore[arg-type]


def _latest(two: pe.Rubric, rows: list[dict[str, Any]]) -> float:
    obs = pe.Observations.from_records(two, [{**ROW, **row} for row in rows])
    return float(pe.evaluate(two, obs, aggregate="latest").leaf_scores[0, 0])


def test_latest_orders_visit_numbers_as_numbers(two: pe.Rubric) -> None:
    """Visit '10' is later than visit '9' (numbers, not text), in any row order."""
    assert _latest(two, [{"visit": "10", "a1": 5}, {"visit": "9", "a1": 1}]) == 5.0
    assert _latest(two, [{"visit": "9", "a1": 1}, {"visit": "10", "a1": 5}]) == 5.0


def test_latest_refuses_to_guess_between_text_labels(two: pe.Rubric) -> None:
    """Undated text labels cannot be ordered: an error; with dates the date decides."""
    with pytest.raises(ObservationError, match=r"such as 'awal' are not numbers.*same date: 'u1'"):
        _latest(two, [{"visit": "awal", "a1": 1}, {"visit": "akhir", "a1": 5}])
    dated = [{"visit": "awal", "a1": 1, "date": "2024-03-01"},
             {"visit": "akhir", "a1": 5, "date": dt.date(2024, 1, 1)}]  # fmt: skip
    assert _latest(two, dated) == 1.0
    # a unit whose only visit has a text label needs no date; numbered visits of another neither
    obs = pe.Observations.from_records(two, [{**ROW, "visit": "1", "a1": 1},
                                             {**ROW, "visit": "2", "a1": 2},
                                             {**ROW, "unit": "u2", "visit": "awal", "a1": 3}])  # fmt: skip
    latest = pe.evaluate(two, obs, aggregate="latest").leaf_scores[:, 0]
    assert latest.tolist() == [2.0, 3.0]


def test_weight_variant_of_the_demo_evaluates_its_observations() -> None:
    """The 17/2017 demo data evaluate on a with_weights variant without being rebuilt."""
    city = pe.demo_city()
    variant = city.rubric.with_weights({"inovasi": "10%", "konsultasi-pengaduan": "12%"})
    base = pe.evaluate(city.rubric, city.observations, units=city.units)
    what_if = pe.evaluate(variant, city.observations, units=city.units)
    np.testing.assert_array_equal(what_if.leaf_scores, base.leaf_scores)
    # complete data: the index is the leaf scores weighted by the variant's leaf weights
    np.testing.assert_allclose(what_if.index, base.leaf_scores @ variant.leaf_weights, rtol=1e-12)
    assert not np.allclose(what_if.index, base.index)


def test_rebanded_copy_evaluates_the_same_observations(two: pe.Rubric) -> None:
    """A copy with other grade bands reads the same observations; only the grades change."""
    strict = pe.parse_rubric(TWO_LEVEL.replace("min: 3.51", "min: 4.2"))
    obs = pe.Observations.from_records(two, [{**ROW, "a1": 4, "a2": 4, "b1": 4, "b2": 4}])
    assert pe.evaluate(two, obs).grades.tolist() == ["B"]  # 4.00 >= 3.51
    assert pe.evaluate(strict, obs).grades.tolist() == ["C"]  # 4.00 < 4.2


def test_survey_on_other_unsur_is_refused(skm: pe.Rubric) -> None:
    """ikm.compute on a rubric with other unsur names the unsur that differ."""
    responses = ikm.Responses.from_arrays(skm, answers=[[3] * 9], unit=["a"])
    other = load_quietly("kepmenpan-25-2004-ikm")
    with pytest.raises(ObservationError, match=r"which differ from those of "
                                               r"'kepmenpan-25-2004-ikm': not in"):  # fmt: skip
        ikm.compute(other, responses)
    copy = attrs.evolve(skm, id="copy-ikm", title="A copy with the same unsur")
    assert ikm.compute(copy, responses).rounded.tolist() == [75.0]  # 3 x 25


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: pe.Units.from_arrays(["a", "a\x00"]), r"units: id: a NUL character at row 1"),
        (lambda: pe.Units.from_arrays([None, "None"]), r"units: id: None at row 0"),
        (lambda: pe.Units.from_units([pe.Unit(None)]), r"units: id: None at row 0"),  # type: ignore[arg-type]
        (
            lambda: pe.Units.from_arrays(["a", "b"], category=["x", None]),
            r"category: None at row 1",
        ),
        (lambda: pe.Units.from_arrays("a"), r"id: expected one label per row, got a single 'a'"),
    ],
)
def test_bad_unit_tables(build: Any, message: str) -> None:
    """Unit ids or labels that numpy would merge or stringify (NUL, None) are refused."""
    with pytest.raises(ObservationError, match=message):
        build()


ODD_CELLS = [None, True, False, "a\x00", "", "None", "3", 0, 1, 2.5, 7, float("nan"), 3 + 2j,
             10**400, np.int64(4), np.float32(1.5)]  # fmt: skip
ODD_LABELS = [None, True, "a", "a\x00", "", "None", 0, 1, 2.5, float("nan"), b"x", ("t",)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    labels=st.lists(st.sampled_from(ODD_LABELS), min_size=1, max_size=4),
    cells=st.lists(st.sampled_from(ODD_CELLS), min_size=4, max_size=4),
)
def test_public_and_named_constructors_agree(
    two: pe.Rubric, labels: list[Any], cells: list[Any]
) -> None:
    """Arbitrary ids and cells: both constructors raise ObservationError, or both give one index."""
    n = len(labels)
    values = [cells] + [[3.0] * 4] * (n - 1)
    outcomes = []
    for build in (
        lambda: pe.Observations.from_arrays(two, unit=labels, values=values, visit=range(n)),
        lambda: pe.Observations(two, labels, values, list(range(n)), [""] * n,
                                np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")),
    ):  # fmt: skip
        try:
            obs = build()
        except ObservationError:
            outcomes.append(None)
        else:
            evaluated = pe.evaluate(two, obs, missing="renormalize")
            outcomes.append((evaluated.units.ids.tolist(), evaluated.index.tolist()))
    assert (outcomes[0] is None) == (outcomes[1] is None)
    if outcomes[0] is not None:
        assert outcomes[0][0] == outcomes[1][0]
        np.testing.assert_allclose(outcomes[0][1], outcomes[1][1], equal_nan=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.sampled_from(ODD_LABELS), min_size=1, max_size=3),
    cells=st.lists(st.sampled_from([*ODD_CELLS, 4, 200, -1]), min_size=9, max_size=9),
)
def test_public_and_named_survey_constructors_agree(
    skm: pe.Rubric, ids: list[Any], cells: list[Any]
) -> None:
    """Arbitrary unit ids and answers: ikm.Responses(...) and from_arrays agree."""
    codes = np.arange(len(ids)) % len(ids)
    answers = [cells] + [[3] * 9] * (len(ids) - 1)
    outcomes = []
    for build in (
        lambda: ikm.Responses.from_arrays(skm, answers=answers, unit=codes, unit_ids=ids),
        lambda: ikm.Responses(skm, answers, codes, ids),
    ):
        try:
            survey = build()
        except ObservationError:
            outcomes.append(None)
        else:
            outcomes.append((survey.unit_ids.tolist(), survey.answers.tolist()))
    assert outcomes[0] == outcomes[1]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.dictionaries(
            st.sampled_from(["unit", "visit", "observer", "date", "a1", "a2", "b1", "b2", 0]),
            st.sampled_from([*ODD_CELLS, *ODD_LABELS, "2024-01-05", "2024-13-45", "4,5"]),
        ),
        max_size=4,
    )
)
def test_records_raise_only_library_errors(
    two: pe.Rubric, skm: pe.Rubric, rows: list[dict[Any, Any]]
) -> None:
    """Any mix of odd cells in records builds observations or raises ObservationError."""
    for build in (
        lambda: pe.Observations.from_records(two, rows),
        lambda: ikm.Responses.from_records(
            skm,
            [{("biaya" if k == "a1" else k): v for k, v in r.items() if k in ("unit", "a1")}
             for r in rows],
        ),
    ):  # fmt: skip
        with contextlib.suppress(ObservationError):
            build()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=st.one_of(st.sampled_from(ODD_LABELS), st.lists(st.sampled_from(ODD_LABELS), max_size=3)),
    criterion=st.lists(st.sampled_from(["a1", "b2", "zz", None, 1]), max_size=3),
    value=st.lists(st.sampled_from(ODD_CELLS), max_size=3),
    visit=st.one_of(st.none(), st.lists(st.sampled_from(ODD_LABELS), max_size=3)),
)
def test_long_form_raises_only_library_errors(
    two: pe.Rubric, skm: pe.Rubric, unit: Any, criterion: Any, value: Any, visit: Any
) -> None:
    """Any odd long-form columns build observations or raise ObservationError."""
    with contextlib.suppress(ObservationError):
        pe.Observations.from_long(two, unit=unit, criterion=criterion, value=value, visit=visit)
    with contextlib.suppress(ObservationError):
        ikm.Responses.from_long(
            skm, unit=unit, respondent=visit or [],
            item=criterion, answer=value,
        )  # fmt: skip


def test_mixed_number_ids_read_alike_by_both_constructors(two: pe.Rubric) -> None:
    """Ids [0, 2.5] are units "0" and "2.5" in from_arrays as in Observations(...)."""
    values = [[3.0] * 4, [4.0] * 4]
    named = pe.Observations.from_arrays(two, unit=[0, 2.5], values=values)
    direct = pe.Observations(two, [0, 2.5], values, [1, 1], ["", ""],
                             np.full(2, np.datetime64("NaT"), dtype="datetime64[D]"))  # fmt: skip
    assert named.unit_ids.tolist() == direct.unit_ids.tolist() == ["0", "2.5"]
