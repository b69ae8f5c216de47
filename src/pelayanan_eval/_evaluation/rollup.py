"""Roll-up through the rubric tree: node scores and the index from leaf scores."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import blocked_product
from pelayanan_eval._rubric.compiled import Compiled
from pelayanan_eval.typing import MissingPolicy, choices

MISSING_POLICIES = choices(MissingPolicy)

Array = npt.NDArray[np.float64]


def roll_up(leaf_scores: Array, tree: Compiled, missing: str, min_coverage: float) -> Array:
    r"""Score the criteria with children and the index; returns ``[rows, inner]``.

    Columns follow ``tree.inner_columns``: every criterion with children in
    document order, then the index.

    Parameters
    ----------
    leaf_scores
        ``[rows, leaves]``. NaN only matters under ``renormalize``: the
        ``error`` and ``zero`` policies are applied before this call.
    tree
        The compiled rubric.
    missing
        ``"renormalize"`` re-spreads a parent's weights over its scored
        children; a parent whose scored children carry less than
        `min_coverage` of its weight is itself NaN. Otherwise a plain
        weighted sum.
    min_coverage
        See `missing`.

    Notes
    -----
    For a parent with children scores :math:`s_c` and weights :math:`w_c`
    (as printed, or normalised for ``relative`` / ``equal``), the score is
    :math:`\sum_c w_c s_c`; under ``renormalize`` it is
    :math:`\sum_{c \in S} w_c s_c \cdot W / \sum_{c \in S} w_c` over the
    scored children :math:`S`, with :math:`W = \sum_c w_c` (1 unless the
    weights are used as printed).
    """
    if missing != "renormalize":
        # every node is a fixed weighted sum of leaves: one matrix product
        return blocked_product(leaf_scores, tree.linear)
    rows = leaf_scores.shape[0]
    # column-major: every level reads and writes whole columns, which are then contiguous
    scores = np.full((rows, len(tree.node_ids)), np.nan, order="F")
    scores[:, tree.leaf_columns] = leaf_scores
    for level in tree.levels:
        values = scores[:, level.children]
        scored = ~np.isnan(values)
        numerator = blocked_product(np.where(scored, values, 0.0), level.weighted)
        covered = blocked_product(scored, level.weighted)
        complete = blocked_product(scored, level.members) == level.members.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = numerator * level.totals / covered
        result = np.where(complete, numerator, spread)
        enough = covered >= min_coverage * level.totals - 1e-12
        scores[:, level.parents] = np.where(enough & (covered > 0), result, np.nan)
    inner: Array = scores[:, tree.inner_columns]
    return inner
