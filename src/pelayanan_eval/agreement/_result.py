"""Results of the agreement coefficients: one alpha, the ICC forms, the table per criterion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import readonly
from pelayanan_eval._common.records import html_records, number, to_pandas
from pelayanan_eval.agreement._alpha import alpha_value, check_level
from pelayanan_eval.agreement._icc import FORMS
from pelayanan_eval.exceptions import OptionError, UnknownCriterionError
from pelayanan_eval.typing import MeasurementLevel

Array = npt.NDArray[np.float64]


@attrs.frozen
class Coefficient:
    """Krippendorff's alpha of one set of reliability data, with its bootstrap interval.

    Attributes
    ----------
    value
        Alpha.
    low, high
        Percentile bootstrap interval over units (NaN without a bootstrap).
    level
        Level of measurement.
    units
        Units with two values or more (pairable).
    dropped
        Units with a single value, left out (they carry no pairable value).
    pairable
        Pairable values, :math:`n_{..}`.
    observed, expected
        Observed and expected disagreement, :math:`D_o` and :math:`D_e`.
    """

    value: float
    low: float
    high: float
    level: str
    units: int
    dropped: int
    pairable: float
    observed: float
    expected: float


@attrs.frozen
class IccResult:
    """Intraclass correlations of one ratings table: the forms its design supports.

    ``value[form]``, ``low[form]`` and ``high[form]`` for each supported
    form (``"ICC(1)"``, ``"ICC(1,k)"``, and on a complete crossed table
    ``"ICC(A,1)"``, ``"ICC(A,k)"``, ``"ICC(C,1)"``, ``"ICC(C,k)"``);
    ``unsupported[form]`` says why a form was not computed. `units` is
    the number of units used and `raters` the raters per unit (for an
    unbalanced one-way design, the mean size :math:`k_0`).
    """

    value: Mapping[str, float]
    low: Mapping[str, float]
    high: Mapping[str, float]
    unsupported: Mapping[str, str]
    units: int
    raters: float
    confidence: float


@attrs.frozen
class AgreementSettings:
    """How an agreement table was computed: enough to reproduce it."""

    level: str
    by: str
    raters: tuple[str, ...]
    crossed: bool
    n_boot: int
    confidence: float
    visit_coverage: float


COLUMNS = ("criterion", "kind", "name", "alpha", "alpha_low", "alpha_high", "units", "single",
           "pairable")  # fmt: skip


@attrs.frozen(eq=False, repr=False)
class Agreement:
    """Agreement between raters per criterion, per aspect (each node) and on the index.

    Rows follow the rubric's nodes in document order, then ``"index"``.
    Criteria (leaves) have alpha over their units; a node with children
    has alpha pooled over the (unit, criterion) pairs of the criteria
    under it, and the index row pools every criterion. ICCs are computed
    on each row's own scores: a criterion's scores, and for a node with
    children (or the index) the score each visit gives it.

    Attributes
    ----------
    ids, kinds, names
        Row ids (criterion ids, then ``"index"``), ``"criterion"`` /
        ``"aspect"`` / ``"index"``, and names.
    alpha, alpha_low, alpha_high
        Alpha and its bootstrap interval per row (NaN: undefined, or no
        bootstrap); :attr:`undefined` says why for each NaN alpha.
    units
        Service units with at least one pairable value in the row.
    single
        Reliability units left out with a single value: units for a
        criterion, (unit, criterion) pairs for a pooled row.
    pairable
        Pairable values per row.
    icc, icc_low, icc_high
        Per form computed, one array over the rows.
    icc_units
        Units used by the ICCs of each row.
    unsupported
        Forms not computed, with the reason.
    undefined
        Row id -> why alpha is undefined there.
    settings
        Level, rater field, raters, bootstrap size and confidence.
    coincidences
        ``[rows, values, values]``: each row's coincidence matrix over
        `domain`, from which :meth:`alpha_at` gives alpha at other levels.
    domain
        The score values the coincidence matrices are indexed by.
    """

    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    alpha: Array = attrs.field(converter=readonly)
    alpha_low: Array = attrs.field(converter=readonly)
    alpha_high: Array = attrs.field(converter=readonly)
    units: npt.NDArray[np.int64] = attrs.field(converter=readonly)
    single: npt.NDArray[np.int64] = attrs.field(converter=readonly)
    pairable: Array = attrs.field(converter=readonly)
    icc: Mapping[str, Array]
    icc_low: Mapping[str, Array]
    icc_high: Mapping[str, Array]
    icc_units: npt.NDArray[np.int64] = attrs.field(converter=readonly)
    unsupported: Mapping[str, str]
    undefined: Mapping[str, str]
    settings: AgreementSettings
    coincidences: Array = attrs.field(converter=readonly, repr=False)
    domain: Array = attrs.field(converter=readonly, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        s = self.settings
        forms = ", ".join(self.icc) or "no ICC"
        return (
            f"<Agreement by {s.by} ({len(s.raters)} raters), alpha {s.level}: "
            f"index {self.value('index'):.3f}; {forms}>"
        )

    def _position(self, row: str) -> int:
        try:
            return self.ids.index(row)
        except ValueError:
            raise UnknownCriterionError(
                f"no agreement row {row!r}; rows are the rubric's criterion ids and 'index'"
            ) from None

    def value(self, row: str = "index", form: str = "alpha") -> float:
        """Return alpha (``form="alpha"``) or an ICC form of one row (a criterion id or "index").

        Raises
        ------
        UnknownCriterionError
            No row has that id.
        OptionError
            The form was not computed (the message says why).
        """
        position = self._position(row)
        if form == "alpha":
            return float(self.alpha[position])
        if form not in self.icc:
            why = self.unsupported.get(form, f"forms: alpha, {', '.join(FORMS)}")
            raise OptionError(f"{form} was not computed: {why}")
        return float(self.icc[form][position])

    def alpha_at(self, level: MeasurementLevel) -> Array:
        """Return alpha of every row at another level of measurement (no new counting).

        The coincidence matrices do not depend on the level; only the
        difference function does. No interval: bootstrap with
        :func:`coefficients` at that level for one.

        Raises
        ------
        OptionError
            An unknown level.
        """
        chosen = check_level(level)
        return np.array([alpha_value(m, self.domain, chosen)[0] for m in self.coincidences])

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per row: criterion, kind, name, alpha with interval, counts, ICCs.

        ICC columns are named ``icc_1``, ``icc_1k``, ``icc_a1``, ... after the
        form, each with ``_low`` and ``_high``; NaN is written as None.
        """
        records = []
        for i, row in enumerate(self.ids):
            record: dict[str, Any] = {
                "criterion": row, "kind": self.kinds[i], "name": self.names[i],
                "alpha": number(self.alpha[i]), "alpha_low": number(self.alpha_low[i]),
                "alpha_high": number(self.alpha_high[i]), "units": int(self.units[i]),
                "single": int(self.single[i]), "pairable": float(self.pairable[i]),
            }  # fmt: skip
            for form, values in self.icc.items():
                key = column_name(form)
                record[key] = number(values[i])
                record[f"{key}_low"] = number(self.icc_low[form][i])
                record[f"{key}_high"] = number(self.icc_high[form][i])
            if self.undefined.get(row):
                record["note"] = self.undefined[row]
            records.append(record)
        return records

    def columns(self) -> tuple[str, ...]:
        """Return the record keys in order (the columns of :meth:`to_pandas`)."""
        icc = [f"{column_name(f)}{end}" for f in self.icc for end in ("", "_low", "_high")]
        return (*COLUMNS, *icc, "note")

    def to_pandas(self) -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), self.columns())

    def _repr_html_(self) -> str:
        s = self.settings
        caption = f"Agreement by {s.by}, Krippendorff's alpha ({s.level})"
        return html_records(caption, self.to_records(), self.columns())


def column_name(form: str) -> str:
    """Return the record key of an ICC form: ``ICC(A,1)`` -> ``icc_a1``."""
    inner = form[4:-1].replace(",", "").lower()
    return f"icc_{inner}"
