"""Survey responses stored compactly: uint8 answers (0 = no answer) and a unit per respondent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._data.columns import (
    empty_rows,
    label_problems,
    number_problems,
    raise_problems,
    unit_code_problems,
)
from pelayanan_eval._data.scores import by_leaf
from pelayanan_eval._data.tables import read_long, read_records
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError
from pelayanan_eval.ikm._items import items
from pelayanan_eval.ikm._weights import attribute_problems, weight_problems


def first_top(rubric: Rubric) -> int:
    """Return the largest answer code of a survey rubric's items (IKM: 4)."""
    return items(rubric).top


def _check_answers(
    rubric: Rubric,
    answers: npt.NDArray[Any],
    where: str,
    row_name: Callable[[int], str] = lambda i: f"row {i}",
) -> npt.NDArray[np.uint8]:
    """Return answers as uint8 codes (0 = none), refusing values off each item's answer scale."""
    scales = items(rubric)
    low, high = scales.low, scales.high
    if answers.ndim != 2 or answers.shape[1] != len(rubric.leaves):
        raise ObservationError(
            f"{where}: answers have shape {answers.shape}, expected (respondents, "
            f"{len(rubric.leaves)}): one column per unsur of {rubric.id!r}"
        )
    if answers.dtype == np.uint8 and (low == 1).all():
        compact = answers  # answers 1..top are their own codes
    else:
        numbers = np.asarray(answers, dtype=np.float64)  # checked by number_problems
        # no answer: NaN, or 0 on an item whose scale has no 0
        unanswered = np.isnan(numbers) | ((numbers == 0) & (low > 0))
        whole = np.where(unanswered, low, numbers)
        problems = []
        fractional = np.flatnonzero((whole != np.rint(whole)).any(axis=1))
        if len(fractional):
            i = int(fractional[0])
            problems.append(f"answers must be whole numbers; {len(fractional)} respondent(s) "
                            f"have others, e.g. {row_name(i)}: {numbers[i].tolist()}")  # fmt: skip
        off = (whole == np.rint(whole)) & ((whole < low) | (whole > high))
        if off.any():
            rows, cols = np.nonzero(off)
            shown = [
                f"{row_name(r)}, unsur {rubric.leaf_ids[c]!r}: {_plain_number(numbers[r, c])} "
                f"(scale {low[c]:g}..{high[c]:g})"
                for r, c in zip(rows[:20].tolist(), cols[:20].tolist(), strict=True)
            ]
            more = f"; ... and {len(rows) - 20} more" if len(rows) > 20 else ""
            problems.append("answers outside the scale: " + "; ".join(shown) + more)
        if problems:
            raise ObservationError(f"{where}: " + "; ".join(problems))
        return np.where(unanswered, 0, whole - low + 1).astype(np.uint8)
    top, bottom = high.astype(np.uint8), low.astype(np.uint8)  # uint8: no upcast copies
    uniform = bool((top == top[0]).all())
    for start in range(0, len(compact), 1 << 20):
        block = compact[start : start + (1 << 20)]
        if uniform and int(np.max(block, initial=0)) <= top[0]:
            continue  # one pass: every answer is 0 (none) or 1..top
        bad = block > top
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


def _plain_number(value: float) -> str:
    return f"{value:g}" if np.isfinite(value) else repr(float(value))


