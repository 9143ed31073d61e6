"""No private name (``_x``) is imported across modules (issue 16, point 5).

Oracle: the AST of every file under ``catgrad/``: each ``from M import _name`` where ``M`` is another module
of the package. None is allowed (the allowance kept while the learner was rewritten is gone).
"""
from __future__ import annotations

import ast
import pathlib

import catgrad

ROOT = pathlib.Path(catgrad.__file__).parent


def private_imports(source: str) -> list:
    """The private names that ``source`` imports from a module of the package (relative or ``catgrad.…``)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("catgrad")):
            out += [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return out


def test_the_check_sees_relative_absolute_and_lazy_imports():
    src = "from .a import _x, y\nfrom catgrad.b import _z\nimport os\ndef f():\n    from ..c import _w\n"
    assert private_imports(src) == ["_x", "_z", "_w"]
    assert private_imports("from os import _exit\nfrom __future__ import annotations\nfrom . import __version__") == []


def test_no_private_name_is_imported_across_modules():
    found = {(path.relative_to(ROOT).as_posix(), name) for path in sorted(ROOT.rglob("*.py"))
             for name in private_imports(path.read_text())}
    assert found == set()
