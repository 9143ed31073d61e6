"""Sphinx configuration of catgrad's documentation.

Build locally with ``python -m sphinx -W --keep-going docs docs/_build/html`` (after
``pip install -e ".[dev,docs]"``). The tutorials are the notebooks of ``examples/notebooks``,
executed once per change of the notebook or of the library (``_ext/course.py``) and copied
here with their outputs; the how-to pages are MyST notebooks executed at build time. Every
diagram picture is an SVG written by catgrad itself.
"""
from __future__ import annotations

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

import course  # noqa: E402

import catgrad  # noqa: E402

project = "catgrad"
author = "the catgrad authors"
copyright = "the catgrad authors"
version = release = catgrad.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax shipped with the site: formulas typeset with no network
    "myst_nb",
    "apidocs",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# -- API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": False}
add_module_names = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = [("Fields", "params_style"), ("Fields (keyword-only)", "params_style")]

# -- MyST and notebooks ---------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "force"                  # the how-to pages run at every build ...
nb_execution_excludepatterns = ["tutorials/*"]   # ... the tutorials arrive executed (see below)
nb_execution_raise_on_error = False     # a failing cell is a warning, an error under -W
nb_execution_timeout = course.TIME_LIMIT
nb_execution_show_tb = True
nb_merge_streams = True

# -- HTML -----------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"catgrad {release}"
html_static_path = ["_static"]
html_css_files = ["catgrad.css"]  # drawings at their own size (readable labels), scrolling when wide

suppress_warnings = ["mystnb.unknown_mime_type"]

# -- the course: executed notebooks copied into docs/tutorials -------------------------------
# Links in the notebooks point from examples/notebooks/ to docs/; from docs/tutorials/ they
# point one level up.
LINKS = {"](../../docs/": "](../"}


def _tutorials() -> None:
    out = HERE / "tutorials"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.ipynb"):
        old.unlink()
    for nb_path in course.notebooks():
        executed, _, _ = course.executed(nb_path)
        nb = json.loads(executed.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                for a, b in LINKS.items():
                    text = text.replace(a, b)
                cell["source"] = text
        (out / nb_path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


_tutorials()
