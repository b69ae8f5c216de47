"""IKM arithmetic: from answers (or published NRRs) to NRR, weighted sum, x25, grade."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import check_option, enumerate_limited, renamed
from pelayanan_eval._common.records import html_records, to_pandas
from pelayanan_eval._evaluation.rollup import roll_up
from pelayanan_eval._rubric.grading import band_scale, grade_values, round_half_up
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import (
    MissingScoreError,
    ObservationError,
    OptionError,
)
from pelayanan_eval.ikm._bands import BandTable
from pelayanan_eval.ikm._conventions import (
    Conventions,
    WeightsSpec,
    align,
    band_table,
    check_digits,
    weighted_rubric,
)
from pelayanan_eval.ikm._design import sample_size
from pelayanan_eval.ikm._linear import ikm_interval
from pelayanan_eval.ikm._partial import Tally, tally_codes
from pelayanan_eval.ikm._responses import Responses, first_top
from pelayanan_eval.ikm._tally import count_answers
from pelayanan_eval.ikm._uncertainty import Interval, TargetCheck
from pelayanan_eval.typing import BandScale, IkmMissing, IkmRollup, IntervalMethod

Array = npt.NDArray[np.float64]
_SAME_NAME = " (the same name as in Evaluation and in to_records())"
Counts = npt.NDArray[np.int64]


@attrs.frozen(eq=False, repr=False)
class IkmResult:
    """IKM per unit, with every intermediate value and the conventions used.

    Attributes
    ----------
    rubric
        The survey rubric.
    unit_ids
        The units, in order of first appearance (or as `unit_ids` gives them).
    respondents
        Respondents counted (at least one answer); None when built from NRRs.
    empty
        Respondents with no answer at all (dropped and counted); None likewise.
    answered
        ``[units, unsur]``: answers given per unsur ("unsur yang terisi"); None likewise.
    nrr
        Mean answer per unsur (rounded if the convention says so).
    nrr_weighted
        NRR x weight ("NRR tertimbang"), rounded if the convention says so.
    index
        IKM on the answer scale (1-4): the weighted sum, rounded if the convention says so.
    reported
        IKM x conversion factor (25-100), as :attr:`Evaluation.reported
        <pelayanan_eval.Evaluation.reported>` (was ``converted``).
    rounded
        The reported IKM rounded as the rubric declares.
    grades
        Band code per unit (A-D): the *mutu pelayanan* (was ``mutu``).
    grade_labels
        Band label per unit ("Baik", ...): the *kinerja unit pelayanan*
        (was ``kinerja``).
    required
        Krejcie-Morgan sample size for the unit's population (None when no
        population was given).
    adequate
        Whether the respondents counted reach it (None likewise).
    conventions
        Weights, rounding, band table, missing policy.
    responses
        The answers the result was computed from (None when built from NRRs
        or as a mean of unit IKMs); needed by :meth:`interval`.
    weighted_rubric
        The rubric with the weights actually used.
    band_table
        The band table used.
    tally
        The tally the result was computed from, when it was computed from a
        :class:`Tally` or from weighted answers (its linearised intervals).
    """

    rubric: Rubric
    unit_ids: npt.NDArray[Any]
    respondents: Counts | None
    empty: Counts | None
    answered: Counts | None
    sums: Counts | None
    nrr: Array
    nrr_weighted: Array
    index: Array
    reported: Array
    rounded: Array
    grades: npt.NDArray[np.str_]
    grade_labels: npt.NDArray[np.str_]
    required: Counts | None
    adequate: npt.NDArray[np.bool_] | None
    conventions: Conventions
    responses: Responses | None
    weighted_rubric: Rubric
    band_table: BandTable
    _weights_spec: Any = attrs.field(repr=False)
    #: the tally the result was computed from (weighted answers, or merged chunks), if any
    tally: Tally | None = attrs.field(default=None, kw_only=True, repr=False)

    def __len__(self) -> int:
        return len(self.unit_ids)

    @property
    def converted(self) -> Array:
        """Deprecated alias of :attr:`reported`."""
        result: Array = renamed(self, "converted", "reported", _SAME_NAME)
        return result

    @property
    def mutu(self) -> npt.NDArray[np.str_]:
        """Deprecated alias of :attr:`grades`."""
        result: npt.NDArray[np.str_] = renamed(self, "mutu", "grades", _SAME_NAME)
        return result

    @property
    def kinerja(self) -> npt.NDArray[np.str_]:
        """Deprecated alias of :attr:`grade_labels`."""
        result: npt.NDArray[np.str_] = renamed(self, "kinerja", "grade_labels", _SAME_NAME)
        return result

    def __repr__(self) -> str:
        counted = "" if self.respondents is None else f", {int(self.respondents.sum())} respondents"
        return f"<IkmResult: {len(self)} units{counted}, {self.conventions.weights}>"

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per unit, named as in ``Evaluation.to_records()``.

        Keys: ``unit``, ``respondents`` and ``empty_respondents`` (from
        answers), ``nrr_<unsur>`` per unsur, ``index`` (1-4), ``reported``
        (25-100), ``rounded``, ``grade`` (mutu), ``grade_label`` (kinerja),
        and ``required`` / ``adequate`` when a population was given.
        """
        out = []
        for i in range(len(self)):
            record: dict[str, Any] = {"unit": self.unit_ids[i].item()}
            if self.respondents is not None and self.empty is not None:
                record |= {"respondents": int(self.respondents[i]),
                           "empty_respondents": int(self.empty[i])}  # fmt: skip
            for j, leaf in enumerate(self.rubric.leaf_ids):
                record[f"nrr_{leaf}"] = float(self.nrr[i, j])
            record |= {
                "index": float(self.index[i]),
                "reported": float(self.reported[i]),
                "rounded": float(self.rounded[i]),
                "grade": str(self.grades[i]),
                "grade_label": str(self.grade_labels[i]),
            }
            if self.required is not None and self.adequate is not None:
                record |= {"required": int(self.required[i]), "adequate": bool(self.adequate[i])}
            out.append(record)
        return out

    def to_pandas(self) -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), what="IkmResult")

    def _repr_html_(self) -> str:
        keys = ("unit", "respondents", "index", "rounded", "grade", "grade_label")
        rows = [{k: r[k] for k in keys if k in r} for r in self.to_records()]
        return html_records(repr(self), rows)

    def rollup(self, groups: npt.ArrayLike | Mapping[Any, Any], how: IkmRollup) -> IkmResult:
        """IKM of groups of units (an OPD's services, a city), computed one of two ways.

        Parameters
        ----------
        groups
            Group label per unit: an array in :attr:`unit_ids` order, or a
            mapping unit id -> group.
        how
            ``"pooled"``: all respondents of the group's units together (NRR
            from the summed answers; needs the answers). ``"mean"``: the plain
            mean of the units' IKM (each unit counts once, whatever its respondents).
        """
        check_option("roll-up", how, ("pooled", "mean"))
        names, codes = factorize(align(groups, self.unit_ids, "groups"))
        c = self.conventions
        options: dict[str, Any] = {
            "weights": self._weights_spec, "round_nrr": c.round_nrr,
            "round_weighted": c.round_weighted, "round_ikm": c.round_ikm,
            "bands": self.band_table, "missing": c.missing,
        }  # fmt: skip
        if how == "pooled":
            if self.responses is None and self.tally is not None:  # pooled tallies add exactly
                from_tally: IkmResult = compute_tally(self.rubric, self.tally.regroup(
                    dict(zip(self.unit_ids.tolist(), names[codes].tolist(), strict=True))),
                    **options)  # fmt: skip
                return from_tally
            if self.responses is None:
                raise OptionError("a pooled roll-up needs the answers; this result has none "
                                  "(built from NRRs): use how='mean'")  # fmt: skip
            regrouped = Responses(
                self.rubric,
                self.responses.answers,
                codes[self.responses.unit_codes],
                names,
                weights=self.responses.weights,
            )
            return tally_result(self.rubric, regrouped, **options)
        count = np.bincount(codes, minlength=len(names))
        mean_index = np.bincount(codes, weights=self.index, minlength=len(names)) / count
        mean_nrr = np.stack(
            [np.bincount(codes, weights=column, minlength=len(names)) / count
             for column in self.nrr.T], axis=1,
        )  # fmt: skip
        summed = [
            None if values is None else np.stack(
                [np.bincount(codes, weights=col, minlength=len(names)) for col in
                 np.atleast_2d(values.T)], axis=1,
            ).astype(np.int64).reshape(len(names), -1)
            for values in (self.respondents, self.empty, self.answered, self.sums)
        ]  # fmt: skip
        respondents, empty = (None if s is None else s[:, 0] for s in summed[:2])
        result = build_result(
            self.rubric, names, mean_nrr, respondents, empty, summed[2], summed[3], None,
            index=mean_index, label_suffix="; mean of unit IKMs", **options,
        )  # fmt: skip
        return result

    def interval(
        self,
        *,
        level: float = 0.95,
        method: IntervalMethod = "bootstrap",
        n_boot: int = 1000,
        rng: np.random.Generator | int | None = None,
    ) -> Interval:
        """Confidence interval of each unit's reported IKM, and P(true category differs).

        ``method="bootstrap"`` resamples respondents within each unit
        (percentile interval, vectorised over units and replicates; cost
        grows with ``n_boot x respondents``); ``"normal"`` is the delta-method
        normal approximation (fast at any size). Both assume a simple random
        sample of independent respondents, and both work on the unrounded
        IKM (the rounding conventions are not applied inside replicates).
        With design weights, or from a :class:`Tally`, ``"normal"`` is the
        linearised interval of :func:`survey` (method ``"linearised"``) and
        the bootstrap resamples respondents with their weights.
        """
        return ikm_interval(self, level=level, method=method, n_boot=n_boot, rng=rng)

    def target(
        self,
        value: float,
        *,
        on: BandScale = "index",
        method: IntervalMethod = "normal",
        n_boot: int = 1000,
        rng: np.random.Generator | int | None = None,
    ) -> TargetCheck:
        """Return the gap to a target IKM (such as 3.80) and P(already reaching it).

        `value` is on the 1-4 scale (``on="index"``) or 25-100
        (``on="reported"``; ``"converted"`` is a deprecated alias); `method`
        is ``"normal"`` (default, fast) or
        ``"bootstrap"``, as in :meth:`interval`.
        """
        on = band_scale(on)
        factor = self.conventions.conversion_factor
        goal = value * factor if on == "index" else float(value)
        found = self.interval(method=method, n_boot=n_boot, rng=rng)
        return found.target(goal, found.estimate)


