"""Uncertainty from the visits: pooled variance, P(award) against exact values, calibration."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, stats

import pelayanan_eval as pe
from pelayanan_eval import decisions
from pelayanan_eval.exceptions import ProvisionalRubricWarning
from pelayanan_eval.schema import Criterion, Regulation, Scale

TWO = pe.Rubric(
    id="two", title="Two aspects", scale=Scale(0, 5), status="verified",
    regulation=Regulation("Peraturan Contoh"),
    criteria=[Criterion("a", "A", weight=0.5), Criterion("b", "B", weight=0.5)],
)  # fmt: skip

# The hand-worked city: three units, two visits each, scores (a, b) per visit.
#   u1: (4, 4) and (4, 3): visit indices 4.0 and 3.5, index 3.75
#   u2: (4, 3) and (2, 3): visit indices 3.5 and 2.5, index 3.00
#   u3: (3, 2) and (2, 3): visit indices 2.5 and 2.5, index 2.50
# Deviations from the unit means: a: 0, 0, +1, -1, +.5, -.5; b: +.5, -.5, 0, 0, -.5, +.5
# df = 3 (one per unit); S_aa = 2.5/3, S_bb = 1/3, S_ab = -0.5/3.
# One visit's index variance: 0.25 (S_aa + S_bb + 2 S_ab) = 0.25 * 2.5 / 3 = 0.208333;
# a unit's (mean of two visits): 0.104167, sd 0.322749.
HAND = np.array([[4, 4], [4, 3], [4, 3], [2, 3], [3, 2], [2, 3]], dtype=float)
HAND_MEANS = np.array([3.75, 3.0, 2.5])
HAND_VARIANCE = 0.25 * 2.5 / 3 / 2


@pytest.fixture(scope="module")
def hand() -> tuple[pe.Evaluation, pe.Observations]:
    """The hand-worked three-unit city and its evaluation."""
    obs = pe.Observations.from_arrays(
        TWO, unit=["u1", "u1", "u2", "u2", "u3", "u3"], values=HAND, visit=[1, 2] * 3
    )
    return pe.evaluate(TWO, obs), obs


def _p_first(means: np.ndarray, sd: float, i: int) -> float:
    """P(unit i is the largest of independent normals), by numerical integration."""
    others = [m for j, m in enumerate(means) if j != i]

    def density(t: float) -> float:
        value = stats.norm.pdf(t, means[i], sd)
        for m in others:
            value *= stats.norm.cdf(t, m, sd)
        return float(value)

    return float(integrate.quad(density, means[i] - 10 * sd, means[i] + 10 * sd)[0])


def test_pooled_variance_matches_the_hand_calculation(hand) -> None:
    """The pooled covariance of the aspects and each unit's index variance are as worked by hand."""
    ev, obs = hand
    variance = decisions.pooled_variance(ev, obs)
    assert variance.df == 3
    np.testing.assert_allclose(variance.covariance, [[2.5 / 3, -0.5 / 3], [-0.5 / 3, 1 / 3]])
    np.testing.assert_allclose(variance.index_variance, [HAND_VARIANCE] * 3)


def test_criterion_pool_equals_aspect_pool_on_complete_visits() -> None:
    """Pooling the criteria then mapping them to aspects is pooling the aspects (complete data)."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    aspect = decisions.pooled_variance(ev, city.observations, "aspect")
    criterion = decisions.pooled_variance(ev, city.observations, "criterion")
    np.testing.assert_allclose(aspect.covariance, criterion.covariance, atol=1e-12)
    np.testing.assert_allclose(aspect.index_variance, criterion.index_variance, atol=1e-12)


def test_p_award_agrees_with_the_exact_normal_calculation(hand) -> None:
    """P(top 1) by simulation is within 4 Monte Carlo errors of the normal model's integral."""
    ev, obs = hand
    replicates = 200_000
    result = decisions.uncertainty(ev, obs, k=1, coaching=1, within=None,
                                   replicates=replicates, rng=12)  # fmt: skip
    sd = math.sqrt(HAND_VARIANCE)
    exact = np.array([_p_first(HAND_MEANS, sd, i) for i in range(3)])
    assert exact.sum() == pytest.approx(1.0, abs=1e-6)
    error = np.sqrt(exact * (1 - exact) / replicates)
    assert np.all(np.abs(result.p_award - exact) < 4 * error)
    # coaching (the lowest one) by symmetry: P(lowest) of u3 is P(largest) of -x
    lowest = _p_first(-HAND_MEANS[::-1], sd, 0)
    assert abs(result.p_coaching[2] - lowest) < 4 * math.sqrt(lowest * (1 - lowest) / replicates)


def test_index_interval_uses_the_t_quantile_of_the_pooled_df(hand) -> None:
    """The 90 % index interval is index +/- t(0.95, df=3) sd, checked against scipy."""
    ev, obs = hand
    result = decisions.uncertainty(ev, obs, replicates=100, rng=1)
    half = stats.t.ppf(0.95, 3) * math.sqrt(HAND_VARIANCE)
    np.testing.assert_allclose(result.index_low, HAND_MEANS - half)
    np.testing.assert_allclose(result.index_high, HAND_MEANS + half)
    assert result.method == "pooled"


