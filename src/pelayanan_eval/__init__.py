"""Evaluate Indonesian public-service units the way the regulations prescribe.

The public names are listed in ``__all__``; errors and warnings live in
:mod:`pelayanan_eval.exceptions`, the citizen satisfaction index (IKM) in
:mod:`pelayanan_eval.ikm`.
"""

from importlib import metadata as _metadata

from pelayanan_eval import exceptions as exceptions
from pelayanan_eval import ikm as ikm
from pelayanan_eval._aggregation import Aggregation
from pelayanan_eval._card import AspectLine, Loss, NextGrade, ReportCard, Step
from pelayanan_eval._demo import DemoCity, demo_city
from pelayanan_eval._engine import evaluate
from pelayanan_eval._evaluation import Evaluation, Settings
from pelayanan_eval._grading import Band, Grade, GradeScale, Rounding, round_half_up
from pelayanan_eval._loading import RubricInfo, available_rubrics, load_rubric, parse_rubric
from pelayanan_eval._observations import Observation, Observations
from pelayanan_eval._ranking import rank
from pelayanan_eval._rubric import Conversion, Criterion, Regulation, Rubric, Scale
from pelayanan_eval._units import Unit, Units

try:
    __version__ = _metadata.version("pelayanan-eval")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Aggregation",
    "AspectLine",
    "Band",
    "Conversion",
    "Criterion",
    "DemoCity",
    "Evaluation",
    "Grade",
    "GradeScale",
    "Loss",
    "NextGrade",
    "Observation",
    "Observations",
    "Regulation",
    "ReportCard",
    "Rounding",
    "Rubric",
    "RubricInfo",
    "Scale",
    "Settings",
    "Step",
    "Unit",
    "Units",
    "__version__",
    "available_rubrics",
    "demo_city",
    "evaluate",
    "load_rubric",
    "parse_rubric",
    "rank",
    "round_half_up",
]
