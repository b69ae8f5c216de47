"""Building observations and units: every kind of bad input gets a clear library error."""

from __future__ import annotations

import numpy as np
import pytest

import pelayanan_eval as pe
from pelayanan_eval.exceptions import ObservationError, OptionError, UnknownUnitError
from tests.conftest import TWO_LEVEL, UNITS, VISITS, observations


def row(**scores: object) -> dict[str, object]:
    return {"unit": "u1", "visit": "1", "a1": 4, "a2": 3, "b1": 5, "b2": 4, **scores}


def test_unknown_criterion_column(rubric: pe.Rubric) -> None:
    """A column that is no criterion is named, with the closest id."""
    with pytest.raises(
        ObservationError,
        match=r"records: column 'a11' is not a criterion of 'two-level' \(did you mean 'a1'\?\)",
    ):
        pe.Observations.from_records(rubric, [row(a11=4)])


def test_score_outside_scale(rubric: pe.Rubric) -> None:
    """A 6 on a 0-5 scale names the row, the column and the value."""
    with pytest.raises(
        ObservationError,
        match=r"records row 1, column 'b1': score 6\.0 is outside the scale 0\.\.5",
    ):
        pe.Observations.from_records(rubric, [row(), row(visit="2", b1=6)])


def test_score_not_a_number(rubric: pe.Rubric) -> None:
    """A word in a score cell is reported with row and column."""
    with pytest.raises(
        ObservationError, match=r"obs\.csv row 2, column 'a2': must be a number, got 'tiga'"
    ):
        pe.Observations.from_records(rubric, [row(a2="tiga")], source="obs.csv", first_row=2)


def test_decimal_comma_and_blank_cells(rubric: pe.Rubric) -> None:
    """'3,5' reads as 3.5 (Indonesian decimal comma); an empty cell is 'not scored'."""
    obs = pe.Observations.from_records(rubric, [row(a1="3,5", a2="")])
    assert obs.values[0, 0] == 3.5 and np.isnan(obs.values[0, 1])


def test_row_without_unit(rubric: pe.Rubric) -> None:
    """A row with no unit is named."""
    with pytest.raises(ObservationError, match=r"records row 0: no unit"):
        pe.Observations.from_records(rubric, [row(unit="")])


def test_observation_for_unknown_unit(rubric: pe.Rubric) -> None:
    """Observations of a unit missing from units are named, with a suggestion."""
    obs = pe.Observations.from_records(rubric, [row(unit="u9")])
    with pytest.raises(ObservationError, match=r"observations for unit\(s\) not in units: 'u9'"):
        pe.evaluate(rubric, obs, units=UNITS)


def test_same_unit_visit_twice(rubric: pe.Rubric) -> None:
    """The same (unit, visit) twice is an error naming both rows, in records and in arrays."""
    with pytest.raises(
        ObservationError, match=r"obs\.csv row 3: unit 'u1' visit '1' again \(first at row 2\)"
    ):
        pe.Observations.from_records(rubric, [row(), row()], source="obs.csv", first_row=2)
    with pytest.raises(
        ObservationError,
        match=r"the same \(unit, visit\) appears more than once: unit 'u1' visit '1' \(rows \[0, 1\]\)",
    ):
        pe.Observations.from_arrays(
            rubric, unit=["u1", "u1"], values=np.full((2, 4), 3.0), visit=["1", "1"]
        )


def test_all_bad_cells_reported_together(rubric: pe.Rubric) -> None:
    """A word in one cell and a score off the scale in another come back in one error."""
    with pytest.raises(
        ObservationError,
        match=r"row 0, column 'a2': must be a number.*row 1, column 'b1': score 9\.0",
    ):
        pe.Observations.from_records(rubric, [row(a2="x"), row(visit="2", b1=9)])


