"""Selection and comparison: ``select(c, x, y)`` picks ``x`` where the bool wire ``c`` holds and ``y``
elsewhere; ``compare(x, y, op)`` gives that bool wire.

- ``select(c, x, y)ᵢ = xᵢ if cᵢ else yᵢ`` (``jnp.where``); ``R[select](c, x, y, dy) = (0, select(c, dy, 0),
  select(c, 0, dy))``: the cotangent goes to the branch that was taken, the condition gets none;
- ``compare(x, y, op)ᵢ = xᵢ op yᵢ`` for ``op`` among ``lt le gt ge eq ne``: a bool wire, locally
  constant, so ``R`` is zero.

A selection is exact where an additive mask is not: ``softmax(select(c, s, −∞))`` gives weight exactly 0
off ``c`` at any score ``s``, while ``softmax(s + M)`` with a finite ``M`` lets a score above ``|M|`` through
(``nn.attention``'s causal mask is a ``select``).

>>> import jax.numpy as jnp
>>> from catgrad import Array, to_jax
>>> f = select(Array((3,), "bool"), Array((3,)), Array((3,)))
>>> to_jax(f)(jnp.array([True, False, True]), jnp.ones(3), jnp.zeros(3))[0].tolist()
[1.0, 0.0, 1.0]
"""
from __future__ import annotations

import operator

import jax.numpy as jnp
import numpy as np
import sympy as sp

from .. import errors
from .diagram import apply
from .objects import Array, Ty
from .signature import Generator, declare, doctests


def _fail(name, dom, why):
    raise TypeError(errors.type_rule(name, dom, why))


def _type_select(dom):
    if len(dom) != 3:
        _fail("select", dom, f"expects 3 input wires (a bool condition and two branches), got {len(dom)}")
    c, x, y = dom
    if c.dtype != "bool":
        _fail("select", dom, f"the condition (input 0) must be a bool array, got {c}")
    if x != y:
        _fail("select", dom, f"both branches must have the same type, got {x} and {y}")
    if c.shape != x.shape:
        _fail("select", dom, f"the condition's shape {c.shape} must be the branches' shape {x.shape}")
    return Ty(x)


def _jax_select(c, x, y):
    return jnp.where(c, x, y)


def _truth(c):
    """A sympy truth value: ``True``/``False`` when ``c`` is decided (a bool, 0/1 or a decided relation)."""
    if c is True or c is sp.true or (isinstance(c, (sp.Integer, int, np.integer, np.bool_)) and c == 1):
        return True
    if c is False or c is sp.false or (isinstance(c, (sp.Integer, int, np.integer, np.bool_)) and c == 0):
        return False
    return None


def _sympy_select(c, x, y):
    def one(ci, xi, yi):
        t = _truth(ci)
        return xi if t is True else yi if t is False else sp.Piecewise((xi, ci), (yi, True))
    return np.vectorize(one, otypes=[object])(c, x, y)


def _zero_like(w):
    return apply("zero", into=w.builder, type=w.type)


def _rdiff_select(c, x, y, dy):
    z = _zero_like(dy)
    return [None, select(c, dy, z), select(c, z, dy)]


select = declare(Generator(
    name="select", typing=_type_select, jax=_jax_select, z2_jax=_jax_select, sympy=_sympy_select,
    z2=lambda c, x, y: c * x + (1 + c) * y, rdiff=_rdiff_select, arity=3, label="c ? x : y",
    summary="select(c, x, y): x where the bool wire c holds, y elsewhere (jnp.where).",
    signature="bool A × B × B → B, A and B of one shape",
    formula="select(c, x, y)ᵢ = xᵢ if cᵢ else yᵢ",
    rdiff_formula="R[select](c, x, y, dy) = (0, select(c, dy, 0), select(c, 0, dy))",
    notes="On Z2 branches its GF(2) meaning is c·x + (1 + c)·y.",
    example=">>> from catgrad import Array\n>>> select(Array((2,), 'bool'), Array((2,)), Array((2,))).cod\nTy(f32[2])"))


COMPARISONS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
               "eq": operator.eq, "ne": operator.ne}
RELATION_SYMBOLS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠"}
_SYMPY_RELATIONS = {"lt": sp.Lt, "le": sp.Le, "gt": sp.Gt, "ge": sp.Ge, "eq": sp.Eq, "ne": sp.Ne}


def _type_compare(dom, op):
    if len(dom) != 2:
        _fail("compare", dom, f"expects 2 input wires, got {len(dom)}")
    if dom[0] != dom[1]:
        _fail("compare", dom, f"both inputs must have the same type, got {dom[0]} and {dom[1]}")
    if dom[0].dtype == "bool":
        _fail("compare", dom, "compares real or integer arrays, got bool wires")
    return Ty(Array(dom[0].shape, "bool"))


def _canon_compare(dom, op):
    if op not in COMPARISONS:
        raise TypeError(errors.type_rule("compare", dom, f"op must be one of {sorted(COMPARISONS)}, got {op!r}"))
    return {"op": op}


def _sympy_compare(x, y, op):
    rel = _SYMPY_RELATIONS[op]
    return np.vectorize(lambda a, b: rel(a, b), otypes=[object])(x, y)


compare = declare(Generator(
    name="compare", typing=_type_compare, jax=lambda x, y, op: COMPARISONS[op](x, y), sympy=_sympy_compare,
    rdiff=lambda x, y, dy, op: [None, None], canon=_canon_compare, arity=2, params=("op",),
    label=lambda dom, op: RELATION_SYMBOLS[op],
    summary="compare(x, y, op): the bool wire xᵢ op yᵢ, op one of lt, le, gt, ge, eq, ne.",
    signature="A × A → bool A",
    formula="compare(x, y, op)ᵢ = [xᵢ op yᵢ]",
    rdiff_formula="R[compare](x, y, dy) = (0, 0) (locally constant)",
    example=">>> from catgrad import Array\n>>> compare(Array((2,)), Array((2,)), 'lt').cod\nTy(bool[2])"))

__test__ = doctests((select, compare))
__all__ = ["select", "compare", "COMPARISONS"]
