"""The settings an evaluation was computed with, recorded in its result."""

from __future__ import annotations

import attrs

from pelayanan_eval._evaluation.aggregation import Aggregation


@attrs.frozen
class Settings:
    """Everything needed to reproduce an evaluation, recorded in its result."""

    rubric_id: str
    rubric_hash: str
    aggregation: Aggregation
    order: str
    missing: str
    min_coverage: float
    rounding: str
    conversion_factor: float
    composite: str = ""  # the instruments' rule, e.g. "0.75 x F-02 + 0.25 x F-03; no data: error"
