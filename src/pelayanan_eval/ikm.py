"""The citizen satisfaction index (IKM / SKM) of PermenPANRB 14/2017, at national scale.

Respondents are observations and averaging them is the engine's mean
aggregation, on compact data: answers are stored as ``uint8`` (0 = no
answer) and tallied with integer ``bincount`` in chunks. The weighted
roll-up, conversion, rounding and grading are the rubric's, as in
:func:`pelayanan_eval.evaluate`.

Every publisher's convention is a parameter, so a published report can be
reproduced to the last printed digit: exact or printed weights (0,111,
0,11, 0,1111 for 9 unsur; 0,071 for 14), rounding of the NRR or of the
weighted sum before x25, and the band table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._aggregation import count_answers
from pelayanan_eval._grading import Band, GradeScale, round_half_up
from pelayanan_eval._ikm_uncertainty import Interval, TargetCheck, bootstrap, normal
from pelayanan_eval._messages import check_option, enumerate_limited, suggest
from pelayanan_eval._observations import factorize
from pelayanan_eval._rubric import Rubric
from pelayanan_eval._scoring import Tree, roll_up
from pelayanan_eval.exceptions import MissingScoreError, ObservationError, OptionError

__all__ = [
    "BAND_TABLES",
    "BandTable",
    "Conventions",
    "IkmResult",
    "Interval",
    "Responses",
    "TargetCheck",
    "compute",
    "questionnaire",
    "sample_size",
]

Array = npt.NDArray[np.float64]


@attrs.frozen
class BandTable:
    """A published IKM band table: where it is applied, its bands and where it comes from.

    Parameters
    ----------
    id
        Short name.
    on
        ``"converted"`` (graded on 25-100) or ``"index"`` (graded on 1-4).
    digits
        The value is rounded half up to this many decimals before grading.
    grades
        Bands, top first (code = mutu, label = kinerja).
    source
        Where the table is printed, with its evidence label.
    """

    id: str
    on: str
    digits: int
    grades: GradeScale
    source: str

    def grade(self, value: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Return the band code of each value (on this table's scale), after its rounding.

        Examples
        --------
        >>> BAND_TABLES["permenpanrb-14-2017"].grade([76.6049, 76.605]).tolist()
        ['C', 'B']
        """
        return self.grades.codes(round_half_up(value, self.digits))


def _table(id_: str, on: str, bounds: Sequence[float], source: str) -> BandTable:
    labels = (("A", "Sangat Baik"), ("B", "Baik"), ("C", "Kurang Baik"), ("D", "Tidak Baik"))
    bands = [Band(code, low, label) for (code, label), low in zip(labels, bounds, strict=True)]
    return BandTable(id_, on, 2, GradeScale(bands), source)


BAND_TABLES: dict[str, BandTable] = {
    table.id: table
    for table in (
        _table(
            "permenpanrb-14-2017",
            "converted",
            (88.31, 76.61, 65.00, 25.00),
            "PermenPANRB 14/2017 Lampiran table as reproduced by BPPP Tegal and tubaba "
            "[V-sec]: NIK 25,00-64,99 D / 65,00-76,60 C / 76,61-88,30 B / 88,31-100 A; "
            "printed gaps resolved by rounding to 2 decimals, then lower bounds",
        ),
        _table(
            "kepmenpan-25-2004",
            "converted",
            (81.26, 62.51, 43.76, 25.00),
            "Kepmenpan 25/2004 table [V-sec] rows D-B, row A [code]: 25-43,75 D / "
            "43,76-62,50 C / 62,51-81,25 B / 81,26-100 A",
        ),
        _table(
            "minerba-1-4",
            "index",
            (3.54, 3.07, 2.60, 1.00),
            "Ditjen Minerba's published 1-4 cut-offs [V-sec]: 1,00-2,59 / 2,60-3,06 / "
            "3,07-3,53 / 3,54-4,00, graded on the 1-4 index rounded to 2 decimals; "
            "differs from the regulation near the cut-offs",
        ),
    )
}


