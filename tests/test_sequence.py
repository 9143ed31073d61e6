"""Sequence layers (``catgrad.nn.sequence``) and the indexing generators (``gather``, ``scatter_add``).

Oracles: each layer written again here in plain jax.numpy (``_ref_*``, from the formulas of the
papers, not through catgrad), ``jax.vjp`` of that reference for ``R`` of the layer, ``jax.nn.gelu``
and ``jax.nn.softmax`` where JAX has the function, and NumPy indexing / ``np.add.at`` for the
gather and scatter-add.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad import Array, nn
from catgrad.core.indexing import gather, scatter_add
from catgrad.nn import sequence as seq

TOL = dict(rtol=2e-5, atol=2e-5)
KEY = jax.random.PRNGKey(0)


def _rand(seed, *shape, lo=-1.0, hi=1.0):
    return jnp.asarray(np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32))


def _check(d: cg.Diagram, ref, args, float_mask=None, tol=TOL):
    """``d`` against ``ref`` (forward), and ``R[d]`` against ``jax.vjp(ref)`` on the float inputs."""
    out = cg.compile(d)(*args)
    want = jax.jit(ref)(*args)  # the reference compiled too: op-by-op dispatch is the slow part here
    want = want if isinstance(want, tuple) else (want,)
    for a, b in zip(out, want):
        np.testing.assert_allclose(a, b, **tol)
    float_mask = [jnp.issubdtype(a.dtype, jnp.floating) for a in args] if float_mask is None else float_mask
    fl = [i for i, m in enumerate(float_mask) if m]

    float_out = [t.is_float for t in d.cod]

    def ref_float(*xs):  # the float outputs as functions of the float inputs
        full = list(args)
        for i, x in zip(fl, xs):
            full[i] = x
        r = ref(*full)
        r = r if isinstance(r, tuple) else (r,)
        return tuple(y for y, f in zip(r, float_out) if f)

    primal, vjp = jax.vjp(jax.jit(ref_float), *[args[i] for i in fl])
    cts = tuple(_rand(100 + k, *p.shape) for k, p in enumerate(primal))
    expected = vjp(cts)
    dys = iter(cts)
    all_dys = [next(dys) if f else jnp.zeros(t.shape, t.dtype) for f, t in zip(float_out, d.cod)]
    got = cg.compile(cg.rdiff(d))(*args, *all_dys)
    for i, e in zip(fl, expected):
        np.testing.assert_allclose(got[i], e, **tol)


def _para_check(p: cg.Para, params, ref, *xs, tol=TOL):
    """A Para's map ``(params…, x…)`` against ``ref(params_tree, x…)``, forward and R."""
    cg.record.check_values(p.param, params)  # params is a tree shaped like the record
    flat = jax.tree_util.tree_leaves(params)  # the parameter wires, in the record's order
    n, tree = len(flat), jax.tree_util.tree_structure(params)
    _check(p.map, lambda *a: ref(jax.tree_util.tree_unflatten(tree, list(a[:n])), *a[n:]), [*flat, *xs], tol=tol)


# -- plain-JAX references -----------------------------------------------------------------

def _ref_layer_norm(x, gamma, beta, eps=1e-5):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + eps) * gamma + beta


def _ref_attention(p, x, heads, causal):
    T, D = x.shape
    d = D // heads
    q, k, v = (jnp.reshape(x @ p[w].T, (T, heads, d)).transpose(1, 0, 2) for w in ("Wq", "Wk", "Wv"))
    s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
    if causal:
        s = jnp.where(jnp.tril(jnp.ones((T, T), bool)), s, -jnp.inf)
    a = jax.nn.softmax(s, axis=-1)
    o = (a @ v).transpose(1, 0, 2).reshape(T, D)
    return o @ p["Wo"].T


# -- gather / scatter_add -----------------------------------------------------------------

