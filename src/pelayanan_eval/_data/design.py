"""The visit-design report: every unit visited as planned, by different assessors, in time.

It needs only the observations and units (``_data``), not the evaluation
layer, so that it can move below ``_evaluation`` if ``evaluate()`` is to
run it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import check_option, enumerate_limited
from pelayanan_eval._common.records import html_records, to_pandas, warn
from pelayanan_eval._data.observations import Observations
from pelayanan_eval._data.units import Unit, Units
from pelayanan_eval.exceptions import DesignWarning, ObservationError, OptionError
from pelayanan_eval.typing import DesignCheck, choices

CHECKS = choices(DesignCheck)
COLUMNS = ("check", "message", "units")
SHOWN = 10  # units named in a message before "... and N more"


@attrs.frozen
class Finding:
    """One warning of a design report: which check, what it found, the units concerned."""

    check: str
    message: str
    units: tuple[str, ...]


@attrs.frozen(eq=False, repr=False)
class DesignReport:
    """What the visits show about the design, and each departure from it as a finding.

    Attributes
    ----------
    findings
        The warnings, in the order of :data:`~pelayanan_eval.typing.DesignCheck`.
    unit_ids, visits, assessors, days
        Per unit: rows, distinct named assessors, and days between its first
        and last dated visit (NaN with fewer than two dates).
    workload
        Assessor -> (visits, distinct units).
    """

    findings: tuple[Finding, ...]
    unit_ids: npt.NDArray[np.str_]
    visits: npt.NDArray[np.int64]
    assessors: npt.NDArray[np.int64]
    days: npt.NDArray[np.float64]
    workload: dict[str, tuple[int, int]]

    @property
    def ok(self) -> bool:
        """True when no check found anything."""
        return not self.findings

    @property
    def checks(self) -> tuple[str, ...]:
        """The checks that found something."""
        return tuple(f.check for f in self.findings)

    def __repr__(self) -> str:
        found = ", ".join(self.checks) or "no warnings"
        return f"<DesignReport: {len(self.unit_ids)} units; {found}>"

    def __str__(self) -> str:
        lines = [f"design of {len(self.unit_ids)} units, {int(self.visits.sum())} visits:"]
        lines += [f"  {f.check}: {f.message}" for f in self.findings] or ["  no warnings"]
        lines.append("  assessor workloads (visits, units): " + ", ".join(
            f"{name} {v}/{u}" for name, (v, u) in self.workload.items()) if self.workload
            else "  no assessor named")  # fmt: skip
        return "\n".join(lines)

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per finding: check, message and the units (``;``-separated)."""
        return [{"check": f.check, "message": f.message, "units": "; ".join(f.units)}
                for f in self.findings]  # fmt: skip

    def to_pandas(self) -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), COLUMNS)

    def _repr_html_(self) -> str:
        return html_records(repr(self)[1:-1], self.to_records(), COLUMNS)

    def warn(self) -> None:
        """Emit one :class:`DesignWarning` per finding."""
        for finding in self.findings:
            warn(f"{finding.check}: {finding.message}", DesignWarning)

    def raise_for(self, *checks: DesignCheck) -> None:
        """Raise ObservationError listing the findings of `checks` (none given: of every check).

        Raises
        ------
        OptionError
            An unknown check name.
        ObservationError
            One of the chosen checks found something.
        """
        chosen = [check_option("design check", c, CHECKS) for c in checks] or list(CHECKS)
        found = [f for f in self.findings if f.check in chosen]
        if found:
            raise ObservationError(
                f"the visit design fails {len(found)} check(s): "
                + "; ".join(f"{f.check}: {f.message}" for f in found)
            )


def _named(units: Sequence[str]) -> str:
    return enumerate_limited([repr(u) for u in units], SHOWN)


def _unit_table(units: Any) -> Units | None:
    """Return the units table of `units`: a Units, a list of Unit, or an evaluation's units."""
    if units is None:
        return None
    table = getattr(units, "units", None)  # an Evaluation (kept out of the imports: see below)
    if isinstance(table, Units):
        return table
    return Units.coerce(units)


