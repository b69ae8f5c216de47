"""Exceptions raised by pelayanan_eval.

Every error the library raises on purpose derives from
:class:`PelayananEvalError` and also from the builtin it resembles, so callers
can catch either::

    PelayananEvalError
    ├── RubricError(PelayananEvalError, ValueError)       a rubric (file or object) is invalid
    ├── RubricNotFoundError(PelayananEvalError, LookupError)
    │       no bundled rubric has that id, or no file exists at that path
    ├── ScoreError(PelayananEvalError, ValueError)        a score or index cannot be used
    ├── ObservationError(PelayananEvalError, ValueError)  observations or units are invalid
    │   └── MissingScoreError                             criteria not scored (missing="error")
    ├── OptionError(PelayananEvalError, ValueError)       an unknown option (aggregation, ties, ...)
    ├── UnknownUnitError(PelayananEvalError, LookupError) no unit has that id
    ├── OutputError(PelayananEvalError, OSError)         reports cannot be written where asked
    └── UnknownCriterionError(PelayananEvalError, KeyError)
            the rubric has no criterion with that id

Warnings::

    ProvisionalRubricWarning(UserWarning)   a rubric has parts not verified in the regulation
    CategoryLabelWarning(UserWarning)       unit categories differing only by case or spaces,
                                            or units without a category among categorised ones
    AgreementWarning(UserWarning)           an agreement coefficient is undefined or rests on
                                            few data
    DesignWarning(UserWarning)              the visit design departs from what was planned
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AgreementWarning",
    "CategoryLabelWarning",
    "DesignWarning",
    "MissingScoreError",
    "ObservationError",
    "OptionError",
    "OutputError",
    "PelayananEvalError",
    "ProvisionalRubricWarning",
    "RubricError",
    "RubricNotFoundError",
    "ScoreError",
    "UnknownCriterionError",
    "UnknownUnitError",
]


class PelayananEvalError(Exception):
    """Base class of every error raised by pelayanan_eval."""


class RubricError(PelayananEvalError, ValueError):
    """A rubric is invalid; ``problems`` lists every problem found.

    Parameters
    ----------
    problems
        One message per problem, each saying where (file, line, path in the
        document) and what was received.
    source
        The file the rubric came from, if any.
    paths
        For each problem, its path in the rubric document as a tuple of keys
        and list indices (``("criteria", 2, "weight")``), when known.
    """

    def __init__(
        self,
        problems: Iterable[str],
        source: str | None = None,
        paths: Iterable[tuple[object, ...]] = (),
    ) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.source = source
        self.paths: tuple[tuple[object, ...], ...] = tuple(paths)
        where = f"rubric {source}" if source else "rubric"
        count = len(self.problems)
        head = f"{where}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n  ".join([head + ":", *self.problems]))


class RubricNotFoundError(PelayananEvalError, LookupError):
    """No bundled rubric has the requested id, or no file exists at the requested path."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ScoreError(PelayananEvalError, ValueError):
    """A score or an index cannot be graded or used (NaN, out of range, wrong type)."""


class ObservationError(PelayananEvalError, ValueError):
    """Observations or units are invalid: unknown criterion or unit, score off the scale, ..."""


class MissingScoreError(ObservationError):
    """Criteria have no score and the missing-data policy is ``"error"``.

    ``missing`` holds every ``(unit id, criterion id)`` pair without a score.
    """

    def __init__(self, message: str, missing: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.missing: tuple[tuple[str, str], ...] = tuple(missing)


class OptionError(PelayananEvalError, ValueError):
    """An option has an unknown value; the message lists the valid ones."""


class OutputError(PelayananEvalError, OSError):
    """Reports cannot be written where asked: a folder that holds other files, no permission."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownUnitError(PelayananEvalError, LookupError):
    """No unit in the evaluation has the requested id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownCriterionError(PelayananEvalError, KeyError):
    """The rubric has no criterion with the requested id; the message names close ids."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ProvisionalRubricWarning(UserWarning):
    """A loaded rubric has parts that are not verified against the regulation text."""


class CategoryLabelWarning(UserWarning):
    """Units' category labels that look like typing slips: ``Kelurahan`` beside ``kelurahan``.

    Such a unit would be ranked in a category of its own (rank 1 of 1, and
    an award). Read the units with ``normalize_categories=True`` (command
    line: ``--normalize-categories``) to merge labels that differ only by
    case or spaces.
    """


class AgreementWarning(UserWarning):
    """An agreement coefficient is undefined or rests on few data (the message says which)."""


class DesignWarning(UserWarning):
    """The visit design departs from what was planned (the message names the units)."""
