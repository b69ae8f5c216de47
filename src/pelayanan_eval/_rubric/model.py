"""The rubric model: a tree of weighted criteria with a scale, rounding rule and grades."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt
import yaml

from pelayanan_eval._common.arrays import readonly
from pelayanan_eval._common.messages import check_option, format_path, plain, suggest
from pelayanan_eval._rubric.checks import check_rubric
from pelayanan_eval._rubric.grading import Grade, GradeScale, Rounding
from pelayanan_eval.exceptions import RubricError, ScoreError

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


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _criteria(values: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(values)


def _levels(value: Mapping[Any, str] | Iterable[tuple[Any, str]]) -> tuple[tuple[float, str], ...]:
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
    criteria: tuple[Criterion, ...] = attrs.field(default=(), converter=_criteria)
    weighting: Weighting = "normalized"
    scale: Scale | None = None
    levels: tuple[tuple[float, str], ...] = attrs.field(default=(), converter=_levels)
    description: str = ""
    notes: tuple[str, ...] = attrs.field(default=(), converter=_texts)

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
    sources: tuple[str, ...] = attrs.field(default=(), converter=_texts)


@attrs.frozen
class Conversion:
    """The reported index is the weighted score times `factor` (IKM: x25 onto 25–100)."""

    factor: float = attrs.field(default=1.0, converter=float)
    name: str = ""


@attrs.frozen
class _Compiled:
    leaves: tuple[Criterion, ...]
    leaf_weights: npt.NDArray[np.float64]
    leaf_min: npt.NDArray[np.float64]
    leaf_max: npt.NDArray[np.float64]
    nodes: tuple[Criterion, ...]
    node_weights: tuple[float, ...]  # effective weight in the index
    sibling_weights: tuple[float, ...]  # weight among siblings, as used in sums
    parents: tuple[int, ...]  # position of the parent in nodes; len(nodes) for the index
    paths: dict[str, tuple[str, ...]]


def group_weights(weighting: str, children: tuple[Criterion, ...]) -> list[float]:
    """Weights of sibling criteria as used in sums (relative points normalised, equal = 1/n)."""
    if weighting == "equal":
        return [1 / len(children)] * len(children)
    weights = [child.weight or 0.0 for child in children]
    if weighting == "relative":
        total = sum(weights)
        return [w / total for w in weights]
    return weights


@attrs.frozen(repr=False)
class Rubric:
    """A regulation's scoring rubric: weighted criteria tree, scale, rounding and grades.

    Build one with :func:`pelayanan_eval.load_rubric` (bundled id or YAML
    file) or directly; construction checks every rule and reports all
    problems in one :class:`~pelayanan_eval.exceptions.RubricError`.

    Parameters
    ----------
    id, title
        Identifier (lowercase slug) and title.
    scale
        Default score range of every leaf.
    criteria
        Top-level criteria (aspects or survey items).
    regulation
        Regulation name and sources.
    status, provisional
        ``"verified"`` or ``"provisional"``, and the parts not verified.
    notes
        Free remarks (alternatives, caveats).
    weighting
        How the top-level weights are written (see :class:`Criterion`).
    conversion
        Factor from weighted score to reported index (IKM: 25).
    rounding
        Rounding of the reported index before grading.
    grades
        Grade bands, top band first.

    Examples
    --------
    >>> from pelayanan_eval import Criterion, Regulation, Rubric, Scale
    >>> r = Rubric(
    ...     id="mini", title="Mini", scale=Scale(0, 5), status="verified",
    ...     regulation=Regulation("Peraturan Contoh"),
    ...     criteria=[Criterion("a", "A", weight="60%"), Criterion("b", "B", weight="40%")],
    ... )
    >>> r.leaf_ids, r.leaf_weights.tolist()
    (('a', 'b'), [0.6, 0.4])
    """

    id: str
    title: str
    scale: Scale
    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)
    regulation: Regulation = Regulation("")
    status: str = "provisional"
    provisional: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    weighting: Weighting = "normalized"
    conversion: Conversion = Conversion()
    rounding: Rounding = Rounding()
    grades: GradeScale = GradeScale()
    # compiled forms that other modules derive from this (immutable) rubric, built once
    _derived: dict[str, Any] = attrs.field(
        factory=dict, init=False, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        problems = check_rubric(self)
        if problems:
            raise RubricError(
                [f"{format_path(path)}: {message}" for path, message in problems],
                source=self.id,
                paths=[path for path, _ in problems],
            )

    def __repr__(self) -> str:
        return (
            f"<Rubric {self.id!r}: {len(self.criteria)} criteria, "
            f"{len(self.leaves)} leaves, {self.status}>"
        )

    @cached_property
    def _compiled(self) -> _Compiled:
        leaves: list[Criterion] = []
        weights: list[float] = []
        lows: list[float] = []
        highs: list[float] = []
        nodes: list[Criterion] = []
        node_weights: list[float] = []
        sibling_weights: list[float] = []
        parents: list[int] = []
        paths: dict[str, tuple[str, ...]] = {}

        def walk(
            children: tuple[Criterion, ...],
            weighting: str,
            above: float,
            path: tuple[str, ...],
            parent: int | None,
        ) -> None:
            for child, weight in zip(children, group_weights(weighting, children), strict=True):
                position = len(nodes)
                nodes.append(child)
                node_weights.append(above * weight)
                sibling_weights.append(weight)
                parents.append(-1 if parent is None else parent)
                paths[child.id] = (*path, child.id)
                if child.criteria:
                    walk(child.criteria, child.weighting, above * weight, paths[child.id], position)
                else:
                    scale = child.scale or self.scale
                    leaves.append(child)
                    weights.append(above * weight)
                    lows.append(scale.min)
                    highs.append(scale.max)

        walk(self.criteria, self.weighting, 1.0, (), None)
        return _Compiled(
            leaves=tuple(leaves),
            leaf_weights=readonly(np.array(weights, dtype=np.float64)),
            leaf_min=readonly(np.array(lows, dtype=np.float64)),
            leaf_max=readonly(np.array(highs, dtype=np.float64)),
            nodes=tuple(nodes),
            node_weights=tuple(node_weights),
            sibling_weights=tuple(sibling_weights),
            parents=tuple(len(nodes) if p < 0 else p for p in parents),
            paths=paths,
        )

    @property
    def leaves(self) -> tuple[Criterion, ...]:
        """The scored criteria, in document order."""
        return self._compiled.leaves

    @property
    def leaf_ids(self) -> tuple[str, ...]:
        """Ids of the scored criteria, in document order."""
        return tuple(leaf.id for leaf in self._compiled.leaves)

    @property
    def leaf_weights(self) -> npt.NDArray[np.float64]:
        """Effective weight of each leaf in the index (the product of weights down its path)."""
        return self._compiled.leaf_weights

    @property
    def leaf_scales(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Each leaf's scale minimum and maximum, as two read-only arrays."""
        return self._compiled.leaf_min, self._compiled.leaf_max

    @property
    def nodes(self) -> tuple[Criterion, ...]:
        """Every criterion (aspects, indicators, ...) in document (pre-)order."""
        return self._compiled.nodes

    @property
    def index_range(self) -> tuple[float, float]:
        """Smallest and largest index the rubric can produce, on the reported scale."""
        compiled = self._compiled
        factor = self.conversion.factor
        low = float(compiled.leaf_weights @ compiled.leaf_min) * factor
        high = float(compiled.leaf_weights @ compiled.leaf_max) * factor
        return low, high

    def __getitem__(self, criterion_id: str) -> Criterion:
        """Return the criterion with this id (any depth)."""
        for node in self._compiled.nodes:
            if node.id == criterion_id:
                return node
        ids = [node.id for node in self._compiled.nodes]
        raise KeyError(
            f"rubric {self.id!r} has no criterion {criterion_id!r}{suggest(criterion_id, ids)}"
        )

    def __contains__(self, criterion_id: object) -> bool:
        return criterion_id in self._compiled.paths

    def path(self, criterion_id: str) -> tuple[str, ...]:
        """Ids from the top-level criterion down to `criterion_id`."""
        self[criterion_id]
        return self._compiled.paths[criterion_id]

    def weight_of(self, criterion_id: str) -> float:
        """Effective weight of a criterion (any depth) in the index."""
        node = self[criterion_id]
        return self._compiled.node_weights[self._compiled.nodes.index(node)]

    @overload
    def grade(self, value: float, *, on: str = ...) -> Grade: ...
    @overload
    def grade(self, value: npt.ArrayLike, *, on: str = ...) -> Grade | npt.NDArray[np.str_]: ...

    def grade(self, value: npt.ArrayLike, *, on: str = "index") -> Grade | npt.NDArray[np.str_]:
        """Grade an index value (scalar) or many (array), after the rubric's rounding.

        Parameters
        ----------
        value
            Index value(s) on the rubric's own scale (``on="index"``), or
            already converted (``on="converted"``, e.g. IKM on 25–100).
        on
            ``"index"`` (default) or ``"converted"``.

        Returns
        -------
        Grade or numpy.ndarray
            For a scalar, a :class:`Grade` (code, label, lower bound, the
            rounded value used, the raw value); for an array, the band codes.

        Raises
        ------
        ScoreError
            If the rubric has no grades, or a value is NaN, infinite, not a
            number, or outside :attr:`index_range`. No "no grade" marker is
            returned: an ungradable value is always an error.

        Notes
        -----
        The value is multiplied by the conversion factor (``on="index"``),
        rounded as the rubric declares (half up, as spreadsheets round), and
        given the top-most band whose lower bound it reaches.

        Examples
        --------
        >>> import pelayanan_eval as pe
        >>> r = pe.load_rubric("permenpanrb-17-2017")  # doctest: +SKIP
        >>> str(r.grade(4.505)), r.grade(4.505).value  # doctest: +SKIP
        ('A (Pelayanan Prima)', 4.51)
        """
        if not self.grades.bands:
            raise ScoreError(f"rubric {self.id!r} defines no grades")
        check_option("grade scale (on=)", on, ("index", "converted"))
        try:
            if value is None:
                raise TypeError
            raw = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ScoreError(f"cannot grade {value!r}: not a number") from None
        factor = self.conversion.factor if on == "index" else 1.0
        low, high = (bound / factor for bound in self.index_range)
        tolerance = 1e-9 * max(1.0, abs(high))
        bad = ~np.isfinite(raw) | (raw < low - tolerance) | (raw > high + tolerance)
        if bad.any():
            where = np.flatnonzero(bad)
            shown = ", ".join(f"{float(raw.flat[i])!r}" for i in where[:5])
            position = "" if raw.ndim == 0 else f" at position(s) {where[:5].tolist()}"
            raise ScoreError(
                f"cannot grade under rubric {self.id!r}: values must be finite and within "
                f"[{low:g}, {high:g}] ({on} scale); got {shown}{position}"
                + (f" and {len(where) - 5} more" if len(where) > 5 else "")
            )
        reported = raw * factor
        rounded = self.rounding.apply(reported)
        if raw.ndim == 0:
            band = self.grades.bands[int(self.grades.positions(rounded))]
            return Grade(band.code, band.label, band.min, float(rounded), float(reported))
        return self.grades.codes(rounded)

    def with_weights(self, weights: Mapping[str, float | str]) -> Rubric:
        """Return a re-validated copy with some criteria's weights replaced.

        Weights are written as in the YAML file: as fractions or percentages
        under ``normalized`` / ``as_printed`` parents, points under
        ``relative`` ones. Siblings must still sum to 100 %.

        Examples
        --------
        >>> from pelayanan_eval import Criterion, Regulation, Rubric, Scale
        >>> r = Rubric(id="mini", title="Mini", scale=Scale(0, 5), status="verified",
        ...            regulation=Regulation("Peraturan Contoh"),
        ...            criteria=[Criterion("a", "A", weight=0.5), Criterion("b", "B", weight=0.5)])
        >>> r.with_weights({"a": "70%", "b": "30%"}).leaf_weights.tolist()
        [0.7, 0.3]
        """
        problems = [
            f"with_weights: no criterion {key!r}{suggest(key, self._compiled.paths)}"
            for key in weights
            if key not in self
        ]
        parsed: dict[str, float | None] = {}
        for key, raw in weights.items():
            try:
                parsed[key] = parse_weight(raw)
            except ValueError as error:
                problems.append(f"with_weights: {key}: {error}")
        if problems:
            raise RubricError(problems, source=self.id)

        def swap(node: Criterion) -> Criterion:
            return attrs.evolve(
                node,
                weight=parsed.get(node.id, node.weight),
                criteria=tuple(swap(child) for child in node.criteria),
            )

        return attrs.evolve(self, criteria=tuple(swap(node) for node in self.criteria))

    def to_dict(self) -> dict[str, Any]:
        """Return the rubric as plain data in the YAML layout (``docs/rubric-format.md``)."""
        data: dict[str, Any] = {"schema": 1, "id": self.id, "title": self.title}
        data["regulation"] = {"name": self.regulation.name}
        if self.regulation.sources:
            data["regulation"]["sources"] = list(self.regulation.sources)
        data["status"] = self.status
        if self.provisional:
            data["provisional"] = list(self.provisional)
        if self.notes:
            data["notes"] = list(self.notes)
        data["scale"] = {"min": plain(self.scale.min), "max": plain(self.scale.max)}
        if self.weighting != "normalized":
            data["weighting"] = self.weighting
        if self.conversion != Conversion():
            data["conversion"] = {"factor": plain(self.conversion.factor)}
            if self.conversion.name:
                data["conversion"]["name"] = self.conversion.name
        if self.rounding.digits is not None:
            data["rounding"] = {"digits": self.rounding.digits, "mode": self.rounding.mode}
        if self.grades.bands:
            data["grades"] = [
                {"code": b.code, "min": plain(b.min), "label": b.label} for b in self.grades
            ]
        data["criteria"] = [_criterion_dict(node) for node in self.criteria]
        return data

    def to_yaml(self) -> str:
        """Return the rubric as YAML text; loading it gives an equal rubric."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    @property
    def content_hash(self) -> str:
        """SHA-256 of :meth:`to_yaml`, identifying the exact rubric a result used."""
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        return hashlib.sha256(self.to_yaml().encode("utf-8")).hexdigest()


def _criterion_dict(node: Criterion) -> dict[str, Any]:
    data: dict[str, Any] = {"id": node.id, "name": node.name}
    if node.weight is not None:
        data["weight"] = plain(node.weight)
    if node.description:
        data["description"] = node.description
    if node.notes:
        data["notes"] = list(node.notes)
    if node.criteria:
        if node.weighting != "normalized":
            data["weighting"] = node.weighting
        data["criteria"] = [_criterion_dict(child) for child in node.criteria]
    else:
        if node.scale is not None:
            data["scale"] = {"min": plain(node.scale.min), "max": plain(node.scale.max)}
        if node.levels:
            data["levels"] = dict(node.levels)
    return data
