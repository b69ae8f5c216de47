"""Plots of evaluation and IKM results with matplotlib (the ``plot`` extra).

Each function draws on the ``Axes`` given as `ax` (or on a new figure) and
returns that ``Axes``, so plots compose in a notebook or a paper figure.
matplotlib is imported when a function is called; the rest of the library
never needs it (the HTML reports draw their own SVG charts).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pelayanan_eval as pe
>>> from pelayanan_eval import plot
>>> city = pe.demo_city()
>>> evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
>>> ax = plot.aspects(evaluation, "kelurahan-01")
>>> [bar.get_label() for bar in ax.containers]
['kelurahan-01', 'category mean', 'category best']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pelayanan_eval._common.messages import suggest
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.exceptions import OptionError, UnknownUnitError
from pelayanan_eval.ikm import IkmResult, Interval

__all__ = ["aspects", "grades", "ikm_unsur", "ranking"]

# green (best band) to red (worst), as in the HTML reports
_PALETTE = ("#1a9850", "#66bd63", "#a6d96a", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43",
            "#d73027")  # fmt: skip


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'pelayanan-eval[plot]'") from None
    return plt.figure().add_subplot()


def _band_colours(count: int) -> list[str]:
    step = (len(_PALETTE) - 1) / max(count - 1, 1)
    return [_PALETTE[min(round(i * step), len(_PALETTE) - 1)] for i in range(count)]


def aspects(evaluation: Evaluation, unit_id: str, *, ax: Any = None) -> Any:
    """Plot a unit's aspect scores beside its category's mean and best.

    Parameters
    ----------
    evaluation
        The result of :func:`pelayanan_eval.evaluate`.
    unit_id
        The unit.
    ax
        A matplotlib ``Axes`` to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with one bar container per series.
    """
    card = evaluation.card(unit_id)
    ax = _axes(ax)
    y = np.arange(len(card.aspects))
    height = 0.27
    series = [(unit_id, [a.score for a in card.aspects]),
              ("category mean", [a.category_mean for a in card.aspects]),
              ("category best", [a.category_best for a in card.aspects])]  # fmt: skip
    for k, (label, values) in enumerate(series):
        ax.barh(y + (k - 1) * height, values, height, label=label)
    ax.set_yticks(y, [a.name for a in card.aspects])
    ax.invert_yaxis()
    ax.set_xlim(evaluation.rubric.scale.min, evaluation.rubric.scale.max)
    ax.set_xlabel("score")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def ranking(evaluation: Evaluation, category: str, *, ax: Any = None) -> Any:
    """Plot the ranking of one category: each unit's published index, coloured by grade band.

    The band lower bounds are drawn as dashed lines. Returns the ``Axes``.
    """
    units = evaluation.units
    inside = np.flatnonzero(units.categories == category)
    if len(inside) == 0:
        known = sorted(set(units.categories.tolist()))
        raise OptionError(f"no units in category {category!r}{suggest(category, known)}")
    order = inside[np.argsort(-np.nan_to_num(evaluation.rounded[inside], nan=-np.inf),
                              kind="stable")]  # fmt: skip
    bands = evaluation.rubric.grades.bands
    colours = dict(zip((b.code for b in bands), _band_colours(len(bands)), strict=True))
    ax = _axes(ax)
    ax.barh(np.arange(len(order)), evaluation.rounded[order],
            color=[colours.get(str(g), "#cccccc") for g in evaluation.grades[order]])  # fmt: skip
    ax.set_yticks(np.arange(len(order)), units.ids[order].tolist())
    ax.invert_yaxis()
    for band in bands:
        ax.axvline(band.min, color="#888888", linestyle="--", linewidth=0.6)
    ax.set_xlim(evaluation.rubric.scale.min, evaluation.rubric.scale.max)
    ax.set_xlabel("index")
    ax.set_title(f"category {category}")
    return ax


def grades(evaluation: Evaluation, *, ax: Any = None) -> Any:
    """Plot the number of units in each grade band, best band first; return the ``Axes``."""
    bands = evaluation.rubric.grades.bands
    counts = [int(np.count_nonzero(evaluation.grades == b.code)) for b in bands]
    ax = _axes(ax)
    ax.bar([b.code for b in bands], counts, color=_band_colours(len(bands)), edgecolor="#777777")
    ax.set_ylabel("units")
    return ax


def ikm_unsur(
    result: IkmResult, unit_id: str, *, interval: Interval | None = None, ax: Any = None
) -> Any:
    """Plot a unit's NRR per unsur (1–4), its IKM as a line and the IKM's interval if given.

    Parameters
    ----------
    result
        The result of :func:`pelayanan_eval.ikm.compute`.
    unit_id
        The unit.
    interval
        ``result.interval(...)``: its bounds for the unit, shown as a band
        around the IKM line (converted back to the 1–4 scale).
    ax
        A matplotlib ``Axes`` (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The axes.
    """
    ids = [str(u) for u in np.asarray(result.unit_ids).tolist()]
    if unit_id not in ids:
        raise UnknownUnitError(f"no unit {unit_id!r}{suggest(unit_id, ids)}")
    row = ids.index(unit_id)
    names = [leaf.name for leaf in result.rubric.leaves]
    ax = _axes(ax)
    ax.bar(np.arange(len(names)), result.nrr[row], color="#2b6cb0")
    ax.set_xticks(np.arange(len(names)), names, rotation=45, ha="right")
    index = float(result.index[row])
    ax.axhline(index, color="#d73027", label=f"IKM {index:.3f}")
    if interval is not None:
        factor = float(result.reported[row]) / index if index else 1.0
        ax.axhspan(
            float(interval.lower[row]) / factor,
            float(interval.upper[row]) / factor,
            color="#d73027",
            alpha=0.15,
            label=f"{interval.level:.0%} interval",
        )
    low, high = result.rubric.scale.min, result.rubric.scale.max
    ax.set_ylim(low, high)
    ax.set_ylabel("NRR")
    ax.legend(loc="lower right", fontsize="small")
    return ax
