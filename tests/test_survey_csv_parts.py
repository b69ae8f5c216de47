"""Survey CSVs part by part: units met late, parts cut between rows, cells off the scale."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval.exceptions import ObservationError
from pelayanan_eval.ikm import _arrow
from pelayanan_eval.ikm import _csv as ikm_csv
from pelayanan_eval.ikm._items import items
from pelayanan_eval.ikm._progress import Progress
from tests.conftest import load_quietly

HAVE_ARROW = importlib.util.find_spec("pyarrow") is not None
ARROW = pytest.mark.skipif(not HAVE_ARROW, reason="pyarrow not installed")
ENGINES = ["python", pytest.param("pyarrow", marks=ARROW)]

FIELDS = ("rows", "respondents", "answered", "wsum", "wcount", "weight", "weight_sq")


@pytest.fixture(scope="module")
def rubric() -> pe.Rubric:
    """The bundled 14/2017 IKM rubric (9 unsur, 1-4, x25)."""
    return load_quietly("permenpanrb-14-2017-ikm")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of about 1 kB (pyarrow: in blocks of 256 bytes): a small file becomes many parts."""
    monkeypatch.setattr(_arrow, "PART_BYTES", 1024)
    monkeypatch.setattr(_arrow, "BLOCK_BYTES", 256)
    monkeypatch.setattr(ikm_csv, "CHUNK_CHARS", 1024)


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


def _read(rubric: pe.Rubric, path: Path, engine: str, **options: Any) -> ikm.Tally:
    """Read with one engine; for pyarrow, fail if it hands the file to the other engine."""
    if engine == "python":
        return ikm.read_csv(rubric, path, engine="python", **options)
    with Progress(str(path), 1, False) as bar:
        found = _arrow.arrow_tally(
            rubric, items(rubric), str(path), "unit", options.get("weight_column"),
            options.get("by"), None, options.get("moments", False), bar, required=True,
        )  # fmt: skip
    assert found is not None, "the pyarrow engine handed the file over"
    return found


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


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("engine", ENGINES)
def test_units_met_in_later_parts_equal_the_in_memory_tally(
    rubric: pe.Rubric, tmp_path: Path, engine: str
) -> None:
    """Units first met parts later (the unit index grows) give the in-memory tally exactly."""
    units, answers = _late_units(2, 2000)
    path = _file(tmp_path / "skm.csv", rubric, units, answers)
    assert path.stat().st_size > 20 * _arrow.PART_BYTES  # many parts
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(_read(rubric, path, engine), memory)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400),
       part=st.integers(64, 4096), block=st.integers(64, 1024))  # fmt: skip
