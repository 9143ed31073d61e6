"""Parametrised maps: the categories Para(C) and Para(Lens(C)) [CFGBL §2.2].

A morphism ``A → B`` is ``(P, f: P × A → B)``; ``(P, f) ; (Q, g) = (Q × P, g(q, f(p, a)))``,
``(P, f) ⊗ (Q, g) = (P × Q, (f(p, a), g(q, c)))``, reparametrisation ``(Q, (r × 1) ; f)``, and
``R: (P, f) ↦ (P, (f, R[f]))`` into Para(Lens(C)). The parameter object is a **record**: a tree
of array types (``{"dense": {"W": f32[3,4], "b": f32[3]}}``) shaped like the initial values, the
gradients and the optimiser states; its wires are ``leaves`` (JAX's tree order). The product of
named records is their union (clashing names renamed ``dense_1``), of anonymous ones the pair.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import jax

from .batch import batch as batch_diagram
from .core.category import Composable
from .core.diagram import Diagram, argument_names, identity, trace, wiring
from .core.objects import Array, Ty, TyLike
from .drawing.data import Drawing
from .drawing.draw import Drawable
from .lens import Lens

Map = Union[Diagram, Lens]
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


SUMMARY_MAX = 48
"""Records whose ``summary`` is longer than this many characters are shown to a smaller depth."""


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


def _renaming(clashing, taken: set) -> dict:
    """A fresh name ``top_k`` for each clashing top-level name (smallest ``k`` not taken), in sorted order."""
    taken, rename = set(taken), {}
    for top in sorted(clashing):
        k = 1
        while f"{top}_{k}" in taken:
            k += 1
        rename[top] = f"{top}_{k}"
        taken.add(rename[top])
    return rename


def _joiner(keep: Record, other: Record, pair: Callable) -> Callable:
    """How two records join (types, labels, values alike): dicts' union (clashes renamed), unit, else ``pair``."""
    if not leaves(other):
        return lambda a, b: a
    if not leaves(keep):
        return lambda a, b: b
    if isinstance(keep, dict) and isinstance(other, dict):
        rename = _renaming(keep.keys() & other.keys(), keep.keys() | other.keys())
        return lambda a, b: {**a, **{rename.get(k, k): v for k, v in b.items()}}
    return pair


def _permuted(m: Map, order: list, prime_order: Optional[list] = None) -> Map:
    """``m`` after the wiring whose wire ``j`` feeds ``m``'s wire ``order[j]`` (the wires after ``order`` in place);
    a lens's prime ``j`` feeds its prime ``prime_order[j]`` (by default ``order``)."""
    def whole(o: list, n: int) -> list:
        return o + list(range(len(o), n))
    primes = whole(order if prime_order is None else prime_order, _n_primes(m)) if isinstance(m, Lens) else []
    order = whole(order, len(_fwd(m).dom))
    if order == sorted(order) and primes == sorted(primes):
        return m
    fwd = _fwd(m)
    dom = Ty(*(fwd.dom[k] for k in order))
    names = tuple(fwd.dom_names[k] for k in order) if fwd.dom_names else ()
    w = wiring(dom, sorted(range(len(order)), key=order.__getitem__)).with_names(names)
    if not isinstance(m, Lens):
        return w >> m
    return Lens(w, wiring(dom @ m.bwd.cod, [len(dom) + k for k in primes])) >> m


def _joined(m: Map, first: Record, second: Record, join: Callable) -> tuple:
    """``join(first, second)`` and ``m`` (on ``first``'s then ``second``'s leaves) rewired to its order."""
    labels = [jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(r), range(k, k + len(leaves(r))))
              for r, k in ((first, 0), (second, len(leaves(first))))]
    return join(first, second), _permuted(m, jax.tree_util.tree_leaves(join(*labels)))


def _n_primes(m: Map) -> int:
    return len(m.bwd.cod) if isinstance(m, Lens) else 0


def _fwd(m: Map) -> Diagram:
    return m.fwd if isinstance(m, Lens) else m


