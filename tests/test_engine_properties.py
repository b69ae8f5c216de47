"""Property tests of the engine against plain-Python references, and its invariants."""

from __future__ import annotations

import math
import statistics
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning
from tests.conftest import TWO_LEVEL

RUBRIC = pe.parse_rubric(TWO_LEVEL)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ProvisionalRubricWarning)
    RUBRIC_17 = pe.load_rubric("permenpanrb-17-2017")
NAN = float("nan")
OBSERVERS = ("ani", "budi", "citra")
OBSERVER_WEIGHTS = {"ani": 1.0, "budi": 2.0, "citra": 0.5}


def reference_aggregate(cells: list[tuple[float, int, str]], method: str, trim: float) -> float:
    """One unit, one column: cells are (value, time, observer); NaN values are unscored."""
    scored = [(v, t, o) for v, t, o in cells if not math.isnan(v)]
    values = [v for v, _, _ in scored]
    if not values:
        return NAN
    if method == "mean":
        return sum(values) / len(values)
    if method == "median":
        return statistics.median(values)
    if method == "min":
        return min(values)
    if method == "max":
        return max(values)
    if method == "trimmed_mean":
        cut = math.floor(len(values) * trim)
        kept = sorted(values)[cut : len(values) - cut]
        return sum(kept) / len(kept)
    if method == "latest":
        return max(scored, key=lambda c: c[1])[0]
    total = sum(OBSERVER_WEIGHTS[o] for _, _, o in scored)
    return sum(v * OBSERVER_WEIGHTS[o] for v, _, o in scored) / total


def reference_node(
    node: pe.schema.Criterion | None, leaf: dict[str, float], missing: str, cover: float
) -> float:
    """Score of a node (None = the index) by recursion over the rubric definition."""
    children = RUBRIC.criteria if node is None else node.criteria
    weighting = RUBRIC.weighting if node is None else node.weighting
    if node is not None and not children:
        return leaf[node.id]
    if weighting == "equal":
        weights = [1 / len(children)] * len(children)
    elif weighting == "relative":
        weights = [c.weight / sum(x.weight for x in children) for c in children]  # type: ignore[operator, misc]
    else:
        weights = [c.weight for c in children]  # type: ignore[misc]
    scores = [reference_node(c, leaf, missing, cover) for c in children]
    scored = [(w, s) for w, s in zip(weights, scores, strict=True) if not math.isnan(s)]
    total = sum(weights)
    covered = sum(w for w, _ in scored)
    if missing == "renormalize" and (not scored or covered < cover * total - 1e-12):
        return NAN
    if len(scored) == len(scores):
        return sum(w * s for w, s in scored)
    return sum(w * s for w, s in scored) * total / covered


cell = st.one_of(st.integers(0, 5).map(float), st.just(NAN))


@st.composite
def datasets(draw: st.DrawFn, allow_nan: bool = True) -> list[tuple[str, int, str, list[float]]]:
    """Rows (unit, visit, observer, four scores) for 1-4 units with 1-3 visits each."""
    rows = []
    for u in range(draw(st.integers(1, 4))):
        for v in range(draw(st.integers(1, 3))):
            scores = draw(
                st.lists(
                    cell if allow_nan else st.integers(0, 5).map(float), min_size=4, max_size=4
                )
            )
            rows.append((f"u{u}", v, draw(st.sampled_from(OBSERVERS)), scores))
    return draw(st.permutations(rows))


def build(rows: list[tuple[str, int, str, list[float]]]) -> pe.Observations:
    return pe.Observations.from_arrays(
        RUBRIC,
        unit=[r[0] for r in rows],
        visit=[r[1] for r in rows],
        observer=[r[2] for r in rows],
        values=np.array([r[3] for r in rows]).reshape(len(rows), 4),
    )


METHODS = ["mean", "median", "min", "max", "trimmed_mean", "latest", "observer_weighted"]


