"""Survey responses stored compactly: uint8 answers (0 = no answer) and a unit per respondent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import enumerate_limited, suggest
from pelayanan_eval._data.scores import by_leaf, mapping_rows
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError, OptionError


def first_top(rubric: Rubric) -> int:
    low, high = rubric.leaf_scales
    if not (np.all(low >= 1) and np.all(high == np.rint(high)) and np.all(high <= 255)):
        raise OptionError(
            f"rubric {rubric.id!r}: survey answers must be whole numbers from 1 up to at most "
            "255 (0 is kept for 'no answer')"
        )
    return int(high.max())


def _check_answers(
    rubric: Rubric,
    answers: npt.NDArray[Any],
    where: str,
    row_name: Callable[[int], str] = lambda i: f"row {i}",
) -> npt.NDArray[np.uint8]:
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
                f"others, e.g. {row_name(i)}: {numbers[i].tolist()}"
            )
        if (whole < 0).any() or (whole > 255).any():
            row = int(np.flatnonzero(((whole < 0) | (whole > 255)).any(axis=1))[0])
            raise ObservationError(
                f"{where}: answer off every scale in {row_name(row)}: {numbers[row].tolist()}"
            )
        compact = whole.astype(np.uint8)
    top, bottom = high.astype(np.uint8), low.astype(np.uint8)  # uint8: no upcast copies
    uniform = bool((top == top[0]).all() and (bottom == 1).all())
    for start in range(0, len(compact), 1 << 20):
        block = compact[start : start + (1 << 20)]
        if uniform and int(np.max(block, initial=0)) <= top[0]:
            continue  # one pass: every answer is 0 (none) or 1..top
        bad = (block > top) | ((block > 0) & (block < bottom))
        if bad.any():
            rows, cols = np.nonzero(bad)
            shown = [
                f"{row_name(start + r)}, unsur {rubric.leaf_ids[c]!r}: {int(block[r, c])} "
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
        return _responses(rubric, answers, unit, unit_ids, lambda i: f"row {i}")

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
        rows = mapping_rows(records, source, first_row)
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
                if matrix[i, j] == 0:  # in a table "no answer" is an empty cell, not a 0
                    problems.append(f"{where}, column {key!r}: answer 0 is on no answer scale "
                                    "(leave the cell empty for no answer)")  # fmt: skip
        if problems:
            raise ObservationError(enumerate_limited(problems))
        return _responses(
            rubric, matrix, np.array(units, dtype=np.str_), None,
            lambda i: f"{source} row {first_row + i}",
        )  # fmt: skip

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


def _responses(
    rubric: Rubric,
    answers: npt.ArrayLike,
    unit: npt.ArrayLike,
    unit_ids: npt.ArrayLike | None,
    row_name: Callable[[int], str],
) -> Responses:
    first_top(rubric)
    matrix = np.asarray(by_leaf(rubric, answers, "responses: answers"))
    compact = _check_answers(rubric, matrix, "responses", row_name)
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
            raise ObservationError(
                f"responses: with unit_ids, unit must hold integer codes, got {units.dtype}"
            )
        distinct, counts = np.unique(ids, return_counts=True)
        if (counts > 1).any():
            raise ObservationError("responses: unit_ids repeats "
                                   + enumerate_limited([repr(d) for d in distinct[counts > 1]
                                                        .tolist()]))  # fmt: skip
        low, high = int(units.min()), int(units.max())
        if low < 0 or high >= len(ids):
            raise ObservationError(
                f"responses: unit codes must lie in 0..{len(ids) - 1}, got {low}..{high}"
            )
        codes = units.astype(np.intp, copy=False)
    return Responses(rubric, compact, codes, ids)
