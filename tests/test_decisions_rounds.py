"""Rounds compared (worked by hand on four units) and progress towards an IKM target."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval import decisions
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.schema import Band, Criterion, GradeScale, Regulation, Scale

GRADED = pe.Rubric(
    id="two-graded", title="Two aspects, graded", scale=Scale(0, 5), status="verified",
    regulation=Regulation("Peraturan Contoh"),
    criteria=[Criterion("a", "A", weight=0.5), Criterion("b", "B", weight=0.5)],
    grades=GradeScale([Band("A", 3.5), Band("B", 2.5), Band("C", 0)]),
)  # fmt: skip


def _round(scores: dict[str, tuple[float, float]]) -> pe.Evaluation:
    ids = list(scores)
    obs = pe.Observations.from_arrays(GRADED, unit=ids, values=[scores[u] for u in ids])
    return pe.evaluate(GRADED, obs, units=pe.Units.from_arrays(ids, category=["kel"] * len(ids)))


# Round 1: A (4, 4) = 4.0, B (3, 3) = 3.0, C (2, 2) = 2.0, D (1, 3) = 2.0
# Round 2: B (4, 4) = 4.0, C (2, 3) = 2.5, D (1, 1) = 1.0, E (3, 3) = 3.0  (A removed, E added)
# Matched B, C, D: changes +1.0, +0.5, -1.0; ranks 2, 3, 3 then 1, 3, 4 (moves +1, 0, -1);
# grades B, C, C then A, B, C; the two lowest of round 1 (coached) are C and D (tied at 2.0).
# Gaps on the matched units: before [3, 2, 2] range 1, IQR 2.5 - 2 = 0.5;
# after [4, 2.5, 1] range 3, IQR 3.25 - 1.75 = 1.5: not narrowed.
# Coached mean change (0.5 - 1) / 2 = -0.25, others (B) 1.0: difference -1.25.
FIRST = {"A": (4, 4), "B": (3, 3), "C": (2, 2), "D": (1, 3)}
SECOND = {"B": (4, 4), "C": (2, 3), "D": (1, 1), "E": (3, 3)}


@pytest.fixture(scope="module")
def pair() -> decisions.RoundChange:
    """The hand-worked pair of rounds."""
    return decisions.compare({"2019": _round(FIRST), "2020": _round(SECOND)}).pairs[0]


def test_units_are_matched_by_id_with_added_and_removed_listed(pair) -> None:
    """B, C, D are matched; E is added and A removed."""
    assert [u.unit for u in pair.units] == ["B", "C", "D"]
    assert pair.added == ("E",) and pair.removed == ("A",)


def test_changes_and_rank_moves_are_as_worked_by_hand(pair) -> None:
    """Index changes +1, +0.5, -1; ranks 2, 3, 3 -> 1, 3, 4."""
    assert [u.change for u in pair.units] == pytest.approx([1.0, 0.5, -1.0])
    assert [(u.rank_before, u.rank_after, u.rank_move) for u in pair.units] == [
        (2.0, 1.0, 1.0), (3.0, 3.0, 0.0), (3.0, 4.0, -1.0)]  # fmt: skip
    assert [u.aspects["b"] for u in pair.units] == pytest.approx([1.0, 1.0, -2.0])
    assert all(u.beyond_noise is None and math.isnan(u.se) for u in pair.units)
    assert pair.most_improved == {"kel": "B"}


def test_grade_transitions_are_counted(pair) -> None:
    """B -> A, C -> B and C -> C once each."""
    grid = {row["grade_before"]: row for row in pair.transition_records()}
    assert (grid["B"]["A"], grid["C"]["B"], grid["C"]["C"]) == (1, 1, 1)
    assert sum(sum(row) for row in pair.transitions) == 3


def test_gaps_on_matched_units(pair) -> None:
    """Range 1 -> 3 and IQR 0.5 -> 1.5: the gap widened."""
    (gap,) = pair.gaps
    assert (gap.range_before, gap.range_after) == pytest.approx((1.0, 3.0))
    assert (gap.iqr_before, gap.iqr_after) == pytest.approx((0.5, 1.5))
    assert gap.narrowed is False


def test_coached_units_against_the_others(pair) -> None:
    """The two lowest of round 1 (C, D) changed by -0.25 on average against +1.0."""
    coaching = pair.coaching
    assert [u.unit for u in pair.units if u.coached] == ["C", "D"]
    assert (coaching.coached, coaching.others) == (2, 1)
    assert coaching.difference == pytest.approx(-1.25)
    assert math.isnan(coaching.se)  # one unit on the other side: no Welch error


def test_change_beyond_noise_uses_both_rounds_sd() -> None:
    """With known visit variances, |change| > 1.645 sqrt(sd1^2 + sd2^2) is beyond noise."""
    first, second = _round(FIRST), _round(SECOND)
    noise = [decisions.uncertainty(ev, visit_variance=0.08, replicates=100, rng=1)
             for ev in (first, second)]  # fmt: skip
    pair = decisions.compare([first, second], noise=noise).pairs[0]
    se = math.sqrt(0.08 + 0.08)  # one visit each round
    assert [u.se for u in pair.units] == pytest.approx([se] * 3)
    assert [u.beyond_noise for u in pair.units] == [True, False, True]  # 1.0, 0.5, 1.0 vs 0.658


def test_different_rubrics_are_refused_unless_shared_criteria_are_asked() -> None:
    """Rounds under other weights are refused; criteria='shared' compares their shared aspects."""
    first = _round(FIRST)
    other_rubric = GRADED.with_weights({"a": 0.6, "b": 0.4})
    ids = list(SECOND)
    obs = pe.Observations.from_arrays(other_rubric, unit=ids, values=[SECOND[u] for u in ids])
    second = pe.evaluate(other_rubric, obs)
    with pytest.raises(OptionError, match=r"different rubrics.*criteria=.shared."):
        decisions.compare([first, second])
    pair = decisions.compare([first, second], criteria="shared", within=None).pairs[0]
    assert pair.same_rubric is False and pair.criteria == ("a", "b")


def test_rounds_without_a_shared_unit_are_refused() -> None:
    """No unit id in common is an error that shows ids of both rounds."""
    first = _round({"A": (1, 1)})
    second = _round({"Z": (1, 1)})
    with pytest.raises(ObservationError, match=r"no unit id of round 2 is in round 1.*'Z'.*'A'"):
        decisions.compare([first, second])


def test_three_rounds_give_two_pairs() -> None:
    """Three rounds are compared as (1, 2) and (2, 3)."""
    result = decisions.compare([_round(FIRST), _round(SECOND), _round(SECOND)])
    assert [(p.before, p.after) for p in result.pairs] == [("round 1", "round 2"),
                                                         ("round 2", "round 3")]  # fmt: skip
    assert all(u.change == 0 for u in result.pairs[1].units)
    assert len(result.to_records()) == 3 + 4


def test_target_progress_by_hand() -> None:
    """3.41 then 3.51 two years later, 3.80 by 2024: needs 0.0967/year, has seen 0.05/year.

    The readings 3,41 and the 3,80 target for 2024 are Kota Kediri's (ANTARA Jatim), 3,51 is
    its 2021 IKM (demonstran.id); the year 2019 for 3,41 is an assumption of this example.
    """
    progress = decisions.target_progress({2019: 3.41, 2021: 3.51}, 3.80, 2024,
                                         se={2019: 0.02, 2021: 0.02})  # fmt: skip
    assert progress.needed_per_year == pytest.approx(0.29 / 3)
    assert progress.mean_gain == pytest.approx(0.05)
    assert progress.projected == pytest.approx(3.66)
    assert progress.on_track is False
    # sd = sqrt(0.02^2 + 3^2 (0.02^2 + 0.02^2) / 2^2) = sqrt(0.0004 + 0.0018) = 0.046904
    z = (3.66 - 3.80) / math.sqrt(0.0022)
    assert progress.p_reach == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2)), abs=1e-6)


def test_target_progress_trend_with_three_readings() -> None:
    """Three readings: the least-squares trend and prediction error against numpy's fit."""
    years, values = np.array([2019, 2020, 2021.0]), np.array([3.41, 3.49, 3.51])
    progress = decisions.target_progress(
        dict(zip(years.tolist(), values.tolist(), strict=True)), 3.8, 2024
    )
    slope, intercept = np.polyfit(years, values, 1)
    residual = values - (intercept + slope * years)
    s = math.sqrt(residual @ residual / 1)
    sd = s * math.sqrt(1 + 1 / 3 + (2024 - 2020) ** 2 / 2)
    z = (intercept + slope * 2024 - 3.8) / sd
    assert progress.p_reach == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2)), abs=1e-6)
    assert progress.gains == pytest.approx((0.08, 0.02))