def method_of(name: str, trim: float) -> pe.Aggregation:
    if name == "observer_weighted":
        return pe.Aggregation(name, observer_weights=OBSERVER_WEIGHTS)
    return pe.Aggregation(name, trim=trim)


@settings(max_examples=150, deadline=None)
@given(datasets(), st.sampled_from(METHODS), st.sampled_from([0.0, 0.25, 0.34]),
       st.sampled_from(["renormalize", "scale_min"]), st.sampled_from([0.0, 0.5]))  # fmt: skip
def test_criteria_first_matches_reference(
    rows: list[Any], method: str, trim: float, missing: str, cover: float
) -> None:
    """Aggregate each leaf across visits, then roll up: equals the plain-Python reference."""
    coverage = {"min_coverage": cover} if missing == "renormalize" else {}
    ev = pe.evaluate(RUBRIC, build(rows), aggregate=method_of(method, trim), missing=missing,
                     **coverage)  # fmt: skip
    for i, unit in enumerate(ev.units.ids.tolist()):
        mine = [r for r in rows if r[0] == unit]
        leaf = {}
        for j, leaf_id in enumerate(RUBRIC.leaf_ids):
            cells = [
                (0.0 if missing == "scale_min" and math.isnan(r[3][j]) else r[3][j], r[1], r[2])
                for r in mine
            ]
            leaf[leaf_id] = reference_aggregate(cells, method, trim)
        expected = reference_node(None, leaf, missing, cover)
        assert ev.index[i] == pytest.approx(expected, abs=1e-9, nan_ok=True)


@settings(max_examples=150, deadline=None)
@given(datasets(), st.sampled_from(METHODS), st.sampled_from(["renormalize", "scale_min"]))
def test_visits_first_matches_reference(rows: list[Any], method: str, missing: str) -> None:
    """Score each visit, then aggregate the visit indices: equals the reference."""
    coverage = {"min_coverage": 0.0} if missing == "renormalize" else {}
    ev = pe.evaluate(RUBRIC, build(rows), aggregate=method_of(method, 0.25), missing=missing,
                     order="visits_first", **coverage)  # fmt: skip
    for i, unit in enumerate(ev.units.ids.tolist()):
        cells = []
        for r in rows:
            if r[0] == unit:
                values = [0.0 if missing == "scale_min" and math.isnan(x) else x for x in r[3]]
                visit_index = reference_node(
                    None, dict(zip(RUBRIC.leaf_ids, values, strict=True)), missing, 0.0
                )
                cells.append((visit_index, r[1], r[2]))
        expected = reference_aggregate(cells, method, 0.25)
        assert ev.index[i] == pytest.approx(expected, abs=1e-9, nan_ok=True)


@settings(max_examples=100, deadline=None)
@given(datasets(allow_nan=False), st.data())
def test_raising_a_score_never_lowers_the_index(rows: list[Any], data: st.DataObject) -> None:
    """Monotonicity: +1 on any leaf of any visit (within the scale) never lowers any index."""
    before = pe.evaluate(RUBRIC, build(rows)).index
    k = data.draw(st.integers(0, len(rows) - 1))
    j = data.draw(st.integers(0, 3))
    raised = [(u, v, o, list(s)) for u, v, o, s in rows]
    raised[k][3][j] = min(5.0, raised[k][3][j] + 1)
    after = pe.evaluate(RUBRIC, build(raised)).index
    assert np.all(after >= before - 1e-12)


@settings(max_examples=50, deadline=None)
@given(datasets(allow_nan=False), st.floats(0.1, 100))
def test_scaling_relative_weights_changes_nothing(rows: list[Any], factor: float) -> None:
    """Multiplying all relative points of a group by one factor leaves every index unchanged."""
    scaled = RUBRIC.with_weights({"a1": 2 * factor, "a2": 1 * factor})
    obs = build(rows)
    again = pe.Observations.from_arrays(scaled, unit=obs.unit, values=obs.values, visit=obs.visit)
    np.testing.assert_allclose(pe.evaluate(scaled, again).index, pe.evaluate(RUBRIC, obs).index,
                               rtol=1e-12)  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(datasets(), st.randoms(use_true_random=False))
