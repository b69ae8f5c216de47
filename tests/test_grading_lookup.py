"""Grading many values through a table of every rounded value gives the bands of the search."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval._rubric.grading import LOOKUP_SIZE, Rounding, grade_values
from pelayanan_eval.exceptions import ProvisionalRubricWarning


def load(rubric_id: str) -> pe.Rubric:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        return pe.load_rubric(rubric_id)


@pytest.mark.parametrize("mode", ["half_up", "half_even"])
@pytest.mark.parametrize("rubric_id", ["permenpanrb-17-2017", "permenpanrb-14-2017-ikm"])
def test_table_and_search_agree(rubric_id: str, mode: str) -> None:
    """Every hundredth, the ties between them and the printed gaps: the same bands either way."""
    rubric = load(rubric_id)
    low, high = rubric.index_range
    factor = rubric.conversion.factor
    hundredths = np.arange(round(low * factor * 100), round(high * factor * 100) + 1) / 100
    edges = np.concatenate([hundredths, hundredths + 0.005, hundredths - 0.0049,
                            [76.60, 76.605, 76.6049, 76.61, 88.305, 64.995]])  # fmt: skip
    values = np.clip(edges, low * factor, high * factor) / factor
    values = np.resize(values, max(LOOKUP_SIZE, len(values)) + 7)  # large enough for the table
    rounding = Rounding(2, mode)
    table = grade_values(values, rubric.grades, rounding, factor=factor)
    one_by_one = [
        grade_values(v, rubric.grades, rounding, factor=factor).positions.item()
        for v in values[:: max(1, len(values) // 5000)].tolist()
    ]
    assert table.positions[:: max(1, len(values) // 5000)].tolist() == one_by_one
    search = rubric.grades.positions(rounding.apply(values * factor))
    np.testing.assert_array_equal(table.positions, search)


def test_blank_values_with_the_table() -> None:
    """NaN among many values gets no band (position -1) with the table as with the search."""
    rubric = load("permenpanrb-17-2017")
    values = np.linspace(0, 5, LOOKUP_SIZE + 1)
    values[[3, 500]] = np.nan
    graded = grade_values(values, rubric.grades, rubric.rounding, nan="blank")
    assert graded.positions[3] == -1 and graded.positions[500] == -1
    assert graded.codes[-1] == "A" and graded.codes[0] == "F"
