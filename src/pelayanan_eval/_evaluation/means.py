"""Means of whole-number visits stored as bytes, and their roll-up in one pass over blocks.

Sums of whole numbers are exact, so every mean here equals the float path's
to the bit; an evaluation keeps the visits' bytes and works the means (and
the scores of the criteria above them) out when they are first read.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import BLOCK_CELLS, readonly

Array = npt.NDArray[np.float64]
FEW_VISITS = 8  # up to this many rows per group, summed slice by slice


def mean_of_levels(
    levels: npt.NDArray[np.uint8], codes: npt.NDArray[np.intp], groups: int
) -> Array:
    """Mean per group of whole-number scores in rows grouped by code.

    Sums of whole numbers are exact, so the means equal the float path's to the bit.
    """
    counts = np.bincount(codes, minlength=groups)
    depth = int(counts.max())
    if bool(np.all(counts == depth)):  # as many visits everywhere: a view as [unit, visit, leaf]
        return _balanced_means(levels.reshape(groups, depth, -1), 255)  # any byte
    starts = np.cumsum(counts) - counts
    wide = _sum_type(depth, 255)
    mean: Array = np.add.reduceat(levels, starts, axis=0, dtype=wide) / counts[:, None]
    return mean


def _balanced_means(cube: npt.NDArray[np.uint8], top: int) -> Array:
    """Means over the visits of ``[groups, visits, columns]`` levels of at most `top`."""
    depth = cube.shape[1]
    wide = _sum_type(depth, top)
    total: npt.NDArray[Any]
    if depth > FEW_VISITS:
        total = np.add.reduce(cube, axis=1, dtype=wide)
    else:  # adding visit slices is faster than a reduction over the middle axis
        total = _visit_sums(cube, np.empty(cube[:, 0, :].shape, wide))
    return _divided(total, depth)


@attrs.frozen(eq=False)
class LeafMeans:
    """Means of complete, balanced whole-number visits, worked out from their bytes when read.

    A million units' means as floats take 240 MB that a ranking never
    reads; the visits' bytes are kept by the observations anyway.
    """

    levels: npt.NDArray[np.uint8]  # [groups * depth, columns], each group's visits together
    depth: int
    top: int  # the highest level: the sums' type
    into: npt.NDArray[np.intp] | None = None  # the rows in this order (None: as they are)

    def reordered(self, into: npt.NDArray[np.intp] | None) -> LeafMeans:
        """Return the means with their rows in the order `into` (None: as they are)."""
        if into is None:
            return self
        rows = into if self.into is None else self.into[into]
        return LeafMeans(self.levels, self.depth, self.top, rows)

    def as_floats(self) -> Array:
        """Return the means as floats, the same numbers as the mean of the float visits."""
        groups = len(self.levels) // self.depth
        means = _balanced_means(self.levels.reshape(groups, self.depth, -1), self.top)
        return means if self.into is None else means[self.into]

    def rolled_up(self, linear: Array) -> Array:
        """Return ``means @ linear`` by the pass :func:`mean_and_roll_up` makes (the same bits)."""
        groups = len(self.levels) // self.depth
        products = np.empty((groups, linear.shape[1]))
        _roll_up_blocks(self.levels, groups, linear, self.top, products)
        return products if self.into is None else products[self.into]


def _sum_type(depth: int, top: int) -> type[np.generic]:
    """Return the narrowest type that holds `depth` levels of at most `top` added up."""
    return next(
        (kind for kind in (np.uint8, np.uint16) if depth * top <= np.iinfo(kind).max), np.float64
    )


def _visit_sums(cube: npt.NDArray[np.uint8], out: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Sum ``[groups, visits, columns]`` over the visits into `out` (adding visit slices)."""
    if cube.shape[1] == 1:
        np.copyto(out, cube[:, 0, :])
        return out
    np.add(cube[:, 0, :], cube[:, 1, :], out=out, dtype=out.dtype)
    for visit in range(2, cube.shape[1]):
        out += cube[:, visit, :]
    return out


def _divided(total: npt.NDArray[Any], depth: int, out: Array | None = None) -> Array:
    """``total / depth``, by multiplication when ``1 / depth`` is exact (1, 2, 4, ... visits)."""
    result: Array = (
        np.multiply(total, 1.0 / depth, out=out)
        if depth & (depth - 1) == 0
        else np.divide(total, depth, out=out)
    )
    return result


def kept_means(value: Array | LeafMeans) -> Array | LeafMeans:
    """Convert an evaluation's scores: floats made read-only, byte-stored means kept lazy."""
    return value if isinstance(value, LeafMeans) else readonly(value)


def spelled_means(value: Array | LeafMeans, linear: Array | None = None) -> Array:
    """Return kept scores as read-only floats: the means, or the criteria above them.

    With `linear` (the roll-up matrix), the scores of the criteria with
    children, without the index (its last column).
    """
    if not isinstance(value, LeafMeans):
        return value
    return readonly(value.as_floats() if linear is None else value.rolled_up(linear)[:, :-1])


def mean_and_roll_up(
    levels: npt.NDArray[np.uint8], groups: int, linear: Array, top: int
) -> tuple[LeafMeans, Array]:
    """Means of complete, balanced whole-number visits per group, and ``(means @ linear)[:, -1]``.

    One pass over blocks of groups: each block's visits are added up (in the
    narrowest type that holds them, `top` being the highest level) and its
    means multiplied by the roll-up matrix while they are in cache; only the
    last column (the index) is kept. The means and the other columns are
    worked out from the bytes when read (:class:`LeafMeans`), by the same
    pass. The products are taken over the same blocks of rows as
    :func:`~pelayanan_eval._common.arrays.blocked_product`, so the numbers
    equal those of ``blocked_product(aggregate(...), linear)``.
    """
    index = np.empty(groups)
    _roll_up_blocks(levels, groups, linear, top, index)
    return LeafMeans(levels, len(levels) // groups, top), index


def _roll_up_blocks(
    levels: npt.NDArray[np.uint8], groups: int, linear: Array, top: int, out: Array
) -> None:
    """Write ``means @ linear`` block by block into `out` (a vector: its last column only)."""
    depth = len(levels) // groups
    width = levels.shape[1]
    cube = levels.reshape(groups, depth, width)
    step = max(1, BLOCK_CELLS // max(width, 1))
    totals = np.empty((step, width), dtype=_sum_type(depth, top))
    means = np.empty((step, width))
    products = np.empty((step, linear.shape[1]))
    # with 1, 2, 4, ... visits, (sums / depth) @ linear == sums @ (linear / depth) to the bit:
    # scaling by a power of two is exact, so the sums are only converted, not divided
    exact = depth & (depth - 1) == 0
    scaled = linear * (1.0 / depth) if exact else linear
    for start in range(0, groups, step):
        stop = min(start + step, groups)
        total = _visit_sums(cube[start:stop], totals[: stop - start])
        mean = means[: stop - start]
        if exact:
            np.copyto(mean, total)
        else:
            _divided(total, depth, out=mean)
        if out.ndim == 2:
            np.matmul(mean, scaled, out=out[start:stop])
        else:
            product = np.matmul(mean, scaled, out=products[: stop - start])
            out[start:stop] = product[:, -1]
