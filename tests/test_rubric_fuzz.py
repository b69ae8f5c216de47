"""Rubric inputs found by fuzzing: each gives a RubricError saying file:line, path and what was read."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import OptionError, RubricError, RubricNotFoundError
from tests.conftest import MINI_YAML

BIG = "1" + "0" * 400  # 10**400: an integer, and more than any float holds


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(RubricError) as caught:
        pe.parse_rubric(text, source="f.yaml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2024-13-45", "cannot read '2024-13-45' as timestamp: month must be in 1..12"),
        ("!!int x", "cannot read 'x' as int: invalid literal for int() with base 10: 'x'"),
        ("!!bool x", "cannot read 'x' as bool"),
        ("!!timestamp x", "cannot read 'x' as timestamp"),
        ("!!float x", "cannot read 'x' as float: could not convert string to float: 'x'"),
        ("2024-12-25", "must be text, got datetime.date(2024, 12, 25) (quote it)"),
    ],
)
def test_values_yaml_cannot_build(title: str, expected: str) -> None:
    """A value PyYAML's constructors fail on (or build as a date) is named at its line."""
    assert problems(MINI_YAML.replace("title: Mini rubric", f"title: {title}")) == (
        f"f.yaml:3: title: {expected}",
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "path"),
    [
        ("weight: 40%", f"weight: {BIG}", 24, "criteria[1].weight"),
        ("max: 5}", f"max: {BIG}}}", 8, "scale.max"),
        ("5: Lengkap", f"{BIG}: Lengkap", 20, "criteria[0].criteria[0].levels"),
        ("{code: B, min: 3.01", f"{{code: B, min: {BIG}", 12, "grades[1].min"),
    ],
)
def test_integer_too_large_for_a_float(old: str, new: str, line: int, path: str) -> None:
    """A 401-digit integer in a weight, scale bound, level key or band is too large, not a crash."""
    assert problems(MINI_YAML.replace(old, new)) == (
        f"f.yaml:{line}: {path}: a number of 401 digits is too large for a number",
    )


def test_integer_over_python_digit_limit() -> None:
    """A 5,001-digit integer (past Python's 4,300-digit conversion limit) is the same error."""
    text = MINI_YAML.replace("weight: 40%", "weight: 1" + "0" * 5000)
    assert problems(text) == (
        "f.yaml:24: criteria[1].weight: a number of 5001 digits is too large for a number",
    )


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_deep_flow_nesting_stops_at_the_depth_limit(depth: int) -> None:
    """'[' nested 100,000 deep is refused at the limit (no RecursionError, no crash)."""
    assert problems("a: " + "[" * depth) == (
        "f.yaml:1: (document): the document is nested more than 64 levels deep",
    )


def test_deep_block_nesting_names_the_line() -> None:
    """Indented mappings 200 deep are refused at the line of the 65th level."""
    text = "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 200))
    # "a" opens level 1 (line 1 is the root mapping's), so line 65 opens level 65
    assert problems(text) == (
        "f.yaml:65: (document): the document is nested more than 64 levels deep",
    )


def test_depth_limit_allows_64_levels() -> None:
    """Exactly 64 levels compose; the rubric then fails on its keys, not on depth."""
    (message,) = problems("[" * 63 + "]" * 63)
    assert message == "f.yaml:1: (document): must be a mapping, got a list"


def test_recursive_alias_is_refused() -> None:
    """An anchor used inside itself expands forever; it stops at the limits."""
    assert problems("a: &x [*x]\n") == (
        "f.yaml:1: (document): the document expands to more than 200000 nodes or 64 levels "
        "(aliases/anchors nested too deeply?)",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: *x\n", "f.yaml:1: (document): alias *x names no anchor before it"),
        (
            "a: &x 1\nb: &x 2\n",
            "f.yaml:2: (document): anchor &x is defined twice (first at line 1)",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "f.yaml:2: (document): expected one document, found a second one (a '---' line?)",
        ),
    ],
)
def test_composer_problems(text: str, expected: str) -> None:
    """Undefined and repeated anchors and a second document are named at their line."""
    assert problems(text) == (expected,)


def test_relative_weights_whose_sum_overflows() -> None:
    """Points 1e308 + 1e308 sum to inf (every leaf weight would be 0): refused at the list."""
    text = MINI_YAML.replace("weight: 2,", "weight: 1.0e+308,").replace(
        "weight: 1}", "weight: 1.0e+308}"
    )
    assert problems(text) == (
        "f.yaml:19: criteria[0].criteria: relative weights must have a finite sum, "
        "got 1e+308, 1e+308 (the sum overflows)",
    )


