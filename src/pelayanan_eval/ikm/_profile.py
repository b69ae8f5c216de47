"""Who answered: the respondents' profile by attribute, per unit and overall."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from pelayanan_eval._common.arrays import factorize
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._responses import Responses


def profile_records(
    responses: Responses, attributes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Count respondents per unit, attribute and value, with their (weighted) share.

    Parameters
    ----------
    responses
        Answers carrying respondent attributes.
    attributes
        Which attributes (default: all the responses carry).

    Returns
    -------
    list of dict
        ``unit`` (``"(all)"`` for every unit together), ``attribute``,
        ``value``, ``respondents`` and ``share`` (the value's share of the
        unit's weight; of its respondents when unweighted). Blank values are
        counted as ``""``.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    >>> responses = ikm.Responses.from_arrays(
    ...     rubric, answers=[[3] * 9] * 4, unit=["a"] * 4,
    ...     attributes={"kanal": ["online", "online", "online", "offline"]},
    ... )
    >>> [(r["value"], r["share"]) for r in ikm.profile(responses) if r["unit"] == "a"]
    [('offline', 0.25), ('online', 0.75)]
    """
    names = list(responses.attributes) if attributes is None else list(attributes)
    unknown = [n for n in names if n not in responses.attributes]
    if unknown:
        raise OptionError(f"no respondent attribute {', '.join(map(repr, unknown))}; the "
                          f"responses carry {sorted(responses.attributes) or 'none'}")  # fmt: skip
    weights = np.ones(len(responses)) if responses.weights is None else responses.weights
    units = np.concatenate([responses.unit_ids, ["(all)"]])
    out: list[dict[str, Any]] = []
    for name in names:  # a loop over attributes; each is one bincount over respondents
        values, codes = factorize(responses.attributes[name])
        width = len(values)
        for unit_codes in (responses.unit_codes, np.full(len(responses), len(units) - 1)):
            key = unit_codes * width + codes
            count = np.bincount(key, minlength=len(units) * width).reshape(len(units), width)
            weight = np.bincount(key, weights=weights, minlength=len(units) * width).reshape(
                len(units), width)  # fmt: skip
            total = weight.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = weight / total
            for u, v in zip(*np.nonzero(count), strict=True):
                out.append({"unit": str(units[u]), "attribute": name, "value": str(values[v]),
                            "respondents": int(count[u, v]),
                            "share": float(share[u, v])})  # fmt: skip
    return out
