"""The evaluation written with pandas, polars and duckdb, for ``bench_evaluate.py``.

Each peer is optional (``pip install 'pelayanan-eval[bench]'``): a missing
one is skipped and named. Every peer computes what the library computes:
the mean of each criterion over a unit's visits, the weighted roll-up to the
index, the index rounded half up to 2 decimals (the regulation's rule,
written in each tool), the rank within the unit's category by the rounded
index (ties "min", best first) and the grade band. Each starts, as the
library does, from the numpy arrays (building its own frames is part of its
time: the library's ``Observations`` and ``Units`` are too) and returns the
figures in the order of the units table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import pelayanan_eval as pe

DIGITS = 2
PEERS = ("pandas", "polars", "duckdb")


@dataclass(frozen=True)
class Result:
    """Per unit, in the order of the units table: the index, rank in category and grade."""

    index: np.ndarray
    ranks: np.ndarray
    grades: np.ndarray


@dataclass(frozen=True)
class Plan:
    """The rubric's two levels as a user of another tool would write them down."""

    leaf_ids: list[str]
    aspect_matrix: np.ndarray  # [leaves, aspects]: a leaf's weight within its aspect
    aspect_weight: np.ndarray  # [aspects]: an aspect's weight in the index
    leaf_weight: np.ndarray  # [leaves]: a leaf's weight in the index
    bounds: list[float]  # lower bounds of the grade bands above the lowest, ascending
    labels: list[str]  # band codes, ascending


def plan_of(rubric: pe.Rubric) -> Plan:
    """Read the two-level weights and the grade bands off the rubric, as printed."""
    aspect_ids, leaf_ids, leaf_aspect, within = [], [], [], []
    for aspect in rubric.criteria:
        aspect_ids.append(aspect.id)
        printed = [child.weight for child in aspect.criteria]
        if aspect.weighting == "equal":
            shares = [1 / len(printed)] * len(printed)
        elif aspect.weighting == "relative":
            shares = [w / sum(printed) for w in printed]
        else:
            shares = printed
        for child, share in zip(aspect.criteria, shares, strict=True):
            leaf_ids.append(child.id)
            leaf_aspect.append(aspect_ids.index(aspect.id))
            within.append(share)
    matrix = np.zeros((len(leaf_ids), len(aspect_ids)))
    matrix[np.arange(len(leaf_ids)), leaf_aspect] = within
    aspect_weight = np.array([a.weight for a in rubric.criteria], dtype=float)
    bands = list(reversed(rubric.grades.bands))
    return Plan(
        leaf_ids=leaf_ids,
        aspect_matrix=matrix,
        aspect_weight=aspect_weight,
        leaf_weight=matrix @ aspect_weight,
        bounds=[band.min for band in bands[1:]],
        labels=[band.code for band in bands],
    )


def missing_peers() -> list[str]:
    """The peers that are not installed."""
    absent = []
    for name in PEERS:
        try:
            importlib.import_module(name)
        except ImportError:
            absent.append(name)
    return absent


def prepare(
    name: str,
    values: np.ndarray,
    unit: np.ndarray,
    ids: np.ndarray,
    category: np.ndarray,
    plan: Plan,
) -> Callable[[], Result]:
    """Return the peer's computation: its frames from the arrays, then the figures.

    `unit` is the unit of each row (text ids or integer codes) and `ids`
    the units table's keys in the same form, in table order.
    """
    return {"pandas": _pandas, "polars": _polars, "duckdb": _duckdb}[name](
        values, unit, ids, category, plan
    )