def build_result(
    rubric: Rubric,
    unit_ids: npt.NDArray[Any],
    nrr: Array,
    respondents: Counts | None,
    empty: Counts | None,
    answered: Counts | None,
    sums: Counts | None,
    responses: Responses | None,
    *,
    weights: WeightsSpec,
    round_nrr: int | None,
    round_weighted: int | None,
    round_ikm: int | None,
    bands: str | BandTable | None,
    missing: IkmMissing,
    population: npt.ArrayLike | Mapping[Any, Any] | None = None,
    index: Array | None = None,
    label_suffix: str = "",
    tally: Tally | None = None,
) -> IkmResult:
    """Weight, sum, round, convert and grade per-unit NRRs (`index` given: skip the sum)."""
    check_option("missing policy", missing, ("error", "renormalize"))
    for name, digits in (("round_nrr", round_nrr), ("round_weighted", round_weighted),
                         ("round_ikm", round_ikm)):  # fmt: skip
        check_digits(name, digits)
    table = band_table(rubric, bands)
    weighted, label = weighted_rubric(rubric, weights)
    if round_nrr is not None:
        nrr = round_half_up(nrr, round_nrr)
    if missing == "error" and np.isnan(nrr).any():
        rows, cols = np.nonzero(np.isnan(nrr))
        pairs = [(str(unit_ids[r]), rubric.leaf_ids[c])
                 for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]  # fmt: skip
        raise MissingScoreError(
            f"{len(pairs)} unit x unsur pair(s) nobody answered (missing='error'; "
            "missing='renormalize' re-spreads the weight): "
            + enumerate_limited([f"{u}: {c}" for u, c in pairs]),
            missing=pairs,
        )
    terms = nrr * weighted.leaf_weights
    if round_weighted is not None:
        if any(c.criteria for c in rubric.criteria) or np.isnan(nrr).any():
            raise OptionError("round_weighted needs a flat rubric and every unsur answered")
        terms = round_half_up(terms, round_weighted)
    if index is None:
        if round_weighted is not None:
            index = terms.sum(axis=1)
        else:
            index = roll_up(nrr, weighted._compiled, missing, 0.0)[:, -1]
        if round_ikm is not None:
            index = round_half_up(index, round_ikm)
    reported = index * rubric.conversion.factor
    graded = grade_values(
        reported if table.on == "reported" else index, table.grades, table.rounding,
        nan="blank", what=f"the IKM under band table {table.id!r}",
    )  # fmt: skip
    required = adequate = None
    if population is not None:
        if respondents is None:
            raise OptionError("population needs respondent counts (not available from NRRs)")
        sizes = align(population, unit_ids, "population")
        required = np.asarray(sample_size(sizes), dtype=np.int64).reshape(len(unit_ids))
        adequate = respondents >= required
    conventions = Conventions(
        rubric_id=rubric.id, weights=label + label_suffix,
        unsur_weights=tuple(weighted.leaf_weights.tolist()), round_nrr=round_nrr,
        round_weighted=round_weighted, round_ikm=round_ikm,
        conversion_factor=rubric.conversion.factor,
        rounding=rubric.rounding.describe(),
        band_table=table.id, missing=missing,
    )  # fmt: skip
    return IkmResult(
        rubric, unit_ids, respondents, empty, answered, sums, nrr, terms, index, reported,
        rubric.rounding.apply(reported), graded.codes, graded.labels,
        required, adequate, conventions, responses, weighted, table, weights, tally=tally,
    )  # fmt: skip


