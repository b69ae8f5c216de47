"""Whole answers from CSV text without a per-cell Python loop: cells as numpy arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pelayanan_eval.ikm._csv_units import decoded, fixed_bytes
from pelayanan_eval.ikm._items import Items


class Fields:
    """The cells of a chunk of plain lines: the chunk's UTF-8 bytes, each cell's start and end."""

    def __init__(
        self, data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]
    ) -> None:
        self.data, self.starts, self.ends = data, starts, ends  # starts, ends: [rows, columns]

    def __len__(self) -> int:
        return len(self.starts)

    def cells(self, j: int) -> npt.NDArray[np.bytes_]:
        """Column `j` as fixed-width bytes."""
        return fixed_bytes(self.data, self.starts[:, j], self.ends[:, j])

    def text(self, i: int, j: int) -> str:
        """Return the text of one cell."""
        return self.data[self.starts[i, j] : self.ends[i, j]].tobytes().decode("utf-8")

    def column(self, j: int) -> list[str]:
        """Return column `j` as a list of text."""
        texts: list[str] = decoded(self.cells(j)).tolist()
        return texts


def split_plain(lines: list[str], sep: str, width: int) -> Fields | None:
    """Find the cells of plain lines (no quotes, ``width`` fields each) with numpy.

    None when the lines need the csv module: a quote, or a row with another
    number of fields (which it then names).
    """
    text = "".join(lines)
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    found = np.flatnonzero((data == ord(sep)) | (data == 10))  # where each cell ends
    if len(found) != len(lines) * width:
        return None
    ends = found.reshape(len(lines), width)
    if not (data[ends[:, -1]] == 10).all():  # one line break a line: each row has `width` cells
        return None
    starts = np.empty_like(found)
    starts[1:], starts[:1] = found[:-1] + 1, 0
    return Fields(data, starts.reshape(ends.shape), ends)


def byte_codes(
    fields: Fields, columns: list[int], scale: Items
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """Answer codes of the cells of `columns`, and where a cell is not a plain answer.

    As :func:`whole_codes`, read from the bytes: empty is code 0, up to four
    decimal digits on the item's scale are ``value - low + 1``; anything
    else is flagged for the caller to read or to name.
    """
    shape = (len(fields), len(columns))
    starts = np.ascontiguousarray(fields.starts[:, columns]).reshape(-1)  # flat: one cell each
    length = np.ascontiguousarray(fields.ends[:, columns]).reshape(-1) - starts
    value = fields.data[starts].astype(np.int16) - 48  # one digit, as almost every answer is
    plain = (length == 1) & (value >= 0) & (value <= 9)
    longer = np.flatnonzero((length > 1) & (length <= 4))
    if len(longer):  # up to four digits, the few such cells only
        start, size = starts[longer], length[longer]
        number, digits = np.zeros(len(longer), dtype=np.int16), np.ones(len(longer), dtype=bool)
        for k in range(4):
            inside = size > k
            digit = fields.data[np.where(inside, start + k, start)].astype(np.int16) - 48
            digits &= ~inside | ((digit >= 0) & (digit <= 9))
            number = np.where(inside, number * 10 + digit, number)
        value[longer], plain[longer] = number, digits
    value, plain, length = value.reshape(shape), plain.reshape(shape), length.reshape(shape)
    low, high = scale.low.astype(np.int16), scale.high.astype(np.int16)
    empty = length == 0
    good = empty | (plain & (value >= low) & (value <= high))
    codes = np.where(good & ~empty, value - low + 1, 0).astype(np.uint8)
    return codes, ~good


def whole_codes(
    cells: npt.NDArray[np.str_], scale: Items
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """Answer codes of ``[rows, items]`` text cells, and where a cell is not a plain answer.

    A plain answer is empty (code 0) or decimal digits whose value is on the
    item's scale (code ``value - low + 1``). Anything else (a sign, a space,
    a decimal, a word) is flagged for the caller to read or to name.
    """
    rows, width = cells.shape
    length = max(1, cells.dtype.itemsize // 4)
    points = np.ascontiguousarray(cells).view(np.uint32).reshape(rows, width, length)
    digit = (points >= 48) & (points <= 57)
    blank = points[:, :, 0] == 0
    value = np.zeros((rows, width), dtype=np.int64)
    ended = np.zeros((rows, width), dtype=bool)
    plain = np.ones((rows, width), dtype=bool)
    for k in range(min(length, 4)):  # whole answers have at most 3 digits
        here, pad = digit[:, :, k], points[:, :, k] == 0
        plain &= here | pad
        plain &= ~(ended & here)  # no digit after the end
        ended |= pad
        value = np.where(here & ~ended, value * 10 + (points[:, :, k].astype(np.int64) - 48), value)
    if length > 4:
        plain &= (points[:, :, 4:] == 0).all(axis=2)
    low, high = scale.low.astype(np.int64), scale.high.astype(np.int64)
    on_scale = (value >= low) & (value <= high)
    good = blank | (plain & on_scale)
    codes = np.where(blank | ~good, 0, value - low + 1).astype(np.uint8)
    return codes, ~good
