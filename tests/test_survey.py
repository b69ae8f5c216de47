"""The survey engine: weights, exact partial tallies, saved tallies, Dask, intervals under weights."""

from __future__ import annotations

import itertools
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval.exceptions import ObservationError, OptionError
from tests.conftest import load_quietly

REL = 1e-12  # weighted float sums agree to this relative tolerance, whatever their order
# The linearised SE expands sums of squares: where the variance is exactly 0 (every answer
# alike) it leaves up to about 1e-7 on the 25-100 scale; elsewhere it agrees to 1e-9 relative.
SE_ATOL = 1e-6


@pytest.fixture(scope="module")
def rubric() -> pe.Rubric:
    """The bundled 14/2017 IKM rubric (9 unsur, 1-4, x25)."""
    return load_quietly("permenpanrb-14-2017-ikm")


@pytest.fixture(scope="module")
def happiness() -> pe.Rubric:
    """The bundled BPS happiness rubric (19 items, answers 0-10)."""
    return load_quietly("bps-indeks-kebahagiaan-2017")


def _survey_data(
    seed: int, n: int, units: int, width: int = 9, top: int = 4
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    answers = rng.integers(1, top + 1, (n, width)).astype(np.float64)
    answers[rng.random((n, width)) < 0.05] = np.nan
    unit = np.array([f"u{k}" for k in rng.integers(0, units, n)])
    unit[:units] = [f"u{k}" for k in range(units)]  # every unit appears
    answers[:units] = rng.integers(1, top + 1, (units, width))  # and answers every unsur
    return {"answers": answers, "unit": unit, "weights": rng.uniform(0.2, 5.0, n)}


def _aligned(part: ikm.Tally, whole: ikm.Tally) -> np.ndarray:
    order = {u: i for i, u in enumerate(part.unit_ids.tolist())}
    return np.array([order[u] for u in whole.unit_ids.tolist()])


def _assert_same_tally(part: ikm.Tally, whole: ikm.Tally) -> None:
    at = _aligned(part, whole)
    for name in ("rows", "respondents", "answered"):
        assert np.array_equal(getattr(part, name)[at], getattr(whole, name)), name
    for name in ("weight", "weight_sq", "wsum", "wcount"):  # sums of positive terms
        np.testing.assert_allclose(getattr(part, name)[at], getattr(whole, name), rtol=REL,
                                   atol=0, err_msg=name)  # fmt: skip
    # the moments are centred (signed terms): an entry near 0 is compared to the array's scale
    scale = np.abs(whole.moments).max() if whole.moments is not None else 0.0
    np.testing.assert_allclose(part.moments[at], whole.moments, rtol=REL, atol=REL * scale)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(12, 200), units=st.integers(1, 6))
def test_weights_one_equal_the_unweighted_path(
    rubric: pe.Rubric, seed: int, n: int, units: int
) -> None:
    """All weights 1 give the unweighted NRR, IKM, grades and normal interval (random data)."""
    data = _survey_data(seed, n, units)
    plain = ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"])
    ones = ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"],
                                     weights=np.ones(n))  # fmt: skip
    a, b = ikm.compute(rubric, plain), ikm.compute(rubric, ones)
    np.testing.assert_allclose(b.nrr, a.nrr, rtol=REL)
    assert np.array_equal(a.grades, b.grades) and np.array_equal(a.rounded, b.rounded)
    ia, ib = a.interval(method="normal"), b.interval(method="normal")
    assert ib.method == "linearised"
    np.testing.assert_allclose(ib.se, ia.se, rtol=1e-9, atol=SE_ATOL)
    sa, sb = ikm.survey(rubric, plain), ikm.survey(rubric, ones)
    np.testing.assert_allclose(sb.index, sa.index, rtol=REL)
    np.testing.assert_allclose(sb.se, sa.se, rtol=1e-9, atol=SE_ATOL)
    np.testing.assert_allclose(sa.se, ia.se, rtol=1e-9, atol=SE_ATOL)  # one interval, two faces


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 300), data=st.data())
def test_chunk_tallies_add_up_to_the_whole(
    rubric: pe.Rubric, seed: int, n: int, data: st.DataObject
) -> None:
    """Any chunking, added in any order, gives the tally (and the IKM) of all responses at once."""
    columns = _survey_data(seed, n, 5)
    weighted = data.draw(st.booleans())
    weights = columns["weights"] if weighted else None
    whole = ikm.tally(ikm.Responses.from_arrays(rubric, answers=columns["answers"],
                                                unit=columns["unit"], weights=weights))  # fmt: skip
    cuts = sorted(data.draw(st.sets(st.integers(1, n - 1), max_size=6)))
    bounds = [0, *cuts, n]
    parts = [
        ikm.tally(ikm.Responses.from_arrays(
            rubric, answers=columns["answers"][a:b], unit=columns["unit"][a:b],
            weights=None if weights is None else weights[a:b]))
        for a, b in itertools.pairwise(bounds)
    ]  # fmt: skip
    order = data.draw(st.permutations(range(len(parts))))
    total = parts[order[0]]
    for i in order[1:]:
        total = total + parts[i]
    _assert_same_tally(total, whole)
    if not weighted:  # whole-number sums: exactly equal
        at = _aligned(total, whole)
        assert np.array_equal(total.wsum[at], whole.wsum)
    merged = ikm.compute(rubric, total, missing="renormalize")
    direct = ikm.compute(rubric, whole, missing="renormalize")
    at = _aligned(total, whole)
    np.testing.assert_allclose(merged.index[at], direct.index, rtol=REL)


