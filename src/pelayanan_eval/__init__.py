"""Evaluate Indonesian public-service units the way the regulations prescribe.

The public names are listed in ``__all__``; errors and warnings live in
:mod:`pelayanan_eval.exceptions`, the citizen satisfaction index (IKM) in
:mod:`pelayanan_eval.ikm`.
"""

from importlib import metadata as _metadata

from pelayanan_eval import exceptions as exceptions
from pelayanan_eval import ikm as ikm
from pelayanan_eval._data.observations import Observation, Observations
from pelayanan_eval._data.units import Unit, Units
from pelayanan_eval._demo import DemoCity, demo_city
from pelayanan_eval._evaluation.aggregation import Aggregation
from pelayanan_eval._evaluation.card import AspectLine, Loss, NextGrade, ReportCard, Step
from pelayanan_eval._evaluation.engine import evaluate
from pelayanan_eval._evaluation.ranking import rank
from pelayanan_eval._evaluation.result import Evaluation, Settings
from pelayanan_eval._loading.build import RubricInfo, available_rubrics, load_rubric, parse_rubric
from pelayanan_eval._rubric.grading import Band, Grade, GradeScale, Rounding, round_half_up
from pelayanan_eval._rubric.model import Conversion, Criterion, Regulation, Rubric, Scale

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