def test_given_visit_variance_divides_by_the_visits(hand) -> None:
    """visit_variance=s2 gives each unit s2 / n_u, with no observations needed."""
    ev, _ = hand
    result = decisions.uncertainty(ev, visit_variance=0.5, replicates=100, rng=1)
    np.testing.assert_allclose(result.index_sd, np.sqrt([0.25] * 3))
    assert result.method == "given"


def test_bootstrap_variance_is_the_plug_in_variance_of_the_mean() -> None:
    """With many visits the bootstrap SD of a mean is sqrt(sum (x - mean)^2 / n^2)."""
    rng = np.random.default_rng(3)
    visits = 8
    values = rng.integers(0, 6, (2 * visits, 2)).astype(float)
    obs = pe.Observations.from_arrays(TWO, unit=["p"] * visits + ["q"] * visits, values=values,
                                      visit=list(range(visits)) * 2)  # fmt: skip
    ev = pe.evaluate(TWO, obs)
    result = decisions.uncertainty(ev, obs, replicates=20_000, rng=4)
    assert result.method == "bootstrap"
    per_visit = values.mean(axis=1).reshape(2, visits)
    plug_in = per_visit.std(axis=1, ddof=0) / math.sqrt(visits)
    np.testing.assert_allclose(result.index_sd, plug_in, rtol=0.03)


def test_bootstrap_refuses_units_of_one_visit() -> None:
    """method='bootstrap' with single-visit units names them and points to the pooled model."""
    obs = pe.Observations.from_arrays(TWO, unit=["u1", "u1", "u2"], values=HAND[:3])
    ev = pe.evaluate(TWO, obs)
    with pytest.raises(pe.exceptions.ObservationError, match=r"'u2'.*method='pooled'"):
        decisions.uncertainty(ev, obs, method="bootstrap", replicates=100)


def _calibration_city(rng: np.random.Generator, rubric: pe.Rubric) -> tuple:
    """70 units, true criterion scores, two visits with assessor and criterion noise."""
    leaves = len(rubric.leaf_ids)
    level = rng.normal(2.6, 0.4, 70)
    truth = level[:, None] + rng.normal(0, 0.3, leaves)
    noise = rng.normal(0, 0.3, (140, 1)) + rng.normal(0, 0.7, (140, leaves))
    values = np.clip(np.repeat(truth, 2, axis=0) + noise, 0, 5)
    ids = np.array([f"u{i:02d}" for i in range(70)])
    obs = pe.Observations.from_arrays(rubric, unit=np.repeat(ids, 2), values=values,
                                      visit=np.tile([1, 2], 70))  # fmt: skip
    units = pe.Units.from_arrays(ids, category=np.repeat(["a", "b", "c"], [24, 22, 24]))
    return truth @ rubric.leaf_weights, obs, units


def test_intervals_cover_the_truth_ninety_percent_of_the_time() -> None:
    """In 60 simulated cities the 90 % index and rank intervals cover the truth 87-93 % of the time.

    Units have known true scores; visits add an assessor shift and noise per
    criterion (the full run is in benchmarks/bench_decisions.py).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = pe.load_rubric("permenpanrb-17-2017")
    rng = np.random.default_rng(20260)
    index_hits = rank_hits = total = 0
    for _ in range(60):
        truth, obs, units = _calibration_city(rng, rubric)
        ev = pe.evaluate(rubric, obs, units=units)
        result = decisions.uncertainty(ev, obs, replicates=400, rng=rng)
        true_ranks = np.concatenate([
            stats.rankdata(-np.round(truth[s], 2), method="min")
            for s in (slice(0, 24), slice(24, 46), slice(46, 70))
        ])  # fmt: skip
        index_hits += int(((result.index_low <= truth) & (truth <= result.index_high)).sum())
        rank_hits += int(((result.rank_low <= true_ranks) & (true_ranks <= result.rank_high)).sum())
        total += len(truth)
    assert 0.87 <= index_hits / total <= 0.93
    assert 0.87 <= rank_hits / total <= 0.93


def test_award_table_marks_clear_and_tied_awards() -> None:
    """An award far ahead of the next unit is clear; one a hair ahead is tied."""
    values = np.array([[5, 5], [5, 5], [3, 3], [3, 3], [3, 3], [2.9, 3]], dtype=float)
    obs = pe.Observations.from_arrays(TWO, unit=["far", "far", "near", "near", "next", "next"],
                                      values=values, visit=[1, 2] * 3)  # fmt: skip
    ev = pe.evaluate(TWO, obs)
    result = decisions.uncertainty(ev, obs, k=2, within=None, visit_variance=0.1,
                                   replicates=4000, rng=2)  # fmt: skip
    verdicts = {award.unit: award.verdict for award in result.awards}
    assert verdicts == {"far": "clear", "near": "tied"}
    assert all(award.next_unit == "next" for award in result.awards)


def test_grade_probabilities_sum_to_one_and_next_grade_is_their_upper_tail() -> None:
    """P(each grade) sums to 1 per unit and P(next grade) is the mass above the unit's grade."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    result = decisions.uncertainty(ev, city.observations, replicates=500, rng=3)
    np.testing.assert_allclose(result.p_grades.sum(axis=1), 1.0)
    codes = list(result.grade_codes)
    for i in range(len(ev)):
        position = codes.index(str(ev.grades[i]))
        assert result.p_next_grade[i] == pytest.approx(result.p_grades[i, :position].sum())
    card = result.unit(str(ev.units.ids[0]))
    assert card.rank_low <= card.rank <= card.rank_high


