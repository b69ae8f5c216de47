"""Shared fixtures: a small valid rubric document and quiet loading of bundled rubrics."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ProvisionalRubricWarning

# the package's public submodules (everything else under it is private)
PUBLIC_SUBMODULES = (
    "agreement", "decisions", "exceptions", "ikm", "plot", "report", "results", "schema", "typing",
)  # fmt: skip
BUNDLED_IDS = [
    "bps-indeks-kebahagiaan-2017",
    "kepmenpan-25-2004-ikm",
    "permenpanrb-14-2017-ikm",
    "permenpanrb-17-2017",
    "permenpanrb-29-2022",
]

# A two-level rubric: aspect "a" (60 %) with relative points 2:1, aspect "b" (40 %).
MINI_YAML = textwrap.dedent(
    """\
    schema: 1
    id: mini
    title: Mini rubric
    regulation:
      name: Peraturan Contoh
      sources: ["made up for the tests"]
    status: verified
    scale: {min: 0, max: 5}
    rounding: {digits: 2, mode: half_up}
    grades:
      - {code: A, min: 4.51, label: Prima}
      - {code: B, min: 3.01, label: Baik}
      - {code: F, min: 0, label: Gagal}
    criteria:
      - id: a
        name: Aspek A
        weight: 60%
        weighting: relative
        criteria:
          - {id: a1, name: Satu, weight: 2, levels: {0: Tidak ada, 5: Lengkap}}
          - {id: a2, name: Dua, weight: 1}
      - id: b
        name: Aspek B
        weight: 40%
    """
)


def load_quietly(source: str | Path) -> pe.Rubric:
    """Load a rubric, ignoring the provisional warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        return pe.load_rubric(source)


@pytest.fixture
def write_rubric(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "rubric.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def mini() -> pe.Rubric:
    """The small two-level rubric of MINI_YAML."""
    return pe.parse_rubric(MINI_YAML, source="mini.yaml")


@pytest.fixture(scope="session")
def rubric_17() -> pe.Rubric:
    """The bundled PermenPANRB 17/2017 rubric."""
    return load_quietly("permenpanrb-17-2017")


@pytest.fixture(scope="session")
def rubric_ikm() -> pe.Rubric:
    """The bundled PermenPANRB 14/2017 IKM rubric."""
    return load_quietly("permenpanrb-14-2017-ikm")


TWO_LEVEL = textwrap.dedent(
    """\
    schema: 1
    id: two-level
    title: Two-level test rubric
    regulation: {name: made up for the tests}
    status: verified
    scale: {min: 0, max: 5}
    rounding: {digits: 2, mode: half_up}
    grades:
      - {code: A, min: 4.51, label: Prima}
      - {code: B, min: 3.51, label: Baik}
      - {code: C, min: 2.51, label: Cukup}
      - {code: D, min: 0, label: Kurang}
    criteria:
      - id: A
        name: Aspek A
        weight: 60%
        weighting: relative
        criteria:
          - {id: a1, name: Satu, weight: 2}
          - {id: a2, name: Dua, weight: 1}
      - id: B
        name: Aspek B
        weight: 40%
        weighting: equal
        criteria:
          - {id: b1, name: Tiga}
          - {id: b2, name: Empat}
    """
)

# (unit, visit, a1, a2, b1, b2)
VISITS = [
    ("u1", "1", 4, 3, 5, 4), ("u1", "2", 5, 3, 4, 4),
    ("u2", "1", 3, 2, 3, 2), ("u2", "2", 3, 4, 3, 3),
    ("u3", "1", 5, 5, 5, 4), ("u3", "2", 5, 4, 5, 5),
]  # fmt: skip
UNITS = [pe.Unit("u1", "Satu", "kel"), pe.Unit("u2", "Dua", "kel"), pe.Unit("u3", "Tiga", "pkm")]


@pytest.fixture
def rubric() -> pe.Rubric:
    """The two-level rubric: A 60 % (a1:a2 = 2:1), B 40 % (b1, b2 equal)."""
    return pe.parse_rubric(TWO_LEVEL)


def observations(rubric: pe.Rubric, rows: list[tuple] = VISITS) -> pe.Observations:  # type: ignore[type-arg]
    records = [
        dict(zip(("unit", "visit", "a1", "a2", "b1", "b2"), row, strict=True)) for row in rows
    ]
    return pe.Observations.from_records(rubric, records)
