"""The parts a rubric is built from, for rubrics made in code rather than in YAML.

A rubric file (``docs/rubric-format.md``) is the usual way; these classes
are its objects. :class:`~pelayanan_eval.Rubric` checks the whole tree when
it is built and reports every problem at once.

Examples
--------
>>> import pelayanan_eval as pe
>>> from pelayanan_eval.schema import Criterion, Regulation, Rounding, Scale
>>> rubric = pe.Rubric(
...     id="mini", title="Mini", scale=Scale(0, 5), status="verified",
...     regulation=Regulation("Peraturan Contoh"), rounding=Rounding(2),
...     criteria=[Criterion("a", "A", weight="60%"), Criterion("b", "B", weight="40%")],
... )
>>> rubric.leaf_weights.tolist()
[0.6, 0.4]
"""

from pelayanan_eval._rubric.grading import Band, GradeScale, Rounding, round_half_up
from pelayanan_eval._rubric.parts import Answers, Conversion, Criterion, Regulation, Scale

__all__ = [
    "Answers",
    "Band",
    "Conversion",
    "Criterion",
    "GradeScale",
    "Regulation",
    "Rounding",
    "Scale",
    "round_half_up",
]
