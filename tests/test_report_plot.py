"""The matplotlib figures of pelayanan_eval.plot draw the evaluation's own numbers."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import OptionError, UnknownUnitError
from tests.conftest import load_quietly

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pelayanan_eval import plot  # noqa: E402


@pytest.fixture(scope="module")
def evaluation() -> pe.Evaluation:
    """The demo city, evaluated."""
    city = pe.demo_city()
    return pe.evaluate(city.rubric, city.observations, units=city.units)


@pytest.fixture(autouse=True)
def _close() -> object:
    """Close the figures each test opens."""
    yield None
    plt.close("all")


def test_grades_counts_each_band(evaluation: pe.Evaluation) -> None:
    """The bar of each band is the number of units with that grade (counted here with Counter)."""
    ax = plot.grades(evaluation)
    counted = Counter(evaluation.grades.tolist())
    bands = [b.code for b in evaluation.rubric.grades.bands]
    assert [bar.get_height() for bar in ax.patches] == [counted.get(code, 0) for code in bands]


def test_ranking_is_best_first_with_band_lines(evaluation: pe.Evaluation) -> None:
    """A category's bars are its published indices, best first; one dashed line per band."""
    ax = plot.ranking(evaluation, "puskesmas", ax=plt.figure().add_subplot())
    inside = evaluation.rounded[evaluation.units.categories == "puskesmas"]
    assert [bar.get_width() for bar in ax.patches] == sorted(inside.tolist(), reverse=True)
    assert len(ax.lines) == len(evaluation.rubric.grades.bands)
    with pytest.raises(OptionError, match=r"no units in category 'Puskesmas' \(did you mean"):
        plot.ranking(evaluation, "Puskesmas")


def test_aspects_uses_the_card(evaluation: pe.Evaluation) -> None:
    """The three series are the card's scores, category means and bests."""
    card = evaluation.card("opd-02")
    ax = plot.aspects(evaluation, "opd-02")
    widths = [[bar.get_width() for bar in c] for c in ax.containers]
    assert widths == [[a.score for a in card.aspects], [a.category_mean for a in card.aspects],
                      [a.category_best for a in card.aspects]]  # fmt: skip


def test_ikm_unsur_bars_are_the_nrr() -> None:
    """Each bar is the unit's NRR of one unsur; the interval band is drawn when given."""
    rubric = load_quietly("permenpanrb-14-2017-ikm")
    rng = np.random.default_rng(1)
    answers = rng.integers(1, 5, (40, len(rubric.leaves)))
    responses = pe.ikm.Responses.from_arrays(rubric, answers=answers, unit=["a"] * 20 + ["b"] * 20)
    result = pe.ikm.compute(rubric, responses)
    interval = result.interval(method="normal")
    ax = plot.ikm_unsur(result, "b", interval=interval)
    assert [bar.get_height() for bar in ax.patches[: len(rubric.leaves)]] == pytest.approx(
        answers[20:].mean(axis=0)
    )
    assert len(ax.patches) == len(rubric.leaves) + 1  # the bars and the interval's band
    with pytest.raises(UnknownUnitError, match="no unit 'c'"):
        plot.ikm_unsur(result, "c")
