"""Property tests of R on random well-typed composites (hypothesis; see strategies.py).

Oracle: each random diagram comes with the same program written directly in jax.numpy
(``Case.ref``), differentiated by ``jax.vjp``.

Cases per run (derandomized profile, conftest.py): forward+R float32 100, R float64 60,
R∘R float64 60, R∘R float32 30, lens composition 40, lens tensor 40: 330 in this file.
Tolerances (``COMPOSITE_TOL``): float32 rtol 2e-4 / atol 2e-5; float64 rtol 1e-10 / atol 1e-12.
"""
from __future__ import annotations

import jax
from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg
from strategies import COMPOSITE_TOL, assert_close, cases, inputs, program, seeds

N_R_F32, N_R_F64, N_RR_F64, N_RR_F32, N_LENS_COMPOSE, N_LENS_TENSOR = 100, 60, 60, 30, 40, 40
TOTAL_CASES = N_R_F32 + N_R_F64 + N_RR_F64 + N_RR_F32 + N_LENS_COMPOSE + N_LENS_TENSOR


def _check_r(case, seed):
    f, tol = case.f, COMPOSITE_TOL[case.dtype]
    xs = inputs(f.dom, seed)
    dys = inputs(f.cod, seed + 1)
    assert_close(cg.to_jax(f)(*xs), case.ref(*xs), tol, f"forward of {case!r}")
    r = cg.rdiff(f)
    assert r.dom == f.dom @ f.cod and r.cod == f.dom
    _, vjp = jax.vjp(case.ref, *xs)
    assert_close(cg.to_jax(r)(*xs, *dys), vjp(tuple(dys)), tol, f"R of {case!r}")


@settings(max_examples=N_R_F32)
@given(cases("float32"), seeds())
def test_rdiff_matches_vjp_float32(case, seed):
    _check_r(case, seed)


@settings(max_examples=N_R_F64)
@given(cases("float64"), seeds())
def test_rdiff_matches_vjp_float64(case, seed):
    with jax.enable_x64(True):
        _check_r(case, seed)


def _check_rr(case, seed):
    """``R[R[f]]((x, dy), ddx)`` against ``jax.vjp`` of ``(x, dy) ↦ vjp(ref, x)(dy)``."""
    f, tol = case.f, COMPOSITE_TOL[case.dtype]
    n = len(f.dom)
    xs, dys, ddxs = inputs(f.dom, seed), inputs(f.cod, seed + 1), inputs(f.dom, seed + 2)

    def first(*xdy):
        return jax.vjp(case.ref, *xdy[:n])[1](tuple(xdy[n:]))

    _, vjp2 = jax.vjp(first, *xs, *dys)
    rr = cg.rdiff(cg.rdiff(f))
    assert rr.dom == f.dom @ f.cod @ f.dom and rr.cod == f.dom @ f.cod
    assert_close(cg.to_jax(rr)(*xs, *dys, *ddxs), vjp2(tuple(ddxs)), tol, f"R∘R of {case!r}")


@settings(max_examples=N_RR_F64)
@given(cases("float64"), seeds())
def test_rdiff_rdiff_matches_vjp_of_vjp_float64(case, seed):
    with jax.enable_x64(True):
        _check_rr(case, seed)


@settings(max_examples=N_RR_F32)
@given(cases("float32", depth=1), seeds())
def test_rdiff_rdiff_matches_vjp_of_vjp_float32(case, seed):
    _check_rr(case, seed)


def lens_composite_backward(f: cg.Diagram, g: cg.Diagram) -> cg.Diagram:
    """The backward map of the lens composite ``(f, R[f]) ; (g, R[g])`` [CFGBL §2.1]:
    ``⟨π₀, ⟨π₀ ; f, π₁⟩ ; R[g]⟩ ; R[f]``, built on wires with ``trace``."""
    rf, rg = cg.rdiff(f), cg.rdiff(g)
    a = len(f.dom)

    def back(*args):
        xs, dz = args[:a], args[a:]
        ys = f(*xs)
        ys = ys if isinstance(ys, tuple) else (ys,)
        dy = rg(*ys, *dz)
        dy = dy if isinstance(dy, tuple) else (dy,)
        return rf(*xs, *dy)

    return cg.trace(back, f.dom @ g.cod)


@st.composite
def composable_pairs(draw, dtype="float64"):
    f = draw(cases(dtype, depth=1))
    g = draw(program(f.f.cod, f.out_bounds, dtype=dtype))
    return f, g


@settings(max_examples=N_LENS_COMPOSE)
@given(composable_pairs(), seeds())
def test_rdiff_preserves_composition(pair, seed):
    """R is a functor into lenses: ``R[f ; g]`` is the lens-composite backward map (RD.5)."""
    f, g = pair
    with jax.enable_x64(True):
        lhs = cg.rdiff(f.f >> g.f)
        rhs = lens_composite_backward(f.f, g.f)
        assert lhs.dom == rhs.dom and lhs.cod == rhs.cod
        args = inputs(lhs.dom, seed)
        assert_close(cg.to_jax(lhs)(*args), cg.to_jax(rhs)(*args), COMPOSITE_TOL["float64"], "R[f ; g]")


@settings(max_examples=N_LENS_TENSOR)
@given(cases("float64", depth=1), cases("float64", depth=1), seeds())
def test_rdiff_preserves_tensor(f, g, seed):
    """``R[f × g] = `` the pairwise R, up to reordering the domain ``(a, c, b', d') → (a, b', c, d')``."""
    f, g = f.f, g.f
    a, c, b, d = len(f.dom), len(g.dom), len(f.cod), len(g.cod)
    dom = f.dom @ g.dom @ f.cod @ g.cod
    perm = [*range(a), *range(a + c, a + c + b), *range(a, a + c), *range(a + c + b, a + c + b + d)]
    rhs = cg.wiring(dom, perm) >> (cg.rdiff(f) @ cg.rdiff(g))
    lhs = cg.rdiff(f @ g)
    assert lhs.dom == dom and lhs.cod == f.dom @ g.dom
    with jax.enable_x64(True):
        args = inputs(dom, seed)
        assert_close(cg.to_jax(lhs)(*args), cg.to_jax(rhs)(*args), COMPOSITE_TOL["float64"], "R[f × g]")


def test_case_count_is_at_least_200():
    assert TOTAL_CASES >= 200
