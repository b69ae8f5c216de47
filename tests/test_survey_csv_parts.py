"""The pyarrow CSV engine part by part: units met late, cuts between rows, cells off the scale."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval.exceptions import ObservationError
from pelayanan_eval.ikm import _arrow
from pelayanan_eval.ikm import _csv as ikm_csv
from tests.conftest import load_quietly

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None,
                                reason="pyarrow not installed")  # fmt: skip

FIELDS = ("rows", "respondents", "answered", "wsum", "wcount", "weight", "weight_sq")


@pytest.fixture(scope="module")
def rubric() -> pe.Rubric:
    """The bundled 14/2017 IKM rubric (9 unsur, 1-4, x25)."""
    return load_quietly("permenpanrb-14-2017-ikm")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of about 1 kB in blocks of 256 bytes: a small file becomes many parts and blocks."""
    monkeypatch.setattr(_arrow, "PART_BYTES", 1024)
    monkeypatch.setattr(_arrow, "BLOCK_BYTES", 256)


def _file(path: Path, rubric: pe.Rubric, units: list[str], answers: np.ndarray,
          extra: dict[str, list[str]] | None = None) -> Path:  # fmt: skip
    """Write a CSV of `units` and `answers` (NaN: an empty cell), with extra columns."""
    extra = extra or {}
    header = ",".join(["unit", *rubric.leaf_ids, *extra])
    cells = np.where(np.isnan(answers), "", np.nan_to_num(answers).astype(np.int64).astype(str))
    lines = [",".join([_quoted(u), *row, *(_quoted(c[i]) for c in extra.values())])
             for i, (u, row) in enumerate(zip(units, cells.tolist(), strict=True))]  # fmt: skip
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _quoted(text: str) -> str:
    """A CSV field: quoted (inner quotes doubled) when it holds a delimiter, quote or line break."""
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _same(found: ikm.Tally, memory: ikm.Tally) -> None:
    """Two tallies have the same units in the same order and equal sums."""
    assert found.unit_ids.tolist() == memory.unit_ids.tolist()
    for name in FIELDS:
        assert np.array_equal(getattr(found, name), getattr(memory, name)), name


