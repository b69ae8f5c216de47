"""Writing a folder of reports all at once: file names from unit ids, no half-written folder."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from pelayanan_eval.exceptions import OutputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# names Windows refuses whatever the extension
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}  # fmt: skip
MAX_STEM = 80


def file_names(unit_ids: Sequence[str]) -> dict[str, str]:
    """Return a distinct, portable HTML file name for each unit id.

    Ids made of letters, digits, ``.``, ``_`` and ``-`` keep their form
    (``kel-mrican.html``). Any other id (spaces, ``/``, accents, a leading ``-`` or
    ``.``, a trailing ``.``, a Windows device name such as ``CON``, over 80 characters, or two
    ids equal but for case) gets a readable stem plus the first 8 hex
    digits of the id's SHA-1, so every id has its own file on every system.

    Examples
    --------
    >>> file_names(["kel-a", "a/b"])
    {'kel-a': 'kel-a.html', 'a/b': 'a_b-3ec69c85.html'}
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for unit_id in unit_ids:
        stem = _UNSAFE.sub("_", unit_id).lstrip("._-").rstrip(".")[:MAX_STEM] or "unit"
        if (stem != unit_id or stem.lower() in _RESERVED or stem.lower() in taken
                or unit_id.startswith(".")):  # fmt: skip
            digest = hashlib.sha1(unit_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            stem = f"{stem}-{digest}"
        taken.add(stem.lower())
        names[unit_id] = f"{stem}.html"
    return names


def write_folder(out: Path, force: bool, fill: Callable[[Path], None]) -> Path:
    """Let `fill` write into a temporary folder beside `out`, then move it into place.

    `out` must not exist, be empty, or (with `force`) is replaced. Nothing
    of a failed run is left: the temporary folder is removed.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot write the reports to {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(f"{out} already holds files; choose an empty or new folder, or "
                          "replace it with force=True (--force)")  # fmt: skip
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    except OSError as error:
        raise OutputError(f"cannot write the reports to {out}: {error.strerror or error}") from None
    try:
        fill(staging)
        staging.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            out.replace(old / "previous")
            staging.replace(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.replace(out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the reports to {out}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
