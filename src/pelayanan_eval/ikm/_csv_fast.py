"""Whole answers from CSV text without a per-cell Python loop: fields as numpy text arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pelayanan_eval.ikm._items import Items


def split_lines(lines: list[str], sep: str, width: int) -> list[list[str]] | None:
    """Split plain lines (no quotes, ``width`` fields each) into ``width`` columns of text.

    None when the lines need the csv module: a quote, or a row with another
    number of fields (which it then names).
    """
    text = "".join(lines)
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    fields = text.rstrip("\n").replace("\n", sep).split(sep)
    if len(fields) != len(lines) * width:
        return None
    return [fields[j::width] for j in range(width)]


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
