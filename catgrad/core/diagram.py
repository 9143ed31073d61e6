"""Morphisms of the syntax: string diagrams as open hypergraphs.

A ``Diagram`` ``f: A → B`` is a hypergraph whose nodes are typed *wires* and whose
hyperedges are *operations* (a generator with attributes, an ordered list of input
wires and of output wires), together with ordered lists of domain and codomain wires
[DPA]. Every wire has exactly one source (a domain position or one operation's output)
and the operations are stored in topological order, so a diagram is a term DAG of the
free cartesian left-additive category over the signature:

- ``identity(A)``: the domain wires are the codomain wires;
- ``swap(A, B)``: the codomain lists the same wires in another order;
- ``copy(A)`` (Δ): a wire appears twice in the codomain; ``discard(A)`` (!): not at all;
- ``add(A)``, ``zero(A)`` and every other generator are operations.

Composition ``f >> g`` glues ``g``'s domain wires onto ``f``'s codomain wires, and tensor
``f @ g`` sets the two side by side. Both keep ``f``'s operations as they are and relabel
only ``g``'s, so they take time linear in the sizes involved.

The categorical laws hold on the nose for the semantics and up to relabelling of wires for
the data: ``(f >> g) >> h`` and ``f >> (g >> h)`` have the same operations in the same order.

>>> from catgrad import Array, sigmoid, copy, mul
>>> A = Array((3,))
>>> f = sigmoid(A) >> copy(A) >> mul(A)
>>> f.dom, f.cod, f.size
(Ty(f32[3]), Ty(f32[3]), 2)
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable, Iterable, NamedTuple, Sequence

import numpy as np

from .. import errors
from ..drawing.data import Drawing
from ..drawing.draw import Drawable
from ..drawing.graph import Body, Edge, Hypergraph
from ..drawing.layout import SWEEPS, layout
from .category import Composable
from .objects import Array, Ty, TyLike, as_ty
from .registry import freeze, lookup


class Op(NamedTuple):
    """One operation (hyperedge): a generator, its attributes, input and output wires, and its scope.

    ``scope`` names the layers that built the operation, outermost first (e.g. ``("dense",)``);
    drawing and printing use it, the semantics ignore it.
    """

    gen: Generator
    attrs: tuple
    ins: tuple
    outs: tuple
    scope: tuple = ()

    def relabel(self, m: Sequence[int]) -> "Op":
        return Op(self.gen, self.attrs, tuple(m[i] for i in self.ins), tuple(m[o] for o in self.outs), self.scope)

    def shift(self, n: int) -> "Op":
        return Op(self.gen, self.attrs, tuple(i + n for i in self.ins), tuple(o + n for o in self.outs), self.scope)

    def within(self, scope: tuple) -> "Op":
        """The same operation inside the scope ``scope`` (prefixed to its own)."""
        return self._replace(scope=tuple(scope) + self.scope) if scope else self

    @property
    def kwargs(self) -> dict:
        return dict(self.attrs)


class Diagram(Composable, Drawable):
    """A morphism ``dom → cod`` of the syntax (see the module docstring).

    Build diagrams from generators and the structural morphisms with ``>>`` and ``@``,
    or from a Python function on wires with ``trace``. Interpret them with
    ``to_jax``/``compile``, ``to_sympy``, and differentiate them with ``rdiff``.

    >>> from catgrad import Array, exp, sin
    >>> f = exp(Array(())) >> sin(Array(()))
    >>> f
    <Diagram f32[] → f32[]: 2 ops>
    >>> (f @ f).dom
    Ty(f32[], f32[])
    """

    __slots__ = ("wires", "ops", "dom_wires", "cod_wires", "dom_names", "cod_names", "_dom", "_cod")

    def __init__(self, wires: tuple, ops: tuple, dom_wires: tuple, cod_wires: tuple,
                 dom_names: tuple = (), cod_names: tuple = ()):
        self.wires = wires
        self.ops = ops
        self.dom_wires = dom_wires
        self.cod_wires = cod_wires
        self.dom_names = _names("dom", dom_names, len(dom_wires))
        self.cod_names = _names("cod", cod_names, len(cod_wires))
        self._dom = None
        self._cod = None

    # -- types ---------------------------------------------------------------
    @property
    def dom(self) -> Ty:
        if self._dom is None:
            self._dom = Ty(*(self.wires[w] for w in self.dom_wires))
        return self._dom

    @property
    def cod(self) -> Ty:
        if self._cod is None:
            self._cod = Ty(*(self.wires[w] for w in self.cod_wires))
        return self._cod

    @property
    def size(self) -> int:
        """The number of operations (generator applications)."""
        return len(self.ops)

    # -- the category --------------------------------------------------------
    def then(self, other: "Diagram") -> "Diagram":
        """Sequential composition ``f ; g`` (first ``self``, then ``other``), linear time."""
        if not isinstance(other, Diagram):
            raise TypeError(f"cannot compose a Diagram with {type(other).__name__} {other!r}")
        if self.cod != other.dom:
            raise TypeError(errors.compose_mismatch(self, other))
        n = len(self.wires)
        m = [-1] * len(other.wires)
        for i, w in enumerate(other.dom_wires):
            m[w] = self.cod_wires[i]
        extra = []
        for j, t in enumerate(other.wires):
            if m[j] < 0:
                m[j] = n + len(extra)
                extra.append(t)
        ops = self.ops + tuple(op.relabel(m) for op in other.ops)
        return Diagram(self.wires + tuple(extra), ops, self.dom_wires, tuple(m[c] for c in other.cod_wires),
                       self.dom_names, other.cod_names)

    def tensor(self, other: "Diagram") -> "Diagram":
        """Parallel composition ``f × g: A × C → B × D``, linear time."""
        if not isinstance(other, Diagram):
            raise TypeError(f"cannot tensor a Diagram with {type(other).__name__} {other!r}")
        n = len(self.wires)
        return Diagram(
            self.wires + other.wires,
            self.ops + tuple(op.shift(n) for op in other.ops),
            self.dom_wires + tuple(w + n for w in other.dom_wires),
            self.cod_wires + tuple(w + n for w in other.cod_wires),
            _joined_names(self.dom_names, other.dom_names, len(self.dom_wires), len(other.dom_wires)),
            _joined_names(self.cod_names, other.cod_names, len(self.cod_wires), len(other.cod_wires)),
        )

    def __call__(self, *wires: "Wire"):
        """``f(*wires)`` is ``apply(f, *wires)``: ``f`` spliced onto wires inside ``trace``."""
        return apply(self, *wires)

    # -- passes --------------------------------------------------------------
    def prune(self) -> "Diagram":
        """Dead-code elimination: drop operations no codomain wire depends on."""
        live = set(self.cod_wires)
        keep = []
        for op in reversed(self.ops):
            if any(o in live for o in op.outs):
                keep.append(op)
                live.update(op.ins)
        if len(keep) == len(self.ops):
            return self
        return _renumber(self.wires, tuple(reversed(keep)), self.dom_wires, self.cod_wires).with_names(
            self.dom_names, self.cod_names)

    def simplify(self) -> "Diagram":
        """Common-subexpression elimination followed by ``prune``: the same semantics, fewer ops.

        Two loops on the same inputs whose bodies update the carry alike are one loop (``gen.fuse``): a
        forward ``scan`` and the scan of its reverse derivative that keeps the carries run once.
        """
        alias, wires = list(range(len(self.wires))), list(self.wires)
        seen, loops, ops = {}, {}, []
        for op in self.ops:
            op = op._replace(ins=tuple(alias[i] for i in op.ins))
            key = (op.gen.name, op.attrs, op.ins)
            if key in seen:
                for o, p in zip(op.outs, seen[key].outs):
                    alias[o] = p
                continue
            fuse, first = getattr(op.gen, "fuse", None), loops.get((op.gen.name, op.ins))
            attrs = fuse(ops[first].kwargs, op.kwargs) if fuse and first is not None else None
            if attrs is None:
                seen[key] = op
                if fuse:
                    loops[(op.gen.name, op.ins)] = len(ops)
                ops.append(op)
                continue
            old, carry = ops[first], attrs["carry"]
            extra = tuple(range(len(wires), len(wires) + len(op.outs) - carry))
            wires.extend(self.wires[o] for o in op.outs[carry:])
            for o, p in zip(op.outs, old.outs[:carry] + extra):
                alias[o] = p
            ops[first] = old._replace(attrs=tuple((k, attrs[k]) for k, _ in old.attrs), outs=old.outs + extra)
            seen[(old.gen.name, ops[first].attrs, old.ins)] = ops[first]
        d = Diagram(tuple(wires), tuple(ops), self.dom_wires, tuple(alias[c] for c in self.cod_wires),
                    self.dom_names, self.cod_names)
        return d.prune()

    def named(self, name: str) -> "Diagram":
        """The same diagram with every operation inside the scope ``name`` (a layer's name).

        >>> from catgrad import Array, sigmoid
        >>> sigmoid(Array((3,))).named("act").ops[0].scope
        ('act',)
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"Diagram.named: a scope name must be a non-empty str, got {name!r}")
        return Diagram(self.wires, tuple(op.within((name,)) for op in self.ops), self.dom_wires, self.cod_wires,
                       self.dom_names, self.cod_names)

    def top_scopes(self) -> set:
        """The outermost scope names of the operations (the layers that built them)."""
        return {op.scope[0] for op in self.ops if op.scope}

    def rescoped(self, rename: dict) -> "Diagram":
        """The same diagram with the outermost scope names renamed by ``rename`` (``{"dense": "dense_1"}``)."""
        if not rename:
            return self
        ops = tuple(op._replace(scope=(rename.get(op.scope[0], op.scope[0]),) + op.scope[1:]) if op.scope else op
                    for op in self.ops)
        return Diagram(self.wires, ops, self.dom_wires, self.cod_wires, self.dom_names, self.cod_names)

    def with_names(self, dom=None, cod=None) -> "Diagram":
        """The same diagram with its boundary wires named: ``dom`` (one name per domain wire, ``""`` for
        none) and ``cod`` likewise; ``None`` keeps the names it has, ``()`` drops them.

        Names are for reading (drawing labels a wire ``x: f32[3]``): composition keeps the outer
        boundary's (``f >> g``: ``f``'s domain names, ``g``'s codomain names), the semantics ignore them.

        >>> from catgrad import Array, exp
        >>> f = exp(Array(())).with_names(["t"], ["y"])
        >>> f.dom_names, (f >> f).cod_names
        (('t',), ('y',))
        """
        return Diagram(self.wires, self.ops, self.dom_wires, self.cod_wires,
                       self.dom_names if dom is None else tuple(dom), self.cod_names if cod is None else tuple(cod))

    # -- printing ------------------------------------------------------------
    def __repr__(self):
        return f"<Diagram {self.dom} → {self.cod}: {self.size} op{'s' if self.size != 1 else ''}>"

    def __str__(self):
        names = {}

        def name(w):
            if w not in names:
                names[w] = _wire_name(len(names))
            return names[w]

        dom = " ".join(f"{name(w)}:{self.wires[w]}" for w in self.dom_wires)
        lines = [f"{{ λ {dom} ."]
        for op in self.ops:
            outs = " ".join(f"{name(o)}:{self.wires[o]}" for o in op.outs)
            attrs = "".join(f"[{k}={v}]" for k, v in op.attrs)
            ins = " ".join(name(i) for i in op.ins)
            lines.append(f"    {outs} = {op.gen.name}{attrs} {ins}".rstrip())
        lines.append(f"  in ({', '.join(name(c) for c in self.cod_wires)}) }}")
        return "\n".join(lines)

    # -- drawing (drawing's data sits below the syntax) ---------------------------------
    def hypergraph(self) -> Hypergraph:
        """``self`` as drawing's plain data: the wires' type labels, the boundary, one ``Edge`` per operation.

        A loop (an operation with a diagram among its attributes, its body: ``scan``) keeps its stacked
        wires; its edge carries its body as a ``Body``: the body's own hypergraph (one step's types), the
        length, and how many of its wires are constants and carry, so that drawing frames it as a loop.

        >>> from catgrad import Array, trace, tanh, scan
        >>> A = Array((2,))
        >>> g = scan(trace(lambda h, x: (tanh(h + x), h), A, A), 3).hypergraph()
        >>> [(e.name, e.path, [g.wires[i] for i in e.ins]) for e in g.edges]
        [('scan', ('scan ×3',), ['f32[2]', 'f32[3,2]'])]
        >>> b = g.edges[0].body
        >>> [e.name for e in b.graph.edges], [b.graph.wires[i] for i in b.graph.dom], b.sequence_ins()
        (['add', 'tanh'], ['f32[2]', 'f32[2]'], (1,))
        """
        edges = tuple(Edge(op.gen.name, op.gen.drawing_label(Ty(*(self.wires[i] for i in op.ins)), op.attrs),
                           tuple((k, v) for k, v in op.attrs if not isinstance(v, Diagram)),
                           tuple(op.ins), tuple(op.outs), tuple(op.scope), _body(op.attrs))
                      for op in self.ops)
        return Hypergraph(tuple(str(t) for t in self.wires), tuple(self.dom_wires), tuple(self.cod_wires), edges,
                          self.dom_names, self.cod_names)

    def to_drawing(self, *, depth=None, types: bool = True, sweeps: int = SWEEPS, params: int = 0,
                   param_names=(), bundle: str = "") -> Drawing:
        """The string diagram of ``self`` laid out left to right (``catgrad.draw``); the first ``params``
        domain wires (named ``param_names``) enter from the top, as a Para's parameters, bundled into one
        wire labelled ``bundle`` if it is given."""
        return layout(self.hypergraph(), depth=depth, params=params, param_names=param_names, bundle=bundle,
                      types=types, sweeps=sweeps)