def test_sum_of_tallies_and_regroup(rubric: pe.Rubric) -> None:
    """sum() adds tallies; regroup pools units: the city's counts are the units' counts summed."""
    data = _survey_data(3, 120, 4)
    whole = ikm.tally(ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"]))
    halves = [ikm.tally(ikm.Responses.from_arrays(rubric, answers=data["answers"][s], unit=data["unit"][s]))
              for s in (slice(0, 60), slice(60, None))]  # fmt: skip
    _assert_same_tally(sum(halves), whole)
    city = whole.regroup(dict.fromkeys(whole.unit_ids.tolist(), "kota"))
    assert city.unit_ids.tolist() == ["kota"]
    assert city.answered[0].tolist() == whole.answered.sum(axis=0).tolist()


def test_saved_and_loaded_tally_is_equal(rubric: pe.Rubric, tmp_path: Path) -> None:
    """A tally written to .npz and read back equals the original (weighted, with moments)."""
    data = _survey_data(5, 80, 3)
    original = ikm.tally(ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"],
                                                   weights=data["weights"]))  # fmt: skip
    original.save(tmp_path / "kab.npz")
    loaded = ikm.load_tally(tmp_path / "kab.npz")
    assert loaded == original
    assert loaded.weighted and loaded.moments is not None
    assert (
        ikm.compute(rubric, loaded).rounded.tolist()
        == ikm.compute(rubric, original).rounded.tolist()
    )


