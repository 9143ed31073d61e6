"""The parameter record: a tree of array types (``{"dense": {"W": f32[3,4], "b": f32[3]}}``).

A record types the parameters of a Para, its initial values, its gradients and every optimiser state
alike. Its wires are ``leaves`` in JAX's tree order, the one place that order is derived; ``paths``
names them (``dense.W``); ``check_values`` checks a tree of arrays against it; ``traced`` builds a
diagram on records of wires; ``joiner`` is the product of records (named: the union, clashing names
renamed ``dense_1``; anonymous: the pair); ``summary`` is its one-line label (``{dense: W, b}``).
"""
from __future__ import annotations

from typing import Any, Callable

import jax

from .core.diagram import Diagram, argument_names, trace
from .core.objects import Array, Ty

Record = Any  # a tree whose leaves are Array types


def as_record(param) -> Record:
    """``param`` as a record: a Ty becomes the tuple of its arrays (one array: itself; none: ``{}``).

    >>> as_record(Array((2,)) @ Array(()))
    (Array((2,), 'float32'), Array((), 'float32'))
    """
    if isinstance(param, Ty):
        return {} if len(param) == 0 else param[0] if len(param) == 1 else tuple(param)
    bad = [x for x in jax.tree_util.tree_leaves(param) if not isinstance(x, Array)]
    if bad:
        raise TypeError(f"a parameter record is a tree of Array types (e.g. {{'W': Array((3, 4))}}), "
                        f"got a leaf {type(bad[0]).__name__} {bad[0]!r:.60} in {param!r:.120}")
    return param


def leaves(record: Record) -> Ty:
    """The parameter wires of ``record``, in JAX's tree order: the one place the order is derived.

    >>> leaves({"dense": {"b": Array((3,)), "W": Array((3, 4))}})
    Ty(f32[3,4], f32[3])
    """
    return Ty(*jax.tree_util.tree_leaves(record))


def paths(record: Record, sep: str = ".") -> tuple:
    """The name of each parameter wire (or leaf of any tree), in wire order: its keys (dict keys, NamedTuple fields,
    indices) joined by ``sep`` (``"dense.W"``).

    >>> paths({"dense": {"b": Array((3,)), "W": Array((3, 4))}})
    ('dense.W', 'dense.b')
    """
    def name(key) -> str:
        for attr in ("key", "name", "idx"):
            if hasattr(key, attr):
                return str(getattr(key, attr))
        return str(key)
    return tuple(sep.join(name(k) for k in path) for path, _ in jax.tree_util.tree_flatten_with_path(record)[0])


#: Records whose ``summary`` is longer than this many characters are shown to a smaller depth.
SUMMARY_MAX = 48


def summary(record: Record, max_len: int = SUMMARY_MAX) -> str:
    """The record in one short line, as a bundled parameter wire ``P`` is labelled (``P = {dense: W, b}``).

    A named record lists its keys (in wire order), a sub-record as ``key: …`` (its own keys, in braces
    when it has sub-records), ``;`` between sub-records; an anonymous one its parts in parentheses, an
    array its type. Nested records longer than ``max_len`` characters are cut at a smaller depth (``…``).

    >>> summary({"dense": {"W": Array((3, 4)), "b": Array((3,))}, "dense_1": {"W": Array((1, 3)), "b": Array((1,))}})
    '{dense: W, b; dense_1: W, b}'
    >>> summary({"block": {"attn": {"Wq": Array((2, 2))}, "ln": {"g": Array((2,))}}}, max_len=25)
    '{block: {attn: …; ln: …}}'
    >>> summary((Array((2,)), Array(())))
    '(f32[2], f32[])'
    """
    depth = _depth(record)
    text = _summary(record, depth, top=True)
    while len(text) > max_len and depth > 1:
        depth -= 1
        text = _summary(record, depth, top=True)
    return text if len(text) <= max_len else text[:max_len - 1] + "…"


def _items(r) -> list:
    """The named parts of a record in wire order (a dict's sorted keys, a NamedTuple's fields), or ``None``."""
    if isinstance(r, dict):
        return sorted(r.items())
    if hasattr(r, "_fields"):
        return list(zip(r._fields, r))
    return None


def _depth(r) -> int:
    items = _items(r)
    if items is None:
        return max((_depth(v) for v in r), default=0) if isinstance(r, (tuple, list)) else 0
    return 1 + max((_depth(v) for _, v in items), default=0)


