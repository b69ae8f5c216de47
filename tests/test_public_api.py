"""The public surface is exactly what __all__ says, and each name is documented."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pelayanan_eval as pe
from pelayanan_eval import exceptions
from tests.conftest import PUBLIC_SUBMODULES


def test_all_is_the_public_surface() -> None:
    """__all__ is sorted and lists exactly the public attributes of the package."""
    public = {name for name in dir(pe) if not name.startswith("_")} - set(PUBLIC_SUBMODULES)
    assert sorted(pe.__all__) == pe.__all__
    assert set(pe.__all__) - {"__version__"} == public


def test_import_loads_the_rubric_side_only_and_the_rest_on_first_use() -> None:
    """A fresh ``import pelayanan_eval`` leaves the engine, data and survey modules unloaded.

    Each name then loads its module; an unknown name is an AttributeError.
    """
    code = (
        "import sys, pelayanan_eval as pe\n"
        "heavy = ['pelayanan_eval._evaluation.engine', 'pelayanan_eval._data.observations',"
        " 'pelayanan_eval.ikm', 'pelayanan_eval.results']\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "from pelayanan_eval import Units, evaluate\n"
        "print(evaluate.__module__, pe.Units is Units, pe.results.Standings.__name__)\n"
        "try:\n    pe.evalute\nexcept AttributeError as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[]",
        "pelayanan_eval._evaluation.engine True Standings",
        "module 'pelayanan_eval' has no attribute 'evalute'",
    ]


def test_every_public_name_has_a_docstring() -> None:
    """Each exported class and function says what it is."""
    for name in pe.__all__:
        if name != "__version__":
            assert getattr(pe, name).__doc__, name


def test_exception_tree() -> None:
    """Each concrete error is a PelayananEvalError and the builtin it resembles."""
    assert issubclass(exceptions.RubricError, exceptions.PelayananEvalError)
    assert issubclass(exceptions.RubricError, ValueError)
    assert issubclass(exceptions.ScoreError, ValueError)
    assert issubclass(exceptions.RubricNotFoundError, LookupError)
    assert issubclass(exceptions.UnknownCriterionError, KeyError)
    assert issubclass(exceptions.UnknownCriterionError, exceptions.PelayananEvalError)
    assert issubclass(exceptions.ProvisionalRubricWarning, UserWarning)
    assert sorted(exceptions.__all__) == exceptions.__all__


def test_ikm_all_is_its_public_surface() -> None:
    """pelayanan_eval.ikm's __all__ is sorted and every name exists and is documented."""
    from pelayanan_eval import ikm

    assert sorted(ikm.__all__) == ikm.__all__
    for name in ikm.__all__:
        assert getattr(ikm, name) is not None
        if name != "BAND_TABLES":
            assert getattr(ikm, name).__doc__, name


def test_version_is_a_string() -> None:
    """__version__ comes from the installed metadata."""
    assert isinstance(pe.__version__, str) and pe.__version__


def test_to_pandas_without_pandas_is_an_import_error_naming_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every result's to_pandas() says the same thing when pandas is not installed."""
    import warnings

    import numpy as np

    from pelayanan_eval import ikm

    city = pe.demo_city()
    evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rubric = pe.load_rubric("permenpanrb-14-2017-ikm")
    answers = np.full((4, len(rubric.leaf_ids)), 3)
    survey = ikm.compute(rubric, ikm.Responses.from_arrays(rubric, unit=["a"] * 4, answers=answers))
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    for result, name in [(evaluation, "Evaluation"), (survey, "IkmResult")]:
        with pytest.raises(ImportError, match=rf"{name}\.to_pandas\(\) needs pandas: pip install"):
            result.to_pandas()
