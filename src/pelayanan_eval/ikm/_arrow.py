"""The fast CSV engine: pyarrow's streaming, multithreaded reader (the optional ``csv`` extra)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._csv_columns import columns_of, header_of, sniff
from pelayanan_eval.ikm._items import Items
from pelayanan_eval.ikm._partial import Tally, add_extended, tally_codes
from pelayanan_eval.ikm._progress import Progress

PART_BYTES = 1 << 22  # bytes of the file parsed at once (whole lines): about 150,000 rows
BLOCK_BYTES = PART_BYTES  # one block per part; pyarrow's threads convert its columns


def arrow_tally(
    rubric: Rubric,
    scale: Items,
    where: str,
    unit_column: str,
    weight_column: str | None,
    by: str | None,
    delimiter: str | None,
    moments: bool,
    bar: Progress,
    *,
    required: bool,
) -> Tally | None:
    """Tally the file with pyarrow; None when pyarrow is absent or a cell needs a closer look.

    Every cell is read typed (answers as integers, weights as floats, the
    unit as dictionary-encoded text); only empty cells are null. Anything
    else (a word, a decimal, an answer off the scale, a 0 where 0 is no
    answer, a short row, an empty unit) returns None, and the caller reads
    the file with the standard-library engine, which names every problem.
    """
    try:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
        import pyarrow.csv as pacsv  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        if required:
            raise OptionError("engine='pyarrow' needs pyarrow: pip install "
                              "'pelayanan-eval[csv]'") from None  # fmt: skip
        return None
    try:
        with open(where, "rb") as handle:
            head = handle.readline()
            first = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
            sep = sniff(first, delimiter)
            columns_of(rubric, header_of(first, sep), where, unit_column, weight_column, by)
            text = pa.dictionary(pa.int32(), pa.string())
            types: dict[str, Any] = {leaf: pa.int32() for leaf in rubric.leaf_ids}
            types[unit_column] = text
            if weight_column is not None:
                types[weight_column] = pa.float64()
            if by is not None:
                types[by] = text
            options = {
                "read_options": pacsv.ReadOptions(block_size=BLOCK_BYTES),
                "parse_options": pacsv.ParseOptions(delimiter=sep),
                "convert_options": pacsv.ConvertOptions(
                    column_types=types, include_columns=list(types), null_values=[""],
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                    decimal_point="," if sep == ";" else ".",
                ),
            }  # fmt: skip
            return _parts(rubric, scale, handle, head.removeprefix(b"\xef\xbb\xbf"), options,
                          (unit_column, weight_column, by), moments, bar, pa, pacsv)  # fmt: skip
    except (OSError, UnicodeDecodeError):
        return None  # the standard-library engine says what is wrong


def _parts(
    rubric: Rubric,
    scale: Items,
    handle: Any,
    header: bytes,
    options: dict[str, Any],
    names: tuple[str, str | None, str | None],
    moments: bool,
    bar: Progress,
    pa: Any,
    pacsv: Any,
) -> Tally | None:
    """Parse the file in parts of whole lines, each with pyarrow's threads: memory stays bounded.

    (pyarrow's own streaming reader reads ahead without bound when parsing
    is slower than the disk: a 500 MB file held about 350 MB at once.)
    """
    total: Tally | None = None
    low, high = scale.low.astype(np.int64), scale.high.astype(np.int64)
    done, rest = len(header), b""
    known: dict[str, int] = {}  # unit id -> its row in the running tally, in order of appearance
    while True:
        block = handle.read(PART_BYTES)
        data = rest + block
        cut = data.rfind(b"\n") + 1 if block else len(data)
        part, rest = data[:cut], data[cut:]
        if part.strip():
            try:
                table = pacsv.read_csv(pa.py_buffer(header + part), **options)
            except pa.ArrowException:  # a cell or header to look at closely: the other engine
                return None
            for batch in table.to_batches():
                found = _batch_tally(rubric, batch, low, high, *names, moments, known)
                if found is None:
                    return None
                total = found if total is None else add_extended(total, found)
            done += len(part)
            bar.update(min(done, bar.total - 1))
        if not block:
            return total


def _batch_tally(
    rubric: Rubric,
    batch: Any,
    low: Any,
    high: Any,
    unit_column: str,
    weight_column: str | None,
    by: str | None,
    moments: bool,
    known: dict[str, int],
) -> Tally | None:
    """Tally one record batch, or None if a cell is not a plain answer, weight or unit."""
    n = batch.num_rows
    if n == 0:
        return None
    codes = np.empty((len(rubric.leaf_ids), n), dtype=np.uint8)
    for j, leaf in enumerate(rubric.leaf_ids):
        values, valid = _numbers(batch.column(leaf), np.int32)
        given = values[valid] if valid is not None else values
        if len(given) and (given.min() < low[j] or given.max() > high[j]):
            return None  # off the scale (or a 0 where 0 is no answer): named by the other engine
        codes[j] = values - (low[j] - 1)
        if valid is not None:
            codes[j][~valid] = 0
    units = batch.column(unit_column)
    names = units.dictionary.to_pylist()
    group, _ = _numbers(units.indices, np.int32)
    if by is not None:
        extra = batch.column(by)
        width = len(extra.dictionary)
        pairs = group.astype(np.intp) * width + _numbers(extra.indices, np.int32)[0]
        used, group = np.unique(pairs, return_inverse=True)
        labels = extra.dictionary.to_pylist()
        names = [f"{names[u // width]} | {labels[u % width]}" for u in used.tolist()]
    before = len(known)
    # one lookup per distinct unit of the batch (its dictionary), not per respondent
    rows = np.array([known.setdefault(name, len(known)) for name in names], dtype=np.intp)
    if any(not name.strip() for name in list(known)[before:]):
        return None
    ids = np.array(list(known), dtype=np.str_)
    weights = None
    if weight_column is not None:
        weights, valid = _numbers(batch.column(weight_column), np.float64)
        if valid is not None:
            return None
        if not (np.isfinite(weights).all() and (weights >= 0).all()):
            return None
    return tally_codes(rubric, codes.T, rows[group], ids, weights, moments=moments,
                       compiled=False)  # fmt: skip


def _numbers(column: Any, dtype: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """Return a numeric arrow array's values (zero copy) and validity (None: no nulls)."""
    n, offset = len(column), column.offset
    bitmap, data = column.buffers()[:2]
    values = np.frombuffer(data, dtype=dtype)[offset : offset + n]
    if not column.null_count:
        return values, None
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return values, bits[offset : offset + n].astype(bool)
