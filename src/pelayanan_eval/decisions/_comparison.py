"""Result types of a comparison of rounds and of progress towards a target."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.records import html_records, to_pandas


@attrs.frozen
class UnitChange:
    """One unit present in two rounds: its change and whether it is beyond the noise.

    ``change`` is the reported index after minus before (full precision);
    ``se`` its standard error from the visits of both rounds (NaN when no
    uncertainty was given: ``beyond_noise`` is then None);
    ``rank_move`` is the rank before minus the rank after (positive: up);
    ``aspects`` the change of each compared aspect and ``aspects_beyond_noise``
    whether it is beyond the noise (empty without pooled uncertainty in both rounds).
    """

    unit: str
    name: str
    group: str
    before: float
    after: float
    change: float
    se: float
    beyond_noise: bool | None
    grade_before: str
    grade_after: str
    rank_before: float
    rank_after: float
    rank_move: float
    coached: bool
    aspects: Mapping[str, float]
    aspects_beyond_noise: Mapping[str, bool]


@attrs.frozen
class Gap:
    """The spread of one group's index in two rounds: range (best - worst) and IQR."""

    group: str
    range_before: float
    range_after: float
    iqr_before: float
    iqr_after: float
    narrowed: bool


@attrs.frozen
class Coaching:
    """Whether the units coached after the earlier round improved more than the others.

    ``difference`` is the mean change of the coached units minus that of the
    others, ``se`` its Welch standard error (NaN with fewer than two units
    on a side).
    """

    coached: int
    others: int
    mean_change_coached: float
    mean_change_others: float
    difference: float
    se: float


@attrs.frozen(eq=False, repr=False)
class RoundChange:
    """Two consecutive rounds compared on the units they share."""

    before: str
    after: str
    criteria: tuple[str, ...]
    same_rubric: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]
    columns: Mapping[str, npt.NDArray[Any]] = attrs.field(repr=False)
    aspect_changes: Mapping[str, npt.NDArray[np.float64]] = attrs.field(repr=False)
    aspect_beyond: Mapping[str, npt.NDArray[np.bool_]] = attrs.field(repr=False)
    grade_codes: tuple[str, ...]
    transitions: tuple[tuple[int, ...], ...]
    most_improved: Mapping[str, str]
    gaps: tuple[Gap, ...]
    coaching: Coaching | None

    def __repr__(self) -> str:
        beyond = int(np.nansum(self.columns["beyond_noise"]))
        return (
            f"<RoundChange {self.before} -> {self.after}: {len(self.columns['unit'])} units "
            f"matched ({beyond} beyond noise), {len(self.added)} added, "
            f"{len(self.removed)} removed>"
        )

    def _rows(self) -> list[dict[str, Any]]:
        """One dict per matched unit with :class:`UnitChange`'s fields (aspects flattened)."""
        names = list(self.columns)
        lists = [self.columns[name].tolist() for name in names]
        rows = [dict(zip(names, values, strict=True)) for values in zip(*lists, strict=True)]
        for row in rows:
            flag = row["beyond_noise"]
            row["beyond_noise"] = None if flag != flag else bool(flag)
        return rows

    @cached_property
    def units(self) -> tuple[UnitChange, ...]:
        """The matched units, one :class:`UnitChange` each, in the later round's order."""
        changes = {c: v.tolist() for c, v in self.aspect_changes.items()}
        beyond = {c: v.tolist() for c, v in self.aspect_beyond.items()}
        return tuple(
            UnitChange(**row, aspects={c: v[n] for c, v in changes.items()},
                       aspects_beyond_noise={c: v[n] for c, v in beyond.items()})
            for n, row in enumerate(self._rows())
        )  # fmt: skip

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per matched unit (see :class:`UnitChange`), aspects flattened."""
        rows = self._rows()
        extra = {f"change_{c}": v.tolist() for c, v in self.aspect_changes.items()}
        extra.update({f"beyond_noise_{c}": v.tolist() for c, v in self.aspect_beyond.items()})
        records = []
        for n, row in enumerate(rows):
            record = {"from": self.before, "to": self.after, **row}
            record.update({key: values[n] for key, values in extra.items()})
            records.append(record)
        return records

    def transition_records(self) -> list[dict[str, Any]]:
        """Return the grade transition matrix: one dict per grade before, counts by grade after."""
        return [
            {"grade_before": code, **dict(zip(self.grade_codes, row, strict=True))}
            for code, row in zip(self.grade_codes, self.transitions, strict=True)
        ]


@attrs.frozen(eq=False, repr=False)
class Comparison:
    """Evaluation rounds compared: one :class:`RoundChange` per consecutive pair of rounds."""

    labels: tuple[str, ...]
    pairs: tuple[RoundChange, ...]

    def __repr__(self) -> str:
        return f"<Comparison of rounds {', '.join(self.labels)}: {len(self.pairs)} changes>"

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per unit and pair of rounds (see :meth:`RoundChange.to_records`)."""
        return [record for pair in self.pairs for record in pair.to_records()]

    def to_pandas(self) -> Any:
        """Return the records as a DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), what="Comparison")

    def _repr_html_(self) -> str:
        columns = ("from", "to", "unit", "group", "before", "after", "change", "beyond_noise")
        return html_records(repr(self), self.to_records(), columns)


@attrs.frozen(eq=False, repr=False)
class TargetProgress:
    """An index series against a target by a year.

    ``needed_per_year`` is the yearly gain still needed from the latest
    value; ``gains`` the yearly gains between consecutive readings and
    ``mean_gain`` the average yearly gain from the first reading to the
    latest; ``projected`` the value at the target year if that average gain
    continued; ``p_reach`` the probability of reaching the target under the
    model stated in ``model`` (None where the data allow none).
    """

    years: tuple[float, ...]
    values: tuple[float, ...]
    target: float
    by: float
    needed_per_year: float
    gains: tuple[float, ...]
    mean_gain: float
    projected: float
    on_track: bool
    p_reach: float | None
    model: str

    def __repr__(self) -> str:
        p = "n/a" if self.p_reach is None else f"{self.p_reach:.2f}"
        return (
            f"<TargetProgress {self.values[-1]:g} in {self.years[-1]:g} -> {self.target:g} by "
            f"{self.by:g}: needs {self.needed_per_year:+.3f}/year, seen {self.mean_gain:+.3f}/year,"
            f" P(reach) {p}>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per reading: year, value and the gain per year since the previous."""
        gains = (float("nan"), *self.gains)
        return [
            {"year": year, "value": value, "gain_per_year": gain}
            for year, value, gain in zip(self.years, self.values, gains, strict=True)
        ]
