"""Doctest set-up for the Markdown pages: ``docs_dir`` is this folder."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _docs_dir(doctest_namespace: dict[str, object]) -> None:
    """Give the page examples the path of the docs folder (for ``examples/*.yaml``)."""
    doctest_namespace["docs_dir"] = Path(__file__).parent
