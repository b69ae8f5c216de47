"""The bundled rubrics: where they are, loading by id or path, and the list of them."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path as FilePath

import attrs

from pelayanan_eval._common.messages import suggest
from pelayanan_eval._loading.build import (
    MAX_BYTES,
    check_limit,
    parse_quietly,
    refuse,
    too_large,
    warn_if_provisional,
)
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval._rubric.parts import show
from pelayanan_eval.exceptions import RubricError, RubricNotFoundError


def bundled_directory() -> FilePath:
    """Folder of the bundled rubric files (inside the wheel, or the source checkout)."""
    packaged = FilePath(__file__).parents[1] / "rubrics"
    if packaged.is_dir():
        return packaged
    return FilePath(__file__).resolve().parents[3] / "rubrics"


@functools.cache
def _bundled_ids() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in bundled_directory().glob("*.yaml")))


@functools.cache
def _bundled(identifier: str) -> Rubric:
    """Parse a bundled rubric once per process (rubrics are frozen: one copy serves all)."""
    path = bundled_directory() / f"{identifier}.yaml"
    rubric = parse_quietly(_read(path, MAX_BYTES), str(path))
    if rubric.id != identifier:
        raise RubricError([f"{path}: id {rubric.id!r} differs from the file name"], str(path))
    return rubric


def _resolve(source: object) -> FilePath | str:
    """Return the file named by `source`, or the bundled id it is."""
    text = os.fspath(source) if isinstance(source, str | os.PathLike) else source
    if not isinstance(text, str):
        raise RubricError(
            [
                "load_rubric: expected a bundled rubric id or a path to a .yaml file "
                f"(str or os.PathLike), got {_received(text)}"
                + (" (decode it: os.fsdecode(path))" if isinstance(text, bytes) else "")
            ]
        )
    looks_like_path = (
        isinstance(source, os.PathLike)
        or any(sep in text for sep in ("/", "\\"))
        or text.endswith((".yaml", ".yml"))
    )
    if "\x00" in text:
        what = "rubric file at" if looks_like_path else "bundled rubric"
        raise RubricNotFoundError(f"no {what} {show(text)}: a name cannot contain a NUL character")
    if looks_like_path:
        return FilePath(text)
    ids = _bundled_ids()
    if text not in ids:
        raise RubricNotFoundError(
            f"no bundled rubric {show(text)}{suggest(text, ids)}; available: {', '.join(ids)}"
        )
    return text


def _received(value: object) -> str:
    return "None" if value is None else f"{type(value).__name__} {show(value)}"


def _read(path: FilePath, max_bytes: int) -> str:
    """Return the file's text; refuse it unread when it is larger than `max_bytes`."""
    name = str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise RubricNotFoundError(f"no rubric file at {name!r}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise RubricNotFoundError(f"no rubric file at {name!r}: not a regular file")
        if info.st_size > max_bytes:
            raise refuse(name, too_large(info.st_size, max_bytes))
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)
    except FileNotFoundError:
        raise RubricNotFoundError(
            f"no rubric file at {name!r} (resolved to {os.path.abspath(name)!r})"
        ) from None
    except OSError as error:
        raise RubricNotFoundError(
            f"cannot read rubric file {name!r}: {error.strerror or error}"
        ) from None
    if len(data) > max_bytes:  # the file grew after it was measured
        raise refuse(name, too_large(f"more than {max_bytes}", max_bytes))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise refuse(name, f"not UTF-8 text ({error.reason} at byte {error.start})") from None


def load_rubric(source: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Rubric:
    """Load a bundled rubric by id, or a rubric YAML file by path.

    Parameters
    ----------
    source
        A bundled id (see :func:`available_rubrics`), or a path to a
        ``.yaml``/``.yml`` file.
    max_bytes
        Largest file read, in bytes (default 1 MiB); a larger file is refused
        before it is read. Bundled rubrics are always read.

    Returns
    -------
    Rubric

    Raises
    ------
    RubricNotFoundError
        Unknown bundled id (the message lists the available ones) or no such file.
    RubricError
        The file is not valid (every problem, each with file, line, path and
        value), is larger than `max_bytes`, or `source` is not a str or path.

    Warns
    -----
    ProvisionalRubricWarning
        Once per call if the rubric has parts not verified in the regulation.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = load_rubric("permenpanrb-17-2017")
    >>> len(rubric.leaves), str(rubric.grade(4.11))
    (37, 'A- (Sangat Baik)')
    """
    max_bytes = check_limit(max_bytes)
    found = _resolve(source)
    if isinstance(found, str):
        rubric = _bundled(found)
    else:
        rubric = parse_quietly(_read(found, max_bytes), str(found), max_bytes)
        if found.parent == bundled_directory() and rubric.id != found.stem:
            raise RubricError([f"{found}: id {rubric.id!r} differs from the file name"], str(found))
    warn_if_provisional(rubric)
    return rubric


@attrs.frozen
class RubricInfo:
    """A bundled rubric's id, title, regulation, status and file."""

    id: str
    title: str
    regulation: str
    status: str
    path: FilePath


def available_rubrics() -> tuple[RubricInfo, ...]:
    """List the bundled rubrics, sorted by id (read once per process).

    Examples
    --------
    >>> [info.id for info in available_rubrics()]  # doctest: +NORMALIZE_WHITESPACE
    ['bps-indeks-kebahagiaan-2017', 'kepmenpan-25-2004-ikm', 'permenpanrb-14-2017-ikm',
     'permenpanrb-17-2017', 'permenpanrb-29-2022']
    """
    return _infos()


@functools.cache
def _infos() -> tuple[RubricInfo, ...]:
    infos = []
    for identifier in _bundled_ids():
        rubric = _bundled(identifier)
        path = bundled_directory() / f"{identifier}.yaml"
        infos.append(
            RubricInfo(rubric.id, rubric.title, rubric.regulation.name, rubric.status, path)
        )
    return tuple(infos)
