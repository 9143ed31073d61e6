"""The Z2 generators: polynomial circuits over the two-element field [RDA §4; CFGBL §5].

``Poly_Z2`` is the free cartesian left-additive category on ``xor`` (``+``), ``and`` (``·``),
``zero`` (``z2_zero``: ``catgrad.zero`` on Z2) and ``one``; it is a reverse derivative category, and
catgrad's one ``rdiff`` differentiates its circuits from the generators' rules below. Wires are
``Array(shape, "bool")`` (``Z2(shape)``); every gate acts elementwise.

- ``xor`` **is** the additive structure ``add`` of the core on bool wires (JAX: ``logical_xor``),
  so ``R[xor](x, y, d) = (d, d)`` and the sums that ``rdiff`` inserts at copies are XORs;
- ``zero`` is the additive unit (``False``), ``sum`` over a bool array is an XOR-reduction;
- ``copy`` and ``discard`` are wiring, as in every semantics.

=================  ===========================  =========================
generator           meaning over Z2               R[g](x, d)
=================  ===========================  =========================
xor(x, y)           x + y                         (d, d)
and_(x, y)          x · y                         (y·d, x·d)
zero                0                             !   (no inputs)
one                 1                             !   (no inputs)
threshold(p, x)     [#(p∧x) ≤ ⌊#p / r⌋]           (∂ₚ·d, ∂ₓ·d), the boolean differences
=================  ===========================  =========================

``not_(x) = x + 1`` and ``or_(x, y) = x + y + x·y`` are composites. ``threshold`` is the
pseudo-linear unit of the [RDA] MNIST experiment (see ``threshold``).

>>> from catgrad.boolean import Z2, and_, xor
>>> and_(Z2(())).dom
Ty(bool[], bool[])
>>> import catgrad as cg
>>> str(cg.rdiff(and_(Z2(()))).cod)
'bool[] @ bool[]'
"""
from __future__ import annotations

from functools import lru_cache

import jax.numpy as jnp
import numpy as np

from .. import errors
from ..core.diagram import Diagram, Wire, apply, composite
from ..core.objects import Array, Ty, as_ty
from ..core.signature import Generator, declare, doctests
from ..semantics.gf2 import structural
from ..core.generators import add, reject_typing
from ..core.generators import zero as core_zero

BOOL = "bool"

#: The largest number of input bits for which a ``threshold`` unit is given a GF(2) polynomial.
ANF_MAX_BITS = 12


def Z2(shape=()) -> Array:
    """The wire type of a Z2 array: ``Array(shape, "bool")``.

    >>> Z2((3,))
    Array((3,), 'bool')
    """
    return Array(shape, BOOL)


def _not_z2(t: Array) -> str:
    hint = " (for float wires use catgrad.mul / catgrad.constant)" if t.is_float else ""
    return f"expects Z2 wires (dtype bool, e.g. catgrad.boolean.Z2(shape)), got {t} of dtype {t.dtype}{hint}"


# -- and ------------------------------------------------------------------------

def _type_and(dom):
    if len(dom) != 2:
        reject_typing("and_", dom, f"expects 2 input wires, got {len(dom)}")
    a, b = dom
    for t in (a, b):
        if t.dtype != BOOL:
            reject_typing("and_", dom, _not_z2(t))
    if a != b:
        reject_typing("and_", dom, f"both inputs must have the same type, got {a} and {b}")
    return Ty(a)


def _z2_and(x, y):
    return x * y


and_ = declare(Generator(
    name="and_", signature="A × A → A, A a Z2 (bool) type", typing=_type_and, z2_jax=jnp.logical_and, z2=_z2_and,
    rdiff=lambda x, y, d: [and_(y, d), and_(x, d)], arity=2, shape_dtype=BOOL, label="∧",
    summary="Conjunction over Z2: ``and_(A)`` is the diagram A × A → A (A a bool type or a shape); on wires, a wire.",
    formula="and(x, y) = x·y  (JAX: logical_and)", rdiff_formula="R[and](x, y, d) = (y·d, x·d)",
    example=">>> from catgrad.boolean import Z2\n>>> from catgrad import to_jax\n>>> import jax.numpy as jnp\n"
            ">>> to_jax(and_(Z2((2,))))(jnp.array([True, True]), jnp.array([False, True]))\n"
            "(Array([False,  True], dtype=bool),)"))


