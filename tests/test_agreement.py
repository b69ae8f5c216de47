"""Agreement coefficients: published examples, independent implementations, properties."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import pelayanan_eval as pe
from pelayanan_eval import agreement
from pelayanan_eval.agreement._stats import f_quantile, t_quantile
from pelayanan_eval.exceptions import ObservationError, OptionError

NAN = np.nan
LEVELS = ("nominal", "ordinal", "interval", "ratio")

DATA = Path(__file__).parent / "data" / "agreement"


def _golden(name: str) -> dict[str, Any]:
    """Read a golden case (with its source) from tests/data/agreement."""
    case: dict[str, Any] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return case


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E, example C
KRIPPENDORFF_CASE = _golden("krippendorff-2011.yaml")
KRIPPENDORFF_2011 = np.array(KRIPPENDORFF_CASE["data"], dtype=float)  # None -> NaN
KRIPPENDORFF_PUBLISHED = KRIPPENDORFF_CASE["published"]

# Shrout & Fleiss (1979), Psychological Bulletin 86(2), Tables 2 and 4
SHROUT_FLEISS_CASE = _golden("shrout-fleiss-1979.yaml")
SHROUT_FLEISS = SHROUT_FLEISS_CASE["ratings"]
_NAMES = {"ICC(1,1)": "ICC(1)", "ICC(1,4)": "ICC(1,k)", "ICC(2,1)": "ICC(A,1)",
          "ICC(2,4)": "ICC(A,k)", "ICC(3,1)": "ICC(C,1)", "ICC(3,4)": "ICC(C,k)"}  # fmt: skip
SHROUT_FLEISS_PUBLISHED = {_NAMES[k]: v for k, v in SHROUT_FLEISS_CASE["published"].items()}


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_worked_example(level: str) -> None:
    """Krippendorff's (2011) example with missing values gives the published alpha at each level."""
    found = agreement.alpha(KRIPPENDORFF_2011, level)
    assert round(found.value, 3) == KRIPPENDORFF_PUBLISHED[level]
    # 11 pairable units hold 40 values (Krippendorff's n..); unit 12 has one value only
    case = KRIPPENDORFF_CASE
    assert (found.units, found.dropped, found.pairable) == (
        case["pairable_units"],
        1,
        case["pairable_values"],
    )


def test_krippendorff_2011_nominal_by_hand() -> None:
    """Nominal alpha of the example is 1 - (n - 1)(n - sum o_cc) / (n^2 - sum n_c^2) = 1 - 312/1216."""
    # matching pairs o_cc per unit, sum_c n_uc (n_uc - 1) / (m_u - 1): units 1-11 give
    # 3, 2, 4, 4, 4, 0, 4, 2, 4, 3, 2 = 32 of n = 40 pairable values;
    # n_c for values 1..5 = 9, 13, 10, 5, 3, so sum n_c^2 = 384
    expected = 1 - 39 * (40 - 32) / (40**2 - 384)
    assert agreement.alpha(KRIPPENDORFF_2011, "nominal").value == pytest.approx(expected, abs=1e-12)


def test_shrout_fleiss_table() -> None:
    """The six ICC forms of Shrout & Fleiss's (1979) table round to the published values."""
    found = agreement.icc(SHROUT_FLEISS)
    assert {form: round(value, 2) for form, value in found.value.items()} == (
        SHROUT_FLEISS_PUBLISHED
    )
    assert found.units == 6 and found.raters == 4 and not found.unsupported


def test_shrout_fleiss_icc1_by_hand() -> None:
    """ICC(1) = (BMS - WMS) / (BMS + 3 WMS) with Shrout & Fleiss's BMS 11.24, WMS 6.26."""
    # Shrout & Fleiss (1979) Table 3: BMS = 11.24, WMS = 6.26 (k = 4)
    bms, wms = SHROUT_FLEISS_CASE["anova"]["BMS"], SHROUT_FLEISS_CASE["anova"]["WMS"]
    expected = (bms - wms) / (bms + 3 * wms)
    assert agreement.icc(SHROUT_FLEISS).value["ICC(1)"] == pytest.approx(expected, abs=2e-3)


