"""Progress of an index series (e.g. a city's IKM) towards a target by a year."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from pelayanan_eval.decisions._comparison import TargetProgress
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._uncertainty import normal_cdf


def _number(value: object, what: str, problems: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        problems.append(f"{what} must be a number, got {value!r}")
        return math.nan
    if not math.isfinite(float(value)):
        problems.append(f"{what} must be finite, got {value!r}")
    return float(value)


def target_progress(
    values: Mapping[int | float, float],
    target: float,
    by: int | float,
    *,
    se: Mapping[int | float, float] | Sequence[float] | None = None,
) -> TargetProgress:
    r"""How far an index series is from a target by a year, and the gain per year it needs.

    Parameters
    ----------
    values
        ``{year: value}``, e.g. a city's IKM readings on the 1-4 scale.
    target
        The value to reach (e.g. 3.80, "A" on the 1-4 IKM scale).
    by
        The year by which it should be reached (after the latest reading).
    se
        Standard errors of the readings (``{year: se}`` or one per reading
        in year order), e.g. from :meth:`pelayanan_eval.ikm.IkmResult`'s
        intervals; they give the probability of reaching the target from
        two readings.

    Returns
    -------
    TargetProgress

    Raises
    ------
    OptionError
        Fewer than one reading, readings not numbers, a target year not
        after the latest reading, or standard errors not matching the readings.

    Notes
    -----
    With readings :math:`y_1, \dots, y_n` in years :math:`t_1 < \dots < t_n`,
    the gain needed is :math:`(y^* - y_n) / (T - t_n)` and the gain seen
    :math:`(y_n - y_1) / (t_n - t_1)`; the projection is
    :math:`y_n + (T - t_n)\,\bar g`. With three or more readings the
    probability of reaching :math:`y^*` comes from the least-squares trend
    and its prediction error
    :math:`s\sqrt{1 + 1/n + (T - \bar t)^2 / S_{tt}}` (year-to-year
    variation included); with two readings and their standard errors, from
    the survey error only,
    :math:`\sqrt{\sigma_n^2 + (T - t_n)^2 (\sigma_1^2 + \sigma_n^2) / (t_n - t_1)^2}`.
    Otherwise there is none (``p_reach`` is None, ``model`` says why).

    Examples
    --------
    >>> from pelayanan_eval import decisions
    >>> progress = decisions.target_progress({2021: 3.51, 2022: 3.60}, target=3.80, by=2024)
    >>> round(progress.needed_per_year, 3), round(progress.mean_gain, 3), progress.on_track
    (0.1, 0.09, False)
    """
    problems: list[str] = []
    if not isinstance(values, Mapping) or not values:
        raise OptionError("values must be a non-empty mapping {year: value}")
    for key, value in values.items():
        _number(key, "a year", problems)
        _number(value, f"the value of {key!r}", problems)
    goal = _number(target, "target", problems)
    year = _number(by, "by", problems)
    if problems:
        raise OptionError("; ".join(problems))
    keys = sorted(values, key=float)
    years = np.array([float(key) for key in keys])
    series = np.array([float(values[key]) for key in keys])
    if year <= years[-1]:
        raise OptionError(f"by ({year:g}) must be after the latest reading ({years[-1]:g})")
    errors = None
    if se is not None:
        if isinstance(se, Mapping) and set(se) != set(values):
            raise OptionError("se must give one standard error per year of values")
        listed = [se[key] for key in keys] if isinstance(se, Mapping) else list(se)
        if len(listed) != len(series):
            raise OptionError(f"se has {len(listed)} entries for {len(series)} readings")
        errors = np.array([_number(e, "a standard error", problems) for e in listed])
        if problems or (errors < 0).any():
            raise OptionError("; ".join(problems) or "standard errors must be >= 0")
    left = year - years[-1]
    needed = (goal - series[-1]) / left
    gains = tuple((np.diff(series) / np.diff(years)).tolist())
    mean_gain = (series[-1] - series[0]) / (years[-1] - years[0]) if len(series) > 1 else math.nan
    projected = series[-1] + left * mean_gain
    p_reach, model = None, "one reading: no gain seen yet"
    if len(series) >= 3:
        slope, intercept = np.polyfit(years, series, 1)
        residual = series - (intercept + slope * years)
        s = math.sqrt(float(residual @ residual) / (len(series) - 2))
        spread = float(((years - years.mean()) ** 2).sum())
        sd = s * math.sqrt(1 + 1 / len(series) + (year - years.mean()) ** 2 / spread)
        trend = intercept + slope * year
        model = "least-squares trend with its prediction error"
        p_reach = (
            float(normal_cdf(np.array((trend - goal) / sd))) if sd > 0 else float(trend >= goal)
        )
    elif len(series) == 2 and errors is not None:
        step = years[1] - years[0]
        sd = math.sqrt(errors[1] ** 2 + left**2 * (errors[0] ** 2 + errors[1] ** 2) / step**2)
        model = "two readings, survey error only"
        p_reach = (
            float(normal_cdf(np.array((projected - goal) / sd)))
            if sd > 0
            else float(projected >= goal)
        )
    elif len(series) == 2:
        model = "two readings without standard errors: no probability"
    return TargetProgress(
        years=tuple(years.tolist()),
        values=tuple(series.tolist()),
        target=goal,
        by=year,
        needed_per_year=float(needed),
        gains=gains,
        mean_gain=float(mean_gain),
        projected=float(projected),
        on_track=bool(mean_gain >= needed),
        p_reach=p_reach,
        model=model,
    )
