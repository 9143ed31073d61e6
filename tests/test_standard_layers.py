"""The sequence layers against the standard definitions users bring weights from (issue 20, point 4), and
the selection and indexing generators' meanings at the edges (out-of-range indices, huge scores).

Oracles, each written here in numpy from the published definitions (not through catgrad):
- GPT-2 [Radford et al. 2019; the layout of its released code: pre-norm blocks, ``c_attn`` projecting to
  ``q, k, v`` with a bias, ``c_proj`` with a bias, GELU in tanh form, ``ln_f``, logits ``h · wteᵀ``],
  with its weights in GPT-2's own layout (``c_attn.w: (D, 3D)``, ``x @ w + b``) mapped to catgrad's names;
- the GRU cell of PyTorch's ``nn.GRU`` documentation (reset gate after ``W_hn``, ``h' = (1 − z) n + z h``),
  with PyTorch's stacked ``weight_ih: (3H, n)`` (gates r, z, n) mapped as ``gru_cell``'s docstring says;
- NumPy indexing with an explicit range test for gather / scatter-add, sympy exact equality.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

import catgrad as cg
from catgrad import Array, nn
from catgrad.core.indexing import gather, scatter_add
from catgrad.core.select import compare, select


def _rng(seed):
    return np.random.default_rng(seed)


# -- GPT-2 in numpy ---------------------------------------------------------------------------------

def _np_layer_norm(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def _np_gelu(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _np_softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _np_gpt2(w, tokens, heads):
    T = len(tokens)
    h = w["wte"][tokens] + w["wpe"][:T]
    D = h.shape[1]
    d = D // heads
    future = np.triu(np.ones((T, T), bool), 1)
    for blk in w["h"]:
        a = _np_layer_norm(h, *blk["ln_1"])
        qkv = a @ blk["c_attn"][0] + blk["c_attn"][1]
        q, k, v = (m.reshape(T, heads, d).transpose(1, 0, 2) for m in np.split(qkv, 3, axis=-1))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.where(future, -np.inf, s)
        o = (_np_softmax(s) @ v).transpose(1, 0, 2).reshape(T, D)
        h = h + o @ blk["attn_proj"][0] + blk["attn_proj"][1]
        m = _np_gelu(_np_layer_norm(h, *blk["ln_2"]) @ blk["c_fc"][0] + blk["c_fc"][1])
        h = h + m @ blk["mlp_proj"][0] + blk["mlp_proj"][1]
    h = _np_layer_norm(h, *w["ln_f"])
    return h @ w["wte"].T


def _gpt2_weights(V, T, D, depth, seed=0):
    r = _rng(seed)

    def n(*shape, s=0.2):
        return r.normal(0, s, shape)

    def ln():
        return (1 + n(D, s=0.1), n(D, s=0.1))
    return {"wte": n(V, D), "wpe": n(T, D), "ln_f": ln(),
            "h": [{"ln_1": ln(), "c_attn": (n(D, 3 * D), n(3 * D)), "attn_proj": (n(D, D), n(D)),
                   "ln_2": ln(), "c_fc": (n(D, 4 * D), n(4 * D)), "mlp_proj": (n(4 * D, D), n(D))}
                  for _ in range(depth)]}


def _to_catgrad(w):
    """GPT-2's weights under catgrad's names (catgrad's W is (out, in): the transpose of GPT-2's Conv1D)."""
    f32 = lambda a: jnp.asarray(np.asarray(a, np.float32))  # noqa: E731
    tree = {"embedding": {"E": f32(w["wte"])}, "positional": {"P": f32(w["wpe"])},
            "ln_f": {"gamma": f32(w["ln_f"][0]), "beta": f32(w["ln_f"][1])}}
    for i, blk in enumerate(w["h"]):
        Wqkv, bqkv = blk["c_attn"]
        att = {f"W{c}": f32(m.T) for c, m in zip("qkv", np.split(Wqkv, 3, axis=1))}
        att.update({f"b{c}": f32(b) for c, b in zip("qkv", np.split(bqkv, 3))})
        att.update(Wo=f32(blk["attn_proj"][0].T), bo=f32(blk["attn_proj"][1]))
        tree[f"block{i}"] = {
            "ln1": {"gamma": f32(blk["ln_1"][0]), "beta": f32(blk["ln_1"][1])}, "attention": att,
            "ln2": {"gamma": f32(blk["ln_2"][0]), "beta": f32(blk["ln_2"][1])},
            "ff1": {"W": f32(blk["c_fc"][0].T), "b": f32(blk["c_fc"][1])},
            "ff2": {"W": f32(blk["mlp_proj"][0].T), "b": f32(blk["mlp_proj"][1])}}
    return tree


GPT2_TOL = 1e-5


def gpt2_difference(V=50, T=12, D=32, heads=4, depth=2, seed=0) -> float:
    """The largest |catgrad − numpy GPT-2| over the logits of one random token sequence."""
    m = nn.transformer_lm(V, T, D, heads, depth, bias=True, tied=True)
    w = _gpt2_weights(V, T, D, depth, seed)
    tokens = _rng(seed + 1).integers(0, V, T)
    got = cg.compile(m.map)(*jax.tree_util.tree_leaves(_to_catgrad(w)), jnp.asarray(tokens, jnp.int32))[0]
    return float(np.max(np.abs(np.asarray(got, np.float64) - _np_gpt2(w, tokens, heads))))


def test_transformer_lm_with_biases_and_tied_head_is_gpt2():
    assert gpt2_difference() < GPT2_TOL
    m = nn.transformer_lm(50, 12, 32, 4, 2, bias=True, tied=True)
    names = [tuple(n.split(".")) for n in cg.record.paths(m.param)]
    assert not any(n[0] == "head" for n in names)  # tied: the output head is the embedding table
    assert sorted(n[2] for n in names if n[:2] == ("block0", "attention")) == [
        "Wk", "Wo", "Wq", "Wv", "bk", "bo", "bq", "bv"]


def test_tied_head_gradient_sums_both_uses_of_the_table():
    """R of the tied model against jax.grad of the same function written in jax.numpy (E read twice)."""
    V, T, D = 7, 4, 8
    m = nn.transformer_lm(V, T, D, 2, 1, bias=True, tied=True)
    params = m.init(jax.random.PRNGKey(0))
    flat = jax.tree_util.tree_leaves(params)
    tokens = jnp.array([1, 6, 1, 3], jnp.int32)
    f = cg.to_jax(m.map)
    dy = jnp.asarray(_rng(3).normal(size=(T, V)), jnp.float32)
    want = jax.jit(lambda *ps: jax.vjp(lambda *qs: f(*qs, tokens)[0], *ps)[1](dy))(*flat)  # jitted: op by op is slow
    got = cg.compile(cg.rdiff(m.map))(*flat, tokens, dy)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_transformer_block_default_hidden_is_four_times_the_width():
    p = nn.transformer_block(8, heads=2)(Array((3, 8)))
    shapes = {tuple(n.split(".")): t.shape for n, t in zip(cg.record.paths(p.param), p.wires)}
    assert shapes[("ff1", "W")] == (32, 8) and shapes[("ff2", "W")] == (8, 32)


# -- the causal mask is a selection -------------------------------------------------------------------

def test_causal_attention_gives_the_future_exactly_zero_weight_at_scores_of_1e12():
    """Scores s[t, u] = 10¹²·x_t·x_u grow with u: an additive mask of −10⁹ would let position t attend to
    u > t; the selection gives the future weight exactly 0, so output t is v_t = x_t at t = 0 exactly and
    a convex combination of x_0..x_t after."""
    T = 4
    p = nn.attention(1, causal=True)(Array((T, 1)))
    big = jnp.array([[1e6]], jnp.float32)
    one = jnp.ones((1, 1), jnp.float32)
    x = jnp.arange(1.0, T + 1.0)[:, None]
    params = {"attention": {"Wq": big, "Wk": big, "Wv": one, "Wo": one}}
    y = np.asarray(cg.to_jax(p.map)(*jax.tree_util.tree_leaves(params), x)[0])[:, 0]
    # at scores 10¹²·t·u the largest allowed u (= t) takes all the weight: y_t = x_t exactly
    np.testing.assert_array_equal(y, np.asarray(x)[:, 0])
    # and R is finite (the −∞ branch gets no cotangent)
    r = cg.to_jax(cg.rdiff(p.map))(*jax.tree_util.tree_leaves(params), x, jnp.ones((T, 1)))
    assert all(np.all(np.isfinite(np.asarray(a))) for a in r)


def test_select_and_compare_meanings_and_r():
    c = jnp.array([True, False, True])
    x, y = jnp.array([1.0, 2.0, 3.0]), jnp.array([-1.0, -2.0, -3.0])
    f = select(Array((3,), "bool"), Array((3,)), Array((3,)))
    np.testing.assert_array_equal(cg.to_jax(f)(c, x, y)[0], np.where(c, x, y))
    dy = jnp.array([10.0, 20.0, 30.0])
    _, dx, dz = cg.to_jax(cg.rdiff(f))(c, x, y, dy)
    wx, wz = jax.vjp(lambda a, b: jnp.where(c, a, b), x, y)[1](dy)
    np.testing.assert_array_equal(dx, wx)
    np.testing.assert_array_equal(dz, wz)
    a, b = cg.symbols(Array((3,)) @ Array((3,)))
    (s,) = cg.to_sympy(f, [sp.Matrix([1, 0, 1]), a, b])
    assert list(s) == [a[0], b[1], a[2]]
    cmp = compare(Array((3,)), Array((3,)), "lt")
    np.testing.assert_array_equal(cg.to_jax(cmp)(x, jnp.array([2.0, 2.0, 2.0]))[0], [True, False, False])
    u, v = sp.symbols("u v")
    assert cg.to_sympy(compare(Array(()), Array(()), "lt"), [u, v])[0] == sp.Lt(u, v)
    # a selection on a symbolic comparison is a Piecewise
    g = cg.trace(lambda u_, v_: select(compare(u_, v_, "gt"), u_, v_), Array(()), Array(()))
    assert cg.to_sympy(g, [u, v])[0] == sp.Piecewise((u, u > v), (v, True))
    with pytest.raises(TypeError, match="condition .* must be a bool array"):
        select(Array((3,)), Array((3,)), Array((3,)))
    with pytest.raises(TypeError, match="op must be one of"):
        compare(Array((3,)), Array((3,)), "<")


# -- the GRU cell of PyTorch / flax ----------------------------------------------------------------------

def _np_torch_gru(w_ih, w_hh, b_ih, b_hh, xs, h):
    """PyTorch's ``nn.GRU`` equations (its documentation), gates stacked (r, z, n) in the weights."""
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    H = h.shape[0]
    hs = []
    for x in xs:
        gi, gh = w_ih @ x + b_ih, w_hh @ h + b_hh
        r = sig(gi[:H] + gh[:H])
        z = sig(gi[H:2 * H] + gh[H:2 * H])
        n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        h = (1 - z) * n + z * h
        hs.append(h)
    return np.stack(hs)