# -- one --------------------------------------------------------------------------

def _type_one(dom, type):
    if len(dom) != 0:
        reject_typing("one", dom, f"takes no input wires, got {len(dom)}")
    if not isinstance(type, Array):
        reject_typing("one", dom, f"the attribute type must be an Array, got {type!r}")
    if type.dtype != BOOL:
        reject_typing("one", dom, _not_z2(type) + "; for a float constant 1 use catgrad.constant(A, 1.0)")
    return Ty(type)


def _z2_one(type):
    return np.full(type.shape, 1, dtype=object)


one = declare(Generator(
    name="one", signature="1 → A, A a Z2 type", typing=_type_one, z2_jax=lambda type: jnp.ones(type.shape, jnp.bool_), z2=_z2_one,
    rdiff=lambda d, type: [], arity=0, shape_dtype=BOOL, label="1",
    summary="The constant 1: 1 → A on Z2 wires (A a bool type or a shape; True).",
    formula="one() = 1", rdiff_formula="R[one](d) = ! (it has no inputs)",
    example=">>> one(3).cod\nTy(bool[3])"))


# -- threshold: the pseudo-linear unit ----------------------------------------------

def _type_threshold(name, n_out):
    def typing(dom, ratio):
        if len(dom) != 2:
            reject_typing(name, dom, f"expects 2 input wires (mask p, input x), got {len(dom)}")
        p, x = dom
        for t in (p, x):
            if t.dtype != BOOL:
                reject_typing(name, dom, _not_z2(t))
        if p != x:
            reject_typing(name, dom, f"the mask and the input must have the same type, got {p} and {x}")
        if p.ndim < 1:
            reject_typing(name, dom, "needs inputs of rank ≥ 1 (the last axis is the one counted)")
        if not isinstance(ratio, int) or ratio < 1:
            reject_typing(name, dom, f"ratio must be a positive int, got {ratio!r}")
        return Ty(p.with_shape(p.shape[:-1])) if n_out == 1 else Ty(p, p)
    return typing


def _jax_threshold(p, x, ratio):
    c = jnp.sum(jnp.logical_and(p, x), axis=-1, dtype=jnp.int32)
    cp = jnp.sum(p, axis=-1, dtype=jnp.int32)
    return c <= cp // ratio


def _jax_threshold_flips(p, x, ratio):
    """The boolean differences ``f(p, x) + f(p + eᵢ, x)`` and ``f(p, x) + f(p, x + eᵢ)``."""
    c = jnp.sum(jnp.logical_and(p, x), axis=-1, dtype=jnp.int32)[..., None]
    cp = jnp.sum(p, axis=-1, dtype=jnp.int32)[..., None]
    f = c <= cp // ratio
    sign = jnp.where(p, -1, 1)  # flipping pᵢ changes #p by this, and #(p∧x) by this when xᵢ = 1
    fp = (c + jnp.where(x, sign, 0)) <= (cp + sign) // ratio
    fx = (c + jnp.where(p, jnp.where(x, -1, 1), 0)) <= cp // ratio
    return jnp.logical_xor(f, fp), jnp.logical_xor(f, fx)


