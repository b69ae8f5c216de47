"""The rubric model: derived leaves and weights, lookup, with_weights, round trip, validation."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import RubricError
from tests.conftest import MINI_YAML


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


def test_content_hash_follows_the_content(rubric_17: pe.Rubric) -> None:
    """Parsing the same text twice gives equal hashes; one changed weight changes the hash."""
    from pelayanan_eval._loading.bundled import bundled_directory

    text = (bundled_directory() / "permenpanrb-17-2017.yaml").read_text(encoding="utf-8")
    with pytest.warns(pe.exceptions.ProvisionalRubricWarning):
        once = pe.parse_rubric(text)
    with pytest.warns(pe.exceptions.ProvisionalRubricWarning):
        twice = pe.parse_rubric(text)
    assert once is not twice
    assert once.content_hash == twice.content_hash == rubric_17.content_hash
    first, second = (node.id for node in rubric_17.criteria[:2])
    w1, w2 = rubric_17[first].weight, rubric_17[second].weight
    assert w1 is not None and w2 is not None
    moved = rubric_17.with_weights({first: w1 + 0.01, second: w2 - 0.01})
    assert moved.content_hash != rubric_17.content_hash
    assert len(moved.content_hash) == 64


def base_rubric(**changes: object) -> pe.Rubric:
    fields: dict[str, object] = {
        "id": "r",
        "title": "R",
        "scale": pe.schema.Scale(0, 5),
        "status": "verified",
        "regulation": pe.schema.Regulation("x"),
        "criteria": [
            pe.schema.Criterion("a", "A", weight=0.5),
            pe.schema.Criterion("b", "B", weight=0.5),
        ],
    }
    fields.update(changes)
    return pe.Rubric(**fields)  # type: ignore[arg-type]


def criteria_with(**first: object) -> list[pe.schema.Criterion]:
    fields: dict[str, object] = {"id": "a", "name": "A", "weight": 0.5, **first}
    return [pe.schema.Criterion(**fields), pe.schema.Criterion("b", "B", weight=0.5)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (True, "criteria[0].weight: must be a number or a percentage such as '24%', got True"),
        (
            np.True_,
            "criteria[0].weight: must be a number or a percentage such as '24%', got np.True_",
        ),
        (3 + 2j, "criteria[0].weight: must be a number or a percentage such as '24%', got (3+2j)"),
        ("abc", "criteria[0].weight: must be a number or a percentage such as '24%', got 'abc'"),
        (
            10**400,
            "criteria[0].weight: must be a number or a percentage such as '24%', got a number of 401 digits",
        ),
        (None, "criteria[0].weight: is required under 'weighting: normalized'"),
        (float("inf"), "criteria[0].weight: must be a finite number, got inf"),
        (float("nan"), "criteria[0].weight: must be a finite number, got nan"),
        (-0.5, "criteria[0].weight: must be > 0, got -0.5"),
    ],
)
def test_constructor_refuses_bad_weights(weight: object, message: str) -> None:
    """Rubric(...) refuses a bool, complex, text, huge, missing or non-finite weight, with its path."""
    with pytest.raises(RubricError) as caught:
        base_rubric(criteria=criteria_with(weight=weight))
    assert caught.value.problems[0] == message


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (True, "with_weights: a: must be a number or a percentage such as '24%', got True"),
        (1j, "with_weights: a: must be a number or a percentage such as '24%', got 1j"),
        (None, "criteria[0].weight: is required under 'weighting: normalized'"),
        (float("inf"), "criteria[0].weight: must be a finite number, got inf"),
    ],
)
def test_with_weights_refuses_bad_weights(weight: object, message: str) -> None:
    """with_weights refuses a bool, complex, missing or infinite weight with a message."""
    with pytest.raises(RubricError) as caught:
        base_rubric().with_weights({"a": weight})  # type: ignore[dict-item]
    assert caught.value.problems == (message,)


@pytest.mark.parametrize("weights", [None, [("a", 0.5)], "a"])
def test_with_weights_needs_a_mapping(weights: object) -> None:
    """with_weights(None) or a list of pairs is a RubricError, not a TypeError."""
    with pytest.raises(RubricError, match="with_weights: expected a mapping of id to weight, got"):
        base_rubric().with_weights(weights)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "id: must be text, got null"),
        ({"title": None}, "title: must be text, got null"),
        ({"scale": (0, 5)}, "scale: must be a Scale, got (0, 5)"),
        ({"scale": pe.schema.Scale(True, 5)}, "scale.min: must be a number, got True"),
        ({"scale": pe.schema.Scale("0", 5)}, "scale.min: must be a number, got '0'"),
        (
            {"scale": pe.schema.Scale(0, 10**400)},
            "scale.max: must be a number, got a number of 401 digits",
        ),
        (
            {"scale": pe.schema.Scale(-1e308, 1e308)},
            "scale: min and max are too far apart, got -1e+308..1e+308",
        ),
        ({"criteria": None}, "criteria: must be a list of criteria, got null"),
        ({"criteria": "ab"}, "criteria: must be a list of criteria, got 'ab'"),
        ({"criteria": [{"id": "a"}]}, "criteria[0]: must be a Criterion, got a mapping"),
        ({"provisional": "abc"}, "provisional: must be a list of texts, got 'abc'"),
        ({"regulation": "x"}, "regulation: must be a Regulation, got 'x'"),
        ({"criteria": criteria_with(id=None)}, "criteria[0].id: must be text, got null"),
        ({"criteria": criteria_with(name=None)}, "criteria[0].name: must be text, got null"),
        (
            {"criteria": criteria_with(levels={1: None})},
            "criteria[0].levels[1]: level text must be text, got null",
        ),
        (
            {"criteria": criteria_with(levels={"x": "t"})},
            "criteria[0].levels: level scores must be numbers, got 'x'",
        ),
        (
            {"criteria": criteria_with(levels={True: "t"})},
            "criteria[0].levels: level scores must be numbers, got True",
        ),
        (
            {
                "weighting": "relative",
                "criteria": [
                    pe.schema.Criterion("a", "A", weight=1e308),
                    pe.schema.Criterion("b", "B", weight=1e308),
                ],
            },
            "criteria: relative weights must have a finite sum, got 1e+308, 1e+308 (the sum overflows)",
        ),
    ],
)
def test_constructor_refuses_what_the_loader_refuses(
    changes: dict[str, object], message: str
) -> None:
    """Wrong types, nulls and unrepresentable numbers given to Rubric(...) are RubricErrors with a path."""
    with pytest.raises(RubricError) as caught:
        base_rubric(**changes)
    assert caught.value.problems == (message,)


def test_constructor_refuses_deep_nesting() -> None:
    """A criteria tree 100 levels deep is refused (before any recursive walk could overflow)."""
    node = pe.schema.Criterion("leaf", "Leaf")
    for i in range(100):
        node = pe.schema.Criterion(f"n{i}", "N", weight=1, criteria=[node])
    with pytest.raises(RubricError) as caught:
        base_rubric(criteria=[node])
    (message,) = caught.value.problems
    assert (
        message
        == "criteria" + "[0].criteria" * 32 + ": criteria are nested more than 32 levels deep"
    )


def test_percentages_among_relative_points_are_refused() -> None:
    """A percentage beside relative points (0.6 : 2 silently) is an error, in files and with_weights."""
    text = MINI_YAML.replace("{id: a1, name: Satu, weight: 2,", "{id: a1, name: Satu, weight: 60%,")
    with pytest.raises(RubricError, match=r"criteria\[0\]\.criteria\[0\]\.weight: is a percentage "
                                          r"\('60%'\) under 'weighting: relative'"):  # fmt: skip
        pe.parse_rubric(text)
    mini = pe.parse_rubric(MINI_YAML)
    with pytest.raises(RubricError, match=r"a1: '50%' is a percentage, but the weights of its "
                                          r"siblings are relative points"):  # fmt: skip
        mini.with_weights({"a1": "50%"})
    # points are fine: a1 : a2 = 1 : 1 within aspect a (60 %), so a1 weighs 0.3
    assert mini.with_weights({"a1": 1}).weight_of("a1") == pytest.approx(0.3)
