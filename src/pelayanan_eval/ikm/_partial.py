"""Exact partial tallies of survey answers: weighted sums and counts that add with ``+``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval._common.messages import enumerate_limited
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import ObservationError, OptionError
from pelayanan_eval.ikm._conventions import align
from pelayanan_eval.ikm._items import items
from pelayanan_eval.ikm._responses import Responses
from pelayanan_eval.ikm._store import read_fields, write_fields
from pelayanan_eval.ikm._tally import count_answers

Array = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]
MOMENT_ROWS = 1 << 13  # respondents whose outer products are held at once
_ARRAYS = ("rows", "respondents", "answered", "weight", "weight_sq", "wsum", "wcount")


def _eq(a: Any, b: Any) -> bool:
    return a is b or (a is not None and b is not None and np.array_equal(a, b))


@attrs.frozen(eq=False, repr=False)
class Tally:
    """Per unit and item: weighted sums and counts of answers, enough for every survey result.

    Tallies of chunks of respondents (files, partitions, days) add with
    ``+`` into the tally of all of them, exactly: counts are integers, and
    unweighted sums are whole numbers held exactly in float64; weighted
    sums agree to rounding (1e-12 relative). Results are computed from a
    tally by :func:`~pelayanan_eval.ikm.survey` or :func:`~pelayanan_eval.ikm.compute`.

    Attributes
    ----------
    rubric_id, rubric_hash, leaf_ids
        The rubric tallied (:attr:`Rubric.content_hash <pelayanan_eval.Rubric.content_hash>`):
        tallies of different rubrics or versions do not add.
    unit_ids
        The units (or groups), in order of first appearance.
    rows, respondents
        ``int64[units]``: questionnaires read, and those with at least one answer.
    answered
        ``int64[units, items]``: answers given.
    weight, weight_sq
        ``float64[units]``: sum of the respondents' weights and of their squares.
    wsum, wcount
        ``float64[units, items]``: sum of weight x answer (on the answer
        scale) and of the weights of those who answered.
    moments
        ``float64[units, 2 items, 2 items]`` or None: the sum over respondents
        of :math:`z z^T` with :math:`z = (w (x_j - c_j) d_j, w d_j)_j`
        (:math:`d_j` = 1 if item j is answered; :math:`c_j` the middle of its
        answer scale), what the linearised intervals need.
    weighted
        Whether any respondent carried a design weight.
    """

    rubric_id: str
    rubric_hash: str
    leaf_ids: tuple[str, ...]
    unit_ids: npt.NDArray[np.str_]
    rows: Counts
    respondents: Counts
    answered: Counts
    weight: Array
    weight_sq: Array
    wsum: Array
    wcount: Array
    moments: Array | None
    weighted: bool

    def __len__(self) -> int:
        return len(self.unit_ids)

    def __repr__(self) -> str:
        kind = "weighted" if self.weighted else "unweighted"
        return (f"<Tally of {self.rubric_id!r}: {len(self)} units, {int(self.respondents.sum())} "
                f"respondents, {kind}>")  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tally):
            return NotImplemented
        same = (self.rubric_id, self.rubric_hash, self.leaf_ids, self.weighted) == (
            other.rubric_id, other.rubric_hash, other.leaf_ids, other.weighted)  # fmt: skip
        return same and all(_eq(getattr(self, name), getattr(other, name))
                            for name in ("unit_ids", *_ARRAYS, "moments"))  # fmt: skip

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: object) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        if (self.rubric_id, self.rubric_hash, self.leaf_ids) != (
            other.rubric_id, other.rubric_hash, other.leaf_ids):  # fmt: skip
            raise OptionError(
                f"cannot add tallies of different rubrics: {self.rubric_id!r} "
                f"(version {self.rubric_hash[:12]}) and {other.rubric_id!r} "
                f"(version {other.rubric_hash[:12]})"
            )
        if (self.moments is None) != (other.moments is None):
            raise OptionError("cannot add a tally with interval moments to one without "
                              "(tally both with moments=True, or both without)")  # fmt: skip
        ids, codes = factorize(np.concatenate([self.unit_ids, other.unit_ids]), sort=False)
        return _combine(self, ids, codes, [self, other], self.weighted or other.weighted)

    def __radd__(self, other: object) -> Tally:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # sum(tallies) starts from 0
        return NotImplemented

    def regroup(self, groups: npt.ArrayLike | Mapping[Any, Any]) -> Tally:
        """Pool units into groups (kelurahan -> kecamatan -> city): their sums add exactly.

        Parameters
        ----------
        groups
            Group per unit: an array in :attr:`unit_ids` order, or a mapping
            unit id -> group (``{u: "kota" for u in tally.unit_ids}`` for the city).
        """
        labels = align(groups, self.unit_ids, "groups").astype(np.str_)
        ids, codes = factorize(labels, sort=False)
        return _combine(self, ids, codes, [self], self.weighted)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the tally to a versioned ``.npz`` file (read it with :func:`load_tally`)."""
        write_fields(attrs.asdict(self, recurse=False), path)


