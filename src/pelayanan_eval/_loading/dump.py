"""A Rubric back into the YAML layout of ``docs/rubric-format.md``."""

from __future__ import annotations

from typing import Any

import attrs
import yaml

from pelayanan_eval._common.messages import plain
from pelayanan_eval._loading.reader import SCHEMA_VERSION
from pelayanan_eval._rubric.instruments import Instrument
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval._rubric.parts import Conversion, Criterion
from pelayanan_eval.exceptions import RubricError


def rubric_data(rubric: Rubric) -> dict[str, Any]:
    """Return the rubric as plain data in the YAML layout, keys in the documented order."""
    data: dict[str, Any] = {"schema": SCHEMA_VERSION, "id": rubric.id, "title": rubric.title}
    data["regulation"] = {"name": rubric.regulation.name}
    if rubric.regulation.sources:
        data["regulation"]["sources"] = list(rubric.regulation.sources)
    data["status"] = rubric.status
    if rubric.provisional:
        data["provisional"] = list(rubric.provisional)
    if rubric.notes:
        data["notes"] = list(rubric.notes)
    data["scale"] = {"min": plain(rubric.scale.min), "max": plain(rubric.scale.max)}
    if rubric.weighting != "normalized":
        data["weighting"] = rubric.weighting
    if rubric.conversion != Conversion():
        data["conversion"] = {"factor": plain(rubric.conversion.factor)}
        if rubric.conversion.name:
            data["conversion"]["name"] = rubric.conversion.name
    if rubric.rounding.digits is not None:
        data["rounding"] = {"digits": rubric.rounding.digits, "mode": rubric.rounding.mode}
    if rubric.grades.bands:
        data["grades"] = [
            {"code": b.code, "min": plain(b.min), "label": b.label} for b in rubric.grades
        ]
    if rubric.instruments:
        data["instruments"] = [_instrument_data(inst) for inst in rubric.instruments]
    data["criteria"] = [_criterion_data(node) for node in rubric.criteria]
    return data


def _instrument_data(inst: Instrument) -> dict[str, Any]:
    data: dict[str, Any] = {"id": inst.id, "name": inst.name, "kind": inst.kind}
    data["weight"] = plain(inst.weight or 0.0)
    if inst.criteria != "all":
        data["criteria"] = list(inst.criteria)
    if inst.min_respondents != 1:
        data["min_respondents"] = inst.min_respondents
    if inst.notes:
        data["notes"] = list(inst.notes)
    if inst.items:
        data["weighting"] = inst.weighting
        data["items"] = [_criterion_data(node) for node in inst.items]
    return data


def _criterion_data(node: Criterion) -> dict[str, Any]:
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
        data["criteria"] = [_criterion_data(child) for child in node.criteria]
    else:
        if node.scale is not None:
            data["scale"] = {"min": plain(node.scale.min), "max": plain(node.scale.max)}
        if node.levels:
            data["levels"] = dict(node.levels)
        if node.answers is not None:
            given = attrs.asdict(node.answers)
            data["answers"] = {k: plain(v) for k, v in given.items() if v is not None}
    return data


def dump_rubric(rubric: Rubric) -> str:
    """Return a rubric as YAML text in the documented layout; parsing it gives an equal rubric.

    Parameters
    ----------
    rubric
        Any rubric: bundled, loaded from a file, built in code or changed
        with :meth:`~pelayanan_eval.Rubric.with_weights`.

    Returns
    -------
    str
        The YAML document (UTF-8 text, keys in the order of ``docs/rubric-format.md``).

    Raises
    ------
    RubricError
        If `rubric` is not a :class:`~pelayanan_eval.Rubric`.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    ...     again = pe.parse_rubric(pe.dump_rubric(rubric))
    >>> again == rubric, again.content_hash == rubric.content_hash
    (True, True)
    >>> pe.dump_rubric(rubric).splitlines()[:2]
    ['schema: 1', 'id: permenpanrb-14-2017-ikm']
    """
    if not isinstance(rubric, Rubric):
        raise RubricError([f"dump_rubric: expected a Rubric, got {type(rubric).__name__}"])
    return yaml.safe_dump(rubric_data(rubric), sort_keys=False, allow_unicode=True, width=100)
