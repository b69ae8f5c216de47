"""Loading rubric YAML: every kind of bad input gives one clear RubricError with file:line."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import (
    ProvisionalRubricWarning,
    RubricError,
    RubricNotFoundError,
)
from tests.conftest import MINI_YAML, load_quietly

Write = Callable[[str], Path]


def problems_of(path: Path) -> tuple[str, ...]:
    with pytest.raises(RubricError) as caught:
        pe.load_rubric(path)
    assert caught.value.source == str(path)
    return caught.value.problems


def test_valid_file_loads(write_rubric: Write) -> None:
    """The fixture document loads, with effective weights 0.4, 0.2, 0.4 (60 % x 2/3, 1/3; 40 %)."""
    rubric = pe.load_rubric(write_rubric(MINI_YAML))
    assert rubric.leaf_ids == ("a1", "a2", "b")
    assert rubric.leaf_weights.tolist() == pytest.approx([0.4, 0.2, 0.4], abs=1e-15)


def test_duplicate_key(write_rubric: Write) -> None:
    """A repeated key is an error naming both lines (PyYAML alone keeps the last one)."""
    text = MINI_YAML.replace("    weight: 40%\n", "    weight: 40%\n    weight: 50%\n")
    path = write_rubric(text)
    assert problems_of(path) == (
        f"{path}:25: criteria[1].weight: duplicate key 'weight' (first at line 24)",
    )


def test_unknown_key_suggests(write_rubric: Write) -> None:
    """A typo such as 'wieght' is reported with a did-you-mean, plus the missing weight."""
    path = write_rubric(MINI_YAML.replace("weight: 40%", "wieght: 40%"))
    found = problems_of(path)
    assert found == (
        f"{path}:22: criteria[1].weight: is required under 'weighting: normalized'",
        f"{path}:24: criteria[1].wieght: unknown key 'wieght' (did you mean 'weight'?)",
    )


def test_weights_summing_to_90_percent(write_rubric: Write) -> None:
    """Sibling weights 60 % + 30 % are reported at the list, with the values received."""
    path = write_rubric(MINI_YAML.replace("weight: 40%", "weight: 30%"))
    assert problems_of(path) == (
        f"{path}:14: criteria: weights must sum to 1 (100%), got 0.9 (90%) from 0.6, 0.3 "
        "(use 'weighting: relative' for points)",
    )


def test_negative_weight(write_rubric: Write) -> None:
    """A negative weight names its line and the value."""
    path = write_rubric(MINI_YAML.replace("weight: 40%", "weight: -0.2"))
    assert problems_of(path) == (f"{path}:24: criteria[1].weight: must be > 0, got -0.2",)


def test_non_numeric_weight(write_rubric: Write) -> None:
    """A weight that is neither number nor percentage is reported once (no sum noise)."""
    path = write_rubric(MINI_YAML.replace("weight: 40%", "weight: empat puluh"))
    assert problems_of(path) == (
        f"{path}:24: criteria[1].weight: must be a number or a percentage such as '24%', "
        "got 'empat puluh'",
    )


def test_duplicate_id(write_rubric: Write) -> None:
    """Two criteria with one id: the second is reported with where the first is."""
    path = write_rubric(MINI_YAML.replace("{id: a2,", "{id: a1,"))
    assert problems_of(path) == (
        f"{path}:21: criteria[0].criteria[1].id: duplicate id 'a1', first used at "
        "criteria[0].criteria[0].id",
    )


def test_empty_criteria_list(write_rubric: Write) -> None:
    """A criterion with 'criteria: []' is an error, not a silent leaf."""
    path = write_rubric(
        MINI_YAML.replace("    weight: 40%\n", "    weight: 40%\n    criteria: []\n")
    )
    assert problems_of(path) == (
        f"{path}:25: criteria[1].criteria: must list at least one criterion",
    )


def test_empty_top_level_criteria(write_rubric: Write) -> None:
    """A rubric with no criteria at all is an error."""
    head = MINI_YAML.split("criteria:\n")[0]
    path = write_rubric(head + "criteria: []\n")
    assert problems_of(path) == (f"{path}:14: criteria: must list at least one criterion",)


def test_leaf_scale_min_not_below_max(write_rubric: Write) -> None:
    """A leaf scale with min >= max names the leaf and both numbers."""
    path = write_rubric(
        MINI_YAML.replace(
            "{id: a2, name: Dua, weight: 1}",
            "{id: a2, name: Dua, weight: 1, scale: {min: 4, max: 4}}",
        )
    )
    assert problems_of(path) == (
        f"{path}:21: criteria[0].criteria[1].scale: min must be below max, got min 4, max 4",
    )


def test_grade_bounds_not_decreasing(write_rubric: Write) -> None:
    """Bands listed top first must have decreasing lower bounds."""
    path = write_rubric(MINI_YAML.replace("{code: B, min: 3.01", "{code: B, min: 4.8"))
    assert problems_of(path) == (
        f"{path}:12: grades[1].min: lower bounds must decrease down the list (top band first): "
        "4.8 is not below 4.51 of 'A'",
    )


def test_level_outside_scale(write_rubric: Write) -> None:
    """A level descriptor for score 7 on a 0-5 scale is reported."""
    path = write_rubric(MINI_YAML.replace("5: Lengkap", "7: Lengkap"))
    assert problems_of(path) == (
        f"{path}:20: criteria[0].criteria[0].levels[7]: level 7 is outside the scale 0..5",
    )


def test_several_problems_reported_together(write_rubric: Write) -> None:
    """Five problems in one file come back in one error, in line order."""
    text = (
        MINI_YAML.replace("status: verified", "status: verifed")
        .replace("{id: a2,", "{id: a1,")
        .replace("weight: 40%", "weight: -1")
        .replace("max: 5}", "max: 5, step: 1}")
        .replace("{code: B, min: 3.01", "{code: A, min: 3.01")
    )
    path = write_rubric(text)
    found = problems_of(path)
    assert [p.split(": ", 2)[1] for p in found] == [
        "status",
        "scale.step",
        "grades[1].code",
        "criteria[0].criteria[1].id",
        "criteria[1].weight",
    ]
    assert "verifed" in found[0]


def test_billion_laughs_fails_fast(write_rubric: Write) -> None:
    """An alias bomb (10^9 nodes if expanded) stops at the node cap with a clear message."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = write_rubric("\n".join(lines) + "\n")
    started = time.perf_counter()
    found = problems_of(path)
    elapsed = time.perf_counter() - started
    assert found == (
        f"{path}:1: (document): the document expands to more than 200000 nodes or "
        "64 levels (aliases/anchors nested too deeply?)",
    )
    assert elapsed < 5  # a guard against expansion, not a benchmark: it takes milliseconds