def test_any_part_and_block_size_gives_the_same_tally(
    rubric: pe.Rubric, seed: int, n: int, part: int, block: int
) -> None:
    """Whatever the part, block and chunk sizes, both engines give the in-memory tally."""
    units, answers = _late_units(seed, n)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(_arrow, "PART_BYTES", part)
        patch.setattr(_arrow, "BLOCK_BYTES", block)
        patch.setattr(ikm_csv, "CHUNK_CHARS", part)
        path = _file(Path(folder) / "skm.csv", rubric, units, answers)
        for engine in ("python", "pyarrow") if HAVE_ARROW else ("python",):
            _same(_read(rubric, path, engine), memory)


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("engine", ENGINES)
def test_weights_moments_and_breakdown_over_parts(
    rubric: pe.Rubric, tmp_path: Path, engine: str
) -> None:
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
        found = _read(rubric, path, engine, weight_column="bobot", by=by, moments=True)
        assert found.unit_ids.tolist() == memory.unit_ids.tolist()  # in order of appearance
        assert np.array_equal(found.answered, memory.answered)
        np.testing.assert_allclose(found.wsum, memory.wsum, rtol=1e-12)
        scale = np.abs(memory.moments).max()
        np.testing.assert_allclose(found.moments, memory.moments, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("engine", ENGINES)
def test_quoted_units_across_part_ends(rubric: pe.Rubric, tmp_path: Path, engine: str) -> None:
    """Quoted units with commas and quotes, and non-ASCII ones, are read whole in any part."""
    rng = np.random.default_rng(4)
    names = ["kel, a", 'kel "b"', "kel-c", "kelurahan é", "kel-éé"]
    units = [names[k] for k in rng.integers(0, len(names), 600)]
    answers = rng.integers(1, 5, (600, 9)).astype(float)
    path = _file(tmp_path / "skm.csv", rubric, units, answers)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(_read(rubric, path, engine), memory)


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("engine", ["python", "auto"])
def test_line_breaks_inside_quoted_units(rubric: pe.Rubric, tmp_path: Path, engine: str) -> None:
    """A quoted unit with a line break in it is never cut between parts (the tally is exact)."""
    rng = np.random.default_rng(6)
    names = ["kel\nsatu", "kel-dua", '"kel"\ntiga']
    units = [names[k] for k in rng.integers(0, len(names), 400)]
    answers = rng.integers(1, 5, (400, 9)).astype(float)
    path = _file(tmp_path / "skm.csv", rubric, units, answers)
    memory = ikm.tally(ikm.Responses.from_arrays(rubric, answers=answers, unit=units),
                       moments=False)  # fmt: skip
    _same(ikm.read_csv(rubric, path, engine=engine), memory)


def test_row_end_skips_line_breaks_inside_quotes() -> None:
    """A part ends at the last line break outside quotes; none outside quotes: 0."""
    assert _arrow._row_end(b'a,1\n"x\ny",2\n"p\nq') == len(b'a,1\n"x\ny",2\n')
    assert _arrow._row_end(b'a,1\n"x""\ny') == len(b"a,1\n")  # "" is an escaped quote
    assert _arrow._row_end(b'"x\ny') == 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cell", ["0", "-1", "-128", "5", "127", "128", "255", "256", "1e0"])
def test_cells_off_the_small_scale_are_named(
    rubric: pe.Rubric, tmp_path: Path, cell: str, engine: str
) -> None:
    """Answers off 1..4 (also ones that wrap around a byte) raise the standard engine's error."""
    rows = [
        "unit," + ",".join(rubric.leaf_ids),
        "kel-a" + ",3" * 9,
        "kel-a,3,,2" + ",4" * 5 + "," + cell,
    ]
    path = tmp_path / "skm.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ObservationError, match=r"1 problem\(s\): row 3, unsur 'sarana'"):
        ikm.read_csv(rubric, path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_scale_from_zero(tmp_path: Path, engine: str) -> None:
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
    _same(_read(rubric, path, engine), memory)
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8") + "kel-1" + ",11" * len(rubric.leaf_ids) + "\n",
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(ObservationError, match=r"'11' is off the scale 0..10"):
        ikm.read_csv(rubric, bad, engine="auto" if engine == "pyarrow" else engine)


@ARROW
def test_an_empty_line_is_named_by_both_engines(rubric: pe.Rubric, tmp_path: Path) -> None:
    """An empty line between rows is one problem for either engine (pyarrow does not skip it)."""
    path = tmp_path / "skm.csv"
    path.write_text("unit," + ",".join(rubric.leaf_ids) + "\nkel-a" + ",3" * 9 + "\n\nkel-b"
                    + ",4" * 9 + "\n", encoding="utf-8")  # fmt: skip
    for engine in ("python", "pyarrow"):
        with pytest.raises(ObservationError, match=r"1 problem\(s\): row 3: 0 field\(s\)"):
            ikm.read_csv(rubric, path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("quoted", [False, True])
def test_padded_answers_and_empty_units(
    rubric: pe.Rubric, tmp_path: Path, engine: str, quoted: bool
) -> None:
    """' 3', '3 ' and '03' read as 3; empty units are named by row, plain lines or quoted alike."""
    unit = '"kel-a"' if quoted else "kel-a"  # a quote sends the lines through the csv module
    rows = [unit + ",4,4,4,4,4,4,4,4,4", unit + ", 3,3 ,03,3,3,3,3,3,3", "kel-b,2" + ",2" * 8]
    path = tmp_path / "skm.csv"
    path.write_text("\n".join(["unit," + ",".join(rubric.leaf_ids), *rows]) + "\n",
                    encoding="utf-8")  # fmt: skip
    result = ikm.compute(rubric, ikm.read_csv(rubric, path, engine=engine))
    # kel-a: (4 + 3) / 2 = 3.5 on every unsur; kel-b: 2
    assert result.unit_ids.tolist() == ["kel-a", "kel-b"]
    assert result.nrr.tolist() == [[3.5] * 9, [2.0] * 9]
    path.write_text(path.read_text(encoding="utf-8") + " ,1" + ",1" * 8 + "\n,2" + ",2" * 8 + "\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(ObservationError, match=r"2 problem\(s\): row 5: no unit \(column 1\); "
                       r"row 6: no unit"):  # fmt: skip
        ikm.read_csv(rubric, path, engine=engine)
