"""evaluate(): a hand-worked evaluation, missing-data policies, orders, results and exports."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import MissingScoreError, OptionError
from tests.conftest import UNITS, VISITS, observations


def test_hand_worked_evaluation(rubric: pe.Rubric) -> None:
    """Every node, index, grade and rank of three units, worked by hand below."""
    ev = pe.evaluate(rubric, observations(rubric), units=UNITS)
    # means over the two visits: u1 a1 4.5 a2 3 b1 4.5 b2 4; u2 3, 3, 3, 2.5; u3 5, 4.5, 5, 4.5
    # A = (2 a1 + a2) / 3: u1 12/3 = 4.0, u2 9/3 = 3.0, u3 14.5/3 = 4.8333
    # B = (b1 + b2) / 2:   u1 4.25,       u2 2.75,      u3 4.75
    # index = 0.6 A + 0.4 B: u1 2.4 + 1.7 = 4.10, u2 1.8 + 1.1 = 2.90, u3 2.9 + 1.9 = 4.80
    assert ev.node_ids == ("A", "a1", "a2", "B", "b1", "b2")
    expected_nodes = [
        [4.0, 4.5, 3.0, 4.25, 4.5, 4.0],
        [3.0, 3.0, 3.0, 2.75, 3.0, 2.5],
        [14.5 / 3, 5.0, 4.5, 4.75, 5.0, 4.5],
    ]
    np.testing.assert_allclose(ev.node_scores, expected_nodes, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ev.index, [4.10, 2.90, 4.80], rtol=0, atol=1e-12)
    assert ev.rounded.tolist() == [4.10, 2.90, 4.80]
    assert ev.grades.tolist() == ["B", "C", "A"]
    assert ev.rank("category").tolist() == [1.0, 2.0, 1.0]
    assert ev.rank(None).tolist() == [2.0, 3.0, 1.0]
    assert ev.visits.tolist() == [2, 2, 2]
    assert ev.coverage.tolist() == [1.0, 1.0, 1.0]
    assert ev.score_ids(1) == ("A", "B")
    np.testing.assert_allclose(
        ev.scores(1), [[4.0, 4.25], [3.0, 2.75], [14.5 / 3, 4.75]], atol=1e-12
    )
    np.testing.assert_allclose(ev.scores("b2"), [4.0, 2.5, 4.5])


def test_settings_recorded(rubric: pe.Rubric) -> None:
    """The result says which rubric (and version), aggregation, order, policy and rounding."""
    ev = pe.evaluate(rubric, observations(rubric), aggregate="median", missing="scale_min")
    s = ev.settings
    assert (s.rubric_id, s.rubric_hash) == ("two-level", rubric.content_hash)
    assert (s.aggregation.method, s.order, s.missing, s.rounding) == (
        "median", "criteria_first", "scale_min", "2 digits half_up",
    )  # fmt: skip


def test_min_aggregation_by_hand(rubric: pe.Rubric) -> None:
    """min: u1 a1 4 a2 3 b1 4 b2 4 -> A = 11/3, B = 4 -> index 0.6*11/3 + 1.6 = 3.80."""
    ev = pe.evaluate(rubric, observations(rubric), aggregate="min")
    assert ev.index[0] == pytest.approx(3.8, abs=1e-12)


def test_latest_uses_dates(rubric: pe.Rubric) -> None:
    """The latest visit is the later date, even when its visit label sorts first."""
    records = [
        {"unit": "u", "visit": "b", "date": "2026-01-01", "a1": 1, "a2": 1, "b1": 1, "b2": 1},
        {"unit": "u", "visit": "a", "date": "2026-03-01", "a1": 5, "a2": 5, "b1": 5, "b2": 5},
    ]
    ev = pe.evaluate(rubric, pe.Observations.from_records(rubric, records), aggregate="latest")
    assert ev.index.tolist() == [pytest.approx(5.0)]


def test_observer_weighted(rubric: pe.Rubric) -> None:
    """Weights 3:1 on two visits of 4 and 0 give 3 on every criterion, so index 3."""
    records = [
        {"unit": "u", "visit": "1", "observer": "ani", "a1": 4, "a2": 4, "b1": 4, "b2": 4},
        {"unit": "u", "visit": "2", "observer": "budi", "a1": 0, "a2": 0, "b1": 0, "b2": 0},
    ]
    method = pe.Aggregation("observer_weighted", observer_weights={"ani": 3, "budi": 1})
    ev = pe.evaluate(rubric, pe.Observations.from_records(rubric, records), aggregate=method)
    assert ev.index.tolist() == [pytest.approx(3.0)]


def test_missing_error_names_unit_and_criterion(rubric: pe.Rubric) -> None:
    """missing='error' names each unit x criterion with no score in any visit."""
    rows = [("u1", "1", 4, None, 5, None), ("u1", "2", 5, None, 4, None), ("u2", "1", 3, 2, 3, 2)]
    with pytest.raises(
        MissingScoreError, match=r"2 unit x criterion pair\(s\) without a score .*u1: a2, b2"
    ) as caught:
        pe.evaluate(rubric, observations(rubric, rows))
    assert caught.value.missing == (("u1", "a2"), ("u1", "b2"))


def test_missing_renormalize_by_hand(rubric: pe.Rubric) -> None:
    """renormalize: u1 lacks a2 -> A = a1 = 4.5; lacks b2 -> B = b1 = 4.5; index 4.5."""
    rows = [("u1", "1", 4, None, 5, None), ("u1", "2", 5, None, 4, None), ("u2", "1", 3, 2, 3, 2)]
    ev = pe.evaluate(rubric, observations(rubric, rows), missing="renormalize")
    assert ev.scores("A")[0] == pytest.approx(4.5)
    assert ev.index[0] == pytest.approx(4.5)
    # coverage: a2 (0.6 x 1/3 = 0.2) and b2 (0.4 x 1/2 = 0.2) unscored -> 0.6
    assert ev.coverage[0] == pytest.approx(0.6)
    assert ev.coverage[1] == 1.0


def test_missing_renormalize_below_min_coverage(rubric: pe.Rubric) -> None:
    """A scored share of 1/3 under A is below min_coverage 0.5: A is unscored, index from B."""
    rows = [("u1", "1", None, 3, 5, 4)]
    ev = pe.evaluate(rubric, observations(rubric, rows), missing="renormalize", min_coverage=0.5)
    assert np.isnan(ev.scores("A")[0])
    # root: only B (0.4 of 1.0) scored, below 0.5 -> no index, no grade
    assert np.isnan(ev.index[0]) and ev.grades[0] == ""
    ev = pe.evaluate(rubric, observations(rubric, rows), missing="renormalize", min_coverage=0.3)
    assert ev.scores("A")[0] == pytest.approx(3.0)  # a2 alone
    assert ev.index[0] == pytest.approx(0.6 * 3.0 + 0.4 * 4.5)


def test_missing_zero_counts_scale_minimum(rubric: pe.Rubric) -> None:
    """zero: an unscored criterion counts 0 in that visit: a2 = (0 + 3)/2 = 1.5."""
    rows = [("u1", "1", 4, None, 5, 4), ("u1", "2", 5, 3, 4, 4)]
    ev = pe.evaluate(rubric, observations(rubric, rows), missing="scale_min")
    assert ev.scores("a2")[0] == pytest.approx(1.5)
    assert ev.scores("A")[0] == pytest.approx((2 * 4.5 + 1.5) / 3)


def test_visits_first_differs_with_missing_data(rubric: pe.Rubric) -> None:
    """visits_first + renormalize: each visit is scored on its own criteria, then averaged."""
    rows = [("u1", "1", 4, None, 4, 4), ("u1", "2", 2, 2, 4, 4)]
    first = pe.evaluate(rubric, observations(rubric, rows), missing="renormalize")
    later = pe.evaluate(
        rubric, observations(rubric, rows), missing="renormalize", order="visits_first"
    )
    # criteria first: a1 = 3, a2 = 2 -> A = 8/3; index 0.6*8/3 + 1.6 = 3.2
    assert first.index[0] == pytest.approx(3.2)
    # visits first: visit 1 A = 4 (a1 alone), visit 2 A = 2 -> A = 3; index 0.6*3 + 1.6 = 3.4
    assert later.index[0] == pytest.approx(3.4)


def test_visits_first_error_names_visit(rubric: pe.Rubric) -> None:
    """visits_first + error: a visit missing a criterion is named with its visit."""
    rows = [("u1", "1", 4, None, 4, 4), ("u1", "2", 2, 2, 4, 4)]
    with pytest.raises(MissingScoreError, match=r"unit 'u1' visit '1': a2"):
        pe.evaluate(rubric, observations(rubric, rows), order="visits_first")


def test_top_and_bottom_with_ties(rubric: pe.Rubric) -> None:
    """Ties at the cut are all included and marked; groups come in label order."""
    rows = [*VISITS, ("u4", "1", 3, 3, 3, 2), ("u4", "2", 3, 3, 3, 3)]  # u4 = u2's means
    units = [*UNITS, pe.Unit("u4", "Empat", "kel")]
    ev = pe.evaluate(rubric, observations(rubric, rows), units=units)
    top = ev.top(2)
    assert [(r.group, r.unit, r.rank, r.tied) for r in top] == [
        ("kel", "u1", 1.0, False), ("kel", "u2", 2.0, True), ("kel", "u4", 2.0, True),
        ("pkm", "u3", 1.0, False),
    ]  # fmt: skip
    bottom = ev.bottom(1)
    assert [r.unit for r in bottom] == ["u2", "u4", "u3"]


def test_top_and_bottom_with_tiebreak(rubric: pe.Rubric) -> None:
    """A tie-breaker settles the award and coaching lists; an unsettled tie stays marked."""
    # u5: a1 = a2 = 3.5 -> A = 3.5; b1 = b2 = 2 -> B = 2; index 0.6*3.5 + 0.4*2 = 2.90,
    # the same as u2 (A = 3, B = 2.75: 1.8 + 1.1 = 2.90), with the higher aspect A
    rows = [*VISITS, ("u5", "1", 3, 4, 2, 2), ("u5", "2", 4, 3, 2, 2)]
    units = [*UNITS, pe.Unit("u5", "Lima", "kel")]
    ev = pe.evaluate(rubric, observations(rubric, rows), units=units)
    assert ev.rounded.tolist() == [4.1, 2.9, 4.8, 2.9]  # u1: 0.6*4 + 0.4*4.25; u3: 2.9 + 1.9
    plain = [(r.unit, r.rank, r.tied) for r in ev.top(2) if r.group == "kel"]
    assert plain == [("u1", 1.0, False), ("u2", 2.0, True), ("u5", 2.0, True)]
    settled = [(r.unit, r.rank, r.tied) for r in ev.top(2, tiebreak=["A"])]
    assert settled == [("u1", 1.0, False), ("u5", 2.0, False), ("u3", 1.0, False)]
    assert [r.unit for r in ev.bottom(1, tiebreak=["A"])] == ["u2", "u3"]
    # by id u2 ranks 2nd and u5 3rd in kel: the bottom of the same ranking is u5
    assert ev.rank(tiebreak=["id"]).tolist() == [1.0, 2.0, 1.0, 3.0]
    assert [(r.unit, r.rank) for r in ev.bottom(1, tiebreak=["id"])] == [
        ("u5", 3.0), ("u3", 1.0),
    ]  # fmt: skip
    # average ranks put the tied pair at 2.5, past k = 2: both are still in, marked tied
    average = [(r.unit, r.rank, r.tied) for r in ev.top(2, ties="average")]
    assert average == [("u1", 1.0, False), ("u2", 2.5, True), ("u5", 2.5, True), ("u3", 1.0, False)]
    with pytest.raises(OptionError, match=r"unknown tie-breaker 'ID' \(did you mean 'id'\?\)"):
        ev.top(2, tiebreak=["ID"])
    with pytest.raises(OptionError, match=r"tiebreak must be a list of names, got None"):
        ev.rank(tiebreak=None)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match=r"tiebreak must be a list of names, got the text 'A'"):
        ev.top(2, tiebreak="A")


def test_rank_tiebreak_by_aspect_then_id(rubric: pe.Rubric) -> None:
    """A tie on the index is broken by a named aspect, then by unit id."""
    rows = [*VISITS, ("u4", "1", 3, 3, 3, 2), ("u4", "2", 3, 3, 3, 3)]
    units = [*UNITS, pe.Unit("u4", "Empat", "kel")]
    ev = pe.evaluate(rubric, observations(rubric, rows), units=units)
    assert ev.rank(ties="ordinal", tiebreak=["id"]).tolist() == [1.0, 2.0, 1.0, 3.0]
    assert ev.rank(ties="min", tiebreak=["A", "id"]).tolist() == [1.0, 2.0, 1.0, 3.0]


def test_records_and_pandas(rubric: pe.Rubric) -> None:
    """to_records gives one dict per unit with aspects; to_pandas indexes by unit."""
    ev = pe.evaluate(rubric, observations(rubric), units=UNITS)
    record = ev.to_records()[0]
    assert record["unit"] == "u1" and record["grade"] == "B" and record["grade_label"] == "Baik"
    assert record["A"] == pytest.approx(4.0) and record["rank"] == 1.0
    pd = pytest.importorskip("pandas")
    frame = ev.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert frame.loc["u3", "grade"] == "A"


def test_html_reprs(rubric: pe.Rubric) -> None:
    """Evaluation and report cards render as HTML in notebooks, escaping names."""
    units = [pe.Unit("u1", "<Satu & Co>", "kel"), *UNITS[1:]]
    ev = pe.evaluate(rubric, observations(rubric), units=units)
    assert "&lt;Satu &amp; Co&gt;" in ev._repr_html_()
    card = ev.card("u1")._repr_html_()
    assert card.startswith("<div") and "&lt;Satu &amp; Co&gt;" in card and "<pre>" not in card


def test_evaluation_arrays_are_read_only(rubric: pe.Rubric) -> None:
    """The result cannot be changed in place."""
    ev = pe.evaluate(rubric, observations(rubric))
    with pytest.raises(ValueError, match="read-only"):
        ev.index[0] = 5.0


def test_ikm_survey_on_the_same_engine() -> None:
    """IKM: respondents are observations; mean per unsur, equal 1/9, x25, graded (3.41 -> B)."""
    with pytest.warns(pe.exceptions.ProvisionalRubricWarning):
        ikm = pe.load_rubric("permenpanrb-14-2017-ikm")
    # two respondents whose per-unsur means average 3.41: all 3.41 is not an answer, so use
    # answers summing to 2 x 9 x 3.41 = 61.38 -> not whole; take 100 respondents instead:
    # 59 answer 3 and 41 answer 4 on every unsur -> NRR 3.41, IKM 3.41, x25 = 85.25 -> B
    values = np.array([[3] * 9] * 59 + [[4] * 9] * 41, dtype=float)
    obs = pe.Observations.from_arrays(ikm, unit=["kel-a"] * 100, values=values)
    ev = pe.evaluate(ikm, obs)
    assert ev.rounded.tolist() == [85.25]
    assert ev.grades.tolist() == ["B"]


def test_ties_marked_for_every_tie_method(rubric: pe.Rubric) -> None:
    """Units with the same published index are marked tied, also under ordinal ranks."""
    rows = [*VISITS, ("u4", "1", 3, 3, 3, 2), ("u4", "2", 3, 3, 3, 3)]  # u4 = u2's means
    units = [*UNITS, pe.Unit("u4", "Empat", "kel")]
    ev = pe.evaluate(rubric, observations(rubric, rows), units=units)
    ordinal = ev.top(3, ties="ordinal")
    assert [(r.unit, r.rank, r.tied) for r in ordinal if r.group == "kel"] == [
        ("u1", 1.0, False), ("u2", 2.0, True), ("u4", 3.0, True),
    ]  # fmt: skip


def test_card_lists_unscored_criteria(rubric: pe.Rubric) -> None:
    """A criterion no visit scored is named on the card, not counted among the losses."""
    rows = [("u1", "1", 4, None, 5, 4), ("u1", "2", 5, None, 4, 4)]  # a2 never scored
    ev = pe.evaluate(rubric, observations(rubric, rows), missing="renormalize")
    card = ev.card("u1")
    assert card.unscored == ("a2",)
    # a2's share of A goes to a1: weights a1 0.6, b1 0.2, b2 0.2; scores 4.5, 4.5, 4;
    # index 2.7 + 0.9 + 0.8 = 4.4, and the losses 0.3 + 0.1 + 0.2 add up to 5 - 4.4
    assert ev.index[0] == pytest.approx(4.4)
    assert [(loss.id, round(loss.points, 9)) for loss in card.losses] == [
        ("a1", 0.3), ("b2", 0.2), ("b1", 0.1),
    ]  # fmt: skip
    assert "criteria not scored in any visit: a2" in str(card)
    assert card.note == "path to the next grade not computed: some criteria are unscored"
    assert pe.evaluate(rubric, observations(rubric)).card("u1").unscored == ()


def test_missing_zero_is_a_deprecated_alias_of_scale_min(rubric: pe.Rubric) -> None:
    """missing='zero' warns that it is now 'scale_min' and gives the same result."""
    obs = observations(rubric, [("u1", "1", 4, None, 5, 4), ("u2", "1", 3, 3, 3, 3)])
    with pytest.warns(DeprecationWarning, match="now called missing='scale_min'"):
        old = pe.evaluate(rubric, obs, missing="zero")  # type: ignore[arg-type]
    new = pe.evaluate(rubric, obs, missing="scale_min")
    assert old.settings.missing == "scale_min"
    assert old.index.tolist() == new.index.tolist()
    # u1: A = (2 x 4 + 1 x 0) / 3, B = (5 + 4) / 2; index = 0.6 x 8/3 + 0.4 x 4.5 = 3.4
    assert old.index[0] == pytest.approx(3.4)


def test_min_coverage_true_is_refused(rubric: pe.Rubric) -> None:
    """min_coverage=True is not read as 1: it must be a number between 0 and 1."""
    with pytest.raises(OptionError, match="min_coverage must be between 0 and 1, got True"):
        pe.evaluate(rubric, observations(rubric), missing="renormalize", min_coverage=True)


def test_cards_refuses_one_id_as_text_and_top_takes_numpy_integers(rubric: pe.Rubric) -> None:
    """cards("u1") is an error naming card(); top(np.int64(1)) works as top(1)."""
    ev = pe.evaluate(rubric, observations(rubric), units=UNITS)
    with pytest.raises(OptionError, match=r"for one unit use card\(unit_id\)"):
        ev.cards("u1")
    assert [row.unit for row in ev.top(np.int64(1))] == [row.unit for row in ev.top(1)]
    assert [card.unit.id for card in ev.cards(["u2", "u1"])] == ["u2", "u1"]


def test_unknown_criterion_is_a_library_error(rubric: pe.Rubric) -> None:
    """scores('bb1') names the close id 'b1' in an UnknownCriterionError (also a KeyError)."""
    from pelayanan_eval.exceptions import UnknownCriterionError

    ev = pe.evaluate(rubric, observations(rubric), units=UNITS)
    with pytest.raises(
        UnknownCriterionError, match=r"has no criterion 'bb1' \(did you mean 'b1'\?\)"
    ):
        ev.scores("bb1")
    with pytest.raises(KeyError):
        rubric["a3"]


def test_grouped_natural_ids_are_kept_in_order(rubric: pe.Rubric) -> None:
    """Rows grouped by unit with ids kel-1 .. kel-12 are stored as given: no reordering, a view."""
    from pelayanan_eval._evaluation.aggregation import _cube

    ids = [f"kel-{i}" for i in range(1, 13)]  # kel-10 after kel-9: not text order
    values = np.tile([[1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 0.0]], (12, 1))
    obs = pe.Observations.from_arrays(rubric, unit=np.repeat(ids, 2), values=values)
    assert obs.unit_ids.tolist() == ids
    assert obs.input_rows is None
    assert obs.unit_codes.tolist() == np.repeat(np.arange(12), 2).tolist()
    assert obs.visit.tolist() == [1, 2] * 12
    assert np.shares_memory(_cube(obs.values, obs.unit_codes, 12, None), obs.values)
    ev = pe.evaluate(rubric, obs)
    assert ev.units.ids.tolist() == ids  # the default units: in order of first appearance
    # every unit: a1 (1+3)/2 = 2, a2 3, b1 4, b2 2; 0.6 * (2*2 + 3)/3 + 0.4 * (4 + 2)/2 = 2.6
    np.testing.assert_allclose(ev.index, 2.6, rtol=1e-12)


def test_integer_codes_in_order_of_appearance_are_kept(rubric: pe.Rubric) -> None:
    """Codes 0, 0, 1, 1, ... with unit_ids in that order: stored as given, units as unit_ids."""
    ids = ["kel-2", "kel-10", "kel-1"]
    values = np.array([[4.0] * 4, [2.0] * 4, [1.0] * 4, [3.0] * 4, [5.0] * 4, [5.0] * 4])
    obs = pe.Observations.from_arrays(
        rubric, unit=np.array([0, 0, 1, 1, 2, 2]), unit_ids=ids, values=values
    )
    assert obs.unit_ids.tolist() == ids
    assert obs.input_rows is None
    assert obs.unit.tolist() == ["kel-2", "kel-2", "kel-10", "kel-10", "kel-1", "kel-1"]
    ev = pe.evaluate(rubric, obs)
    assert ev.units.ids.tolist() == ids
    # equal scores on every leaf: the index is their mean over the two visits
    np.testing.assert_allclose(ev.index, [3.0, 2.0, 5.0], rtol=1e-12)


def test_units_table_in_another_order_gets_each_units_figures(rubric: pe.Rubric) -> None:
    """Observations in one order, a units table in another: each unit keeps its own figures."""
    obs = pe.Observations.from_arrays(
        rubric, unit=["a", "a", "b", "c"], values=[[4.0] * 4, [4.0] * 4, [2.0] * 4, [5.0] * 4]
    )
    ev = pe.evaluate(rubric, obs, units=pe.Units.from_arrays(["c", "a", "b"]))
    assert ev.units.ids.tolist() == ["c", "a", "b"]
    np.testing.assert_allclose(ev.index, [5.0, 4.0, 2.0], rtol=1e-12)
    assert ev.visits.tolist() == [1, 2, 1]
    np.testing.assert_allclose(ev.leaf_scores[:, 0], [5.0, 4.0, 2.0], rtol=1e-12)
    assert ev.grades.tolist() == ["A", "B", "D"]


def test_unknown_ids_error_shows_twenty_with_suggestions(rubric: pe.Rubric) -> None:
    """Many unknown ids: the first twenty are named (each with a did-you-mean), then a count."""
    known = [f"kel-{i}" for i in range(1, 2001)]
    typed = [f"kel-{i}a" for i in range(1, 26)]  # 25 ids with a stray letter
    obs = pe.Observations.from_arrays(
        rubric, unit=known + typed, values=np.full((len(known) + len(typed), 4), 3.0)
    )
    with pytest.raises(pe.exceptions.ObservationError) as caught:
        pe.evaluate(rubric, obs, units=pe.Units.from_arrays(known))
    message = str(caught.value)
    assert "'kel-1a' (did you mean 'kel-1'?)" in message
    assert "'kel-20a' (did you mean 'kel-20'?)" in message
    assert "kel-21a" not in message
    assert message.endswith("; ... and 5 more")


def test_scale_min_reports_the_scored_share_as_coverage(rubric: pe.Rubric) -> None:
    """Under scale_min an unscored criterion counts as 0, and coverage says it was not scored."""
    obs = observations(rubric, [("u1", "1", 4, None, 5, 4), ("u1", "2", 4, None, 5, 4),
                                ("u2", "1", 3, 3, 3, 3)])  # fmt: skip
    ev = pe.evaluate(rubric, obs, missing="scale_min")
    # a2 weighs 0.6 x 1/3 = 0.2 of the index: u1 was scored on 0.8 of the weight
    assert ev.coverage.tolist() == pytest.approx([0.8, 1.0])
    # u1: A = (2 x 4 + 1 x 0) / 3, B = 4.5: index 0.6 x 8/3 + 0.4 x 4.5 = 3.4
    assert ev.index[0] == pytest.approx(3.4)