def _norm(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().casefold()


def _period(period: object) -> tuple[np.datetime64, np.datetime64] | None:
    if period is None:
        return None
    try:
        start, end = (np.datetime64(p, "D") for p in period)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise OptionError(f"period must be (start, end) dates, got {period!r}") from None
    if np.isnat(start) or np.isnat(end) or end < start:
        raise OptionError(f"period must be (start, end) with start <= end, got {period!r}")
    return start, end


def design_report(
    observations: Observations,
    *,
    units: Units | Sequence[Unit] | Any = None,
    period: tuple[Any, Any] | None = None,
    visits: int = 2,
    assessors: int = 2,
    min_days: int | None = None,
) -> DesignReport:
    """Check the visit design: visits, assessors, dates, categories.

    Parameters
    ----------
    observations
        The assessors' visits.
    units
        The units (a list of :class:`~pelayanan_eval.Unit`, a
        :class:`~pelayanan_eval.Units` table, or an evaluation), for the
        category checks; without them those checks are skipped.
    period
        ``(start, end)`` dates (inclusive) the visits must fall in.
    visits
        Visits planned per unit (default 2).
    assessors
        Distinct assessors planned per unit (default 2).
    min_days
        Least days between consecutive visits of a unit (None: not checked).

    Returns
    -------
    DesignReport
        Per-unit counts, workloads and findings. Checks (each names the
        units): ``visits`` (not the planned number), ``assessors`` (fewer
        distinct assessors), ``same_assessor`` (one assessor on two visits of
        a unit), ``unknown_assessor`` (visits with no observer),
        ``outside_period`` and ``undated`` (with `period`),
        ``days_between`` (with `min_days`), ``one_unit_category`` (a unit
        alone in its category, so it is ranked against nobody) and
        ``category_labels`` (labels differing only by case or spaces, such
        as ``Kelurahan`` and ``kelurahan`` with a trailing space).

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import agreement
    >>> city = pe.demo_city()
    >>> report = agreement.design_report(city.observations, units=city.units,
    ...                                  period=("2026-08-01", "2026-11-30"))
    >>> report.ok, int(report.visits.min()), int(report.assessors.min())
    (True, 2, 2)
    """
    obs = checked(observations, "design report")
    for name, value in (("visits", visits), ("assessors", assessors)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise OptionError(f"{name} must be a whole number >= 1, got {value!r}")
    if min_days is not None and (isinstance(min_days, bool) or not isinstance(min_days, int)
                                 or min_days < 0):  # fmt: skip
        raise OptionError(f"min_days must be a whole number >= 0, got {min_days!r}")
    window = _period(period)
    ids, codes, n = obs.unit_ids, obs.unit_codes, len(obs.unit_ids)
    findings: list[Finding] = []

    def add(check: str, mask: npt.NDArray[np.bool_], text: str) -> None:
        chosen = [str(u) for u in ids[mask].tolist()]
        if chosen:
            findings.append(Finding(check, f"{len(chosen)} unit(s) {text}: {_named(chosen)}",
                                    tuple(chosen)))  # fmt: skip

    per_unit = np.bincount(codes, minlength=n)
    add("visits", per_unit != visits, f"not visited {visits} time(s)")
    named = np.char.str_len(np.char.strip(obs.observer)) > 0
    names, who = factorize(obs.observer)
    pairs, pair_rows = pair_counts(codes[named], who[named], len(names))
    distinct = np.bincount(pairs // len(names), minlength=n)
    add("assessors", distinct < assessors, f"scored by fewer than {assessors} assessors")
    add(
        "same_assessor",
        np.bincount(pairs[pair_rows > 1] // len(names), minlength=n) > 0,
        "visited more than once by the same assessor",
    )
    add("unknown_assessor", np.bincount(codes[~named], minlength=n) > 0,
        "have visits with no observer named")  # fmt: skip
    dated = ~np.isnat(obs.date)
    days_of = obs.date.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    days_of[~dated] = np.nan
    if window is not None:
        start, end = (np.int64(w.astype(np.int64)) for w in window)
        outside = dated & ((days_of < start) | (days_of > end))
        add("outside_period", np.bincount(codes[outside], minlength=n) > 0,
            f"visited outside {window[0]} to {window[1]}")  # fmt: skip
        add("undated", np.bincount(codes[~dated], minlength=n) > 0, "have visits without a date")
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])  # rows grouped by unit
    with np.errstate(invalid="ignore"):
        span = np.fmax.reduceat(days_of, starts) - np.fmin.reduceat(days_of, starts)
    span = np.where(np.add.reduceat(dated.astype(np.int64), starts) >= 2, span, np.nan)
    if min_days is not None:
        order = np.lexsort((days_of, codes))
        gaps = np.diff(days_of[order])
        same = codes[order][1:] == codes[order][:-1]
        close = same & (gaps < min_days)
        add("days_between", np.bincount(codes[order][1:][close], minlength=n) > 0,
            f"have visits less than {min_days} days apart")  # fmt: skip
    table = _unit_table(units)
    if table is not None:
        findings += _category_findings(table)
    visits_of = np.bincount(who[named], minlength=len(names))
    units_of = np.bincount(pairs % len(names), minlength=len(names))
    load = {str(names[i]): (int(visits_of[i]), int(units_of[i]))
            for i in range(len(names)) if str(names[i]).strip()}  # fmt: skip
    findings.sort(key=lambda f: CHECKS.index(f.check))
    return DesignReport(tuple(findings), ids, per_unit.astype(np.int64),
                        distinct.astype(np.int64), span, load)  # fmt: skip


def _category_findings(table: Units) -> list[Finding]:
    """One-unit categories and category labels that differ only by case or spaces."""
    findings = []
    labels, codes = factorize(table.categories)
    sizes = np.bincount(codes, minlength=len(labels))
    lonely = [str(label) for label, size in zip(labels.tolist(), sizes.tolist(), strict=True)
              if size == 1 and str(label).strip()]  # fmt: skip
    if lonely:
        alone = [str(table.ids[codes == labels.tolist().index(c)][0]) for c in lonely]
        findings.append(Finding(
            "one_unit_category",
            f"{len(lonely)} categor(ies) with a single unit, ranked against nobody: "
            + enumerate_limited([f"{c!r} ({u!r})" for c, u in zip(lonely, alone, strict=True)]),
            tuple(alone),
        ))  # fmt: skip
    groups: dict[str, list[str]] = {}
    for label in labels.tolist():  # a loop over distinct labels
        groups.setdefault(_norm(str(label)), []).append(str(label))
    clashes = [variants for variants in groups.values() if len(variants) > 1]
    if clashes:
        concerned = [str(u) for u in table.ids[np.isin(table.categories,
                     [v for c in clashes for v in c])].tolist()]  # fmt: skip
        findings.append(Finding(
            "category_labels",
            "category labels that differ only by case or spaces (units would be ranked apart): "
            + "; ".join(" / ".join(repr(v) for v in c) for c in clashes)
            + f"; units {_named(concerned)}",
            tuple(concerned),
        ))  # fmt: skip
    return findings


def require(report: DesignReport, checks: Sequence[DesignCheck] = ()) -> None:
    """Raise ObservationError if a chosen check of `report` found something (none: every check).

    This is how an evaluation turns chosen design warnings into errors::

        agreement.require(agreement.design_report(obs, units=units), ["same_assessor"])
    """
    if not isinstance(report, DesignReport):
        raise OptionError(f"require() needs a DesignReport, got {type(report).__name__}")
    if isinstance(checks, str):
        checks = [checks]  # type: ignore[list-item]
    report.raise_for(*checks)


def checked(observations: object, what: str = "agreement") -> Observations:
    """Return `observations` if it is an Observations, else raise naming what was given."""
    if not isinstance(observations, Observations):
        raise ObservationError(
            f"{what}: expected pelayanan_eval.Observations (the assessors' visits), "
            f"got {type(observations).__name__}"
        )
    return observations


def pair_counts(
    unit_codes: npt.NDArray[np.intp], rater_codes: npt.NDArray[np.intp], raters: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the distinct (unit, rater) pairs (as ``unit * raters + rater``) and their rows.

    Sparse: the cost follows the rows, not units x raters (a national pool
    of assessors would make that table large).
    """
    keys = unit_codes.astype(np.int64) * raters + rater_codes
    distinct, count = np.unique(keys, return_counts=True)
    return distinct, count.astype(np.int64)
