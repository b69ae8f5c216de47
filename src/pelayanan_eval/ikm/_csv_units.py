"""Units of a survey CSV chunk by chunk: cell text from bytes, codes in order of appearance."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def fixed_bytes(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]
) -> npt.NDArray[np.bytes_]:
    """Return the cells ``data[starts[i]:ends[i]]`` as one fixed-width bytes array."""
    lengths = ends - starts
    width = max(int(lengths.max()) if len(lengths) else 0, 1)
    cells = np.zeros((len(lengths), width), dtype=np.uint8)
    column = np.arange(width)
    inside = column < lengths[:, None]
    cells[inside] = data[(starts[:, None] + column)[inside]]
    return cells.view(f"S{width}").reshape(len(lengths))


def decoded(cells: npt.NDArray[np.bytes_]) -> npt.NDArray[np.str_]:
    """UTF-8 bytes cells as text: by a numpy cast when they are ASCII, else one by one."""
    raw = cells.view(np.uint8)
    if not raw.size or raw.max() < 128:
        return cells.astype(np.str_)
    return np.array([cell.decode("utf-8") for cell in cells.tolist()], dtype=np.str_)


def first_seen(keys: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """Distinct keys in order of first appearance, and each key's position among them."""
    if keys.dtype.kind == "S" and keys.dtype.itemsize <= 8:  # short text: sort as integers
        wide = np.zeros((len(keys), 8), dtype=np.uint8)
        wide[:, : keys.dtype.itemsize] = keys.view(np.uint8).reshape(len(keys), -1)
        _, first, inverse = np.unique(wide.view(np.uint64).reshape(len(keys)),
                                      return_index=True, return_inverse=True)  # fmt: skip
    else:
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return keys[first[order]], rank[inverse.reshape(-1)]


def pairs(
    codes: npt.NDArray[np.integer[Any]],
    names: npt.NDArray[np.str_],
    extra: npt.NDArray[np.integer[Any]],
    labels: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """Group rows by unit and value: the groups ``"unit | value"`` in order of appearance."""
    used, group = first_seen(codes.astype(np.intp) * max(len(labels), 1) + extra)
    width = max(len(labels), 1)
    joined = np.char.add(np.char.add(names[used // width], " | "), labels[used % width])
    return joined, group


def blank(names: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """Which names are empty or spaces only."""
    return np.asarray(np.char.str_len(np.char.strip(names)) == 0)


class UnitIndex:
    """The units met so far, in order of first appearance, and a sorted copy to look names up."""

    def __init__(self) -> None:
        self.ids: npt.NDArray[np.str_] = np.zeros(0, dtype=np.str_)
        self.sorted: npt.NDArray[np.str_] = self.ids
        self.where: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)  # position in ids

    def positions(self, names: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
        """Positions of distinct `names` in :attr:`ids`, the new ones appended in their order."""
        at = np.searchsorted(self.sorted, names)
        if len(self.sorted):
            hit = self.sorted[np.minimum(at, len(self.sorted) - 1)] == names
        else:
            hit = np.zeros(len(names), dtype=bool)
        position = np.full(len(names), -1, dtype=np.intp)
        position[hit] = self.where[at[hit]]
        new = ~hit
        if new.any():
            fresh = names[new]
            position[new] = np.arange(len(self.ids), len(self.ids) + len(fresh))
            self.ids = np.concatenate([self.ids, fresh])
            order = np.argsort(fresh, kind="stable")
            slots = np.searchsorted(self.sorted, fresh[order])
            self.sorted = np.insert(self.sorted.astype(self.ids.dtype), slots, fresh[order])
            self.where = np.insert(self.where, slots, position[new][order])
        return position
