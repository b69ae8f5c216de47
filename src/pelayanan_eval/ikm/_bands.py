"""Published IKM band tables, as data: which scale they grade, their bands, their source."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._rubric.grading import Band, GradeScale, Rounding, band_scale, grade_values
from pelayanan_eval.typing import BandScale


@attrs.frozen
class BandTable:
    """A published IKM band table: where it is applied, its bands and where it comes from.

    Parameters
    ----------
    id
        Short name.
    on
        ``"reported"`` (graded on 25-100, after the conversion) or ``"index"``
        (graded on 1-4).
    rounding
        How the value is rounded before grading (the printed tables: 2 decimals half up).
    grades
        Bands, top first (code = mutu, label = kinerja).
    source
        Where the table is printed, with its evidence label.
    """

    id: str
    on: BandScale = attrs.field(converter=band_scale)
    rounding: Rounding
    grades: GradeScale
    source: str

    def grade(self, value: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Return the band code of each value (on this table's scale), after its rounding.

        Examples
        --------
        >>> BAND_TABLES["permenpanrb-14-2017"].grade([76.6049, 76.605]).tolist()
        ['C', 'B']
        """
        what = f"under band table {self.id!r}"
        return grade_values(value, self.grades, self.rounding, what=what).codes


def _table(id_: str, on: BandScale, bounds: Sequence[float], source: str) -> BandTable:
    labels = (("A", "Sangat Baik"), ("B", "Baik"), ("C", "Kurang Baik"), ("D", "Tidak Baik"))
    bands = [Band(code, low, label) for (code, label), low in zip(labels, bounds, strict=True)]
    return BandTable(id_, on, Rounding(2, "half_up"), GradeScale(bands), source)


BAND_TABLES: dict[str, BandTable] = {
    table.id: table
    for table in (
        _table(
            "permenpanrb-14-2017",
            "reported",
            (88.31, 76.61, 65.00, 25.00),
            "PermenPANRB 14/2017 Lampiran table as reproduced by BPPP Tegal and tubaba "
            "[V-sec]: NIK 25,00-64,99 D / 65,00-76,60 C / 76,61-88,30 B / 88,31-100 A; "
            "printed gaps resolved by rounding to 2 decimals, then lower bounds",
        ),
        _table(
            "kepmenpan-25-2004",
            "reported",
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
