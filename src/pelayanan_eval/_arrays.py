"""Array helpers shared by the models and results."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pelayanan_eval.exceptions import ObservationError


def readonly(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """Return `values` as an array that cannot be changed in place (no copy if it is one)."""
    array = np.asarray(values)
    array.flags.writeable = False
    return array


def check_lengths(where: str, n: int, columns: dict[str, Any]) -> None:
    """Raise ObservationError naming the first given column whose shape is not ``(n,)``."""
    for name, column in columns.items():
        if column is not None and np.shape(column) != (n,):
            raise ObservationError(f"{where}: {name} has shape {np.shape(column)}, expected ({n},)")
