"""A Sphinx extension for the API reference: generator records and re-exported constants.

A generator's docstring is written by its record (``catgrad.core.signature.Generator``) as plain
text for ``help()``: its formulas (``Typing: gather: (*B, V, *S) × …``) are set here as literals
and the prose around them is escaped, so that ``*`` and ``name_`` read as written in the reference.

A constant such as ``catgrad.datasets.IDX_TYPES`` is documented by a ``#:`` comment where it is
defined (``catgrad/datasets/idx.py``), but the reference lists it under the package that
re-exports it, where autodoc finds no comment and would show the docstring of its type
(``dict``). This hook looks the comment up in the package's modules instead.
"""
from __future__ import annotations

import re
import sys

from sphinx.pycode import ModuleAnalyzer

FORMULA_FIELDS = ("Typing: ", "Meaning: ", "Reverse derivative: ")
LITERAL = re.compile(r"(``.*?``)")


def _escape(text: str) -> str:
    """``*`` and a trailing ``_`` (rst emphasis and references) escaped outside ``literals``."""
    parts = LITERAL.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(\w)_(?=\W|$)", r"\1\\_", parts[i].replace("*", r"\*"))
    return "".join(parts)


def generator_lines(lines: list) -> list:
    """A generator record's docstring for rst: formula fields as literals, prose escaped, the example kept."""
    out = []
    for i, line in enumerate(lines):
        if line.strip() == "Example:":
            return out + lines[i:]
        field = next((f for f in FORMULA_FIELDS if line.startswith(f)), None)
        if field and "``" not in line:
            out.append(f"{field}``{line[len(field):].strip()}``")
        else:
            out.append(_escape(line))
    return out


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
    from catgrad.core.signature import Generator

    if isinstance(obj, Generator):
        lines[:] = generator_lines(lines)
        return
    if what not in ("data", "attribute") or getattr(obj, "__doc__", None) != type(obj).__doc__:
        return  # the object has a docstring of its own
    doc = _comment_doc(name)
    if doc is not None:
        lines[:] = doc


def setup(app):
    app.connect("autodoc-process-docstring", _process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