def test_gather_and_scatter_add_against_numpy():
    E = _rand(0, 5, 3)
    i = jnp.array([[4, 0], [0, 2], [4, 4]], jnp.int32)
    (y,) = cg.to_jax(gather(Array((5, 3)), Array((3, 2), "int32")))(E, i)
    np.testing.assert_array_equal(y, np.asarray(E)[np.asarray(i)])
    u = _rand(1, 3, 2, 3)
    (s,) = cg.to_jax(scatter_add(Array((3, 2), "int32"), Array((3, 2, 3)), rows=5))(i, u)
    want = np.zeros((5, 3), np.float32)
    np.add.at(want, np.asarray(i), np.asarray(u))
    np.testing.assert_allclose(s, want, **TOL)


def test_gather_out_of_range_is_nan_and_scatter_drops_it():
    (y,) = cg.to_jax(gather(Array((2, 1)), Array((2,), "int32")))(jnp.ones((2, 1)), jnp.array([1, 2], jnp.int32))
    assert y[0, 0] == 1.0 and np.isnan(y[1, 0])
    (s,) = cg.to_jax(scatter_add(Array((2,), "int32"), Array((2,)), rows=2))(jnp.array([1, 5], jnp.int32),
                                                                             jnp.array([3.0, 4.0]))
    np.testing.assert_array_equal(s, [0.0, 3.0])


def test_gather_rdiff_is_scatter_add_and_second_order():
    E, i = _rand(0, 6, 4), jnp.array([1, 5, 1, 0], jnp.int32)
    d = gather(Array((6, 4)), Array((4,), "int32"))
    _check(d, lambda e, j: jnp.take(e, j, axis=0), [E, i])
    assert {op.gen.name for op in cg.rdiff(d).ops} == {"scatter_add", "zero"}  # zero: the index cotangent
    # R[R[gather]] against the vjp of the vjp
    r = cg.rdiff(d)

    def ref_r(e, dy):
        return jax.vjp(lambda e_: jnp.take(e_, i, axis=0), e)[1](dy)[0]
    _check(r, lambda e, j, dy: (ref_r(e, dy), jnp.zeros_like(j)), [E, i, _rand(1, 4, 4)], float_mask=[1, 0, 1])


def test_scatter_add_rdiff():
    i, u = jnp.array([2, 0, 2], jnp.int32), _rand(0, 3, 2)
    d = scatter_add(Array((3,), "int32"), Array((3, 2)), rows=4)
    _check(d, lambda j, v: jnp.zeros((4, 2)).at[j].add(v), [i, u])


@pytest.mark.parametrize("flags", [(False, True), (True, True), (True, False)])
def test_gather_batched_against_vmap(flags):
    n = 3
    d = gather(Array((5, 2)), Array((4,), "int32"))
    E = _rand(0, n, 5, 2) if flags[0] else _rand(0, 5, 2)
    ib = jnp.asarray(np.random.default_rng(1).integers(0, 5, (n, 4)), jnp.int32)
    i = ib if flags[1] else ib[0]
    axes = tuple(0 if f else None for f in flags)
    want = jax.vmap(lambda e, j: jnp.take(e, j, axis=0), in_axes=axes)(E, i)
    bd = cg.batch(d, n, flags)
    _check(bd, lambda e, j: jax.vmap(lambda e_, j_: jnp.take(e_, j_, axis=0), in_axes=axes)(e, j), [E, i])
    np.testing.assert_allclose(cg.to_jax(bd)(E, i)[0], want, **TOL)
    # batching R[gather] (both batched) against vmap of the per-example vjp
    r = cg.rdiff(d)
    dy = _rand(2, n, 4, 2)
    Eb = E if flags[0] else jnp.broadcast_to(E, (n, 5, 2))
    got = cg.to_jax(cg.batch(r, n))(Eb, ib, dy)[0]
    want = jax.vmap(lambda e, j, g_: jax.vjp(lambda e_: jnp.take(e_, j, axis=0), e)[1](g_)[0])(Eb, ib, dy)
    np.testing.assert_allclose(got, want, **TOL)