@attrs.frozen
class Conventions:
    """The arithmetic conventions an IKM result used, recorded with it."""

    rubric_id: str
    weights: str
    unsur_weights: tuple[float, ...]
    round_nrr: int | None
    round_ikm: int | None
    conversion_factor: float
    rounding: str
    band_table: str
    missing: str


def _first_top(rubric: Rubric) -> int:
    low, high = rubric.leaf_scales
    if not (np.all(low >= 1) and np.all(high == np.rint(high)) and np.all(high <= 255)):
        raise OptionError(
            f"rubric {rubric.id!r}: survey answers must be whole numbers from 1 up to at most "
            "255 (0 is kept for 'no answer')"
        )
    return int(high.max())


def _check_answers(rubric: Rubric, answers: npt.NDArray[Any], where: str) -> npt.NDArray[np.uint8]:
    """Return answers as uint8 (0 = none), refusing values off each unsur's scale."""
    low, high = rubric.leaf_scales
    if answers.ndim != 2 or answers.shape[1] != len(rubric.leaves):
        raise ObservationError(
            f"{where}: answers have shape {answers.shape}, expected (respondents, "
            f"{len(rubric.leaves)}): one column per unsur of {rubric.id!r}"
        )
    if answers.dtype == np.uint8:
        compact = answers
    else:
        try:
            numbers = np.asarray(answers, dtype=np.float64)
        except (TypeError, ValueError):
            raise ObservationError(f"{where}: answers must be numbers") from None
        unanswered = np.isnan(numbers)
        whole = np.where(unanswered, 0.0, numbers)
        fractional = np.flatnonzero((whole != np.rint(whole)).any(axis=1))
        if len(fractional):
            i = int(fractional[0])
            raise ObservationError(
                f"{where}: answers must be whole numbers; {len(fractional)} respondent(s) have "
                f"others, e.g. row {i}: {numbers[i].tolist()}"
            )
        if (whole < 0).any() or (whole > 255).any():
            row = int(np.flatnonzero(((whole < 0) | (whole > 255)).any(axis=1))[0])
            raise ObservationError(
                f"{where}: answer off every scale in row {row}: {numbers[row].tolist()}"
            )
        compact = whole.astype(np.uint8)
    top, bottom = high.astype(np.int64), low.astype(np.int64)
    for start in range(0, len(compact), 1 << 20):
        block = compact[start : start + (1 << 20)]
        bad = (block > top) | ((block > 0) & (block < bottom))
        if bad.any():
            rows, cols = np.nonzero(bad)
            shown = [
                f"row {start + r}, unsur {rubric.leaf_ids[c]!r}: {int(block[r, c])} "
                f"(scale {bottom[c]}..{top[c]})"
                for r, c in zip(rows[:10].tolist(), cols[:10].tolist(), strict=True)
            ]
            raise ObservationError(
                f"{where}: answers outside the scale: " + enumerate_limited(shown)
            )
    return compact