def test_permuting_rows_and_units_changes_only_order(rows: list[Any], rnd: Any) -> None:
    """Shuffling input rows and the units list permutes the results and nothing else."""
    obs = build(rows)
    ids = sorted({r[0] for r in rows})
    shuffled_ids = list(ids)
    rnd.shuffle(shuffled_ids)
    shuffled_rows = list(rows)
    rnd.shuffle(shuffled_rows)
    a = pe.evaluate(RUBRIC, obs, units=[pe.Unit(u) for u in ids], missing="renormalize")
    b = pe.evaluate(RUBRIC, build(shuffled_rows), units=[pe.Unit(u) for u in shuffled_ids],
                    missing="renormalize")  # fmt: skip
    position = [shuffled_ids.index(u) for u in ids]
    np.testing.assert_allclose(b.node_scores[position], a.node_scores, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(b.grades[position], a.grades)


@settings(max_examples=50, deadline=None)
@given(datasets(allow_nan=False), st.sampled_from(METHODS))
def test_two_identical_visits_equal_one(rows: list[Any], method: str) -> None:
    """A unit visited twice with identical scores gets the scores of a single visit."""
    single = list({r[0]: r for r in rows}.values())  # one visit per unit
    doubled = [*single, *[(u, v + 10, o, s) for u, v, o, s in single]]
    one = pe.evaluate(RUBRIC, build(single), aggregate=method_of(method, 0.25))
    two = pe.evaluate(RUBRIC, build(doubled), aggregate=method_of(method, 0.25))
    np.testing.assert_allclose(two.node_scores, one.node_scores, rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([1.0, 2.0, 2.5, 3.0, 4.0, NAN]), min_size=1, max_size=30),
    st.sampled_from(["min", "dense", "average", "ordinal"]),
    st.data(),
)
def test_rank_agrees_with_scipy(scores: list[float], ties: str, data: st.DataObject) -> None:
    """Ranks equal scipy.stats.rankdata(-x) per group for every tie method (NaN unranked)."""
    rankdata = pytest.importorskip("scipy.stats").rankdata
    groups = data.draw(st.lists(st.sampled_from("ab"), min_size=len(scores), max_size=len(scores)))
    mine = pe.rank(scores, groups, ties=ties)
    values, labels = np.array(scores), np.array(groups)
    for label in "ab":
        chosen = (labels == label) & ~np.isnan(values)
        if chosen.any():
            expected = rankdata(-values[chosen], method=ties)
            np.testing.assert_array_equal(mine[chosen], expected)
    assert np.isnan(mine[np.isnan(values)]).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-50, 450).map(float), st.just(NAN)), min_size=1, max_size=40),
    st.sampled_from(["min", "dense", "average"]),
    st.booleans(),
    st.data(),
)
def test_rank_of_whole_numbers_agrees_with_scipy(
    scores: list[float], ties: str, descending: bool, data: st.DataObject
) -> None:
    """Whole-number scores (published hundredths), ranked by counting, equal scipy per group."""
    rankdata = pytest.importorskip("scipy.stats").rankdata
    groups = data.draw(st.lists(st.sampled_from("abc"), min_size=len(scores), max_size=len(scores)))
    mine = pe.rank(scores, groups, ties=ties, descending=descending)
    values, labels = np.array(scores), np.array(groups)
    for label in "abc":
        chosen = (labels == label) & ~np.isnan(values)
        if chosen.any():
            key = -values[chosen] if descending else values[chosen]
            np.testing.assert_array_equal(mine[chosen], rankdata(key, method=ties))
    assert np.isnan(mine[np.isnan(values)]).all()


