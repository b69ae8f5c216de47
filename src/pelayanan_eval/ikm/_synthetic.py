"""A synthetic city survey (clearly labelled as such) for demos, docs and tests."""

from __future__ import annotations

import numpy as np

from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm._items import items
from pelayanan_eval.ikm._responses import Responses

KECAMATAN = ("kec-a-sintetis", "kec-b-sintetis", "kec-c-sintetis")


def synthetic_city(
    rubric: Rubric,
    *,
    kelurahan: int = 12,
    households: int = 40,
    rng: np.random.Generator | int | None = None,
) -> tuple[Responses, dict[str, str]]:
    """Generate a SYNTHETIC household survey of a city on any survey rubric.

    Not real data: answers, weights and attributes are drawn at random, so
    that every analysis of a city survey can be shown end to end.

    Parameters
    ----------
    rubric
        A survey rubric (the BPS happiness index, the IKM, ...).
    kelurahan, households
        Kelurahan (spread over three synthetic kecamatan) and households per kelurahan.
    rng
        Seed or generator.

    Returns
    -------
    responses
        Answers on each item's answer scale around a per-kelurahan level,
        about 2 % left blank; design weights (household expansion factors,
        20-180); attributes ``kanal`` (online for about three quarters,
        offline otherwise), ``jenis_kelamin`` and ``umur`` (age group).
        Kelurahan ids are ``kel-01-sintetis``, ...
    parents
        Kelurahan id -> its synthetic kecamatan.

    Examples
    --------
    >>> import warnings, pelayanan_eval as pe
    >>> from pelayanan_eval import ikm
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rubric = pe.load_rubric("bps-indeks-kebahagiaan-2017")
    >>> responses, parents = ikm.synthetic_city(rubric, kelurahan=4, households=10, rng=1)
    >>> len(responses), parents["kel-01-sintetis"]
    (40, 'kec-a-sintetis')
    """
    for name, value in (("kelurahan", kelurahan), ("households", households)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise OptionError(f"{name} must be a whole number >= 1, got {value!r}")
    generator = np.random.default_rng(rng)
    scale = items(rubric)
    ids = np.array([f"kel-{i + 1:02d}-sintetis" for i in range(kelurahan)])
    unit = np.repeat(np.arange(kelurahan), households)
    n = len(unit)
    level = generator.uniform(0.55, 0.85, kelurahan)  # where on each item's scale a unit sits
    item_shift = generator.normal(0, 0.06, len(scale.low))
    position = np.clip(level[unit, None] + item_shift + generator.normal(0, 0.15, (n, 1)), 0, 1)
    span = scale.high - scale.low
    answers = np.rint(scale.low + span * np.clip(
        position + generator.normal(0, 0.12, (n, len(span))), 0, 1))  # fmt: skip
    answers[generator.random(answers.shape) < 0.02] = np.nan
    answers[np.isnan(answers).all(axis=1), 0] = scale.low[0]  # nobody hands in an empty form
    weights = np.round(generator.uniform(20, 180, n), 1)
    attributes = {
        "kanal": np.where(generator.random(n) < 0.75, "online", "offline"),
        "jenis_kelamin": np.where(generator.random(n) < 0.5, "L", "P"),
        "umur": generator.choice(
            np.array(["<25", "25-44", "45-64", "65+"]), n, p=[0.2, 0.4, 0.3, 0.1]
        ),
    }
    parents = {str(k): KECAMATAN[i * len(KECAMATAN) // kelurahan] for i, k in enumerate(ids)}
    responses = Responses.from_arrays(rubric, answers=answers, unit=unit, unit_ids=ids,
                                      weights=weights, attributes=attributes)  # fmt: skip
    return responses, parents