@attrs.frozen(eq=False, repr=False)
class Responses:
    """Survey answers stored compactly: ``uint8[respondents, unsur]``, 0 = no answer, and units.

    Build it with :meth:`from_arrays` (fast path), :meth:`from_records` or
    :meth:`from_long`. Called directly, the class checks its columns as
    those do: whole answers on each unsur's scale (0 = no answer), one
    integer code per respondent into the distinct text ids `unit_ids`.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> ikm.Responses(rubric, [[200] * 9], [0], ["a"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pelayanan_eval.exceptions.ObservationError: responses: answers outside the scale: row 0, ...
    """

    rubric: Rubric
    answers: npt.NDArray[np.uint8]
    unit_codes: npt.NDArray[np.intp]
    unit_ids: npt.NDArray[np.str_]
    #: design weight per respondent (None: every respondent counts 1)
    weights: npt.NDArray[np.float64] | None = attrs.field(default=None, kw_only=True)
    #: respondent attributes (age group, sex, channel, ...): name -> one label per respondent
    attributes: Mapping[str, npt.NDArray[np.str_]] = attrs.field(factory=dict, kw_only=True)
    # set by the named constructors, which checked the columns; evolve() checks afresh
    _checked: bool = attrs.field(default=False, kw_only=True, repr=False)

    def __attrs_post_init__(self) -> None:
        if self._checked:
            object.__setattr__(self, "_checked", False)
            return
        checked = _responses(self.rubric, self.answers, self.unit_codes, self.unit_ids,
                             lambda i: f"row {i}", self.weights, self.attributes)  # fmt: skip
        for name in ("answers", "unit_codes", "unit_ids", "weights", "attributes"):
            object.__setattr__(self, name, getattr(checked, name))

    def __len__(self) -> int:
        return len(self.answers)

    def __repr__(self) -> str:
        return (
            f"<Responses: {len(self)} respondents, {len(self.unit_ids)} units, "
            f"{self.answers.shape[1]} unsur of {self.rubric.id!r}"
            + (", weighted>" if self.weights is not None else ">")
        )

    @classmethod
    def from_arrays(
        cls,
        rubric: Rubric,
        *,
        answers: npt.ArrayLike,
        unit: npt.ArrayLike,
        unit_ids: npt.ArrayLike | None = None,
        weights: npt.ArrayLike | None = None,
        attributes: Mapping[str, npt.ArrayLike] | None = None,
    ) -> Responses:
        """Build from an answers matrix and a unit per respondent.

        Parameters
        ----------
        rubric
            The survey rubric; one answers column per unsur, in ``rubric.leaf_ids`` order.
        answers
            ``[respondents, unsur]``: whole answers on each item's answer
            scale (its declared ``answers``, else its own scale); NaN for no
            answer, and 0 too on an item whose scale has no 0 (IKM's 1-4).
            True/False are refused, not read as 1/0. When every item's
            answers start at 1 (IKM), a ``uint8`` array is used as it is (no
            copy); other answers are stored as ``answer - min + 1``.
        unit
            Unit per respondent: ids (text; numbers are read as text), or integer codes
            ``0 <= code < len(unit_ids)`` when `unit_ids` is given.
        unit_ids
            The units, when `unit` holds codes into it (the fastest path).
        weights
            Design weight per respondent (household expansion factor,
            post-stratification weight): finite numbers >= 0, not all 0 in a
            unit. None: every respondent counts 1.
        attributes
            Respondent attributes to break results down by: name -> one label
            per respondent (``{"kanal": [...], "umur": [...]}``).

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
        return _responses(rubric, answers, unit, unit_ids, lambda i: f"row {i}", weights,
                          attributes)  # fmt: skip

    @classmethod
    def from_records(
        cls,
        rubric: Rubric,
        records: Iterable[Mapping[str, Any]],
        *,
        unit_column: str = "unit",
        source: str = "records",
        first_row: int = 0,
        weight_column: str | None = None,
        attribute_columns: Iterable[str] = (),
    ) -> Responses:
        """Build from dict rows: the unit column and one column per unsur id (blank = no answer).

        `weight_column` names the respondents' design weights; `attribute_columns`
        the columns carried as attributes (see :meth:`from_arrays`).
        """
        extra = tuple(attribute_columns)
        meta = ((weight_column,) if weight_column is not None else ()) + extra
        columns = read_records(rubric, records, source, first_row, unit_column=unit_column,
                               meta=meta, survey=True)  # fmt: skip
        weights = None if weight_column is None else _numbers(columns[weight_column])
        return _responses(rubric, columns["values"], columns["unit"], None,
                          lambda i: f"{source} row {first_row + i}", weights,
                          {name: columns[name] for name in extra})  # fmt: skip

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
        columns = read_long(rubric, "responses (long form)", unit=unit, criterion=item,
                            value=answer, key=("respondent", respondent), extra={},
                            survey=True)  # fmt: skip
        return cls.from_arrays(rubric, answers=columns["values"], unit=columns["unit"])


def _responses(
    rubric: Rubric,
    answers: npt.ArrayLike,
    unit: npt.ArrayLike,
    unit_ids: npt.ArrayLike | None,
    row_name: Callable[[int], str],
    weights: npt.ArrayLike | None = None,
    attributes: Mapping[str, npt.ArrayLike] | None = None,
) -> Responses:
    """Check every column, all problems together; the one way to a trusted Responses."""
    if not isinstance(rubric, Rubric):
        raise ObservationError(f"responses: rubric must be a Rubric, got {type(rubric).__name__}")
    first_top(rubric)
    matrix = by_leaf(rubric, answers, "responses: answers")
    names = [str(c) for c in matrix.columns] if hasattr(matrix, "columns") else rubric.leaf_ids
    problems = number_problems(matrix, "answers", list(names))
    if unit_ids is None:
        problems += label_problems(unit, "unit")
    else:
        problems += unit_code_problems(unit, unit_ids)
    n = len(np.asarray(matrix))
    found, named = attribute_problems(attributes, n)
    problems += found
    if weights is not None and unit_ids is None and not label_problems(unit, "unit"):
        weight_ids, weight_codes = factorize(np.asarray(unit).astype(np.str_), sort=False)
    elif weights is not None and unit_ids is not None and not unit_code_problems(unit, unit_ids):
        weight_ids, weight_codes = np.asarray(unit_ids, np.str_), np.asarray(unit, np.intp)
    else:
        weight_ids, weight_codes = None, None
    found, weight_values = weight_problems(weights, weight_codes, weight_ids, n, row_name)
    problems += found
    raise_problems("responses", problems)
    compact = _check_answers(rubric, np.asarray(matrix), "responses", row_name)
    units = np.asarray(unit)
    if units.shape != (len(compact),):
        raise ObservationError(
            f"responses: unit has shape {units.shape}, expected ({len(compact)},)"
        )
    if len(compact) == 0:
        raise ObservationError("responses: no respondents")
    if unit_ids is None:
        ids, codes = factorize(
            units if units.dtype.kind == "U" else units.astype(np.str_), sort=False
        )
        empty = empty_rows(ids, codes)
        if empty:
            raise ObservationError(f"responses: empty unit id in row(s) {empty}")
    else:
        ids, codes = np.array(unit_ids, dtype=np.str_), units.astype(np.intp, copy=False)
    if weight_values is not None:
        weight_values.flags.writeable = False
    return Responses(rubric, compact, codes, ids, weights=weight_values, attributes=named,
                     checked=True)  # fmt: skip


def _numbers(texts: npt.NDArray[np.str_]) -> list[Any]:
    """Weights read from a table as text: numbers where they parse, the text otherwise."""
    out: list[Any] = []
    for text in texts.tolist():
        try:
            out.append(float(text) if text.strip() else float("nan"))
        except ValueError:
            out.append(text)
    return out
