"""One dict per unit of an evaluation: the rows of ``Evaluation.to_records()``."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def unit_records(ev: Any, ranks: npt.NDArray[np.float64]) -> list[dict[str, Any]]:
    """Return the rows of ``ev.to_records()`` of an Evaluation `ev` with the given ranks."""
    top = ev.score_ids(1)
    aspects = ev.scores(1)
    labels = ev.grade_labels
    parts = ev.instruments
    records = []
    for i in range(len(ev)):
        record: dict[str, Any] = {
            "unit": str(ev.units.ids[i]),
            "name": str(ev.units.names[i]),
            "category": str(ev.units.categories[i]),
            "parent": str(ev.units.parents[i]),
            "visits": int(ev.visits[i]),
            "coverage": float(ev.coverage[i]),
            "index": float(ev.index[i]),
            "reported": float(ev.reported[i]),
            "rounded": float(ev.rounded[i]),
            "grade": str(ev.grades[i]),
            "grade_label": str(labels[i]),
            "rank": float(ranks[i]),
        }
        for j, node_id in enumerate(top):
            record[node_id] = float(aspects[i, j])
        if parts is not None:
            for j, instrument_id in enumerate(parts.ids):
                record[f"index_{instrument_id}"] = float(parts.index[i, j])
                record[f"records_{instrument_id}"] = int(parts.records[i, j])
        records.append(record)
    return records
