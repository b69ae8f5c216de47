"""The rubric model: a tree of weighted criteria with a scale, rounding rule and grades."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cached_property
from typing import overload

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.messages import format_path, suggest
from pelayanan_eval._rubric.checks import check_rubric
from pelayanan_eval._rubric.compiled import Compiled, compile_tree
from pelayanan_eval._rubric.grading import Grade, GradeScale, Rounding, band_scale, grade_values
from pelayanan_eval._rubric.instruments import Instrument, instrument_problems, parse_instruments
from pelayanan_eval._rubric.parts import (
    Conversion,
    Criterion,
    Regulation,
    Scale,
    Weighting,
    parse_criteria,
    parse_texts,
    parse_weight,
    show,
)
from pelayanan_eval.exceptions import RubricError, ScoreError, UnknownCriterionError
from pelayanan_eval.typing import BandScale


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
    instruments
        The forms a composite index draws on (F-01, F-02, F-03) and their
        weights; empty (default): the index is the assessors' alone.

    Examples
    --------
    >>> from pelayanan_eval import Rubric
    >>> from pelayanan_eval.schema import Criterion, Regulation, Scale
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
    criteria: tuple[Criterion, ...] = attrs.field(converter=parse_criteria)
    regulation: Regulation = Regulation("")
    status: str = "provisional"
    provisional: tuple[str, ...] = attrs.field(default=(), converter=parse_texts)
    notes: tuple[str, ...] = attrs.field(default=(), converter=parse_texts)
    weighting: Weighting = "normalized"
    conversion: Conversion = Conversion()
    rounding: Rounding = Rounding()
    grades: GradeScale = GradeScale()
    instruments: tuple[Instrument, ...] = attrs.field(default=(), converter=parse_instruments)

    def __attrs_post_init__(self) -> None:
        problems = check_rubric(self)
        if not problems:
            problems = instrument_problems(self.instruments, self.criteria, self.scale)
        if problems:
            raise RubricError(
                [f"{format_path(path)}: {message}" for path, message in problems],
                source=self.id if isinstance(self.id, str) else None,
                paths=[path for path, _ in problems],
            )

    def __repr__(self) -> str:
        return (
            f"<Rubric {self.id!r}: {len(self.criteria)} criteria, "
            f"{len(self.leaves)} leaves, {self.status}>"
        )

    @cached_property
    def _compiled(self) -> Compiled:
        """The tree compiled for the kernels, built once per rubric."""
        return compile_tree(self.criteria, self.weighting, self.scale)

    @property
    def leaves(self) -> tuple[Criterion, ...]:
        """The scored criteria, in document order."""
        return self._compiled.leaves

    @property
    def leaf_ids(self) -> tuple[str, ...]:
        """Ids of the scored criteria, in document order."""
        return self._compiled.leaf_ids

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
        position = self._compiled.position.get(criterion_id)
        if position is None:
            hint = suggest(str(criterion_id), self._compiled.position)
            raise UnknownCriterionError(
                f"rubric {self.id!r} has no criterion {criterion_id!r}{hint}"
            )
        return self._compiled.nodes[position]

    def __contains__(self, criterion_id: object) -> bool:
        return criterion_id in self._compiled.position

    def path(self, criterion_id: str) -> tuple[str, ...]:
        """Ids from the top-level criterion down to `criterion_id`."""
        self[criterion_id]
        return self._compiled.paths[criterion_id]

    def weight_of(self, criterion_id: str) -> float:
        """Effective weight of a criterion (any depth) in the index."""
        self[criterion_id]
        return self._compiled.node_weights[self._compiled.position[criterion_id]]

    @overload
    def grade(self, value: float, *, on: BandScale = ...) -> Grade: ...
    @overload
    def grade(
        self, value: npt.ArrayLike, *, on: BandScale = ...
    ) -> Grade | npt.NDArray[np.str_]: ...

    def grade(
        self, value: npt.ArrayLike, *, on: BandScale = "index"
    ) -> Grade | npt.NDArray[np.str_]:
        """Grade an index value (scalar) or many (array), after the rubric's rounding.

        Parameters
        ----------
        value
            Index value(s) on the rubric's own scale (``on="index"``), or
            reported after the conversion (``on="reported"``, e.g. IKM on
            25–100; ``"converted"`` is a deprecated alias).
        on
            ``"index"`` (default) or ``"reported"``.

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
        >>> str(r.grade(4.505)), r.grade(4.505).rounded  # doctest: +SKIP
        ('A (Pelayanan Prima)', 4.51)
        """
        if not self.grades.bands:
            raise ScoreError(f"rubric {self.id!r} defines no grades")
        on = band_scale(on, "grade scale (on=)")
        factor = self.conversion.factor if on == "index" else 1.0
        low, high = (bound / factor for bound in self.index_range)
        graded = grade_values(
            value, self.grades, self.rounding, factor=factor, bounds=(low, high),
            what=f"under rubric {self.id!r} ({on} scale)",
        )  # fmt: skip
        if graded.reported.ndim == 0:
            found = graded.grade(0)
            if found is None:  # unreachable: NaN was refused above
                raise ScoreError(f"cannot grade {value!r}: not a number")
            return found
        return graded.codes

    def with_weights(self, weights: Mapping[str, float | str]) -> Rubric:
        """Return a re-validated copy with some criteria's weights replaced.

        Weights are written as in the YAML file: as fractions or percentages
        under ``normalized`` / ``as_printed`` parents, points under
        ``relative`` ones. Siblings must still sum to 100 %.

        Examples
        --------
        >>> from pelayanan_eval import Rubric
        >>> from pelayanan_eval.schema import Criterion, Regulation, Scale
        >>> r = Rubric(id="mini", title="Mini", scale=Scale(0, 5), status="verified",
        ...            regulation=Regulation("Peraturan Contoh"),
        ...            criteria=[Criterion("a", "A", weight=0.5), Criterion("b", "B", weight=0.5)])
        >>> r.with_weights({"a": "70%", "b": "30%"}).leaf_weights.tolist()
        [0.7, 0.3]
        """
        if not isinstance(weights, Mapping):
            raise RubricError(
                [f"with_weights: expected a mapping of id to weight, got {show(weights)}"],
                source=self.id,
            )
        problems = [
            f"with_weights: no criterion {show(key)}{suggest(str(key), self._compiled.paths)}"
            for key in weights
            if key not in self
        ]
        parsed: dict[str, float | None] = {}
        for key, raw in weights.items():
            if key not in self:
                continue
            path = self._compiled.paths[key]
            how = self.weighting if len(path) == 1 else self[path[-2]].weighting
            if how == "relative" and isinstance(raw, str) and "%" in raw:
                problems.append(
                    f"with_weights: {key}: {raw!r} is a percentage, but the weights of its "
                    "siblings are relative points; give points"
                )
                continue
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

    def with_grade_labels(self, labels: Mapping[str, str]) -> Rubric:
        """Return a copy whose grade bands carry other labels (by band code); bounds unchanged.

        Sources word the lowest bands differently (17/2017: the deck's
        "Prioritas Pembinaan" or the apps' Buruk / Sangat Buruk / Gagal).

        Examples
        --------
        >>> import warnings, pelayanan_eval as pe
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     rubric = pe.load_rubric("permenpanrb-17-2017")
        >>> print(rubric.with_grade_labels({"E": "Prioritas Pembinaan"}).grade(1.2))
        E (Prioritas Pembinaan)
        """
        codes = [band.code for band in self.grades]
        if not isinstance(labels, Mapping):
            problem = f"expected a mapping of band code to label text, got {show(labels)}"
        else:
            unknown = [repr(k) for k in labels if k not in codes]
            texts = all(isinstance(v, str) for v in labels.values())
            problem = (f"no band {', '.join(unknown)} (bands: {', '.join(codes)})" if unknown
                       else "" if texts else "labels must be text")  # fmt: skip
        if problem:
            raise RubricError([f"with_grade_labels: {problem}"], source=self.id)
        bands = tuple(attrs.evolve(b, label=labels.get(b.code, b.label)) for b in self.grades)
        return attrs.evolve(self, grades=GradeScale(bands))

    def instrument(self, instrument_id: str) -> Instrument:
        """Return the declared instrument `instrument_id` (an error names the declared ones)."""
        for inst in self.instruments:
            if inst.id == instrument_id:
                return inst
        ids = [inst.id for inst in self.instruments]
        raise UnknownCriterionError(
            f"rubric {self.id!r} declares no instrument {instrument_id!r}"
            + (f"; it declares {', '.join(map(repr, ids))}" if ids else " (it declares none)")
            + suggest(str(instrument_id), ids)
        )

    def instrument_rubric(self, instrument_id: str) -> Rubric:
        """Return the rubric an instrument's records are scored on (for its observations).

        The evaluator's and any instrument over ``criteria: all`` use this
        rubric itself; a survey's own items and a view of some top-level
        criteria form a rubric of their own, on this rubric's scale, without
        grades (the composite is graded).

        Examples
        --------
        >>> import warnings, pelayanan_eval as pe
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     rubric = pe.load_rubric("permenpanrb-29-2022")
        >>> f03 = rubric.instrument_rubric("F-03")
        >>> f03.id, len(f03.leaves), f03.scale
        ('permenpanrb-29-2022.f-03', 11, Scale(min=0.0, max=5.0))
        """
        inst = self.instrument(instrument_id)
        if inst.items:
            criteria, weighting = inst.items, inst.weighting
        elif inst.criteria == "all":
            return self
        else:
            tree = self._compiled
            criteria = tuple(
                attrs.evolve(self[c], weight=tree.node_weights[tree.position[c]])
                for c in inst.criteria
            )
            weighting = "relative"
        return Rubric(
            id=f"{self.id}.{inst.id.lower()}",
            title=f"{self.title} — {inst.name}",
            scale=self.scale,
            criteria=criteria,
            regulation=self.regulation,
            status=self.status,
            provisional=self.provisional,
            weighting=weighting,  # type: ignore[arg-type]
            rounding=self.rounding,
        )

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of a canonical form of the rubric, identifying the exact rubric a result used.

        Equal rubrics have equal hashes; any change of a number, id, text or
        band changes it.
        """
        return hashlib.sha256(repr(attrs.astuple(self)).encode("utf-8")).hexdigest()
