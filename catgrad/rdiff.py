"""The reverse derivative ``R``: a functor from the syntax to itself.

For ``f: A → B``, ``rdiff(f) = R[f]: A × B → A``; in the smooth semantics
``R[f](x, dy) = J_f(x)ᵀ dy`` (what ``jax.vjp(f, x)[1](dy)`` computes).

``R`` is defined on generators by their declared rules (each a diagram of generators) and
extended to every diagram by the axioms of a reverse derivative category [RDC Def. 13,
CFGBL Def. 2]; on a diagram this is reverse-mode accumulation:

- RD.3/RD.4: a wire's cotangent is the sum of the cotangents of its uses (``R[Δ] = +``),
  and an unused wire's is ``0`` (``R[!] = 0``);
- RD.5, the chain rule ``R[f ; g] = ⟨π₀, ⟨π₀ ; f, π₁⟩ ; R[g]⟩ ; R[f]``: the forward pass
  of ``f`` is copied once and every operation's rule is applied, last to first, to the
  forward values and the cotangents of its outputs.

An operation none of whose outputs receives a cotangent contributes nothing (RD.2:
``⟨a, 0⟩ ; R[f] = 0``), and operations the result does not depend on are pruned. So
``size(R[f]) ≤ c · size(f)`` where ``c`` is one plus the largest rule size plus the
additions of fan-out (see ``RDIFF_SIZE_FACTOR``), and ``R[R[f]]`` is again linear in ``f``.

Size bound. Each operation ``g`` of ``f`` costs at most ``1`` (its forward copy) ``+ |rule(g)|``
``+ arity(g)`` (additions of fan-out: one per cotangent contribution) ``+ coarity(g)`` (zeros for
outputs without a cotangent); besides, each domain wire may need one ``zero`` and each codomain
wire one addition. Hence::

    size(R[f]) ≤ c · size(f) + |dom f| + |cod f|,   c = RDIFF_SIZE_FACTOR = 1 + max_g (|rule(g)| + arity + coarity)

and, applying it twice, ``size(R[R[f]]) ≤ c² · size(f) + (c + 2)(|dom f| + |cod f|)``. For the smooth
generators the largest rule is softmax's (7 operations, arity 1, coarity 1), so ``c = 10``; the
tests check every generator's cost against this constant.

>>> from catgrad import Array, sigmoid, rdiff
>>> A = Array((3,))
>>> r = rdiff(sigmoid(A))
>>> r.dom, r.cod
(Ty(f32[3], f32[3]), Ty(f32[3]))
"""
from __future__ import annotations

import warnings
from functools import lru_cache

from . import errors
from .core.diagram import Builder, Diagram, Wire, apply, bodies, expect_diagram, wires
from .core.objects import Ty
from .core.signature import Generator


RDIFF_SIZE_FACTOR = 10
"""``c`` in ``size(R[f]) ≤ c · size(f) + |dom f| + |cod f|`` (see the module docstring)."""


@lru_cache(maxsize=None)
def rule(gen: Generator, dom: Ty, attrs: tuple) -> tuple:
    """``R[g]`` for one generator applied to ``dom``: ``(diagram, mask)``.

    ``diagram: dom × cod → (the inputs whose cotangent is not structurally zero)`` (``dom × cod × cod``
    when the rule reuses the forward outputs, ``gen.rdiff_uses_output``), and ``mask[i]`` tells
    whether input ``i`` has a (nonzero) cotangent.
    """
    if gen.rdiff is None:
        raise errors.NotDifferentiableError(errors.not_differentiable(gen.name))
    kw = dict(attrs)
    cod = gen.cod(dom, kw)
    b = Builder()
    xs = [Wire(b, b.new_wire(t)) for t in dom]
    ys = [Wire(b, b.new_wire(t)) for t in cod] if gen.rdiff_uses_output else []
    dys = [Wire(b, b.new_wire(t)) for t in cod]
    hook = {"rdiff": rdiff} if bodies(attrs) else {}  # a higher-order generator builds R from its body's R
    outs = list(gen.rdiff(*xs, *ys, *dys, **kw, **hook))
    if len(outs) != len(dom):
        raise ValueError(f"the rdiff rule of {gen.name!r} returned {len(outs)} cotangents for {len(dom)} inputs")
    for o, t in zip(outs, dom):
        if o is not None and (not isinstance(o, Wire) or o.type != t):
            raise ValueError(f"the rdiff rule of {gen.name!r} returned {o!r} for an input of type {t}")
    mask = tuple(o is not None for o in outs)
    d = b.build([w.id for w in xs + ys + dys], [o.id for o in outs if o is not None]).simplify()
    return d, mask


def numbered(prefix: str, n: int) -> list:
    """The default names of ``n`` wires: ``prefix`` for one, ``prefix0, prefix1, …`` for several.

    >>> numbered("x", 1), numbered("dy", 2)
    (['x'], ['dy0', 'dy1'])
    """
    return [prefix] if n == 1 else [f"{prefix}{i}" for i in range(n)]


