"""The meaning of Z2 circuits over GF(2): ``to_gf2``, the functor from circuits to polynomials.

Each wire is an object array of polynomials in ``GF(2)[x₀, x₁, …]`` (coefficients mod 2, **exponents
kept**: the circuit ``x · x`` is ``x²``, not ``x``). This is the semantics in which ``Poly_Z2`` is a
reverse derivative category [RDA §4]: ``R[f]`` is the formal derivative of ``f``'s polynomial.
Every generator's GF(2) meaning is the ``z2`` field of its record (the boolean gates declare theirs in
``catgrad.boolean.gates``), so this module needs nothing of ``catgrad.boolean``; the boolean package
re-exports it.

>>> from catgrad.boolean import Z2, and_
>>> import catgrad as cg
>>> to_gf2(cg.copy(Z2(())) >> and_(Z2(())))
(x0**2,)
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy as sp

from .. import errors
from ..core.diagram import Diagram, expect_diagram
from ..core.signature import SIGNATURE
from .functor import as_outputs, interpret
from .sympy import from_array, symbols, to_array

def structural() -> tuple:
    """The names of the generators that act on real and on Z2 wires alike and state a GF(2) meaning
    (``add`` is XOR, ``sum`` an XOR-reduction, ...); the Z2 gates act on Z2 wires only (no real JAX meaning).

    >>> structural()[:2]
    ('add', 'zero')
    """
    return tuple(name for name, g in SIGNATURE.items() if g.z2 is not None and g.jax is not None)


def _gens(args) -> tuple:
    free = set()
    for a in args:
        for e in np.asarray(a, dtype=object).ravel():
            free |= sp.sympify(e).free_symbols if not isinstance(e, sp.Poly) else set(e.gens)
    if not free:
        return (sp.Symbol("_z2_dummy"),)
    return tuple(sorted(free, key=lambda s: s.name))


def _lift(arr, gens, shape) -> np.ndarray:
    a = np.asarray(arr, dtype=object).reshape(shape)
    out = np.empty(shape, dtype=object)
    for i in np.ndindex(*shape):
        e = a[i]
        if isinstance(e, sp.Poly):
            out[i] = e if e.gens == gens else sp.Poly(e.as_expr(), *gens, modulus=2)
        else:
            out[i] = sp.Poly(sp.sympify(int(e) if isinstance(e, (bool, np.bool_)) else e), *gens, modulus=2)
    return out


def _check_z2_wires(types, what: str = "to_gf2"):
    for t in types:
        if t.dtype != "bool":
            raise errors.SemanticsError(
                f"{what}: the diagram has a wire of type {t} (dtype {t.dtype}); a Z2 circuit has only bool wires. "
                "Smooth circuits have the semantics catgrad.to_sympy / catgrad.to_jax")


def gf2_meaning(gens: tuple):
    """The meaning over GF(2): each record's ``z2`` meaning, every result reduced mod 2 as ``sympy.Poly`` in ``gens``."""
    def meaning(op, args, types):
        if op.gen.z2 is None:
            raise errors.SemanticsError(
                f"to_gf2: generator {op.gen.name!r} has no meaning over GF(2) (it is not a Z2 gate); Z2 circuits "
                f"are built from the generators that state one: catgrad.boolean's xor, and_, one, zero, threshold "
                f"and the core generators {', '.join(structural())}")
        _check_z2_wires(types.dom @ types.cod)
        res = as_outputs(op.gen.z2(*args, **dict(op.attrs)), len(op.outs))
        return tuple(_lift(r, gens, t.shape) for r, t in zip(res, types.cod))
    return meaning


def gf2_polys(f: Diagram, inputs: Sequence | None = None) -> tuple:
    """``f``'s outputs as object arrays of ``sympy.Poly`` over GF(2) (``modulus=2``), one per codomain wire.

    ``inputs`` gives one sympy object (expression, Matrix) per domain wire, or defaults to
    ``catgrad.symbols(f.dom)``. Every generator uses the GF(2) meaning its record states (``z2``:
    ``add`` is XOR, ``sum`` an XOR-reduction, ...); every intermediate result is reduced mod 2.

    >>> from catgrad.boolean import Z2, xor
    >>> gf2_polys(xor(Z2(())))[0].item()
    Poly(x0 + x1, x0, x1, modulus=2)
    """
    expect_diagram("to_gf2", f)
    if inputs is None:
        inputs = symbols(f.dom)
    if len(inputs) != len(f.dom):
        raise TypeError(errors.arity("to_gf2", len(f.dom), len(inputs), f" (its domain is {f.dom})"))
    args = [to_array(x, t) if not isinstance(x, np.ndarray) else x for x, t in zip(inputs, f.dom)]
    gens = _gens(args)
    out = interpret(f, gf2_meaning(gens), [_lift(a, gens, t.shape) for a, t in zip(args, f.dom)])
    _check_z2_wires(f.dom @ f.cod)
    return out


def to_gf2(f: Diagram, inputs: Sequence | None = None) -> tuple:
    """The polynomials over GF(2) of ``f``'s outputs, as sympy expressions (coefficients in {0, 1}).

    Like ``catgrad.to_sympy`` (a scalar output is an expression, a vector a column ``Matrix``, …), in
    the symbols ``catgrad.symbols(f.dom)`` unless ``inputs`` are given. Exponents are kept (``x·x`` is
    ``x**2``), so ``R[f]`` is the formal derivative of ``f``'s polynomial.

    Raises ``SemanticsError`` for a diagram with a non-bool wire or a generator that has no GF(2) meaning.

    >>> from catgrad.boolean import Z2, or_
    >>> to_gf2(or_(Z2(())))
    (x0*x1 + x0 + x1,)
    """
    out = []
    for arr in gf2_polys(f, inputs):
        exprs = np.empty(arr.shape, dtype=object)
        for i in np.ndindex(*arr.shape):
            exprs[i] = arr[i].as_expr()
        out.append(from_array(exprs))
    return tuple(out)


def evaluate_gf2(poly: sp.Poly, point: dict) -> int:
    """The value in {0, 1} of a GF(2) polynomial at a 0/1 point ``{symbol: 0 or 1}`` (missing symbols: 0).

    >>> x = sp.Symbol("x")
    >>> evaluate_gf2(sp.Poly(x**2 + 1, x, modulus=2), {x: 1})
    0
    """
    total = 0
    for monom, coeff in poly.terms():
        term = int(coeff) % 2
        for g, e in zip(poly.gens, monom):
            if e:
                term &= int(point.get(g, 0)) & 1
        total ^= term
    return total


__all__ = ["to_gf2", "gf2_polys", "gf2_meaning", "evaluate_gf2"]