def _body(attrs) -> "Body | None":
    """A loop's body as drawing's data (see ``Diagram.hypergraph``); ``None`` for an operation without one."""
    loop = bodies(attrs)
    if not loop:
        return None
    a = dict(attrs)
    return Body(loop[0].hypergraph(), a.get("length", 1), a.get("consts", 0), a.get("carry", 0),
                bool(a.get("reverse", False)))


def expect_diagram(what: str, f) -> None:
    """Raise ``TypeError("<what> expects a Diagram, got <type> <value>")`` unless ``f`` is a Diagram."""
    if not isinstance(f, Diagram):
        raise TypeError(f"{what} expects a Diagram, got {errors.describe(f)}")


def _names(side: str, names, n: int) -> tuple:
    """``names`` checked as the names of ``n`` boundary wires: ``()`` (none) or ``n`` strings."""
    names = tuple(names)
    if names and (len(names) != n or not all(isinstance(a, str) for a in names)):
        raise TypeError(f"Diagram: the {side} names must be {n} str (one per {side} wire, '' for none), got {names!r}")
    return names


def _joined_names(a: tuple, b: tuple, m: int, n: int) -> tuple:
    """The names of the boundary of a tensor: ``a`` then ``b`` (``""`` standing for a side without names)."""
    if not a and not b:
        return ()
    return (a or ("",) * m) + (b or ("",) * n)