def _pandas(values: Any, unit: Any, ids: Any, category: Any, plan: Plan) -> Callable[[], Result]:
    import pandas as pd

    edges = [-np.inf, *plan.bounds, np.inf]

    def run() -> Result:
        frame = pd.DataFrame(values, columns=plan.leaf_ids)
        frame["unit"] = unit
        units = pd.DataFrame({"category": category}, index=pd.Index(ids, name="unit"))
        leaf = frame.groupby("unit", sort=False)[plan.leaf_ids].mean()
        index = pd.Series(
            leaf.to_numpy() @ plan.aspect_matrix @ plan.aspect_weight, index=leaf.index
        ).reindex(units.index)
        rounded = np.floor((index * 10**DIGITS).round(9) + 0.5) / 10**DIGITS
        ranks = rounded.groupby(units["category"]).rank(method="min", ascending=False)
        grades = pd.cut(rounded, bins=edges, labels=plan.labels, right=False)
        return Result(index.to_numpy(), ranks.to_numpy(), grades.astype(str).to_numpy())

    return run


def _polars(values: Any, unit: Any, ids: Any, category: Any, plan: Plan) -> Callable[[], Result]:
    import polars as pl

    index = pl.sum_horizontal(
        [pl.col(c) * float(w) for c, w in zip(plan.leaf_ids, plan.leaf_weight, strict=True)]
    )
    rounded = ((pl.col("index") * 10**DIGITS).round(9) + 0.5).floor() / 10**DIGITS

    def run() -> Result:
        frame = pl.from_numpy(values, schema=plan.leaf_ids).with_columns(unit=pl.Series(unit))
        units = pl.DataFrame({"unit": ids, "category": category})
        leaf = frame.group_by("unit", maintain_order=True).agg(pl.col(plan.leaf_ids).mean())
        scored = leaf.select("unit", index.alias("index"))
        out = (
            units.join(scored, on="unit", how="left", maintain_order="left")
            .with_columns(rounded.alias("rounded"))
            .with_columns(
                pl.col("rounded").rank("min", descending=True).over("category").alias("rank"),
                pl.col("rounded")
                .cut(plan.bounds, labels=plan.labels, left_closed=True)
                .alias("grade"),
            )
        )
        return Result(
            out["index"].to_numpy(),
            out["rank"].to_numpy().astype(float),
            out["grade"].cast(pl.String).to_numpy(),
        )

    return run


def _duckdb(values: Any, unit: Any, ids: Any, category: Any, plan: Plan) -> Callable[[], Result]:
    import duckdb
    import pandas as pd

    names = [f"c{j}" for j in range(len(plan.leaf_ids))]
    connection = duckdb.connect()
    means = ", ".join(f"avg({c}) AS {c}" for c in names)
    index = " + ".join(f"{c} * {float(w)!r}" for c, w in zip(names, plan.leaf_weight, strict=True))
    cases = " ".join(
        f"WHEN rounded >= {bound!r} THEN '{label}'"
        for bound, label in reversed(list(zip(plan.bounds, plan.labels[1:], strict=True)))
    )
    query = f"""
        WITH leaf AS (SELECT unit, {means} FROM obs GROUP BY unit),
        scored AS (SELECT unit, {index} AS idx FROM leaf),
        published AS (
            SELECT u.pos, u.category, s.idx,
                   floor(round(s.idx * {10**DIGITS}, 9) + 0.5) / {10**DIGITS} AS rounded
            FROM units u JOIN scored s USING (unit)
        )
        SELECT idx, rank() OVER (PARTITION BY category ORDER BY rounded DESC) AS rk,
               CASE {cases} ELSE '{plan.labels[0]}' END AS grade
        FROM published ORDER BY pos
    """

    def run() -> Result:
        obs = pd.DataFrame(values, columns=names)
        obs["unit"] = unit
        units = pd.DataFrame({"unit": ids, "category": category, "pos": np.arange(len(ids))})
        connection.register("obs", obs)
        connection.register("units", units)
        out = connection.execute(query).fetchnumpy()
        return Result(
            np.asarray(out["idx"], dtype=float),
            np.asarray(out["rk"], dtype=float),
            np.asarray(out["grade"]).astype(str),
        )

    return run
