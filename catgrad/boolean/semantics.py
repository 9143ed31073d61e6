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

from typing import Callable

import jax

from .. import errors
from ..core.diagram import Diagram, expect_diagram
from ..semantics.gf2 import evaluate_gf2, gf2_meaning, gf2_polys, to_gf2
from ..semantics.jax import check_binary, to_jax
from .gates import BOOL


# -- the checked JAX meaning (the data check is the JAX semantics' check_binary) ---------

def compile_z2(f: Diagram, *, jit: bool = True) -> Callable:
    """``catgrad.compile(f)`` for a Z2 circuit, with ``check_binary`` on every bool argument.

    Arguments of bool wires may be bool or numeric 0/1 arrays; anything else raises ``ValueError``.

    >>> from catgrad.boolean import Z2, and_
    >>> compile_z2(and_(Z2(())))(1, 0)
    (Array(False, dtype=bool),)
    """
    expect_diagram("compile_z2", f)
    g = to_jax(f.simplify(), name=f"compiled Z2 circuit {f!r}")
    run = jax.jit(g) if jit else g
    dom = f.dom

    def fn(*args):
        if len(args) != len(dom):
            raise TypeError(errors.arity(f"the Z2 circuit {f!r}", len(dom), len(args), f" (its domain is {dom})"))
        return run(*(check_binary(a, f"argument {i} ({t})") if t.dtype == BOOL else a
                     for i, (a, t) in enumerate(zip(args, dom))))

    return fn


__all__ = ["to_gf2", "gf2_polys", "gf2_meaning", "evaluate_gf2", "check_binary", "compile_z2"]