def _wire_name(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def _renumber(wires, ops, dom_wires, cod_wires) -> Diagram:
    """Renumber wires densely in order of first appearance, dropping unused ones."""
    m = {}

    def get(w):
        if w not in m:
            m[w] = len(m)
        return m[w]

    dom = tuple(get(w) for w in dom_wires)
    new_ops = tuple(op._replace(ins=tuple(get(i) for i in op.ins), outs=tuple(get(o) for o in op.outs)) for op in ops)
    cod = tuple(get(w) for w in cod_wires)
    new_wires = [None] * len(m)
    for w, j in m.items():
        new_wires[j] = wires[w]
    return Diagram(tuple(new_wires), new_ops, dom, cod)


# -- structural morphisms ------------------------------------------------------

def wiring(dom: TyLike, outputs: Sequence[int]) -> Diagram:
    """The cartesian wiring ``dom → dom[outputs[0]] × dom[outputs[1]] × …``.

    Every map built from identities, swaps, copies and discards is one of these.

    >>> wiring(Array(()) @ Array((2,)), [1, 1, 0]).cod
    Ty(f32[2], f32[2], f32[])
    """
    dom = as_ty(dom)
    for i in outputs:
        if not 0 <= i < len(dom):
            raise TypeError(f"wiring: output index {i} out of range for a domain of {len(dom)} wire(s) ({dom})")
    n = len(dom)
    return Diagram(tuple(dom), (), tuple(range(n)), tuple(int(i) for i in outputs))


def identity(A: TyLike) -> Diagram:
    """The identity ``1_A: A → A``.

    >>> from catgrad import Array
    >>> identity(Array((2,))).size, identity(Array((2,))).cod
    (0, Ty(f32[2]))
    """
    return wiring(A, range(len(as_ty(A))))


def swap(A: TyLike, B: TyLike) -> Diagram:
    """The symmetry ``σ: A × B → B × A``.

    >>> from catgrad import Array
    >>> swap(Array(()), Array((2,))).cod
    Ty(f32[2], f32[])
    """
    a, b = len(as_ty(A)), len(as_ty(B))
    return wiring(as_ty(A) @ B, [*range(a, a + b), *range(a)])


def copy(A: TyLike, n: int = 2) -> Diagram:
    """Copy (the diagonal) ``Δ: A → A × A`` (or ``Aⁿ`` for ``n`` copies).

    >>> from catgrad import Array
    >>> copy(Array((2,))).cod, copy(Array(()), 3).cod
    (Ty(f32[2], f32[2]), Ty(f32[], f32[], f32[]))
    """
    if not isinstance(n, int) or n < 0:
        raise TypeError(f"copy: the number of copies must be a non-negative int, got {n!r}")
    k = len(as_ty(A))
    return wiring(A, [i for _ in range(n) for i in range(k)])


def discard(A: TyLike) -> Diagram:
    """Discard (the terminal map) ``!: A → 1``.

    >>> from catgrad import Array
    >>> discard(Array((2,))).cod
    Ty()
    """
    return wiring(A, [])


def pair(f: Diagram, g: Diagram) -> Diagram:
    """Pairing ``⟨f, g⟩ = Δ ; (f × g)`` of two maps with the same domain.

    >>> from catgrad import Array, exp, sin, to_sympy
    >>> to_sympy(pair(exp(Array(())), sin(Array(()))))
    (exp(x0), sin(x0))
    """
    if f.dom != g.dom:
        raise TypeError(f"pair: ⟨f, g⟩ needs f and g with the same domain, got {f.dom} and {g.dom}")
    return copy(f.dom) >> (f @ g)


def proj(A: TyLike, B: TyLike, i: int) -> Diagram:
    """The projection ``π₀: A × B → A`` (``i=0``) or ``π₁: A × B → B`` (``i=1``).

    >>> from catgrad import Array
    >>> proj(Array(()), Array((2,)), 1).cod
    Ty(f32[2])
    """
    if i not in (0, 1):
        raise TypeError(f"proj: i must be 0 (π₀: A × B → A) or 1 (π₁: A × B → B), got {i!r}")
    a, b = len(as_ty(A)), len(as_ty(B))
    return wiring(as_ty(A) @ B, range(a) if i == 0 else range(a, a + b))


# -- building diagrams from functions on wires ---------------------------------

class Builder:
    """An imperative builder of one diagram: wires and operations are appended in order."""

    __slots__ = ("wires", "ops")

    def __init__(self):
        self.wires: list[Array] = []
        self.ops: list[Op] = []

    def new_wire(self, t: Array) -> int:
        self.wires.append(t)
        return len(self.wires) - 1

    def append(self, gen: "Generator", ins: Sequence[int], attrs: tuple, cod: Ty, scope: tuple = ()) -> list[int]:
        """Append one operation as given (attributes frozen, codomain typed: a functor copying an operation);
        its new output wires. Applying a generator is ``apply``."""
        outs = tuple(self.new_wire(t) for t in cod)
        self.ops.append(Op(gen, attrs, tuple(ins), outs, tuple(scope)))
        return list(outs)

    def splice(self, d: Diagram, ins: Sequence[int], scope: tuple = ()) -> list[int]:
        """Insert diagram ``d`` (inside ``scope``) with its domain glued to wires ``ins``; return its codomain wires."""
        n = len(self.wires)
        m = [-1] * len(d.wires)
        for w, i in zip(d.dom_wires, ins):
            m[w] = i
        for j, t in enumerate(d.wires):
            if m[j] < 0:
                m[j] = n
                n += 1
                self.wires.append(t)
        self.ops.extend(op.relabel(m).within(scope) for op in d.ops)
        return [m[c] for c in d.cod_wires]

    def build(self, dom: Sequence[int], cod: Sequence[int]) -> Diagram:
        return Diagram(tuple(self.wires), tuple(self.ops), tuple(dom), tuple(cod))


class Wire:
    """A handle on one wire of a diagram being traced; arithmetic builds operations (broadcasting shapes).

    ``x + y`` is ``add``, ``x * y`` is ``mul``, ``-x`` is ``neg``, ``x - y`` is ``x + (-y)``,
    ``x / y`` is ``div``; a Python number on either side is a ``constant``.

    >>> from catgrad import Array, trace
    >>> f = trace(lambda x, y: (x * y + 1.0, -x), Array(()), Array(()))
    >>> [op.gen.name for op in f.ops]
    ['mul', 'constant', 'add', 'neg']
    """

    __slots__ = ("builder", "id")

    def __init__(self, builder: Builder, id: int):
        self.builder = builder
        self.id = id

    @property
    def type(self) -> Array:
        return self.builder.wires[self.id]

    @property
    def shape(self) -> tuple:
        return self.type.shape

    @property
    def dtype(self) -> str:
        return self.type.dtype

    def __repr__(self):
        return f"Wire({self.type})"

    def _lift(self, other) -> "Wire":
        if isinstance(other, Wire):
            return other
        if isinstance(other, (int, float)):
            return apply("constant", into=self.builder, type=self.type, value=float(other))
        raise TypeError(f"cannot combine a wire of type {self.type} with {type(other).__name__} {other!r}")

    def __add__(self, other):
        return lookup("add")(self, self._lift(other))

    def __radd__(self, other):
        return lookup("add")(self._lift(other), self)

    def __mul__(self, other):
        return lookup("mul")(self, self._lift(other))

    def __rmul__(self, other):
        return lookup("mul")(self._lift(other), self)

    def __neg__(self):
        return lookup("neg")(self)

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) + (-self)

    def __truediv__(self, other):
        return lookup("div")(self, self._lift(other))

    def __rtruediv__(self, other):
        return lookup("div")(self._lift(other), self)


