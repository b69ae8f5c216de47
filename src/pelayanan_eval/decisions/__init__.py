"""Decisions a city makes from an evaluation: how sure they are, what they depend on, progress.

:func:`uncertainty` gives, from the visits behind each score, the chance
that each unit gets an award, coaching or each grade, its rank interval,
and whether each award is clear or within the noise of the visits.
:func:`sensitivity` re-scores the units under other weights (named sets
such as the 17/2017 12/10 reading, or random perturbations), aggregations
and missing-data policies and says what changes, and which source of
uncertainty matters most. :func:`compare` sets evaluation rounds side by
side (changes beyond noise, grade transitions, gaps, coached units) and
:func:`target_progress` follows an index series towards a target.
"""

from pelayanan_eval.decisions._comparison import (
    Coaching,
    Comparison,
    Gap,
    RoundChange,
    TargetProgress,
    UnitChange,
)
from pelayanan_eval.decisions._progress import target_progress
from pelayanan_eval.decisions._result import (
    Award,
    Change,
    Scenario,
    Sensitivity,
    Source,
    Uncertainty,
    UnitUncertainty,
)
from pelayanan_eval.decisions._rounds import compare
from pelayanan_eval.decisions._sensitivity import sensitivity
from pelayanan_eval.decisions._uncertainty import uncertainty
from pelayanan_eval.decisions._variance import VisitVariance, pooled_variance

__all__ = [
    "Award",
    "Change",
    "Coaching",
    "Comparison",
    "Gap",
    "RoundChange",
    "Scenario",
    "Sensitivity",
    "Source",
    "TargetProgress",
    "Uncertainty",
    "UnitChange",
    "UnitUncertainty",
    "VisitVariance",
    "compare",
    "pooled_variance",
    "sensitivity",
    "target_progress",
    "uncertainty",
]