@attrs.frozen(eq=False, repr=False)
class Responses:
    """Survey answers stored compactly: ``uint8[respondents, unsur]``, 0 = no answer, and units.

    Build it with :meth:`from_arrays` (fast path), :meth:`from_records` or
    :meth:`from_long`.
    """

    rubric: Rubric
    answers: npt.NDArray[np.uint8]
    unit_codes: npt.NDArray[np.intp]
    unit_ids: npt.NDArray[Any]

    def __len__(self) -> int:
        return len(self.answers)

    def __repr__(self) -> str:
        return (
            f"<Responses: {len(self)} respondents, {len(self.unit_ids)} units, "
            f"{self.answers.shape[1]} unsur of {self.rubric.id!r}>"
        )

    @classmethod
    def from_arrays(
        cls,
        rubric: Rubric,
        *,
        answers: npt.ArrayLike,
        unit: npt.ArrayLike,
        unit_ids: npt.ArrayLike | None = None,
    ) -> Responses:
        """Build from an answers matrix and a unit per respondent.

        Parameters
        ----------
        rubric
            The survey rubric; one answers column per unsur, in ``rubric.leaf_ids`` order.
        answers
            ``[respondents, unsur]``: whole answers on each unsur's scale, 0 or
            NaN for no answer. A ``uint8`` array is used as it is (no copy).
        unit
            Unit per respondent: ids (text or numbers), or integer codes
            ``0 <= code < len(unit_ids)`` when `unit_ids` is given.
        unit_ids
            The units, when `unit` holds codes into it (the fastest path).

        Examples
        --------
        >>> import warnings, pelayanan_eval as pe
        >>> from pelayanan_eval import ikm
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
        >>> ikm.Responses.from_arrays(rubric, answers=[[3] * 9, [4] * 9], unit=["a", "b"])
        <Responses: 2 respondents, 2 units, 9 unsur of 'permenpanrb-14-2017-ikm'>
        """
        _first_top(rubric)
        matrix = np.asarray(answers)
        compact = _check_answers(rubric, matrix, "responses")
        units = np.asarray(unit)
        if units.shape != (len(compact),):
            raise ObservationError(
                f"responses: unit has shape {units.shape}, expected ({len(compact)},)"
            )
        if len(compact) == 0:
            raise ObservationError("responses: no respondents")
        if unit_ids is None:
            ids, codes = factorize(units)
        else:
            ids = np.asarray(unit_ids)
            if units.dtype.kind not in "iu":
                raise ObservationError("responses: with unit_ids, unit must hold integer codes")
            low, high = int(units.min()), int(units.max())
            if low < 0 or high >= len(ids):
                raise ObservationError(
                    f"responses: unit codes must lie in 0..{len(ids) - 1}, got {low}..{high}"
                )
            codes = units.astype(np.intp, copy=False)
        return cls(rubric, compact, codes, ids)

    @classmethod
    def from_records(
        cls,
        rubric: Rubric,
        records: Iterable[Mapping[str, Any]],
        *,
        unit_column: str = "unit",
        source: str = "records",
        first_row: int = 0,
    ) -> Responses:
        """Build from dict rows: the unit column and one column per unsur id (blank = no answer)."""
        rows = list(records)
        index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
        problems = []
        unknown = sorted(
            {k for r in rows for k in r if k not in index and k != unit_column}, key=str
        )
        for key in unknown:
            problems.append(
                f"{source}: column {key!r} is not an unsur of {rubric.id!r}"
                f"{suggest(str(key), [*index, unit_column])}"
            )
        matrix = np.full((len(rows), len(index)), np.nan)
        units = []
        for i, row in enumerate(rows):
            where = f"{source} row {first_row + i}"
            unit = str(row.get(unit_column) or "").strip()
            if not unit:
                problems.append(f"{where}: no unit (column {unit_column!r})")
            units.append(unit)
            for key, raw in row.items():
                j = index.get(key)
                if j is None or raw is None or str(raw).strip() == "":
                    continue
                try:
                    matrix[i, j] = float(str(raw).strip().replace(",", "."))
                except ValueError:
                    problems.append(f"{where}, column {key!r}: must be a number, got {raw!r}")
        if problems:
            raise ObservationError(enumerate_limited(problems))
        return cls.from_arrays(rubric, answers=matrix, unit=np.array(units, dtype=np.str_))

    @classmethod
    def from_long(
        cls,
        rubric: Rubric,
        *,
        unit: npt.ArrayLike,
        respondent: npt.ArrayLike,
        item: npt.ArrayLike,
        answer: npt.ArrayLike,
    ) -> Responses:
        """Build from long form: one (unit, respondent, unsur, answer) row per answer."""
        units, people = np.asarray(unit), np.asarray(respondent)
        items = np.asarray(item).astype(np.str_)
        values = np.asarray(answer)
        n = len(units)
        if not (people.shape == items.shape == values.shape == (n,)):
            raise ObservationError(
                "responses (long form): unit, respondent, item and answer must have the same length"
            )
        index = {leaf: i for i, leaf in enumerate(rubric.leaf_ids)}
        names, name_codes = factorize(items)
        columns = np.array([index.get(str(x), -1) for x in names.tolist()])
        if (columns < 0).any():
            bad = [str(x) for x, c in zip(names.tolist(), columns.tolist(), strict=True) if c < 0]
            raise ObservationError(
                "responses (long form): unknown unsur "
                + enumerate_limited([f"{b!r}{suggest(b, index)}" for b in bad])
            )
        _, unit_codes = factorize(units)
        _, person_codes = factorize(people)
        key = unit_codes.astype(np.int64) * (int(person_codes.max()) + 1) + person_codes
        rows, row_of = np.unique(key, return_inverse=True)
        cell = row_of.astype(np.int64) * len(index) + columns[name_codes]
        if len(np.unique(cell)) != n:
            raise ObservationError("responses (long form): a respondent answers an unsur twice")
        matrix = np.full((len(rows), len(index)), np.nan)
        matrix.reshape(-1)[cell] = values
        first = np.zeros(len(rows), dtype=np.intp)
        first[row_of[::-1]] = np.arange(n)[::-1]
        return cls.from_arrays(rubric, answers=matrix, unit=units[first])


