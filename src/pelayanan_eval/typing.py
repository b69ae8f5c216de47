"""Option types: the values each option of the library accepts, as ``Literal`` types.

Use them to annotate your own code so that a type checker catches a
misspelt option (``aggregate="avg"``) before it runs; ``choices(T)`` gives
the valid values of one type, as the command line offers them.

Examples
--------
>>> from pelayanan_eval.typing import TieMethod, choices
>>> choices(TieMethod)
('min', 'dense', 'average', 'ordinal')
"""

from __future__ import annotations

from typing import Any, Literal, get_args

__all__ = [
    "AggregationMethod",
    "BandScale",
    "CompareOn",
    "CsvEngine",
    "DesignCheck",
    "ExtraColumns",
    "GroupBy",
    "IkmMissing",
    "IkmRollup",
    "IkmWeights",
    "IntervalMethod",
    "Locale",
    "MeasurementLevel",
    "MissingPolicy",
    "NoDataPolicy",
    "Order",
    "Perturbation",
    "PoolLevel",
    "RankBy",
    "RaterField",
    "RoundingMode",
    "TieMethod",
    "VisitMethod",
    "Weighting",
    "choices",
]

AggregationMethod = Literal[
    "mean", "median", "min", "max", "trimmed_mean", "latest", "observer_weighted"
]
"""How the visits (or respondents) of one unit combine, criterion by criterion."""

Order = Literal["criteria_first", "visits_first"]
"""Aggregate each criterion across visits then roll up, or score each visit first."""

MissingPolicy = Literal["error", "renormalize", "scale_min"]
"""What an unscored criterion does: raise, re-spread its weight, or count as the scale minimum."""

NoDataPolicy = Literal["error", "zero", "renormalize"]
"""A unit without an instrument's records: raise, count it as 0, or weigh the others up."""

TieMethod = Literal["min", "dense", "average", "ordinal"]
"""How equal scores are ranked: 1-2-2-4, 1-2-2-3, 1-2.5-2.5-4, 1-2-3-4."""

RankBy = Literal["rounded", "raw"]
"""Rank by the published (rounded) index or by full precision."""

GroupBy = Literal["category", "parent"]
"""A unit field whose values form the groups units are ranked within."""

Weighting = Literal["normalized", "relative", "equal", "as_printed"]
"""How the weights of sibling criteria are written in a rubric."""

RoundingMode = Literal["half_up", "half_even"]
"""How a regulation rounds: half up (as spreadsheets) or half to even."""

BandScale = Literal["index", "reported"]
"""The scale of a value to grade: the rubric's own, or after its conversion (IKM 25-100)."""

CsvEngine = Literal["auto", "pyarrow", "python"]
"""Which parser reads a survey CSV: pyarrow when installed, or the standard library."""

IkmWeights = Literal["rubric", "exact", "printed"]
"""Named IKM weight conventions (a number or a mapping is also accepted)."""

IkmMissing = Literal["error", "renormalize"]
"""What an unsur nobody answered does in an IKM: raise, or re-spread its weight."""

IkmRollup = Literal["pooled", "mean"]
"""How unit IKMs combine into a group's: all respondents together, or the mean of units."""

IntervalMethod = Literal["bootstrap", "normal"]
"""How a confidence interval of the IKM is computed."""

VisitMethod = Literal["auto", "pooled", "bootstrap"]
"""How the uncertainty from the visits is found: chosen by the visits, pooled model, bootstrap."""

PoolLevel = Literal["aspect", "criterion"]
"""The scores whose between-visit covariance is pooled across units."""

Perturbation = Literal["dirichlet", "uniform"]
"""How weights are perturbed: Dirichlet around the printed weights, or each by +/- a share."""

CompareOn = Literal["same", "shared"]
"""Rounds compared on the same rubric only, or on the criteria two rubrics share."""


ExtraColumns = Literal["error", "ignore", "attributes"]
"""What a units table's columns besides id, name, category, parent do: refused, dropped, kept."""

Locale = Literal["id", "en"]
"""The language and number format of reports: Bahasa Indonesia (``4,11``) or English (``4.11``)."""


MeasurementLevel = Literal["nominal", "ordinal", "interval", "ratio"]
"""Krippendorff's levels of measurement: how far apart two different scores are."""

RaterField = Literal["observer", "visit"]
"""Who the raters of an agreement analysis are: the assessor, or the visit label."""

DesignCheck = Literal[
    "visits",
    "assessors",
    "same_assessor",
    "unknown_assessor",
    "outside_period",
    "undated",
    "days_between",
    "one_unit_category",
    "category_labels",
]
"""The checks of a visit-design report, each a warning that can be turned into an error."""


def choices(option: Any) -> tuple[str, ...]:
    """Return the values a ``Literal`` option type accepts, in their documented order."""
    return tuple(get_args(option))