def load_tally(path: str | os.PathLike[str]) -> Tally:
    """Read a tally written by :meth:`Tally.save`.

    Parameters
    ----------
    path
        A ``.npz`` file.

    Returns
    -------
    Tally

    Raises
    ------
    ObservationError
        If the file is missing, truncated, not a tally, of another format
        version, or its arrays do not fit together.

    Notes
    -----
    Format version 1: a numpy ``.npz`` archive (no pickled objects) with the
    text arrays ``format`` (``"pelayanan_eval.tally"``), ``rubric_id``,
    ``rubric_hash``, ``leaf_ids``, ``unit_ids``; ``version`` (1) and
    ``weighted``; ``int64`` ``rows``, ``respondents`` ``[units]`` and
    ``answered`` ``[units, items]``; ``float64`` ``weight``, ``weight_sq``
    ``[units]``, ``wsum``, ``wcount`` ``[units, items]`` and, optionally,
    ``moments`` ``[units, 2 items, 2 items]`` (see :class:`Tally`).

    Examples
    --------
    >>> import tempfile, pathlib, warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> part = ikm.tally(ikm.Responses.from_arrays(rubric, answers=[[3] * 9], unit=["a"]))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kab-kediri.npz"
    >>> part.save(path)
    >>> ikm.load_tally(path) == part
    True
    """
    return Tally(**read_fields(path))


def add_extended(total: Tally, part: Tally) -> Tally:
    """Add `part`, whose units are `total`'s units followed by new ones, without re-matching ids."""
    out: dict[str, Any] = {}
    for name in (*_ARRAYS, "moments"):
        have, extra = getattr(total, name), getattr(part, name)
        if have is None:
            out[name] = None
            continue
        grown = extra.copy()
        grown[: len(have)] += have
        out[name] = grown
    return Tally(total.rubric_id, total.rubric_hash, total.leaf_ids, part.unit_ids,
                 weighted=total.weighted or part.weighted, **out)  # fmt: skip


def _combine(
    first: Tally,
    ids: npt.NDArray[Any],
    codes: npt.NDArray[np.intp],
    parts: list[Tally],
    weighted: bool,
) -> Tally:
    """Sum the rows of `parts` (stacked in order) into the groups `codes` names."""
    out: dict[str, Any] = {}
    n = len(ids)
    for name in (*_ARRAYS, "moments"):
        stacked = [getattr(part, name) for part in parts]
        if stacked[0] is None:
            out[name] = None
            continue
        total = np.zeros((n, *stacked[0].shape[1:]), dtype=stacked[0].dtype)
        start = 0
        for values in stacked:  # a part's units are distinct: plain fancy-index adds suffice
            where = codes[start : start + len(values)]
            start += len(values)
            if len(parts) > 1:
                total[where] += values
            else:  # regrouping: several units into one group
                np.add.at(total, where, values)
        out[name] = total
    return Tally(first.rubric_id, first.rubric_hash, first.leaf_ids, ids.astype(np.str_),
                 weighted=weighted, **out)  # fmt: skip


def tally(responses: Responses, *, by: str | None = None, moments: bool = True) -> Tally:
    r"""Tally survey answers per unit (and attribute value) and item.

    Parameters
    ----------
    responses
        The answers, with their design weights if any.
    by
        The name of a respondent attribute: tally per (unit, value), the
        groups named ``"unit | value"`` (a breakdown).
    moments
        Also tally the cross moments the linearised intervals need (cost:
        ``(2 items)^2`` numbers per unit; off when only point values are needed).

    Returns
    -------
    Tally

    Notes
    -----
    With weights :math:`w_i`, per unit and item :math:`j`: ``wsum`` =
    :math:`\sum_i w_i x_{ij} d_{ij}`, ``wcount`` = :math:`\sum_i w_i d_{ij}`;
    without weights every :math:`w_i = 1` and the sums are whole numbers.
    """
    if not isinstance(responses, Responses):
        raise ObservationError(f"expected ikm.Responses, got {type(responses).__name__}")
    rubric, codes, ids = responses.rubric, responses.unit_codes, responses.unit_ids
    if by is not None:
        if by not in responses.attributes:
            raise OptionError(f"by: no respondent attribute {by!r}; the responses carry "
                              f"{sorted(responses.attributes) or 'none'}")  # fmt: skip
        pairs = np.char.add(np.char.add(ids[codes], " | "), responses.attributes[by])
        ids, codes = factorize(pairs, sort=False)
    return tally_codes(rubric, responses.answers, codes, ids, responses.weights, moments=moments)


