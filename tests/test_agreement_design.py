"""Assessor severity, disagreement flags, the visit-design report, bad input and the command."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval import agreement
from pelayanan_eval._cli.main import main
from pelayanan_eval.exceptions import ObservationError, OptionError


def _shifted_city(shift: float = 1.0) -> tuple[pe.Rubric, pe.Observations]:
    """Every unit visited by 'A' and by one of 'B'..'D'; A scores `shift` above the others."""
    city = pe.demo_city()
    rng = np.random.default_rng(5)
    n, leaves = 40, len(city.rubric.leaves)
    base = rng.integers(1, 4, size=(n, leaves)).astype(float)  # 1..3: room for +1 within 0..5
    values = np.repeat(base, 2, axis=0)
    values[0::2] += shift
    observer = np.array([x for i in range(n) for x in ("A", "BCD"[i % 3])])
    obs = pe.Observations.from_arrays(city.rubric, unit=np.repeat([f"u{i}" for i in range(n)], 2),
                                      values=values, observer=observer)  # fmt: skip
    return city.rubric, obs


def test_severity_of_a_shifted_assessor_is_the_shift() -> None:
    """An assessor whose scores are the others' + 1 has severity +1 on criteria and effect +1 apart."""
    _, obs = _shifted_city(1.0)
    found = agreement.severity(obs)
    position = found.raters.index("A")
    assert found.deviation[position] == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(np.delete(found.deviation, position), -1.0)
    assert np.allclose(found.by_criterion[position], 1.0)
    # the index moves by the sum of the leaf weights x 1 = 1 on a 0-5 index
    assert found.index_deviation[position] == pytest.approx(1.0, abs=1e-9)
    assert found.connected
    # effects sum to zero; A's effect minus any other is the shift
    assert found.effects.sum() == pytest.approx(0.0, abs=1e-9)
    assert found.effects[position] - found.effects[found.raters.index("B")] == pytest.approx(1.0)
    # the adjusted index removes the shift: both visits then give the same index
    records = found.to_records()
    assert records[position]["rater"] == "A" and records[position]["units"] == 40


def test_disconnected_design_is_reported() -> None:
    """Two groups of assessors that never share a unit form two connected parts."""
    rubric, _ = _shifted_city()
    values = np.full((4, len(rubric.leaves)), 3.0)
    values[1] = 4.0
    obs = pe.Observations.from_arrays(rubric, unit=["a", "a", "b", "b"], values=values,
                                      observer=["P", "Q", "R", "S"])  # fmt: skip
    found = agreement.severity(obs)
    assert not found.connected
    assert found.component.tolist() == [0, 0, 1, 1]
    assert "2 disconnected parts" in repr(found)


def test_flags_sorted_by_points_at_stake() -> None:
    """Pairs differing by 2+ levels come most index points at stake first (weight x difference)."""
    rubric, _ = _shifted_city()
    weights = rubric.leaf_weights
    heavy, light = int(np.argmax(weights)), int(np.argmin(weights))
    values = np.full((4, len(weights)), 3.0)
    values[1, light] = 0.0  # difference 3 on the lightest criterion
    values[3, heavy] = 1.0  # difference 2 on the heaviest
    obs = pe.Observations.from_arrays(rubric, unit=["a", "a", "b", "b"], values=values,
                                      observer=["P", "Q", "P", "Q"])  # fmt: skip
    found = agreement.disagreements(obs)
    stakes = [weights[heavy] * 2, weights[light] * 3]
    assert [p["criterion"] for p in found.pairs] == [rubric.leaf_ids[heavy], rubric.leaf_ids[light]]
    assert [p["stake"] for p in found.pairs] == pytest.approx(sorted(stakes, reverse=True))
    assert found.pairs[0]["scores"] == "visit 1 (P): 3, visit 2 (Q): 1"
    assert found.compared == 2 * len(weights)
    # a unit's visit indices: b differs by weights[heavy] * 2, listed when above the threshold
    wide = agreement.disagreements(obs, index_threshold=weights[heavy] * 2 - 1e-9)
    assert [u["unit"] for u in wide.units][:1] == ["b"]


