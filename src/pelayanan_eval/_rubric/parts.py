"""The parts a rubric is built from: scales, criteria, the regulation, the conversion."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs
import numpy as np

Weighting = Literal["normalized", "relative", "equal", "as_printed"]

_PERCENT = re.compile(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*%\s*\Z")


def parse_weight(value: object) -> float | None:
    """Read a weight written as printed: a number, ``"24%"`` or ``"34,80%"``.

    Examples
    --------
    >>> parse_weight("24%"), parse_weight("34,80%"), parse_weight(0.071), parse_weight(None)
    (0.24, 0.348, 0.071, None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"must be a number or a percentage such as '24%', got {value!r}")
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, str) and (match := _PERCENT.match(value)):
        return float(match.group(1).replace(",", ".")) / 100
    raise ValueError(f"must be a number or a percentage such as '24%', got {value!r}")


def parse_texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def parse_criteria(values: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(values)


def parse_levels(
    value: Mapping[Any, str] | Iterable[tuple[Any, str]],
) -> tuple[tuple[float, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    out = []
    for score, text in pairs:
        number = float(score)
        out.append((int(number) if number.is_integer() else number, str(text)))
    return tuple(sorted(out, key=lambda pair: pair[0]))


@attrs.frozen
class Scale:
    """A closed score range ``[min, max]``, e.g. 0–5 for assessor levels, 1–4 for survey answers."""

    min: float = attrs.field(converter=float)
    max: float = attrs.field(converter=float)


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
    """

    id: str
    name: str
    weight: float | None = attrs.field(default=None, converter=parse_weight)
    criteria: tuple[Criterion, ...] = attrs.field(default=(), converter=parse_criteria)
    weighting: Weighting = "normalized"
    scale: Scale | None = None
    levels: tuple[tuple[float, str], ...] = attrs.field(default=(), converter=parse_levels)
    description: str = ""
    notes: tuple[str, ...] = attrs.field(default=(), converter=parse_texts)

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

    factor: float = attrs.field(default=1.0, converter=float)
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