@dataclass(frozen=True, init=False)
class Para(Composable, Drawable):
    """A parametrised map ``(P, f)``: the record ``param``, ``map`` on ``leaves(P) @ A`` (a Diagram or a Lens),
    ``init: key -> tree shaped like P`` (optional).

    >>> from catgrad import mul
    >>> scaling = Para({"c": Array(())}, mul(Array(())), lambda key: {"c": 1.0})
    >>> scaling.param, scaling.dom, scaling.init(None)
    ({'c': Array((), 'float32')}, Ty(f32[]), {'c': 1.0})
    """

    param: Record
    map: Map
    init_fn: Optional[Callable[[Any], Any]] = field(default=None, compare=False)

    def __init__(self, param: Record, map: Map, init: Optional[Callable[[Any], Any]] = None):
        param = as_record(param)
        if not isinstance(map, (Diagram, Lens)):
            raise TypeError(f"Para(P, f): f must be a Diagram or a Lens, got {type(map).__name__}")
        P, dom = leaves(param), _fwd(map).dom
        if dom[: len(P)] != P:
            raise TypeError(f"Para: the map's domain {dom} must start with the parameter wires {P} of the record "
                            f"{param!r:.200}")
        if init is not None and not callable(init):
            raise TypeError(f"Para: init must be a function of a PRNG key, got {type(init).__name__}")
        object.__setattr__(self, "param", param)
        object.__setattr__(self, "map", map)
        object.__setattr__(self, "init_fn", init)

    @staticmethod
    def build(param: Record, fn: Callable, *dom: TyLike, init: Optional[Callable] = None) -> "Para":
        """The Para whose map ``fn`` builds on the record of parameter wires and the input wires.

        >>> p = Para.build({"b": Array((2,))}, lambda p, x: x + p["b"], Array((2,)))
        >>> p.dom
        Ty(f32[2])
        """
        return Para(param, traced(fn, param, *dom), init)

    def __call__(self, params, *inputs):
        """Apply ``f`` to wires inside ``trace``/``Para.build``: ``params`` a record of wires shaped like ``P``.

        >>> from catgrad import nn
        >>> inner = nn.dense(2, 2)
        >>> outer = Para.build(inner.param, lambda p, x: inner(p, x) + x, Array((2,)))
        >>> outer.param == inner.param
        True
        """
        return self.map(*jax.tree_util.tree_leaves(params), *inputs)

    @property
    def wires(self) -> Ty:
        """The parameter wires ``leaves(P)``."""
        return leaves(self.param)

    @property
    def dom(self):
        """``A`` (a Ty), or ``(A, A')`` for a Para(Lens) morphism."""
        n = len(self.wires)
        if isinstance(self.map, Lens):
            return (self.map.fwd.dom[n:], self.map.bwd.cod[n:])
        return self.map.dom[n:]

    @property
    def cod(self):
        """``B`` (a Ty), or ``(B, B')`` for a Para(Lens) morphism."""
        return self.map.cod

    @staticmethod
    def of(f: Map) -> "Para":
        """A map as a Para morphism with trivial parameters ``(1, f)``."""
        return Para({}, f)

    @staticmethod
    def identity(A: TyLike) -> "Para":
        """The identity ``(1, π₁) = (1, 1_A)``."""
        return Para({}, identity(A))

    def then(self, other) -> "Para":
        """``(P, f) ; (Q, g) = (Q × P, g(q, f(p, a)))``, the record ``P ∪ Q`` or ``(Q, P)``; ``other`` a Para, a map,
        or a layer (a callable of this codomain type, e.g. ``catgrad.nn.sigmoid``)."""
        other = _as_para(other, self.cod if not isinstance(self.map, Lens) else self.cod[0])
        if isinstance(self.map, Lens) != isinstance(other.map, Lens):
            raise TypeError("cannot compose a Para(C) morphism with a Para(Lens(C)) one: apply .lens() to both")
        if self.cod != other.dom:
            raise TypeError(f"cannot compose Para morphisms: the codomain {self.cod} of the first is not the "
                            f"domain {other.dom} of the second")
        Q = other.wires
        g = _distinct_scopes(self.map, other.map)
        if isinstance(self.map, Lens):
            m = (Lens.identity(Q, other.map.bwd.cod[:len(Q)]) @ self.map) >> g  # (Q, Q') may differ
        else:
            m = (identity(Q) @ self.map) >> g
        join = _joiner(self.param, other.param, lambda p, q: (q, p))
        record, m = _joined(m, other.param, self.param, lambda q, p: join(p, q))
        return Para(record, m, _init_joined(other, self, lambda q, p: join(p, q)))

    def tensor(self, other: "Para") -> "Para":
        """``(P, f) ⊗ (Q, g) = (P × Q, (p, q, a, c) ↦ (f(p, a), g(q, c)))``: the record is ``P ∪ Q`` or ``(P, Q)``."""
        if not isinstance(other, Para):
            raise TypeError(f"cannot tensor a Para with {type(other).__name__}")
        p, q = len(self.wires), len(other.wires)

        def interleaved(a: int, c: int) -> list:  # (P, Q, A, C) from (P, A, Q, C)
            return [*range(p), *range(p + a, p + a + q), *range(p, p + a), *range(p + a + q, p + a + q + c)]
        m = self.map @ _distinct_scopes(self.map, other.map)
        m = _permuted(m, interleaved(len(_fwd(self.map).dom) - p, len(_fwd(other.map).dom) - q),
                      interleaved(_n_primes(self.map) - p, _n_primes(other.map) - q) if isinstance(m, Lens) else None)
        join = _joiner(self.param, other.param, lambda p_, q_: (p_, q_))
        record, m = _joined(m, self.param, other.param, join)
        return Para(record, m, _init_joined(self, other, join))

    def lens(self) -> "Para":
        """``(P, f) ↦ (P, (f, R[f]))``, a Para(Lens(C)) morphism."""
        if isinstance(self.map, Lens):
            return self
        return Para(self.param, Lens.of(self.map), self.init_fn)

    def batched(self, n: int) -> "Para":
        """The same map on a batch of ``n`` inputs, the parameters shared (see ``catgrad.batch``)."""
        if isinstance(self.map, Lens):
            raise TypeError("batch a Para(C) morphism before taking its lens (R of the batched map)")
        nP, nA = len(self.wires), len(self.dom)
        return Para(self.param, batch_diagram(self.map, n, [False] * nP + [True] * nA), self.init_fn)

    def init(self, key) -> Any:
        """Initial parameters from an explicit PRNG key: a tree shaped like the record."""
        if self.init_fn is None:
            if not self.wires:
                return jax.tree_util.tree_map(lambda t: t, self.param)
            raise ValueError(f"{self!r} has no initialiser: pass parameters explicitly")
        return self.init_fn(key)

    def named(self, name: str) -> "Para":
        """One layer ``name``: the record ``{name: P}``, the map's operations in the scope ``name``.

        >>> from catgrad import nn
        >>> layer = nn.dense(2, 3).named("encoder")
        >>> list(layer.param), layer.map.ops[0].scope[0]
        (['encoder'], 'encoder')
        """
        if not self.wires:
            return self.scoped(name)
        init = None if self.init_fn is None else (lambda key: {name: self.init_fn(key)})
        return Para({name: self.param}, self.map.named(name), init)

    def scoped(self, name: str) -> "Para":
        """The same record, the map's operations in the scope ``name``."""
        return Para(self.param, self.map.named(name), self.init_fn)

    def reparam(self, r: Map, param: Record = None, init: Callable | None = None) -> "Para":
        """See ``reparam``."""
        return reparam(self, r, param, init)

    def __repr__(self):
        kind = "Para(Lens)" if isinstance(self.map, Lens) else "Para"
        params = ", ".join(f"{p}: {t}" if p else str(t) for p, t in zip(paths(self.param), self.wires))
        return f"<{kind} {self.dom} → {self.cod} with parameters {params or '1'}>"

    def to_drawing(self, **options) -> Drawing:
        """``(P, f)``: the map's picture with the parameter wires entering from the top (``catgrad.draw``): at
        ``depth ≤ 1`` one wire ``P`` labelled with the record (``P = {dense: W, b}``, see ``summary``) that
        fans out into the boxes, opened (``depth=None``) one wire per parameter, named by its path (``dense.W``)."""
        depth = options.get("depth")
        bundle = f"P = {summary(self.param)}" if self.wires and depth is not None and depth <= 1 else ""
        return self.map.to_drawing(params=len(self.wires), param_names=list(paths(self.param)), bundle=bundle,
                                   **options)