def test_target_progress_refuses_bad_input() -> None:
    """A target year not after the readings, or non-numbers, are errors."""
    with pytest.raises(OptionError, match="after the latest reading"):
        decisions.target_progress({2021: 3.51}, 3.8, 2020)
    with pytest.raises(OptionError, match="must be a number"):
        decisions.target_progress({2021: "3,51"}, 3.8, 2024)


def test_aspect_changes_beyond_noise_use_each_aspects_variance() -> None:
    """An aspect's change is beyond noise when it exceeds 1.645 sqrt(var1 + var2) of that aspect.

    Two units, two visits each. Round 1: p (1, 2), (3, 2); q (3, 3), (3, 5). Round 2: p's a
    up by 2, q's a up by 0.5, the same deviations. In each round: deviations of a are +-1
    for p and 0 for q, of b 0 for p and +-1 for q; pooled over df 2: var a = var b = 1,
    cov 0; a unit's mean of two visits: 0.5 each. The change of a has sd sqrt(0.5 + 0.5) = 1:
    p's +2 > 1.645 is beyond the noise, q's +0.5 is not; b did not change.
    """
    rounds = ([[1, 2], [3, 2], [3, 3], [3, 5]], [[3, 2], [5, 2], [3.5, 3], [3.5, 5]])
    evs, noise = [], []
    for values in rounds:
        obs = pe.Observations.from_arrays(GRADED, unit=["p", "p", "q", "q"], values=values,
                                          visit=[1, 2, 1, 2])  # fmt: skip
        ev = pe.evaluate(GRADED, obs)
        evs.append(ev)
        noise.append(decisions.uncertainty(ev, obs, replicates=100, rng=1))
    np.testing.assert_allclose(noise[0].variance.covariance, [[1.0, 0.0], [0.0, 1.0]])
    pair = decisions.compare(evs, noise=noise, within=None, coached=None).pairs[0]
    p, q = pair.units
    assert (p.aspects["a"], q.aspects["a"], p.aspects["b"]) == pytest.approx((2.0, 0.5, 0.0))
    assert p.aspects_beyond_noise == {"a": True, "b": False}
    assert q.aspects_beyond_noise == {"a": False, "b": False}
