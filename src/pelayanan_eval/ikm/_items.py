"""Each survey item's answer scale and declared conversion, as arrays in leaf order."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError

Array = npt.NDArray[np.float64]


@attrs.frozen(eq=False)
class Items:
    """Per leaf: lowest and highest answer, and ``score = offset + factor * answer``.

    Answers are stored as codes ``answer - low + 1`` in ``uint8`` (0 = no
    answer), so an IKM answer 1..4 is its own code.
    """

    low: Array
    high: Array
    factor: Array
    offset: Array

    @property
    def top(self) -> int:
        """The largest code of any item."""
        return int((self.high - self.low).max()) + 1

    @property
    def identity(self) -> bool:
        """True when every answer is its own code and its own score (IKM)."""
        return bool((self.low == 1).all() and (self.factor == 1).all() and (self.offset == 0).all())


def items(rubric: Rubric) -> Items:
    """Read the answer scales of a survey rubric (a leaf without ``answers``: its own scale)."""
    low, high = (np.array(side, dtype=np.float64) for side in rubric.leaf_scales)
    factor, offset = np.ones(len(low)), np.zeros(len(low))
    for j, leaf in enumerate(rubric.leaves):
        if leaf.answers is not None:
            low[j], high[j] = leaf.answers.min, leaf.answers.max
            factor[j] = 1.0 if leaf.answers.factor is None else leaf.answers.factor
            offset[j] = leaf.answers.offset
    whole = (low == np.rint(low)) & (high == np.rint(high))
    if not (whole.all() and (high - low <= 254).all()):
        bad = [rubric.leaf_ids[j] for j in np.flatnonzero(~whole | (high - low > 254))]
        raise OptionError(
            f"rubric {rubric.id!r}: survey answers must be whole numbers with at most 255 values "
            f"per item; declare 'answers: {{min, max, factor}}' on {', '.join(map(repr, bad))}"
        )
    return Items(low, high, factor, offset)