def test_unit_without_observations(rubric: pe.Rubric) -> None:
    """A unit listed in units but never observed is an error, not a silent NaN."""
    with pytest.raises(
        ObservationError,
        match=r"unit\(s\) without observations: 'u2', 'u3'|unit\(s\) without observations: 'u2'; 'u3'",
    ):
        pe.evaluate(rubric, observations(rubric, VISITS[:2]), units=UNITS)


def test_empty_observation_set(rubric: pe.Rubric) -> None:
    """No rows at all is an error."""
    with pytest.raises(ObservationError, match="the set is empty"):
        pe.Observations.from_records(rubric, [])
    with pytest.raises(ObservationError, match="the set is empty"):
        pe.Observations.from_arrays(rubric, unit=[], values=np.zeros((0, 4)))


def test_mismatched_array_shapes(rubric: pe.Rubric) -> None:
    """from_arrays checks the values shape against units and leaves, and each column."""
    with pytest.raises(ObservationError, match=r"values has shape \(2, 3\), expected \(2, 4\)"):
        pe.Observations.from_arrays(rubric, unit=["a", "b"], values=np.zeros((2, 3)))
    with pytest.raises(ObservationError, match=r"visit has shape \(3,\), expected \(2,\)"):
        pe.Observations.from_arrays(
            rubric, unit=["a", "b"], values=np.zeros((2, 4)), visit=[1, 2, 3]
        )


def test_values_not_numbers(rubric: pe.Rubric) -> None:
    """Text in the values matrix is reported, not a numpy traceback."""
    with pytest.raises(ObservationError, match="values must be numbers"):
        pe.Observations.from_arrays(rubric, unit=["a"], values=[["x", 1, 2, 3]])


def test_arrays_out_of_scale_named(rubric: pe.Rubric) -> None:
    """from_arrays names the row, unit and criterion of a score off the scale."""
    values = np.full((2, 4), 3.0)
    values[1, 2] = -1
    with pytest.raises(
        ObservationError, match=r"row 1 \(unit 'b'\), criterion 'b1': score -1\.0 is outside"
    ):
        pe.Observations.from_arrays(rubric, unit=["a", "b"], values=values)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"aggregate": "average"}, r"unknown aggregation 'average'; valid: mean, median"),
        (
            {"missing": "skip"},
            r"unknown missing policy 'skip'; valid: error, renormalize, scale_min",
        ),
        (
            {"order": "visit_first"},
            r"unknown order 'visit_first' \(did you mean 'visits_first'\?\)",
        ),
        ({"missing": "renormalize", "min_coverage": 2}, r"min_coverage must be between 0 and 1"),
        ({"min_coverage": 0.8}, r"min_coverage applies to missing='renormalize' only, not to "),
    ],
)
def test_unknown_options_list_valid_ones(
    rubric: pe.Rubric, option: dict[str, object], message: str
) -> None:
    """Each bad option names the valid values."""
    with pytest.raises(OptionError, match=message):
        pe.evaluate(rubric, observations(rubric), **option)  # type: ignore[arg-type]


def test_unknown_tie_method(rubric: pe.Rubric) -> None:
    """An unknown tie method lists min, dense, average, ordinal."""
    ev = pe.evaluate(rubric, observations(rubric))
    with pytest.raises(
        OptionError, match=r"unknown tie method 'first'; valid: min, dense, average, ordinal"
    ):
        ev.rank(ties="first")


def test_card_unknown_unit(rubric: pe.Rubric) -> None:
    """card() for an unknown unit names it and suggests the closest."""
    ev = pe.evaluate(rubric, observations(rubric), units=UNITS)
    with pytest.raises(UnknownUnitError, match=r"no unit 'u11' \(did you mean 'u1'\?\)"):
        ev.card("u11")


def test_observations_of_another_rubric(rubric: pe.Rubric) -> None:
    """A rubric with other leaves is refused, naming the leaves that differ."""
    other = pe.parse_rubric(TWO_LEVEL.replace("id: b2", "id: b3").replace("two-level", "other"))
    with pytest.raises(
        ObservationError,
        match=r"criteria of rubric 'two-level', which differ from those of 'other': "
        r"not in 'other': 'b2'; only in 'other': 'b3'",
    ):
        pe.evaluate(other, observations(rubric))