def tally_codes(
    rubric: Rubric,
    answers: npt.NDArray[np.uint8],
    codes: npt.NDArray[np.intp],
    ids: npt.NDArray[Any],
    weights: Array | None,
    *,
    moments: bool,
    compiled: bool | None = None,
) -> Tally:
    """Tally checked answer codes (0 = none) of respondents in groups `codes` into `ids`."""
    scale = items(rubric)
    groups, width = len(ids), answers.shape[1]
    shift = scale.low - 1  # answer = code + shift
    if weights is None:
        sums, answered, blank, rows = count_answers(codes, answers, groups, scale.top,
                                                   compiled=compiled)  # fmt: skip
        wsum = sums + answered * shift
        wcount = answered.astype(np.float64)
        respondents = rows - blank
        weight = respondents.astype(np.float64)
        weight_sq = weight.copy()
    else:
        rows = np.bincount(codes, minlength=groups).astype(np.int64)
        answered = np.zeros((groups, width), dtype=np.int64)
        wsum, wcount = np.zeros((groups, width)), np.zeros((groups, width))
        respondents = np.zeros(groups, dtype=np.int64)
        weight, weight_sq = np.zeros(groups), np.zeros(groups)
        for start in range(0, len(answers), 1 << 16):
            block, unit = answers[start : start + (1 << 16)], codes[start : start + (1 << 16)]
            w = weights[start : start + (1 << 16)]
            given = block > 0
            some = given.any(axis=1)
            respondents += np.bincount(unit[some], minlength=groups)
            weight += np.bincount(unit, weights=w * some, minlength=groups)
            weight_sq += np.bincount(unit, weights=w * w * some, minlength=groups)
            for j in range(width):  # one bincount per item, as count_answers does
                answered[:, j] += np.bincount(unit, weights=given[:, j], minlength=groups).astype(
                    np.int64)  # fmt: skip
                value = np.where(given[:, j], block[:, j] + shift[j], 0.0)
                wsum[:, j] += np.bincount(unit, weights=w * value, minlength=groups)
                wcount[:, j] += np.bincount(unit, weights=w * given[:, j], minlength=groups)
    # moments about the middle of each answer scale: smaller terms, less cancellation
    centre = shift - (scale.low + scale.high) / 2
    cross = _moments(answers, codes, groups, weights, centre) if moments else None
    return Tally(rubric.id, rubric.content_hash, rubric.leaf_ids, np.asarray(ids, np.str_),
                 rows.astype(np.int64), respondents.astype(np.int64), answered.astype(np.int64),
                 weight.astype(np.float64), weight_sq.astype(np.float64),
                 np.asarray(wsum, np.float64), wcount, cross,
                 weights is not None)  # fmt: skip


def _moments(
    answers: npt.NDArray[np.uint8],
    codes: npt.NDArray[np.intp],
    groups: int,
    weights: Array | None,
    shift: Array,
) -> Array:
    """Per group, the sum of :math:`z z^T` with :math:`z = (w x d, w d)`, chunk by chunk."""
    width = answers.shape[1]
    total = np.zeros((groups, 2 * width, 2 * width))
    for start in range(0, len(answers), MOMENT_ROWS):
        block, unit = answers[start : start + MOMENT_ROWS], codes[start : start + MOMENT_ROWS]
        order = np.argsort(unit, kind="stable")
        unit = unit[order]
        given = (block[order] > 0).astype(np.float64)
        w = np.ones(len(unit)) if weights is None else weights[start : start + MOMENT_ROWS][order]
        z = np.concatenate([(block[order] + shift) * given, given], axis=1) * w[:, None]
        outer = z[:, :, None] * z[:, None, :]
        first = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
        total[unit[first]] += np.add.reduceat(outer, first, axis=0)
    return total


def check_tally(tally_: object, rubric: Rubric) -> Tally:
    """Return `tally_` if it is a tally of `rubric` (same items and version), else raise."""
    if not isinstance(tally_, Tally):
        raise ObservationError(f"expected an ikm.Tally, got {type(tally_).__name__}")
    if (tally_.rubric_id, tally_.rubric_hash) != (rubric.id, rubric.content_hash):
        raise OptionError(
            f"the tally is of rubric {tally_.rubric_id!r} (version {tally_.rubric_hash[:12]}), "
            f"not of {rubric.id!r} (version {rubric.content_hash[:12]})"
        )
    idle = np.flatnonzero(tally_.respondents == 0)
    if len(idle):
        raise ObservationError("unit(s) without any answered questionnaire: " + enumerate_limited(
            [repr(str(u)) for u in tally_.unit_ids[idle].tolist()]))  # fmt: skip
    zero = np.flatnonzero(tally_.weight <= 0)
    if len(zero):
        raise ObservationError("unit(s) whose respondents all have weight 0: " + enumerate_limited(
            [repr(str(u)) for u in tally_.unit_ids[zero].tolist()]))  # fmt: skip
    return tally_
