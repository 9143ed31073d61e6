"""Hypothesis strategies for random lenses and Para morphisms, each with a jax.numpy reference.

Built on ``strategies.py`` (random straight-line programs ``program`` and composites ``cases``,
each carrying ``ref``: the same program written directly in jax.numpy). Here:

- ``lens_chain(k)``: ``k`` composable lenses ``(A₀, A₀') → (A₁, A₁') → … → (A_k, A_k')`` with
  *arbitrary* backward maps (random programs ``A_i × A_{i+1}' → A_i'``, not derivatives), so the
  lens laws are checked for general lenses, not only for those of the form ``(f, R[f])``;
- ``para_chain(k)``: ``k`` composable Para morphisms ``(P_i, f_i: P_i × A_i → A_{i+1})``;
- ``reparam_chain``: ``r₂: R → Q``, ``r₁: Q → P`` and a Para ``(P, f: P × A → B)``.

A ``RefLens`` / ``RefPara`` pairs the catgrad object with its reference functions; their
``>>`` and ``@`` build the reference of the composite *by the textbook formulas*
[CFGBL §2.1–2.2] on plain Python tuples, independently of catgrad's constructions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from hypothesis import strategies as st

import catgrad as cg
from strategies import cases, dom_types, program

SHAPES = ((), (3,), (2, 3), (2,))


def _at_least_one(bounds: tuple) -> tuple:
    """Bounds of a wire that tests also feed directly with inputs in [-1, 1]."""
    return tuple(max(1.0, b) for b in bounds)


@dataclass
class RefLens:
    lens: cg.Lens
    fwd: Callable  # (a...) -> tuple b
    bwd: Callable  # (a..., b'...) -> tuple a'
    desc: str

    @property
    def na(self) -> int:
        return len(self.lens.fwd.dom)

    def __rshift__(self, other: "RefLens") -> "RefLens":
        """``(f, f*) ; (g, g*) = (f ; g, (a, c') ↦ f*(a, g*(f(a), c')))``."""
        na, f, fs, gf, gs = self.na, self.fwd, self.bwd, other.fwd, other.bwd

        def bwd(*args):
            a, cp = args[:na], args[na:]
            return fs(*a, *gs(*f(*a), *cp))

        return RefLens(self.lens >> other.lens, lambda *a: gf(*f(*a)), bwd, f"({self.desc} ; {other.desc})")

    def __matmul__(self, other: "RefLens") -> "RefLens":
        """``(f, f*) ⊗ (g, g*)``: ``(a₁, a₂) ↦ (f(a₁), g(a₂))``, ``(a₁, a₂, b₁', b₂') ↦ (f*(a₁, b₁'), g*(a₂, b₂'))``."""
        n1, n2 = self.na, other.na
        m1 = len(self.lens.cod[1])

        def bwd(*args):
            a1, a2 = args[:n1], args[n1:n1 + n2]
            b1, b2 = args[n1 + n2:n1 + n2 + m1], args[n1 + n2 + m1:]
            return tuple(self.bwd(*a1, *b1)) + tuple(other.bwd(*a2, *b2))

        return RefLens(self.lens @ other.lens, lambda *a: tuple(self.fwd(*a[:n1])) + tuple(other.fwd(*a[n1:])),
                       bwd, f"({self.desc} ⊗ {other.desc})")

    def __repr__(self):
        return f"RefLens[{self.desc}] {self.lens!r}"


@st.composite
def lens_chain(draw, k: int, dtype: str = "float64", max_ops: int = 3):
    """``k`` composable random lenses (general backward maps) with their references."""
    f0 = draw(cases(dtype, shapes=SHAPES, max_ops=max_ops, depth=1))
    fwds, in_bounds = [f0], [(1.0,) * len(f0.f.dom)]
    for _ in range(1, k):
        prev = fwds[-1]
        bounds = _at_least_one(prev.out_bounds)
        fwds.append(draw(program(prev.f.cod, bounds, max_ops=max_ops, dtype=dtype)))
        in_bounds.append(bounds)
    bp = draw(dom_types(dtype, SHAPES))  # the last codomain's B'
    bp_bounds = (1.0,) * len(bp)
    bwds = [None] * k
    for i in reversed(range(k)):
        b = draw(program(fwds[i].f.dom @ bp, in_bounds[i] + bp_bounds, max_ops=max_ops, dtype=dtype))
        bwds[i] = b
        bp, bp_bounds = b.f.cod, _at_least_one(b.out_bounds)
    return [RefLens(cg.Lens(f.f, b.f), f.ref, b.ref, f"lens[{f.description} | {b.description}]")
            for f, b in zip(fwds, bwds)]


@st.composite
def lenses(draw, dtype: str = "float64", max_ops: int = 3):
    return draw(lens_chain(1, dtype, max_ops))[0]


@dataclass
class RefPara:
    para: cg.Para
    ref: Callable  # (p..., a...) -> tuple b
    out_bounds: tuple
    desc: str

    @property
    def npar(self) -> int:
        """The number of parameter wires (``leaves(P)``; the reference takes them first, in that order)."""
        return len(self.para.wires)

    def __rshift__(self, other: "RefPara") -> "RefPara":
        """``(P, f) ; (Q, g) = (Q × P, (q, p, a) ↦ g(q, f(p, a)))``."""
        nq, f, g = other.npar, self.ref, other.ref

        def ref(*args):
            q, rest = args[:nq], args[nq:]
            return g(*q, *f(*rest))

        return RefPara(self.para >> other.para, ref, other.out_bounds, f"({self.desc} ; {other.desc})")

    def __matmul__(self, other: "RefPara") -> "RefPara":
        """``(P, f) ⊗ (Q, g) = (P × Q, (p, q, a, c) ↦ (f(p, a), g(q, c)))``."""
        np_, nq = self.npar, other.npar
        na = len(self.para.dom)

        def ref(*args):
            p, q = args[:np_], args[np_:np_ + nq]
            a, c = args[np_ + nq:np_ + nq + na], args[np_ + nq + na:]
            return tuple(self.ref(*p, *a)) + tuple(other.ref(*q, *c))

        return RefPara(self.para @ other.para, ref, self.out_bounds + other.out_bounds,
                       f"({self.desc} ⊗ {other.desc})")

    def __repr__(self):
        return f"RefPara[{self.desc}] {self.para!r}"


@st.composite
def _para_on(draw, A: cg.Ty, a_bounds: tuple, dtype: str, max_ops: int, P: cg.Ty | None = None,
             p_bounds: tuple | None = None):
    if P is None:
        P = draw(dom_types(dtype, SHAPES))
        p_bounds = (1.0,) * len(P)
    f = draw(program(P @ A, p_bounds + a_bounds, max_ops=max_ops, dtype=dtype))
    return RefPara(cg.Para(P, f.f), f.ref, f.out_bounds, f"para[{f.description}]")


@st.composite
def para_chain(draw, k: int, dtype: str = "float64", max_ops: int = 3):
    """``k`` composable random Para morphisms with their references."""
    A = draw(dom_types(dtype, SHAPES))
    bounds = (1.0,) * len(A)
    out = []
    for _ in range(k):
        p = draw(_para_on(A, bounds, dtype, max_ops))
        out.append(p)
        A, bounds = p.para.cod, _at_least_one(p.out_bounds)
    return out


@st.composite
def paras(draw, dtype: str = "float64", max_ops: int = 3):
    return draw(para_chain(1, dtype, max_ops))[0]


@st.composite
def reparam_chain(draw, dtype: str = "float64", max_ops: int = 3):
    """``(r₂: R → Q, r₁: Q → P, (P, f))`` as (Case, Case, RefPara)."""
    R = draw(dom_types(dtype, SHAPES))
    r2 = draw(program(R, (1.0,) * len(R), max_ops=max_ops, dtype=dtype))
    r1 = draw(program(r2.f.cod, r2.out_bounds, max_ops=max_ops, dtype=dtype))
    A = draw(dom_types(dtype, SHAPES))
    p_bounds = _at_least_one(r1.out_bounds)
    p = draw(_para_on(A, (1.0,) * len(A), dtype, max_ops, P=r1.f.cod, p_bounds=p_bounds))
    return r2, r1, p


@st.composite
def _param_lens(draw, dtype: str, max_ops: int):
    """``k: (P, P') → (1, 1)``: forward ``!``, backward a random program ``P → P'`` (as many wires as P)."""
    P = draw(dom_types(dtype, SHAPES))
    back = draw(program(P, (1.0,) * len(P), max_ops=max_ops, dtype=dtype))
    outs = [i % len(back.f.cod) for i in range(len(P))]
    bwd = back.f >> cg.wiring(back.f.cod, outs)
    return RefLens(cg.Lens(cg.discard(P), bwd), lambda *p: (),
                   lambda *p: tuple(back.ref(*p)[i] for i in outs), f"param[{back.description} -> {outs}]")


@st.composite
def para_lens_chain(draw, k: int = 2, dtype: str = "float64", max_ops: int = 3):
    """``k`` composable Para(Lens(C)) morphisms ``(P_i, k_i ⊗ l_i)`` with general parameter lenses;
    a list of ``(Para, RefLens of k_i ⊗ l_i, len(P_i))``."""
    out = []
    for l in draw(lens_chain(k, dtype, max_ops)):
        kp = draw(_param_lens(dtype, max_ops))
        kl = kp @ l
        P = kp.lens.fwd.dom
        out.append((cg.Para(P, kl.lens), kl, len(P)))
    return out


@st.composite
def para_lenses(draw, dtype: str = "float64", max_ops: int = 3):
    """A Para(Lens(C)) morphism with a general parameter lens ``(P, P')`` (``P' ≠ P`` in general):
    ``k ⊗ l`` with ``k: (P, P') → (1, 1)`` (forward ``!``, backward a random program ``P → P'``) and
    ``l`` a random lens ``(A, A') → (B, B')``. Returns ``(Para, RefLens of k ⊗ l, len(P), len(P'))``."""
    k = draw(_param_lens(dtype, max_ops))
    l = draw(lenses(dtype, max_ops))
    kl = k @ l
    P = k.lens.fwd.dom
    return cg.Para(P, kl.lens), kl, len(P), len(P)
