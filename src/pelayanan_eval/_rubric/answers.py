"""The checks of a survey item's declared answers (answer scale and linear conversion)."""

from __future__ import annotations

import math
from collections.abc import Callable

from pelayanan_eval._common.messages import Path, plain
from pelayanan_eval._rubric.parts import Answers, Scale


def check_answers(
    answers: Answers, scale: Scale, path: Path, add: Callable[[Path, str], None]
) -> None:
    """Check a survey item's answers: whole numbers, converted into the item's scale."""
    low, high, factor = answers.min, answers.max, answers.factor
    numbers = [v for v in (low, high, factor, answers.offset) if v is not None]
    if not all(isinstance(v, float) and math.isfinite(v) for v in numbers):
        add(path, f"min, max, factor and offset must be finite numbers, got "
                  f"{low!r}, {high!r}, {factor!r}, {answers.offset!r}")  # fmt: skip
        return
    if not (low == int(low) and high == int(high) and low < high and high - low <= 254):
        add(path, f"answers must be whole numbers min < max with at most 255 values, got "
                  f"{plain(low)}..{plain(high)}")  # fmt: skip
        return
    if factor is None:
        if (low, high) != (scale.min, scale.max) or answers.offset != 0:
            add(path, f"answers {plain(low)}..{plain(high)} are not on the item's scale "
                      f"{plain(scale.min)}..{plain(scale.max)}: declare the conversion "
                      "(factor, offset: score = offset + factor x answer)")  # fmt: skip
        return
    ends = sorted((answers.offset + factor * low, answers.offset + factor * high))
    if factor <= 0 or ends[0] < scale.min - 1e-9 or ends[1] > scale.max + 1e-9:
        add((*path, "factor"), f"the conversion {plain(answers.offset)} + {plain(factor)} x "
                               f"answer must be increasing and map {plain(low)}..{plain(high)} "
                               f"into the scale {plain(scale.min)}..{plain(scale.max)}, giving "
                               f"{plain(ends[0])}..{plain(ends[1])}")  # fmt: skip
