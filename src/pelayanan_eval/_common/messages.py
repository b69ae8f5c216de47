"""Small helpers for error messages: paths, suggestions, option checks."""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from pelayanan_eval.exceptions import OptionError

Path = tuple[Any, ...]


def format_path(path: Path) -> str:
    """Render a document path: ``("criteria", 2, "weight")`` -> ``criteria[2].weight``."""
    text = ""
    for part in path:
        text += (
            f"[{part}]" if isinstance(part, int | float) else (f".{part}" if text else str(part))
        )
    return text or "(document)"


def plain(number: float) -> float | int:
    """Return `number` as an int when it is whole (``5.0`` prints as ``5``)."""
    return int(number) if float(number).is_integer() else float(number)


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for a close match, else ``""``.

    A choice that starts with `word` (an id given without its suffix) comes
    first; otherwise the closest by :func:`difflib.get_close_matches`.

    Examples
    --------
    >>> suggest("permenpanrb-14-2017", ["permenpanrb-17-2017", "permenpanrb-14-2017-ikm"])
    " (did you mean 'permenpanrb-14-2017-ikm'?)"
    """
    options = list(choices)
    longer = [choice for choice in options if word and choice.startswith(word)]
    close = longer[:1] or difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_option(name: str, value: object, valid: Sequence[str]) -> str:
    """Return `value` if it is one of `valid`, else raise OptionError listing them."""
    if isinstance(value, str) and value in valid:
        return value
    hint = suggest(value, valid) if isinstance(value, str) else ""
    raise OptionError(f"unknown {name} {value!r}{hint}; valid: {', '.join(valid)}")


def enumerate_limited(items: Sequence[str], limit: int = 20) -> str:
    """Join up to `limit` items with '; ' and say how many more there are."""
    shown = "; ".join(items[:limit])
    return shown + (f"; ... and {len(items) - limit} more" if len(items) > limit else "")


def renamed(owner: object, old: str, new: str, why: str = "") -> Any:
    """Warn that ``owner.old`` is deprecated; return ``owner.new`` (a renamed attribute)."""
    kind = type(owner).__name__
    warnings.warn(
        f"{kind}.{old} is deprecated; use {kind}.{new}{why}", DeprecationWarning, stacklevel=3
    )
    return getattr(owner, new)