@pytest.mark.parametrize("flags", [(True, True), (True, False), (False, True)])
def test_scatter_add_and_batched_gather_batched_against_vmap(flags):
    n = 3
    i = jnp.asarray(np.random.default_rng(0).integers(0, 4, (n, 5)), jnp.int32)
    u = _rand(1, n, 5, 2)
    args = [i if flags[0] else i[0], u if flags[1] else u[0]]
    axes = tuple(0 if f else None for f in flags)
    d = scatter_add(Array((5,), "int32"), Array((5, 2)), rows=4)
    want = jax.vmap(lambda j, v: jnp.zeros((4, 2)).at[j].add(v), in_axes=axes)(*args)
    np.testing.assert_allclose(cg.to_jax(cg.batch(d, n, flags))(*args)[0], want, **TOL)
    # a gather that is already batched (batch_dims=1), batched again with only one operand
    g1 = gather(Array((2, 4, 3)), Array((2, 5), "int32"), batch_dims=1)
    E, j = _rand(2, 2, 4, 3), i[:2]
    for fl in ((True, False), (False, True)):
        Eb = jnp.stack([E * (k + 1) for k in range(n)]) if fl[0] else E
        jb = jnp.stack([j] * n) if fl[1] else j
        ref = jax.vmap(jax.vmap(lambda e, k: e[k]), in_axes=(0 if fl[0] else None, 0 if fl[1] else None))(Eb, jb)
        np.testing.assert_allclose(cg.to_jax(cg.batch(g1, n, fl))(Eb, jb)[0], ref, **TOL)


def test_gather_sympy_with_concrete_indices():
    import sympy as sp
    (y,) = cg.to_sympy(gather(Array((3,)), Array((2,), "int32")), [cg.symbols(Array((3,)))[0], sp.Matrix([2, 0])])
    assert list(y) == [sp.Symbol("x0_2"), sp.Symbol("x0_0")]
    with pytest.raises(cg.SemanticsError, match="concrete integer indices"):
        cg.to_sympy(gather(Array((3,)), Array((2,), "int32")))


def test_gather_type_errors_name_both_sides():
    with pytest.raises(TypeError, match="must be int32, got f32"):
        gather(Array((3, 2)), Array((2,)))
    with pytest.raises(TypeError, match=r"batch axes differ: table \(3,\), indices \(4,\)"):
        gather(Array((3, 5, 2)), Array((4, 2), "int32"), batch_dims=1)
    with pytest.raises(TypeError, match=r"leading axes \(2,\) must be the indices' shape \(3,\)"):
        scatter_add(Array((3,), "int32"), Array((2, 4)), rows=5)


# -- layers ---------------------------------------------------------------------------------

def test_embedding():
    p = nn.embedding(7, 3)(Array((5,), "int32"))
    E, i = _rand(0, 7, 3), jnp.array([6, 0, 6, 2, 1], jnp.int32)
    _para_check(p, {"embedding": {"E": E}}, lambda t, j: t["embedding"]["E"][j], i)
    with pytest.raises(TypeError, match="expects int32 token indices"):
        nn.embedding(7, 3)(Array((5,)))


def test_layer_norm():
    p = nn.layer_norm(6)(Array((4, 6)))
    params = {"layer_norm": {"gamma": _rand(1, 6), "beta": _rand(2, 6)}}
    _para_check(p, params, lambda t, x: _ref_layer_norm(x, t["layer_norm"]["gamma"], t["layer_norm"]["beta"]),
                _rand(0, 4, 6, lo=-3, hi=3))
    init = p.init(KEY)["layer_norm"]
    assert init["gamma"].tolist() == [1.0] * 6 and init["beta"].tolist() == [0.0] * 6
    # ε's place (inside the square root) and value (10⁻⁵): a row whose variance is about ε tells them apart
    x = jnp.asarray(np.array([[0.0, 3e-3, -3e-3, 2e-3, -2e-3, 1e-3]], np.float32))
    q = nn.layer_norm(6)(Array((1, 6)))
    g1, b0 = jnp.ones(6), jnp.zeros(6)
    (y,) = cg.to_jax(q)({"layer_norm": {"gamma": g1, "beta": b0}}, x)
    c = np.asarray(x, np.float64) - np.mean(np.asarray(x, np.float64))
    want = c / np.sqrt(np.mean(c * c) + 1e-5)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="width 5"):
        nn.layer_norm(5)(Array((4, 6)))


def test_gelu_is_jax_gelu_tanh_form():
    x = _rand(0, 3, 5, lo=-4, hi=4)
    _check(nn.gelu(Array((3, 5))).map, lambda v: jax.nn.gelu(v, approximate=True), [x])