def _builder_of(wires: Iterable, what: str) -> Builder:
    b = None
    for w in wires:
        if not isinstance(w, Wire):
            raise TypeError(f"{what}: expected wires, got {type(w).__name__} {w!r}")
        if b is None:
            b = w.builder
        elif w.builder is not b:
            raise TypeError(f"{what}: wires come from different traced diagrams")
    if b is None:
        raise TypeError(f"{what}: needs at least one wire to know which diagram to build in")
    return b


def _pack(ws: list):
    return ws[0] if len(ws) == 1 else tuple(ws)


def trace(fn: Callable, *dom: TyLike) -> Diagram:
    """The diagram ``dom → cod`` that the Python function ``fn`` builds on wires.

    ``fn`` receives one ``Wire`` per array of ``dom`` and returns a wire or a tuple of
    wires (the codomain; returning an input wire is an identity, returning a wire twice
    is a copy, not returning it is a discard). The domain wires are named after ``fn``'s
    parameters when it has one per wire (``dom_names``; drawing labels them ``x: f32[2]``).

    >>> from catgrad import Array, exp
    >>> A = Array((2,))
    >>> f = trace(lambda x, y: (exp(x) * y, x), A, A)
    >>> f.dom, f.cod
    (Ty(f32[2], f32[2]), Ty(f32[2], f32[2]))
    >>> f.dom_names
    ('x', 'y')
    """
    dom_ty = Ty()
    for d in dom:
        dom_ty = dom_ty @ d
    b = Builder()
    ins = [Wire(b, b.new_wire(t)) for t in dom_ty]
    out = fn(*ins)
    if isinstance(out, Wire):
        out = (out,)
    if not isinstance(out, (tuple, list)):
        raise TypeError(f"trace: the function must return a wire or a tuple of wires, got {type(out).__name__} {out!r}")
    out = tuple(out)
    for w in out:
        if not isinstance(w, Wire) or w.builder is not b:
            raise TypeError(f"trace: the function must return wires of the traced diagram, got {w!r}")
    return b.build([w.id for w in ins], [w.id for w in out]).with_names(argument_names(fn, len(ins)))


