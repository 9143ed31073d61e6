"""Every import runs down the layers, lazy or not (issue 16, point 4).

The layer order is stated once, here (lowest first). A module may import modules of its own layer
or of a layer below; an import that runs up the order fails the test, and so does a circle of imports
(even inside one layer). Every ``import``/``from … import`` of the package's source counts: at the top
of a module, inside a function, relative or absolute. (A module's implicit import of its parent
packages is how Python loads packages and is not counted.)

Oracle: the AST of every file under ``catgrad/``; the checker itself is tested on a made-up package.
"""
from __future__ import annotations

import ast
import pathlib

import catgrad

LAYERS = (
    ("errors", ("catgrad.errors",)),                   # messages; imports nothing of catgrad
    ("drawing", ("catgrad.drawing",)),                 # pictures as data, layout, painters, draw(x)
    ("core", ("catgrad.core",)),                       # the syntax: types, diagrams, generator records
    ("functors", ("catgrad.rdiff", "catgrad.batch")),  # R and the batch functor: syntax to syntax
    ("semantics", ("catgrad.semantics",)),             # the one interpreter and its meanings
    ("record", ("catgrad.record",)),                   # the parameter record: a tree of array types
    ("lens", ("catgrad.lens",)),
    ("para", ("catgrad.para",)),
    ("interop", ("catgrad.from_jax", "catgrad.deploy")),   # JAX functions in as diagrams, models out to StableHLO
    ("processes", ("catgrad.distributed", "catgrad.sharding")),  # jax.distributed and per-array shardings
    ("checkpoint", ("catgrad.checkpoint",)),           # a learner's state in a file (learn shows its names)
    ("nn", ("catgrad.nn",)),
    ("learn", ("catgrad.learn",)),
    ("datasets", ("catgrad.datasets",)),
    ("boolean", ("catgrad.boolean",)),
    ("learners", ("catgrad.learners",)),                # the other accounts of learning [BaF, LL, LLang, OLOG, CDL]
    ("experiments", ("catgrad.experiments", "catgrad.boolean.experiments")),
    ("package", ("catgrad",)),                         # catgrad/__init__.py: the public names
    ("cli", ("catgrad.cli", "catgrad.__main__", "catgrad.boolean.cli", "catgrad.drawing.cli",
             "catgrad.drawing.examples")),
)


def layer_of(module: str, layers=LAYERS) -> int:
    """The index of ``module``'s layer: the layer naming the longest prefix of it."""
    best, rank = -1, -1
    for k, (_, prefixes) in enumerate(layers):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), k
    if rank < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return rank


def modules(root: pathlib.Path, package: str) -> dict:
    """``{module name: path}`` of every ``.py`` file under ``root`` (the package ``package``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([package, *parts])] = path
    return out


def imports(mods: dict, package: str) -> list:
    """``(importer, imported, line)`` for every import of a module of ``package`` in ``mods``."""
    out = []
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[:len(here) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                for a in node.names:  # ``from x import m`` imports the module x.m where there is one
                    targets.append(f"{mod}.{a.name}" if f"{mod}.{a.name}" in mods else mod)
            for t in targets:
                while t and t not in mods and "." in t:  # ``import catgrad.core.diagram.x`` → the module
                    t = t.rsplit(".", 1)[0]
                if t in mods and t != name and (name, t, node.lineno) not in out:
                    out.append((name, t, node.lineno))
    return out


def upward(edges: list, layers=LAYERS) -> list:
    """The imports that run up the layer order, as ``"importer:line -> imported"``."""
    names = [n for n, _ in layers]
    return [f"{a}:{line} ({names[layer_of(a, layers)]}) -> {b} ({names[layer_of(b, layers)]})"
            for a, b, line in edges if layer_of(b, layers) > layer_of(a, layers)]


def circles(edges: list) -> list:
    """The import circles: the strongly connected components of more than one module (Tarjan)."""
    graph: dict = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


ROOT = pathlib.Path(catgrad.__file__).parent


def test_every_module_is_in_a_layer():
    for name in modules(ROOT, "catgrad"):
        layer_of(name)


def test_no_import_runs_up_the_layers():
    assert upward(imports(modules(ROOT, "catgrad"), "catgrad")) == []


def test_no_import_circles():
    assert circles(imports(modules(ROOT, "catgrad"), "catgrad")) == []


def test_the_checker_finds_lazy_relative_and_absolute_imports_up_and_circles(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "low").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "__init__.py").write_text("from .a import f\n")
    (pkg / "low" / "a.py").write_text("def f():\n    from ..high import g\n    return g\n")
    (pkg / "low" / "b.py").write_text("import pkg.low.c\n")
    (pkg / "low" / "c.py").write_text("from . import b\n")
    (pkg / "high.py").write_text("from .low import a\nfrom pkg.low.a import f\n")
    layers = (("low", ("pkg.low",)), ("high", ("pkg.high",)), ("package", ("pkg",)))
    edges = imports(modules(pkg, "pkg"), "pkg")
    assert sorted((a, b) for a, b, _ in edges) == [
        ("pkg.high", "pkg.low.a"), ("pkg.high", "pkg.low.a"), ("pkg.low", "pkg.low.a"),
        ("pkg.low.a", "pkg.high"), ("pkg.low.b", "pkg.low.c"), ("pkg.low.c", "pkg.low.b")]
    assert upward(edges, layers) == ["pkg.low.a:2 (low) -> pkg.high (high)"]
    assert circles(edges) == [["pkg.high", "pkg.low.a"], ["pkg.low.b", "pkg.low.c"]]


def test_the_readme_shows_the_layer_order():
    """The README's package layout lists the layers in this order, each once or more, lowest first."""
    text = (ROOT.parent / "README.md").read_text()
    block = text[text.index("```\ncatgrad/\n") + len("```\ncatgrad/\n"):]
    block = block[:block.index("```")]
    names = [line.split()[0] for line in block.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    mods = ["catgrad." + n.rstrip("/").removesuffix(".py") for n in names]
    ranks = [layer_of(m) for m in mods]
    assert ranks == sorted(ranks), list(zip(mods, ranks))
    assert set(ranks) == set(range(len(LAYERS))) - {layer_of("catgrad")}