def _weighted_rubric(
    rubric: Rubric, weights: str | float | Mapping[str, float]
) -> tuple[Rubric, str]:
    if isinstance(weights, str):
        check_option("weights", weights, ("rubric", "exact", "printed"))
        if weights == "rubric":
            return rubric, f"as in the rubric ({rubric.weighting})"
    flat = all(not c.criteria for c in rubric.criteria)
    if not flat:
        raise OptionError(
            f"weights={weights!r} needs a flat survey rubric; {rubric.id!r} is nested"
        )
    n = len(rubric.criteria)
    if weights == "exact":
        children = tuple(attrs.evolve(c, weight=None) for c in rubric.criteria)
        return attrs.evolve(rubric, weighting="equal", criteria=children), f"exact 1/{n}"
    if weights == "printed":
        value: Any = float(round_half_up(1 / n, 3))
        label = f"printed {value:g} (1/{n} to 3 decimals)"
    else:
        value = weights
        label = f"as printed: {weights}"
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in rubric]
        if unknown:
            raise OptionError("weights for unknown unsur: " + ", ".join(map(repr, unknown)))
        each = [float(value.get(c.id, c.weight or 0.0)) for c in rubric.criteria]
    else:
        each = [float(value)] * n
    children = tuple(attrs.evolve(c, weight=w) for c, w in zip(rubric.criteria, each, strict=True))
    return attrs.evolve(rubric, weighting="as_printed", criteria=children), label


