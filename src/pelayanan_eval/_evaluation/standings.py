"""Award tables and coaching lists (the units ranked k or better, or worse), and HTML tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import suggest
from pelayanan_eval._common.records import HTML_ROWS, html_table, to_pandas
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.typing import TieMethod


@attrs.frozen
class Standing:
    """One row of an award table (``Evaluation.top``) or a coaching list (``bottom``).

    Fields it shares with ``Evaluation.to_records()`` have the same names: ``index`` is the
    full-precision index on the rubric's scale, ``reported`` the index after
    the rubric's conversion, ``rounded`` the published value the ranking
    uses, ``grade`` and ``grade_label`` its band. ``tied`` marks a unit
    whose published index and tie-breaker values another unit of its group
    shares.
    """

    group: str
    rank: float
    tied: bool
    unit: str
    name: str
    index: float
    reported: float
    rounded: float
    grade: str
    grade_label: str


class Standings(list[Standing]):
    """The rows of an award table or a coaching list: a list of :class:`Standing`.

    In a notebook it renders as a table; :meth:`to_records` and
    :meth:`to_pandas` give the rows as dicts or a DataFrame.
    """

    title = "standings"

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per row, keys as the fields of :class:`Standing`."""
        return [attrs.asdict(row) for row in self]

    def to_pandas(self) -> Any:
        """Return the rows as a pandas DataFrame (needs the ``pandas`` extra)."""
        return to_pandas(self.to_records(), STANDING_FIELDS, what="Standings")

    def _repr_html_(self) -> str:
        rows = [
            (s.group, f"{s.rank:g}" + ("=" if s.tied else ""), s.unit, s.name,
             f"{s.rounded:.2f}", f"{s.grade} {s.grade_label}".strip())
            for s in self[:HTML_ROWS]
        ]  # fmt: skip
        head = ("group", "rank", "unit", "name", "index", "grade")
        caption = f"{self.title}: {len(self)} unit(s)" + ("; '=' marks a tie" if any(
            s.tied for s in self) else "")  # fmt: skip
        return html_table(caption, head, rows, len(self) - len(rows), noun="units")


STANDING_FIELDS = [field.name for field in attrs.fields(Standing)]


def tiebreak_names(tiebreak: Sequence[str], known: Sequence[str]) -> list[str]:
    """Return the tie-breaker names, each one of `known` (criterion ids and "id"), or refuse."""
    if isinstance(tiebreak, str):
        raise OptionError(f"tiebreak must be a list of names, got the text {tiebreak!r}")
    if not isinstance(tiebreak, Iterable):
        raise OptionError(f"tiebreak must be a list of names, got {tiebreak!r}")
    names = list(tiebreak)
    for name in names:
        if name not in known:
            raise OptionError(
                f"unknown tie-breaker {name!r}{suggest(str(name).lower(), known)}: use "
                "criterion ids of the rubric and/or 'id'"
            )
    return names


def choose(
    rounded: npt.NDArray[np.float64],
    codes: npt.NDArray[np.intp] | None,
    keys: list[npt.NDArray[Any]],
    k: int,
    ties: TieMethod,
    *,
    best: bool,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Rows ranked `k` or better (``best``) or worse, grouped, with their ranks and tie flags.

    Units are chosen by competition ranks, so whatever the tie method every
    unit tied at the cut is in; from the bottom, the same ranking is read
    backwards (ties and tie-breakers alike).
    """
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise OptionError(f"k must be a positive whole number, got {k!r}")
    k = int(k)
    ranks = rank(rounded, codes, ties=ties, tiebreak=keys)
    places = rank(rounded, codes, ties="min", tiebreak=keys)
    cut = places if best else rank(places, codes, ties="min")
    chosen = np.flatnonzero(cut <= k)
    labels = np.zeros(len(rounded), dtype=np.intp) if codes is None else codes
    # tied: another unit of the same group has the same published index and the same
    # tie-breaker values (whatever the tie method)
    ranked = ~np.isnan(ranks)
    columns = [labels, rounded, *(factorize(key)[1] for key in keys)]
    pairs = np.stack([np.asarray(c, dtype=np.float64)[ranked] for c in columns])
    _, inverse, counts = np.unique(pairs, axis=1, return_inverse=True, return_counts=True)
    shared = np.zeros(len(rounded), dtype=bool)
    shared[ranked] = counts[inverse.ravel()] > 1
    direction = 1 if best else -1
    order = np.lexsort((direction * ranks[chosen], labels[chosen]))
    rows = chosen[order]
    return rows, ranks[rows], shared[rows]