def test_effective_weight_that_underflows() -> None:
    """Points 1e300 and 1e-300 give the second a share of 1e-600, which is 0 as a float."""
    text = MINI_YAML.replace("weight: 2,", "weight: 1.0e+300,").replace(
        "weight: 1}", "weight: 1.0e-300}"
    )
    assert problems(text) == (
        "f.yaml:21: criteria[0].criteria[1].weight: the effective weight in the index "
        "underflows to 0 (weight 1e-300 under 'relative' weighting, below a parent weighing 0.6)",
    )


def test_infinite_weight() -> None:
    """A weight written 1.0e+400 reads as inf and is refused as not finite."""
    assert problems(MINI_YAML.replace("weight: 40%", "weight: 1.0e+400")) == (
        "f.yaml:24: criteria[1].weight: must be a finite number, got inf",
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "message"),
    [
        ("id: b\n", "id: null\n", 22, "criteria[1].id", "must be text, got null"),
        ("id: b\n", "id:\n", 22, "criteria[1].id", "must be text, got null"),
        ("name: Aspek B", "name: null", 23, "criteria[1].name", "must be text, got null"),
        ("id: mini", "id: null", 2, "id", "must be text, got null"),
        ("title: Mini rubric", "title: ~", 3, "title", "must be text, got null"),
        ("status: verified", "status: null", 7, "status", "must be text, got null"),
        ("name: Peraturan Contoh", "name: null", 5, "regulation.name", "must be text, got null"),
        ("{code: B,", "{code: null,", 12, "grades[1].code", "must be text, got null"),
        (
            "5: Lengkap",
            "5: null",
            20,
            "criteria[0].criteria[0].levels[5]",
            "level text must be text, got null",
        ),
    ],
)
def test_nulls_are_errors(old: str, new: str, line: int, path: str, message: str) -> None:
    """A null id, name, title, status, band code or level text is an error, not a stand-in."""
    assert problems(MINI_YAML.replace(old, new)) == (f"f.yaml:{line}: {path}: {message}",)


@pytest.mark.parametrize(
    ("text", "received"),
    [(None, "NoneType"), (MINI_YAML.encode(), "bytes"), (5, "int"), (["a"], "list")],
)
def test_parse_rubric_refuses_what_is_not_text(text: object, received: str) -> None:
    """parse_rubric(None), bytes or a number: a RubricError naming the type received."""
    with pytest.raises(RubricError) as caught:
        pe.parse_rubric(text, source="f.yaml")  # type: ignore[arg-type]
    (message,) = caught.value.problems
    assert message.startswith(f"f.yaml: (document): expected YAML text (a str), got {received}")


def test_long_values_are_shortened_in_messages() -> None:
    """A 10,000-character weight is quoted in a few dozen characters, with its length."""
    found = problems(MINI_YAML.replace("weight: 40%", "weight: " + "x" * 10_000))
    assert found == (
        "f.yaml:24: criteria[1].weight: must be a number or a percentage such as '24%', "
        f"got '{'x' * 54}...x' (10002 characters)",
    )


def test_size_limit_refuses_before_parsing() -> None:
    """A text over max_bytes is refused whole; the limit can be raised by keyword."""
    assert problems("a" * (1024 * 1024 + 1)) == (
        "f.yaml: (document): the document has at least 1048577 bytes, more than the limit of "
        "1048576; pass max_bytes= to read a larger rubric",
    )
    with pytest.raises(RubricError, match="the document has 8 bytes, more than the limit of 5;"):
        pe.parse_rubric("é" * 4, max_bytes=5)  # 4 characters, 8 bytes of UTF-8
    assert pe.parse_rubric(MINI_YAML, max_bytes=len(MINI_YAML)).id == "mini"


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "1MB", None])
def test_bad_max_bytes(limit: object) -> None:
    """max_bytes must be a whole number >= 1: anything else is an OptionError."""
    with pytest.raises(OptionError, match="max_bytes must be a whole number of bytes >= 1, got"):
        pe.parse_rubric(MINI_YAML, max_bytes=limit)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="max_bytes must be a whole number of bytes >= 1, got"):
        pe.load_rubric("permenpanrb-17-2017", max_bytes=limit)  # type: ignore[arg-type]


def test_large_file_is_refused_unread(tmp_path: Path) -> None:
    """A 50 MB file is refused from its size, without reading it."""
    path = tmp_path / "big.yaml"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: 50 MiB of zeros
    started = time.perf_counter()
    with pytest.raises(RubricError) as caught:
        pe.load_rubric(path)
    elapsed = time.perf_counter() - started
    assert caught.value.problems == (
        f"{path}: (document): the document has 52428800 bytes, more than the limit of 1048576; "
        "pass max_bytes= to read a larger rubric",
    )
    assert elapsed < 1  # a guard that the file is not parsed (it takes milliseconds)


