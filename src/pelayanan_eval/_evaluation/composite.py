"""The composite index: each instrument's index per unit, combined by the instruments' weights."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import readonly
from pelayanan_eval._common.messages import check_option, enumerate_limited, suggest
from pelayanan_eval._data.columns import leaf_mismatch
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._data.units import Units
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import MissingScoreError, ObservationError
from pelayanan_eval.typing import NoDataPolicy, choices

NO_DATA_POLICIES = choices(NoDataPolicy)
SHOWN = 20  # units named in an error

Array = npt.NDArray[np.float64]


@attrs.frozen(eq=False, repr=False)
class InstrumentScores:
    """Each instrument's index per unit and what entered the composite.

    Attributes
    ----------
    ids, weights
        The rubric's instruments in declared order, and their weights.
    index
        ``[units, instruments]`` each instrument's index (NaN: no data, or
        fewer records than the instrument's ``min_respondents``).
    records
        ``[units, instruments]`` visits or respondents behind each index.
    used
        ``[units, instruments]`` True where the instrument's index entered
        the composite with its weight (False: no data, counted as 0 or
        left out as `no_data` says).
    no_data
        The policy for a unit without data for an instrument.
    rule
        The composite as a formula, e.g. ``"0.75 x F-02 + 0.25 x F-03"``.
    """

    ids: tuple[str, ...]
    weights: tuple[float, ...]
    index: Array = attrs.field(converter=readonly)
    records: npt.NDArray[np.int64] = attrs.field(converter=readonly)
    used: npt.NDArray[np.bool_] = attrs.field(converter=readonly)
    no_data: str
    rule: str
    evaluator: int = 0  # position of the evaluator's instrument

    @cached_property
    def evaluator_share(self) -> Array:
        """Per unit, the weight the evaluator's index carries in its composite.

        Under ``renormalize`` the weights of the instruments a unit has data
        for are scaled up to sum to 1; otherwise they are as declared.
        """
        weights = np.array(self.weights)
        kinds = self.index.shape[1]
        evaluator = np.zeros(kinds)
        evaluator[self.evaluator] = weights[self.evaluator]
        if self.no_data != "renormalize":
            return readonly(np.full(len(self.index), evaluator.sum()))
        share: Array = (self.used @ evaluator) / np.maximum(self.used @ weights, 1e-300)
        return readonly(share)

    def card_figures(self, i: int) -> dict[str, Any]:
        """Return what unit `i`'s report card shows of the composite."""
        lines = tuple(zip(self.ids, self.index[i].tolist(), self.records[i].tolist(), strict=True))
        return {"share": float(self.evaluator_share[i]), "instruments": lines,
                "composite": f"{self.rule}; no data: {self.no_data}"}  # fmt: skip

    def __repr__(self) -> str:
        return f"<InstrumentScores {self.rule} (no data: {self.no_data}), {len(self.index)} units>"