def test_bad_tally_files(rubric: pe.Rubric, tmp_path: Path) -> None:
    """A truncated file, another format version, and files that are not tallies are named errors."""
    data = _survey_data(6, 40, 2)
    good = tmp_path / "good.npz"
    ikm.tally(ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"])).save(
        good
    )
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(ObservationError, match=r"truncated\.npz.*not a readable \.npz tally"):
        ikm.load_tally(truncated)
    fields = dict(np.load(good))
    np.savez(tmp_path / "v2.npz", **{**fields, "version": np.array(2)})
    with pytest.raises(ObservationError, match=r"tally format version .*2.* reads version 1"):
        ikm.load_tally(tmp_path / "v2.npz")
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(ObservationError, match=r"not a pelayanan_eval tally"):
        ikm.load_tally(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("unit,persyaratan\n", encoding="utf-8")
    with pytest.raises(ObservationError, match=r"not a readable \.npz tally"):
        ikm.load_tally(tmp_path / "text.npz")
    with pytest.raises(ObservationError, match=r"no such file"):
        ikm.load_tally(tmp_path / "absent.npz")
    np.savez(tmp_path / "shapes.npz", **{**fields, "answered": fields["answered"][:, :3]})
    with pytest.raises(ObservationError, match=r"answered .* \(expected"):
        ikm.load_tally(tmp_path / "shapes.npz")


def test_tallies_of_different_rubrics_or_versions_do_not_add(rubric: pe.Rubric) -> None:
    """Adding tallies of two rubrics, or of two versions of one rubric, is refused before merging."""
    data = _survey_data(7, 30, 2)
    mine = ikm.tally(ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"]))
    older = load_quietly("kepmenpan-25-2004-ikm")
    theirs = ikm.tally(
        ikm.Responses.from_arrays(older, answers=np.full((2, 14), 3), unit=["a", "b"])
    )
    with pytest.raises(
        OptionError, match=r"different rubrics: 'permenpanrb-14-2017-ikm'.*'kepmenpan-25-2004-ikm'"
    ):
        mine + theirs
    edited = attrs.evolve(rubric, notes=(*rubric.notes, "a local edit"))  # another version
    other = ikm.tally(ikm.Responses.from_arrays(edited, answers=data["answers"], unit=data["unit"]))
    with pytest.raises(OptionError, match=r"different rubrics.*version"):
        mine + other
    with pytest.raises(OptionError, match=r"the tally is of rubric .* not of"):
        ikm.compute(edited, mine)


def test_dask_partitions_equal_the_whole(rubric: pe.Rubric) -> None:
    """Nine Dask partitions on the local threaded scheduler give the in-memory tally and IKM."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    data = _survey_data(11, 2000, 25)
    frame = pd.DataFrame(data["answers"], columns=list(rubric.leaf_ids))
    frame["unit"], frame["bobot"] = data["unit"], data["weights"]
    parted = dd.from_pandas(frame, npartitions=9)
    assert parted.npartitions >= 8
    found = ikm.from_dask(rubric, parted, weight_column="bobot", scheduler="threads")
    whole = ikm.tally(ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"],
                                                weights=data["weights"]))  # fmt: skip
    assert found.unit_ids.tolist() == whole.unit_ids.tolist()  # first appearance, as in memory
    _assert_same_tally(found, whole)
    plain = ikm.from_dask(rubric, parted, scheduler="threads")
    unweighted = ikm.compute(rubric, ikm.Responses.from_arrays(rubric, answers=data["answers"],
                                                               unit=data["unit"]))  # fmt: skip
    assert np.array_equal(ikm.compute(rubric, plain).nrr, unweighted.nrr)  # exact


def test_dask_frame_with_missing_columns(rubric: pe.Rubric) -> None:
    """A Dask frame without some columns is refused before anything is computed, naming them."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"unit": ["a"], **{leaf: [3] for leaf in rubric.leaf_ids[1:]}})
    with pytest.raises(ObservationError, match=r"no column\(s\) 'persyaratan'.*'bobot'"):
        ikm.from_dask(rubric, dd.from_pandas(frame, npartitions=1), weight_column="bobot")


def test_bad_weights_are_reported_together(rubric: pe.Rubric) -> None:
    """Negative, NaN and text weights, and a unit whose weights are all 0, are named errors."""
    answers = np.full((4, 9), 3)
    unit = ["a", "a", "b", "b"]
    with pytest.raises(
        ObservationError, match=r"2 weight\(s\) negative, NaN or infinite.*row 1: -1\.0; row 2: nan"
    ):
        ikm.Responses.from_arrays(rubric, answers=answers, unit=unit, weights=[1, -1, np.nan, 1])
    with pytest.raises(ObservationError, match=r"weights.*'x'"):
        ikm.Responses.from_arrays(rubric, answers=answers, unit=unit, weights=[1, "x", 1, 1])
    with pytest.raises(ObservationError, match=r"unit\(s\) 'b' has weight 0"):
        ikm.Responses.from_arrays(rubric, answers=answers, unit=unit, weights=[1, 1, 0, 0])
    with pytest.raises(ObservationError, match=r"weights have shape \(3,\)"):
        ikm.Responses.from_arrays(rubric, answers=answers, unit=unit, weights=[1, 1, 1])
    with pytest.raises(ObservationError, match=r"weights.*True"):
        ikm.Responses.from_arrays(rubric, answers=answers, unit=unit, weights=[True, 1, 1, 1])


def test_weight_column_from_records(rubric: pe.Rubric) -> None:
    """from_records reads a weight column and attribute columns; a bad weight names its row."""
    row = {"unit": "a", "w": "2", "kanal": "online", **dict.fromkeys(rubric.leaf_ids, "3")}
    rows = [row, {**row, "w": "1", "kanal": "offline", "waktu": "4"}]
    found = ikm.Responses.from_records(rubric, rows, weight_column="w", attribute_columns=["kanal"])
    assert found.weights.tolist() == [2.0, 1.0]
    assert found.attributes["kanal"].tolist() == ["online", "offline"]
    # waktu: (2 x 3 + 4) / 3
    assert ikm.compute(rubric, found).nrr[0, 2] == pytest.approx(10 / 3, rel=REL)
    with pytest.raises(ObservationError, match=r"weights.*'dua'"):
        ikm.Responses.from_records(rubric, [{**row, "w": "dua"}], weight_column="w",
                                   attribute_columns=["kanal"])  # fmt: skip


def test_answers_off_the_items_scale_and_items_without_conversion(happiness: pe.Rubric) -> None:
    """An 11 on a 0-10 item is refused; a rubric item on another scale without a conversion too."""
    answers = np.full((1, 19), 5.0)
    answers[0, 2] = 11
    with pytest.raises(
        ObservationError, match=r"row 0, unsur 'pendapatan-rumah-tangga': 11 \(scale 0\.\.10\)"
    ):
        ikm.Responses.from_arrays(happiness, answers=answers, unit=["k"])
    text = pe.dump_rubric(happiness).replace("factor: 10\n", "\n")
    with pytest.raises(
        pe.exceptions.RubricError,
        match=r"answers 0\.\.10 are not on the item's scale 0\.\.100: declare the conversion",
    ):
        pe.parse_rubric(text)


def test_weighted_interval_coverage_by_simulation(rubric: pe.Rubric) -> None:
    """Linearised 95 % intervals under unequal weights cover the population IKM in 95 +- 3 % of 600 samples.

    A population of 20,000 respondents: 16,000 content ones and 4,000 less so, the latter
    four times as likely to be drawn. Each sample draws 120 with replacement with those
    probabilities p_i and weights 1/p_i (a Hansen-Hurwitz design, the one the
    linearisation assumes). Seed fixed. The tolerance is about 3 binomial standard errors
    of a coverage rate over 600 samples.
    """
    rng = np.random.default_rng(20260101)
    content = rng.choice([2, 3, 4], p=[0.1, 0.5, 0.4], size=(16_000, 9))
    less = rng.choice([1, 2, 3, 4], p=[0.2, 0.4, 0.3, 0.1], size=(4_000, 9))
    population = np.concatenate([content, less])
    truth = population.mean(axis=0) @ rubric.leaf_weights * 25
    size = np.r_[np.ones(16_000), np.full(4_000, 4.0)]
    p = size / size.sum()
    samples, n = 600, 120
    drawn = rng.choice(len(population), size=samples * n, p=p)
    answers = population[drawn].astype(np.uint8)
    ids = np.arange(samples).astype(str)
    unit = np.repeat(np.arange(samples), n)
    weighted = ikm.survey(rubric, ikm.Responses.from_arrays(
        rubric, answers=answers, unit=unit, unit_ids=ids, weights=1 / p[drawn]))  # fmt: skip
    covered = np.mean((weighted.lower <= truth) & (truth <= weighted.upper))
    assert 0.92 <= covered <= 0.98, covered
    plain = ikm.survey(rubric, ikm.Responses.from_arrays(rubric, answers=answers, unit=unit,
                                                         unit_ids=ids))  # fmt: skip
    assert np.mean((plain.lower <= truth) & (truth <= plain.upper)) < 0.5  # weights matter


def test_weighted_bootstrap_agrees_with_the_linearisation(rubric: pe.Rubric) -> None:
    """The weighted bootstrap's SE is within 15 % of the linearised SE on a 400-respondent unit."""
    data = _survey_data(21, 400, 1)
    responses = ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"],
                                          weights=data["weights"])  # fmt: skip
    result = ikm.compute(rubric, responses)
    boot = result.interval(method="bootstrap", n_boot=400, rng=3)
    normal = result.interval(method="normal")
    assert boot.se[0] == pytest.approx(normal.se[0], rel=0.15)
    assert boot.estimate[0] == pytest.approx(result.reported[0], rel=REL)


def test_breakdown_profile_and_priorities(rubric: pe.Rubric) -> None:
    """by= splits a unit by an attribute; the profile counts who answered; priorities rank weakest first."""
    answers = np.array([[4] * 9, [4] * 9, [4] * 9, [2] * 9])
    answers[:, 2] = [3, 3, 3, 1]  # waktu is the weakest unsur
    kanal = ["online", "online", "online", "offline"]
    responses = ikm.Responses.from_arrays(rubric, answers=answers, unit=["kel-a"] * 4,
                                          attributes={"kanal": kanal})  # fmt: skip
    split = ikm.survey(rubric, responses, by="kanal")
    records = split.to_records()
    assert [(r["unit"], r["kanal"], r["respondents"]) for r in records] == [
        ("kel-a", "online", 3), ("kel-a", "offline", 1)]  # fmt: skip
    # online: 8 unsur at 4 and waktu 3 -> (32 + 3)/9 x 25 = 97.22
    assert records[0]["rounded"] == 97.22
    profile = ikm.profile(responses)
    assert {(r["value"], r["respondents"], r["share"]) for r in profile if r["unit"] == "kel-a"} == {
        ("online", 3, 0.75), ("offline", 1, 0.25)}  # fmt: skip
    whole = ikm.survey(rubric, responses)
    first = whole.priorities("kel-a")[0]
    # NRR waktu 10/4 = 2.5, the rest 3.5: IKM (8 x 3.5 + 2.5)/9 x 25 = 84.72 (B); A from 88.31:
    # gap 3.59; waktu alone must rise 3.59 / (25/9) = 1.2924
    assert first["item"] == "waktu" and first["score"] == 2.5
    assert first["gap"] == pytest.approx(88.31 - 84.72, abs=1e-9)
    assert first["rise_needed"] == pytest.approx((88.31 - 84.72) * 9 / 25, abs=1e-9)
    assert whole.profile == profile


def test_results_as_tables(rubric: pe.Rubric) -> None:
    """Survey and IKM results give records, a DataFrame and an HTML table; TargetCheck reads as a table."""
    pd = pytest.importorskip("pandas")
    responses = ikm.Responses.from_arrays(rubric, answers=[[3] * 9, [4] * 9], unit=["kel-a"] * 2)
    result = ikm.compute(rubric, responses)
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame) and frame.loc[0, "rounded"] == 87.5
    assert "<table>" in result._repr_html_() and "kel-a" in result._repr_html_()
    general = ikm.survey(rubric, responses)
    assert general.to_pandas().loc[0, "grade"] == "B"
    assert "<th>reported</th>" in general._repr_html_()
    shown = repr(result.target(3.8))
    assert shown.splitlines()[0] == "TargetCheck: target 95 (reported scale), 1 unit(s)"
    assert shown.splitlines()[2].split() == ["kel-a", "7.50", shown.splitlines()[2].split()[-1]]