def test_weight_variant_evaluates_the_same_observations(rubric: pe.Rubric) -> None:
    """Observations depend on leaves and scales: a with_weights variant evaluates them as they are."""
    obs = observations(rubric)
    other = rubric.with_weights({"A": "50%", "B": "50%"})
    # u1: A = (2 * 4.5 + 3) / 3 = 4, B = (4.5 + 4) / 2 = 4.25; 50/50 gives 4.125
    assert pe.evaluate(other, obs).index[0] == pytest.approx(4.125)
    assert obs.rubric is rubric


def test_rescaled_rubric_is_refused(rubric: pe.Rubric) -> None:
    """Same leaves on another scale: the error names each leaf and both scales."""
    other = pe.parse_rubric(TWO_LEVEL.replace("scale: {min: 0, max: 5}", "scale: {min: 1, max: 4}")
                            .replace("min: 4.51", "min: 3.9").replace("min: 3.51", "min: 3.5")
                            .replace("min: 2.51", "min: 2.5").replace("min: 0, label", "min: 1, label"))  # fmt: skip
    with pytest.raises(ObservationError, match=r"scales differ: 'a1' 0\.\.5 here, 1\.\.4 in"):
        pe.evaluate(other, observations(rubric))


def test_duplicate_unit_ids() -> None:
    """Two units with one id are refused."""
    with pytest.raises(ObservationError, match="duplicate unit id"):
        pe.Units.from_units([pe.Unit("a"), pe.Unit("a")])


def test_from_observations_and_long_agree(rubric: pe.Rubric) -> None:
    """The hand-made, record and long-form constructors build the same matrix."""
    made = pe.Observations.from_observations(rubric, [
        pe.Observation("u1", {"a1": 4, "a2": 3, "b1": 5, "b2": 4}, visit="1"),
        pe.Observation("u1", {"a1": 5, "a2": None, "b1": 4, "b2": 4}, visit="2"),
    ])  # fmt: skip
    long = pe.Observations.from_long(
        rubric,
        unit=["u1"] * 7,
        visit=["1", "1", "1", "1", "2", "2", "2"],
        criterion=["a1", "a2", "b1", "b2", "a1", "b1", "b2"],
        value=[4, 3, 5, 4, 5, 4, 4],
    )
    np.testing.assert_array_equal(made.values, long.values)


def test_long_form_errors(rubric: pe.Rubric) -> None:
    """Long form: unknown criterion ids and repeated cells are named."""
    with pytest.raises(ObservationError, match=r"unknown criterion id\(s\) 'c1'"):
        pe.Observations.from_long(rubric, unit=["u"], criterion=["c1"], value=[1])
    with pytest.raises(ObservationError, match=r"given more than once, e\.g\. rows \[0, 1\]"):
        pe.Observations.from_long(rubric, unit=["u", "u"], criterion=["a1", "a1"], value=[1, 2])


def test_callers_arrays_stay_writable(rubric: pe.Rubric) -> None:
    """from_arrays copies what it keeps: the caller's arrays are neither frozen nor shared."""
    unit = np.array(["u1", "u2"])
    visit = np.array([1, 1])
    values = np.full((2, 4), 3.0)
    obs = pe.Observations.from_arrays(rubric, unit=unit, values=values, visit=visit)
    assert unit.flags.writeable and visit.flags.writeable and values.flags.writeable
    values[0, 0] = 5.0
    assert obs.values[0, 0] == 3.0
    assert not obs.values.flags.writeable


