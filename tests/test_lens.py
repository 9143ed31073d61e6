"""The category Lens(C) [CFGBL §2.1; MATH.md §3] on hypothesis-generated lenses.

Oracle: every random lens comes with jax.numpy reference functions for its forward and
backward maps (``lens_strategies.py``), and the composite's reference is built from the
textbook formulas on plain tuples. Besides matching the references, the laws are checked
by evaluating both sides of each equation as catgrad diagrams on the same random inputs:

- composition is associative, identities are units;
- tensor is functorial (interchange law), associative, and the tensor of identities is the identity;
- ``Lens.of`` (the functor ``R: C → Lens(C)``) preserves identities, composition and tensor,
  and its backward map is ``jax.vjp`` of the reference.

The backward maps of the random lenses are arbitrary programs (not derivatives), so the
laws are checked for general lenses. Cases per run (derandomized profile): see N_* below.
"""
from __future__ import annotations

import jax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg
from catgrad import Lens
from lens_strategies import lens_chain, lenses
from strategies import COMPOSITE_TOL, assert_close, cases, inputs, program, seeds

TOL = COMPOSITE_TOL["float64"]
N_COMPOSE, N_UNIT, N_TENSOR, N_INTERCHANGE, N_R_VJP, N_R_COMPOSE, N_R_TENSOR = 25, 20, 20, 20, 15, 25, 20
TOTAL_CASES = N_COMPOSE + N_UNIT + N_TENSOR + N_INTERCHANGE + N_R_VJP + N_R_COMPOSE + N_R_TENSOR


def _run(d: cg.Diagram, args):
    return cg.to_jax(d)(*args)


def check_lens(lens: Lens, fwd, bwd, seed: int, what: str):
    """``lens`` agrees with the reference ``(fwd, bwd)`` on random inputs."""
    xs = inputs(lens.fwd.dom, seed)
    dys = inputs(lens.cod[1], seed + 1)
    assert_close(_run(lens.fwd, xs), tuple(fwd(*xs)), TOL, f"{what}: forward")
    assert_close(_run(lens.bwd, [*xs, *dys]), tuple(bwd(*xs, *dys)), TOL, f"{what}: backward")


def check_equal(l1: Lens, l2: Lens, seed: int, what: str):
    """Two lenses with the same type are equal as pairs of maps (numerically, on random inputs)."""
    assert l1.dom == l2.dom and l1.cod == l2.cod, f"{what}: types {l1!r} vs {l2!r}"
    xs = inputs(l1.fwd.dom, seed)
    dys = inputs(l1.cod[1], seed + 1)
    assert_close(_run(l1.fwd, xs), _run(l2.fwd, xs), TOL, f"{what}: forward")
    assert_close(_run(l1.bwd, [*xs, *dys]), _run(l2.bwd, [*xs, *dys]), TOL, f"{what}: backward")


@pytest.fixture(autouse=True)
def _x64():
    with jax.enable_x64(True):
        yield


@settings(max_examples=N_COMPOSE)
@given(lens_chain(3), seeds())
def test_composition_matches_reference_and_is_associative(chain, seed):
    l1, l2, l3 = chain
    left, right = (l1 >> l2) >> l3, l1 >> (l2 >> l3)
    check_lens(left.lens, left.fwd, left.bwd, seed, f"(l1;l2);l3 for {chain}")
    check_lens(right.lens, right.fwd, right.bwd, seed, f"l1;(l2;l3) for {chain}")
    check_equal(left.lens, right.lens, seed, f"associativity for {chain}")


@settings(max_examples=N_UNIT)
@given(lenses(), seeds())
def test_identity_lenses_are_units(l, seed):
    (A, Ap), (B, Bp) = l.lens.dom, l.lens.cod
    check_lens(l.lens, l.fwd, l.bwd, seed, repr(l))
    check_equal(Lens.identity(A, Ap) >> l.lens, l.lens, seed, f"1 ; l for {l}")
    check_equal(l.lens >> Lens.identity(B, Bp), l.lens, seed, f"l ; 1 for {l}")


@settings(max_examples=N_TENSOR)
@given(lenses(), lenses(), lenses(), seeds())
def test_tensor_matches_reference_and_is_associative(l1, l2, l3, seed):
    t = l1 @ l2
    check_lens(t.lens, t.fwd, t.bwd, seed, f"{l1} ⊗ {l2}")
    check_equal(((l1 @ l2) @ l3).lens, (l1 @ (l2 @ l3)).lens, seed, "tensor associativity")
    (A, Ap), (B, Bp) = l1.lens.dom, l2.lens.dom
    check_equal(Lens.identity(A, Ap) @ Lens.identity(B, Bp), Lens.identity(A @ B, Ap @ Bp), seed,
                "1_A ⊗ 1_B = 1_(A⊗B)")