def test_expected_changes_are_the_mean_disagreement_with_the_published_awards() -> None:
    """Expected changed awards is the sum of |P(award) - awarded now| (by hand on 3 units)."""
    obs = pe.Observations.from_arrays(TWO, unit=["u1", "u1", "u2", "u2", "u3", "u3"],
                                      values=HAND, visit=[1, 2] * 3)  # fmt: skip
    ev = pe.evaluate(TWO, obs)
    result = decisions.uncertainty(ev, obs, k=1, within=None, replicates=1000, rng=5)
    p = result.p_award
    assert result.expected_award_changes == pytest.approx((1 - p[0]) + p[1] + p[2])


def test_records_and_html() -> None:
    """to_records has one row per unit with the documented keys; the HTML names the awards."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    result = decisions.uncertainty(ev, city.observations, replicates=200, rng=3, below=3.01)
    records = result.to_records()
    assert len(records) == 70
    assert {"p_award", "rank_low", "rank_high", "p_below", "p_A", "p_next_grade"} <= set(records[0])
    assert "verdict" in result._repr_html_()
    frame = result.to_pandas()
    assert frame.index.name == "unit" and len(frame) == 70


def test_pooled_variance_with_unscored_visits_by_hand() -> None:
    """A visit without aspect b: each entry pools the visits that scored it (worked by hand).

    u1: (4, 4), (2, -), (3, 2); u2: (3, 3), (1, 1). Means u1 (3, 3), u2 (2, 2).
    S_aa = 1+1+0+1+1 = 4 over df 2+1 = 3; S_bb = 1+1+1+1 = 4 over df 1+1 = 2;
    S_ab = 1+0+0+1+1 = 3 over df (2-1)+(2-1) = 2 (visits scoring both).
    u1's mean: var a = (4/3) 3/9 = 4/9, var b = 2 * 2/4 = 1, cov = 1.5 * 2/(3*2) = 0.5;
    index variance 0.25 (4/9 + 1 + 1) = 11/18. u2: 2/3, 1, 0.75: 0.25 (2/3 + 1 + 1.5) = 19/24.
    """
    nan = np.nan
    values = [[4, 4], [2, nan], [3, 2], [3, 3], [1, 1]]
    obs = pe.Observations.from_arrays(TWO, unit=["u1"] * 3 + ["u2"] * 2, values=values,
                                      visit=[1, 2, 3, 1, 2])  # fmt: skip
    ev = pe.evaluate(TWO, obs, missing="renormalize")
    variance = decisions.pooled_variance(ev, obs)
    np.testing.assert_allclose(variance.covariance, [[4 / 3, 1.5], [1.5, 2.0]])
    np.testing.assert_allclose(variance.index_variance, [11 / 18, 19 / 24])
    with pytest.raises(pe.exceptions.OptionError, match="pool='aspect'"):
        decisions.pooled_variance(ev, obs, "criterion")


def test_bootstrap_under_renormalize_gives_finite_spread() -> None:
    """Resampled visits that lose a criterion are re-spread as the evaluation's policy says."""
    rng = np.random.default_rng(8)
    values = rng.integers(0, 6, (12, 2)).astype(float)
    values[[1, 7], 1] = np.nan
    obs = pe.Observations.from_arrays(TWO, unit=["p"] * 6 + ["q"] * 6, values=values,
                                      visit=list(range(6)) * 2)  # fmt: skip
    ev = pe.evaluate(TWO, obs, missing="renormalize")
    result = decisions.uncertainty(ev, obs, replicates=500, rng=9)
    assert result.method == "bootstrap"
    assert np.all(np.isfinite(result.index_sd)) and np.all(result.index_sd > 0)


def test_pooled_model_warns_for_min_aggregation(hand) -> None:
    """The pooled model gives the spread of the mean: aggregate='min' gets a warning saying so."""
    _, obs = hand
    ev = pe.evaluate(TWO, obs, aggregate="min")
    with pytest.warns(UserWarning, match="aggregate='min'.*approximation"):
        decisions.uncertainty(ev, obs, replicates=100, rng=1)
