"""A rubric compiled once: leaves in order, effective weights, scales and roll-up matrices."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import readonly
from pelayanan_eval._rubric.parts import Criterion, Scale, group_weights

Array = npt.NDArray[np.float64]


@attrs.frozen(eq=False)
class Level:
    """The criteria of one depth and their parents, for a renormalising roll-up."""

    children: npt.NDArray[np.intp]  # node columns of the children at this depth
    parents: npt.NDArray[np.intp]  # node columns of their distinct parents
    weighted: Array  # [children, parents]: the child's weight where it belongs to the parent
    members: Array  # [children, parents]: 1 where the child belongs to the parent
    totals: Array  # [parents]: sum of the children's weights


@attrs.frozen(eq=False)
class Compiled:
    """Everything the kernels need from a rubric's tree, derived once per rubric.

    Nodes are the criteria in document pre-order; as columns of a score
    matrix they are followed by the index (column ``len(nodes)``).
    """

    leaves: tuple[Criterion, ...]
    leaf_ids: tuple[str, ...]
    leaf_weights: Array  # effective weight of each leaf in the index
    leaf_min: Array
    leaf_max: Array
    nodes: tuple[Criterion, ...]
    node_ids: tuple[str, ...]  # the nodes' ids, then "index"
    position: dict[str, int]  # node id -> position in nodes
    node_weights: tuple[float, ...]  # effective weight in the index
    paths: dict[str, tuple[str, ...]]
    depths: npt.NDArray[np.intp]  # per node, then 0 for the index
    leaf_columns: npt.NDArray[np.intp]
    inner_columns: npt.NDArray[np.intp]  # criteria with children, then the index
    levels: tuple[Level, ...]  # deepest first
    linear: Array  # [leaves, inner]: each inner node's score as weights on the leaves


def compile_tree(criteria: tuple[Criterion, ...], weighting: str, scale: Scale) -> Compiled:
    """Compile a checked criteria tree (`scale` is the default scale of its leaves)."""
    nodes: list[Criterion] = []
    node_weights: list[float] = []
    sibling: list[float] = []
    parents: list[int] = []
    paths: dict[str, tuple[str, ...]] = {}

    def walk(children: tuple[Criterion, ...], how: str, above: float, path: tuple[str, ...],
             parent: int) -> None:  # fmt: skip
        for child, weight in zip(children, group_weights(how, children), strict=True):
            position = len(nodes)
            nodes.append(child)
            node_weights.append(above * weight)
            sibling.append(weight)
            parents.append(parent)
            paths[child.id] = (*path, child.id)
            if child.criteria:
                walk(child.criteria, child.weighting, above * weight, paths[child.id], position)

    walk(criteria, weighting, 1.0, (), -1)
    top = len(nodes)  # the index's column
    parent_of = np.array([top if p < 0 else p for p in parents], dtype=np.intp)
    leaf_columns = np.array([i for i, n in enumerate(nodes) if not n.criteria], dtype=np.intp)
    inner_columns = np.array([i for i, n in enumerate(nodes) if n.criteria] + [top], dtype=np.intp)
    leaves = tuple(nodes[i] for i in leaf_columns.tolist())
    depth_of = np.array([len(paths[node.id]) for node in nodes], dtype=np.intp)
    weight_of = np.array(sibling)
    levels = []
    for depth in range(int(depth_of.max()), 0, -1):
        children = np.flatnonzero(depth_of == depth)
        distinct, place = np.unique(parent_of[children], return_inverse=True)
        members = np.zeros((len(children), len(distinct)))
        members[np.arange(len(children)), place] = 1.0
        weighted = members * weight_of[children, None]
        levels.append(
            Level(children, distinct.astype(np.intp), weighted, members, weighted.sum(axis=0))
        )
    linear = np.zeros((len(leaf_columns), top + 1))
    for row, column in enumerate(leaf_columns.tolist()):
        factor, node = 1.0, column
        while node < top:  # walk up to the index, multiplying weights
            linear[row, node] = factor
            factor *= sibling[node]
            node = int(parent_of[node])
        linear[row, node] = factor
    scales = [leaf.scale or scale for leaf in leaves]
    return Compiled(
        leaves=leaves,
        leaf_ids=tuple(leaf.id for leaf in leaves),
        leaf_weights=readonly(np.array([node_weights[i] for i in leaf_columns.tolist()])),
        leaf_min=readonly(np.array([s.min for s in scales], dtype=np.float64)),
        leaf_max=readonly(np.array([s.max for s in scales], dtype=np.float64)),
        nodes=tuple(nodes),
        node_ids=(*(node.id for node in nodes), "index"),
        position={node.id: i for i, node in enumerate(nodes)},
        node_weights=tuple(node_weights),
        paths=paths,
        depths=readonly(np.append(depth_of, 0)),
        leaf_columns=readonly(leaf_columns),
        inner_columns=readonly(inner_columns),
        levels=tuple(levels),
        linear=readonly(linear[:, inner_columns]),
    )
