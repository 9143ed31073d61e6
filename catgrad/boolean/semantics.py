"""Semantics of Z2 circuits: polynomials over GF(2) (``to_gf2``) and checked JAX functions.

``to_gf2(f)`` is the functor from circuits to polynomials over the field GF(2): each wire is an
object array of polynomials in ``GF(2)[x₀, x₁, …]`` (coefficients mod 2, **exponents kept**: the
circuit ``x · x`` is ``x²``, not ``x``). This is the semantics in which ``Poly_Z2`` is a reverse
derivative category [RDA §4]: ``R[f]`` is the formal derivative of ``f``'s polynomial,
``R[f](x, dy)ᵢ = Σⱼ ∂fⱼ/∂xᵢ · dyⱼ``.

The formal derivative and the *boolean difference* ``f(x) + f(x + eᵢ)`` agree whenever the
polynomial is multilinear (every exponent ≤ 1), but not in general: for ``f(x) = x·x = x²`` the
formal derivative is ``2x = 0``, so ``R[f](x, dy) = 0``, while the boolean difference of the
function ``x ↦ x`` is ``1`` (it would give ``dy``). catgrad's ``rdiff`` is the formal derivative,
as RD.1–RD.7 require.

>>> from catgrad.boolean import Z2, and_, to_gf2
>>> import catgrad as cg
>>> sq = cg.copy(Z2(())) >> and_(Z2(()))
>>> to_gf2(sq)
(x0**2,)
>>> to_gf2(cg.rdiff(sq))
(0,)

The JAX meaning of a Z2 circuit is the ordinary ``catgrad.to_jax`` on bool arrays; ``compile_z2``
adds ``check_binary`` on the way in, so data that is not 0/1 raises a clear error.
"""
from __future__ import annotations

from typing import Callable, Sequence

import jax
import numpy as np
import sympy as sp

from .. import errors
from ..core.diagram import Diagram
from ..semantics.functor import as_outputs, interpret
from ..semantics.jax import check_binary, to_jax
from ..semantics.sympy import from_array, symbols, to_array
from .gates import BOOL, STRUCTURAL


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
        if t.dtype != BOOL:
            raise errors.SemanticsError(
                f"{what}: the diagram has a wire of type {t} (dtype {t.dtype}); a Z2 circuit has only bool wires. "
                "Smooth circuits have the semantics catgrad.to_sympy / catgrad.to_jax")


def gf2_meaning(gens: tuple):
    """The meaning over GF(2): each record's ``z2`` meaning, every result reduced mod 2 as ``sympy.Poly`` in ``gens``."""
    def meaning(op, args, types):
        if op.gen.z2 is None:
            raise errors.SemanticsError(
                f"to_gf2: generator {op.gen.name!r} has no meaning over GF(2) (it is not a Z2 gate); Z2 circuits "
                f"are built from catgrad.boolean's xor, and_, one, zero, threshold and the core generators that "
                f"state a Z2 meaning ({', '.join(STRUCTURAL)})")
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
    errors.expect_diagram("to_gf2", f)
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


# -- the checked JAX meaning (the data check is the JAX semantics' check_binary) ---------

def compile_z2(f: Diagram, *, jit: bool = True) -> Callable:
    """``catgrad.compile(f)`` for a Z2 circuit, with ``check_binary`` on every bool argument.

    Arguments of bool wires may be bool or numeric 0/1 arrays; anything else raises ``ValueError``.

    >>> from catgrad.boolean import Z2, and_
    >>> compile_z2(and_(Z2(())))(1, 0)
    (Array(False, dtype=bool),)
    """
    errors.expect_diagram("compile_z2", f)
    g = to_jax(f.simplify(), name=f"compiled Z2 circuit {f!r}")
    run = jax.jit(g) if jit else g
    dom = f.dom

    def fn(*args):
        if len(args) != len(dom):
            raise TypeError(errors.arity(f"the Z2 circuit {f!r}", len(dom), len(args), f" (its domain is {dom})"))
        return run(*(check_binary(a, f"argument {i} ({t})") if t.dtype == BOOL else a
                     for i, (a, t) in enumerate(zip(args, dom))))

    return fn


__all__ = ["to_gf2", "gf2_polys", "evaluate_gf2", "check_binary", "compile_z2"]
