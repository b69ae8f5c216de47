"""The rapor's sections on how sure the result is and on the assessors' agreement."""

from __future__ import annotations

import html
import re

import pelayanan_eval as pe
from pelayanan_eval import agreement, decisions, report


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_rapor_shows_certainty_and_agreement_when_given(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With uncertainty and agreement results the rapor adds both sections, with the unit's own figures."""
    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    found = decisions.uncertainty(ev, city.observations, replicates=300, rng=3)
    agreed = (agreement.coefficients(city.observations, n_boot=0),
              agreement.disagreements(city.observations))  # fmt: skip
    plain = _text(report.rapor(ev, "kelurahan-06"))
    assert "Seberapa pasti" not in plain and "Kesepakatan para penilai" not in plain
    both = _text(report.rapor(ev, "kelurahan-06", uncertainty=found, agreement=agreed, locale="en"))
    unit = found.unit("kelurahan-06")
    assert f"rank {unit.rank_low:g}–{unit.rank_high:g} (90 % interval)" in both
    flagged = [p["criterion"] for p in agreed[1].to_records() if p["unit"] == "kelurahan-06"]
    assert "This unit's scores that differ by 2 levels or more" in both
    assert "all criteria) 0." in both and "[" not in both.split("all criteria)")[1][:8]
    assert all(str(c) in both for c in flagged)
    folder = report.write_reports(ev, tmp_path / "out", uncertainty=found, agreement=agreed,
                                  excel=False)  # fmt: skip
    assert "Seberapa pasti hasil ini" in (folder / "rapor").iterdir().__next__().read_text("utf-8")


def test_rapor_refuses_a_wrong_agreement_argument() -> None:
    """agreement= that is not the (coefficients, disagreements) pair is a clear OptionError."""
    import pytest

    city = pe.demo_city()
    ev = pe.evaluate(city.rubric, city.observations, units=city.units)
    with pytest.raises(pe.exceptions.OptionError, match=r"agreement= takes the pair"):
        report.rapor(
            ev, "kelurahan-06", agreement=agreement.coefficients(city.observations, n_boot=0)
        )  # type: ignore[arg-type]
