"""Array helpers shared by the models and results."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval.exceptions import ObservationError

BLOCK_CELLS = 1 << 15  # float64 cells per block of rows: 256 KiB, kept in cache between passes


def readonly(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """Return `values` as an array that cannot be changed in place (no copy if it is one)."""
    array = np.asarray(values)
    array.flags.writeable = False
    return array


@attrs.frozen(eq=False)
class Labels:
    """Per-row labels as codes into the distinct labels (``uniques[codes]``, spelled lazily)."""

    uniques: npt.NDArray[np.str_]
    codes: npt.NDArray[np.intp]

    def spelled(self) -> npt.NDArray[np.str_]:
        """Return the label of every row (read-only)."""
        result: npt.NDArray[np.str_] = readonly(self.uniques[self.codes])
        return result


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


def factorize(
    labels: npt.ArrayLike, *, sort: bool = True
) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """Distinct labels and, per element, the position of its label among them.

    With ``sort=True`` (default) the distinct labels are sorted; with
    ``sort=False`` they are in order of first appearance, so rows grouped
    by label (as a database export ordered by unit gives them, ``kel-9``
    before ``kel-10``) get ascending codes whatever the text order of the
    labels.

    Integers within a small span (visit numbers, codes) are counted; rows
    grouped by label are recognised in one vectorised pass; anything else
    falls back to sorting (text through a hash of its characters).

    Examples
    --------
    >>> uniques, codes = factorize(["b", "b", "a", "b"])
    >>> uniques.tolist(), codes.tolist()
    (['a', 'b'], [1, 1, 0, 1])
    >>> uniques, codes = factorize(["b", "b", "a", "b"], sort=False)
    >>> uniques.tolist(), codes.tolist()
    (['b', 'a'], [0, 0, 1, 0])
    """
    array = np.asarray(labels)
    if len(array) == 0:
        return array[:0], np.zeros(0, dtype=np.intp)
    if not sort:
        return _by_appearance(array)
    if array.dtype.kind in "iu":
        low, high = int(array.min()), int(array.max())
        if high - low <= 2 * len(array) and high < 1 << 63:  # a small span: count, no sort
            # in int64 every value fits and, as the span is small, no difference overflows
            offset = array.astype(np.intp)
            offset -= low
            present = np.bincount(offset, minlength=high - low + 1) > 0
            uniques = (np.flatnonzero(present).astype(np.int64) + low).astype(array.dtype)
            if present.all():  # every value of the span occurs: the offsets are the codes
                return uniques, offset
            position = np.cumsum(present, dtype=np.intp) - 1
            return uniques, position[offset]
    if len(array) > 4096:
        # few distinct labels (categories, visit numbers): one comparison pass per label
        # instead of sorting every element
        sample = np.unique(array[:: len(array) // 1024])
        looked_up = _by_one_character(array, sample) if array.dtype.kind == "U" else None
        if looked_up is not None:
            return sample, looked_up
        if len(sample) <= 16:
            codes: npt.NDArray[np.intp] = np.full(len(array), -1, dtype=np.intp)
            for i, label in enumerate(sample):
                codes[array == label] = i
            if bool(np.all(codes >= 0)):
                return sample, codes
    change = _changes(array)
    heads = array[change]
    if increasing(heads):
        codes = np.cumsum(change, dtype=np.intp) - 1
        return heads, codes
    if array.dtype.kind == "U" and len(array) > 4096:
        found = _factorize_text(array)
        if found is not None:
            return found
    uniques, inverse = np.unique(array, return_inverse=True)
    return uniques, inverse.astype(np.intp, copy=False)


def _by_one_character(
    array: npt.NDArray[np.str_], sample: npt.NDArray[np.str_]
) -> npt.NDArray[np.intp] | None:
    """Codes into `sample` read from one character that tells its labels apart, or None.

    A category column holds a few labels (``kelurahan``, ``puskesmas``,
    ``opd``) that usually differ in one position: each row's code is looked
    up from its character there, and one comparison of the whole text then
    proves that no row holds another label (else None: the caller compares
    label by label).
    """
    if not 1 < len(sample) <= 16 or array.dtype.itemsize == 0:
        return None
    chars = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), -1)
    labels = np.ascontiguousarray(sample.astype(array.dtype)).view(np.uint32)
    labels = labels.reshape(len(sample), -1)
    for position in range(labels.shape[1]):
        column = labels[:, position]
        if len(np.unique(column)) == len(sample) and int(column.max()) < 1 << 16:
            table = np.full(1 << 16, 0, dtype=np.intp)
            table[column] = np.arange(len(sample))
            codes: npt.NDArray[np.intp] = table[np.minimum(chars[:, position], (1 << 16) - 1)]
            step = max(1, (BLOCK_CELLS * 2) // labels.shape[1])  # compared block by block
            for start in range(0, len(array), step):
                spelled = labels[codes[start : start + step]]
                if not np.array_equal(spelled, chars[start : start + step]):
                    return None
            return codes
    return None


def _changes(array: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Return True where an element differs from the one before it (and at the first)."""
    change = np.empty(len(array), dtype=bool)
    change[:1] = True
    np.not_equal(array[1:], array[:-1], out=change[1:])
    return change