def test_max_bytes_raises_the_file_limit(tmp_path: Path) -> None:
    """load_rubric(path, max_bytes=...) reads a file the default limit would, or would not, take."""
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_YAML, encoding="utf-8")
    with pytest.raises(RubricError, match="more than the limit of 100;"):
        pe.load_rubric(path, max_bytes=100)
    assert pe.load_rubric(path, max_bytes=len(MINI_YAML)).id == "mini"


@pytest.mark.parametrize(
    ("source", "received"),
    [
        (None, "got None"),
        (b"x.yaml", "got bytes b'x.yaml' (decode it: os.fsdecode(path))"),
        (17, "got int 17"),
    ],
)
def test_load_rubric_refuses_other_types(source: object, received: str) -> None:
    """load_rubric(None), a bytes path or a number: a RubricError naming what was received."""
    with pytest.raises(RubricError) as caught:
        pe.load_rubric(source)  # type: ignore[arg-type]
    assert caught.value.problems == (
        "load_rubric: expected a bundled rubric id or a path to a .yaml file "
        f"(str or os.PathLike), {received}",
    )


@pytest.mark.parametrize(
    ("source", "what"), [("x\x00.yaml", "rubric file at"), ("permen\x00", "bundled rubric")]
)
def test_nul_in_a_path_or_id(source: str, what: str) -> None:
    """A NUL character in a path or id is not found, and the message says why."""
    with pytest.raises(RubricNotFoundError) as caught:
        pe.load_rubric(source)
    assert str(caught.value) == f"no {what} {source!r}: a name cannot contain a NUL character"


def test_symlink_loop(tmp_path: Path) -> None:
    """A symbolic link to itself cannot be read: the error names the file and the reason."""
    path = tmp_path / "loop.yaml"
    os.symlink(path, path)
    with pytest.raises(RubricNotFoundError) as caught:
        pe.load_rubric(path)
    assert str(caught.value) == (
        f"cannot read rubric file {str(path)!r}: Too many levels of symbolic links"
    )


def test_directory_and_device_are_not_rubric_files(tmp_path: Path) -> None:
    """A directory or a device (/dev/zero, endless) is refused without being read."""
    with pytest.raises(RubricNotFoundError, match=r"no rubric file at '.*': it is a directory"):
        pe.load_rubric(tmp_path)
    with pytest.raises(RubricNotFoundError, match="no rubric file at '/dev/zero': not a regular"):
        pe.load_rubric("/dev/zero")


def test_missing_file_message() -> None:
    """A missing file is named as given and as resolved (no exception while resolving)."""
    with pytest.raises(RubricNotFoundError) as caught:
        pe.load_rubric("nowhere/x.yaml")
    assert str(caught.value) == (
        f"no rubric file at 'nowhere/x.yaml' (resolved to {os.path.abspath('nowhere/x.yaml')!r})"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "path"),
    [
        ("status: verified", "status: verified\nweighting: null", 8, "weighting"),
        ("status: verified", "status: verified\nnotes: null", 8, "notes"),
        ("status: verified", "status: verified\nprovisional: ~", 8, "provisional"),
        (
            "rounding: {digits: 2, mode: half_up}",
            "rounding: {digits: 2, mode: null}",
            9,
            "rounding.mode",
        ),
        ('sources: ["made up for the tests"]', "sources: null", 6, "regulation.sources"),
        ("label: Baik}", "label: null}", 12, "grades[1].label"),
        ("weighting: relative", "weighting: null", 18, "criteria[0].weighting"),
        ("weight: 40%", "weight: 40%\n    description:", 25, "criteria[1].description"),
        (
            "{id: a2, name: Dua, weight: 1}",
            "{id: a2, name: Dua, weight: 1, levels: null}",
            21,
            "criteria[0].criteria[1].levels",
        ),
    ],
)
def test_null_optional_keys_are_errors(old: str, new: str, line: int, path: str) -> None:
    """An optional key given as null is an error (it would silently read as absent)."""
    assert problems(MINI_YAML.replace(old, new)) == (
        f"f.yaml:{line}: {path}: is null; give a value or leave the key out",
    )


def test_nulls_with_a_meaning_are_accepted() -> None:
    """rounding: null (no rounding), a null weight under 'equal' and digits: null still load."""
    text = MINI_YAML.replace("rounding: {digits: 2, mode: half_up}", "rounding: null")
    assert pe.parse_rubric(text).rounding.digits is None
    text = MINI_YAML.replace("rounding: {digits: 2, mode: half_up}", "rounding: {digits: null}")
    assert pe.parse_rubric(text).rounding.digits is None
    text = (
        MINI_YAML.replace("weighting: relative", "weighting: equal")
        .replace("weight: 2,", "weight: null,")
        .replace("{id: a2, name: Dua, weight: 1}", "{id: a2, name: Dua}")
    )
    assert pe.parse_rubric(text).leaf_weights.tolist() == pytest.approx([0.3, 0.3, 0.4])
