"""The parts a rubric is built from: scales, criteria, the regulation, the conversion."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

import attrs
import numpy as np

Weighting = Literal["normalized", "relative", "equal", "as_printed"]

_PERCENT = re.compile(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*%\s*\Z")


_SHOWN = 60  # characters of a received value quoted in a message


def show(value: object) -> str:
    """Describe a received value for a message: containers by kind, long values cut short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_SHOWN:
        return f"a number of {len(str(abs(value)))} digits"
    text = repr(value)
    if len(text) > _SHOWN:
        return f"{text[: _SHOWN - 5]}...{text[-2:]} ({len(text)} characters)"
    return text


def is_real(value: object) -> bool:
    """Tell whether `value` is a real number (not a bool, complex or text), as a float fits it."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return False
    if isinstance(value, np.complexfloating):
        return False
    try:
        float(value)
    except OverflowError:
        return False
    return True


def parse_weight(value: object) -> float | None:
    """Read a weight written as printed: a number, ``"24%"`` or ``"34,80%"``.

    Raises
    ------
    ValueError
        For anything else (a bool, complex number, other text, a number too
        large for a float), naming the value received.

    Examples
    --------
    >>> parse_weight("24%"), parse_weight("34,80%"), parse_weight(0.071), parse_weight(None)
    (0.24, 0.348, 0.071, None)
    """
    if value is None:
        return None
    if is_real(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str) and (match := _PERCENT.match(value)):
        return float(match.group(1).replace(",", ".")) / 100
    raise ValueError(f"must be a number or a percentage such as '24%', got {show(value)}")


# Converters make valid input canonical and keep anything else as received, for
# the rubric's checks to report with its path (a converter cannot say where).


def to_weight(value: float | str | None) -> float | None:
    """Weight converter: :func:`parse_weight`, or the value unchanged if it is not a weight."""
    try:
        return parse_weight(value)
    except ValueError:
        return cast(float, value)


def to_number(value: float) -> float:
    """Convert a real number to float; keep anything else unchanged (number converter)."""
    return float(value) if is_real(value) else value


def parse_texts(values: Iterable[str]) -> tuple[str, ...]:
    """Texts converter: any iterable but a text or mapping as a tuple, else unchanged."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        return cast(tuple[str, ...], values)
    return tuple(values)


def parse_criteria(values: Iterable[Criterion]) -> tuple[Criterion, ...]:
    """Criteria converter: any iterable but a text or mapping as a tuple, else unchanged."""
    return cast(tuple["Criterion", ...], parse_texts(cast(Iterable[str], values)))


def parse_levels(
    value: Mapping[Any, str] | Iterable[tuple[Any, str]],
) -> tuple[tuple[float, str], ...]:
    """Levels converter: score -> text pairs sorted by score (whole scores as int).

    Pairs that are not (real number, text) are kept as received for the checks.
    """
    if isinstance(value, Mapping):
        pairs: Any = list(value.items())
    elif isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return cast(tuple[tuple[float, str], ...], value)
    else:
        pairs = list(value)
    if not all(isinstance(pair, tuple) and len(pair) == 2 for pair in pairs):
        return tuple(pairs)
    if not all(is_real(score) and isinstance(text, str) for score, text in pairs):
        return tuple(pairs)
    out = []
    for score, text in pairs:
        number = float(score)
        out.append((int(number) if number.is_integer() else number, text))
    return tuple(sorted(out, key=lambda pair: pair[0]))


@attrs.frozen
class Scale:
    """A closed score range ``[min, max]``, e.g. 0–5 for assessor levels, 1–4 for survey answers."""

    min: float = attrs.field(converter=to_number)
    max: float = attrs.field(converter=to_number)


@attrs.frozen
class Answers:
    """How a survey item is answered and how an answer becomes the item's score.

    Answers are whole numbers ``min..max`` (at most 255 values); the item's
    score is ``offset + factor * answer``, a declared linear conversion
    (0–10 answers onto a 0–100 indicator: ``factor=10``). Without a factor
    the answer is the score, which needs the answer scale to be the item's scale.
    """

    min: float = attrs.field(converter=to_number)
    max: float = attrs.field(converter=to_number)
    factor: float | None = attrs.field(default=None, converter=attrs.converters.optional(to_number))
    offset: float = attrs.field(default=0.0, converter=to_number)


@attrs.frozen(repr=False)
class Criterion:
    """A node of a rubric: an aspect, an indicator or a survey item.

    A criterion either has children (`criteria`, whose weights are written as
    `weighting` says) or is a leaf that is scored, on `scale` (or the
    rubric's scale) with optional `levels` saying what earns each score.

    Parameters
    ----------
    id, name
        Identifier unique within the rubric, and display name.
    weight
        Weight among its siblings, as printed (fraction, ``"24%"``, or relative
        points, depending on the parent's weighting); ``None`` under ``equal``.
    criteria
        Children, for a non-leaf.
    weighting
        How the children's weights are written: ``normalized``, ``relative``,
        ``equal`` or ``as_printed``.
    scale, levels
        For a leaf: its score range (default: the rubric's) and level texts.
    description, notes
        Operational definition and free remarks.
    answers
        For a survey item: its answer scale and conversion (:class:`Answers`);
        ``None``: answers are on the item's scale.
    """

    id: str
    name: str
    weight: float | None = attrs.field(default=None, converter=to_weight)
    criteria: tuple[Criterion, ...] = attrs.field(default=(), converter=parse_criteria)
    weighting: Weighting = "normalized"
    scale: Scale | None = None
    levels: tuple[tuple[float, str], ...] = attrs.field(default=(), converter=parse_levels)
    description: str = ""
    notes: tuple[str, ...] = attrs.field(default=(), converter=parse_texts)
    answers: Answers | None = None

    @property
    def is_leaf(self) -> bool:
        """True when the criterion is scored directly (has no children)."""
        return not self.criteria

    def __repr__(self) -> str:
        inner = f"{len(self.criteria)} criteria" if self.criteria else "leaf"
        return f"Criterion({self.id!r}, {self.name!r}, weight={self.weight!r}, {inner})"


@attrs.frozen
class Regulation:
    """The regulation a rubric implements, and where each number comes from."""

    name: str
    sources: tuple[str, ...] = attrs.field(default=(), converter=parse_texts)


@attrs.frozen
class Conversion:
    """The reported index is the weighted score times `factor` (IKM: x25 onto 25–100)."""

    factor: float = attrs.field(default=1.0, converter=to_number)
    name: str = ""


def group_weights(weighting: str, children: tuple[Criterion, ...]) -> list[float]:
    """Weights of sibling criteria as used in sums (relative points normalised, equal = 1/n)."""
    if weighting == "equal":
        return [1 / len(children)] * len(children)
    weights = [child.weight or 0.0 for child in children]
    if weighting == "relative":
        total = sum(weights)
        return [w / total for w in weights]
    return weights