def _torch_weights(n, H, seed=0):
    r = _rng(seed)
    return r.normal(0, 0.5, (3 * H, n)), r.normal(0, 0.5, (3 * H, H)), r.normal(0, 0.5, 3 * H), \
        r.normal(0, 0.5, 3 * H)


def _map_torch(w_ih, w_hh, b_ih, b_hh):
    """PyTorch's weights as ``gru_cell(reset_after=True)``'s record (the mapping its docstring states)."""
    H = w_hh.shape[1]
    part = lambda a, k: jnp.asarray(a[k * H:(k + 1) * H], jnp.float32)  # noqa: E731  r = 0, z = 1, n = 2
    return {"gru": {"Wz": part(w_ih, 1), "Uz": part(w_hh, 1), "bz": part(b_ih + b_hh, 1),
                    "Wr": part(w_ih, 0), "Ur": part(w_hh, 0), "br": part(b_ih + b_hh, 0),
                    "Wh": part(w_ih, 2), "Uh": part(w_hh, 2), "bh": part(b_ih, 2), "bhn": part(b_hh, 2)}}


def gru_difference(reset_after=True, T=7, n=3, H=5, seed=0) -> float:
    """The largest |catgrad − PyTorch formula| over all hidden states of a T-step sequence."""
    w = _torch_weights(n, H, seed)
    xs = _rng(seed + 1).normal(0, 1, (T, n))
    want = _np_torch_gru(*w, xs, np.zeros(H))
    p = nn.gru(n, H, return_sequences=True, reset_after=reset_after)(Array((T, n)))
    tree = _map_torch(*w)
    if not reset_after:
        tree = {"gru": {k: v for k, v in tree["gru"].items() if k != "bhn"}}
    got = cg.compile(p.map)(*jax.tree_util.tree_leaves(tree), jnp.asarray(xs, jnp.float32))[0]
    return float(np.max(np.abs(np.asarray(got, np.float64) - want)))


