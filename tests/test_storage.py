"""Compact storage of observations: whole-number scores as bytes, unit ids as codes."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval._data.storage import BLOCK_CELLS, NOT_SCORED, Levels
from tests.conftest import TWO_LEVEL

RUBRIC = pe.parse_rubric(TWO_LEVEL)


def _float_path(obs: pe.Observations) -> pe.Observations:
    """The same observations built by the class itself, which stores floats."""
    return pe.Observations(
        obs.rubric, unit=obs.unit, values=np.array(obs.values), visit=obs.visit,
        observer=obs.observer, date=obs.date,
    )  # fmt: skip


def test_whole_scores_stored_as_bytes(rubric: pe.Rubric) -> None:
    """Levels 0-5 take one byte per cell; `values` spells them out as floats, NaN kept."""
    values = np.array([[4.0, 3.0, np.nan, 0.0], [5.0, 1.0, 2.0, 3.0]])
    obs = pe.Observations.from_arrays(rubric, unit=["a", "a"], values=values)
    assert obs._levels is not None
    assert obs._levels.dtype == np.uint8
    assert obs._levels.tolist() == [[4, 3, NOT_SCORED, 0], [5, 1, 2, 3]]
    np.testing.assert_array_equal(obs.values, values)  # NaN where NaN
    assert not obs.values.flags.writeable
    assert obs.values is obs.values  # spelled out once


def test_fractions_in_a_later_block_keep_floats(rubric: pe.Rubric) -> None:
    """One half-level after the first block turns the whole set back to floats, unchanged."""
    n = 3 * BLOCK_CELLS // 4  # three blocks of rows for a 4-leaf rubric
    values = np.random.default_rng(1).integers(0, 6, (n, 4)).astype(float)
    values[5, 2] = np.nan
    values[n - 1, 1] = 2.5
    obs = pe.Observations.from_arrays(rubric, unit=np.arange(n).astype(str), values=values)
    assert obs._levels is None
    np.testing.assert_array_equal(obs.values, values)


def test_scales_beyond_a_byte_keep_floats() -> None:
    """Whole numbers on a 0-1000 scale do not fit a byte: stored as floats."""
    wide = pe.parse_rubric(
        "schema: 1\nid: wide\ntitle: t\nregulation: {name: test}\nstatus: verified\n"
        "scale: {min: 0, max: 1000}\nweighting: equal\ncriteria:\n  - {id: a, name: A}\n"
    )
    obs = pe.Observations.from_arrays(wide, unit=["u", "v"], values=[[300.0], [7.0]])
    assert obs._levels is None
    assert obs.values.tolist() == [[300.0], [7.0]]


def test_unit_ids_spelled_out_when_asked(rubric: pe.Rubric) -> None:
    """With integer codes the per-row ids are derived from unit_ids, in stored order."""
    obs = pe.Observations.from_arrays(
        rubric, unit=[2, 0, 2], unit_ids=["kel-a", "kel-b", "kel-c"], values=np.full((3, 4), 3.0)
    )
    assert obs.unit.tolist() == ["kel-a", "kel-c", "kel-c"]  # grouped in unit_ids order
    assert not obs.unit.flags.writeable
    assert len(obs) == 3


def test_evolve_of_compact_observations(rubric: pe.Rubric) -> None:
    """attrs.evolve() on compact observations checks the spelled-out columns afresh."""
    obs = pe.Observations.from_arrays(rubric, unit=[1, 0], unit_ids=["x", "y"],
                                      values=[[1, 2, 3, 4], [5, 4, 3, 2]])  # fmt: skip
    moved = attrs.evolve(obs, visit=np.array(["v", "w"]))
    assert moved.unit.tolist() == ["x", "y"]  # stored grouped in unit_ids order
    assert moved.values.tolist() == [[5, 4, 3, 2], [1, 2, 3, 4]]
    assert moved.visit.tolist() == ["v", "w"]


def test_absent_columns_take_no_memory_per_row(rubric: pe.Rubric) -> None:
    """Without observers or dates, the columns are one value seen n times."""
    obs = pe.Observations.from_arrays(rubric, unit=["a"] * 1000, values=np.full((1000, 4), 2.0))
    assert obs.observer.strides == (0,) and obs.date.strides == (0,)
    assert obs.observer[999] == "" and np.isnat(obs.date[999])


def test_mean_of_unequal_visit_counts(rubric: pe.Rubric) -> None:
    """Bytes with 1, 2 and 3 visits per unit: the means worked by hand."""
    unit = ["a", "b", "b", "c", "c", "c"]
    values = [[1, 0, 0, 0], [2, 0, 0, 0], [5, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [2, 0, 0, 0]]
    obs = pe.Observations.from_arrays(rubric, unit=unit, values=values)
    assert obs._levels is not None
    ev = pe.evaluate(rubric, obs)
    # a1: a = 1; b = (2 + 5) / 2 = 3.5; c = (1 + 1 + 2) / 3 = 4 / 3
    np.testing.assert_allclose(ev.leaf_scores[:, 0], [1.0, 3.5, 4 / 3], rtol=0, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    visits=st.lists(st.integers(1, 4), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
    holes=st.booleans(),
    aggregate=st.sampled_from(["mean", "median", "min", "latest"]),
)
def test_bytes_and_floats_evaluate_alike(
    visits: list[int], seed: int, holes: bool, aggregate: str
) -> None:
    """Byte storage gives exactly the float path's scores, index and grades (any method)."""
    rubric = RUBRIC
    rng = np.random.default_rng(seed)
    unit = np.repeat([f"u{i}" for i in range(len(visits))], visits)
    values = rng.integers(0, 6, (len(unit), 4)).astype(float)
    if holes:
        values[rng.random(values.shape) < 0.1] = np.nan
    compact = pe.Observations.from_arrays(rubric, unit=unit, values=values)
    assert isinstance(compact._values, Levels)
    missing = "renormalize" if holes else "error"
    left = pe.evaluate(rubric, compact, aggregate=aggregate, missing=missing)  # type: ignore[arg-type]
    right = pe.evaluate(rubric, _float_path(compact), aggregate=aggregate, missing=missing)  # type: ignore[arg-type]
    np.testing.assert_array_equal(left.leaf_scores, right.leaf_scores)
    np.testing.assert_array_equal(left.index, right.index)
    assert left.grades.tolist() == right.grades.tolist()
    # and the mean is numpy's mean of the visits, computed independently
    if aggregate == "mean" and not holes:
        starts = np.cumsum(visits) - np.array(visits)
        expected = np.add.reduceat(values, starts, axis=0) / np.array(visits)[:, None]
        np.testing.assert_allclose(left.leaf_scores, expected, rtol=0, atol=1e-15)


