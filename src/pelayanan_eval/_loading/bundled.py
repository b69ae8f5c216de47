"""The bundled rubrics: where they are, loading by id or path, and the list of them."""

from __future__ import annotations

import os
from pathlib import Path as FilePath

import attrs

from pelayanan_eval._common.messages import suggest
from pelayanan_eval._loading.build import parse_quietly, warn_if_provisional
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import RubricError, RubricNotFoundError


def bundled_directory() -> FilePath:
    """Folder of the bundled rubric files (inside the wheel, or the source checkout)."""
    packaged = FilePath(__file__).parents[1] / "rubrics"
    if packaged.is_dir():
        return packaged
    return FilePath(__file__).resolve().parents[3] / "rubrics"


def _bundled_ids() -> list[str]:
    return sorted(path.stem for path in bundled_directory().glob("*.yaml"))


def _resolve(source: str | os.PathLike[str]) -> FilePath:
    text = os.fspath(source)
    looks_like_path = (
        isinstance(source, os.PathLike)
        or any(sep in text for sep in ("/", "\\"))
        or text.endswith((".yaml", ".yml"))
    )
    if looks_like_path:
        path = FilePath(text)
        if not path.is_file():
            raise RubricNotFoundError(f"no rubric file at {text!r} (resolved to {path.resolve()})")
        return path
    ids = _bundled_ids()
    if text not in ids:
        raise RubricNotFoundError(
            f"no bundled rubric {text!r}{suggest(text, ids)}; available: {', '.join(ids)}"
        )
    return bundled_directory() / f"{text}.yaml"


def load_rubric(source: str | os.PathLike[str]) -> Rubric:
    """Load a bundled rubric by id, or a rubric YAML file by path.

    Parameters
    ----------
    source
        A bundled id (see :func:`available_rubrics`), or a path to a
        ``.yaml``/``.yml`` file.

    Returns
    -------
    Rubric

    Raises
    ------
    RubricNotFoundError
        Unknown bundled id (the message lists the available ones) or no such file.
    RubricError
        The file is not valid: every problem, each with file, line, path and value.

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
    path = _resolve(source)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise RubricError(
            [f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"], source=str(path)
        ) from None
    except OSError as error:
        raise RubricNotFoundError(
            f"cannot read rubric file {str(path)!r}: {error.strerror}"
        ) from None
    rubric = parse_quietly(text, str(path))
    if path.parent == bundled_directory() and rubric.id != path.stem:
        raise RubricError([f"{path}: id {rubric.id!r} differs from the file name"], str(path))
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
    """List the bundled rubrics, sorted by id.

    Examples
    --------
    >>> [info.id for info in available_rubrics()]  # doctest: +NORMALIZE_WHITESPACE
    ['bps-indeks-kebahagiaan-2017', 'kepmenpan-25-2004-ikm', 'permenpanrb-14-2017-ikm',
     'permenpanrb-17-2017', 'permenpanrb-29-2022']
    """
    infos = []
    for identifier in _bundled_ids():
        path = bundled_directory() / f"{identifier}.yaml"
        rubric = parse_quietly(path.read_text(encoding="utf-8"), str(path))
        infos.append(
            RubricInfo(rubric.id, rubric.title, rubric.regulation.name, rubric.status, path)
        )
    return tuple(infos)