def _late_units(seed: int, n: int) -> tuple[list[str], np.ndarray]:
    """Units of which a third first appear in the last quarter of the rows; 3 % empty answers."""
    rng = np.random.default_rng(seed)
    early = [f"kel-{k}" for k in rng.integers(0, 12, n - n // 4)]
    late = [f"kel-{k}" for k in rng.integers(0, 18, n // 4)]
    answers = rng.integers(1, 5, (n, 9)).astype(float)
    answers[rng.random((n, 9)) < 0.03] = np.nan
    answers[:, 0] = rng.integers(1, 5, n)  # every respondent answers something
    return early + late, answers


@pytest.mark.usefixtures("small_parts", "no_fallback")
def test_units_met_in_later_parts_equal_the_in_memory_tally(
    rubric: pe.Rubric, tmp_path: Path
) -> None:
    """Units first met parts later (the unit dictionary grows) give the in-memory tally exactly."""
    units, answers = _late_units(2, 2000)
    path = _file(tmp_path / "skm.csv", rubric, units, answers)
    assert path.stat().st_size > 20 * _arrow.PART_BYTES  # many parts
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(ikm.read_csv(rubric, path, engine="pyarrow"), memory)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400),
       part=st.integers(64, 4096), block=st.integers(16, 1024))  # fmt: skip
def test_any_part_and_block_size_gives_the_same_tally(
    rubric: pe.Rubric, seed: int, n: int, part: int, block: int
) -> None:
    """Whatever the part and block sizes, the pyarrow engine gives the in-memory tally."""
    units, answers = _late_units(seed, n)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(_arrow, "PART_BYTES", part)
        patch.setattr(_arrow, "BLOCK_BYTES", block)
        path = _file(Path(folder) / "skm.csv", rubric, units, answers)
        found = ikm.read_csv(rubric, path, engine="pyarrow")
    _same(found, ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                           moments=False))  # fmt: skip


@pytest.mark.usefixtures("small_parts")
def test_weights_moments_and_breakdown_over_parts(rubric: pe.Rubric, tmp_path: Path) -> None:
    """Weights, interval moments and by= over many parts equal the in-memory tally (1e-12)."""
    units, answers = _late_units(3, 1500)
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.5, 3, len(units))
    channel = rng.choice(["online", "offline", "loket, kantor"], len(units)).tolist()
    path = _file(tmp_path / "skm.csv", rubric, units, answers,
                 {"bobot": [repr(float(w)) for w in weights], "kanal": channel})  # fmt: skip
    responses = ikm.Responses.from_arrays(rubric, answers=answers, unit=units, weights=weights,
                                          attributes={"kanal": channel})  # fmt: skip
    for by in (None, "kanal"):
        memory = ikm.tally(responses, by=by)
        found = ikm.read_csv(rubric, path, engine="pyarrow", weight_column="bobot", by=by,
                             moments=True)  # fmt: skip
        assert found.unit_ids.tolist() == memory.unit_ids.tolist()  # in order of appearance
        assert np.array_equal(found.answered, memory.answered)
        np.testing.assert_allclose(found.wsum, memory.wsum, rtol=1e-12)
        scale = np.abs(memory.moments).max()
        np.testing.assert_allclose(found.moments, memory.moments, rtol=1e-12, atol=1e-12 * scale)


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a fallback to the standard-library engine fail the test."""

    def refuse(*args: object) -> None:
        raise AssertionError("the pyarrow engine handed the file over")

    monkeypatch.setattr(ikm_csv, "_python_tally", refuse)


@pytest.mark.usefixtures("small_parts", "no_fallback")
def test_quoted_units_across_part_ends(rubric: pe.Rubric, tmp_path: Path) -> None:
    """Quoted units with commas and quotes, and non-ASCII ones, are read whole in any part."""
    rng = np.random.default_rng(4)
    names = ["kel, a", 'kel "b"', "kel-c", "kelurahan é", "kel-éé"]
    units = [names[k] for k in rng.integers(0, len(names), 600)]
    answers = rng.integers(1, 5, (600, 9)).astype(float)
    path = _file(tmp_path / "skm.csv", rubric, units, answers)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(ikm.read_csv(rubric, path, engine="pyarrow"), memory)


@pytest.mark.usefixtures("small_parts")
def test_line_breaks_inside_quoted_units(rubric: pe.Rubric, tmp_path: Path) -> None:
    """A quoted unit with a line break in it is never cut between parts (the tally is exact)."""
    rng = np.random.default_rng(6)
    names = ["kel\nsatu", "kel-dua", '"kel"\ntiga']
    units = [names[k] for k in rng.integers(0, len(names), 400)]
    answers = rng.integers(1, 5, (400, 9)).astype(float)
    path = _file(tmp_path / "skm.csv", rubric, units, answers)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(ikm.read_csv(rubric, path, engine="pyarrow"), memory)


def test_row_end_skips_line_breaks_inside_quotes() -> None:
    """A part ends at the last line break outside quotes; none outside quotes: 0."""
    assert _arrow._row_end(b'a,1\n"x\ny",2\n"p\nq') == len(b'a,1\n"x\ny",2\n')
    assert _arrow._row_end(b'a,1\n"x""\ny') == len(b"a,1\n")  # "" is an escaped quote
    assert _arrow._row_end(b'"x\ny') == 0


@pytest.mark.parametrize("cell", ["0", "-1", "-128", "5", "127", "128", "255", "256", "1e0"])
def test_cells_off_the_small_scale_are_named(rubric: pe.Rubric, tmp_path: Path, cell: str) -> None:
    """Answers off 1..4 (also ones that wrap around a byte) raise the standard engine's error."""
    rows = ["unit," + ",".join(rubric.leaf_ids), "kel-a" + ",3" * 9, "kel-a,3,,2" + ",4" * 5 + "," + cell]
    path = tmp_path / "skm.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ObservationError, match=r"1 problem\(s\): row 3, unsur 'sarana'"):
        ikm.read_csv(rubric, path, engine="pyarrow")


def test_a_scale_from_zero(tmp_path: Path) -> None:
    """On a 0..10 scale (the happiness survey) 0 is an answer: pyarrow gives the in-memory tally."""
    rubric = load_quietly("bps-indeks-kebahagiaan-2017")
    rng = np.random.default_rng(5)
    answers = rng.integers(0, 11, (300, len(rubric.leaf_ids))).astype(float)
    answers[rng.random(answers.shape) < 0.05] = np.nan
    answers[:, 0] = rng.integers(0, 11, 300)
    units = [f"kel-{k}" for k in rng.integers(0, 5, 300)]
    path = _file(tmp_path / "rt.csv", rubric, units, answers)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(ikm.read_csv(rubric, path, engine="pyarrow"), memory)
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8") + "kel-1" + ",11" * len(rubric.leaf_ids) + "\n",
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(ObservationError, match=r"'11' is off the scale 0..10"):
        ikm.read_csv(rubric, bad, engine="pyarrow")


def test_an_empty_line_is_named_by_both_engines(rubric: pe.Rubric, tmp_path: Path) -> None:
    """An empty line between rows is one problem for either engine (pyarrow does not skip it)."""
    path = tmp_path / "skm.csv"
    path.write_text("unit," + ",".join(rubric.leaf_ids) + "\nkel-a" + ",3" * 9 + "\n\nkel-b"
                    + ",4" * 9 + "\n", encoding="utf-8")  # fmt: skip
    for engine in ("python", "pyarrow"):
        with pytest.raises(ObservationError, match=r"1 problem\(s\): row 3: 0 field\(s\)"):
            ikm.read_csv(rubric, path, engine=engine)