def test_pointwise():
    p = nn.pointwise(4, 3, nn.gelu, name="ff")(Array((5, 4)))
    params = {"ff": {"W": _rand(1, 3, 4), "b": _rand(2, 3)}}
    _para_check(p, params, lambda t, x: jax.nn.gelu(x @ t["ff"]["W"].T + t["ff"]["b"], approximate=True),
                _rand(0, 5, 4))


@pytest.mark.parametrize("heads,causal", [(1, False), (2, True), (4, True)])
def test_attention(heads, causal):
    T, D = 5, 8
    p = nn.attention(heads, causal=causal)(Array((T, D)))
    params = {"attention": {w: _rand(k, D, D) for k, w in enumerate(("Wq", "Wk", "Wv", "Wo"))}}
    _para_check(p, params, lambda t, x: _ref_attention(t["attention"], x, heads, causal), _rand(9, T, D, lo=-2, hi=2))


@settings(max_examples=10)
@given(t=st.integers(0, 4), seed=st.integers(0, 1000))
def test_causal_attention_ignores_the_future(t, seed):
    """Changing positions after t leaves outputs 0..t unchanged (and, without the mask, it does not)."""
    T, D = 5, 4
    params = {"attention": {w: _rand(seed + k, D, D) for k, w in enumerate(("Wq", "Wk", "Wv", "Wo"))}}
    x = _rand(seed + 10, T, D)
    x2 = x.at[t + 1:].set(_rand(seed + 11, T - t - 1, D)) if t < T - 1 else x
    for causal in (True, False):
        p = nn.attention(2, causal=causal)(Array((T, D)))
        f = cg.to_jax(p)
        y, y2 = f(params, x)[0], f(params, x2)[0]
        if causal:
            np.testing.assert_allclose(y[:t + 1], y2[:t + 1], **TOL)
        elif t < T - 1:
            assert not np.allclose(y[:t + 1], y2[:t + 1], atol=1e-6)


def test_attention_heads_must_divide_width():
    with pytest.raises(TypeError, match="3 heads do not divide the width 8"):
        nn.attention(3)(Array((4, 8)))
    with pytest.raises(TypeError, match="3 heads do not divide the width 16"):
        nn.transformer_lm(vocab=5, context=4, width=16, heads=3, depth=1)


def test_residual():
    p = nn.residual(nn.pointwise(4, 4, name="f"))(Array((3, 4)))
    params = {"f": {"W": _rand(1, 4, 4), "b": _rand(2, 4)}}
    _para_check(p, params, lambda t, x: x + x @ t["f"]["W"].T + t["f"]["b"], _rand(0, 3, 4))
    with pytest.raises(TypeError, match=r"equal domain and codomain, got f32\[3,4\] → f32\[3,2\]"):
        nn.residual(nn.pointwise(4, 2)(Array((3, 4))))


def test_positional_sinusoidal_values():
    pe = seq.sinusoids(6, 4)
    assert pe[1, 0] == pytest.approx(math.sin(1.0)) and pe[1, 1] == pytest.approx(math.cos(1.0))
    assert pe[5, 2] == pytest.approx(math.sin(5 / 100.0)) and pe[5, 3] == pytest.approx(math.cos(5 / 100.0))
    p = nn.positional("sinusoidal")(Array((6, 4)))
    assert p.param == {} and len(p.wires) == 0
    x = _rand(0, 6, 4)
    _check(p.map, lambda v: v + pe, [x])


def test_positional_learned():
    p = nn.positional("learned")(Array((3, 2)))
    P, x = _rand(1, 3, 2), _rand(0, 3, 2)
    _para_check(p, {"positional": {"P": P}}, lambda t, v: v + t["positional"]["P"], x)
    with pytest.raises(ValueError, match="'sinusoidal' or 'learned'"):
        nn.positional("rotary")


def _ref_block(t, x, heads):
    h = x + _ref_attention(t["attention"], _ref_layer_norm(x, t["ln1"]["gamma"], t["ln1"]["beta"]), heads, True)
    z = _ref_layer_norm(h, t["ln2"]["gamma"], t["ln2"]["beta"])
    z = jax.nn.gelu(z @ t["ff1"]["W"].T + t["ff1"]["b"], approximate=True)
    return h + z @ t["ff2"]["W"].T + t["ff2"]["b"]