def test_not_yaml(write_rubric: Write) -> None:
    """Broken YAML syntax is reported with its line."""
    path = write_rubric("schema: 1\nid: [unclosed\ntitle: x\n")
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:3: (document): not valid YAML:")


def test_not_a_mapping(write_rubric: Write) -> None:
    """A YAML list at the top is not a rubric."""
    path = write_rubric("- 1\n- 2\n")
    assert problems_of(path) == (f"{path}:1: (document): must be a mapping, got a list",)


def test_unsafe_tag_is_refused(write_rubric: Write) -> None:
    """Python object tags are never constructed (safe loading)."""
    path = write_rubric(
        MINI_YAML.replace("title: Mini rubric", "title: !!python/object/apply:os.system ['true']")
    )
    assert problems_of(path) == (
        f"{path}:3: title: unsupported tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    )


def test_missing_file() -> None:
    """A path that does not exist raises RubricNotFoundError naming it."""
    with pytest.raises(RubricNotFoundError, match=r"no rubric file at 'nowhere/x\.yaml'"):
        pe.load_rubric("nowhere/x.yaml")


def test_unknown_bundled_id_lists_available() -> None:
    """An unknown id suggests the closest and lists every bundled rubric."""
    with pytest.raises(RubricNotFoundError) as caught:
        pe.load_rubric("permenpanrb-17-2018")
    message = str(caught.value)
    assert (
        "no bundled rubric 'permenpanrb-17-2018' (did you mean 'permenpanrb-17-2017'?)" in message
    )
    for info in pe.available_rubrics():
        assert info.id in message


def test_non_utf8_file(tmp_path: Path) -> None:
    """A file in another encoding is reported, not a UnicodeDecodeError traceback."""
    path = tmp_path / "latin.yaml"
    path.write_bytes(
        MINI_YAML.replace("Mini rubric", "Tingkat Kepuasan Ã©").encode("latin-1", "replace")
        + b"\xff"
    )
    with pytest.raises(RubricError, match="not UTF-8"):
        pe.load_rubric(path)


def test_number_id_hint(write_rubric: Write) -> None:
    """An unquoted numeric id is reported with a hint to quote it."""
    path = write_rubric(MINI_YAML.replace("id: b\n", "id: 6\n"))
    assert problems_of(path) == (f"{path}:22: criteria[1].id: must be text, got 6 (quote it)",)


def test_provisional_warning_names_parts(write_rubric: Write) -> None:
    """A provisional rubric warns once, naming its provisional parts."""
    text = MINI_YAML.replace(
        "status: verified", 'status: provisional\nprovisional: ["bobot aspek: kode saja"]'
    )
    with pytest.warns(
        ProvisionalRubricWarning, match=r"'mini' is provisional.*bobot aspek"
    ) as record:
        pe.load_rubric(write_rubric(text))
    assert len(record) == 1


def test_verified_rubric_does_not_warn(write_rubric: Write) -> None:
    """A verified rubric loads silently (warnings are errors in this test suite)."""
    pe.load_rubric(write_rubric(MINI_YAML))


def test_provisional_without_parts(write_rubric: Write) -> None:
    """status: provisional must say what is provisional."""
    path = write_rubric(MINI_YAML.replace("status: verified", "status: provisional"))
    assert problems_of(path) == (
        f"{path}:7: status: a provisional rubric must name its provisional parts in 'provisional'",
    )


def test_as_printed_weights_are_not_renormalised(write_rubric: Write) -> None:
    """as_printed: nine weights of 0.111 sum to 0.999 and are used exactly as printed."""
    items = "\n".join(f"  - {{id: u{i}, name: Unsur {i}, weight: 0.111}}" for i in range(1, 10))
    head = MINI_YAML.split("grades:")[0].replace(
        "scale: {min: 0, max: 5}", "scale: {min: 1, max: 4}"
    )
    rubric = pe.load_rubric(
        write_rubric(head + "weighting: as_printed\ncriteria:\n" + items + "\n")
    )
    assert rubric.leaf_weights.tolist() == [0.111] * 9
    assert rubric.index_range == pytest.approx((0.999, 3.996))


def test_as_printed_weights_far_from_one(write_rubric: Write) -> None:
    """as_printed weights off by more than 2 % (0.71 for 0.071) are still caught."""
    items = "\n".join(f"  - {{id: u{i}, name: Unsur {i}, weight: 0.71}}" for i in range(1, 3))
    head = MINI_YAML.split("grades:")[0]
    path = write_rubric(head + "weighting: as_printed\ncriteria:\n" + items + "\n")
    (message,) = problems_of(path)
    assert "criteria: weights must sum to 1 (100%), got 1.42" in message


BAD_DOCUMENTS = [
    "schema: 1\nid: [unclosed\ntitle: x\n",
    "a: b: c\n",
    "- a\nb: 1\n",
    "key: [\n",
    "a: 'x\n",
    "\ta: 1\n",
    "a:\tb\n",
    "a: \x01b\n",
    "a: \ud800\n",
    "%YAML 1.3\n---\na: 1\n",
    "a: *x\n",
    "a: 1\n---\nb: 2\n",
    "a: " + "[" * 200,
    MINI_YAML.replace("weight: 40%", "weight: 40%\n    weight: 50%"),
    MINI_YAML.replace("title: Mini rubric", "title: !!int x"),
    MINI_YAML.replace("title: Mini rubric", "title: !!python/object/apply:os.system ['true']"),
    MINI_YAML.replace("id: b\n", "id: null\n"),
    MINI_YAML.replace("weight: 40%", "weight: 1" + "0" * 400),
    MINI_YAML + "extra: [1, 2\n",
    "|#\n",
    "a: >#x\n",
    "\n\ufeffa: 1\n",
    "!1?! x\n",
    "!\n",
    "{1?2*}\n",
    "a: [x, y?z]\n",
]


@pytest.fixture(params=[True, False], ids=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Compose with libyaml (when installed) or with the pure-Python parser."""
    import yaml

    from pelayanan_eval._loading import composer

    if request.param and not yaml.__with_libyaml__:
        pytest.skip("libyaml is not installed")
    monkeypatch.setattr(composer, "_LIBYAML", request.param)
    return bool(request.param)


def problems_with(use_libyaml: bool, text: str) -> tuple[str, ...]:
    from pelayanan_eval._loading import composer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(composer, "_LIBYAML", use_libyaml)
        with pytest.raises(RubricError) as caught:
            pe.parse_rubric(text, source="bad.yaml")
    return caught.value.problems


@pytest.mark.parametrize("text", BAD_DOCUMENTS)
def test_both_parsers_report_the_same_problems(text: str) -> None:
    """The libyaml and pure-Python parsers give identical messages and lines for bad documents."""
    import yaml

    if not yaml.__with_libyaml__:
        pytest.skip("libyaml is not installed")
    assert problems_with(True, text) == problems_with(False, text)


def test_syntax_error_line_with_either_parser(parser: bool) -> None:
    """An unclosed flow list is reported at the line where the parser gives up, by either parser."""
    assert problems_with(parser, "schema: 1\nid: [unclosed\ntitle: x\n") == (
        "bad.yaml:3: (document): not valid YAML: expected ',' or ']', but got ':'",
    )


def test_libyaml_is_used_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """With libyaml present a valid rubric is composed by CSafeLoader, not the Python parser."""
    import yaml

    from pelayanan_eval._loading import composer

    if not yaml.__with_libyaml__:
        pytest.skip("libyaml is not installed")
    used: list[str] = []
    real_c, real_py = yaml.CSafeLoader, yaml.SafeLoader

    def spy(name: str, real: type) -> object:
        def make(text: str) -> object:
            if text:  # the reader's scalar constructor is built on ""
                used.append(name)
            return real(text)

        return make

    monkeypatch.setattr(composer, "_LIBYAML", True)
    monkeypatch.setattr(yaml, "CSafeLoader", spy("c", real_c))
    monkeypatch.setattr(yaml, "SafeLoader", spy("python", real_py))
    pe.parse_rubric(MINI_YAML)
    assert used == ["c"]


@pytest.mark.parametrize("rubric_id", ["permenpanrb-17-2017", "permenpanrb-29-2022"])
def test_both_parsers_build_equal_rubrics(rubric_id: str, parser: bool) -> None:
    """A bundled rubric's text gives the same rubric (same hash) with either parser."""
    from pelayanan_eval._loading.build import parse_quietly
    from pelayanan_eval._loading.bundled import bundled_directory

    path = bundled_directory() / f"{rubric_id}.yaml"
    rubric = parse_quietly(path.read_text(encoding="utf-8"), str(path))
    assert rubric == load_quietly(rubric_id)
