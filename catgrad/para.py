"""Parametrised maps: the categories Para(C) and Para(Lens(C)) [CFGBL §2.2].

A morphism ``A → B`` is ``(P, f: P × A → B)``; ``(P, f) ; (Q, g) = (Q × P, g(q, f(p, a)))``,
``(P, f) ⊗ (Q, g) = (P × Q, (f(p, a), g(q, c)))``, reparametrisation ``(Q, (r × 1) ; f)``, and
``R: (P, f) ↦ (P, (f, R[f]))`` into Para(Lens(C)). The parameter object is a **record**: a tree
of array types (``{"dense": {"W": f32[3,4], "b": f32[3]}}``) shaped like the initial values, the
gradients and the optimiser states (``catgrad.record``): its wires are ``leaves`` (JAX's tree order),
and the product of named records is their union (clashing names renamed ``dense_1``), of anonymous
ones the pair (``joiner``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import jax

from .batch import batch as batch_diagram
from .core.category import Composable
from .core.diagram import Diagram, identity, wiring
from .core.objects import Array, Ty, TyLike  # noqa: F401 (Array: the examples)
from .drawing.data import Drawing
from .drawing.draw import Drawable
from .lens import Lens
from .record import Record, as_record, joiner, leaves, paths, renaming, summary, traced

Map = Union[Diagram, Lens]


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
        join = joiner(self.param, other.param, lambda p, q: (q, p))
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
        join = joiner(self.param, other.param, lambda p_, q_: (p_, q_))
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
    rename = renaming(a & b, a | b)
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