def test_transformer_block():
    p = nn.transformer_block(8, heads=2)(Array((4, 8)))
    params = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(p.param),
                                          [_rand(k, *t.shape, lo=-0.5, hi=0.5) for k, t in enumerate(p.wires)])
    _para_check(p, params, lambda t, x: _ref_block(t, x, 2), _rand(0, 4, 8), tol=dict(rtol=1e-4, atol=1e-4))


def test_transformer_lm_batched_through_the_learner_shapes():
    m = nn.transformer_lm(vocab=5, context=4, width=8, heads=2, depth=1)
    mb = m.batched(3)
    assert mb.dom == cg.Ty(Array((3, 4), "int32")) and mb.cod == cg.Ty(Array((3, 4, 5)))
    # the table stays shared: no broadcast of E along the batch
    names = [op.gen.name for op in mb.map.ops if op.gen.name == "gather"]
    assert names == ["gather"]
    g_op = next(op for op in mb.map.ops if op.gen.name == "gather")
    assert mb.map.wires[g_op.ins[0]] == Array((5, 8))


# -- the GRU -----------------------------------------------------------------------------------

def _ref_gru_cell(p, h, x):
    z = jax.nn.sigmoid(p["Wz"] @ x + p["Uz"] @ h + p["bz"])
    r = jax.nn.sigmoid(p["Wr"] @ x + p["Ur"] @ h + p["br"])
    hh = jnp.tanh(p["Wh"] @ x + p["Uh"] @ (r * h) + p["bh"])
    return (1 - z) * h + z * hh


def _gru_params(n_in, H, seed=0):
    shapes = {"W": (H, n_in), "U": (H, H), "b": (H,)}
    return {"gru": {f"{m}{k}": _rand(seed + 3 * i + j, *shapes[m]) for i, k in enumerate("zrh")
                    for j, m in enumerate("WUb")}}


def test_gru_cell():
    p = nn.gru_cell(3, 4)
    _para_check(p, _gru_params(3, 4), lambda t, h, x: _ref_gru_cell(t["gru"], h, x), _rand(20, 4), _rand(21, 3))


@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_over_a_sequence_is_lax_scan_of_the_cell(return_sequences):
    T = 5
    p = nn.gru(3, 4, return_sequences=return_sequences)(Array((T, 3)))
    assert [op.gen.name for op in p.map.ops] == ["constant", "scan"]  # h₀ = 0, then one loop

    def ref(t, xs):
        h, hs = jax.lax.scan(lambda h_, x_: (_ref_gru_cell(t["gru"], h_, x_),) * 2, jnp.zeros(4), xs)
        return hs if return_sequences else h
    _para_check(p, _gru_params(3, 4, seed=7), ref, _rand(30, T, 3))


def test_gru_learns_running_parity():
    """The recurrent example's task at T = 6: every step of all 64 sequences right after training."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "examples" / "gru.py"
    spec = importlib.util.spec_from_file_location("catgrad_examples_gru", path)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    from catgrad import learn
    x, y = ex.parity_data(6)
    lrn = learn.supervised(ex.model(6, 8), ex.bce_logits, 1.0, learn.adam(0.03))
    state = lrn.init(jax.random.PRNGKey(0))
    state, hist = learn.fit(lrn, state, x, y, epochs=40, batch_size=16, key=jax.random.PRNGKey(1), progress=False)
    assert ex.accuracy(lrn, state.params, x, y) == (1.0, 1.0)
    assert hist["loss"][-1] < 0.05 * hist["loss"][0]


@pytest.mark.parametrize("g", [gather, scatter_add], ids=lambda g: g.name)
def test_indexing_generators_are_their_declared_records(g):
    from catgrad.core.signature import SIGNATURE
    assert isinstance(g, cg.Generator) and SIGNATURE[g.name] is g and g is getattr(cg, g.name)
    assert g.formula in g.__doc__ and g.rdiff_formula in g.__doc__
