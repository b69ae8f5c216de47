"""The bundled rubrics: they load, round-trip, and carry the numbers of the reference notes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning
from tests.conftest import load_quietly

BUNDLED = [
    "bps-indeks-kebahagiaan-2017",
    "kepmenpan-25-2004-ikm",
    "permenpanrb-14-2017-ikm",
    "permenpanrb-17-2017",
    "permenpanrb-29-2022",
]


def test_available_rubrics_lists_all() -> None:
    """available_rubrics() gives every bundled file with its status."""
    infos = pe.available_rubrics()
    assert [info.id for info in infos] == BUNDLED
    assert all(info.status in ("verified", "provisional") for info in infos)


@pytest.mark.parametrize("rubric_id", BUNDLED)
def test_bundled_rubric_loads_and_round_trips(rubric_id: str) -> None:
    """Each bundled rubric loads and survives to_yaml() -> parse unchanged."""
    rubric = load_quietly(rubric_id)
    assert rubric.id == rubric_id
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        assert pe.parse_rubric(pe.dump_rubric(rubric)) == rubric


@pytest.mark.parametrize(
    ("rubric_id", "total"),
    [
        ("bps-indeks-kebahagiaan-2017", 1.0),
        ("kepmenpan-25-2004-ikm", 14 * 0.071),  # the printed 0,071 used as printed: 0.994
        ("permenpanrb-14-2017-ikm", 1.0),
        ("permenpanrb-17-2017", 1.0),
        ("permenpanrb-29-2022", 1.0),
    ],
)
def test_effective_leaf_weights_sum(rubric_id: str, total: float) -> None:
    """Leaf weights sum to 1, or to the printed total for as-printed rubrics."""
    assert load_quietly(rubric_id).leaf_weights.sum() == pytest.approx(total, abs=1e-12)


@pytest.mark.parametrize("rubric_id", BUNDLED)
def test_provisional_bundled_rubrics_warn_once(rubric_id: str) -> None:
    """Every bundled rubric is provisional today and says so in one warning."""
    with pytest.warns(ProvisionalRubricWarning) as record:
        rubric = pe.load_rubric(rubric_id)
    assert rubric.status == "provisional"
    assert len(record) == 1
    assert rubric.provisional


def test_17_2017_structure(rubric_17: pe.Rubric) -> None:
    """Six aspects 30/18/15/15/15/7 [code], 37 F-02 indicators (13+7+7+5+4+1), 0-5 scale."""
    aspects = [(c.name, rubric_17.weight_of(c.id)) for c in rubric_17.criteria]
    assert [name for name, _ in aspects] == [
        "Kebijakan Pelayanan",
        "Profesionalisme SDM",
        "Sarana Prasarana",
        "Sistem Informasi Pelayanan Publik",
        "Konsultasi dan Pengaduan",
        "Inovasi",
    ]
    np.testing.assert_allclose(
        [w for _, w in aspects], [0.30, 0.18, 0.15, 0.15, 0.15, 0.07], rtol=1e-12
    )
    assert [len(c.criteria) for c in rubric_17.criteria] == [13, 7, 7, 5, 4, 1]
    assert len(rubric_17.leaves) == 37
    assert rubric_17.leaf_ids[:3] == ("1.a.K1", "1.a.K2", "1.a.K3")
    assert rubric_17.leaf_ids[-1] == "6"
    assert (rubric_17.scale.min, rubric_17.scale.max) == (0, 5)
    assert [b.code for b in rubric_17.grades] == ["A", "A-", "B", "B-", "C", "C-", "D", "E", "F"]


@pytest.mark.parametrize(
    ("leaf", "weight"),
    [
        ("1.a.K1", 0.30 * 5 / 56),  # 0.0268: printed 0.089 = 5/56 of aspect I
        ("1.a.K3", 0.30 * 4 / 56),  # printed 0.071 = 4/56
        ("2.b.Ak2", 0.18 * 2 / 22),  # printed 0.091 = 2/22
        ("2.e.K1", 0.18 * 4 / 22),  # printed 0.182 = 4/22 -> 0.0327
        ("3.e.As2", 0.15 * 1 / 15),  # printed 0.067 = 1/15 -> 0.0100, the smallest
        ("4.a.B", 0.15 * 5 / 20),  # printed 0.25
        ("5.2.a.K", 0.15 * 3 / 10),  # printed 0.30 -> 0.045
        ("6", 0.07),  # Inovasi, single indicator
    ],
)
def test_17_2017_indicator_weights_are_exact_fractions(
    rubric_17: pe.Rubric, leaf: str, weight: float
) -> None:
    """Effective weights equal aspect weight x (points / aspect total) from the f02 reference."""
    assert rubric_17.leaf_weights[rubric_17.leaf_ids.index(leaf)] == pytest.approx(
        weight, rel=1e-12
    )


def test_17_2017_every_leaf_has_levels(rubric_17: pe.Rubric) -> None:
    """Every F-02 indicator has level texts for 0 and 5; all but 2.b.Ak2 have all six."""
    for leaf in rubric_17.leaves:
        scores = [score for score, _ in leaf.levels]
        assert scores == ([0, 5] if leaf.id == "2.b.Ak2" else [0, 1, 2, 3, 4, 5]), leaf.id


def test_17_2017_all_fives_scores_five(rubric_17: pe.Rubric) -> None:
    """With exact fractions, all 5s give 5.00 (the app's rounded decimals give 4.991)."""
    index = rubric_17.leaf_weights @ np.full(37, 5.0)
    assert rubric_17.grade(index).rounded == 5.0


def test_17_2017_alternative_aspect_weights(rubric_17: pe.Rubric) -> None:
    """The commonly quoted 30/18/15/15/12/10 set is one with_weights call away."""
    alt = rubric_17.with_weights({"konsultasi-pengaduan": "12%", "inovasi": "10%"})
    assert alt.weight_of("inovasi") == pytest.approx(0.10)
    assert alt.leaf_weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_29_2022_structure() -> None:
    """Six aspects 24/25/18/11/10/12 [V-sec] over 30 indicators (9+5+6+4+4+2)."""
    rubric = load_quietly("permenpanrb-29-2022")
    np.testing.assert_allclose(
        [rubric.weight_of(c.id) for c in rubric.criteria],
        [0.24, 0.25, 0.18, 0.11, 0.10, 0.12],
        rtol=1e-12,
    )
    assert [len(c.criteria) for c in rubric.criteria] == [9, 5, 6, 4, 4, 2]
    assert rubric.leaf_ids[0] == "1.a.Ak"
    assert rubric.leaf_ids[-1] == "30.f.B"
    # aspect I within-weights 0.17 ... [code]: 1.a.Ak = 24 % x 0.17
    assert rubric.leaf_weights[0] == pytest.approx(0.24 * 0.17, rel=1e-12)


def test_ikm_2017_structure(rubric_ikm: pe.Rubric) -> None:
    """Nine unsur, equal weights 1/9, answers 1-4, IKM x 25, bands D/C/B/A."""
    assert len(rubric_ikm.leaves) == 9
    np.testing.assert_allclose(rubric_ikm.leaf_weights, np.full(9, 1 / 9), rtol=1e-12)
    assert rubric_ikm.conversion.factor == 25
    assert rubric_ikm.index_range == pytest.approx((25.0, 100.0))
    assert [(b.code, b.min, b.label) for b in rubric_ikm.grades] == [
        ("A", 88.31, "Sangat Baik"),
        ("B", 76.61, "Baik"),
        ("C", 65.0, "Kurang Baik"),
        ("D", 25.0, "Tidak Baik"),
    ]
    assert dict(rubric_ikm["persyaratan"].levels) == {
        1: "Tidak sesuai",
        2: "Kurang sesuai",
        3: "Sesuai",
        4: "Sangat sesuai",
    }


def test_ikm_2004_printed_weights() -> None:
    """Kepmenpan 25/2004: 14 unsur at the printed 0,071 each (not 1/14), bands on 25-100."""
    rubric = load_quietly("kepmenpan-25-2004-ikm")
    assert rubric.leaf_weights.tolist() == [0.071] * 14
    assert [(b.code, b.min) for b in rubric.grades] == [
        ("A", 81.26),
        ("B", 62.51),
        ("C", 43.76),
        ("D", 25.0),
    ]
    # all answers 3 -> 14 x 0.071 x 3 = 2.982 -> x 25 = 74.55 -> B (62.51-81.25)
    grade = rubric.grade(rubric.leaf_weights @ np.full(14, 3.0))
    assert (grade.rounded, grade.code) == (74.55, "B")
    # all answers 1 give 0.994 x 25 = 24.85, below the printed 25: still the lowest band D
    assert rubric.grade(rubric.leaf_weights @ np.ones(14)).code == "D"


def test_bps_happiness_reproduces_2017_index() -> None:
    """BPS 2017: dimensions 71.07 (=(65.98+76.16)/2), 68.59, 72.23 give IK 70.69 (published)."""
    rubric = load_quietly("bps-indeks-kebahagiaan-2017")
    value = {
        "kepuasan-hidup-personal": 65.98,
        "kepuasan-hidup-sosial": 76.16,
        "perasaan": 68.59,
        "makna-hidup": 72.23,
    }
    scores = np.array(
        [next(value[p] for p in rubric.path(leaf) if p in value) for leaf in rubric.leaf_ids]
    )
    index = rubric.leaf_weights @ scores
    assert rubric.rounding.apply(index) == 70.69
    assert not rubric.grades.bands


def test_available_rubrics_is_read_once() -> None:
    """A second call returns the same tuple without parsing the files again."""
    from pelayanan_eval._loading import bundled

    first = pe.available_rubrics()
    assert pe.available_rubrics() is first
    assert bundled._infos.cache_info().hits >= 1


def test_bundled_rubric_is_parsed_once_and_still_warns() -> None:
    """load_rubric(id) returns one shared (frozen) rubric and warns on every call."""
    with pytest.warns(ProvisionalRubricWarning):
        first = pe.load_rubric("permenpanrb-17-2017")
    with pytest.warns(ProvisionalRubricWarning, match="'permenpanrb-17-2017' is provisional"):
        second = pe.load_rubric("permenpanrb-17-2017")
    assert second is first


def test_bundled_file_by_path_is_read_each_time() -> None:
    """A bundled file given by path is read from disk (it may be an edited copy), equal to the id."""
    from pelayanan_eval._loading.bundled import bundled_directory

    path = bundled_directory() / "permenpanrb-29-2022.yaml"
    by_path, by_id = load_quietly(path), load_quietly("permenpanrb-29-2022")
    assert by_path == by_id
    assert by_path is not by_id
