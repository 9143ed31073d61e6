"""R on diagrams: typing, structural maps, higher orders, and the linear size bound.

Size bound (catgrad/rdiff.py): ``size(R[f]) ≤ c·size(f) + |dom f| + |cod f|`` and
``size(R[R[f]]) ≤ c²·size(f) + (c + 2)(|dom f| + |cod f|)`` with ``c = RDIFF_SIZE_FACTOR = 10``.
It is checked (1) on every generator (``1 + |rule| + arity + coarity ≤ c``), (2) on chains of
10, 100 and 1,000 dense layers, (3) on 100 random composites (hypothesis).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import catgrad as cg
from catgrad.experiments import tanh_chain
from catgrad.rdiff import RDIFF_SIZE_FACTOR, rule
from strategies import cases
from test_generators import CASES

C = RDIFF_SIZE_FACTOR


def _bound1(f):
    return C * f.size + len(f.dom) + len(f.cod)


def _bound2(f):
    return C * C * f.size + (C + 2) * (len(f.dom) + len(f.cod))


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_generator_cost_is_within_the_factor(case):
    """``1 + |rule(g)| + arity(g) + coarity(g) ≤ c`` for each generator (the premise of the bound)."""
    f = CASES[case][1]("float32")
    for op in f.ops:
        dom = cg.Ty(*(f.wires[i] for i in op.ins))
        r, _ = rule(op.gen, dom, op.attrs)
        assert 1 + r.size + len(op.ins) + len(op.outs) <= C, (op.gen.name, r.size)


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_size_bound_on_deep_chains(n):
    f = tanh_chain(n)
    assert f.size == 3 * n
    r = cg.rdiff(f)
    assert r.size <= _bound1(f), (r.size, _bound1(f))
    rr = cg.rdiff(r)
    assert rr.size <= _bound2(f), (rr.size, _bound2(f))
    # and it is genuinely linear: the per-layer cost does not grow with depth
    assert r.size <= 4 * f.size and rr.size <= 14 * f.size


@settings(max_examples=100)
@given(cases("float32"))
def test_size_bound_on_random_composites(case):
    f = case.f
    r = cg.rdiff(f)
    assert r.size <= _bound1(f)
    assert cg.rdiff(r).size <= _bound2(f)


def test_deep_chain_rdiff_matches_vjp():
    """R and R∘R of a 10-layer chain against jax.vjp and jax.vjp of the vjp (float64, rtol 1e-10)."""
    n, w = 10, 4
    f64 = tanh_chain(n, w, "float64")

    def ref(*a):
        x = a[-1]
        for i in range(n):
            x = jnp.tanh(a[2 * i] @ x + a[2 * i + 1])
        return x

    with jax.enable_x64(True):
        rng = np.random.default_rng(0)
        args = [jnp.asarray(rng.normal(size=t.shape) / 2) for t in f64.dom]
        dy = jnp.asarray(rng.normal(size=(w,)))
        _, vjp = jax.vjp(ref, *args)
        got = cg.to_jax(cg.rdiff(f64))(*args, dy)
        for a, b in zip(got, vjp(dy)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        dd = [jnp.asarray(rng.normal(size=t.shape)) for t in f64.dom]
        _, vjp2 = jax.vjp(lambda *xdy: jax.vjp(ref, *xdy[:-1])[1](xdy[-1]), *args, dy)
        got2 = cg.to_jax(cg.rdiff(cg.rdiff(f64)))(*args, dy, *dd)
        for a, b in zip(got2, vjp2(tuple(dd))):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_third_order():
    """R[R[R[sin]]] at (((x, dy), ddx), (e1, e2)) against three nested jax.vjp (float64)."""
    with jax.enable_x64(True):
        S = cg.Array((), "float64")
        r3 = cg.rdiff(cg.rdiff(cg.rdiff(cg.sin(S))))
        assert r3.dom == cg.Ty(*[S] * 5) and r3.cod == cg.Ty(*[S] * 3)

        def r1(x, dy):
            return jax.vjp(jnp.sin, x)[1](dy)[0]

        def r2(x, dy, ddx):
            return jax.vjp(r1, x, dy)[1](ddx)

        x, dy, ddx, e1, e2 = (jnp.float64(v) for v in (0.3, -1.1, 0.7, 2.0, -0.4))
        expected = jax.vjp(r2, x, dy, ddx)[1]((e1, e2))
        np.testing.assert_allclose(cg.to_jax(r3)(x, dy, ddx, e1, e2), expected, rtol=1e-12)


def test_structural_maps():
    """``R[Δ](x, (d₁, d₂)) = d₁ + d₂``, ``R[+](x, y, d) = (d, d)``, ``R[σ]`` swaps back, ``R[!] = 0``."""
    A = cg.Array((3,))
    x, d1, d2 = jnp.arange(3.0), jnp.ones(3), jnp.array([2.0, -1.0, 0.5])
    (got,) = cg.to_jax(cg.rdiff(cg.copy(A)))(x, d1, d2)
    np.testing.assert_allclose(got, d1 + d2)
    assert cg.rdiff(cg.copy(A)).size == 1 and cg.rdiff(cg.copy(A)).ops[0].gen.name == "add"
    a, b = cg.to_jax(cg.rdiff(cg.add(A)))(x, x, d2)
    np.testing.assert_allclose(a, d2)
    np.testing.assert_allclose(b, d2)
    B = cg.Array(())
    s = cg.rdiff(cg.swap(A, B))
    assert s.dom == A @ B @ B @ A and s.cod == A @ B and s.size == 0
    out = cg.to_jax(s)(x, jnp.float32(1.0), jnp.float32(5.0), d2)
    np.testing.assert_allclose(out[0], d2)
    assert float(out[1]) == 5.0
    (z,) = cg.to_jax(cg.rdiff(cg.discard(A)))(x)
    np.testing.assert_array_equal(z, np.zeros(3))


def test_unused_input_gets_zero_and_dead_code_is_pruned():
    """``f(x, y) = (exp x)``: R gives 0 for y, and the forward ops R does not need are pruned."""
    A = cg.Array((2,))
    f = cg.trace(lambda x, y: (cg.exp(x), cg.sin(y)), A, A) >> (cg.identity(A) @ cg.discard(A))
    r = cg.rdiff(f)
    names = [op.gen.name for op in r.ops]
    assert "sin" not in names and "cos" not in names  # the discarded branch costs nothing
    dx, dy = cg.to_jax(r)(jnp.ones(2), jnp.ones(2), jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(dx, np.e * np.array([1.0, 2.0]), rtol=1e-6)
    np.testing.assert_array_equal(dy, np.zeros(2))


def test_rdiff_is_a_diagram_of_the_same_generators():
    """R[f] uses only generators of the signature, so it can be printed, drawn and sent to sympy."""
    A = cg.Array(())
    f = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)
    r = cg.rdiff(f)
    assert {op.gen.name for op in r.ops} <= set(cg.core.signature.SIGNATURE)
    assert "sigmoid" in str(r)
    x, dy = cg.symbols(r.dom)
    (e,) = cg.to_sympy(r, [x, dy])
    s = 1 / (1 + cg.core.generators.sp.exp(-x))
    import sympy as sp
    assert sp.simplify(e - sp.diff(s * s, x) * dy) == 0
