"""evaluate(..., design=...): chosen visit-design checks become errors naming the units."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ObservationError, OptionError
from tests.conftest import TWO_LEVEL

RUBRIC = pe.parse_rubric(TWO_LEVEL)


def visits(observer: list[str]) -> pe.Observations:
    return pe.Observations.from_arrays(
        RUBRIC, unit=["u1", "u1", "u2", "u2"], values=np.full((4, 4), 3.0),
        visit=[1, 2, 1, 2], observer=observer,
    )  # fmt: skip


def test_same_assessor_twice_is_an_error_when_chosen() -> None:
    """u2 visited twice by assessor A: refused under design=['same_assessor'], named."""
    obs = visits(["A", "B", "A", "A"])
    assert len(pe.evaluate(RUBRIC, obs).index) == 2  # not checked unless asked
    with pytest.raises(ObservationError, match=r"same_assessor: .*'u2'"):
        pe.evaluate(RUBRIC, obs, design=["same_assessor"])


def test_category_slip_is_an_error_when_chosen() -> None:
    """'Kelurahan' beside 'kelurahan' is refused under design=['category_labels']."""
    obs = visits(["A", "B", "B", "A"])
    units = [pe.Unit("u1", "Satu", "kelurahan"), pe.Unit("u2", "Dua", "Kelurahan")]
    with pytest.raises(ObservationError, match=r"category_labels: .*Kelurahan"):
        pe.evaluate(RUBRIC, obs, units=units, design=["category_labels"])


def test_a_clean_design_passes_every_check() -> None:
    """Two visits by two different assessors everywhere: design=[] (every check) passes."""
    obs = visits(["A", "B", "B", "A"])
    units = [pe.Unit("u1", "Satu", "kel"), pe.Unit("u2", "Dua", "kel")]
    ev = pe.evaluate(RUBRIC, obs, units=units, design=["same_assessor", "assessors", "visits"])
    assert ev.index.tolist() == [3.0, 3.0]


def test_unknown_design_check() -> None:
    """A typo in a check name is an OptionError with the valid names."""
    with pytest.raises(OptionError, match=r"unknown design check 'same_asessor'"):
        pe.evaluate(RUBRIC, visits(["A", "B", "B", "A"]), design=["same_asessor"])  # type: ignore[list-item]


def test_design_must_be_a_list_of_names() -> None:
    """A bare name or a number for design= is an OptionError saying a list is expected."""
    obs = visits(["A", "B", "B", "A"])
    for bad in ("same_assessor", 5):
        with pytest.raises(OptionError, match=r"design must be a list of check names"):
            pe.evaluate(RUBRIC, obs, design=bad)  # type: ignore[arg-type]