def test_out_of_scale_still_reported_with_byte_storage(rubric: pe.Rubric) -> None:
    """A 300 among levels is reported as off the scale, not wrapped into a byte."""
    with pytest.raises(pe.exceptions.ObservationError, match=r"score 300\.0 is outside"):
        pe.Observations.from_arrays(rubric, unit=["a"], values=[[300, 1, 1, 1]])


def _balanced_visits(
    n: int, depth: int, rng: np.random.Generator
) -> tuple[pe.Observations, np.ndarray, np.ndarray]:
    """`n` units with `depth` visits each, scores 0..5 on RUBRIC: observations, values, ids."""
    unit = np.repeat(np.arange(n), depth)
    values = rng.integers(0, 6, (depth * n, 4)).astype(float)
    ids = np.char.add("u", np.arange(n).astype(str))
    compact = pe.Observations.from_arrays(RUBRIC, unit=unit, unit_ids=ids, values=values)
    return compact, values, ids


@pytest.mark.parametrize("depth", [1, 3, 4, 8])
def test_fused_pass_equals_the_float_path_for_any_number_of_visits(depth: int) -> None:
    """1, 3, 4, 8 visits per unit over several blocks: the same bits as the float path.

    With 4 or 8 the sums are converted and the roll-up matrix scaled by 1/4 or 1/8 (exact);
    with 3 the sums are divided. The float path divides the float sums either way.
    """
    compact, _, _ = _balanced_visits(30_000, depth, np.random.default_rng(depth))
    fused = pe.evaluate(RUBRIC, compact)
    stepwise = pe.evaluate(RUBRIC, _float_path(compact))
    np.testing.assert_array_equal(fused.index, stepwise.index)
    np.testing.assert_array_equal(fused.node_scores, stepwise.node_scores)


def test_fused_mean_and_roll_up_equals_the_two_steps() -> None:
    """70,000 units x 2 visits (several blocks): one pass gives the two-step numbers exactly."""
    rng = np.random.default_rng(11)
    n = 70_000
    compact, values, ids = _balanced_visits(n, 2, rng)
    fused = pe.evaluate(RUBRIC, compact)
    stepwise = pe.evaluate(RUBRIC, _float_path(compact))
    np.testing.assert_array_equal(fused.leaf_scores, stepwise.leaf_scores)
    np.testing.assert_array_equal(fused.node_scores, stepwise.node_scores)
    np.testing.assert_array_equal(fused.index, stepwise.index)
    # and by hand for the first unit: a1 (weight 0.6 x 2/3), a2 (0.6 x 1/3), b1, b2 (0.4 / 2)
    mean = values[:2].mean(axis=0)
    expected = 0.6 * (2 * mean[0] + mean[1]) / 3 + 0.4 * (mean[2] + mean[3]) / 2
    assert fused.index[0] == pytest.approx(expected, abs=1e-12)
    # a units table in another order: each unit keeps its own means, worked out when read
    shuffled = rng.permutation(n)
    units = pe.Units.from_arrays(ids[shuffled])
    reordered = pe.evaluate(RUBRIC, compact, units=units)
    np.testing.assert_array_equal(reordered.leaf_scores, stepwise.leaf_scores[shuffled])
    np.testing.assert_array_equal(reordered.index, stepwise.index[shuffled])
    np.testing.assert_array_equal(reordered.node_scores, stepwise.node_scores[shuffled])
    np.testing.assert_allclose(reordered.leaf_scores[0], values[2 * shuffled[0] :][:2].mean(axis=0))


@pytest.mark.parametrize("bad", [-1.0, 256.0, 255.0, 1e300, np.inf, -np.inf, 260.5])
def test_values_that_wrap_around_a_byte_are_reported(bad: float) -> None:
    """-1, 256, 255, huge or infinite scores are off the 0..254 scale: an error, never a byte."""
    wide = pe.parse_rubric(
        "schema: 1\nid: byte\ntitle: t\nregulation: {name: test}\nstatus: verified\n"
        "scale: {min: 0, max: 254}\nweighting: equal\ncriteria:\n  - {id: a, name: A}\n"
        "  - {id: b, name: B}\n"
    )
    values = np.array([[254.0, 0.0], [bad, 3.0], [np.nan, 7.0]])
    with pytest.raises(pe.exceptions.ObservationError, match=r"row 1 .*criterion 'a'"):
        pe.Observations.from_arrays(wide, unit=["u", "u", "v"], values=values)
    fine = pe.Observations.from_arrays(
        wide, unit=["u", "u", "v"], values=[[254, 0], [-0.0, 3], [np.nan, 7]]
    )
    assert fine._levels is not None and fine._levels.tolist() == [[254, 0], [0, 3], [NOT_SCORED, 7]]