def argument_names(fn: Callable, n: int) -> tuple:
    """The names of ``fn``'s positional parameters if it has exactly ``n`` of them (and no ``*args``), else ``()``.

    >>> argument_names(lambda h, x: h, 2), argument_names(lambda *ws: ws, 2)
    (('h', 'x'), ())
    """
    try:
        ps = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature
        return ()
    positional = [p.name for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) != n or any(p.kind is p.VAR_POSITIONAL for p in ps):
        return ()
    return tuple(positional)


def _is_shape(a) -> bool:
    return (isinstance(a, (int, np.integer)) and not isinstance(a, bool)) or (
        isinstance(a, (tuple, list)) and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in a))


def _is_object(a, shape_dtype: str | None) -> bool:
    if isinstance(a, (Wire, Array, Ty)):
        return True
    if isinstance(a, (tuple, list)) and a and all(isinstance(t, Array) for t in a):
        return True
    return shape_dtype is not None and _is_shape(a)


def _as_object(a, shape_dtype: str | None):
    if isinstance(a, Wire):
        return a
    if shape_dtype is not None and _is_shape(a):
        return Ty(Array(a, shape_dtype))
    return as_ty(a)


def arguments(what: str, args: tuple, shape_dtype: str | None = None) -> tuple:
    """Split a call's arguments into objects and the rest: the one place where catgrad decides
    whether a function (a generator or a composite) is applied to wires or to types.

    Returns ``(on_wires, objects, rest)``: ``objects`` are the wires (``on_wires``) or the types
    (``Ty``s; a shape stands for ``Array(shape, shape_dtype)`` where ``shape_dtype`` is given), and
    ``rest`` the other positional arguments in order. Wires and types cannot be mixed.
    """
    objs, rest = [], []
    for a in args:
        (objs if _is_object(a, shape_dtype) else rest).append(a)
    objs = [_as_object(a, shape_dtype) for a in objs]
    n_wires = sum(isinstance(a, Wire) for a in objs)
    if n_wires and n_wires != len(objs):
        raise TypeError(errors.mixed_arguments(what, args))
    return bool(n_wires), objs, rest