def _reliability_data(draw: st.DrawFn) -> np.ndarray:
    raters = draw(st.integers(2, 5))
    units = draw(st.integers(2, 30))
    values = draw(st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, NAN]),
                           min_size=raters * units, max_size=raters * units))  # fmt: skip
    return np.array(values).reshape(raters, units)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_alpha_equals_the_krippendorff_package(data: st.DataObject) -> None:
    """On random designs with missing scores, alpha equals the krippendorff package to 1e-12."""
    krippendorff = pytest.importorskip("krippendorff")
    table = data.draw(st.composite(_reliability_data)())
    for level in LEVELS:
        try:
            with np.errstate(all="ignore"):
                expected = krippendorff.alpha(table, level_of_measurement=level)
        except ValueError:  # the package refuses data without pairable values
            expected = NAN
        if not np.isfinite(expected):  # undefined: the package divides 0 by 0, we raise
            with pytest.raises(ObservationError, match="undefined"):
                agreement.alpha(table, level)
            continue
        found = agreement.alpha(table, level).value
        assert found == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(units=st.integers(3, 25), raters=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_icc_equals_pingouin_on_balanced_designs(units: int, raters: int, seed: int) -> None:
    """On complete crossed tables, the six ICCs equal pingouin's, and the intervals to 0.01."""
    pg = pytest.importorskip("pingouin")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    table = (
        rng.integers(0, 6, size=(units, raters)).astype(float) + rng.normal(0, 1, units)[:, None]
    )
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(units), raters),
            "rater": np.tile(np.arange(raters), units),
            "score": table.ravel(),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = pg.intraclass_corr(frame, "unit", "rater", "score").set_index("Type")
    names = {"ICC(1)": "ICC(1,1)", "ICC(1,k)": "ICC(1,k)", "ICC(A,1)": "ICC(A,1)",
             "ICC(A,k)": "ICC(A,k)", "ICC(C,1)": "ICC(C,1)", "ICC(C,k)": "ICC(C,k)"}  # fmt: skip
    found = agreement.icc(table)
    for form, theirs in names.items():
        assert found.value[form] == pytest.approx(expected.loc[theirs, "ICC"], abs=1e-10)
        # pingouin rounds its bounds to 2 decimals; where scipy's F quantile fails on a tiny
        # Satterthwaite df (degenerate negative ICC(A,.) on 3 units) it gives NaN: not compared
        for ours, theirs_bound in zip((found.low[form], found.high[form]),
                                      expected.loc[theirs, "CI95"], strict=True):  # fmt: skip
            if np.isfinite(theirs_bound):
                assert ours == pytest.approx(theirs_bound, abs=0.0051)


@pytest.mark.parametrize("p, d1, d2", [(0.975, 5, 18), (0.975, 18, 5), (0.9, 1, 3),
                                      (0.995, 99, 2000), (0.6, 2.5, 7.3)])  # fmt: skip
