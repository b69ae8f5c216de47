"""Evaluate Indonesian public-service units the way the regulations prescribe.

The public names are listed in ``__all__``; errors and warnings live in
:mod:`pelayanan_eval.exceptions`.
"""

from importlib.metadata import version as _version

from pelayanan_eval._grading import Band, Grade, GradeScale, Rounding, round_half_up
from pelayanan_eval._loading import RubricInfo, available_rubrics, load_rubric, parse_rubric
from pelayanan_eval._rubric import Conversion, Criterion, Regulation, Rubric, Scale

__version__ = _version("pelayanan-eval")

__all__ = [
    "Band",
    "Conversion",
    "Criterion",
    "Grade",
    "GradeScale",
    "Regulation",
    "Rounding",
    "Rubric",
    "RubricInfo",
    "Scale",
    "__version__",
    "available_rubrics",
    "load_rubric",
    "parse_rubric",
    "round_half_up",
]