def _product(objs, arity: int | None) -> Ty:
    dom = Ty()
    for t in objs:
        dom = dom @ t
    if arity is not None and arity > 1 and len(dom) == 1:
        dom = Ty(*([dom[0]] * arity))
    return dom


def call(gen: Generator, args: tuple, attrs: dict):
    """Apply the generator record ``gen`` to ``args`` (what ``gen(*args, **attrs)`` does).

    On wires it gives wires; on types, a diagram: ``g(A)`` is ``g: A → cod`` (for a binary
    generator, ``A × A → cod``); a nullary generator (``zero``, ``constant``) takes the types as its
    codomain, one operation per array. Positional non-type arguments fill ``gen.params``.
    """
    on_wires, objs, rest = arguments(gen.name, args, gen.shape_dtype)
    if len(rest) > len(gen.params):
        raise TypeError(errors.too_many_arguments(gen.name, rest, gen.params))
    attrs = dict(attrs)
    for p, v in zip(gen.params, rest):
        if p in attrs:
            raise TypeError(f"{gen.name}: got the attribute {p!r} twice (positionally and as a keyword)")
        attrs[p] = v
    if on_wires:
        if gen.prepare is not None:
            objs = gen.prepare(*objs, **attrs)
        return apply(gen, *objs, **attrs)
    if gen.nullary:
        if "type" in attrs:
            return apply(gen, **attrs)
        cod = _product(objs, None) if objs else Ty(Array((), gen.shape_dtype or "float32"))
        d = Diagram((), (), (), ())
        for t in cod:
            d = d @ apply(gen, type=t, **attrs)
        return d
    dom = _product(objs, gen.arity)
    if gen.prepare is not None and len(set(dom)) > 1:  # e.g. broadcasting different shapes: traced on wires
        return trace(lambda *ws: call(gen, ws, attrs), dom)
    return apply(gen, dom, **attrs)