def _every_warning() -> tuple[pe.Observations, list[pe.Unit]]:
    """A hand-made set with every design warning (named in each row's comment)."""
    rubric, _ = _shifted_city()
    rows = [  # unit, visit, observer, date
        ("k1", "1", "Ani", "2026-08-10"), ("k1", "2", "Budi", "2026-10-01"),  # as planned
        ("k2", "1", "Ani", "2026-08-10"), ("k2", "2", "Ani", "2026-08-20"),  # same assessor
        ("k3", "1", "Budi", "2026-08-12"),  # one visit only (visits, assessors)
        ("k4", "1", "Cici", "2026-07-01"), ("k4", "2", "Budi", "2026-09-01"),  # outside period
        ("k5", "1", "Cici", ""), ("k5", "2", "", "2026-09-03"),  # undated, no observer
        ("k6", "1", "Ani", "2026-09-01"), ("k6", "2", "Cici", "2026-09-04"),  # 3 days apart
    ]  # fmt: skip
    values = np.full((len(rows), len(rubric.leaves)), 3.0)
    obs = pe.Observations.from_arrays(
        rubric, unit=[r[0] for r in rows], visit=[r[1] for r in rows],
        observer=[r[2] for r in rows], date=[r[3] or None for r in rows], values=values,
    )  # fmt: skip
    units = [pe.Unit("k1", category="Kelurahan"), pe.Unit("k2", category="kelurahan "),
             pe.Unit("k3", category="kelurahan"), pe.Unit("k4", category="puskesmas"),
             pe.Unit("k5", category="puskesmas"), pe.Unit("k6", category="rsud")]  # fmt: skip
    return obs, units


def test_design_report_finds_every_warning() -> None:
    """The hand-made set triggers each check, naming exactly the units concerned."""
    obs, units = _every_warning()
    report = agreement.design_report(obs, units=units, period=("2026-08-01", "2026-10-31"),
                                     min_days=14)  # fmt: skip
    found = {f.check: f.units for f in report.findings}
    assert found == {
        "visits": ("k3",),
        "assessors": ("k2", "k3", "k5"),
        "same_assessor": ("k2",),
        "unknown_assessor": ("k5",),
        "outside_period": ("k4",),
        "undated": ("k5",),
        "days_between": ("k2", "k6"),
        # as typed, 'Kelurahan', 'kelurahan' and 'kelurahan ' are one-unit categories too
        "one_unit_category": ("k1", "k3", "k2", "k6"),
        "category_labels": ("k1", "k2", "k3"),
    }
    assert report.checks == tuple(found)  # in the documented order
    assert "'Kelurahan' / 'kelurahan' / 'kelurahan '" in str(report)
    assert report.workload["Ani"] == (4, 3)
    assert report.days.tolist()[:2] == [52.0, 10.0]
    assert len(report.to_records()) == 9 and len(report.to_pandas()) == 9
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.warn()
    assert [w.category for w in caught] == [agreement.DesignWarning] * 9
    assert str(caught[2].message).startswith("same_assessor: 1 unit(s)")


def test_require_turns_chosen_warnings_into_an_error() -> None:
    """require() raises only for the chosen checks, listing what they found."""
    obs, units = _every_warning()
    report = agreement.design_report(obs, units=units)
    with pytest.raises(ObservationError, match=r"same_assessor: 1 unit\(s\).*'k2'"):
        agreement.require(report, ["same_assessor"])
    agreement.require(report, ["outside_period"])  # no period given: nothing found
    with pytest.raises(OptionError, match="unknown design check 'same'"):
        report.raise_for("same")  # type: ignore[arg-type]


def test_design_report_on_the_demo_city() -> None:
    """The demo city: two visits by two assessors each, none outside Aug-Nov 2026."""
    city = pe.demo_city()
    report = agreement.design_report(city.observations, units=city.units,
                                     period=("2026-08-01", "2026-11-30"))  # fmt: skip
    assert report.ok and repr(report) == "<DesignReport: 70 units; no warnings>"
    assert set(report.visits.tolist()) == {2} and set(report.assessors.tolist()) == {2}
    assert sum(v for v, _ in report.workload.values()) == 140
    early = agreement.design_report(city.observations, period=("2026-08-01", "2026-10-31"))
    assert early.checks == ("outside_period",)


def test_bad_input_single_assessor_empty_observer_one_score() -> None:
    """One assessor, empty observers and units scored once are library errors naming the cause."""
    rubric, _ = _shifted_city()
    values = np.full((4, len(rubric.leaves)), 3.0)
    values[1] = 4.0
    one = pe.Observations.from_arrays(rubric, unit=["a", "a", "b", "b"], values=values,
                                      observer=["P"] * 4)  # fmt: skip
    with pytest.raises(ObservationError, match="at least two raters; every row has observer 'P'"):
        agreement.coefficients(one)
    blank = pe.Observations.from_arrays(rubric, unit=["a", "a", "b", "b"], values=values,
                                        observer=["P", "", "Q", ""])  # fmt: skip
    with pytest.raises(ObservationError, match=r"2 row\(s\) have an empty observer: rows 1; 3"):
        agreement.coefficients(blank)
    once = pe.Observations.from_arrays(rubric, unit=["a", "b", "c"], values=values[:3],
                                       observer=["P", "Q", "P"])  # fmt: skip
    with pytest.raises(ObservationError, match="no unit has two scores"):
        agreement.coefficients(once)
    with pytest.raises(OptionError, match="unknown rater field 'assessor'"):
        agreement.coefficients(one, by="assessor")  # type: ignore[arg-type]
    with pytest.raises(ObservationError, match=r"expected pelayanan_eval\.Observations"):
        agreement.coefficients([[1, 2]])  # type: ignore[arg-type]


