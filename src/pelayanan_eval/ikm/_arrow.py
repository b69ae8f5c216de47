"""The fast CSV engine: pyarrow's multithreaded reader (the ``csv`` extra), part by part."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._csv_columns import columns_of, header_of, sniff
from pelayanan_eval.ikm._csv_units import UnitIndex, blank, decoded, fixed_bytes, pairs
from pelayanan_eval.ikm._items import Items
from pelayanan_eval.ikm._partial import Tally, add_extended, tally_codes
from pelayanan_eval.ikm._progress import Progress

PART_BYTES = 1 << 23  # bytes of whole lines parsed at once (about 330,000 rows): bounds the memory
BLOCK_BYTES = 1 << 22  # blocks of a part, parsed and converted in parallel by pyarrow's threads


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

    Every cell is read typed (answers as small integers, weights as floats,
    the unit as dictionary-encoded text); only empty cells are null. Anything
    else (a word, a decimal, an answer off the scale, a 0 where 0 is no
    answer, a short row, an empty line, an empty unit) returns None, and the
    caller reads the file with the standard-library engine, which names every
    problem.
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
            header = header_of(first, sep)
            columns_of(rubric, header, where, unit_column, weight_column, by)
            text = pa.dictionary(pa.int32(), pa.string())
            types: dict[str, Any] = {
                leaf: pa.int8() if lo > -128 and hi < 128 else pa.int32()
                for leaf, lo, hi in zip(rubric.leaf_ids, scale.low.tolist(), scale.high.tolist(),
                                        strict=True)
            }  # fmt: skip
            types[unit_column] = text
            if weight_column is not None:
                types[weight_column] = pa.float64()
            if by is not None:
                types[by] = text
            options = {  # the header is read above: each part is data only
                "read_options": pacsv.ReadOptions(block_size=BLOCK_BYTES, column_names=header,
                                                  use_threads=True),
                "parse_options": pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
                "convert_options": pacsv.ConvertOptions(
                    column_types=types, include_columns=list(types), null_values=[""],
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                    decimal_point="," if sep == ";" else ".",
                ),
            }  # fmt: skip
            reader = _Reader(rubric, scale, (unit_column, weight_column, by), moments)
            return _parts(reader, handle, len(head), options, bar, pa, pacsv)
    except (OSError, UnicodeDecodeError):
        return None  # the standard-library engine says what is wrong


def _parts(
    reader: _Reader,
    handle: Any,
    done: int,
    options: dict[str, Any],
    bar: Progress,
    pa: Any,
    pacsv: Any,
) -> Tally | None:
    """Parse part after part with pyarrow's threads, the next while this one is tallied.

    At most two parts are held at once, so memory stays bounded. (pyarrow's
    own streaming reader reads ahead without bound when parsing is slower
    than the disk: a 500 MB file held about 350 MB at once.)
    """
    from concurrent.futures import ThreadPoolExecutor

    def parse(part: memoryview) -> Any:
        return pacsv.read_csv(pa.py_buffer(part), **options)

    total: Tally | None = None
    parts = _whole_lines(handle)
    with ThreadPoolExecutor(1) as pool:
        part = next(parts, None)
        ahead = None if part is None else pool.submit(parse, part)
        while part is not None and ahead is not None:
            size = len(part)
            try:
                table = ahead.result()
            except pa.ArrowException:  # a cell to look at closely: the other engine
                return None
            part = next(parts, None)
            ahead = None if part is None else pool.submit(parse, part)
            found = reader.tally(table)
            if found is None:
                return None
            total = found if total is None else add_extended(total, found)
            done += size
            bar.update(min(done, bar.total - 1))
    return total


def _whole_lines(handle: Any) -> Iterator[memoryview]:
    """Yield the rest of the file in parts of about :data:`PART_BYTES`, each ending a row.

    A part ends at a line break outside quotes: one with an even number of
    ``"`` before it (an escaped quote ``""`` counts twice), so a quoted field
    with a line break in it stays whole.
    """
    rest = b""
    while True:
        block = handle.read(PART_BYTES)
        data = rest + block if rest else block
        cut = _row_end(data) if block else len(data)  # the last part: all that is left
        del block
        rest = data[cut:]
        if cut:
            yield memoryview(data)[:cut]  # no copy
        elif not data:
            return


def _row_end(data: bytes) -> int:
    """Where the last whole row of `data` ends (after a line break outside quotes); 0: none."""
    cut = data.rfind(b"\n") + 1
    quotes = data.count(b'"', 0, cut)
    while cut and quotes % 2:  # inside a quoted field: the line break before
        earlier = data.rfind(b"\n", 0, cut - 1) + 1
        quotes -= data.count(b'"', earlier, cut)
        cut = earlier
    return cut


class _Reader:
    """Turns the parts' tables into tallies; remembers the units met so far, in order.

    Only pyarrow's reader and its buffers are used (as numpy arrays, without
    copies): ``pyarrow.compute`` costs a fresh process about 0.3 s to load,
    and pyarrow's ``to_numpy`` imports pandas.
    """

    def __init__(
        self,
        rubric: Rubric,
        scale: Items,
        names: tuple[str, str | None, str | None],
        moments: bool,
    ) -> None:
        self.rubric, self.moments = rubric, moments
        self.unit_column, self.weight_column, self.by = names
        self.low, self.high = scale.low.astype(np.int64), scale.high.astype(np.int64)
        self.units = UnitIndex()

    def tally(self, table: Any) -> Tally | None:
        """Tally one part, or None if a cell is not a plain answer, weight or unit."""
        codes = np.empty((len(self.rubric.leaf_ids), table.num_rows), dtype=np.uint8)
        for j, leaf in enumerate(self.rubric.leaf_ids):
            if not self._codes(table.column(leaf), j, codes[j]):
                return None
        group = self._groups(table.unify_dictionaries())
        if group is None:
            return None
        weights = None
        if self.weight_column is not None:
            column = table.column(self.weight_column)
            if column.null_count:
                return None
            weights = np.concatenate([_numbers(c, np.float64)[0] for c in column.chunks])
            if not (np.isfinite(weights).all() and (weights >= 0).all()):
                return None
        return tally_codes(self.rubric, codes.T, group, self.units.ids, weights,
                           moments=self.moments, compiled=False)  # fmt: skip

    def _codes(self, column: Any, j: int, out: npt.NDArray[np.uint8]) -> bool:
        """Write item `j`'s answer codes (empty: 0) into `out`; False if one is off the scale.

        Small scales are read as int8 and shifted modulo 256: the 256 byte
        values map one to one onto the codes, so an answer is on the scale
        exactly when its code is 1..top.
        """
        low, high, start = int(self.low[j]), int(self.high[j]), 0
        top = high - low + 1
        for chunk in column.chunks:
            small = chunk.type.bit_width == 8
            values, valid = _numbers(chunk, np.uint8 if small else np.int32)
            stop = start + len(values)
            here = out[start:stop]
            if not len(values):
                continue
            if small:
                np.subtract(values, np.uint8((low - 1) % 256), out=here)
                if valid is not None:
                    np.multiply(here, valid.view(np.uint8), out=here)  # empty -> 0
                if here.max() > top or np.count_nonzero(here) != len(here) - chunk.null_count:
                    return False  # off the scale (or a 0 where 0 is no answer): named elsewhere
            else:
                if valid is not None:
                    values = np.where(valid, values, low)  # empty: any answer on the scale here
                if values.min() < low or values.max() > high:
                    return False
                np.subtract(values, low - 1, out=here, dtype=np.int64, casting="unsafe")
                if valid is not None:
                    here[~valid] = 0
            start = stop
        return True

    def _groups(self, table: Any) -> npt.NDArray[np.intp] | None:
        """Each row's position in the units met so far (None: an empty unit)."""
        unit = table.column(self.unit_column)
        if not unit.num_chunks:
            return np.zeros(0, dtype=np.intp)
        names = _text(unit.chunk(0).dictionary)  # one dictionary for all chunks (unified)
        if blank(names).any():
            return None  # an empty unit: named by the other engine
        rows = np.concatenate([_numbers(chunk.indices, np.int32)[0] for chunk in unit.chunks])
        if self.by is not None:
            extra = table.column(self.by)
            labels = _text(extra.chunk(0).dictionary)
            values = np.concatenate([_numbers(c.indices, np.int32)[0] for c in extra.chunks])
            names, rows = pairs(rows, names, values, labels)
        position: npt.NDArray[np.intp] = self.units.positions(names)[rows]
        return position


def _numbers(column: Any, dtype: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """Return a numeric arrow array's values (zero copy) and validity (None: no nulls)."""
    n, offset = len(column), column.offset
    bitmap, data = column.buffers()[:2]
    values = np.frombuffer(data, dtype=dtype)[offset : offset + n]
    if not column.null_count:
        return values, None
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return values, bits[offset : offset + n].astype(bool)


def _text(names: Any) -> npt.NDArray[np.str_]:
    """Read a pyarrow string array as numpy text, from its buffers (to_numpy imports pandas)."""
    _, offsets, data = names.buffers()[:3]
    at = np.frombuffer(offsets, dtype=np.int32)[names.offset : names.offset + len(names) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return decoded(fixed_bytes(raw, at[:-1].astype(np.intp), at[1:].astype(np.intp)))
