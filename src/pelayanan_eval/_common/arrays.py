"""Array helpers shared by the models and results."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval.exceptions import ObservationError

BLOCK_CELLS = 1 << 15  # float64 cells per block of rows: 256 KiB, kept in cache between passes


def readonly(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """Return `values` as an array that cannot be changed in place (no copy if it is one)."""
    array = np.asarray(values)
    array.flags.writeable = False
    return array


def blocked_product(
    rows: npt.NDArray[np.float64 | np.bool_], matrix: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Return ``rows @ matrix``, computed over blocks of rows.

    A tall, narrow product (units x leaves times leaves x nodes) is memory
    bound; as one call, a multi-threaded BLAS splits it over threads that
    then wait on each other, 5-30x slower on a busy 2-core machine. Blocks
    of about 256 KiB stay in cache and below the BLAS threading threshold.
    """
    result = np.empty((rows.shape[0], matrix.shape[1]))
    step = max(1, BLOCK_CELLS // max(rows.shape[1], 1))
    for start in range(0, rows.shape[0], step):
        np.matmul(rows[start : start + step], matrix, out=result[start : start + step])
    return result


def check_lengths(where: str, n: int, columns: dict[str, Any]) -> None:
    """Raise ObservationError naming the first given column whose shape is not ``(n,)``."""
    for name, column in columns.items():
        if column is not None and np.shape(column) != (n,):
            raise ObservationError(f"{where}: {name} has shape {np.shape(column)}, expected ({n},)")


def factorize(labels: npt.ArrayLike) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """Sorted distinct labels and, per element, the position of its label.

    Integers within a small span (visit numbers, codes) are counted; rows
    grouped by label in sorted order (as a database export ordered by unit
    gives them) are recognised in one vectorised pass; anything else falls
    back to :func:`numpy.unique`.

    Examples
    --------
    >>> uniques, codes = factorize(["b", "b", "a", "b"])
    >>> uniques.tolist(), codes.tolist()
    (['a', 'b'], [1, 1, 0, 1])
    """
    array = np.asarray(labels)
    if len(array) == 0:
        return array[:0], np.zeros(0, dtype=np.intp)
    if array.dtype.kind in "iu":
        low, high = int(array.min()), int(array.max())
        if high - low <= 2 * len(array) and high < 1 << 63:  # a small span: count, no sort
            # in int64 every value fits and, as the span is small, no difference overflows
            offset = (array.astype(np.int64) - low).astype(np.intp, copy=False)
            present = np.bincount(offset, minlength=high - low + 1) > 0
            position = np.cumsum(present, dtype=np.intp) - 1
            uniques = (np.flatnonzero(present).astype(np.int64) + low).astype(array.dtype)
            return uniques, position[offset]
    change = np.empty(len(array), dtype=bool)
    change[0] = True
    np.not_equal(array[1:], array[:-1], out=change[1:])
    heads = array[change]
    if len(heads) == 1 or bool(np.all(heads[1:] > heads[:-1])):
        codes: npt.NDArray[np.intp] = np.cumsum(change, dtype=np.intp) - 1
        return heads, codes
    if len(array) > 4096:
        # few distinct labels (categories, visit numbers): one comparison pass per label
        # instead of sorting every element
        sample = np.unique(array[:: len(array) // 1024])
        if len(sample) <= 16:
            codes = np.full(len(array), -1, dtype=np.intp)
            for i, label in enumerate(sample):
                codes[array == label] = i
            if bool(np.all(codes >= 0)):
                return sample, codes
    if array.dtype.kind == "U" and len(array) > 4096:
        found = _factorize_text(array)
        if found is not None:
            return found
    uniques, inverse = np.unique(array, return_inverse=True)
    return uniques, inverse.astype(np.intp, copy=False)


def _factorize_text(
    array: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]] | None:
    """Factorise text through a 64-bit hash of its characters.

    Sorting integers is several times faster than sorting strings; only the
    distinct labels are sorted as text. Returns None on a hash collision
    (checked, not assumed), and the caller then sorts the strings.
    """
    chars = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), -1)
    hashed = np.zeros(len(array), dtype=np.uint64)
    for position in range(chars.shape[1]):  # a loop over character positions, not rows
        hashed *= np.uint64(1_000_003)
        hashed += chars[:, position]
    _, first, inverse = np.unique(hashed, return_index=True, return_inverse=True)
    labels = array[first]
    for start in range(0, len(array), 1 << 20):  # equal hashes must mean equal text
        if not np.array_equal(labels[inverse[start : start + (1 << 20)]],
                              array[start : start + (1 << 20)]):  # fmt: skip
            return None
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=np.intp)
    rank[order] = np.arange(len(labels))
    return labels[order], rank[inverse]
