"""Parametrised maps: the categories Para(C) and Para(Lens(C)) [CFGBL §2.2].

A morphism ``A → B`` of Para(C) is a pair ``(P, f: P × A → B)``: a parameter object and a
map taking the parameters first.

- composition ``(P, f) ; (Q, g) = (Q × P, (q, p, a) ↦ g(q, f(p, a)))``; identity ``(1, π₁)``;
- tensor ``(P, f) ⊗ (Q, g) = (P × Q, (p, q, a, c) ↦ (f(p, a), g(q, c)))``;
- reparametrisation by ``r: Q → P``: ``(Q, (r × 1) ; f)`` (the 2-cells of Para);
- ``Para(Lens(C))``: the same with lenses ``(P, P')`` as parameters and a lens as map;
  ``R`` extends to ``Para(C) → Para(Lens(C))``: ``(P, f) ↦ (P, (f, R[f]))`` (``Para.lens``).

A Para also carries a *name* for each parameter wire (a path such as ``("dense", "W")``)
and an initialiser taking an explicit PRNG key, so parameters are pytrees (nested dicts
named by layer) that work with any JAX tool.

>>> from catgrad import Array, matmul, sigmoid
>>> layer = Para(Array((2, 3)), matmul(Array((2, 3)), Array((3,))) >> sigmoid(Array((2,))))
>>> layer.dom, layer.cod
(Ty(f32[3]), Ty(f32[2]))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import jax

from .batch import batch as batch_diagram
from .core.diagram import Diagram, identity, wiring
from .core.objects import Ty, TyLike, as_ty
from .drawing.data import Drawing
from .drawing.draw import Drawable
from .lens import Lens

Map = Union[Diagram, Lens]


def _fwd(m: Map) -> Diagram:
    return m.fwd if isinstance(m, Lens) else m


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


def _unique(names_q: Sequence[tuple], names_p: Sequence[tuple]) -> tuple:
    """Names of ``Q × P``: the parameters of P keep theirs, clashing top-level names of Q get a suffix."""
    tops_p, tops_q = {n[0] for n in names_p}, {n[0] for n in names_q}
    rename = _renaming(tops_q & tops_p, tops_p | tops_q)  # a fresh name must avoid Q's own names too
    return tuple((rename.get(n[0], n[0]), *n[1:]) for n in names_q) + tuple(names_p)


@dataclass(frozen=True)
class Para(Drawable):
    """A parametrised map ``(P, f: P × A → B)`` (``f`` a Diagram, or a Lens for Para(Lens)).

    Args:
        param: the parameter object ``P``.
        map: ``P @ A → B`` (a Diagram) or a lens ``(P @ A, P' @ A') → (B, B')``.
        names: one path (tuple of str) per parameter wire; defaults to ``("p0",), ("p1",), …``.
        init: ``key -> tuple of arrays`` in wire order, the initial parameters (optional).

    >>> from catgrad import Array, mul
    >>> scaling = Para(Array(()), mul(Array(())), [("scale", "c")])
    >>> scaling.param, scaling.dom, scaling.cod
    (Ty(f32[]), Ty(f32[]), Ty(f32[]))
    """

    param: Ty
    map: Map
    names: tuple = ()
    init_fn: Optional[Callable[[Any], tuple]] = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "param", as_ty(self.param))
        if not isinstance(self.map, (Diagram, Lens)):
            raise TypeError(f"Para(P, f): f must be a Diagram or a Lens, got {type(self.map).__name__}")
        P, dom = self.param, _fwd(self.map).dom
        if dom[: len(P)] != P:
            raise TypeError(f"Para: the map's domain {dom} must start with the parameter object {P}")
        names = tuple(tuple(n) if isinstance(n, (tuple, list)) else (str(n),) for n in self.names)
        if not names:
            names = tuple((f"p{i}",) for i in range(len(P)))
        if len(names) != len(P) or len(set(names)) != len(names):
            raise TypeError(f"Para: need {len(P)} distinct parameter names for {P}, got {names}")
        object.__setattr__(self, "names", names)

    # -- types ----------------------------------------------------------------
    @property
    def dom(self):
        """``A`` (a Ty), or ``(A, A')`` for a Para(Lens) morphism."""
        n = len(self.param)
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
        return Para(Ty(), f)

    @staticmethod
    def identity(A: TyLike) -> "Para":
        """The identity ``(1, π₁) = (1, 1_A)``."""
        return Para(Ty(), identity(A))

    # -- composition ----------------------------------------------------------
    def then(self, other) -> "Para":
        """``(P, f) ; (Q, g) = (Q × P, (q, p, a) ↦ g(q, f(p, a)))``.

        ``other`` may be a Para, a map (lifted with ``Para.of``) or a layer: a callable taking
        this morphism's codomain type (e.g. ``catgrad.nn.sigmoid``).
        """
        other = _as_para(other, self.cod if not isinstance(self.map, Lens) else self.cod[0])
        if isinstance(self.map, Lens) != isinstance(other.map, Lens):
            raise TypeError("cannot compose a Para(C) morphism with a Para(Lens(C)) one: apply .lens() to both")
        if self.cod != other.dom:
            raise TypeError(f"cannot compose Para morphisms: the codomain {self.cod} of the first is not the "
                            f"domain {other.dom} of the second")
        Q = other.param
        g = _distinct_scopes(self.map, other.map)
        if isinstance(self.map, Lens):
            m = (Lens.identity(Q, other.map.bwd.cod[:len(Q)]) @ self.map) >> g  # (Q, Q') may differ
        else:
            m = (identity(Q) @ self.map) >> g
        return Para(Q @ self.param, m, _unique(other.names, self.names), _init_product(other, self))

    def tensor(self, other: "Para") -> "Para":
        """``(P, f) ⊗ (Q, g) = (P × Q, (p, q, a, c) ↦ (f(p, a), g(q, c)))``."""
        if not isinstance(other, Para):
            raise TypeError(f"cannot tensor a Para with {type(other).__name__}")
        p, q = len(self.param), len(other.param)
        a = len(_fwd(self.map).dom) - p
        c = len(_fwd(other.map).dom) - q
        order = [*range(p), *range(p + q, p + q + a), *range(p, p + q), *range(p + q + a, p + q + a + c)]
        dom = self.param @ other.param @ _fwd(self.map).dom[p:] @ _fwd(other.map).dom[q:]
        w = wiring(dom, order)
        if isinstance(self.map, Lens):
            # the wiring lens ((P,Q,A,C), (P',Q',A',C')) → ((P,A,Q,C), (P',A',Q',C')): its backward map
            # permutes the primed blocks back (P' may differ from P, so this is not Lens.of(w) in general)
            f_p, g_p = self.map.bwd.cod, other.map.bwd.cod
            nPp, nAp, nQp, nCp = p, len(f_p) - p, q, len(g_p) - q
            n = len(dom)
            # the wired primes P' A' Q' C' sit at n + 0.., the Para order is P' Q' A' C'
            back_order = [*range(n, n + nPp), *range(n + nPp + nAp, n + nPp + nAp + nQp),
                          *range(n + nPp, n + nPp + nAp), *range(n + nPp + nAp + nQp, n + nPp + nAp + nQp + nCp)]
            back = wiring(dom @ f_p @ g_p, back_order)
            m = Lens(w, back) >> (self.map @ _distinct_scopes(self.map, other.map))
        else:
            m = w >> (self.map @ _distinct_scopes(self.map, other.map))
        names = _unique(other.names, self.names)  # Q's names, then P's
        q_names, p_names = names[: len(other.names)], names[len(other.names):]
        return Para(self.param @ other.param, m, p_names + q_names, _init_product(self, other))

    def __rshift__(self, other):
        return self.then(other)

    def __matmul__(self, other):
        return self.tensor(other)

    # -- the functor R: Para(C) → Para(Lens(C)) -----------------------------------
    def lens(self) -> "Para":
        """``(P, f) ↦ (P, (f, R[f]))``, a Para(Lens(C)) morphism."""
        if isinstance(self.map, Lens):
            return self
        return Para(self.param, Lens.of(self.map), self.names, self.init_fn)

    def batched(self, n: int) -> "Para":
        """The same map on a batch of ``n`` inputs, the parameters shared (see ``catgrad.batch``)."""
        if isinstance(self.map, Lens):
            raise TypeError("batch a Para(C) morphism before taking its lens (R of the batched map)")
        nP, nA = len(self.param), len(self.dom)
        return Para(self.param, batch_diagram(self.map, n, [False] * nP + [True] * nA), self.names, self.init_fn)

    # -- parameters as pytrees --------------------------------------------------
    def init(self, key) -> dict:
        """Initial parameters from an explicit PRNG key, as a nested dict named by layer."""
        if self.init_fn is None:
            raise ValueError(f"{self!r} has no initialiser: pass parameters explicitly")
        return self.tree(self.init_fn(key))

    def tree(self, flat: Sequence) -> dict:
        """Parameters in wire order → nested dict by name."""
        if len(flat) != len(self.names):
            raise TypeError(f"expected {len(self.names)} parameter arrays ({self.param}), got {len(flat)}")
        return nest(self.names, flat)

    def flat(self, tree) -> list:
        """Nested dict by name → parameters in wire order (checking each shape)."""
        out = []
        for path, t in zip(self.names, self.param):
            v = pick(tree, path, "parameter", f" ({t})", " from the given parameters")
            if tuple(getattr(v, "shape", ())) != t.shape:
                raise TypeError(f"parameter {'/'.join(path)} should have shape {t.shape} ({t}), got {getattr(v, 'shape', v)}")
            out.append(v)
        return out

    def named(self, name: str) -> "Para":
        """The same morphism with its map's operations inside the scope ``name`` (a layer's name, which
        drawings show as one box); parameters keep their names.

        >>> from catgrad import nn
        >>> nn.dense(2, 3).named("encoder").map.ops[0].scope[0]
        'encoder'
        """
        return Para(self.param, self.map.named(name), self.names, self.init_fn)

    def reparam(self, r: Map, names: Sequence | None = None, init_fn: Callable | None = None) -> "Para":
        """See ``reparam``."""
        return reparam(self, r, names, init_fn)

    def __repr__(self):
        kind = "Para(Lens)" if isinstance(self.map, Lens) else "Para"
        return f"<{kind} {self.dom} → {self.cod} with parameters {self.param}>"

    def to_drawing(self, **options) -> Drawing:
        """``(P, f)``: the map's picture with the parameter wires entering from the top (``catgrad.draw``)."""
        return self.map.to_drawing(params=len(self.param), param_names=[".".join(n) for n in self.names], **options)


def nest(names: Sequence, values: Sequence) -> dict:
    """Values in order → a nested dict, value ``i`` at the path ``names[i]`` (a tuple of keys).

    >>> nest([("a", "W"), ("a", "b"), ("c",)], [1, 2, 3])
    {'a': {'W': 1, 'b': 2}, 'c': 3}
    """
    out: dict = {}
    for path, v in zip(names, values):
        d = out
        for key in path[:-1]:
            d = d.setdefault(key, {})
        d[path[-1]] = v
    return out


def pick(tree, path: Sequence, what: str = "parameter", detail: str = "", where: str = ""):
    """The entry of the nested dict ``tree`` at ``path``; a ``KeyError`` naming the path if it is missing.

    >>> pick({"a": {"W": 1}}, ("a", "W"))
    1
    """
    v = tree
    try:
        for key in path:
            v = v[key]
    except (KeyError, TypeError, IndexError):
        raise KeyError(f"{what} {'/'.join(path)}{detail} is missing{where}") from None
    return v


def reparam(p: Para, r: Map, names: Sequence | None = None, init_fn: Callable | None = None) -> Para:
    """Reparametrise ``(P, f)`` by ``r: Q → P``: ``(Q, (r × 1) ; f)`` (a 2-cell of Para).

    For a Para(Lens) morphism ``r`` is a lens ``(Q, Q') → (P, P')``.

    >>> from catgrad import Array, exp, mul
    >>> positive = Para(Array(()), mul(Array(()))).reparam(exp(Array(())))   # the scale is e^s
    >>> positive.param
    Ty(f32[])
    """
    rf = _fwd(r)
    if rf.cod != p.param:
        raise TypeError(f"reparam: r must map into the parameter object {p.param}, but its codomain is {rf.cod}")
    if isinstance(p.map, Lens):
        if not isinstance(r, Lens):
            raise TypeError("reparam: a Para(Lens) morphism is reparametrised by a lens")
        A = (p.map.fwd.dom[len(p.param):], p.map.bwd.cod[len(p.param):])
        m = (r @ Lens.identity(*A)) >> p.map
    else:
        m = (rf @ identity(p.dom)) >> p.map
    return Para(rf.dom, m, names or (), init_fn)


def _distinct_scopes(first: Map, second: Map) -> Map:
    """``second`` with the layer (scope) names it shares with ``first`` suffixed, ``dense`` → ``dense_1``
    (and ``R(dense)`` → ``R(dense_1)``), as ``_unique`` does for parameter names: each layer keeps its own box."""
    a, b = _fwd(first).top_scopes(), _fwd(second).top_scopes()
    rename = _renaming(a & b, a | b)
    rename.update({f"R({top})": f"R({new})" for top, new in rename.items()})
    return second.rescoped(rename) if rename else second


def _init_product(first: Para, second: Para):
    """Initialiser of the product ``first.param × second.param`` from one key."""
    if first.init_fn is None and len(first.param):
        return None
    if second.init_fn is None and len(second.param):
        return None

    def init(key):
        k1, k2 = jax.random.split(key)
        a = tuple(first.init_fn(k1)) if len(first.param) else ()
        b = tuple(second.init_fn(k2)) if len(second.param) else ()
        return a + b
    return init


def _as_para(x, cod) -> Para:
    if isinstance(x, Para):
        return x
    if isinstance(x, (Diagram, Lens)):
        return Para.of(x)
    if callable(x):
        return _as_para(x(cod), cod)
    raise TypeError(f"cannot compose a Para with {type(x).__name__} {x!r}")
