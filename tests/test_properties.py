"""Property tests: mutated or random YAML raises only RubricError, or loads."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning, RubricError
from tests.conftest import BUNDLED_IDS, MINI_YAML, load_quietly

BASES: list[dict[str, Any]] = [yaml.safe_load(MINI_YAML)] + [
    yaml.safe_load(pe.dump_rubric(load_quietly(rubric_id))) for rubric_id in BUNDLED_IDS
]

# libyaml's emitter, when installed, writes a 17/2017 document 20 times faster
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=DUMPER, allow_unicode=True, sort_keys=False)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["24%", "equal", "relative", "as_printed", "-5%", "1e400"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def parse_or_rubric_error(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        try:
            rubric = pe.parse_rubric(text, source="fuzz.yaml")
        except RubricError as error:
            assert error.problems
            assert all(p.startswith("fuzz.yaml") for p in error.problems)
        else:
            assert isinstance(rubric, pe.Rubric)
            assert rubric.leaf_weights.shape == (len(rubric.leaves),)


def containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a dict or list inside a document."""
    found = [path]
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        if isinstance(child, dict | list):
            found.extend(containers(child, (*path, key)))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    document = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(containers(document)))
        target: Any = document
        for key in path:
            target = target[key]
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            action = draw(st.sampled_from(["replace", "delete", "rename"]))
            if action == "replace":
                target[key] = draw(values)
            elif action == "delete":
                del target[key]
            else:
                target[draw(st.text(min_size=1, max_size=8))] = target.pop(key)
        elif isinstance(target, list) and target:
            index = draw(st.integers(0, len(target) - 1))
            if draw(st.booleans()):
                target[index] = draw(values)
            else:
                del target[index]
    return dump(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_mutated_bundled_rubrics_raise_only_rubric_error(text: str) -> None:
    """Mutating any bundled rubric gives a RubricError or a valid rubric, never another error."""
    parse_or_rubric_error(text)


@settings(max_examples=200, deadline=None)
@given(values)
def test_random_yaml_raises_only_rubric_error(document: Any) -> None:
    """Any YAML value at all is rejected with a RubricError."""
    parse_or_rubric_error(dump(document))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_only_rubric_error(text: str) -> None:
    """Arbitrary text (broken YAML, tabs, control characters) gives a RubricError."""
    parse_or_rubric_error(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.5, 50), min_size=2, max_size=6), st.floats(0.1, 1000))
def test_relative_weights_scale_free(points: list[float], factor: float) -> None:
    """Scaling all relative points by one factor leaves the effective weights unchanged."""

    def build(scale: float) -> pe.Rubric:
        children = [
            pe.schema.Criterion(f"c{i}", f"C{i}", weight=p * scale) for i, p in enumerate(points)
        ]
        return pe.Rubric(
            id="r",
            title="R",
            scale=pe.schema.Scale(0, 5),
            status="verified",
            regulation=pe.schema.Regulation("x"),
            weighting="relative",
            criteria=children,
        )

    assert build(1.0).leaf_weights.tolist() == pytest.approx(
        build(factor).leaf_weights.tolist(), rel=1e-12
    )


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 5), st.floats(0, 5))
def test_grades_are_monotone(low: float, high: float) -> None:
    """A higher index never gets a lower grade (17/2017 bands)."""
    rubric = RUBRIC_17
    low, high = sorted((low, high))
    codes = [band.code for band in rubric.grades]
    assert codes.index(rubric.grade(high).code) <= codes.index(rubric.grade(low).code)


RUBRIC_17 = load_quietly("permenpanrb-17-2017")


def parse_raises_only_library_errors(text: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        try:
            pe.parse_rubric(text, source="fuzz.yaml")  # type: ignore[arg-type]
        except pe.exceptions.PelayananEvalError as error:
            assert str(error)


@pytest.mark.parametrize("use_libyaml", [True, False], ids=["libyaml", "pure-python"])
@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_text_raises_only_library_errors(use_libyaml: bool, text: str) -> None:
    """Any text at all (surrogates, NULs, tabs) gives a rubric or a PelayananEvalError, with either parser."""
    from pelayanan_eval._loading import composer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(composer, "_LIBYAML", use_libyaml and composer._LIBYAML)
        parse_raises_only_library_errors(text)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_library_errors(data: bytes) -> None:
    """Bytes passed as they are, or decoded leniently, give only PelayananEvalError."""
    parse_raises_only_library_errors(data)
    parse_raises_only_library_errors(data.decode("utf-8", "surrogateescape"))
    parse_raises_only_library_errors(data.decode("latin-1"))


weights = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(10**300, 10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["40%", "34,80%", "-5%", "abc", "", "0.4", "1e400"]),
)


@settings(max_examples=150, deadline=None)
@given(weights)
def test_constructor_refuses_what_the_loader_refuses(weight: object) -> None:
    """A weight the YAML loader refuses is refused by Rubric(...) too, and one it takes is taken."""
    document = yaml.safe_load(MINI_YAML)
    document["criteria"][1]["weight"] = weight
    try:
        loaded: pe.Rubric | None = pe.parse_rubric(dump(document))
    except RubricError:
        loaded = None
    mini = pe.parse_rubric(MINI_YAML)
    b = mini["b"]
    try:
        built: pe.Rubric | None = pe.Rubric(
            id=mini.id,
            title=mini.title,
            scale=mini.scale,
            regulation=mini.regulation,
            status=mini.status,
            rounding=mini.rounding,
            grades=mini.grades,
            criteria=[mini.criteria[0], pe.schema.Criterion(b.id, b.name, weight=weight)],  # type: ignore[arg-type]
        )
    except RubricError:
        built = None
    assert built == loaded


YAML_CHARACTERS = list("ab:-[]{},&*!?@` \n\r\t'\"#%|>.0123456789~\\\x85\ufeff\u2028\xa0é")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(YAML_CHARACTERS), max_size=40))
def test_both_parsers_agree_on_arbitrary_text(text: str) -> None:
    """Text made of YAML's special characters gives the same rubric or problems with either parser."""
    from pelayanan_eval._loading import composer

    if not composer._LIBYAML:
        return
    results = []
    for use_libyaml in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(composer, "_LIBYAML", use_libyaml)
            try:
                results.append(repr(pe.parse_rubric(text, source="x.yaml")))
            except RubricError as error:
                results.append(repr(error.problems))
    assert results[0] == results[1]