def boundary_names(names: tuple, prefix: str, n: int) -> list:
    """The names of ``n`` boundary wires: those given (``names``, ``""`` for none) or ``numbered(prefix, n)``.

    >>> boundary_names(("h", ""), "x", 2), boundary_names((), "y", 1)
    (['h', 'x1'], ['y'])
    """
    default = numbered(prefix, n)
    return [a or b for a, b in zip(names, default)] if names else default


def cotangent(name: str) -> str:
    """The name of the cotangent of a wire named ``name``: ``dx`` for ``x``, ``d(dense.W)`` for a path.

    >>> cotangent("x"), cotangent("dy"), cotangent("dense.W")
    ('dx', 'ddy', 'd(dense.W)')
    """
    return "d" + name if name.isidentifier() else f"d({name})"


def rdiff_names(xs: list, ys: list, order: int = 1) -> tuple:
    """The names of the inputs and outputs of ``R^order[f]``, for ``f`` with inputs ``xs`` and outputs ``ys``:
    each ``R`` takes a cotangent ``d·`` for each output and returns the cotangent of each input, as in the
    formula ``R[f](x, dy) = dx`` (``catgrad.formula``) and the drawing of ``R[f]``.

    >>> rdiff_names(["x"], ["y"], 2)
    (['x', 'dy', 'ddx'], ['dx', 'ddy'])
    """
    ins, outs = list(xs), list(ys)
    for _ in range(order):
        ins, outs = ins + [cotangent(o) for o in outs], [cotangent(i) for i in ins]
    return ins, outs


def backward_scope(scope: tuple) -> tuple:
    """The scope of the backward operations of an operation in ``scope``: ``dense`` becomes ``R(dense)``."""
    return tuple(f"R({s})" for s in scope)


def _sum(b: Builder, terms: list, t) -> int:
    acc = terms[0]
    for w in terms[1:]:
        acc = apply("add", Wire(b, acc), Wire(b, w)).id
    return acc


def _zero(b: Builder, t) -> int:
    return apply("zero", into=b, type=t).id


def rdiff(f: Diagram) -> Diagram:
    """The reverse derivative ``R[f]: f.dom @ f.cod → f.dom`` as a diagram of the same generators.

    Formula: ``R[f](x, dy) = J_f(x)ᵀ dy``; built by the chain rule (RD.5), with copies
    and additions each other's reverse (RD.3–RD.4). ``rdiff(rdiff(f))`` and higher orders work.
    The result is minimal: common subexpressions are merged and dead operations pruned, so each
    computation appears once. The backward operations of an operation in scope ``dense`` are in
    scope ``R(dense)``. Its boundary is named as in the formula: ``f``'s input names (default ``x``),
    the cotangents ``dy`` of its outputs, and the cotangents ``dx`` it returns (``rdiff_names``).

    Raises ``NotDifferentiableError`` naming the generator if one has no reverse derivative.

    >>> from catgrad import Array, exp, to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(rdiff(exp(Array(()))))(jnp.float32(0.0), jnp.float32(2.0))
    (Array(2., dtype=float32),)
    >>> rdiff(exp(Array(()))).dom_names, rdiff(exp(Array(()))).cod_names
    (('x', 'dy'), ('dx',))
    """
    expect_diagram("rdiff", f)
    b = Builder()
    m = {}
    for w in f.dom_wires:
        m[w] = b.new_wire(f.wires[w])
    dys = [b.new_wire(f.wires[w]) for w in f.cod_wires]
    for op in f.ops:  # the forward pass, copied once
        for o in op.outs:
            m[o] = b.new_wire(f.wires[o])
        b.ops.append(op.relabel(m))
    cot: dict[int, list] = {}
    for w, dy in zip(f.cod_wires, dys):
        cot.setdefault(w, []).append(dy)
    for op in reversed(f.ops):
        if not any(o in cot for o in op.outs):
            continue  # RD.2: a zero cotangent contributes nothing
        douts = [_sum(b, cot.pop(o), f.wires[o]) if o in cot else _zero(b, f.wires[o]) for o in op.outs]
        dom = Ty(*(f.wires[i] for i in op.ins))
        if op.gen.zero_rdiff_warning:  # warned on every rdiff, not only when the (cached) rule is built
            warnings.warn(op.gen.zero_rdiff_warning, stacklevel=2)
        r, mask = rule(op.gen, dom, op.attrs)
        ys = [m[o] for o in op.outs] if op.gen.rdiff_uses_output else []
        args = [Wire(b, w) for w in [m[i] for i in op.ins] + ys + douts]
        dins = iter(w.id for w in wires(apply(r, *args, into=b, scope=backward_scope(op.scope))))
        for i, nonzero in zip(op.ins, mask):
            if nonzero:
                cot.setdefault(i, []).append(next(dins))
    result = [_sum(b, cot[w], f.wires[w]) if w in cot else _zero(b, f.wires[w]) for w in f.dom_wires]
    ins, outs = rdiff_names(boundary_names(f.dom_names, "x", len(f.dom_wires)),
                            boundary_names(f.cod_names, "y", len(f.cod_wires)))
    return b.build([m[w] for w in f.dom_wires] + dys, result).with_names(ins, outs).simplify()