def test_rows_stored_grouped_by_unit(rubric: pe.Rubric) -> None:
    """Shuffled input is stored grouped by unit; input_rows maps back; errors cite input rows."""
    values = np.arange(12.0).reshape(3, 4) % 6
    obs = pe.Observations.from_arrays(rubric, unit=["b", "a", "b"], values=values)
    assert obs.unit_ids.tolist() == ["b", "a"]  # in order of first appearance
    assert obs.unit.tolist() == ["b", "b", "a"]
    assert obs.input_rows.tolist() == [0, 2, 1]  # type: ignore[union-attr]
    np.testing.assert_array_equal(obs.values, values[[0, 2, 1]])
    assert obs.visit.tolist() == [1, 2, 1]  # numbered within each unit in input order
    with pytest.raises(ObservationError, match=r"unit 'b' visit 1 \(rows \[0, 2\]\)"):
        pe.Observations.from_arrays(rubric, unit=["b", "a", "b"], values=values, visit=[1, 1, 1])


def test_factorize_text_matches_numpy_unique() -> None:
    """The hashed text factorisation gives numpy.unique's labels and codes (sizes above 4096)."""
    from pelayanan_eval._common.arrays import factorize

    rng = np.random.default_rng(3)
    words = np.array(["", "a", "ab", "ba", "kel-01", "kel-10", "Kelurahan Mrican", "x" * 40])
    labels = words[rng.integers(0, len(words), 20_000)]
    labels = np.char.add(labels, rng.integers(0, 50, 20_000).astype(str))
    uniques, codes = factorize(labels)
    expected_uniques, expected_codes = np.unique(labels, return_inverse=True)
    np.testing.assert_array_equal(uniques, expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)


def test_records_must_be_mappings(rubric: pe.Rubric) -> None:
    """A record that is not a mapping is named, not a TypeError from deep inside."""
    with pytest.raises(
        ObservationError, match=r"records row 1: expected a mapping of column to value, got int"
    ):
        pe.Observations.from_records(rubric, [row(), 7])


def test_demo_city_seed_checked() -> None:
    """demo_city() refuses a seed that is not a whole number."""
    with pytest.raises(OptionError, match=r"seed must be a whole number >= 0, got 'x'"):
        pe.demo_city(seed="x")  # type: ignore[arg-type]


