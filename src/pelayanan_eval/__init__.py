"""Evaluate Indonesian public-service units the way the regulations prescribe.

The verbs and main types are listed in ``__all__``. Public submodules:
:mod:`pelayanan_eval.ikm` (the citizen satisfaction index),
:mod:`pelayanan_eval.schema` (the parts of a rubric built in code),
:mod:`pelayanan_eval.results` (the parts of results),
:mod:`pelayanan_eval.typing` (option types) and
:mod:`pelayanan_eval.exceptions` (errors and warnings).
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING

from pelayanan_eval import exceptions as exceptions
from pelayanan_eval import schema as schema
from pelayanan_eval import typing as typing
from pelayanan_eval._loading.build import parse_rubric
from pelayanan_eval._loading.bundled import available_rubrics, load_rubric
from pelayanan_eval._loading.dump import dump_rubric
from pelayanan_eval._rubric.model import Rubric
from pelayanan_eval._version import __version__

if _TYPE_CHECKING:
    from pelayanan_eval import ikm as ikm
    from pelayanan_eval import results as results
    from pelayanan_eval._data.files import read_table
    from pelayanan_eval._data.observations import Observation, Observations
    from pelayanan_eval._data.units import Unit, Units
    from pelayanan_eval._demo import demo_city
    from pelayanan_eval._evaluation.aggregation import Aggregation
    from pelayanan_eval._evaluation.engine import evaluate
    from pelayanan_eval._evaluation.ranking import rank
    from pelayanan_eval._evaluation.result import Evaluation

# loaded on first use: the rubric side above is what the quick commands need
_LATER = {
    "Aggregation": "pelayanan_eval._evaluation.aggregation",
    "Evaluation": "pelayanan_eval._evaluation.result",
    "Observation": "pelayanan_eval._data.observations",
    "Observations": "pelayanan_eval._data.observations",
    "Unit": "pelayanan_eval._data.units",
    "Units": "pelayanan_eval._data.units",
    "demo_city": "pelayanan_eval._demo",
    "evaluate": "pelayanan_eval._evaluation.engine",
    "rank": "pelayanan_eval._evaluation.ranking",
    "read_table": "pelayanan_eval._data.files",
}
_SUBMODULES = ("ikm", "results")

__all__ = [
    "Aggregation",
    "Evaluation",
    "Observation",
    "Observations",
    "Rubric",
    "Unit",
    "Units",
    "__version__",
    "available_rubrics",
    "demo_city",
    "dump_rubric",
    "evaluate",
    "load_rubric",
    "parse_rubric",
    "rank",
    "read_table",
]


def __getattr__(name: str) -> object:
    """Load the evaluation side, the survey engine (``pe.ikm``) and ``pe.results`` on first use.

    Loading them only when asked keeps ``import pelayanan_eval`` and the
    command line's quick commands (``pelayanan-eval rubrics``) fast; each
    name is then kept in the module, so later uses cost nothing.
    """
    if name in _SUBMODULES:  # by name: ``from pelayanan_eval import ikm`` would ask this again
        return _importlib.import_module(f"pelayanan_eval.{name}")
    if name in _LATER:
        value = getattr(_importlib.import_module(_LATER[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pelayanan_eval' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LATER, *_SUBMODULES})
