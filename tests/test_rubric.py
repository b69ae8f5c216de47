"""The rubric model: derived leaves and weights, lookup, with_weights, round trip, validation."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import RubricError


def test_effective_weights_are_products_down_the_path(mini: pe.Rubric) -> None:
    """a1 = 60 % x 2/3 = 0.4, a2 = 60 % x 1/3 = 0.2, b = 40 %."""
    assert mini.leaf_ids == ("a1", "a2", "b")
    np.testing.assert_allclose(mini.leaf_weights, [0.4, 0.2, 0.4], rtol=0, atol=1e-15)
    assert mini.weight_of("a") == pytest.approx(0.6)


def test_leaf_weights_are_read_only(mini: pe.Rubric) -> None:
    """The weight array cannot be changed in place behind the rubric's back."""
    with pytest.raises(ValueError, match="read-only"):
        mini.leaf_weights[0] = 1.0


def test_lookup_by_id_and_path(mini: pe.Rubric) -> None:
    """Any node is found by id; its path runs from the top-level criterion."""
    assert mini["a2"].name == "Dua"
    assert mini.path("a2") == ("a", "a2")
    assert "b" in mini
    assert "zz" not in mini
    assert dict(mini["a1"].levels) == {0: "Tidak ada", 5: "Lengkap"}


def test_unknown_id_suggests(mini: pe.Rubric) -> None:
    """A KeyError for an unknown id names the rubric and the closest id."""
    with pytest.raises(
        KeyError, match=r"rubric 'mini' has no criterion 'b1' \(did you mean 'b'\?\)"
    ):
        mini["b1"]


def test_nodes_in_document_order(mini: pe.Rubric) -> None:
    """Nodes lists aspects before their indicators, in file order."""
    assert [node.id for node in mini.nodes] == ["a", "a1", "a2", "b"]


def test_with_weights_returns_revalidated_copy(mini: pe.Rubric) -> None:
    """Changing the aspect weights to 70/30 gives a1 = 0.7 x 2/3; the original is unchanged."""
    other = mini.with_weights({"a": "70%", "b": 0.3})
    np.testing.assert_allclose(other.leaf_weights, [0.7 * 2 / 3, 0.7 / 3, 0.3], rtol=1e-15)
    np.testing.assert_allclose(mini.leaf_weights, [0.4, 0.2, 0.4], rtol=1e-15)
    assert other.content_hash != mini.content_hash


def test_with_weights_rejects_bad_sum(mini: pe.Rubric) -> None:
    """The copy is validated: 70 % + 40 % is reported at the list."""
    with pytest.raises(RubricError, match=r"criteria: weights must sum to 1 \(100%\), got 1\.1"):
        mini.with_weights({"a": "70%"})


def test_with_weights_unknown_id(mini: pe.Rubric) -> None:
    """An unknown id in with_weights is named, with a suggestion."""
    with pytest.raises(RubricError, match=r"no criterion 'bb' \(did you mean 'b'\?\)"):
        mini.with_weights({"bb": 0.4})


def test_to_yaml_round_trips(mini: pe.Rubric) -> None:
    """Loading to_yaml() gives an equal rubric with the same content hash."""
    again = pe.parse_rubric(pe.dump_rubric(mini))
    assert again == mini
    assert again.content_hash == mini.content_hash


def test_programmatic_construction_reports_all_problems() -> None:
    """Building a bad rubric in code lists every problem with its path."""
    with pytest.raises(RubricError) as caught:
        pe.Rubric(
            id="Bad Id",
            title="",
            scale=pe.schema.Scale(5, 0),
            status="verified",
            regulation=pe.schema.Regulation("x"),
            criteria=[
                pe.schema.Criterion("a", "A", weight=0.5),
                pe.schema.Criterion("a", "B", weight=0.4),
            ],
        )
    assert caught.value.problems == (
        "id: must be a lowercase slug such as 'permenpanrb-17-2017', got 'Bad Id'",
        "title: must not be empty",
        "scale: min must be below max, got min 5, max 0",
        "criteria: weights must sum to 1 (100%), got 0.9 (90%) from 0.5, 0.4 "
        "(use 'weighting: relative' for points)",
        "criteria[1].id: duplicate id 'a', first used at criteria[0].id",
    )


def test_equal_weighting_forbids_weights() -> None:
    """Under 'equal' a child weight is an error (it would be silently ignored otherwise)."""
    with pytest.raises(
        RubricError, match=r"criteria\[0\]\.weight: must be omitted under 'weighting: equal'"
    ):
        pe.Rubric(
            id="e",
            title="E",
            scale=pe.schema.Scale(1, 4),
            status="verified",
            weighting="equal",
            regulation=pe.schema.Regulation("x"),
            criteria=[pe.schema.Criterion("a", "A", weight=0.5), pe.schema.Criterion("b", "B")],
        )


def test_grade_band_outside_index_range() -> None:
    """A band whose lower bound lies beyond the index range is reported."""
    with pytest.raises(
        RubricError, match=r"grades\[0\]\.min: must lie inside the index range \[0, 5\], got 6"
    ):
        pe.Rubric(
            id="g",
            title="G",
            scale=pe.schema.Scale(0, 5),
            status="verified",
            regulation=pe.schema.Regulation("x"),
            criteria=[pe.schema.Criterion("a", "A", weight=1)],
            grades=pe.schema.GradeScale([pe.schema.Band("A", 6), pe.schema.Band("B", 0)]),
        )


def test_unknown_weighting_suggests() -> None:
    """A misspelt weighting names the valid ones."""
    with pytest.raises(
        RubricError,
        match=r"weighting: must be one of normalized, relative, equal, "
        r"as_printed, got 'relativ' \(did you mean 'relative'\?\)",
    ):
        pe.Rubric(
            id="w",
            title="W",
            scale=pe.schema.Scale(0, 5),
            status="verified",
            weighting="relativ",  # type: ignore[arg-type]
            regulation=pe.schema.Regulation("x"),
            criteria=[pe.schema.Criterion("a", "A", weight=1)],
        )


def test_parse_weight_forms() -> None:
    """Weights as printed: '24%', '34,80%' (Indonesian decimal comma), numbers."""
    from pelayanan_eval._rubric.model import parse_weight

    assert parse_weight("24%") == 0.24
    assert parse_weight("34,80%") == pytest.approx(0.348, abs=1e-15)
    assert parse_weight(5) == 5.0
    with pytest.raises(ValueError, match="got True"):
        parse_weight(True)


def test_grade_scale_option_and_id_suggestions() -> None:
    """grade(on=) lists its options; a rubric id without its suffix is suggested in full."""
    from pelayanan_eval.exceptions import OptionError, RubricNotFoundError

    with pytest.warns(pe.exceptions.ProvisionalRubricWarning):
        skm = pe.load_rubric("permenpanrb-14-2017-ikm")
    with pytest.raises(OptionError, match=r"unknown grade scale \(on=\) 'reportd' \(did you "
                                          r"mean 'reported'\?\); valid: index, reported"):  # fmt: skip
        skm.grade(85.0, on="reportd")  # type: ignore[call-overload]
    with pytest.raises(RubricNotFoundError, match=r"did you mean 'permenpanrb-14-2017-ikm'\?"):
        pe.load_rubric("permenpanrb-14-2017")
