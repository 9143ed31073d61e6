"""A Sphinx extension for the API reference: the documentation of re-exported constants.

A constant such as ``catgrad.datasets.IDX_TYPES`` is documented by a ``#:`` comment where it is
defined (``catgrad/datasets/idx.py``), but the reference lists it under the package that
re-exports it, where autodoc finds no comment and would show the docstring of its type
(``dict``). This hook looks the comment up in the package's modules instead.
"""
from __future__ import annotations

import sys

from sphinx.pycode import ModuleAnalyzer


def _comment_doc(fullname: str) -> list | None:
    package, _, name = fullname.rpartition(".")
    for modname in sorted(m for m in list(sys.modules) if m == package or m.startswith(package + ".")):
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001 - a module without source has no comments
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


def _process(app, what, name, obj, options, lines):
    if what not in ("data", "attribute") or getattr(obj, "__doc__", None) != type(obj).__doc__:
        return  # the object has a docstring of its own
    doc = _comment_doc(name)
    if doc is not None:
        lines[:] = doc


def setup(app):
    app.connect("autodoc-process-docstring", _process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