def composite(
    rubric: Rubric,
    table: Units,
    evaluator: tuple[Array, npt.NDArray[np.int64]],
    data: Mapping[str, Observations],
    no_data: str,
    evaluate: Callable[..., Any],
) -> tuple[Array, InstrumentScores]:
    """Return the composite index per unit of `table` and each instrument's part in it.

    `evaluator` is the evaluator instrument's index and visits per unit;
    `data` holds the records of the other instruments by id; `evaluate` is
    the engine, called on each instrument's own rubric.
    """
    check_option("no_data policy", no_data, NO_DATA_POLICIES)
    if not rubric.instruments:
        raise ObservationError(
            f"instrument data given, but rubric {rubric.id!r} declares no instruments"
        )
    if not isinstance(data, Mapping):
        raise ObservationError(
            f"instruments must map an instrument id to its Observations, got {type(data).__name__}"
        )
    declared = [inst.id for inst in rubric.instruments]
    problems = [
        f"rubric {rubric.id!r} declares no instrument {key!r} (it declares "
        f"{', '.join(map(repr, declared))}){suggest(str(key), declared)}"
        for key in data
        if key not in declared
    ]
    for inst in rubric.instruments:
        if inst.kind == "evaluator" and inst.id in data:
            problems.append(
                f"instrument {inst.id!r} is the evaluator's: its records are the "
                "observations given to evaluate(), not an entry of instruments"
            )
    if problems:
        raise ObservationError("; ".join(problems))
    n, k = len(table), len(rubric.instruments)
    index = np.full((n, k), np.nan)
    records = np.zeros((n, k), dtype=np.int64)
    for j, inst in enumerate(rubric.instruments):
        if inst.kind == "evaluator":
            index[:, j], records[:, j] = evaluator
            continue
        given = data.get(inst.id)
        if given is None:
            continue
        part, counts = _instrument_index(rubric, inst.id, table, given, evaluate)
        enough = counts >= inst.min_respondents
        index[:, j] = np.where(enough, part, np.nan)
        records[:, j] = counts
    weights = np.array([inst.weight or 0.0 for inst in rubric.instruments])
    have = ~np.isnan(index)
    lacking = ~have & (weights > 0)
    if no_data == "error" and lacking.any():
        raise _lacking_error(rubric, table, lacking)
    filled = np.where(have, index, 0.0)
    total = filled @ weights
    if no_data == "renormalize":
        share = have @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.where(share > 0, total / share, np.nan)
    rule = " + ".join(
        f"{w:g} x {inst.id}" for w, inst in zip(weights, rubric.instruments, strict=True)
    )
    scores = InstrumentScores(
        ids=tuple(declared),
        weights=tuple(weights.tolist()),
        index=index,
        records=records,
        used=have & (weights > 0),
        no_data=no_data,
        rule=rule,
    )
    return total, scores


def _instrument_index(
    rubric: Rubric, instrument_id: str, table: Units, given: Any, evaluate: Callable[..., Any]
) -> tuple[Array, npt.NDArray[np.int64]]:
    """One instrument's index and record count per unit of `table` (NaN / 0 where none)."""
    own = rubric.instrument_rubric(instrument_id)
    if not isinstance(given, Observations):
        raise ObservationError(
            f"instrument {instrument_id!r}: expected Observations (built on "
            f"rubric.instrument_rubric({instrument_id!r})), got "
            f"{type(given).__name__}"
        )
    mismatch = leaf_mismatch(given.rubric, own)
    if mismatch:
        raise ObservationError(
            f"instrument {instrument_id!r}: the records were scored on "
            f"{given.rubric.id!r}, not on the instrument's rubric "
            f"{own.id!r}: {mismatch}"
        )
    result = evaluate(own, given, aggregate="mean", missing="renormalize", min_coverage=0.0)
    ids = result.units.ids
    part = np.full(len(table), np.nan)
    counts = np.zeros(len(table), dtype=np.int64)
    if len(ids) == len(table) and bool(np.all(ids == table.ids)):  # the same units, in order
        return np.array(result.index), np.asarray(result.visits, dtype=np.int64)
    order = np.argsort(table.ids, kind="stable")
    found = np.minimum(np.searchsorted(table.ids[order], ids), len(order) - 1)
    known = table.ids[order][found] == ids
    if not bool(np.all(known)):
        strangers = [repr(str(u)) for u in ids[~known][:SHOWN].tolist()]
        raise ObservationError(
            f"instrument {instrument_id!r}: records for unit(s) not among the "
            f"units: {enumerate_limited(strangers)}"
        )
    rows = order[found]
    part[rows] = result.index
    counts[rows] = result.visits
    return part, counts


def _lacking_error(
    rubric: Rubric, table: Units, lacking: npt.NDArray[np.bool_]
) -> MissingScoreError:
    lines, pairs = [], []
    for j, inst in enumerate(rubric.instruments):
        units = table.ids[lacking[:, j]].tolist()
        if units:
            pairs += [(str(u), inst.id) for u in units]
            shown = enumerate_limited([repr(str(u)) for u in units[:SHOWN]])
            more = f" ... {len(units)} in all" if len(units) > SHOWN else ""
            need = f" (at least {inst.min_respondents} records)" if inst.min_respondents > 1 else ""
            lines.append(f"{inst.id}{need}: {shown}{more}")
    return MissingScoreError(
        f"{len(pairs)} unit x instrument pair(s) without data (no_data='error'; use "
        "no_data='zero' to count the instrument as 0, or 'renormalize' to weigh the other "
        "instruments up): " + "; ".join(lines),
        missing=pairs,
    )