def tally_result(rubric: Rubric, responses: Responses, **options: Any) -> IkmResult:
    """Tally checked answers per unit and unsur, then weight, round and grade them."""
    groups = len(responses.unit_ids)
    codes = responses.unit_codes
    sums, answered, empty, rows = count_answers(codes, responses.answers, groups, first_top(rubric))
    respondents = rows - empty
    if (respondents == 0).any():
        idle = [str(u) for u in responses.unit_ids[respondents == 0].tolist()]
        raise ObservationError("unit(s) without any answered questionnaire: "
                               + enumerate_limited([repr(u) for u in idle]))  # fmt: skip
    found = None
    if responses.weights is not None:
        found = tally_codes(rubric, responses.answers, codes, responses.unit_ids,
                            responses.weights, moments=True)  # fmt: skip
        zero = found.weight <= 0
        if zero.any():
            raise ObservationError(
                "unit(s) whose respondents all have weight 0: "
                + enumerate_limited([repr(str(u)) for u in responses.unit_ids[zero].tolist()])
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = sums / answered if found is None else found.wsum / found.wcount
    return build_result(
        rubric, responses.unit_ids, nrr, respondents, empty, answered, sums, responses,
        tally=found, **options,
    )  # fmt: skip


def compute_tally(rubric: Rubric, found: Tally, **options: Any) -> IkmResult:
    """Weight, round and grade the NRRs of a checked tally (no answers kept: intervals from it)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = found.wsum / found.wcount
    sums = None if found.weighted else found.wsum.astype(np.int64)
    return build_result(
        rubric, found.unit_ids, nrr, found.respondents, found.rows - found.respondents,
        found.answered, sums, None, tally=found, **options,
    )  # fmt: skip