def test_gru_reset_after_is_the_pytorch_cell():
    assert gru_difference(reset_after=True) < 1e-5
    # the reset-before cell (Cho et al. 2014) is another function: same weights, other states
    assert gru_difference(reset_after=False) > 0.05


def test_gru_cell_reset_after_r_against_jax_vjp():
    H, n = 4, 3
    p = nn.gru_cell(n, H, reset_after=True)
    params = p.init(jax.random.PRNGKey(1))
    params = jax.tree_util.tree_map(lambda a: a + 0.3, params)  # non-zero biases
    flat = jax.tree_util.tree_leaves(params)
    h, x = jnp.linspace(-1, 1, H), jnp.linspace(0.5, -0.5, n)
    f = cg.to_jax(p.map)
    dy = jnp.linspace(1.0, 2.0, H)
    want = jax.jit(lambda *a: jax.vjp(lambda *b: f(*b)[0], *a)[1](dy))(*flat, h, x)
    got = cg.compile(cg.rdiff(p.map))(*flat, h, x, dy)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# -- gather / scatter_add out of range, in every meaning -------------------------------------------------

BAD = [-1, -3, 3, 7]  # V = 3 rows: negative ones must not wrap around as NumPy's E[-1] would


def test_gather_out_of_range_reads_nan_in_jax_and_sympy():
    E = np.arange(6.0).reshape(3, 2)
    i = np.array([0, -1, 2, 3, -3, 7], np.int32)
    d = gather(Array((3, 2)), Array((6,), "int32"))
    want = np.where(((i >= 0) & (i < 3))[:, None], E[np.clip(i, 0, 2)], np.nan)
    np.testing.assert_array_equal(cg.to_jax(d)(jnp.asarray(E), jnp.asarray(i))[0], want)
    np.testing.assert_array_equal(cg.compile(d)(jnp.asarray(E), jnp.asarray(i))[0], want)
    (s,) = cg.to_sympy(d, [sp.Matrix(E.astype(int)), sp.Matrix(i)])
    assert s.row(0) == sp.Matrix([[0, 1]]) and s.row(2) == sp.Matrix([[4, 5]])
    assert all(s[r, c] is sp.nan for r in (1, 3, 4, 5) for c in (0, 1))
    # batched (batch_dims = 1): the same rule per batch entry
    db = gather(Array((2, 3)), Array((2, 2), "int32"), batch_dims=1)
    Eb, ib = jnp.arange(6.0).reshape(2, 3), jnp.array([[-1, 1], [2, 3]], jnp.int32)
    np.testing.assert_array_equal(cg.to_jax(db)(Eb, ib)[0], [[np.nan, 1.0], [5.0, np.nan]])


