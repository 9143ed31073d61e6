"""The axioms RD.1–RD.7 of a reverse derivative category [RDC Def. 13; MATH.md §2].

Each axiom is built *literally* as a pair of diagrams from ``identity``, ``wiring``, ``pair``,
``proj``, ``copy``, ``discard``, ``zero`` and ``add``, on random small composites of scalar and
vector generators (``sympy_cases`` in strategies.py), and the two sides are checked to be equal
**exactly** in the sympy semantics (each output difference simplifies to 0) and numerically in
JAX (float64, rtol 1e-10). Their smooth meaning is checked too: RD.6, ``R[f](x, ·)`` is linear;
RD.7, the Hessian-vector products read off ``R[R[f]]`` are symmetric (and equal ``jax.hessian``).

Hypothesis cases per run: RD.1 40, RD.2 40, RD.3 30, RD.4 40, RD.5 40, RD.6 30, RD.7 30,
RD.6 meaning 30, RD.7 meaning 30 (310 in all).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg
from catgrad.rdiff import rdiff as R
from strategies import COMPOSITE_TOL, assert_close, cases, dom_types, inputs, program, seeds, sympy_cases, SYMPY_OPS

SMALL = ((), (2,))


# -- the structure used to state the axioms ---------------------------------------

def zero_map(X, Y) -> cg.Diagram:
    """``0: X → Y`` (discard, then the zero of Y)."""
    return cg.discard(X) >> cg.zero(Y)


def add_obj(Y) -> cg.Diagram:
    """``+: Y × Y → Y`` on a product, wire by wire."""
    Y = cg.Ty() @ Y
    n = len(Y)
    d = cg.identity(cg.Ty())
    for a in Y:
        d = d @ cg.add(a)
    return cg.wiring(Y @ Y, [j for i in range(n) for j in (i, i + n)]) >> d


def plus(f, g) -> cg.Diagram:
    """``f + g = ⟨f, g⟩ ; +``."""
    return cg.pair(f, g) >> add_obj(f.cod)


def iota0(X, Y) -> cg.Diagram:
    """``ι₀ = ⟨1, 0⟩: X → X × Y``."""
    return cg.pair(cg.identity(X), zero_map(X, Y))


def iota1(X, Y) -> cg.Diagram:
    """``ι₁ = ⟨0, 1⟩: Y → X × Y``."""
    return cg.pair(zero_map(Y, X), cg.identity(Y))


def ex(A, B, C, D) -> cg.Diagram:
    """``ex: (A×B)×(C×D) → (A×C)×(B×D)``."""
    A, B, C, D = (cg.Ty() @ t for t in (A, B, C, D))
    a, b, c, d = len(A), len(B), len(C), len(D)
    idx = [*range(a), *range(a + b, a + b + c), *range(a, a + b), *range(a + b + c, a + b + c + d)]
    return cg.wiring(A @ B @ C @ D, idx)


# -- equality, exactly and numerically ----------------------------------------------

def _is_zero(e) -> bool:
    if isinstance(e, (sp.MatrixBase, sp.NDimArray)):
        return all(_is_zero(x) for x in (e if isinstance(e, sp.NDimArray) else list(e)))
    e = sp.sympify(e)
    if e == 0 or sp.expand(e) == 0:
        return True
    return sp.simplify(e) == 0


def assert_equal_diagrams(lhs: cg.Diagram, rhs: cg.Diagram, seed: int = 0):
    """Same type; equal outputs numerically (JAX, float64) and exactly (sympy)."""
    assert lhs.dom == rhs.dom, (lhs.dom, rhs.dom)
    assert lhs.cod == rhs.cod, (lhs.cod, rhs.cod)
    with jax.enable_x64(True):
        args = [a.astype(jnp.float64) for a in inputs(lhs.dom, seed)]
        l64 = cg.to_jax(_f64(lhs))(*args)
        r64 = cg.to_jax(_f64(rhs))(*args)
        assert_close(l64, r64, COMPOSITE_TOL["float64"], "numerically")
    xs = cg.symbols(lhs.dom)
    for i, (a, b) in enumerate(zip(cg.to_sympy(lhs, xs), cg.to_sympy(rhs, xs))):
        assert _is_zero(a - b), f"output {i} differs symbolically:\n{a}\n  vs\n{b}"


def _f64(d: cg.Diagram) -> cg.Diagram:
    """The same diagram on float64 wires (types are data: rebuild by relabelling the wire types)."""
    from catgrad.core.diagram import Diagram, Op

    def t64(t):
        return cg.Array(t.shape, "float64") if t.dtype == "float32" else t

    ops = tuple(Op(op.gen, tuple((k, t64(v) if isinstance(v, cg.Array) else v) for k, v in op.attrs), op.ins, op.outs)
                for op in d.ops)
    return Diagram(tuple(t64(t) for t in d.wires), ops, d.dom_wires, d.cod_wires)


def small_elementwise(draw, X):
    """A random type-preserving elementwise map ``X → X`` (one unary generator per wire)."""
    d = cg.identity(cg.Ty())
    for a in X:
        d = d @ draw(st.sampled_from([cg.sin, cg.neg, cg.exp, cg.cos, lambda t: cg.scale(t, 3.0)]))(a)
    return d


# -- RD.1 – RD.7 ---------------------------------------------------------------------

@settings(max_examples=40)
@given(st.data())
def test_rd1_additivity(data):
    """RD.1 ``R[f + g] = R[f] + R[g]`` and ``R[0] = 0``."""
    f = data.draw(sympy_cases()).f
    g = small_elementwise(data.draw, f.dom) >> f >> small_elementwise(data.draw, f.cod)
    A, B = f.dom, f.cod
    assert_equal_diagrams(R(plus(f, g)), plus(R(f), R(g)))
    assert_equal_diagrams(R(zero_map(A, B)), zero_map(A @ B, A))


@settings(max_examples=40)
@given(sympy_cases(), seeds())
def test_rd2_linearity_in_the_cotangent(case, seed):
    """RD.2 ``⟨a, b + c⟩ ; R[f] = ⟨a, b⟩ ; R[f] + ⟨a, c⟩ ; R[f]`` and ``⟨a, 0⟩ ; R[f] = 0``."""
    f = case.f
    A, B = f.dom, f.cod
    a, b = len(A), len(B)
    X = A @ B @ B
    pa, pb, pc = cg.wiring(X, range(a)), cg.wiring(X, range(a, a + b)), cg.wiring(X, range(a + b, a + 2 * b))
    lhs = cg.pair(pa, plus(pb, pc)) >> R(f)
    rhs = plus(cg.pair(pa, pb) >> R(f), cg.pair(pa, pc) >> R(f))
    assert_equal_diagrams(lhs, rhs, seed)
    assert_equal_diagrams(cg.pair(cg.identity(A), zero_map(A, B)) >> R(f), zero_map(A, A), seed)


@settings(max_examples=30)
@given(dom_types(shapes=SMALL), dom_types(shapes=SMALL))
def test_rd3_structural_maps(A, B):
    """RD.3 ``R[1] = π₁``, ``R[π₀] = π₁ ; ι₀``, ``R[π₁] = π₁ ; ι₁``."""
    assert_equal_diagrams(R(cg.identity(A)), cg.proj(A, A, 1))
    assert_equal_diagrams(R(cg.proj(A, B, 0)), cg.proj(A @ B, A, 1) >> iota0(A, B))
    assert_equal_diagrams(R(cg.proj(A, B, 1)), cg.proj(A @ B, B, 1) >> iota1(A, B))


@settings(max_examples=40)
@given(st.data())
def test_rd4_pairing_and_discard(data):
    """RD.4 ``R[⟨f, g⟩] = (1 × π₀) ; R[f] + (1 × π₁) ; R[g]`` and ``R[!] = 0``."""
    fc = data.draw(sympy_cases())
    f = fc.f
    A = f.dom
    g = data.draw(program(A, (1.0,) * len(A), SYMPY_OPS, 2)).f
    B, C = f.cod, g.cod
    lhs = R(cg.pair(f, g))
    rhs = plus((cg.identity(A) @ cg.proj(B, C, 0)) >> R(f), (cg.identity(A) @ cg.proj(B, C, 1)) >> R(g))
    assert_equal_diagrams(lhs, rhs)
    assert_equal_diagrams(R(cg.discard(A)), zero_map(A, A))


@settings(max_examples=40)
@given(st.data(), seeds())
def test_rd5_chain_rule(data, seed):
    """RD.5 ``R[f ; g] = ⟨π₀, ⟨π₀ ; f, π₁⟩ ; R[g]⟩ ; R[f]``."""
    f = data.draw(sympy_cases()).f
    g = data.draw(program(f.cod, (1.0,) * len(f.cod), SYMPY_OPS, 2)).f
    A, C = f.dom, g.cod
    p0, p1 = cg.proj(A, C, 0), cg.proj(A, C, 1)
    rhs = cg.pair(p0, cg.pair(p0 >> f, p1) >> R(g)) >> R(f)
    assert_equal_diagrams(R(f >> g), rhs, seed)


def rd6_sides(f):
    """RD.6 ``⟨1 × π₀, 0 × π₁⟩ ; (ι₀ × 1) ; R[R[R[f]]] ; π₁ = (1 × π₁) ; R[f]``, typed as in [RDC Def. 13]:
    both sides ``A × (B × B) → A``."""
    A, B = f.dom, f.cod
    first = cg.pair(cg.identity(A) @ cg.proj(B, B, 0), zero_map(A, A) @ cg.proj(B, B, 1))  # → (A×B)×(A×B)
    lhs = first >> (iota0(A @ B, A) @ cg.identity(A @ B)) >> R(R(R(f))) >> cg.proj(A @ B, A, 1)
    rhs = (cg.identity(A) @ cg.proj(B, B, 1)) >> R(f)
    return lhs, rhs


@settings(max_examples=30)
@given(sympy_cases(max_ops=2, depth=1))
def test_rd6_linearity_of_the_derivative(case):
    lhs, rhs = rd6_sides(case.f)
    assert lhs.dom == case.f.dom @ case.f.cod @ case.f.cod
    assert_equal_diagrams(lhs, rhs)


def rd7_sides(f):
    """RD.7 ``(ι₀ × 1) ; R[R[g]] ; π₁ = ex ; (ι₀ × 1) ; R[R[g]] ; π₁`` with
    ``g = (ι₀ × 1) ; R[R[f]] ; π₁: A × A → B``; both sides ``(A × A) × (A × A) → B``."""
    A, B = f.dom, f.cod
    g = (iota0(A, B) @ cg.identity(A)) >> R(R(f)) >> cg.proj(A, B, 1)
    AA = A @ A
    side = (iota0(AA, B) @ cg.identity(AA)) >> R(R(g)) >> cg.proj(AA, B, 1)
    return side, ex(A, A, A, A) >> side


@settings(max_examples=30)
@given(sympy_cases(max_ops=2, depth=1))
def test_rd7_symmetry_of_mixed_partials(case):
    lhs, rhs = rd7_sides(case.f)
    A = case.f.dom
    assert lhs.dom == A @ A @ A @ A and lhs.cod == case.f.cod
    assert_equal_diagrams(lhs, rhs)


def test_rd6_rd7_on_a_hand_picked_example():
    """f(x, y) = (sin(x)·y, exp(x·y)) on scalars: both axioms, exactly."""
    S = cg.Array(())
    f = cg.trace(lambda x, y: (cg.sin(x) * y, cg.exp(x * y)), S, S)
    assert_equal_diagrams(*rd6_sides(f))
    assert_equal_diagrams(*rd7_sides(f))


def test_axiom_checks_can_fail():
    """The checker rejects a wrong equation: R[sin] is not R[cos], and RD.5 fails with the arguments swapped."""
    S = cg.Array(())
    try:
        assert_equal_diagrams(R(cg.sin(S)), R(cg.cos(S)))
    except AssertionError:
        pass
    else:
        raise AssertionError("the checker accepted R[sin] = R[cos]")
    f, g = cg.sin(S), cg.exp(S)
    p0, p1 = cg.proj(S, S, 0), cg.proj(S, S, 1)
    wrong = cg.pair(p0, cg.pair(p0 >> g, p1) >> R(f)) >> R(g)  # the rule for g ; f, not f ; g
    x, dy = sp.symbols("x dy")
    (a,), (b,) = cg.to_sympy(R(f >> g), [x, dy]), cg.to_sympy(wrong, [x, dy])
    assert not _is_zero(a - b)


# -- the smooth meaning of RD.6 and RD.7 -------------------------------------------------

@settings(max_examples=30)
@given(cases("float64", depth=1), seeds(), st.floats(-2, 2), st.floats(-2, 2))
def test_rd6_meaning_rdiff_is_linear_in_dy(case, seed, alpha, beta):
    """``R[f](x, α u + β v) = α R[f](x, u) + β R[f](x, v)``."""
    f = case.f
    with jax.enable_x64(True):
        r = cg.to_jax(R(f))
        xs, us, vs = inputs(f.dom, seed), inputs(f.cod, seed + 1), inputs(f.cod, seed + 2)
        mixed = [alpha * u + beta * v for u, v in zip(us, vs)]
        expected = [alpha * a + beta * b for a, b in zip(r(*xs, *us), r(*xs, *vs))]
        assert_close(r(*xs, *mixed), expected, dict(rtol=1e-10, atol=1e-12), "R[f](x, ·) linear")


def _scalarised(case):
    """``h = f ; Σ``: the sum of all outputs of ``f``, a scalar map, with its jax.numpy reference."""
    f = case.f

    def total(*ys):
        acc = None
        for y in ys:
            s = cg.sum(y) if y.type.ndim else y
            acc = s if acc is None else acc + s
        return acc

    h = f >> cg.trace(total, f.cod)
    return h, lambda *xs: sum(jnp.sum(y) for y in case.ref(*xs))


@settings(max_examples=30)
@given(cases("float64", depth=1), seeds())
def test_rd7_meaning_hessian_vector_products_are_symmetric(case, seed):
    """With ``h: A → ℝ``, ``R[R[h]]((x, 1), v)`` starts with ``H v``; ``⟨u, H v⟩ = ⟨v, H u⟩`` and ``H = jax.hessian``."""
    h, ref = _scalarised(case)
    n = len(h.dom)
    with jax.enable_x64(True):
        rr = cg.to_jax(R(R(h)))
        xs, us, vs = inputs(h.dom, seed), inputs(h.dom, seed + 1), inputs(h.dom, seed + 2)
        one = jnp.ones((), jnp.float64)
        hv = rr(*xs, one, *vs)[:n]
        hu = rr(*xs, one, *us)[:n]
        uhv = sum(jnp.vdot(u, w) for u, w in zip(us, hv))
        vhu = sum(jnp.vdot(v, w) for v, w in zip(vs, hu))
        np.testing.assert_allclose(uhv, vhu, rtol=1e-9, atol=1e-11)
        # and H v equals the Hessian of the reference applied to v
        _, hvp = jax.jvp(jax.grad(lambda *x: ref(*x), argnums=tuple(range(n))), tuple(xs), tuple(vs))
        assert_close(hv, hvp, dict(rtol=1e-9, atol=1e-11), "H v")
