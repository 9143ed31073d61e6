"""Every public name is documented: a docstring with an example, and a place in the API reference.

The public API is the names in ``__all__`` of ``catgrad``, ``catgrad.nn``, ``catgrad.nn.init``,
``catgrad.learn``, ``catgrad.datasets``, ``catgrad.boolean``, ``catgrad.learners``, ``catgrad.distributed``,
``catgrad.sharding`` and ``catgrad.record`` (or, without ``__all__``, the
module's attributes not starting with ``_``), submodules excepted. A function, class or other
callable needs a docstring with an example (a ``>>>`` line or an "Example" section); a constant
needs a ``#:`` comment where it is defined (what autodoc shows). The reference is the
``autosummary`` lists of ``docs/api/*.rst``: every public name must be listed under its module,
and every listed name must be public (no stale entries).
"""
from __future__ import annotations

import __future__
import importlib
import inspect
import pathlib
import re
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = ["catgrad", "catgrad.nn", "catgrad.nn.init", "catgrad.learn", "catgrad.datasets", "catgrad.boolean",
           "catgrad.learners", "catgrad.distributed", "catgrad.sharding", "catgrad.record"]


def public_names(modname: str) -> list:
    """The public names of a module: ``__all__``, or its attributes not starting with ``_`` (without
    submodules, and without names imported from outside catgrad such as ``typing.Callable``)."""
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in vars(mod) if not n.startswith("_")
                 and getattr(getattr(mod, n), "__module__", "catgrad").startswith("catgrad")]
    return sorted(n for n in names
                  if not isinstance(getattr(mod, n), (types.ModuleType, __future__._Feature)))


API = [(m, n) for m in MODULES for n in public_names(m)]


def _is_constant(obj) -> bool:
    return not (callable(obj) or inspect.isclass(obj))


def _comment_docs() -> dict:
    """``#:`` comments before an assignment, in every module of the package: name -> text."""
    docs: dict = {}
    for path in (ROOT / "catgrad").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"([A-Za-z_]\w*)\s*(?::[^=]*)?=", line)
            if m and i and lines[i - 1].startswith("#:"):
                docs.setdefault(m.group(1), lines[i - 1][2:].strip())
    return docs


COMMENTS = _comment_docs()


def has_example(doc: str) -> bool:
    return ">>>" in doc or re.search(r"^\s*Examples?:?\s*$", doc, flags=re.M) is not None


@pytest.mark.parametrize("modname,name", API, ids=[f"{m}.{n}" for m, n in API])
def test_documented_with_an_example(modname, name):
    obj = getattr(importlib.import_module(modname), name)
    if _is_constant(obj):
        assert COMMENTS.get(name), f"{modname}.{name}: a constant needs a '#:' comment where it is defined"
        return
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{modname}.{name} has no docstring"
    assert has_example(doc), f"{modname}.{name}: the docstring has no example (a '>>>' line or an 'Example:' section)"


def reference() -> set:
    """``module.name`` for every entry of the autosummary lists in docs/api/*.rst."""
    listed = set()
    for rst in sorted((ROOT / "docs" / "api").glob("*.rst")):
        module = None
        lines = rst.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith(".. currentmodule::"):
                module = line.split("::", 1)[1].strip()
            if line.startswith(".. autosummary::"):
                i += 1
                while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
                    entry = lines[i].strip()
                    if entry and not entry.startswith(":"):
                        listed.add(f"{module}.{entry.lstrip('~')}")
                    i += 1
                continue
            i += 1
    return listed


REFERENCE = reference()


@pytest.mark.parametrize("modname,name", API, ids=[f"{m}.{n}" for m, n in API])
def test_listed_in_the_api_reference(modname, name):
    assert f"{modname}.{name}" in REFERENCE, f"{modname}.{name} is missing from docs/api/{modname.split('.')[1] if '.' in modname else 'catgrad'}.rst"


def test_the_reference_lists_only_public_names():
    public = {f"{m}.{n}" for m, n in API}
    assert REFERENCE - public == set(), "listed in docs/api but not public (renamed or removed?)"


def test_the_checks_can_fail():
    """The example check rejects a docstring without an example; the listing finds a known entry."""
    assert not has_example("Add two numbers.\n\nArgs:\n    x: a number.")
    assert has_example("Add.\n\n>>> 1 + 1\n2") and has_example("Add.\n\nExample:\n    add(x, y)")
    assert "catgrad.rdiff" in REFERENCE and "catgrad.nope" not in REFERENCE
