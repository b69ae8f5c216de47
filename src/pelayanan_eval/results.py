"""The parts of results: what the library returns, for annotations and ``isinstance`` checks.

Nothing here needs constructing by hand: :func:`pelayanan_eval.evaluate`
returns an :class:`~pelayanan_eval.Evaluation` whose methods give these
(a :class:`Grade`, :class:`Standings` of an award or coaching list and
their :class:`Standing` rows, the :class:`InstrumentScores` of a composite,
:class:`ReportCard` with its :class:`AspectLine`, :class:`Loss`,
:class:`NextGrade` and :class:`Step`), and the settings it recorded. The
results of the citizen satisfaction index (``IkmResult``, ``Interval``,
``TargetCheck``) live with it in :mod:`pelayanan_eval.ikm`. A
:class:`Table` is what :func:`pelayanan_eval.read_table` returns.
"""

from pelayanan_eval._data.files import Table
from pelayanan_eval._demo import DemoCity
from pelayanan_eval._evaluation.card import AspectLine, Loss, NextGrade, ReportCard, Step
from pelayanan_eval._evaluation.composite import InstrumentScores
from pelayanan_eval._evaluation.settings import Settings
from pelayanan_eval._evaluation.standings import Standing, Standings
from pelayanan_eval._loading.bundled import RubricInfo
from pelayanan_eval._rubric.grading import Grade

__all__ = [
    "AspectLine",
    "DemoCity",
    "Grade",
    "InstrumentScores",
    "Loss",
    "NextGrade",
    "ReportCard",
    "RubricInfo",
    "Settings",
    "Standing",
    "Standings",
    "Step",
    "Table",
]
