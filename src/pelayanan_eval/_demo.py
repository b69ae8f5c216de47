"""A synthetic city for demonstrations and tests: 70 units, two visits each, a survey."""

from __future__ import annotations

import warnings

import attrs
import numpy as np

from pelayanan_eval._data.observations import Observations
from pelayanan_eval._data.units import Unit
from pelayanan_eval._loading.bundled import load_rubric
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError, ProvisionalRubricWarning

SYNTHETIC = "SYNTHETIC DATA: made up by pelayanan_eval for demonstration, not a real evaluation"
_CATEGORIES = (("kelurahan", "Kelurahan", 24, 3.2), ("puskesmas", "Puskesmas", 22, 3.6),
               ("opd", "OPD", 24, 3.4))  # fmt: skip
_ASSESSORS = tuple(f"Penilai {letter} (sintetis)" for letter in "ABCDEF")


_SURVEY_NOTE = (
    "demonstration only: 17/2017's own weights of F-01 and F-03 are unknown, so this copy "
    "borrows 0,75 x F-02 + 0,25 x F-03 and the eleven F-03 statements of the 29/2022 rubric "
    "([code] in two apps) to show how a composite is computed"
)


@attrs.frozen
class DemoCity:
    """The synthetic example: a rubric, its units, two visits per unit and a public survey.

    Attributes
    ----------
    rubric
        ``permenpanrb-17-2017`` (the assessors' F-02).
    units, observations
        70 units in three categories and their 140 visits.
    survey
        Synthetic F-03 answers (0-5 per statement, 15-40 respondents per
        unit, none for three units) on ``composite.instrument_rubric("F-03")``.
    composite
        A copy of `rubric` declaring the instruments F-02 and F-03, labelled
        as a demonstration (see its ``provisional`` entries).
    note
        The label every output of the demo carries.
    """

    rubric: Rubric
    units: tuple[Unit, ...]
    observations: Observations
    survey: Observations
    composite: Rubric
    note: str = SYNTHETIC


def demo_city(seed: int = 2017) -> DemoCity:
    """Generate the synthetic city: 70 units in three categories, two visits by two assessors.

    Every unit is visited twice, three months apart at most, by two
    different assessors, and scored on the 37 indicators of
    ``permenpanrb-17-2017``. Scores come from a made-up model (unit quality
    by category, indicator difficulty, assessor leniency, noise), rounded
    to whole levels 0-5; the same seed always gives the same data.

    Examples
    --------
    >>> city = demo_city()
    >>> len(city.units), len(city.observations), city.units[0].name
    (70, 140, 'Kelurahan Contoh 01 (sintetis)')
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise OptionError(f"seed must be a whole number >= 0, got {seed!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        rubric = load_rubric("permenpanrb-17-2017")
    rng = np.random.default_rng(seed)
    units = []
    quality = []
    for key, label, count, mean in _CATEGORIES:
        for i in range(1, count + 1):
            units.append(Unit(f"{key}-{i:02d}", f"{label} Contoh {i:02d} (sintetis)",
                              category=key, attributes={"synthetic": True}))  # fmt: skip
        quality.append(rng.normal(mean, 0.55, count))
    level = np.concatenate(quality)
    n, leaves = len(units), len(rubric.leaves)
    difficulty = rng.normal(0.0, 0.6, leaves)
    leniency = rng.normal(0.0, 0.25, len(_ASSESSORS))
    first = rng.integers(0, len(_ASSESSORS), n)
    second = (first + rng.integers(1, len(_ASSESSORS), n)) % len(_ASSESSORS)
    assessor = np.stack([first, second], axis=1).ravel()
    noise = rng.normal(0.0, 0.55, (2 * n, leaves))
    raw = np.repeat(level, 2)[:, None] + difficulty + leniency[assessor][:, None] + noise
    values = np.clip(np.rint(raw), 0, 5)
    start = np.datetime64("2026-08-03") + rng.integers(0, 26, n)
    later = start + rng.integers(42, 85, n)
    observations = Observations.from_arrays(
        rubric,
        unit=np.repeat([u.id for u in units], 2),
        values=values,
        visit=np.tile(["1", "2"], n),
        observer=np.array(_ASSESSORS)[assessor],
        date=np.stack([start, later], axis=1).ravel(),
    )
    composite = _with_survey(rubric)
    survey = _survey(composite.instrument_rubric("F-03"), [u.id for u in units], level, rng)
    return DemoCity(rubric, tuple(units), observations, survey, composite)


def _with_survey(rubric: Rubric) -> Rubric:
    """17/2017 with the instruments F-02 and F-03 borrowed from 29/2022, as a demonstration."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalRubricWarning)
        pekppp = load_rubric("permenpanrb-29-2022")
    evaluator, public = pekppp.instruments
    return attrs.evolve(
        rubric,
        id=f"{rubric.id}.demo-composite",
        title=f"{rubric.title} (demonstration composite with F-03)",
        instruments=(attrs.evolve(evaluator, notes=(_SURVEY_NOTE,)),
                     attrs.evolve(public, notes=(_SURVEY_NOTE,))),
        provisional=(*rubric.provisional, _SURVEY_NOTE),
    )  # fmt: skip


def _survey(
    own: Rubric, ids: list[str], level: np.ndarray, rng: np.random.Generator
) -> Observations:
    """Respondents' answers 0-5 around each unit's quality; three units have none."""
    counts = rng.integers(15, 41, len(ids))
    counts[[5, 30, 60]] = 0  # no citizen answered there: the no_data policy decides
    unit = np.repeat(np.arange(len(ids)), counts)
    mood = rng.normal(0.3, 0.5, len(unit))  # users rate a little above the assessors
    answers = (
        level[unit][:, None] + mood[:, None] + rng.normal(0, 0.8, (len(unit), len(own.leaves)))
    )
    return Observations.from_arrays(
        own, unit=unit, unit_ids=ids, values=np.clip(np.rint(answers), 0, 5)
    )