def test_rank_tells_a_tiny_fraction_from_a_whole_number() -> None:
    """1e-300 is above 0 (1 - 1e-300 rounds to 1.0: counting must not see a whole number)."""
    assert pe.rank([1.0, 1e-300, 0.0]).tolist() == [1.0, 2.0, 3.0]
    assert pe.rank([1.0, 1e-300, 0.0], descending=False).tolist() == [3.0, 2.0, 1.0]
    assert pe.rank([2.0, 1.0 + 2**-52, 1.0], ties="dense").tolist() == [1.0, 2.0, 3.0]


def test_evaluation_ranks_published_values_as_the_sorting_path_does() -> None:
    """Evaluation.rank (by counting hundredths) equals rank() of the rounded floats (by sorting)."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    for ties in ("min", "dense", "average"):
        by_sorting = pe.rank(ev.rounded, ev.units.categories, ties=ties)
        np.testing.assert_array_equal(ev.rank("category", ties=ties), by_sorting)


def brute_force_steps(rubric: pe.Rubric, scores: np.ndarray, target: float) -> int | None:
    """Fewest one-level raises (any leaves) so the rounded index reaches `target`; BFS over states."""
    _, high = rubric.leaf_scales
    start = tuple(scores.tolist())
    frontier, seen = {start}, {start}
    for steps in range(0, 40):
        for state in frontier:
            value = rubric.rounding.apply(float(rubric.leaf_weights @ np.array(state)))
            if value >= target - 1e-9:
                return steps
        nxt = set()
        for state in frontier:
            for j in range(len(state)):
                if state[j] < high[j]:
                    raised = list(state)
                    raised[j] = min(float(high[j]), state[j] + 1)
                    key = tuple(raised)
                    if key not in seen:
                        seen.add(key)
                        nxt.add(key)
        frontier = nxt
    return None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0]), min_size=4, max_size=4))
def test_path_to_next_grade_matches_brute_force(scores: list[float]) -> None:
    """The greedy path has as few steps as an exhaustive search, and applying it reaches the band."""
    from pelayanan_eval._evaluation.card import NextGrade, path_to_next_grade

    leaf = np.array(scores)
    reported = float(RUBRIC.leaf_weights @ leaf)
    found = path_to_next_grade(RUBRIC, leaf, reported)
    if not isinstance(found, NextGrade):
        assert RUBRIC.grade(reported).code == "A"
        return
    assert found.levels == brute_force_steps(RUBRIC, leaf, found.lower)
    applied = leaf.copy()
    for step in found.steps:
        applied[RUBRIC.leaf_ids.index(step.id)] = step.after
    assert RUBRIC.grade(float(RUBRIC.leaf_weights @ applied)).code == found.code
    assert RUBRIC.grade(float(RUBRIC.leaf_weights @ applied)).rounded == found.reaches


def test_card_on_the_demo_city() -> None:
    """The demo's lowest unit gets a card whose path, once applied, reaches the next grade."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    lowest = str(ev.units.ids[int(np.argmin(ev.reported))])
    card = ev.card(lowest)
    assert card.next_grade is not None
    leaf = ev.node_scores[
        ev.units.position(lowest), [ev.node_ids.index(x) for x in city.rubric.leaf_ids]
    ]
    for step in card.next_grade.steps:
        leaf[city.rubric.leaf_ids.index(step.id)] = step.after
    assert city.rubric.grade(float(city.rubric.leaf_weights @ leaf)).code == card.next_grade.code
    assert card.rank == card.ranked_in_group  # the lowest in its category
    assert "path to" in str(card)


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.sampled_from([1.0, 2.0, 2.5, 3.0, np.nan]), min_size=1, max_size=40),
    ties=st.sampled_from(["min", "dense", "average", "ordinal"]),
    data=st.data(),
)
def test_rank_same_for_any_group_labels(
    scores: list[float], ties: str, data: st.DataObject
) -> None:
    """Groups given as integers, text, or text with a tie-breaker of zeros rank alike."""
    codes = data.draw(st.lists(st.integers(-3, 300), min_size=len(scores), max_size=len(scores)))
    as_text = [f"g{c}" for c in codes]
    by_number = pe.rank(scores, codes, ties=ties)
    np.testing.assert_array_equal(by_number, pe.rank(scores, as_text, ties=ties))
    zeros = np.zeros(len(scores))  # forces the lexsort path; must not change anything
    np.testing.assert_array_equal(by_number, pe.rank(scores, codes, ties=ties, tiebreak=[zeros]))


