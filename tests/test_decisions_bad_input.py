"""Bad input to the decision analyses: clear library errors, and invariants of the results."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import decisions
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.schema import Criterion, Regulation, Scale

TWO = pe.Rubric(
    id="two", title="Two aspects", scale=Scale(0, 5), status="verified",
    regulation=Regulation("Peraturan Contoh"),
    criteria=[Criterion("a", "A", weight=0.5), Criterion("b", "B", weight=0.5)],
)  # fmt: skip


def _single_visits() -> tuple[pe.Evaluation, pe.Observations]:
    obs = pe.Observations.from_arrays(TWO, unit=["p", "q", "r"], values=[[1, 2], [3, 4], [5, 5]])
    return pe.evaluate(TWO, obs), obs


def test_one_visit_everywhere_says_what_still_works() -> None:
    """No second visit anywhere: the error says so and names visit_variance and sensitivity()."""
    ev, obs = _single_visits()
    with pytest.raises(ObservationError, match=r"every unit was visited once.*visit_variance.*"
                                               r"sensitivity\(\)"):  # fmt: skip
        decisions.uncertainty(ev, obs)
    assert decisions.uncertainty(ev, visit_variance=0.1, replicates=100, rng=1).method == "given"
    assert decisions.sensitivity(ev, obs, perturb="uniform", replicates=100, rng=1).perturbed


def test_too_few_replicates_are_refused() -> None:
    """Fewer than 100 replicates is an OptionError saying the minimum."""
    ev, _ = _single_visits()
    with pytest.raises(OptionError, match="at least 100"):
        decisions.uncertainty(ev, visit_variance=0.1, replicates=99)
    with pytest.raises(OptionError, match="whole number"):
        decisions.sensitivity(ev, perturb="uniform", replicates=1000.0)


def test_options_are_checked_together() -> None:
    """Bad k, coaching and level are one error; an unknown method lists the valid ones."""
    ev, _ = _single_visits()
    with pytest.raises(OptionError, match=r"k must.*coaching must.*level must"):
        decisions.uncertainty(ev, visit_variance=0.1, k=0, coaching=-1, level=1.5)
    with pytest.raises(OptionError, match="valid: auto, pooled, bootstrap"):
        decisions.uncertainty(ev, visit_variance=0.1, method="jackknife")
    with pytest.raises(OptionError, match="needs the observations"):
        decisions.uncertainty(ev)


def test_observations_of_another_city_are_refused() -> None:
    """Observations with other units than the evaluation's are named."""
    ev, _ = _single_visits()
    other = pe.Observations.from_arrays(TWO, unit=["p", "x", "x"], values=[[1, 2]] * 3,
                                        visit=[1, 1, 2])  # fmt: skip
    with pytest.raises(ObservationError, match="'x' is not in the evaluation"):
        decisions.uncertainty(ev, other)


def test_sensitivity_needs_observations_for_other_aggregations() -> None:
    """Another aggregation without the observations is an OptionError."""
    ev, _ = _single_visits()
    with pytest.raises(OptionError, match="needs the observations"):
        decisions.sensitivity(ev, aggregations=["min"], sources=False)


def test_compare_needs_two_rounds() -> None:
    """One round is not a comparison."""
    ev, _ = _single_visits()
    with pytest.raises(OptionError, match="two or more rounds"):
        decisions.compare([ev])


@settings(max_examples=25, deadline=None)
@given(
    scores=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=6, max_size=16),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_probabilities_are_consistent(scores: list[tuple[int, int]], k: int, seed: int) -> None:
    """At full precision the awards per replicate are exactly k: sum of P(award) is k; grades sum to 1."""
    n = len(scores) // 2 * 2
    obs = pe.Observations.from_arrays(TWO, unit=np.repeat([f"u{i}" for i in range(n // 2)], 2),
                                      values=scores[:n], visit=[1, 2] * (n // 2))  # fmt: skip
    ev = pe.evaluate(TWO, obs)
    result = decisions.uncertainty(ev, visit_variance=0.2, k=k, within=None, by="raw",
                                   replicates=100, rng=seed)  # fmt: skip
    units = n // 2
    assert result.p_award.sum() == pytest.approx(min(k, units))
    assert np.all((result.rank_low >= 1) & (result.rank_low <= result.rank_high))
    assert np.all(result.rank_high <= units)
    assert np.all((result.p_coaching >= 0) & (result.p_coaching <= 1))


def test_decisions_all_is_its_public_surface() -> None:
    """pelayanan_eval.decisions' __all__ is sorted and every name exists and is documented."""
    assert sorted(decisions.__all__) == decisions.__all__
    for name in decisions.__all__:
        assert getattr(decisions, name).__doc__, name


def test_a_composite_index_is_refused_with_the_way_out() -> None:
    """An index that folds in a public survey (instruments=) is refused, naming the composite."""
    from tests.test_instruments import UNITS, assessors, composite_rubric, survey

    rubric = composite_rubric()
    ev = pe.evaluate(rubric, assessors(rubric), units=UNITS, instruments={"F-03": survey(rubric)},
                     no_data="zero")  # fmt: skip
    with pytest.raises(OptionError, match=r"composite \(0.75 x F-02 \+ 0.25 x F-03.*without"):
        decisions.uncertainty(ev, assessors(rubric))
    with pytest.raises(OptionError, match="composite"):
        decisions.sensitivity(ev, perturb="uniform")


def test_other_scores_for_the_same_visits_are_refused() -> None:
    """Observations with the same units and visits but other scores do not match the evaluation."""
    obs = pe.Observations.from_arrays(TWO, unit=["p", "p", "q", "q"],
                                      values=[[1, 2], [3, 4], [5, 5], [4, 4]], visit=[1, 2] * 2)  # fmt: skip
    other = pe.Observations.from_arrays(TWO, unit=["p", "p", "q", "q"],
                                        values=[[1, 2], [3, 4], [5, 5], [1, 1]], visit=[1, 2] * 2)  # fmt: skip
    ev = pe.evaluate(TWO, obs)
    with pytest.raises(ObservationError, match=r"differs for 'q' \(3.0000 here, 4.5000"):
        decisions.uncertainty(ev, other, replicates=100)