def test_synthetic_city_is_labelled_and_complete(happiness: pe.Rubric) -> None:
    """The synthetic city survey names itself synthetic and carries weights and attributes."""
    responses, parents = ikm.synthetic_city(happiness, kelurahan=6, households=20, rng=4)
    assert all("sintetis" in u for u in responses.unit_ids.tolist())
    assert set(parents.values()) <= {"kec-a-sintetis", "kec-b-sintetis", "kec-c-sintetis"}
    assert responses.weights is not None and set(responses.attributes) == {
        "kanal",
        "jenis_kelamin",
        "umur",
    }
    units, kecamatan, city = ikm.levels(happiness, responses, parents)
    assert len(units) == 6 and len(kecamatan) == 3 and len(city) == 1 and np.isfinite(city.se).all()


def test_pooled_rollup_from_a_tally(rubric: pe.Rubric) -> None:
    """A result computed from a tally pools its units as the answers would (tallies add)."""
    data = _survey_data(31, 150, 4)
    responses = ikm.Responses.from_arrays(rubric, answers=data["answers"], unit=data["unit"],
                                          weights=data["weights"])  # fmt: skip
    groups = {u: "kota" for u in responses.unit_ids.tolist()}
    from_answers = ikm.compute(rubric, responses).rollup(groups, "pooled")
    from_tally = ikm.compute(rubric, ikm.tally(responses)).rollup(groups, "pooled")
    np.testing.assert_allclose(from_tally.nrr, from_answers.nrr, rtol=REL)
    assert repr(responses).endswith(", weighted>")


def test_unknown_dimension_is_named(happiness: pe.Rubric) -> None:
    """Asking a survey result for a criterion it does not have names the ones it has."""
    result = ikm.survey(
        happiness, ikm.Responses.from_arrays(happiness, answers=[[5] * 19], unit=["k"])
    )
    with pytest.raises(pe.exceptions.UnknownCriterionError, match=r"'perasan'.*perasaan"):
        result.node("perasan")