@attrs.frozen(eq=False, repr=False)
class IkmResult:
    """IKM per unit, with every intermediate value and the conventions used.

    Attributes
    ----------
    unit_ids
        The units.
    respondents
        Respondents counted (at least one answer).
    empty
        Respondents with no answer at all (dropped and counted).
    answered
        ``[units, unsur]``: answers given per unsur ("unsur yang terisi").
    nrr
        Mean answer per unsur (rounded if the convention says so).
    nrr_weighted
        NRR x weight ("NRR tertimbang").
    index
        IKM on the answer scale (1-4): the weighted sum, rounded if the convention says so.
    converted
        IKM x conversion factor (25-100).
    rounded
        The converted IKM rounded as the rubric declares.
    mutu
        Band code per unit (A-D).
    kinerja
        Band label per unit ("Baik", ...).
    required
        Krejcie-Morgan sample size for the unit's population (None when no
        population was given).
    adequate
        Whether the respondents counted reach it (None likewise).
    conventions
        Weights, rounding, band table, missing policy.
    """

    rubric: Rubric
    responses: Responses
    unit_ids: npt.NDArray[Any]
    respondents: npt.NDArray[np.int64]
    empty: npt.NDArray[np.int64]
    answered: npt.NDArray[np.int64]
    sums: npt.NDArray[np.int64]
    nrr: Array
    nrr_weighted: Array
    index: Array
    converted: Array
    rounded: Array
    mutu: npt.NDArray[np.str_]
    kinerja: npt.NDArray[np.str_]
    required: npt.NDArray[np.int64] | None
    adequate: npt.NDArray[np.bool_] | None
    conventions: Conventions
    weighted_rubric: Rubric
    band_table: BandTable

    def __len__(self) -> int:
        return len(self.unit_ids)

    def __repr__(self) -> str:
        return (
            f"<IkmResult: {len(self)} units, {int(self.respondents.sum())} respondents, "
            f"{self.conventions.weights}>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per unit: respondents, NRR per unsur, IKM (1-4 and 25-100), mutu."""
        out = []
        for i in range(len(self)):
            record: dict[str, Any] = {
                "unit": self.unit_ids[i].item(),
                "respondents": int(self.respondents[i]),
                "empty_respondents": int(self.empty[i]),
            }
            for j, leaf in enumerate(self.rubric.leaf_ids):
                record[f"nrr_{leaf}"] = float(self.nrr[i, j])
            record |= {
                "ikm": float(self.index[i]),
                "ikm_converted": float(self.converted[i]),
                "ikm_rounded": float(self.rounded[i]),
                "mutu": str(self.mutu[i]),
                "kinerja": str(self.kinerja[i]),
            }
            if self.required is not None and self.adequate is not None:
                record |= {"required": int(self.required[i]), "adequate": bool(self.adequate[i])}
            out.append(record)
        return out

    def rollup(self, groups: npt.ArrayLike, how: str) -> IkmResult:
        """IKM of groups of units (an OPD's services, a city), computed one of two ways.

        Parameters
        ----------
        groups
            Group label per unit (aligned with :attr:`unit_ids`).
        how
            ``"pooled"``: all respondents of the group's units together (NRR
            from the summed answers). ``"mean"``: the plain mean of the units'
            IKM (each unit counts once, whatever its respondents).
        """
        check_option("roll-up", how, ("pooled", "mean"))
        labels = np.asarray(groups)
        if labels.shape != (len(self),):
            raise OptionError(f"groups has shape {labels.shape}, expected ({len(self)},)")
        names, codes = factorize(labels)
        if how == "pooled":
            regrouped = Responses(
                self.rubric, self.responses.answers, codes[self.responses.unit_codes], names
            )
            c = self.conventions
            return compute(
                self.rubric,
                regrouped,
                weights=_weights_arg(self),
                round_nrr=c.round_nrr,
                round_ikm=c.round_ikm,
                bands=self.band_table,
                missing=c.missing,
            )
        count = np.bincount(codes, minlength=len(names))
        mean_index = np.bincount(codes, weights=self.index, minlength=len(names)) / count
        nrr = np.stack(
            [
                np.bincount(codes, weights=self.nrr[:, j], minlength=len(names)) / count
                for j in range(self.nrr.shape[1])
            ],
            axis=1,
        )
        return _finish(
            self.rubric,
            self.responses,
            names,
            np.bincount(codes, weights=self.respondents, minlength=len(names)).astype(np.int64),
            np.bincount(codes, weights=self.empty, minlength=len(names)).astype(np.int64),
            np.stack(
                [
                    np.bincount(codes, weights=self.answered[:, j], minlength=len(names))
                    for j in range(self.answered.shape[1])
                ],
                axis=1,
            ).astype(np.int64),
            np.zeros_like(nrr, dtype=np.int64),
            nrr,
            mean_index,
            None,
            attrs.evolve(
                self.conventions, weights=self.conventions.weights + "; mean of unit IKMs"
            ),
            self.weighted_rubric,
            self.band_table,
        )

    def interval(
        self,
        *,
        level: float = 0.95,
        method: str = "bootstrap",
        n_boot: int = 1000,
        rng: np.random.Generator | int | None = None,
    ) -> Interval:
        """Confidence interval of each unit's converted IKM, and P(true category differs).

        ``method="bootstrap"`` resamples respondents within each unit
        (percentile interval, vectorised over units and replicates; cost
        grows with ``n_boot x respondents``); ``"normal"`` is the delta-method
        normal approximation. Both assume a simple random sample of
        independent respondents; the category probability ignores the
        rounding conventions inside replicates.
        """
        check_option("interval method", method, ("bootstrap", "normal"))
        if not 0 < level < 1:
            raise OptionError(f"level must be between 0 and 1, got {level!r}")
        if method == "normal":
            return normal(self, level)
        return bootstrap(self, level, n_boot, rng)

    def target(
        self,
        value: float,
        *,
        on: str = "index",
        method: str = "normal",
        n_boot: int = 1000,
        rng: np.random.Generator | int | None = None,
    ) -> TargetCheck:
        """Return the gap to a target IKM (3.80: "Sangat Baik") and P(already reaching it).

        `value` is on the 1-4 scale (``on="index"``) or 25-100 (``on="converted"``).
        """
        check_option("on", on, ("index", "converted"))
        factor = self.conventions.conversion_factor
        goal = value * factor if on == "index" else float(value)
        found = self.interval(method=method, n_boot=n_boot, rng=rng)
        return found.target(goal, found.estimate)


def _weights_arg(result: IkmResult) -> Any:
    w = result.conventions.weights
    if w.startswith("exact"):
        return "exact"
    if w.startswith("as in the rubric"):
        return "rubric"
    return dict(zip(result.rubric.leaf_ids, result.conventions.unsur_weights, strict=True))


def _grade_with(
    table: BandTable, index: Array, converted: Array
) -> tuple[Array, npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    graded = round_half_up(converted if table.on == "converted" else index, table.digits)
    ok = ~np.isnan(graded)
    codes = np.full(len(graded), "", dtype=object)
    labels = np.full(len(graded), "", dtype=object)
    if ok.any():
        positions = table.grades.positions(graded[ok])
        codes[ok] = np.array([b.code for b in table.grades])[positions]
        labels[ok] = np.array([b.label for b in table.grades])[positions]
    return graded, codes.astype(np.str_), labels.astype(np.str_)


def _finish(
    rubric: Rubric,
    responses: Responses,
    unit_ids: npt.NDArray[Any],
    respondents: npt.NDArray[np.int64],
    empty: npt.NDArray[np.int64],
    answered: npt.NDArray[np.int64],
    sums: npt.NDArray[np.int64],
    nrr: Array,
    index: Array,
    population: npt.ArrayLike | None,
    conventions: Conventions,
    weighted: Rubric,
    table: BandTable,
) -> IkmResult:
    factor = rubric.conversion.factor
    converted = index * factor
    rounded = rubric.rounding.apply(converted)
    _, mutu, kinerja = _grade_with(table, index, converted)
    required = adequate = None
    if population is not None:
        sizes = np.asarray(population)
        if sizes.shape != (len(unit_ids),):
            raise OptionError(f"population has shape {sizes.shape}, expected ({len(unit_ids)},)")
        required = np.asarray(sample_size(sizes), dtype=np.int64)
        adequate = respondents >= required
    return IkmResult(
        rubric,
        responses,
        unit_ids,
        respondents,
        empty,
        answered,
        sums,
        nrr,
        nrr * weighted.leaf_weights,
        index,
        converted,
        rounded,
        mutu,
        kinerja,
        required,
        adequate,
        conventions,
        weighted,
        table,
    )


def compute(
    rubric: Rubric,
    responses: Responses,
    *,
    weights: str | float | Mapping[str, float] = "rubric",
    round_nrr: int | None = None,
    round_ikm: int | None = None,
    bands: str | BandTable | None = None,
    missing: str = "error",
    population: npt.ArrayLike | None = None,
) -> IkmResult:
    """Compute the IKM of every unit from its respondents' answers.

    Parameters
    ----------
    rubric
        The survey rubric (``permenpanrb-14-2017-ikm``, ``kepmenpan-25-2004-ikm``, ...).
    responses
        The answers (see :class:`Responses`).
    weights
        ``"rubric"`` (as the rubric file says, default), ``"exact"`` (1/n
        each), ``"printed"`` (1/n printed to 3 decimals: 0,111 for 9 unsur,
        0,071 for 14), a number used for every unsur as printed (0.11,
        0.1111), or a mapping unsur -> weight (as printed).
    round_nrr, round_ikm
        Round each NRR, or the weighted sum on the 1-4 scale, half up to
        this many decimals before going on (as some publishers do).
    bands
        A key of :data:`BAND_TABLES` or a :class:`BandTable`; by default the
        rubric's own grades on the converted scale.
    missing
        ``"error"`` (default): a unit with an unsur nobody answered is an
        error; ``"renormalize"``: that unsur's weight is re-spread.
    population
        Per unit, the number of service users in the period; adds the
        Krejcie-Morgan required sample and an adequacy flag.

    Returns
    -------
    IkmResult

    Notes
    -----
    NRR per unsur = sum of the answers given / number given; IKM = sum of
    NRR x weight; IKM (25-100) = IKM x 25, rounded to 2 decimals and graded.

    References
    ----------
    PermenPANRB 14/2017, Lampiran (see ``docs/regulations.md``); Kepmenpan
    25/KEP/M.PAN/2/2004 for 14 unsur and the printed 0,071.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> answers = [[3] * 9] * 59 + [[4] * 9] * 41          # NRR 3.41 on every unsur
    >>> result = ikm.compute(rubric, ikm.Responses.from_arrays(
    ...     rubric, answers=answers, unit=["kel-a"] * 100))
    >>> result.rounded.tolist(), result.mutu.tolist(), result.kinerja.tolist()
    ([85.25], ['B'], ['Baik'])
    """
    if not isinstance(responses, Responses):
        raise ObservationError(f"responses must be ikm.Responses, got {type(responses).__name__}")
    if responses.rubric is not rubric and responses.rubric != rubric:
        raise ObservationError(
            f"the responses follow rubric {responses.rubric.id!r}, not {rubric.id!r}"
        )
    check_option("missing policy", missing, ("error", "renormalize"))
    for name, digits in (("round_nrr", round_nrr), ("round_ikm", round_ikm)):
        if digits is not None and not (isinstance(digits, int) and 0 <= digits <= 12):
            raise OptionError(f"{name} must be a whole number from 0 to 12, got {digits!r}")
    table = _band_table(rubric, bands)
    weighted, label = _weighted_rubric(rubric, weights)
    groups = len(responses.unit_ids)
    codes = responses.unit_codes
    sums, answered = count_answers(codes, responses.answers, groups, _first_top(rubric))
    empty_rows = ~responses.answers.any(axis=1)
    per_unit = np.bincount(codes, minlength=groups)
    empty = np.bincount(codes[empty_rows], minlength=groups)
    respondents = per_unit - empty
    if (respondents == 0).any():
        idle = [str(u) for u in responses.unit_ids[respondents == 0].tolist()]
        raise ObservationError(
            "unit(s) without any answered questionnaire: "
            + enumerate_limited([repr(u) for u in idle])
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = sums / answered
    if round_nrr is not None:
        nrr = round_half_up(nrr, round_nrr)
    if missing == "error" and np.isnan(nrr).any():
        rows, cols = np.nonzero(np.isnan(nrr))
        pairs = [
            (str(responses.unit_ids[r]), rubric.leaf_ids[c])
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        ]
        raise MissingScoreError(
            f"{len(pairs)} unit x unsur pair(s) nobody answered (missing='error'; "
            "missing='renormalize' re-spreads the weight): "
            + enumerate_limited([f"{u}: {c}" for u, c in pairs]),
            missing=pairs,
        )
    index = roll_up(nrr, Tree.from_rubric(weighted), missing, 0.0)[:, -1]
    if round_ikm is not None:
        index = round_half_up(index, round_ikm)
    conventions = Conventions(
        rubric_id=rubric.id,
        weights=label,
        unsur_weights=tuple(weighted.leaf_weights.tolist()),
        round_nrr=round_nrr,
        round_ikm=round_ikm,
        conversion_factor=rubric.conversion.factor,
        rounding=(
            "none"
            if rubric.rounding.digits is None
            else f"{rubric.rounding.digits} digits {rubric.rounding.mode}"
        ),
        band_table=table.id,
        missing=missing,
    )
    return _finish(
        rubric,
        responses,
        responses.unit_ids,
        respondents.astype(np.int64),
        empty.astype(np.int64),
        answered,
        sums,
        nrr,
        index,
        population,
        conventions,
        weighted,
        table,
    )


def _band_table(rubric: Rubric, bands: str | BandTable | None) -> BandTable:
    if isinstance(bands, BandTable):
        return bands
    if bands is None:
        if not rubric.grades.bands:
            raise OptionError(f"rubric {rubric.id!r} has no grades; pass bands=")
        digits = rubric.rounding.digits if rubric.rounding.digits is not None else 12
        return BandTable(
            f"{rubric.id} (rubric)",
            "converted",
            digits,
            rubric.grades,
            f"the grades of rubric {rubric.id}",
        )
    check_option("band table", bands, tuple(BAND_TABLES))
    return BAND_TABLES[bands]


def sample_size(
    population: npt.ArrayLike, *, chi2: float = 3.841, p: float = 0.5, d: float = 0.05
) -> Any:
    """Krejcie & Morgan (1970) sample size for a population, rounded to the nearest whole number.

    Parameters
    ----------
    population
        Population size(s) N (scalar or array of positive whole numbers).
    chi2, p, d
        Chi-square for 1 degree of freedom at the confidence level (3.841
        for 95 %), the population proportion (0.5), and the margin of error (0.05).

    Returns
    -------
    int or numpy.ndarray

    Notes
    -----
    :math:`s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P))`, rounded half
    up: the printed table rounds to nearest (N = 15 gives 14.47 -> 14), not up.

    References
    ----------
    Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for
    research activities. Educational and Psychological Measurement, 30, 607-610.

    Examples
    --------
    >>> sample_size(9000)
    368
    >>> sample_size([10, 15, 100, 220]).tolist()
    [10, 14, 80, 140]
    """
    try:
        sizes = np.asarray(population, dtype=np.float64)
    except (TypeError, ValueError):
        raise OptionError("population must be whole numbers") from None
    if (~np.isfinite(sizes)).any() or (sizes < 1).any() or (sizes != np.rint(sizes)).any():
        raise OptionError(f"population must be whole numbers >= 1, got {population!r}")
    if not (chi2 > 0 and 0 < p < 1 and 0 < d < 1):
        raise OptionError("need chi2 > 0, 0 < p < 1 and 0 < d < 1")
    s = chi2 * sizes * p * (1 - p) / (d * d * (sizes - 1) + chi2 * p * (1 - p))
    result = np.minimum(round_half_up(s, 0), sizes).astype(np.int64)
    return int(result) if result.ndim == 0 else result


def questionnaire(rubric: Rubric, *, format: str = "markdown") -> str:
    """Render the survey form of a rubric: each unsur with its answer options.

    Parameters
    ----------
    rubric
        A survey rubric whose unsur carry answer labels (``levels``).
    format
        ``"markdown"`` or ``"text"``.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> print(questionnaire(rubric, format="text").splitlines()[2])
    1. Persyaratan: (1) Tidak sesuai  (2) Kurang sesuai  (3) Sesuai  (4) Sangat sesuai
    """
    check_option("format", format, ("markdown", "text"))
    low, high = rubric.leaf_scales
    lines = [f"# {rubric.title}" if format == "markdown" else rubric.title, ""]
    for number, (leaf, lo, hi) in enumerate(zip(rubric.leaves, low, high, strict=True), start=1):
        labels = dict(leaf.levels)
        options = [(score, labels.get(score, "")) for score in range(int(lo), int(hi) + 1)]
        if format == "markdown":
            lines.append(f"{number}. **{leaf.name}**")
            lines += [f"   - [ ] {s}. {text}".rstrip() for s, text in options]
        else:
            rendered = "  ".join(f"({s}) {text}".rstrip() for s, text in options)
            lines.append(f"{number}. {leaf.name}: {rendered}")
    return "\n".join(lines) + "\n"