def _threshold_table(a: int, ratio: int) -> np.ndarray:
    """Truth table of the unit on all ``2^(2a)`` inputs ``(p, x)`` (bit ``i`` of the index: input ``i``)."""
    idx = np.arange(2 ** (2 * a))
    bits = (idx[:, None] >> np.arange(2 * a)) & 1
    p, x = bits[:, :a], bits[:, a:]
    return ((p & x).sum(1) <= p.sum(1) // ratio).astype(np.int64), bits


@lru_cache(maxsize=None)
def _anf(a: int, ratio: int, which: str) -> tuple:
    """Algebraic normal forms (monomials as tuples of input positions) of the unit or its differences.

    The Möbius transform of a truth table gives the unique multilinear polynomial over GF(2).
    """
    t, bits = _threshold_table(a, ratio)
    n = 2 * a
    flip = lambda i: t[np.arange(2 ** n) ^ (1 << i)]  # noqa: E731
    if which == "f":
        tables = [t]
    else:
        tables = [t ^ flip(i) for i in range(a)] + [t ^ flip(a + i) for i in range(a)]
    out = []
    for tab in tables:
        c = tab.copy()
        for i in range(n):  # Möbius transform over GF(2)
            m = (np.arange(2 ** n) >> i) & 1
            c[m == 1] ^= c[m == 0]
        out.append(tuple(tuple(j for j in range(n) if (s >> j) & 1) for s in np.nonzero(c)[0]))
    return tuple(out)


def _anf_eval(monomials, vals):
    acc = 0
    for mono in monomials:
        term = 1
        for j in mono:
            term = term * vals[j]
        acc = acc + term
    return acc


def _z2_threshold_like(which):
    def meaning(p, x, ratio):
        a = p.shape[-1]
        if 2 * a > ANF_MAX_BITS:
            raise errors.SemanticsError(
                f"threshold over {a} inputs: its GF(2) polynomial has up to 2^{2 * a} monomials; catgrad builds it "
                f"only for units with at most {ANF_MAX_BITS // 2} inputs (its JAX meaning has no such limit)")
        anfs = _anf(a, ratio, which)
        lead = p.shape[:-1]
        if which == "f":
            out = np.empty(lead, dtype=object)
            for i in np.ndindex(*lead):
                out[i] = _anf_eval(anfs[0], list(p[i]) + list(x[i]))
            return out
        dp, dx = np.empty(p.shape, dtype=object), np.empty(p.shape, dtype=object)
        for i in np.ndindex(*lead):
            vals = list(p[i]) + list(x[i])
            for j in range(a):
                dp[i + (j,)] = _anf_eval(anfs[j], vals)
                dx[i + (j,)] = _anf_eval(anfs[a + j], vals)
        return dp, dx
    return meaning


def _rdiff_threshold(p, x, d, ratio):
    dp, dx = threshold_flips(p, x, ratio=ratio)
    db = apply("broadcast", d, shape=p.shape, axes=(-1,))
    return [and_(dp, db), and_(dx, db)]


threshold_flips = declare(Generator(
    name="threshold_flips", signature="Z2(s + (a,)) × Z2(s + (a,)) → Z2(s + (a,)) × Z2(s + (a,))", typing=_type_threshold("threshold_flips", 2), z2_jax=_jax_threshold_flips,
    z2=_z2_threshold_like("d"), arity=2, shape_dtype=BOOL, label="∂θ",
    summary="The boolean differences of threshold along each bit of p and of x (on wires: threshold_flips(p, x, ratio=r)).",
    formula="threshold_flips(p, x) = (θ(p, x) + θ(p + eᵢ, x), θ(p, x) + θ(p, x + eᵢ))ᵢ",
    example=">>> from catgrad.boolean import Z2\n>>> threshold_flips(Z2((4,)), ratio=2).cod\nTy(bool[4], bool[4])"))

threshold = declare(Generator(
    name="threshold", signature="Z2(s + (a,)) × Z2(s + (a,)) → Z2(s)", typing=_type_threshold("threshold", 1), z2_jax=_jax_threshold, z2=_z2_threshold_like("f"),
    rdiff=_rdiff_threshold, canon=lambda dom, ratio=4: {"ratio": ratio}, arity=2, shape_dtype=BOOL, label="θ",
    summary="The pseudo-linear unit of the [RDA §5] MNIST experiment over the last axis (ratio 4 by default, as in "
            "the authors' src/MNIST.hs). Inputs p, x: Z2(s + (a,)), output Z2(s). As a function Z2ⁿ → Z2 it is a "
            "polynomial whose multilinear form's derivative is the boolean difference, so R is exact; it is "
            "computed by the one vectorised generator threshold_flips, which has no R of its own (R[R[θ]] raises "
            "NotDifferentiableError).",
    formula="θ(p, x) = [#(p ∧ x) ≤ ⌊#p / ratio⌋]  (# counts true bits)",
    rdiff_formula="R[θ](p, x, d)ᵢ = ((θ(p, x) + θ(p + eᵢ, x))·d, (θ(p, x) + θ(p, x + eᵢ))·d)",
    example=">>> from catgrad.boolean import Z2\n>>> from catgrad import to_jax\n>>> import jax.numpy as jnp\n"
            ">>> f = to_jax(threshold(Z2((4,)), ratio=2))\n"
            ">>> f(jnp.array([1, 1, 0, 0], bool), jnp.array([1, 0, 1, 1], bool))  # 1 ≤ 2 // 2\n"
            "(Array(True, dtype=bool),)"))


# -- composites ------------------------------------------------------------------------

def _z2_ty(A, what: str) -> Ty:
    if isinstance(A, (int, tuple, list)) and not (isinstance(A, (tuple, list)) and A and isinstance(A[0], Array)):
        return Ty(Z2(A))
    ty = as_ty(A)
    for t in ty:
        if t.dtype != BOOL:
            raise TypeError(f"{what}: {_not_z2(t)}")
    return ty


@composite(2, shape_dtype=BOOL)
def xor(x, y):
    """Exclusive or ``x + y``: the additive structure ``add`` of the syntax on Z2 wires.

    ``xor`` *is* ``catgrad.add`` restricted to bool wires (there is no separate generator), so
    ``R[xor](x, y, d) = (d, d)``, and on wires ``x + y`` means the same.

    >>> from catgrad.boolean import Z2
    >>> xor(Z2(())).ops[0].gen.name
    'add'
    """
    for w in (x, y):
        if w.dtype != BOOL:
            raise TypeError(f"xor: {_not_z2(w.type)}")
    return add(x, y)


def z2_zero(A=()) -> Diagram:
    """The additive unit ``0: 1 → A`` on Z2 wires (``A`` a bool type or a shape): ``catgrad.zero`` on
    ``Z2(A)``, named apart because it takes a shape for bool arrays; ``R[zero] = !``.

    >>> z2_zero((2,)).cod
    Ty(bool[2])
    """
    return core_zero(_z2_ty(A, "zero"))


def bits(A, value) -> Diagram:
    """A constant Z2 array ``1 → A`` (each entry a ``one`` or a ``zero``), as the core ``constant``.

    >>> bits(3, [1, 0, 1]).cod
    Ty(bool[3])
    """
    (t,) = _z2_ty(A, "bits")
    v = np.asarray(value)
    if v.size and not np.all((v == 0) | (v == 1)):
        raise ValueError(f"bits: the entries of a Z2 constant must be 0 or 1 (or bools), got {value!r}")
    return apply("constant", type=t, value=np.broadcast_to(v.astype(bool), t.shape).copy())


def _one_like(w: Wire) -> Wire:
    return apply(one, into=w.builder, type=w.type)


@composite(1, shape_dtype=BOOL)
def not_(x):
    """Negation ``x + 1`` (a composite: ``xor`` with ``one``); ``R[not](x, d) = d``.

    >>> from catgrad.boolean import Z2
    >>> not_(Z2(())).size
    2
    """
    if x.dtype != BOOL:
        raise TypeError(f"not_: {_not_z2(x.type)}")
    return x + _one_like(x)


@composite(2, shape_dtype=BOOL)
def or_(x, y):
    """Disjunction ``x + y + x·y`` (a composite); ``R[or](x, y, d) = ((1 + y)·d, (1 + x)·d)``.

    >>> from catgrad.boolean import Z2
    >>> or_(Z2(())).cod
    Ty(bool[])
    """
    return xor(xor(x, y), and_(x, y))


#: The generators of Poly_Z2 declared here, and the core ones that also act on Z2 wires (read off the records).
Z2_GENERATORS = tuple(g.name for g in (and_, one, threshold, threshold_flips))
STRUCTURAL = structural()

__all__ = ["Z2", "and_", "xor", "z2_zero", "one", "bits", "not_", "or_", "threshold", "threshold_flips",
           "ANF_MAX_BITS", "Z2_GENERATORS", "STRUCTURAL"]

__test__ = doctests((and_, one, threshold, threshold_flips))