def _by_appearance(array: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """Factorise with the distinct labels in order of first appearance."""
    change = _changes(array)
    heads = array[change]
    if is_distinct(heads):  # grouped rows: each label's rows form one run
        codes: npt.NDArray[np.intp] = np.cumsum(change, dtype=np.intp) - 1
        return heads, codes
    uniques, inverse = factorize(array)
    starts = np.flatnonzero(change)  # a label first appears at the start of one of its runs
    first = np.full(len(uniques), len(array), dtype=np.intp)
    np.minimum.at(first, inverse[starts], starts)
    order = np.argsort(first)
    renumber = np.empty(len(uniques), dtype=np.intp)
    renumber[order] = np.arange(len(uniques))
    return uniques[order], renumber[inverse]


def increasing(array: npt.NDArray[Any]) -> bool:
    """Return True when every element is greater than the one before it."""
    return len(array) < 2 or bool(np.all(array[1:] > array[:-1]))


def repeated(array: npt.ArrayLike) -> npt.NDArray[Any]:
    """Return the values that occur more than once, sorted and each once.

    Examples
    --------
    >>> repeated(["b", "a", "b", "c", "a"]).tolist()
    ['a', 'b']
    """
    ordered = np.sort(np.asarray(array))
    result: npt.NDArray[Any] = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    return result


def is_distinct(array: npt.NDArray[Any]) -> bool:
    """Return True when no element repeats.

    Ids that increase as text, or as numbered text (``kel-9`` before
    ``kel-10``: by length, then as text), are recognised without sorting;
    other text is compared through a 64-bit hash of its characters, and
    sorted as text only when two hashes agree.

    Examples
    --------
    >>> is_distinct(np.array(["kel-9", "kel-10", "kel-11"])), is_distinct(np.array([2, 1, 2]))
    (True, False)
    """
    if len(array) < 2:
        return True
    if array.dtype.kind == "U":
        length = np.char.str_len(array)
        longer = length[1:] > length[:-1]
        if bool(np.all(longer | ((length[1:] == length[:-1]) & (array[1:] > array[:-1])))):
            return True  # increasing by length, then text (for equal lengths: as text)
        if increasing(array):
            return True
        hashed = np.sort(_text_hash(array))
        if not bool(np.any(hashed[1:] == hashed[:-1])):
            return True
    elif increasing(array):
        return True
    ordered = np.sort(array)
    return not bool(np.any(ordered[1:] == ordered[:-1]))


def _text_hash(array: npt.NDArray[np.str_]) -> npt.NDArray[np.uint64]:
    """Return a 64-bit hash of each text's characters (equal text, equal hash)."""
    chars = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), -1)
    hashed = np.zeros(len(array), dtype=np.uint64)
    for position in range(chars.shape[1]):  # a loop over character positions, not rows
        hashed *= np.uint64(1_000_003)
        hashed += chars[:, position]
    return hashed


def _factorize_text(
    array: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]] | None:
    """Factorise text through a 64-bit hash of its characters.

    Sorting integers is several times faster than sorting strings; only the
    distinct labels are sorted as text. Returns None on a hash collision
    (checked, not assumed), and the caller then sorts the strings.
    """
    _, first, inverse = np.unique(_text_hash(array), return_index=True, return_inverse=True)
    labels = array[first]
    for start in range(0, len(array), 1 << 20):  # equal hashes must mean equal text
        if not np.array_equal(labels[inverse[start : start + (1 << 20)]],
                              array[start : start + (1 << 20)]):  # fmt: skip
            return None
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=np.intp)
    rank[order] = np.arange(len(labels))
    return labels[order], rank[inverse]
