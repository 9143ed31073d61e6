"""The semantics functors: JAX (``to_jax``, ``compile``), sympy (``to_sympy``), networkx.

Oracles: hand-written jax.numpy functions and ``jax.grad``/``jax.vmap``; sympy's own ``diff``;
the graph's nodes and edges counted from the diagram's definition.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np
import sympy as sp
from hypothesis import given, settings

import catgrad as cg
from strategies import COMPOSITE_TOL, assert_close, cases, inputs, seeds

A, M, S = cg.Array((3,)), cg.Array((2, 3)), cg.Array(())


def mlp():
    """``(W, b, x) ↦ Σ tanh(W x + b)²``, a scalar function of three wires."""
    return cg.trace(lambda w, b, x: cg.sum(cg.pow(cg.tanh(cg.matmul(w, x) + b), 2)), M, cg.Array((2,)), A)


def mlp_ref(w, b, x):
    return jnp.sum(jnp.tanh(w @ x + b) ** 2)


def _args(seed=0):
    rng = np.random.default_rng(seed)
    return [jnp.asarray(rng.normal(size=s), jnp.float32) for s in ((2, 3), (2,), (3,))]


def test_to_jax_under_jit():
    f = jax.jit(cg.to_jax(mlp()))
    (y,) = f(*_args())
    np.testing.assert_allclose(y, mlp_ref(*_args()), rtol=1e-6)
    # traced once: a second call with new values of the same types reuses the compiled function
    assert f._cache_size() == 1
    f(*_args(1))
    assert f._cache_size() == 1


def test_to_jax_under_vmap():
    f = cg.to_jax(mlp())
    w, b, _ = _args()
    xs = jnp.asarray(np.random.default_rng(2).normal(size=(7, 3)), jnp.float32)
    (ys,) = jax.vmap(f, in_axes=(None, None, 0))(w, b, xs)
    np.testing.assert_allclose(ys, jax.vmap(mlp_ref, in_axes=(None, None, 0))(w, b, xs), rtol=1e-6)


def test_to_jax_under_grad():
    f = cg.to_jax(mlp())
    grads = jax.grad(lambda *a: f(*a)[0], argnums=(0, 1, 2))(*_args())
    assert_close(grads, jax.grad(mlp_ref, argnums=(0, 1, 2))(*_args()), dict(rtol=1e-5, atol=1e-6), "grad")
    # and jax.grad of the semantics agrees with catgrad's own R at dy = 1
    r = cg.to_jax(cg.rdiff(mlp()))(*_args(), jnp.float32(1.0))
    assert_close(r, grads, dict(rtol=1e-5, atol=1e-6), "R vs grad")


@settings(max_examples=20)
@given(cases("float32"), seeds())
def test_compile_matches_to_jax(case, seed):
    """``compile(f)`` (CSE + jax.jit) computes what ``to_jax(f)`` computes, for f and R[f]."""
    for d in (case.f, cg.rdiff(case.f)):
        xs = inputs(d.dom, seed)
        assert_close(cg.compile(d)(*xs), cg.to_jax(d)(*xs), COMPOSITE_TOL["float32"], "compile")


def test_simplify_preserves_semantics_and_shrinks():
    f = cg.trace(lambda x: cg.sin(x) * cg.sin(x) + cg.exp(x) * 0.0 + cg.sin(x), A)
    g = f.simplify()
    assert g.size < f.size and g.dom == f.dom and g.cod == f.cod
    x = jnp.array([0.1, 0.2, -0.5])
    assert_close(cg.to_jax(g)(x), cg.to_jax(f)(x), dict(rtol=1e-7), "simplify")


def test_to_sympy_shapes():
    """A scalar is an expression, a vector a column Matrix, a matrix a Matrix, rank 3 a sympy Array."""
    (e,) = cg.to_sympy(cg.sin(S))
    assert isinstance(e, sp.Expr) and e == sp.sin(sp.Symbol("x0"))
    (v,) = cg.to_sympy(cg.exp(A))
    assert isinstance(v, sp.MatrixBase) and v.shape == (3, 1)
    (m,) = cg.to_sympy(cg.matmul(M, cg.Array((3, 4))))
    assert isinstance(m, sp.MatrixBase) and m.shape == (2, 4)
    (t,) = cg.to_sympy(cg.neg(cg.Array((2, 2, 2))))
    assert isinstance(t, sp.NDimArray) and t.shape == (2, 2, 2)


def test_to_sympy_of_r_is_the_symbolic_derivative():
    """R[f](x, dy) = ∇f · dy for f = logsumexp ∘ (x ↦ x ⊙ x) on a vector, checked with sympy.diff."""
    f = cg.trace(lambda x: cg.logsumexp(x * x), A)
    x = sp.Matrix(sp.symbols("a0:3"))
    dy = sp.Symbol("dy")
    (got,) = cg.to_sympy(cg.rdiff(f), [x, dy])
    expr = sp.log(sum(sp.exp(xi ** 2) for xi in x))
    for i in range(3):
        assert sp.simplify(got[i] - sp.diff(expr, x[i]) * dy) == 0


def test_to_sympy_matches_to_jax_numerically():
    f = mlp()
    syms = cg.symbols(f.dom)
    (e,) = cg.to_sympy(f, syms)
    args = _args(3)
    subs = {}
    for s, a in zip(syms, args):
        flat_s = list(s) if isinstance(s, sp.MatrixBase) else [s]
        for si, ai in zip(flat_s, np.asarray(a, np.float64).reshape(-1)):
            subs[si] = float(ai)
    np.testing.assert_allclose(float(e.subs(subs)), float(cg.to_jax(f)(*args)[0]), rtol=1e-5)


def test_networkx_graph():
    f = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)
    g = cg.to_networkx(f)
    assert isinstance(g, nx.MultiDiGraph)
    kinds = [d["kind"] for _, d in g.nodes(data=True)]
    assert kinds.count("op") == f.size == 2
    assert kinds.count("wire") == len(f.wires) == 3
    assert kinds.count("dom") == 1 and kinds.count("cod") == 1
    assert [d["gen"] for n, d in sorted(g.nodes(data=True), key=lambda nd: str(nd[0])) if d["kind"] == "op"] == \
        ["sigmoid", "mul"]
    # the copied wire feeds both ports of mul: two parallel edges
    mul_in = [(u, d["port"]) for u, v, d in g.in_edges(("op", 1), data=True)]
    assert sorted(p for _, p in mul_in) == [0, 1] and len({u for u, _ in mul_in}) == 1
    # edges: dom→wire, wire→sigmoid, sigmoid→wire, wire→mul ×2, mul→wire, wire→cod
    assert g.number_of_edges() == 7
    assert nx.is_directed_acyclic_graph(g)
    assert nx.has_path(g, ("dom", 0), ("cod", 0))


def test_networkx_graph_of_rdiff_counts():
    f = cg.rdiff(cg.tanh(M) >> cg.sum(M))
    g = cg.to_networkx(f)
    n_ops = sum(1 for _, d in g.nodes(data=True) if d["kind"] == "op")
    assert n_ops == f.size
    assert g.number_of_edges() == sum(len(op.ins) + len(op.outs) for op in f.ops) + len(f.dom) + len(f.cod)