@settings(max_examples=N_INTERCHANGE)
@given(lens_chain(2), lens_chain(2), seeds())
def test_tensor_is_functorial_interchange(c1, c2, seed):
    """``(l₁ ⊗ m₁) ; (l₂ ⊗ m₂) = (l₁ ; l₂) ⊗ (m₁ ; m₂)``."""
    (l1, l2), (m1, m2) = c1, c2
    lhs = (l1 @ m1) >> (l2 @ m2)
    rhs = (l1 >> l2) @ (m1 >> m2)
    check_lens(lhs.lens, rhs.fwd, rhs.bwd, seed, "interchange (reference)")
    check_equal(lhs.lens, rhs.lens, seed, "interchange")


@settings(max_examples=N_R_VJP)
@given(cases("float64", depth=1), seeds())
def test_lens_of_matches_vjp_and_preserves_identity(case, seed):
    """``R(f) = (f, R[f])`` with ``R[f] = vjp(f)``; ``R(1_A) = 1_(A, A)``."""
    f = case.f
    l = Lens.of(f)
    assert l.dom == (f.dom, f.dom) and l.cod == (f.cod, f.cod)
    n = len(f.dom)

    def vjp(*args):
        return jax.vjp(case.ref, *args[:n])[1](tuple(args[n:]))

    check_lens(l, case.ref, vjp, seed, repr(case))
    check_equal(Lens.of(cg.identity(f.dom)), Lens.identity(f.dom), seed, "R(1) = 1")


@st.composite
def composable_pairs(draw):
    f = draw(cases("float64", depth=1))
    g = draw(program(f.f.cod, tuple(max(1.0, b) for b in f.out_bounds), dtype="float64"))
    return f, g


@settings(max_examples=N_R_COMPOSE)
@given(composable_pairs(), seeds())
def test_lens_of_preserves_composition(pair, seed):
    """``R(f ; g) = R(f) ; R(g)`` (the chain rule RD.5), for f and g random composites."""
    f, g = pair
    check_equal(Lens.of(f.f >> g.f), Lens.of(f.f) >> Lens.of(g.f), seed, f"R(f;g) for {f} and {g}")


@settings(max_examples=N_R_TENSOR)
@given(cases("float64", depth=1), cases("float64", depth=1), seeds())
def test_lens_of_preserves_tensor(f, g, seed):
    """``R(f × g) = R(f) ⊗ R(g)``."""
    check_equal(Lens.of(f.f @ g.f), Lens.of(f.f) @ Lens.of(g.f), seed, f"R(f×g) for {f} and {g}")


# -- bad input --------------------------------------------------------------------

A, B = cg.Array((3,)), cg.Array((2,))


def test_compose_mismatch_names_both_types():
    l1 = Lens.of(cg.sigmoid(A))
    l2 = Lens.of(cg.sigmoid(B))
    with pytest.raises(TypeError, match=r"f32\[3\].*f32\[2\]"):
        l1 >> l2


def test_compose_mismatch_in_backward_type():
    l1 = Lens.identity(A)                                    # (A, A) → (A, A)
    l2 = Lens(cg.identity(A), cg.proj(A, B, 0))              # (A, A) → (A, B)
    assert l2.cod == (cg.Ty(A), cg.Ty(B))
    with pytest.raises(TypeError, match="cannot compose lenses"):
        l2 >> l1  # codomain (A, B) vs domain (A, A): the primes differ


def test_lens_needs_backward_domain_starting_with_forward_domain():
    with pytest.raises(TypeError, match="must start with"):
        Lens(cg.sigmoid(A), cg.proj(B, A, 1))


def test_lens_takes_diagrams():
    with pytest.raises(TypeError, match="two diagrams"):
        Lens(lambda x: x, cg.identity(A))
    with pytest.raises(TypeError, match="cannot compose a Lens"):
        Lens.of(cg.sigmoid(A)) >> cg.sigmoid(A)
    with pytest.raises(TypeError, match="cannot tensor a Lens"):
        Lens.of(cg.sigmoid(A)) @ cg.sigmoid(A)


def test_case_count_is_at_least_100():
    assert TOTAL_CASES >= 100
