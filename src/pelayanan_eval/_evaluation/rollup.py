"""Roll-up through the rubric tree: node scores and the index from leaf scores."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import blocked_product
from pelayanan_eval._rubric.model import Rubric

MISSING_POLICIES: tuple[str, ...] = ("error", "renormalize", "zero")

Array = npt.NDArray[np.float64]


@attrs.frozen(eq=False)
class _Level:
    children: npt.NDArray[np.intp]  # node columns of the children at this depth
    parents: npt.NDArray[np.intp]  # node columns of their distinct parents
    weighted: Array  # [children, parents]: the child's weight where it belongs to the parent
    members: Array  # [children, parents]: 1 where the child belongs to the parent
    totals: Array  # [parents]: sum of the children's weights


@attrs.frozen(eq=False)
class Tree:
    """A rubric compiled for array roll-up: columns are nodes in pre-order, then the index."""

    node_ids: tuple[str, ...]
    depths: npt.NDArray[np.intp]
    leaf_columns: npt.NDArray[np.intp]
    inner_columns: npt.NDArray[np.intp]  # criteria with children, then the index
    levels: tuple[_Level, ...]  # deepest first
    linear: Array  # [leaves, inner]: each inner node's score as weights on the leaves

    @classmethod
    def from_rubric(cls, rubric: Rubric) -> Tree:
        """Compile `rubric` once (nodes in document order; the index is the last column)."""
        tree = rubric._derived.get("tree")
        if not isinstance(tree, Tree):
            tree = rubric._derived["tree"] = cls._compile(rubric)
        return tree

    @classmethod
    def _compile(cls, rubric: Rubric) -> Tree:
        compiled = rubric._compiled
        parent_of = np.array(compiled.parents, dtype=np.intp)
        weight_of = np.array(compiled.sibling_weights)
        depth_of = np.array(
            [len(compiled.paths[node.id]) for node in compiled.nodes], dtype=np.intp
        )
        levels = []
        for depth in range(int(depth_of.max()), 0, -1):
            children = np.flatnonzero(depth_of == depth)
            distinct, position = np.unique(parent_of[children], return_inverse=True)
            members = np.zeros((len(children), len(distinct)))
            members[np.arange(len(children)), position] = 1.0
            weighted = members * weight_of[children, None]
            levels.append(
                _Level(children, distinct.astype(np.intp), weighted, members, weighted.sum(axis=0))
            )
        leaf_columns = np.array(
            [i for i, node in enumerate(compiled.nodes) if not node.criteria], dtype=np.intp
        )
        linear = np.zeros((len(leaf_columns), len(compiled.nodes) + 1))
        for row, column in enumerate(leaf_columns.tolist()):
            factor, node = 1.0, column
            while node < len(compiled.nodes):  # walk up to the index, multiplying weights
                linear[row, node] = factor
                factor *= compiled.sibling_weights[node]
                node = compiled.parents[node]
            linear[row, node] = factor
        inner_columns = np.array(
            [i for i, node in enumerate(compiled.nodes) if node.criteria] + [len(compiled.nodes)],
            dtype=np.intp,
        )
        return cls(
            node_ids=(*(node.id for node in compiled.nodes), "index"),
            depths=np.append(depth_of, 0),
            leaf_columns=leaf_columns,
            inner_columns=inner_columns,
            levels=tuple(levels),
            linear=linear[:, inner_columns],
        )


def roll_up(leaf_scores: Array, tree: Tree, missing: str, min_coverage: float) -> Array:
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