def composite(arity: int | None = 1, shape_dtype: str | None = None):
    """Make a function on wires (a composite of generators) also a function on types, like a generator.

    On wires it runs as written; given types it returns the diagram it traces (a single type for a
    binary composite means ``A × A``).

    >>> from catgrad import Array, exp
    >>> @composite(2)
    ... def f(x, y):
    ...     return exp(x) * y
    >>> f(Array((3,))).dom
    Ty(f32[3], f32[3])
    """
    def wrap(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kw):
            on_wires, objs, rest = arguments(fn.__name__, args, shape_dtype)
            if on_wires or not objs:
                return fn(*args, **kw)
            return trace(lambda *ws: fn(*ws, *rest, **kw), _product(objs, arity))
        return wrapper
    return wrap


def apply(f, /, *args, into: Builder | None = None, scope: tuple = (), **attrs):
    """Apply a generator (a record or its name) or a diagram: the one way to put operations into a diagram.

    A generator applied to types gives a one-operation ``Diagram``; applied to wires (inside ``trace``),
    wires. Generators with no inputs (``zero``, ``constant``) take their type as an attribute; they give a
    diagram ``1 → A``, or a wire of the builder ``into``. A diagram applied to wires is spliced onto them
    (``f(*wires)`` is the same). ``scope`` puts the new operations inside a scope (e.g. ``R(dense)``).
    One wire comes back bare, several as a tuple (``wires`` makes either a tuple). Calling a generator,
    ``g(*args)``, also reads positional attributes and broadcasts (see ``Generator``); it ends here.

    >>> from catgrad import Array, trace, exp
    >>> apply("sigmoid", Array((3,)))
    <Diagram f32[3] → f32[3]: 1 op>
    >>> trace(lambda x: apply("exp", x), Array(())).size
    1
    >>> trace(lambda x: apply(exp(Array(())), x, scope=("layer",)), Array(())).ops[0].scope
    ('layer',)
    """
    if isinstance(f, Diagram):
        return _splice(f, args, into, tuple(scope), attrs)
    g = lookup(f) if isinstance(f, str) else f
    builder = into
    if args and all(isinstance(a, Wire) for a in args):
        builder = _builder_of(args, g.name)
        dom = Ty(*(a.type for a in args))
    else:
        if any(isinstance(a, Wire) for a in args):
            raise TypeError(errors.mixed_arguments(g.name, args))
        dom = _product([as_ty(a) for a in args], None)
    if g.canon is not None:
        attrs = g.canon(dom, **attrs)
    cod = g.cod(dom, attrs)
    frozen = freeze(attrs)
    if builder is None:
        n = len(dom)
        wires = tuple(dom) + tuple(cod)
        op = Op(g, frozen, tuple(range(n)), tuple(range(n, n + len(cod))), tuple(scope))
        return Diagram(wires, (op,), op.ins, op.outs)
    outs = builder.append(g, [a.id for a in args], frozen, cod, tuple(scope))
    return _pack([Wire(builder, o) for o in outs])