def test_checks_span_every_block_of_large_input(rubric: pe.Rubric) -> None:
    """Rows are checked block by block: a NaN or a bad score in a later block is still found."""
    n = 100_000  # blocks of 32,768 rows for a 4-leaf rubric: the last one partial
    rng = np.random.default_rng(5)
    unit = np.char.add("u", (rng.permutation(n) // 2).astype(str))  # shuffled, 2 rows per unit
    values = np.full((n, 4), 3.0)
    assert pe.Observations.from_arrays(rubric, unit=unit, values=values).complete
    values[99_000, 1] = np.nan
    obs = pe.Observations.from_arrays(rubric, unit=unit, values=values)
    assert not obs.complete
    assert np.isnan(obs.values).sum() == 1
    values[70_001, 3] = 7.0
    with pytest.raises(
        ObservationError,
        match=rf"^row 70001 \(unit '{unit[70_001]}'\), criterion 'b2': score 7\.0 is outside",
    ):
        pe.Observations.from_arrays(rubric, unit=unit, values=values)


def test_complete_when_built_directly(rubric: pe.Rubric) -> None:
    """Calling the class itself derives unit_ids, unit_codes and complete from the columns."""
    values = np.array([[3.0, np.nan, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0]])
    obs = pe.Observations(
        rubric,
        unit=np.array(["b", "a"]),
        values=values,
        visit=np.array([1, 1]),
        observer=np.array(["", ""]),
        date=np.full(2, np.datetime64("NaT"), dtype="datetime64[D]"),
    )
    assert obs.unit_ids.tolist() == ["b", "a"]  # in order of first appearance
    assert obs.unit_codes.tolist() == [0, 1]
    assert obs.complete is False


@pytest.mark.parametrize(
    "labels",
    [
        [7, 3, 3, -2, 7, 10],  # small integers, negative, with gaps: counted, not sorted
        [10**12, 5, 10**12, -(10**12)],  # a wide range falls back to sorting
        [2.5, np.nan, 2.5, -1.0, np.nan],  # floats, NaN as one label (as numpy.unique)
        [True, False, True],
    ],
)
def test_factorize_matches_numpy_unique(labels: list[object]) -> None:
    """Every path of factorize gives numpy.unique's labels and codes."""
    from pelayanan_eval._common.arrays import factorize

    uniques, codes = factorize(np.array(labels))
    expected_uniques, expected_codes = np.unique(np.array(labels), return_inverse=True)
    np.testing.assert_array_equal(uniques, expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == np.intp


def test_evolve_derives_afresh(rubric: pe.Rubric) -> None:
    """attrs.evolve() with new values or units recomputes completeness and unit codes."""
    import attrs

    obs = pe.Observations.from_arrays(rubric, unit=["a", "b"], values=np.full((2, 4), 3.0))
    holes = np.full((2, 4), 3.0)
    holes[1, 0] = np.nan
    changed = attrs.evolve(obs, values=holes)
    assert obs.complete and not changed.complete
    with pytest.raises(pe.exceptions.MissingScoreError, match=r"b: a1"):
        pe.evaluate(rubric, changed)
    renamed = attrs.evolve(obs, unit=np.array(["x", "y"]))
    assert renamed.unit_ids.tolist() == ["x", "y"]


def test_small_integer_labels_of_any_width(rubric: pe.Rubric) -> None:
    """int8 visit labels spanning more than int8 can hold as a difference are still counted."""
    visits = np.array([-100, 100, -100, 100], dtype=np.int8)
    obs = pe.Observations.from_arrays(
        rubric, unit=["a", "a", "b", "b"], values=np.full((4, 4), 3.0), visit=visits
    )
    assert obs.visit.tolist() == [-100, 100, -100, 100]
    from pelayanan_eval._common.arrays import factorize

    uniques, codes = factorize(np.array([-100, 100, -100, 27], dtype=np.int8))
    assert uniques.tolist() == [-100, 27, 100] and uniques.dtype == np.int8
    assert codes.tolist() == [0, 2, 0, 1]
    big = np.array([2**64 - 1, 2**64 - 3], dtype=np.uint64)  # beyond int64: sorted instead
    assert factorize(big)[1].tolist() == [1, 0]


def test_units_table_is_read_only_and_callers_arrays_are_not() -> None:
    """Units keeps read-only copies, so cached group codes cannot go stale."""
    categories = np.array(["kel", "pkm"])
    units = pe.Units(
        ids=np.array(["a", "b"]), names=np.array(["", ""]), categories=categories,
        parents=np.array(["", ""]),
    )  # fmt: skip
    assert categories.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        units.categories[0] = "pkm"


def test_units_columns_of_other_lengths_are_refused() -> None:
    """A name or category short of the ids is an error, not a table with holes."""
    with pytest.raises(ObservationError, match="3 ids but 3 names, 2 categories"):
        pe.Units(ids=["a", "b", "c"], names=["", "", ""], categories=["kel", "pkm"],
                 parents=["", "", ""])  # fmt: skip


def test_units_keep_categories_as_codes_and_spell_them_alike() -> None:
    """Codes number the sorted labels; a unit, the column and the codes tell the same."""
    units = pe.Units.from_arrays(["a", "b", "c", "d"], category=["pkm", "kel", "pkm", "opd"])
    assert units.categories.tolist() == ["pkm", "kel", "pkm", "opd"]
    assert units.group_codes("category").tolist() == [2, 0, 2, 1]  # kel 0, opd 1, pkm 2
    assert [units[i].category for i in range(4)] == ["pkm", "kel", "pkm", "opd"]
    many = np.array(["puskesmas", "kelurahan", "opd"])[np.arange(9000) % 3]  # the bulk path
    big = pe.Units.from_arrays(np.arange(9000).astype(str), category=many)
    expected = np.array([2, 0, 1])[np.arange(9000) % 3]  # kelurahan 0, opd 1, puskesmas 2
    np.testing.assert_array_equal(big.group_codes("category"), expected)
    np.testing.assert_array_equal(big.categories, many)


def test_units_evolve_keeps_or_replaces_the_categories() -> None:
    """attrs.evolve of a table keeps its categories, or checks and codes new ones."""
    import attrs

    units = pe.Units.from_arrays(["a", "b"], category=["pkm", "kel"])
    renamed = attrs.evolve(units, names=["A", "B"])
    assert renamed.categories.tolist() == ["pkm", "kel"] and renamed.names.tolist() == ["A", "B"]
    moved = attrs.evolve(units, categories=["kel", "kel"])
    assert moved.group_codes("category").tolist() == [0, 0]
    with pytest.raises(ObservationError, match="category"):
        attrs.evolve(units, categories=[None, "kel"])


def test_integer_codes_and_unit_ids_of_the_caller_are_left_alone(rubric: pe.Rubric) -> None:
    """The caller's codes and ids stay writable, and changing them later changes nothing."""
    codes, ids = np.array([0, 0, 1], dtype=np.intp), np.array(["a", "b"])
    obs = pe.Observations.from_arrays(rubric, unit=codes, unit_ids=ids, values=np.ones((3, 4)))
    assert codes.flags.writeable and ids.flags.writeable
    codes[:] = 1
    ids[0] = "z"
    assert obs.unit.tolist() == ["a", "a", "b"] and obs.unit_ids.tolist() == ["a", "b"]


def test_integer_unit_codes_with_unit_ids(rubric: pe.Rubric) -> None:
    """Codes into unit_ids (any order, unused ids left out) evaluate as the text ids do."""
    rng = np.random.default_rng(8)
    ids = np.array(["kel-c", "kel-a", "unused", "kel-b"])
    codes = rng.permutation(np.repeat([0, 1, 3], 2))  # two visits each, shuffled
    values = rng.integers(0, 6, (6, 4)).astype(float)
    coded = pe.Observations.from_arrays(rubric, unit=codes, unit_ids=ids, values=values)
    text = pe.Observations.from_arrays(rubric, unit=ids[codes], values=values)
    assert coded.unit_ids.tolist() == ["kel-c", "kel-a", "kel-b"]  # in unit_ids order
    assert sorted(coded.unit.tolist()) == sorted(text.unit.tolist())
    units = pe.Units.from_arrays(["kel-b", "kel-c", "kel-a"])
    np.testing.assert_array_equal(
        pe.evaluate(rubric, coded, units=units).index, pe.evaluate(rubric, text, units=units).index
    )


@pytest.mark.parametrize(
    ("unit", "unit_ids", "message"),
    [
        ([0, 2], ["a", "b"], r"unit codes must lie in 0\.\.1, got 0\.\.2"),
        ([0, -1], ["a", "b"], r"unit codes must lie in 0\.\.1, got -1\.\.0"),
        (["a", "b"], ["a", "b"], r"with unit_ids, unit must hold integer codes, got <U1"),
        ([0, 1], ["a", "a"], r"unit_ids repeats 'a'"),
        ([0, 0], [], r"unit_ids is empty"),
    ],
)
def test_bad_unit_codes(rubric: pe.Rubric, unit: list[object], unit_ids: list[str],
                        message: str) -> None:  # fmt: skip
    """Codes outside unit_ids, text codes and repeated ids are named."""
    with pytest.raises(ObservationError, match=message):
        pe.Observations.from_arrays(rubric, unit=unit, unit_ids=unit_ids, values=np.ones((2, 4)))


def test_data_frames_matched_by_column_name(rubric: pe.Rubric) -> None:
    """A DataFrame is read by column name, in any column order; wrong names are errors."""
    pd = pytest.importorskip("pandas")
    from pelayanan_eval import ikm

    values = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 4.0, 3.0, 2.0]])
    frame = pd.DataFrame(values, columns=list(rubric.leaf_ids))
    shuffled = frame[["b2", "a1", "b1", "a2"]]
    obs = pe.Observations.from_arrays(rubric, unit=["x", "y"], values=shuffled)
    np.testing.assert_array_equal(obs.values, values)  # a1, a2, b1, b2 as in the rubric
    with pytest.raises(ObservationError, match=r"values: no column for 'b2'; column\(s\) that are "
                                               r"not criteria of 'two-level': 'b3'"):  # fmt: skip
        pe.Observations.from_arrays(
            rubric, unit=["x", "y"], values=frame.rename(columns={"b2": "b3"})
        )
    mixed = frame.rename(columns={"b2": 3})  # any text name: matched by name, 3 is not a leaf
    with pytest.raises(ObservationError, match=r"no column for 'b2'; column\(s\) that are not "
                                               r"criteria of 'two-level': 3"):  # fmt: skip
        pe.Observations.from_arrays(rubric, unit=["x", "y"], values=mixed)
    positional = pd.DataFrame(values)  # columns 0..3: read by position, as an array
    assert pe.Observations.from_arrays(rubric, unit=["x", "y"], values=positional).complete
    with pytest.warns(pe.exceptions.ProvisionalRubricWarning):
        skm = pe.load_rubric("permenpanrb-14-2017-ikm")
    answers = pd.DataFrame([[1, 2, 3, 4, 4, 4, 4, 4, 4]], columns=list(skm.leaf_ids))
    reordered = answers[list(reversed(skm.leaf_ids))]
    survey = ikm.Responses.from_arrays(skm, answers=reordered, unit=["a"])
    assert survey.answers.tolist() == [[1, 2, 3, 4, 4, 4, 4, 4, 4]]


