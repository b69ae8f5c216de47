"""IKM (PermenPANRB 14/2017, Kepmenpan 25/2004): hand-worked examples, conventions, bands, sizes."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval import ikm
from pelayanan_eval.exceptions import MissingScoreError, ObservationError, OptionError
from tests.conftest import load_quietly

# Five respondents x nine unsur (U1..U9), worked by hand:
FIVE = np.array(
    [
        [3, 3, 3, 3, 3, 3, 3, 3, 3],
        [4, 4, 4, 4, 4, 4, 4, 4, 4],
        [3, 4, 2, 3, 3, 4, 4, 3, 3],
        [2, 3, 3, 4, 3, 3, 4, 3, 2],
        [4, 3, 3, 4, 4, 3, 4, 4, 3],
    ],
    dtype=np.uint8,
)
# column sums 16 17 15 18 17 17 19 17 15 -> NRR 3.2 3.4 3.0 3.6 3.4 3.4 3.8 3.4 3.0, sum 30.2
NRR = [3.2, 3.4, 3.0, 3.6, 3.4, 3.4, 3.8, 3.4, 3.0]


@pytest.fixture(scope="module")
def rubric() -> pe.Rubric:
    """The bundled 14/2017 IKM rubric (9 unsur, 1-4, x25)."""
    return load_quietly("permenpanrb-14-2017-ikm")


def responses(
    rubric: pe.Rubric, answers: np.ndarray, unit: list[str] | None = None
) -> ikm.Responses:
    return ikm.Responses.from_arrays(rubric, answers=answers, unit=unit or ["kel-a"] * len(answers))


def test_five_respondents_exact_weights(rubric: pe.Rubric) -> None:
    """Exact 1/9: IKM = 30.2 / 9 = 3.35556; x25 = 83.889 -> 83.89 -> B Baik."""
    result = ikm.compute(rubric, responses(rubric, FIVE))
    np.testing.assert_allclose(result.nrr[0], NRR, rtol=0, atol=1e-12)
    assert result.index[0] == pytest.approx(30.2 / 9, abs=1e-12)
    assert result.reported[0] == pytest.approx(30.2 / 9 * 25, abs=1e-10)
    assert result.rounded.tolist() == [83.89]
    assert (result.grades[0], result.grade_labels[0]) == ("B", "Baik")
    assert result.respondents.tolist() == [5]
    assert result.conventions.weights == "as in the rubric (equal)"


def test_five_respondents_printed_0111(rubric: pe.Rubric) -> None:
    """Printed 0,111: IKM = 30.2 x 0.111 = 3.3522; x25 = 83.805 -> 83.81 (half up) -> B."""
    result = ikm.compute(rubric, responses(rubric, FIVE), weights="printed")
    assert result.index[0] == pytest.approx(3.3522, abs=1e-12)
    assert result.rounded.tolist() == [83.81]
    np.testing.assert_allclose(result.nrr_weighted[0], np.array(NRR) * 0.111, atol=1e-12)
    assert result.conventions.unsur_weights == (0.111,) * 9
    same = ikm.compute(rubric, responses(rubric, FIVE), weights=0.111)
    assert same.rounded.tolist() == [83.81]


def test_rounding_conventions(rubric: pe.Rubric) -> None:
    """Rounding the weighted sum first: exact 3.35556 -> 3.36 -> x25 = 84.00; 0,11 -> 3.322 -> 83.05."""
    exact = ikm.compute(rubric, responses(rubric, FIVE), round_ikm=2)
    assert exact.index.tolist() == [3.36] and exact.rounded.tolist() == [84.0]
    eleven = ikm.compute(rubric, responses(rubric, FIVE), weights=0.11, round_ikm=3)
    assert eleven.index.tolist() == [3.322] and eleven.rounded.tolist() == [83.05]
    rounded_nrr = ikm.compute(rubric, responses(rubric, FIVE), round_nrr=0)
    # NRR to whole numbers: 3 3 3 4 3 3 4 3 3 -> 29 / 9 = 3.2222 -> 80.56
    assert rounded_nrr.rounded.tolist() == [80.56]
    assert (exact.conventions.round_ikm, rounded_nrr.conventions.round_nrr) == (2, 0)


def test_kepmenpan_2004_fourteen_unsur_at_0071() -> None:
    """14 unsur (U10-U14 repeat U1-U5): NRR sum 46.8 x 0.071 = 3.3228 -> 83.07 -> A Sangat Baik."""
    old = load_quietly("kepmenpan-25-2004-ikm")
    answers = np.concatenate([FIVE, FIVE[:, :5]], axis=1)
    result = ikm.compute(old, ikm.Responses.from_arrays(old, answers=answers, unit=["u"] * 5))
    assert result.index[0] == pytest.approx(46.8 * 0.071, abs=1e-12)
    assert result.rounded.tolist() == [83.07]
    assert (result.grades[0], result.grade_labels[0]) == ("A", "Sangat Baik")
    exact = ikm.compute(old, ikm.Responses.from_arrays(old, answers=answers, unit=["u"] * 5),
                        weights="exact")  # fmt: skip
    # 46.8 / 14 = 3.342857 -> 83.5714 -> 83.57
    assert exact.rounded.tolist() == [83.57]


@pytest.mark.parametrize(
    ("threes", "fours", "rounded", "mutu", "kinerja"),
    [(59, 41, 85.25, "B", "Baik"), (4, 16, 95.0, "A", "Sangat Baik")],
)
def test_published_examples(
    rubric: pe.Rubric, threes: int, fours: int, rounded: float, mutu: str, kinerja: str
) -> None:
    """IKM 3.41 -> 85.25 B Baik; 3.80 -> 95.00 A Sangat Baik (DESIGN.md's examples)."""
    answers = np.array([[3] * 9] * threes + [[4] * 9] * fours, dtype=np.uint8)
    result = ikm.compute(rubric, responses(rubric, answers))
    assert (result.rounded[0], result.grades[0], result.grade_labels[0]) == (rounded, mutu, kinerja)


@pytest.mark.parametrize(
    ("table", "value", "code"),
    [
        ("permenpanrb-14-2017", 64.99, "D"), ("permenpanrb-14-2017", 65.00, "C"),
        ("permenpanrb-14-2017", 76.60, "C"), ("permenpanrb-14-2017", 76.61, "B"),
        ("permenpanrb-14-2017", 88.30, "B"), ("permenpanrb-14-2017", 88.31, "A"),
        ("permenpanrb-14-2017", 76.6049, "C"), ("permenpanrb-14-2017", 76.605, "B"),
        ("kepmenpan-25-2004", 43.75, "D"), ("kepmenpan-25-2004", 43.76, "C"),
        ("kepmenpan-25-2004", 62.50, "C"), ("kepmenpan-25-2004", 62.51, "B"),
        ("kepmenpan-25-2004", 81.25, "B"), ("kepmenpan-25-2004", 81.26, "A"),
        ("minerba-1-4", 2.59, "D"), ("minerba-1-4", 2.60, "C"), ("minerba-1-4", 3.06, "C"),
        ("minerba-1-4", 3.07, "B"), ("minerba-1-4", 3.53, "B"), ("minerba-1-4", 3.54, "A"),
    ],
)  # fmt: skip
def test_every_band_table_edge(table: str, value: float, code: str) -> None:
    """Every printed edge of every shipped band table, on both sides."""
    assert ikm.BAND_TABLES[table].grade([value]).tolist() == [code]


def test_alternative_band_table_changes_the_category(rubric: pe.Rubric) -> None:
    """NI 3.0645 is B under the regulation but C under Minerba's rounded 1-4 cut-offs."""
    # 10000 respondents: 6450 answer 3 and 3550 answer 4?  -> 3.355; use two unsur values instead:
    answers = np.array([[3] * 9] * 9355 + [[4] * 9] * 645, dtype=np.uint8)  # NRR 3.0645
    data = responses(rubric, answers)
    assert ikm.compute(rubric, data).grades.tolist() == ["B"]  # 76.6125 -> 76.61 -> B
    assert ikm.compute(rubric, data, bands="minerba-1-4").grades.tolist() == ["C"]  # 3.06 -> C


def test_krejcie_morgan_table() -> None:
    """The printed Krejcie & Morgan rows (rounded to nearest, not up)."""
    populations = [10, 15, 100, 220, 300, 500, 1200, 2000, 2800, 9000]
    expected = [10, 14, 80, 140, 169, 217, 291, 322, 338, 368]
    assert ikm.sample_size(populations).tolist() == expected
    assert ikm.sample_size(1200) == 291


def test_sample_size_bad_population() -> None:
    """A population of 0 or a fraction is refused."""
    with pytest.raises(OptionError, match="whole numbers >= 1"):
        ikm.sample_size([0, 10.5])


def test_adequacy_flags(rubric: pe.Rubric) -> None:
    """With populations 5 and 100 the 5 respondents are enough for the first only (5 vs 80)."""
    answers = np.concatenate([FIVE, FIVE])
    data = responses(rubric, answers, ["a"] * 5 + ["b"] * 5)
    result = ikm.compute(rubric, data, population=[5, 100])
    assert result.required.tolist() == [5, 80]  # type: ignore[union-attr]
    assert result.adequate.tolist() == [True, False]  # type: ignore[union-attr]


def test_unanswered_items_and_empty_respondents(rubric: pe.Rubric) -> None:
    """0 = no answer: left out of that unsur's mean; an all-blank respondent is dropped and counted."""
    answers = np.vstack([FIVE, np.zeros(9, dtype=np.uint8)])
    answers[0, 0] = 0  # U1 now 4+3+2+4 = 13 over 4 = 3.25
    result = ikm.compute(rubric, responses(rubric, answers))
    assert result.nrr[0, 0] == pytest.approx(3.25)
    assert result.answered[0, 0] == 4
    assert (result.respondents[0], result.empty[0]) == (5, 1)


def test_pooled_versus_mean_rollup(rubric: pe.Rubric) -> None:
    """Unit a: 1 respondent all 4; unit b: 3 respondents all 2. Pooled 2.5, mean of IKMs 3.0."""
    answers = np.array([[4] * 9] + [[2] * 9] * 3, dtype=np.uint8)
    result = ikm.compute(rubric, responses(rubric, answers, ["a", "b", "b", "b"]))
    pooled = result.rollup(["opd", "opd"], "pooled")
    mean = result.rollup(["opd", "opd"], "mean")
    assert pooled.index.tolist() == [pytest.approx(2.5)] and pooled.respondents.tolist() == [4]
    assert mean.index.tolist() == [pytest.approx(3.0)]


def test_bad_answers(rubric: pe.Rubric) -> None:
    """Answers off the 1-4 scale and non-integers are refused with row and unsur."""
    five = FIVE.copy()
    five[2, 4] = 5
    with pytest.raises(
        ObservationError,
        match=r"answers outside the scale: row 2, unsur 'produk': 5 \(scale 1\.\.4\)",
    ):
        responses(rubric, five)
    with pytest.raises(ObservationError, match=r"answers must be whole numbers; 1 respondent\(s\)"):
        responses(rubric, np.full((1, 9), 3.5))


def test_unknown_unsur_and_bad_cells(rubric: pe.Rubric) -> None:
    """Records: an unknown column is named with a suggestion; a word in a cell with row and column."""
    row = {"unit": "a", **{leaf: "3" for leaf in rubric.leaf_ids}}
    with pytest.raises(
        ObservationError,
        match=r"column 'persyaratn' is not an unsur .* \(did you mean 'persyaratan'\?\)",
    ):
        ikm.Responses.from_records(rubric, [{**row, "persyaratn": "3"}])
    with pytest.raises(
        ObservationError, match=r"r\.csv row 3, column 'biaya': must be a number, got 'murah'"
    ):
        ikm.Responses.from_records(
            rubric, [row, {**row, "biaya": "murah"}], source="r.csv", first_row=2
        )


def test_empty_unit_and_missing_unsur(rubric: pe.Rubric) -> None:
    """A listed unit with no respondents, and an unsur nobody answered, are errors."""
    data = ikm.Responses.from_arrays(
        rubric, answers=FIVE, unit=np.zeros(5, dtype=int), unit_ids=["a", "b"]
    )
    with pytest.raises(ObservationError, match=r"without any answered questionnaire: 'b'"):
        ikm.compute(rubric, data)
    blank = FIVE.copy()
    blank[:, 2] = 0
    with pytest.raises(
        MissingScoreError, match=r"1 unit x unsur pair\(s\) nobody answered .*kel-a: waktu"
    ):
        ikm.compute(rubric, responses(rubric, blank))
    # renormalize: U3 left out, weights re-spread: (30.2 - 3.0) / 8 = 3.4
    assert ikm.compute(rubric, responses(rubric, blank), missing="renormalize").index[
        0
    ] == pytest.approx(3.4)


def test_long_form_matches_wide(rubric: pe.Rubric) -> None:
    """Long-form answers build the same matrix as the wide one."""
    rows, cols = np.nonzero(FIVE)
    long = ikm.Responses.from_long(
        rubric, unit=["kel-a"] * len(rows), respondent=rows,
        item=np.array(rubric.leaf_ids)[cols], answer=FIVE[rows, cols],
    )  # fmt: skip
    np.testing.assert_array_equal(long.answers, FIVE)


def test_questionnaire_lists_items_and_labels(rubric: pe.Rubric) -> None:
    """The form lists the nine unsur with their four answer labels."""
    text = ikm.questionnaire(rubric)
    assert text.count("- [ ] 1.") == 9
    assert "**Biaya/Tarif**" in text and "- [ ] 4. Gratis" in text


def test_normal_interval_by_hand(rubric: pe.Rubric) -> None:
    """All-3 and all-4 respondents in equal numbers: se of the mean is 0.5/sqrt(n-1)*... by hand."""
    answers = np.array([[3] * 9] * 50 + [[4] * 9] * 50, dtype=np.uint8)
    result = ikm.compute(rubric, responses(rubric, answers))
    interval = result.interval(method="normal")
    # each respondent's score y is 3 or 4 (sd 0.5 with ddof 0); var of the mean = 0.25 / 100 * 100/99
    se = np.sqrt(0.25 / 100 * 100 / 99) * 25
    assert interval.se[0] == pytest.approx(se, rel=1e-9)
    assert interval.lower[0] == pytest.approx(87.5 - 1.959964 * se, rel=1e-6)


def test_bootstrap_covers_at_nominal_rate(rubric: pe.Rubric) -> None:
    """Simulation, seed 7: 300 units of 100 respondents; 95 % intervals cover the true IKM in 90-99 %.

    Each respondent answers every unsur 1-4 with probabilities 0.1/0.2/0.4/0.3, so the true
    IKM is 2.9 (72.5). The binomial sd of coverage over 300 units is 1.3 points.
    """
    rng = np.random.default_rng(7)
    units = 300
    answers = rng.choice(
        np.arange(1, 5, dtype=np.uint8), size=(units * 100, 9), p=[0.1, 0.2, 0.4, 0.3]
    )
    data = ikm.Responses.from_arrays(rubric, answers=answers, unit=np.repeat(np.arange(units), 100),
                                     unit_ids=np.arange(units))  # fmt: skip
    interval = ikm.compute(rubric, data).interval(n_boot=400, rng=rng)
    covered = np.mean((interval.lower <= 72.5) & (interval.upper >= 72.5))
    assert 0.90 <= covered <= 0.99
    normal = ikm.compute(rubric, data).interval(method="normal")
    assert 0.90 <= np.mean((normal.lower <= 72.5) & (normal.upper >= 72.5)) <= 0.99


def test_bootstrap_interval_shrinks_with_respondents(rubric: pe.Rubric) -> None:
    """Four times the respondents roughly halve the interval width (seeded)."""
    rng = np.random.default_rng(11)
    widths = []
    for n in (100, 400):
        answers = rng.choice(np.arange(1, 5, dtype=np.uint8), size=(n, 9), p=[0.1, 0.2, 0.4, 0.3])
        interval = ikm.compute(rubric, responses(rubric, answers)).interval(n_boot=500, rng=rng)
        widths.append(float(interval.upper[0] - interval.lower[0]))
    assert 0.35 < widths[1] / widths[0] < 0.65


def test_target_gap_and_probability(rubric: pe.Rubric) -> None:
    """Target 3.80 (95.00): a unit at 3.41 is 9.75 points short and almost surely below it."""
    answers = np.array([[3] * 9] * 59 + [[4] * 9] * 41, dtype=np.uint8)
    check = ikm.compute(rubric, responses(rubric, answers)).target(3.80)
    assert check.gap[0] == pytest.approx(95.0 - 85.25)
    assert check.p_reached[0] < 1e-6
    assert check.target == 95.0


def test_from_nrr_reproduces_compute(rubric: pe.Rubric) -> None:
    """Published NRRs give the same IKM as the answers behind them (and keep no counts)."""
    result = ikm.from_nrr(rubric, NRR, unit_ids=["kel-a"])
    assert result.rounded.tolist() == [83.89] and result.respondents is None
    by_name = ikm.from_nrr(rubric, dict(zip(rubric.leaf_ids, NRR, strict=True)), weights=0.111)
    assert by_name.rounded.tolist() == [83.81]


def test_round_weighted_by_hand(rubric: pe.Rubric) -> None:
    """Each NRR x 0,111 rounded to 2 decimals: 0.36 0.38 0.33 0.40 0.38 0.38 0.42 0.38 0.33 = 3.36."""
    # 3.2 x 0.111 = 0.3552 -> 0.36; 3.4 -> 0.3774 -> 0.38; 3.0 -> 0.333 -> 0.33; 3.6 -> 0.3996 -> 0.40
    # 3.8 -> 0.4218 -> 0.42; sum 0.36 + 0.38*4 + 0.33*2 + 0.40 + 0.42 = 3.36 -> x25 = 84.00
    result = ikm.from_nrr(rubric, NRR, weights=0.111, round_weighted=2)
    np.testing.assert_allclose(
        result.nrr_weighted[0], [0.36, 0.38, 0.33, 0.40, 0.38, 0.38, 0.42, 0.38, 0.33]
    )
    assert result.index.tolist() == [pytest.approx(3.36)] and result.rounded.tolist() == [84.0]
    assert result.conventions.round_weighted == 2


def test_weights_errors_name_the_argument(rubric: pe.Rubric) -> None:
    """Bad printed weights and incomplete mappings are OptionErrors about the argument."""
    with pytest.raises(
        OptionError, match=r"printed weights must be positive and sum to 1 within 2%; got 0\.071"
    ):
        ikm.from_nrr(rubric, NRR, weights=0.071)
    with pytest.raises(OptionError, match=r"gives every unsur a weight; missing: 'prosedur'"):
        ikm.from_nrr(
            rubric, NRR, weights={leaf: 0.111 for leaf in rubric.leaf_ids if leaf != "prosedur"}
        )


def test_nrr_off_the_scale(rubric: pe.Rubric) -> None:
    """An NRR of 4.2 on a 1-4 scale is refused, naming the unsur."""
    with pytest.raises(
        OptionError,
        match=r"nrr row 0, unsur 'persyaratan': 4\.2 is outside the answer scale 1\.\.4",
    ):
        ikm.from_nrr(rubric, [4.2, *NRR[1:]])


def test_population_and_groups_by_unit_id(rubric: pe.Rubric) -> None:
    """Per-unit inputs may be mappings by unit id instead of arrays in unit_ids order."""
    data = responses(rubric, np.concatenate([FIVE, FIVE]), ["b"] * 5 + ["a"] * 5)
    result = ikm.compute(rubric, data, population={"a": 5, "b": 100})
    # units in order of first appearance; Krejcie-Morgan: 5 of 5 needed for a, 80 of 100 for b
    assert result.unit_ids.tolist() == ["b", "a"] and result.adequate.tolist() == [False, True]  # type: ignore[union-attr]
    assert result.rollup({"a": "opd", "b": "opd"}, "pooled").respondents.tolist() == [10]  # type: ignore[union-attr]
    with pytest.raises(OptionError, match=r"population: no entry for unit\(s\) 'b'"):
        ikm.compute(rubric, data, population={"a": 5})


def test_interval_needs_answers(rubric: pe.Rubric) -> None:
    """Intervals on a mean roll-up or on published NRRs say why they cannot be computed."""
    result = ikm.compute(rubric, responses(rubric, FIVE))
    with pytest.raises(OptionError, match="intervals need the respondents' answers"):
        result.rollup(["x"], "mean").interval(method="normal")
    with pytest.raises(OptionError, match="intervals need the respondents' answers"):
        ikm.from_nrr(rubric, NRR).interval()


def test_scale_errors_name_the_file_row(rubric: pe.Rubric) -> None:
    """From records, an answer off the scale names the source and its row."""
    row = {"unit": "a", **{leaf: "3" for leaf in rubric.leaf_ids}}
    with pytest.raises(ObservationError, match=r"r\.csv row 3, unsur 'waktu': 7 \(scale 1\.\.4\)"):
        ikm.Responses.from_records(
            rubric, [row, {**row, "waktu": "7"}], source="r.csv", first_row=2
        )


def test_response_records_must_be_mappings(rubric: pe.Rubric) -> None:
    """A survey record that is not a mapping is named with its row."""
    with pytest.raises(
        ObservationError, match=r"records row 0: expected a mapping of column to value, got list"
    ):
        ikm.Responses.from_records(rubric, [[3] * 9])


def test_response_records_refuse_a_zero(rubric: pe.Rubric) -> None:
    """In a table a 0 is not "no answer" (that is an empty cell): it is named as an error."""
    row = {"unit": "a", **{leaf: "3" for leaf in rubric.leaf_ids}}
    with pytest.raises(
        ObservationError,
        match=r"r\.csv row 3, column 'waktu': answer 0 is on no answer scale \(leave the cell "
        r"empty for no answer\)",
    ):
        ikm.Responses.from_records(rubric, [row, {**row, "waktu": "0"}], source="r.csv",
                                   first_row=2)  # fmt: skip
    blank = ikm.Responses.from_records(rubric, [row, {**row, "waktu": ""}])
    assert blank.answers[1].tolist() == [3, 3, 0, 3, 3, 3, 3, 3, 3]


def test_from_nrr_refuses_true_false_and_text() -> None:
    """ikm.from_nrr refuses True/False and text as NRRs instead of reading them as 1.0."""
    from pelayanan_eval.exceptions import OptionError

    rubric = load_quietly("permenpanrb-14-2017-ikm")
    with pytest.raises(OptionError, match=r"nrr must be numbers.*True/False"):
        ikm.from_nrr(rubric, [True] + [3.0] * 8)
    with pytest.raises(OptionError, match=r"nrr must be numbers.*text"):
        ikm.from_nrr(rubric, ["3,4"] + [3.0] * 8)


def test_from_nrr_mapping_values_are_checked_and_default_ids_are_text() -> None:
    """A mapping with a text or None NRR is a library error; rows are named "0", "1", ..."""
    from pelayanan_eval.exceptions import OptionError

    rubric = load_quietly("permenpanrb-14-2017-ikm")
    with pytest.raises(OptionError, match=r"nrr must be numbers.*text"):
        ikm.from_nrr(rubric, {"persyaratan": "3,4"})
    with pytest.raises(OptionError, match=r"nrr must be numbers.*None"):
        ikm.from_nrr(rubric, {"persyaratan": None})
    assert ikm.from_nrr(rubric, [[3.0] * 9, [4.0] * 9]).unit_ids.tolist() == ["0", "1"]
