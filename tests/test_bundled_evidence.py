"""Each bundled rubric's weights, bands and labels pinned to the reference tables.

The expected values are copied from ``shared/reference/evidence-round-2.md``
(the newest evidence; section and table named beside each test), not from
the rubric files, so a typo in a file is caught.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning


def load(rubric_id: str) -> pe.Rubric:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        return pe.load_rubric(rubric_id)


# evidence-round-2.md, "PermenPANRB 29/2022 (PEKPPP)", "Indicator weights within aspects"
PEKPPP = {
    "kebijakan": (0.24, [17, 14, 7, 14, 10, 17, 7, 7, 7]),
    "sdm": (0.25, [10, 20, 20, 20, 30]),
    "sarpras": (0.18, [15, 23, 20, 20, 11, 11]),
    "sipp": (0.11, [30, 20, 20, 30]),
    "konsultasi-pengaduan": (0.10, [20, 25, 25, 30]),
    "inovasi": (0.12, [50, 50]),
}

# evidence-round-2.md, "PermenPANRB 17/2017", "Aspect weights" (15/7 [code]) and
# "Category intervals and their meaning" (the deck's nine intervals and letters)
ASPECTS_17 = {"kebijakan": 0.30, "sdm": 0.18, "sarpras": 0.15, "sipp": 0.15,
              "konsultasi-pengaduan": 0.15, "inovasi": 0.07}  # fmt: skip
BANDS_17 = [("A", 4.51), ("A-", 4.01), ("B", 3.51), ("B-", 3.01), ("C", 2.51), ("C-", 2.01),
            ("D", 1.51), ("E", 1.01), ("F", 0.0)]  # fmt: skip
LABELS_17 = {"A": "Pelayanan Prima", "A-": "Sangat Baik", "B": "Baik", "C": "Cukup",
             "D": "Buruk", "E": "Sangat Buruk", "F": "Gagal"}  # fmt: skip


def test_29_2022_indicator_weights() -> None:
    """Every indicator's effective weight is aspect weight x its share of the aspect."""
    rubric = load("permenpanrb-29-2022")
    assert [c.id for c in rubric.criteria] == list(PEKPPP)
    for aspect, (share, points) in PEKPPP.items():
        assert sum(points) == 100, aspect
        leaves = [leaf.id for leaf in rubric[aspect].criteria]
        got = [rubric.weight_of(leaf) for leaf in leaves]
        np.testing.assert_allclose(got, [share * p / 100 for p in points], rtol=0, atol=1e-12)
    assert not any("placeholder" in text for text in rubric.provisional)


def test_29_2022_no_equal_placeholder_left() -> None:
    """No aspect of 29/2022 keeps the old 'equal' placeholder weighting."""
    rubric = load("permenpanrb-29-2022")
    assert all(aspect.weighting == "relative" for aspect in rubric.criteria)


def test_17_2017_aspects_bands_and_labels() -> None:
    """17/2017: 30/18/15/15/15/7, the nine intervals, and the documented labels."""
    rubric = load("permenpanrb-17-2017")
    got = {c.id: rubric.weight_of(c.id) for c in rubric.criteria}
    assert got == pytest.approx(ASPECTS_17, abs=1e-12)
    assert [(b.code, b.min) for b in rubric.grades] == BANDS_17
    labels = {b.code: b.label for b in rubric.grades}
    assert {k: labels[k] for k in LABELS_17} == LABELS_17
    assert [i.id for i in rubric.instruments] == ["F-02"]


def test_17_2017_deck_labels_on_request() -> None:
    """The deck's 'Prioritas Pembinaan' replaces the code-only labels when asked."""
    rubric = load("permenpanrb-17-2017")
    deck = rubric.with_grade_labels({"D": "Prioritas Pembinaan", "E": "Prioritas Pembinaan",
                                     "F": "Prioritas Pembinaan"})  # fmt: skip
    assert str(deck.grade(1.2)) == "E (Prioritas Pembinaan)"
    assert [(b.code, b.min) for b in deck.grades] == BANDS_17  # bounds unchanged
    assert deck.content_hash != rubric.content_hash
    with pytest.raises(pe.exceptions.RubricError, match=r"no band 'G'"):
        rubric.with_grade_labels({"G": "x"})


def test_17_2017_twelve_ten_reading_is_not_sourced() -> None:
    """The 12 % / 10 % reading of aspects V and VI is documented as having no source."""
    rubric = load("permenpanrb-17-2017")
    assert any("12 %" in text and "no source" in text for text in rubric.provisional)


def test_14_2017_ikm_bands() -> None:
    """IKM 14/2017 bands on 25-100 as printed: 88,31 / 76,61 / 65,00 / 25,00."""
    rubric = load("permenpanrb-14-2017-ikm")
    assert [(b.code, b.min, b.label) for b in rubric.grades] == [
        ("A", 88.31, "Sangat Baik"), ("B", 76.61, "Baik"),
        ("C", 65.0, "Kurang Baik"), ("D", 25.0, "Tidak Baik"),
    ]  # fmt: skip


def test_happiness_dimension_weights() -> None:
    """BPS 2017 dimension contributions 34,80 / 31,18 / 34,02 %."""
    rubric = load("bps-indeks-kebahagiaan-2017")
    got = [rubric.weight_of(c.id) for c in rubric.criteria]
    np.testing.assert_allclose(got, [0.3480, 0.3118, 0.3402], rtol=0, atol=1e-12)


def test_25_2004_ikm_weights_and_bands() -> None:
    """Kepmenpan 25/2004: 14 unsur at the printed 0,071; NIK bands 81,26 / 62,51 / 43,76 / 25.

    regulations.md section 4: "bobot = 1/14 = 0,071" and the table rows
    2-4 (43,76-62,50 C, 62,51-81,25 B, 81,26-100,00 A); row 1 from 25,00.
    """
    rubric = load("kepmenpan-25-2004-ikm")
    assert len(rubric.leaves) == 14
    assert rubric.weighting == "as_printed"
    assert all(leaf.weight == 0.071 for leaf in rubric.leaves)
    assert rubric.conversion.factor == 25
    assert [(b.code, b.min, b.label) for b in rubric.grades] == [
        ("A", 81.26, "Sangat Baik"), ("B", 62.51, "Baik"),
        ("C", 43.76, "Kurang Baik"), ("D", 25.0, "Tidak Baik"),
    ]  # fmt: skip