def test_blocked_product_equals_one_product() -> None:
    """The block-by-block product equals numpy's single matmul (several blocks, odd sizes)."""
    from pelayanan_eval._common.arrays import blocked_product

    rng = np.random.default_rng(11)
    rows, matrix = rng.random((5_003, 37)), rng.random((37, 5))
    np.testing.assert_allclose(blocked_product(rows, matrix), rows @ matrix, rtol=1e-12)
    mask = rows > 0.5
    np.testing.assert_allclose(blocked_product(mask, matrix), mask @ matrix, rtol=1e-12)


def test_rank_nan_labels_and_infinite_scores() -> None:
    """NaN group labels form one group (as numpy.unique counts them); -inf ranks before NaN."""
    # group NaN holds 3.0, 2.0, 4.0 -> ranks 2, 3, 1; group 1.0 holds 1.0 -> rank 1
    assert pe.rank([3.0, 2.0, 1.0, 4.0], [np.nan, np.nan, 1.0, np.nan]).tolist() == [
        2.0, 3.0, 1.0, 1.0,
    ]  # fmt: skip
    # 1 first, -inf second, NaN unranked; no tie between -inf and the NaN items
    ranked = pe.rank([-np.inf, np.nan, np.nan, 1.0], ties="average")
    assert ranked[[0, 3]].tolist() == [2.0, 1.0] and np.isnan(ranked[[1, 2]]).all()
    assert pe.rank([-1.0, 2.0, 2.0], groups=np.array([-100, 100, 100], dtype=np.int8)).tolist() == [
        1.0, 1.0, 1.0,
    ]  # fmt: skip


LABELS = st.sampled_from(["kel-1", "kel-2", "kel-9", "kel-10", "kel-11", "a", "b", ""])


@settings(max_examples=200, deadline=None)
@given(st.lists(LABELS, min_size=1, max_size=30))
def test_factorize_in_order_of_first_appearance(labels: list[str]) -> None:
    """factorize(sort=False): distinct labels in order of first appearance; codes point at them."""
    from pelayanan_eval._common.arrays import factorize

    uniques, codes = factorize(np.array(labels), sort=False)
    assert uniques.tolist() == list(dict.fromkeys(labels))
    assert uniques[codes].tolist() == labels


@settings(max_examples=200, deadline=None)
@given(st.lists(LABELS, max_size=30) | st.lists(st.integers(-3, 3).map(str), max_size=30))
def test_is_distinct_agrees_with_a_set(labels: list[str]) -> None:
    """is_distinct is True exactly when no label repeats, whatever their order."""
    from pelayanan_eval._common.arrays import is_distinct

    assert is_distinct(np.array(labels, dtype=np.str_)) == (len(set(labels)) == len(labels))


def test_factorize_in_order_of_appearance_on_many_shuffled_ids() -> None:
    """10,000 shuffled rows of 5,000 ids (the sorting paths): first-appearance order still holds."""
    from pelayanan_eval._common.arrays import factorize

    rng = np.random.default_rng(3)
    labels = rng.permutation(np.repeat([f"kel-{i}" for i in range(5000)], 2))
    uniques, codes = factorize(labels, sort=False)
    assert uniques.tolist() == list(dict.fromkeys(labels.tolist()))
    assert np.array_equal(uniques[codes], labels)
