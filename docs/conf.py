"""Sphinx configuration of the pelayanan_eval documentation (MyST Markdown, furo theme)."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as distribution_version
from pathlib import Path

# Local extension: the rubric-summary directive and trimming of doctest sessions.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "pelayanan_eval"
author = "pelayanan_eval developers"
copyright = "pelayanan_eval developers"
try:
    release = distribution_version("pelayanan-eval")
except PackageNotFoundError:  # building from a source tree that is not installed
    release = "0+unknown"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "pelayanan_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
language = "en"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_type_aliases = {
    "npt.ArrayLike": "ArrayLike",
    "Array": "npt.NDArray[np.float64]",  # private alias of the engine modules
}
autodoc_default_options = {"show-inheritance": True}
python_use_unqualified_type_names = True

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True
napoleon_use_rtype = False
napoleon_attr_annotations = False

html_theme = "furo"
html_title = f"pelayanan_eval {release}"