def reparam(p: Para, r: Map, param: Record = None, init: Callable | None = None) -> Para:
    """Reparametrise ``(P, f)`` by ``r: Q → P`` (a lens for Para(Lens)): ``(Q, (r × 1) ; f)``, ``Q`` = ``param``.

    >>> from catgrad import exp, mul
    >>> positive = Para({"scale": Array(())}, mul(Array(()))).reparam(exp(Array(())), {"log_scale": Array(())})
    >>> positive.param
    {'log_scale': Array((), 'float32')}
    """
    rf = _fwd(r)
    if rf.cod != p.wires:
        raise TypeError(f"reparam: r must map into the parameter wires {p.wires}, but its codomain is {rf.cod}")
    Q = as_record(rf.dom if param is None else param)
    if leaves(Q) != rf.dom:
        raise TypeError(f"reparam: the record {Q!r:.120} does not match r's domain {rf.dom}")
    if isinstance(p.map, Lens):
        if not isinstance(r, Lens):
            raise TypeError("reparam: a Para(Lens) morphism is reparametrised by a lens")
        A = (p.map.fwd.dom[len(p.wires):], p.map.bwd.cod[len(p.wires):])
        m = (r @ Lens.identity(*A)) >> p.map
    else:
        m = (rf @ identity(p.dom)) >> p.map
    return Para(Q, m, init)


def _distinct_scopes(first: Map, second: Map) -> Map:
    """``second`` with the scopes it shares with ``first`` renamed as the records are (``dense_1``, ``R(dense_1)``)."""
    a, b = _fwd(first).top_scopes(), _fwd(second).top_scopes()
    rename = _renaming(a & b, a | b)
    rename.update({f"R({top})": f"R({new})" for top, new in rename.items()})
    return second.rescoped(rename) if rename else second


def _init_joined(first: Para, second: Para, join: Callable):
    """Initialiser of the joined record from one key (``first`` draws from the first half of the split)."""
    if (first.init_fn is None and first.wires) or (second.init_fn is None and second.wires):
        return None

    def init(key):
        k1, k2 = jax.random.split(key)
        return join(first.init(k1), second.init(k2))
    return init


def _as_para(x, cod) -> Para:
    if isinstance(x, Para):
        return x
    if isinstance(x, (Diagram, Lens)):
        return Para.of(x)
    if callable(x):
        return _as_para(x(cod), cod)
    raise TypeError(f"cannot compose a Para with {type(x).__name__} {x!r}")
