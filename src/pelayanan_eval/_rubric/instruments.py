"""Instruments: the forms a composite index draws on (F-01, F-02, F-03) and their weights."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs

from pelayanan_eval._common.messages import Path, suggest
from pelayanan_eval._rubric.parts import Criterion, Scale, parse_criteria, parse_texts, to_weight

KINDS: tuple[str, ...] = ("evaluator", "self_assessment", "survey")
WEIGHT_TOLERANCE = 1e-6


def _ids(values: Iterable[str] | str | None) -> tuple[str, ...] | str:
    if values is None:
        return "all"
    if isinstance(values, str):
        return values
    return tuple(values)


@attrs.frozen
class Instrument:
    """One form the composite index draws on, and its weight in the composite.

    Parameters
    ----------
    id, name
        Identifier (``"F-02"``) and name (``"Penilaian oleh Evaluator"``).
    kind
        ``"evaluator"``: the assessors' visits (the observations given to
        :func:`~pelayanan_eval.evaluate`; exactly one instrument has this
        kind); ``"self_assessment"``: the unit's own scores (F-01);
        ``"survey"``: answers of service users, one row per respondent (F-03).
    weight
        Share of the composite (the instruments' weights sum to 1).
    criteria
        Which of the rubric's criteria the instrument scores: ``"all"``
        (default) or a list of top-level criterion ids (their weights
        renormalised among themselves). Not used with `items`.
    items
        The instrument's own scored statements (an F-03 questionnaire), as
        criteria; their `weighting` is :attr:`weighting`.
    weighting
        How the items' weights are written (default ``equal``).
    min_respondents
        Fewer answers than this for a unit count as no data for it.
    notes
        Where the weight comes from, and what is not verified.
    """

    id: str
    name: str
    kind: str = "evaluator"
    weight: float | None = attrs.field(default=None, converter=to_weight)
    criteria: tuple[str, ...] | str = attrs.field(default="all", converter=_ids)
    items: tuple[Criterion, ...] = attrs.field(default=(), converter=parse_criteria)
    weighting: str = "equal"
    min_respondents: int = 1
    notes: tuple[str, ...] = attrs.field(default=(), converter=parse_texts)


def parse_instruments(values: Iterable[Instrument] | None) -> tuple[Instrument, ...]:
    """Convert to a tuple of instruments (anything else is kept for the checks to report)."""
    if values is None:
        return ()
    return tuple(values) if isinstance(values, list | tuple) else values  # type: ignore[return-value]


def instrument_problems(
    instruments: Any, criteria: tuple[Criterion, ...], scale: Scale
) -> list[tuple[Path, str]]:
    """Every rule the instruments break: kinds, ids, weights summing to 1, criteria that exist."""
    if not instruments:
        return []
    if not isinstance(instruments, tuple):
        return [(("instruments",), "must be a list of instruments")]
    problems: list[tuple[Path, str]] = []
    top = [c.id for c in criteria]
    seen: set[str] = set()
    for i, inst in enumerate(instruments):
        path: Path = ("instruments", i)
        if not isinstance(inst, Instrument):
            problems.append((path, f"expected an Instrument, got {type(inst).__name__}"))
            continue
        if not isinstance(inst.id, str) or not inst.id.strip():
            problems.append(((*path, "id"), "must not be empty"))
        elif inst.id in seen:
            problems.append(((*path, "id"), f"instrument {inst.id!r} is declared twice"))
        seen.add(str(inst.id))
        if inst.kind not in KINDS:
            problems.append(
                (
                    (*path, "kind"),
                    f"must be one of {', '.join(KINDS)}, got "
                    f"{inst.kind!r}{suggest(str(inst.kind), KINDS)}",
                )
            )
        weight = inst.weight
        if not (isinstance(weight, float) and math.isfinite(weight) and 0 <= weight <= 1):
            problems.append(((*path, "weight"), f"must be a share from 0 to 1, got {weight!r}"))
        if isinstance(inst.criteria, tuple):
            if inst.items:
                problems.append((path, "has both 'criteria' and 'items'; give one"))
            for j, cid in enumerate(inst.criteria):
                if cid not in top:
                    problems.append(
                        (
                            (*path, "criteria", j),
                            f"instrument {inst.id!r}: the rubric has no top-level criterion "
                            f"{cid!r}{suggest(str(cid), top)}",
                        )
                    )
        elif inst.criteria != "all":
            problems.append(
                (
                    (*path, "criteria"),
                    f"must be 'all' or a list of criterion ids, got {inst.criteria!r}",
                )
            )
        for j, item in enumerate(_leaves(inst.items)):
            if item.scale is not None and item.scale != scale:
                problems.append(
                    (
                        (*path, "items", j, "scale"),
                        f"instrument {inst.id!r}: an item scores on the rubric's scale "
                        f"{scale.min:g}..{scale.max:g} (the composite adds the "
                        f"instruments' indices), got {item.scale.min:g}..{item.scale.max:g}",
                    )
                )
        if inst.items and inst.kind != "survey":
            problems.append(((*path, "items"), "only a survey instrument has its own items"))
        if not (isinstance(inst.min_respondents, int) and inst.min_respondents >= 1):
            problems.append(
                (
                    (*path, "min_respondents"),
                    f"must be a whole number >= 1, got {inst.min_respondents!r}",
                )
            )
    kinds = [inst.kind for inst in instruments if isinstance(inst, Instrument)]
    if kinds.count("evaluator") != 1:
        problems.append(
            (
                ("instruments",),
                "exactly one instrument must be of kind 'evaluator' "
                f"(the assessors' visits), got {kinds.count('evaluator')}",
            )
        )
    weights = [inst.weight or 0.0 for inst in instruments if isinstance(inst, Instrument)]
    if not problems and abs(sum(weights) - 1) > WEIGHT_TOLERANCE:
        shown = " + ".join(f"{w:g}" for w in weights)
        problems.append(
            (
                ("instruments",),
                f"the instruments' weights must sum to 1, got {shown} = {sum(weights):g}",
            )
        )
    return problems


def _leaves(criteria: tuple[Criterion, ...]) -> list[Criterion]:
    found, stack = [], list(reversed(criteria))
    while stack:  # no recursion: the depth of a tree is checked with the rubric
        node = stack.pop()
        if node.is_leaf:
            found.append(node)
        else:
            stack.extend(reversed(node.criteria))
    return found