def _splice(d: Diagram, ws: tuple, into: Builder | None, scope: tuple, attrs: dict):
    """``apply(d, *ws)``: the diagram ``d`` spliced onto wires ``ws`` (of the builder ``into`` if ``d`` has
    no inputs)."""
    what = f"diagram {d.dom} → {d.cod}"
    if attrs:
        raise TypeError(f"{what}: a diagram takes no attributes, got {', '.join(sorted(attrs))}")
    if not ws and into is None:
        raise TypeError(f"{what}: give the wires to apply it to, or the builder (into=) for a diagram without inputs")
    b = _builder_of(ws, repr(d)) if ws else into
    if len(ws) != len(d.dom):
        raise TypeError(errors.arity(what, len(d.dom), len(ws)))
    for i, (w, t) in enumerate(zip(ws, d.dom)):
        if w.type != t:
            raise TypeError(f"{what}: input {i} has type {t}, got a wire of type {w.type}")
    return _pack([Wire(b, o) for o in b.splice(d, [w.id for w in ws], scope)])


def wires(result) -> tuple:
    """What ``apply`` gave, as a tuple of wires (one wire comes back bare).

    >>> from catgrad import Array, trace, copy
    >>> trace(lambda x: wires(apply(copy(Array(())), x))[1], Array(())).cod
    Ty(f32[])
    """
    return (result,) if isinstance(result, Wire) else tuple(result)


def bodies(attrs) -> tuple:
    """The diagrams among an operation's attributes: the bodies of a higher-order generator (``scan``).

    The functors hand themselves to such a generator's rules, so that its meanings, R and batching are
    built from its body's: a meaning passes ``interpret`` (the fold under the same meaning), ``rdiff``
    passes ``rdiff`` and ``batch`` passes ``batch``.
    """
    return tuple(v for _, v in (attrs.items() if isinstance(attrs, dict) else attrs) if isinstance(v, Diagram))