def test_responses_refuse_repeated_unit_ids() -> None:
    """ikm.Responses: unit_ids must be distinct; text codes say what they got."""
    from pelayanan_eval import ikm

    with pytest.warns(pe.exceptions.ProvisionalRubricWarning):
        skm = pe.load_rubric("permenpanrb-14-2017-ikm")
    answers = np.full((2, 9), 3, dtype=np.uint8)
    with pytest.raises(ObservationError, match=r"responses: unit_ids repeats 'a'"):
        ikm.Responses.from_arrays(skm, answers=answers, unit=[0, 1], unit_ids=["a", "a"])
    with pytest.raises(ObservationError, match=r"must hold integer codes, got <U1"):
        ikm.Responses.from_arrays(skm, answers=answers, unit=["a", "b"], unit_ids=["a", "b"])


@pytest.mark.parametrize(
    "labels",
    [
        ["kelurahan", "puskesmas", "opd"],  # told apart by their first character
        ["kel-a", "kel-b", "kel-c", "kel"],  # by the last: 'a', 'b', 'c' and padding
        ["sama", "sam\u00e1", "s\u0101ma"],  # non-ASCII characters
        ["x\U0001f600", "y\U0001f600", "x\U0001f601"],  # beyond the 16-bit table
    ],
)
def test_factorize_few_labels_matches_numpy_unique(labels: list[str]) -> None:
    """Category-like columns (a rare label included) factorise as numpy.unique does."""
    from pelayanan_eval._common.arrays import factorize

    rng = np.random.default_rng(7)
    array = np.array(labels)[rng.integers(0, len(labels), 50_000)]
    array[12_345] = "jarang"  # a label the sample of every 1024th row does not see
    uniques, codes = factorize(array)
    expected_uniques, expected_codes = np.unique(array, return_inverse=True)
    np.testing.assert_array_equal(uniques, expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)
    clean = np.array(labels)[rng.integers(0, len(labels), 50_000)]
    uniques, codes = factorize(clean)
    np.testing.assert_array_equal(uniques[codes], clean)