@pytest.mark.parametrize("bad", BAD)
def test_scatter_add_drops_out_of_range_in_jax_and_sympy(bad):
    i = np.array([0, bad, 2, 0], np.int32)
    u = np.array([1.0, 10.0, 100.0, 1000.0], np.float32)
    d = scatter_add(Array((4,), "int32"), Array((4,)), rows=3)
    want = np.array([1001.0, 0.0, 100.0])
    np.testing.assert_array_equal(cg.to_jax(d)(jnp.asarray(i), jnp.asarray(u))[0], want)
    a = cg.symbols(Array((4,)))[0]
    (s,) = cg.to_sympy(d, [sp.Matrix(i), a])
    assert list(s) == [a[0] + a[3], 0, a[2]]
    db = scatter_add(Array((2, 2), "int32"), Array((2, 2)), rows=3, batch_dims=1)
    np.testing.assert_array_equal(cg.to_jax(db)(jnp.array([[bad, 1], [2, bad]], jnp.int32), jnp.ones((2, 2)))[0],
                                  [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def test_scatter_add_rdiff_keeps_batch_dims():
    """R[scatter_add] with batch_dims = 1 against jax.vjp of the vmapped scatter (a gather per batch entry)."""
    i = jnp.array([[0, 2, 2], [1, 1, 0]], jnp.int32)
    u = jnp.asarray(_rng(0).normal(size=(2, 3, 4)), jnp.float32)
    d = scatter_add(Array((2, 3), "int32"), Array((2, 3, 4)), rows=3, batch_dims=1)
    ref = jax.vmap(lambda j, v: jnp.zeros((3, 4)).at[j].add(v))
    np.testing.assert_allclose(cg.to_jax(d)(i, u)[0], ref(i, u), rtol=1e-6)
    dy = jnp.asarray(_rng(1).normal(size=(2, 3, 4)), jnp.float32)
    _, du = cg.to_jax(cg.rdiff(d))(i, u, dy)
    np.testing.assert_allclose(du, jax.vjp(lambda v: ref(i, v), u)[1](dy)[0], rtol=1e-6)
