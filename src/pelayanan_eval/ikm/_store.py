"""Tallies on disk: a versioned ``.npz`` file that only numpy reads and writes (format, checks)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from pelayanan_eval.exceptions import ObservationError

FORMAT = "pelayanan_eval.tally"
VERSION = 1
_COUNTS = ("rows", "respondents", "answered")
_FLOATS = ("weight", "weight_sq", "wsum", "wcount")


def write_fields(fields: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a tally's fields to `path` (``.npz``, compressed; no pickles)."""
    arrays = {name: np.asarray(value) for name, value in fields.items() if value is not None}
    arrays["leaf_ids"] = np.array(fields["leaf_ids"], dtype=np.str_)
    arrays |= {"format": np.array(FORMAT), "version": np.array(VERSION)}
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def read_fields(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the fields of a tally file, checking its format, version and shapes.

    Raises
    ------
    ObservationError
        If the file is missing, truncated, not a tally, of another format
        version, or its arrays do not fit together.

    """
    import zipfile  # what np.load raises for a file that is not a .npz

    where = f"tally file {os.fspath(path)!r}"
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            found = {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise ObservationError(f"{where}: no such file") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise ObservationError(f"{where}: not a readable .npz tally (truncated or another "
                               f"kind of file: {type(error).__name__})") from None  # fmt: skip
    if not isinstance(found, dict) or str(found.get("format", "")) != FORMAT:
        raise ObservationError(f"{where}: not a pelayanan_eval tally (no format "
                               f"{FORMAT!r})")  # fmt: skip
    version = found.get("version")
    if version is None or version.shape != () or int(version) != VERSION:
        raise ObservationError(f"{where}: tally format version {version!r}; this version of "
                               f"pelayanan_eval reads version {VERSION}")  # fmt: skip
    needed = ("rubric_id", "rubric_hash", "leaf_ids", "unit_ids", "weighted", *_COUNTS, *_FLOATS)
    absent = [name for name in needed if name not in found]
    if absent:
        raise ObservationError(f"{where}: missing arrays {', '.join(absent)}")
    units, width = len(found["unit_ids"]), len(found["leaf_ids"])
    shapes = {"rows": (units,), "respondents": (units,), "weight": (units,),
              "weight_sq": (units,), "answered": (units, width), "wsum": (units, width),
              "wcount": (units, width), "moments": (units, 2 * width, 2 * width)}  # fmt: skip
    wrong = [f"{name} {found[name].shape} (expected {shape})" for name, shape in shapes.items()
             if name in found and found[name].shape != shape]  # fmt: skip
    kinds = [name for name in (*_COUNTS, *_FLOATS, "moments")
             if name in found and found[name].dtype.kind not in "iuf"]  # fmt: skip
    if wrong or kinds:
        raise ObservationError(
            f"{where}: arrays do not fit together: "
            + "; ".join(wrong + [f"{k} is not numeric" for k in kinds])
        )
    return {
        "rubric_id": str(found["rubric_id"]), "rubric_hash": str(found["rubric_hash"]),
        "leaf_ids": tuple(str(x) for x in found["leaf_ids"].tolist()),
        "unit_ids": found["unit_ids"].astype(np.str_),
        **{name: found[name].astype(np.int64) for name in _COUNTS},
        **{name: found[name].astype(np.float64) for name in _FLOATS},
        "moments": found["moments"].astype(np.float64) if "moments" in found else None,
        "weighted": bool(found["weighted"]),
    }  # fmt: skip