def _summary(r, depth: int, top: bool = False) -> str:
    items = _items(r)
    if items is None:
        if isinstance(r, (tuple, list)):
            return "(" + ", ".join(_summary(v, depth, top=True) for v in r) + ")"
        return str(r)
    if depth <= 0:
        return "…"
    names = [k for k, v in items if isinstance(v, Array)]
    subs = [f"{k}: {_summary(v, depth - 1)}" for k, v in items if not isinstance(v, Array)]
    text = "; ".join(([", ".join(names)] if names else []) + subs)
    return "{" + text + "}" if top or subs else text


def check_values(record: Record, values, what: str = "parameter", where: str = "") -> None:
    """A ``TypeError`` naming what differs unless ``values`` is a tree of arrays shaped like ``record``.

    >>> import numpy as np
    >>> check_values({"W": Array((2,))}, {"W": np.zeros(3)})
    Traceback (most recent call last):
    ...
    TypeError: parameter W should have shape (2,) (f32[2]), got (3,)
    """
    prefix = f"{where}: " if where else ""
    want, got = jax.tree_util.tree_structure(record), jax.tree_util.tree_structure(values)
    if want != got:
        if hasattr(record, "_fields") and type(record) is not type(values):
            raise TypeError(f"{prefix}the {what} should be a {type(record).__name__}{record._fields}, got "
                            f"{type(values).__name__}")
        have, need = set(paths(values)), dict(zip(paths(record), leaves(record)))
        missing = [f"{name} ({t})" for name, t in need.items() if name not in have]
        extra = [name for name in paths(values) if name not in need]
        raise TypeError(f"{prefix}" + (f"{what} {missing[0]} is missing" if missing else
                                       f"unexpected {what} {extra[0]}" if extra else
                                       f"the {what}s should have the structure {want}, got {got}"))
    for name, t, a in zip(paths(record), leaves(record), jax.tree_util.tree_leaves(values)):
        if tuple(getattr(a, "shape", ())) != t.shape:
            raise TypeError(f"{prefix}{what} {name} should have shape {t.shape} ({t}), got {getattr(a, 'shape', a)}")


def traced(fn: Callable, *records: Record) -> Diagram:
    """``trace`` for records: ``fn`` gets a record of wires per record of types and returns a tree of wires.
    The wires are named after ``fn``'s arguments: an array's by its argument (``x``), a record's by its paths.

    >>> d = traced(lambda p, x: p["w"] * x + p["b"], {"w": Array(()), "b": Array(())}, Array(()))
    >>> d.dom, d.dom_names
    (Ty(f32[], f32[], f32[]), ('b', 'w', 'x'))
    """
    records = tuple(as_record(r) for r in records)
    tree = jax.tree_util.tree_structure(records)
    args = argument_names(fn, len(records))
    names = [a if isinstance(r, Array) else q for a, r in zip(args, records) for q in paths(r)]
    return trace(lambda *ws: tuple(jax.tree_util.tree_leaves(fn(*jax.tree_util.tree_unflatten(tree, ws)))),
                 *(leaves(r) for r in records)).with_names(names)


def renaming(clashing, taken: set) -> dict:
    """A fresh name ``top_k`` for each clashing top-level name (smallest ``k`` not taken), in sorted order.

    >>> renaming({"dense"}, {"dense", "dense_1"})
    {'dense': 'dense_2'}
    """
    taken, rename = set(taken), {}
    for top in sorted(clashing):
        k = 1
        while f"{top}_{k}" in taken:
            k += 1
        rename[top] = f"{top}_{k}"
        taken.add(rename[top])
    return rename


def joiner(keep: Record, other: Record, pair: Callable) -> Callable:
    """How two records join (types, labels, values alike): dicts' union (clashes renamed), unit, else ``pair``.

    >>> joiner({"dense": Array(())}, {"dense": Array(())}, None)({"dense": "W"}, {"dense": "V"})
    {'dense': 'W', 'dense_1': 'V'}
    """
    if not leaves(other):
        return lambda a, b: a
    if not leaves(keep):
        return lambda a, b: b
    if isinstance(keep, dict) and isinstance(other, dict):
        rename = renaming(keep.keys() & other.keys(), keep.keys() | other.keys())
        return lambda a, b: {**a, **{rename.get(k, k): v for k, v in b.items()}}
    return pair


__all__ = ["as_record", "leaves", "paths", "check_values", "traced", "joiner", "renaming", "summary", "SUMMARY_MAX"]
