"""Evaluate Indonesian public-service units the way the regulations prescribe.

The public names are listed in ``__all__``; errors and warnings live in
:mod:`pelayanan_eval.exceptions`.
"""

from importlib import metadata as _metadata

from pelayanan_eval._grading import Band, Grade, GradeScale, Rounding, round_half_up
from pelayanan_eval._loading import RubricInfo, available_rubrics, load_rubric, parse_rubric
from pelayanan_eval._rubric import Conversion, Criterion, Regulation, Rubric, Scale

try:
    __version__ = _metadata.version("pelayanan-eval")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

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
