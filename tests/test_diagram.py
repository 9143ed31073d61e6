"""The category laws, checked in the JAX semantics on random composites (hypothesis).

Associativity, identities, interchange, functoriality of ``to_jax``, swap involution and
naturality, copy/discard (counit, coassociativity, commutativity), and the commutative monoid
``(add, zero)``. Hypothesis cases per run: 20 for each of the 7 hypothesis tests (140).
Both sides run the same generators, so they agree to rounding: rtol 1e-6 (float32).
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg
from strategies import assert_close, cases, dom_types, inputs, program, seeds

TOL = dict(rtol=1e-6, atol=1e-7)
N = 20


def assert_same(d1: cg.Diagram, d2: cg.Diagram, seed: int, what: str):
    assert d1.dom == d2.dom and d1.cod == d2.cod, (what, d1.dom, d2.dom, d1.cod, d2.cod)
    xs = inputs(d1.dom, seed)
    assert_close(cg.to_jax(d1)(*xs), cg.to_jax(d2)(*xs), TOL, what)


@st.composite
def chains(draw):
    f = draw(cases(depth=1))
    g = draw(program(f.f.cod, f.out_bounds))
    h = draw(program(g.f.cod, g.out_bounds))
    return f.f, g.f, h.f


@settings(max_examples=N)
@given(chains(), seeds())
def test_associativity_and_functoriality(fgh, seed):
    f, g, h = fgh
    assert_same((f >> g) >> h, f >> (g >> h), seed, "associativity")
    assert [op.gen.name for op in ((f >> g) >> h).ops] == [op.gen.name for op in (f >> (g >> h)).ops]
    xs = inputs(f.dom, seed)
    assert_close(cg.to_jax(f >> g)(*xs), cg.to_jax(g)(*cg.to_jax(f)(*xs)), TOL, "to_jax(f ; g)")


@settings(max_examples=N)
@given(cases(), seeds())
def test_identities(case, seed):
    f = case.f
    assert_same(cg.identity(f.dom) >> f, f, seed, "1 ; f")
    assert_same(f >> cg.identity(f.cod), f, seed, "f ; 1")
    assert_same(f @ cg.identity(cg.Ty()), f, seed, "f × 1_I")


@settings(max_examples=N)
@given(st.data(), seeds())
def test_interchange_and_tensor_functoriality(data, seed):
    f = data.draw(cases(depth=1))
    g = data.draw(cases(depth=1))
    h = data.draw(program(f.f.cod, f.out_bounds))
    k = data.draw(program(g.f.cod, g.out_bounds))
    f, g, h, k = f.f, g.f, h.f, k.f
    assert_same((f @ g) >> (h @ k), (f >> h) @ (g >> k), seed, "interchange")
    xs = inputs(f.dom @ g.dom, seed)
    n = len(f.dom)
    assert_close(cg.to_jax(f @ g)(*xs), cg.to_jax(f)(*xs[:n]) + cg.to_jax(g)(*xs[n:]), TOL, "to_jax(f × g)")


@settings(max_examples=N)
@given(cases(depth=1), cases(depth=1), seeds())
def test_swap_involution_and_naturality(f, g, seed):
    f, g = f.f, g.f
    A, B = f.dom, g.dom
    assert_same(cg.swap(A, B) >> cg.swap(B, A), cg.identity(A @ B), seed, "σ ; σ = 1")
    assert_same((f @ g) >> cg.swap(f.cod, g.cod), cg.swap(A, B) >> (g @ f), seed, "naturality of σ")


@settings(max_examples=N)
@given(dom_types(), seeds())
def test_copy_discard_comonoid(A, seed):
    one = cg.identity(A)
    assert_same(cg.copy(A) >> (cg.discard(A) @ one), one, seed, "counit left")
    assert_same(cg.copy(A) >> (one @ cg.discard(A)), one, seed, "counit right")
    assert_same(cg.copy(A) >> (cg.copy(A) @ one), cg.copy(A) >> (one @ cg.copy(A)), seed, "coassociativity")
    assert_same(cg.copy(A) >> cg.swap(A, A), cg.copy(A), seed, "cocommutativity")
    assert_same(cg.copy(A, 3), cg.copy(A) >> (cg.copy(A) @ one), seed, "copy(A, 3)")


@settings(max_examples=N)
@given(cases(), seeds())
def test_copy_and_discard_are_natural(case, seed):
    """Every diagram is a comonoid homomorphism (cartesian): ``f ; Δ = Δ ; (f × f)``, ``f ; ! = !``."""
    f = case.f
    assert_same(f >> cg.copy(f.cod), cg.copy(f.dom) >> (f @ f), seed, "f ; Δ = Δ ; (f × f)")
    assert (f >> cg.discard(f.cod)).cod == cg.Ty() == cg.discard(f.dom).cod


@settings(max_examples=N)
@given(dom_types(shapes=((), (3,), (2, 3)), max_wires=1), seeds())
def test_add_zero_commutative_monoid(A, seed):
    a = A[0]
    one = cg.identity(A)
    add = cg.add(a)
    assert_same((cg.zero(A) @ one) >> add, one, seed, "0 + x = x")
    assert_same(cg.swap(A, A) >> add, add, seed, "x + y = y + x")
    assert_same((add @ one) >> add, (one @ add) >> add, seed, "(x + y) + z = x + (y + z)")


def test_wiring_is_the_cartesian_structure():
    A, B = cg.Array((3,)), cg.Array(())
    w = cg.wiring(A @ B, [1, 1, 0])
    assert w.size == 0 and w.cod == B @ B @ A
    assert cg.proj(A, B, 0).cod == cg.Ty(A) and cg.proj(A, B, 1).cod == cg.Ty(B)
    f = cg.pair(cg.exp(A), cg.sin(A))
    assert f.dom == cg.Ty(A) and f.cod == A @ A and f.size == 2


def test_trace_and_apply_agree_with_combinators():
    A = cg.Array((3,))
    t = cg.trace(lambda x: cg.tanh(x) * cg.tanh(x), A)
    c = cg.tanh(A) >> cg.copy(A) >> cg.mul(A)
    assert_same(t, c, 0, "trace vs combinators")
    assert repr(c) == "<Diagram f32[3] → f32[3]: 2 ops>"
    assert "tanh" in str(c) and "mul" in str(c)