def test_units_with_one_score_are_counted_as_dropped() -> None:
    """A unit visited once carries no pairable value: counted in 'single', the others kept."""
    rubric, _ = _shifted_city()
    values = np.array([[3.0], [4.0], [2.0], [2.0], [5.0]]).repeat(len(rubric.leaves), axis=1)
    obs = pe.Observations.from_arrays(rubric, unit=["a", "a", "b", "b", "c"], values=values,
                                      observer=["P", "Q", "P", "Q", "P"])  # fmt: skip
    table = agreement.coefficients(obs, n_boot=0)
    first = table.ids.index(rubric.leaf_ids[0])
    assert (int(table.units[first]), int(table.single[first])) == (2, 1)


def _write_city(folder: Path) -> tuple[Path, Path]:
    main(["demo", "--export", str(folder)])
    return folder / "observations.csv", folder / "units.csv"


def test_cli_agreement_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'agreement' prints the coefficients, severity, flags and design; JSON holds the same."""
    observations, units = _write_city(tmp_path)
    capsys.readouterr()
    args = ["agreement", "--rubric", "permenpanrb-17-2017", "--observations", str(observations),
            "--units", str(units), "--boot", "50"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Krippendorff's alpha, ordinal level" in out and "Severity by observer" in out
    assert "Re-check first:" in out and "no warnings" in out
    assert main([*args, "--format", "json", "--by", "visit"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coefficients"][-1]["criterion"] == "index"
    assert "icc_c1" in data["coefficients"][-1] and data["severity"][0]["rater"] == "1"
    assert main([*args, "--format", "csv", "--table", "flags"]) == 0
    assert capsys.readouterr().out.startswith("unit,criterion,name,low,high,difference,stake")


def test_cli_agreement_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A library error in 'agreement' is one error line and exit code 1."""
    observations, _ = _write_city(tmp_path)
    text = observations.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    column = header.index("observer")
    rows = [line.split(",") for line in text[1:]]
    for row in rows:
        row[column] = ""
    observations.write_text("\n".join([text[0], *(",".join(r) for r in rows)]) + "\n",
                            encoding="utf-8")  # fmt: skip
    capsys.readouterr()
    assert main(["agreement", "--rubric", "permenpanrb-17-2017", "--observations",
                 str(observations)]) == 1  # fmt: skip
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("error: agreement by observer: no row names its observer")


def test_summary_line_names_its_figures() -> None:
    """The one-line summary gives alpha with its interval, ICC(1) of the index and the flags."""
    city = pe.demo_city()
    line = agreement.summary(city.observations)
    table = agreement.coefficients(city.observations, icc=["ICC(1)"], n_boot=200, rng=0)
    assert f"all criteria) {table.value('index'):.2f} [95% " in line
    assert f"ICC(1) of the index {table.value('index', 'ICC(1)'):.2f}" in line
    assert f"{len(agreement.disagreements(city.observations).pairs)} score(s)" in line
    assert "\n" not in line


def test_results_export_records_frames_and_html() -> None:
    """Each result gives records, a DataFrame with the same rows, and an escaped HTML table."""
    city = pe.demo_city()
    obs = city.observations
    results = [
        agreement.coefficients(obs, n_boot=0),
        agreement.severity(obs),
        agreement.disagreements(obs),
        agreement.design_report(obs, period=("2026-08-01", "2026-10-31")),
    ]
    for result in results:
        records = result.to_records()
        frame = result.to_pandas()
        assert len(frame) == len(records) > 0
        assert list(frame.columns)[: len(records[0])] == list(records[0])[: len(frame.columns)]
        assert result._repr_html_().startswith("<table><caption>")
    unstable = results[2].units_to_pandas()
    assert list(unstable["unit"]) == [u["unit"] for u in results[2].units]


def test_value_of_a_form_not_computed_says_why() -> None:
    """Asking a table for a two-way form it could not compute raises with the design's reason."""
    table = agreement.coefficients(pe.demo_city().observations, n_boot=0)
    with pytest.raises(
        OptionError, match=r"ICC\(C,k\) was not computed: the design is not crossed"
    ):
        table.value("index", "ICC(C,k)")
    with pytest.raises(pe.exceptions.UnknownCriterionError, match="no agreement row 'indeks'"):
        table.value("indeks")


def test_design_report_takes_the_units_of_an_evaluation() -> None:
    """An evaluation's units table gives the same category findings as the list of units."""
    obs, units = _every_warning()
    values = np.full((len(obs), len(obs.rubric.leaves)), 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluation = pe.evaluate(obs.rubric, pe.Observations.from_arrays(
            obs.rubric, unit=obs.unit, values=values, visit=obs.visit), units=units)  # fmt: skip
    from_list = agreement.design_report(obs, units=units)
    from_evaluation = agreement.design_report(obs, units=evaluation)
    assert from_evaluation.findings == from_list.findings
