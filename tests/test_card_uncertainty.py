"""Report cards with the uncertainty of the decisions: rank interval and P(next grade)."""

from __future__ import annotations

import pelayanan_eval as pe
from pelayanan_eval import decisions


def test_card_carries_the_units_rank_interval_and_chance() -> None:
    """Each card shows its own unit's 90 % rank interval and P(next grade), not another's."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    found = decisions.uncertainty(ev, city.observations, replicates=400, rng=7)
    cards = ev.cards(uncertainty=found)
    for i, card in enumerate(cards):
        assert card.unit.id == str(ev.units.ids[i])
        assert card.rank_interval == (found.rank_low[i], found.rank_high[i])
        assert card.p_next_grade == found.p_next_grade[i]
        assert card.rank_interval[0] <= card.rank <= card.rank_interval[1]
    text = str(ev.card("kelurahan-06", uncertainty=found))
    assert "rank interval (90 %, from the visits)" in text
    assert "rank interval" not in str(ev.card("kelurahan-06"))


def test_card_refuses_another_evaluations_uncertainty() -> None:
    """Uncertainty of another evaluation (or not an uncertainty at all) is refused, not shown."""
    import pytest

    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    again = pe.evaluate(city.rubric, city.observations, units=city.units)
    other = decisions.uncertainty(again, city.observations, replicates=200, rng=1)
    for bad in (other, 5):
        with pytest.raises(pe.exceptions.OptionError, match=r"this very evaluation"):
            ev.card("kelurahan-06", uncertainty=bad)