def test_f_quantile_equals_scipy(p: float, d1: float, d2: float) -> None:
    """The F quantile (incomplete beta, inverted) equals scipy.stats.f.ppf."""
    stats = pytest.importorskip("scipy.stats")
    assert float(f_quantile(p, d1, d2)) == pytest.approx(stats.f.ppf(p, d1, d2), rel=1e-10)
    assert float(t_quantile(p, d2)) == pytest.approx(stats.t.ppf(p, d2), rel=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_perfect_agreement_gives_one(level: str) -> None:
    """Raters who give every unit the same score agree perfectly: alpha 1."""
    row = [1, 2, 3, 4, 5, 2]
    assert agreement.alpha([row, row, row], level).value == 1.0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_permuting_raters_or_units_changes_nothing(seed: int) -> None:
    """Alpha at every level is the same after permuting raters (rows) or units (columns)."""
    rng = np.random.default_rng(seed)
    table = rng.integers(0, 6, size=(3, 12)).astype(float)
    table[rng.random(table.shape) < 0.2] = NAN
    table[:, 0] = [1.0, 2.0, 3.0]  # at least one pairable unit with variation
    for level in LEVELS:
        base = agreement.alpha(table, level).value
        assert agreement.alpha(table[rng.permutation(3)], level).value == pytest.approx(base)
        assert agreement.alpha(table[:, rng.permutation(12)], level).value == pytest.approx(base)


def test_shift_lowers_interval_alpha_but_not_consistency_icc() -> None:
    """Adding 1 to one rater lowers interval alpha and ICC(A,1) but leaves ICC(C,1) unchanged."""
    base = np.array([[1.0, 2.0, 3.0, 4.0, 2.0, 3.0], [1.0, 3.0, 3.0, 4.0, 1.0, 3.0]])
    shifted = base.copy()
    shifted[1] += 1
    assert agreement.alpha(shifted, "interval").value < agreement.alpha(base, "interval").value
    before, after = agreement.icc(base.T), agreement.icc(shifted.T)
    assert after.value["ICC(C,1)"] == pytest.approx(before.value["ICC(C,1)"], abs=1e-12)
    assert after.value["ICC(A,1)"] < before.value["ICC(A,1)"]


def test_bootstrap_interval_is_reproducible_and_brackets_alpha() -> None:
    """The bootstrap interval is the same for the same seed and contains the estimate."""
    first = agreement.alpha(KRIPPENDORFF_2011, "interval", n_boot=500, rng=7)
    again = agreement.alpha(KRIPPENDORFF_2011, "interval", n_boot=500,
                            rng=np.random.default_rng(7))  # fmt: skip
    assert (first.low, first.high) == (again.low, again.high)
    assert first.low <= first.value <= first.high <= 1.0


def test_alpha_undefined_is_an_error_naming_the_cause() -> None:
    """All scores identical: alpha is undefined, said in an ObservationError, never NaN."""
    with pytest.raises(ObservationError, match="every pairable score is 3"):
        agreement.alpha([[3, 3, 3], [3, 3, 3]])
    with pytest.raises(ObservationError, match="no unit has two scores"):
        agreement.alpha([[1, NAN], [NAN, 2]])
    with pytest.raises(ObservationError, match="icc: undefined: every score is 3"):
        agreement.icc([[3, 3], [3, 3], [3, NAN]])


def test_unknown_level_is_refused() -> None:
    """An unknown level of measurement is an OptionError listing the four levels."""
    with pytest.raises(OptionError, match=r"unknown level of measurement 'ordnial'.*ordinal"):
        agreement.alpha(KRIPPENDORFF_2011, "ordnial")  # type: ignore[arg-type]


def test_two_way_forms_refused_with_missing_cells() -> None:
    """A table with a missing cell gets the one-way forms only, with the reason for the others."""
    table = np.array(SHROUT_FLEISS, dtype=float)
    table[0, 0] = NAN
    found = agreement.icc(table)
    assert set(found.value) == {"ICC(1)", "ICC(1,k)"}
    assert "1 unit(s) lack a score" in found.unsupported["ICC(A,1)"]


def test_demo_city_table_by_observer_and_by_visit() -> None:
    """The demo city (two assessors of six per unit) supports one-way ICCs by observer, all by visit."""
    obs = pe.demo_city().observations
    by_observer = agreement.coefficients(obs, n_boot=0)
    assert set(by_observer.icc) == {"ICC(1)", "ICC(1,k)"}
    assert "not crossed" in by_observer.unsupported["ICC(C,1)"]
    by_visit = agreement.coefficients(obs, by="visit", n_boot=0)
    assert set(by_visit.icc) == {"ICC(1)", "ICC(1,k)", "ICC(A,1)", "ICC(A,k)", "ICC(C,1)",
                                 "ICC(C,k)"}  # fmt: skip
    # alpha does not depend on who the raters are
    assert np.array_equal(by_visit.alpha, by_observer.alpha, equal_nan=True)
    leaf = obs.rubric.leaf_ids[0]
    column = obs.values[:, 0].reshape(-1, 2).T  # two visits per unit, stored in unit order
    assert by_visit.value(leaf) == pytest.approx(agreement.alpha(column).value, abs=1e-12)
    pairs = obs.values.reshape(-1, 2, obs.values.shape[1]).transpose(1, 0, 2).reshape(2, -1)
    assert by_visit.value("index") == pytest.approx(agreement.alpha(pairs).value, abs=1e-12)
    records = by_visit.to_records()
    assert records[-1]["criterion"] == "index" and "icc_a1_low" in records[-1]
    assert len(by_visit.to_pandas()) == len(by_visit)
    assert "<table>" in by_visit._repr_html_()


def test_two_way_form_on_uncrossed_design_is_refused() -> None:
    """Asking for ICC(A,1) by observer on the demo city (not crossed) is an OptionError."""
    with pytest.raises(OptionError, match=r"ICC\(A,1\) need a fully crossed design"):
        agreement.coefficients(pe.demo_city().observations, icc=["ICC(A,1)"], n_boot=0)


def test_undefined_rows_warn_and_are_named() -> None:
    """A criterion every visit scored the same warns AgreementWarning naming it; alpha NaN + note."""
    city = pe.demo_city()
    values = city.observations.values.copy()
    values[:, 0] = 3.0
    obs = pe.Observations.from_arrays(city.rubric, unit=city.observations.unit, values=values,
                                      observer=city.observations.observer)  # fmt: skip
    leaf = city.rubric.leaf_ids[0]
    with pytest.warns(agreement.AgreementWarning, match=f"{leaf}: every pairable score is 3"):
        table = agreement.coefficients(obs, n_boot=0)
    assert np.isnan(table.value(leaf))
    assert table.to_records()[table.ids.index(leaf)]["note"].startswith("every pairable")


def test_alpha_at_another_level_equals_a_new_table() -> None:
    """alpha_at(level) from the stored coincidences equals coefficients() at that level."""
    obs = pe.demo_city().observations
    table = agreement.coefficients(obs, icc=None, n_boot=0)
    for level in LEVELS:
        again = agreement.coefficients(obs, level=level, icc=None, n_boot=0)  # type: ignore[arg-type]
        assert np.allclose(table.alpha_at(level), again.alpha, atol=1e-12, rtol=0)  # type: ignore[arg-type]


def test_pooled_bootstrap_resamples_service_units() -> None:
    """The index row's interval (units drawn with all their criteria) brackets alpha and is seeded."""
    obs = pe.demo_city().observations
    first = agreement.coefficients(obs, icc=None, n_boot=300, rng=3)
    again = agreement.coefficients(obs, icc=None, n_boot=300, rng=3)
    assert np.array_equal(first.alpha_low, again.alpha_low)
    low, high = first.alpha_low[-1], first.alpha_high[-1]
    assert low < first.value("index") < high
    # pooling 37 criteria narrows the interval against any single criterion's
    assert high - low < np.min(first.alpha_high[:-1] - first.alpha_low[:-1])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_observations_in_another_order_give_the_same_table(seed: int) -> None:
    """Shuffling the visits (units and rows in another order) leaves alpha and ICCs unchanged."""
    obs = pe.demo_city().observations
    order = np.random.default_rng(seed).permutation(len(obs))
    shuffled = pe.Observations.from_arrays(
        obs.rubric, unit=obs.unit[order], values=obs.values[order], visit=obs.visit[order],
        observer=obs.observer[order],
    )  # fmt: skip
    base = agreement.coefficients(obs, by="visit", n_boot=0)
    again = agreement.coefficients(shuffled, by="visit", n_boot=0)
    assert np.allclose(base.alpha, again.alpha, atol=1e-12, rtol=0)
    for form, values in base.icc.items():
        assert np.allclose(values, again.icc[form], atol=1e-10, rtol=0), form
