"""conv2d and max_pool2d: forward, R, R∘R, batching, typing, sympy; oracles are jax.lax and jax.vjp."""
import numpy as np
import pytest
import jax
import jax.numpy as jnp
from jax import lax

from catgrad import Array, rdiff, to_jax, to_sympy, trace
from catgrad.batch import batch
from catgrad.core.conv import conv, conv2d, conv_reference
from catgrad.core.pool import max_pool2d, reduce_max

RTOL = {"float32": 2e-5, "float64": 1e-12}
ATOL = {"float32": 2e-5, "float64": 1e-12}


def rand(rng, shape, dtype):
    return jnp.asarray(rng.standard_normal(shape), dtype)


def lax_conv(x, w, stride, padding, dilation=(1, 1)):
    """The oracle: one example of conv2d straight through jax.lax (NCHW / OIHW)."""
    return lax.conv_general_dilated(x[None], w, stride, padding, rhs_dilation=dilation,
                                    precision=lax.Precision.HIGHEST)[0]


def close(a, b, dtype):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=RTOL[dtype], atol=ATOL[dtype])


CASES = [  # (C, H, W), (O, kh, kw), stride, padding, dilation
    ((1, 5, 5), (1, 2, 2), 1, "VALID", 1),
    ((3, 8, 7), (4, 3, 3), 1, "SAME", 1),
    ((2, 9, 9), (3, 3, 2), 2, "VALID", 1),
    ((2, 9, 8), (3, 3, 3), (2, 3), "SAME", 1),
    ((2, 7, 7), (2, 2, 3), 3, ((1, 2), (0, 1)), 1),
    ((2, 8, 8), (2, 3, 3), 1, 1, 2),
    ((2, 6, 6), (2, 3, 3), 2, ((-1, 2), (3, 0)), 1),
]


@pytest.mark.parametrize("case", CASES)
def test_conv2d_forward_and_R_vs_jax(case, dtype):
    (C, H, W), (O, kh, kw), stride, padding, dil = case
    rng = np.random.default_rng(hash(str(case)) % 2**32)
    f = conv2d(Array((C, H, W), dtype), Array((O, C, kh, kw), dtype), stride=stride, padding=padding, dilation=dil)
    x, w = rand(rng, (C, H, W), dtype), rand(rng, (O, C, kh, kw), dtype)
    st = (stride, stride) if isinstance(stride, int) else stride
    pad = ((padding, padding),) * 2 if isinstance(padding, int) else padding
    oracle = lambda x, w: lax_conv(x, w, st, pad, (dil, dil))
    y_ref, vjp = jax.vjp(oracle, x, w)
    (y,) = to_jax(f)(x, w)
    assert f.cod[0].shape == y_ref.shape
    close(y, y_ref, dtype)
    dy = rand(rng, y_ref.shape, dtype)
    dx, dw = to_jax(rdiff(f))(x, w, dy)
    dx_ref, dw_ref = vjp(dy)
    close(dx, dx_ref, dtype)
    close(dw, dw_ref, dtype)


@pytest.mark.parametrize("case", [CASES[2], CASES[4], CASES[6]])
def test_conv2d_second_order_vs_jax(case, x64):
    (C, H, W), (O, kh, kw), stride, padding, dil = case
    dtype = "float64"
    rng = np.random.default_rng(7)
    f = conv2d(Array((C, H, W), dtype), Array((O, C, kh, kw), dtype), stride=stride, padding=padding, dilation=dil)
    st = (stride, stride) if isinstance(stride, int) else stride
    oracle = lambda x, w: lax_conv(x, w, st, padding, (dil, dil))
    x, w = rand(rng, (C, H, W), dtype), rand(rng, (O, C, kh, kw), dtype)
    dy = rand(rng, f.cod[0].shape, dtype)

    def r(x, w, dy):
        return jax.vjp(oracle, x, w)[1](dy)

    outs, vjp2 = jax.vjp(r, x, w, dy)
    ddx, ddw = rand(rng, x.shape, dtype), rand(rng, w.shape, dtype)
    got = to_jax(rdiff(rdiff(f)))(x, w, dy, ddx, ddw)
    for g, e in zip(got, vjp2((ddx, ddw))):
        close(g, e, dtype)
    # and a third time, on the first output only (structure keeps working)
    rrr = rdiff(rdiff(rdiff(f)))
    assert rrr.dom == rdiff(rdiff(f)).dom @ rdiff(rdiff(f)).cod


def test_conv_reference_matches_lax_on_general_specs(x64):
    """The loop implementation (the sympy meaning) agrees with the JAX lowering, incl. groups/dilations."""
    rng = np.random.default_rng(0)
    specs = [
        ("c01,oc01->o01", (3, 7, 6), (2, 3, 3, 2)),
        ("zc01,oc01->zo01", (4, 3, 7, 6), (2, 3, 3, 2)),
        ("zc01,zo01->oc01", (4, 3, 7, 6), (4, 2, 3, 2)),      # a kernel gradient over a batch
        ("gc01,goc01->go01", (2, 3, 6, 6), (2, 4, 3, 2, 2)),  # grouped (both batched)
        ("ab01,cb01->c01a", (2, 3, 6, 5), (4, 3, 2, 2)),      # several N letters, permuted output
        ("01,o01->o01", (6, 6), (2, 3, 3)),                   # no channel axis at all
    ]
    for spec, xs, ws in specs:
        x, w = rng.standard_normal(xs), rng.standard_normal(ws)
        attrs = dict(window_strides=(2, 1), padding=((1, -1), (2, 0)), lhs_dilation=(1, 2), rhs_dilation=(2, 1))
        d = conv(Array(xs, "float64"), Array(ws, "float64"), spec=spec, **attrs)
        (y,) = to_jax(d)(x, w)
        ref = conv_reference(x, w, **dict(d.ops[0].attrs))
        assert y.shape == ref.shape == d.cod[0].shape
        np.testing.assert_allclose(np.asarray(y), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, "VALID"), (2, "SAME"), (2, ((1, 0), (0, 2)))])
def test_batched_conv_vs_vmap_and_its_R(stride, padding):
    dtype, B = "float32", 5
    rng = np.random.default_rng(3)
    f = conv2d(Array((3, 9, 8), dtype), Array((4, 3, 3, 3), dtype), stride=stride, padding=padding)
    fb = batch(f, B, (True, False))
    assert fb.dom == Array((B, 3, 9, 8)) @ Array((4, 3, 3, 3))
    st = (stride, stride)
    oracle = jax.vmap(lambda x, w: lax_conv(x, w, st, padding), in_axes=(0, None))
    xb, w = rand(rng, (B, 3, 9, 8), dtype), rand(rng, (4, 3, 3, 3), dtype)
    y_ref, vjp = jax.vjp(oracle, xb, w)
    (y,) = to_jax(fb)(xb, w)
    close(y, y_ref, dtype)
    dy = rand(rng, y_ref.shape, dtype)
    for got, ref in zip(to_jax(rdiff(fb))(xb, w, dy), vjp(dy)):
        close(got, ref, dtype)
    # both batched (per-example kernels): the grouped form
    fbb = batch(f, B, (True, True))
    wb = rand(rng, (B, 4, 3, 3, 3), dtype)
    oracle2 = jax.vmap(lambda x, w: lax_conv(x, w, st, padding))
    y2, vjp2 = jax.vjp(oracle2, xb, wb)
    close(to_jax(fbb)(xb, wb)[0], y2, dtype)
    for got, ref in zip(to_jax(rdiff(fbb))(xb, wb, dy), vjp2(dy)):
        close(got, ref, dtype)


def test_batch_of_R_gives_per_example_gradients(x64):
    dtype, B = "float64", 3
    rng = np.random.default_rng(4)
    f = conv2d(Array((2, 6, 6), dtype), Array((3, 2, 3, 3), dtype), stride=2, padding="SAME")
    r = batch(rdiff(f), B, (True, False, True))
    oracle = jax.vmap(lambda x, w, dy: jax.vjp(lambda x, w: lax_conv(x, w, (2, 2), "SAME"), x, w)[1](dy),
                      in_axes=(0, None, 0))
    xb, w, dy = rand(rng, (B, 2, 6, 6), dtype), rand(rng, (3, 2, 3, 3), dtype), rand(rng, (B, 3, 3, 3), dtype)
    for got, ref in zip(to_jax(r)(xb, w, dy), oracle(xb, w, dy)):
        close(got, ref, dtype)


def _avals(jaxpr):
    for eqn in jaxpr.eqns:
        for v in eqn.outvars:
            yield eqn.primitive.name, tuple(v.aval.shape)


def test_batched_kernel_gradient_is_one_convolution():
    """R of the batched conv w.r.t. the shared kernel contracts the batch inside one convolution."""
    B, C, O, k = 7, 3, 4, 3
    f = conv2d(Array((C, 10, 10)), Array((O, C, k, k)), stride=1)
    fb = batch(f, B, (True, False))
    r = rdiff(fb)
    dw_only = trace(lambda x, w, dy: r(x, w, dy)[1], *r.dom)
    args = (jnp.ones((B, C, 10, 10)), jnp.ones((O, C, k, k)), jnp.ones((B, O, 8, 8)))
    jaxpr = jax.make_jaxpr(to_jax(dw_only.prune()))(*args).jaxpr
    shapes = list(_avals(jaxpr))
    convs = [s for p, s in shapes if p == "conv_general_dilated"]
    assert len(convs) == 1, shapes
    assert all(s[:1] != (B,) or len(s) != 5 for _, s in shapes), f"per-example kernel gradient in {shapes}"
    assert not any(p == "reduce_sum" for p, _ in shapes), shapes
    assert (B, O, C, k, k) not in [s for _, s in shapes]


# -- max pooling ---------------------------------------------------------------------------

def lax_pool(x, k, s):
    lead = (1,) * (x.ndim - 2)
    return lax.reduce_window(x, -jnp.inf, lax.max, (*lead, *k), (*lead, *s), "VALID")


POOLS = [  # shape, window, stride
    ((2, 26, 26), 2, None),
    ((3, 10, 10), 2, None),
    ((2, 9, 8), (3, 2), None),
    ((2, 7, 7), 2, None),       # not divisible: the last row/column is dropped
    ((2, 8, 9), 3, 2),          # overlapping windows
    ((1, 6, 7), (2, 3), (1, 2)),
    ((2, 3, 7, 7), 3, 2),       # extra leading axes
]


@pytest.mark.parametrize("shape,window,stride", POOLS)
def test_max_pool_forward_and_R_vs_jax(shape, window, stride, dtype):
    rng = np.random.default_rng(11)
    k = (window, window) if isinstance(window, int) else window
    s = k if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    f = max_pool2d(Array(shape, dtype), window, stride)
    x = rand(rng, shape, dtype)
    y_ref, vjp = jax.vjp(lambda x: lax_pool(x, k, s), x)
    assert f.cod[0].shape == y_ref.shape
    (y,) = to_jax(f)(x)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(y_ref))  # a max is exact
    dy = rand(rng, y_ref.shape, dtype)
    (dx,) = to_jax(rdiff(f))(x, dy)
    close(dx, vjp(dy)[0], dtype)


@pytest.mark.parametrize("shape,window,stride", [POOLS[1], POOLS[4]])
def test_max_pool_second_order_vs_jax(shape, window, stride, x64):
    dtype = "float64"
    rng = np.random.default_rng(5)
    k = (window, window)
    s = k if stride is None else (stride, stride)
    f = max_pool2d(Array(shape, dtype), window, stride)
    x = rand(rng, shape, dtype)
    dy = rand(rng, f.cod[0].shape, dtype)
    r = lambda x, dy: jax.vjp(lambda x: lax_pool(x, k, s), x)[1](dy)[0]
    _, vjp2 = jax.vjp(r, x, dy)
    ddx = rand(rng, shape, dtype)
    for got, ref in zip(to_jax(rdiff(rdiff(f)))(x, dy, ddx), vjp2(ddx)):
        close(got, ref, dtype)


@pytest.mark.parametrize("shape,window,stride", [POOLS[1], POOLS[4]])
def test_batched_max_pool_vs_vmap(shape, window, stride):
    dtype, B = "float32", 4
    rng = np.random.default_rng(6)
    k = (window, window)
    s = k if stride is None else (stride, stride)
    fb = batch(max_pool2d(Array(shape, dtype), window, stride), B)
    oracle = jax.vmap(lambda x: lax_pool(x, k, s))
    xb = rand(rng, (B, *shape), dtype)
    y_ref, vjp = jax.vjp(oracle, xb)
    np.testing.assert_array_equal(np.asarray(to_jax(fb)(xb)[0]), np.asarray(y_ref))
    dy = rand(rng, y_ref.shape, dtype)
    close(to_jax(rdiff(fb))(xb, dy)[0], vjp(dy)[0], dtype)


def test_max_pool_ties_share_the_cotangent():
    f = max_pool2d(Array((1, 2, 2)))
    x = jnp.array([[[1.0, 3.0], [3.0, 0.0]]])
    (dx,) = to_jax(rdiff(f))(x, jnp.array([[[4.0]]]))
    np.testing.assert_array_equal(np.asarray(dx), [[[0.0, 2.0], [2.0, 0.0]]])
    # the same convention as the gradient of jax.numpy.max
    np.testing.assert_array_equal(np.asarray(dx), np.asarray(jax.grad(lambda x: 4.0 * jnp.max(x))(x)))


# -- sympy -----------------------------------------------------------------------------------

def test_conv2d_sympy_matches_jax(x64):
    import sympy as sp
    f = conv2d(Array((2, 3, 3), "float64"), Array((2, 2, 2, 2), "float64"), stride=1, padding=((1, 0), (0, 1)))
    r = rdiff(f)
    exprs = to_sympy(r)
    rng = np.random.default_rng(1)
    vals = [rng.standard_normal(t.shape) for t in r.dom]
    from catgrad import symbols
    syms = symbols(r.dom)
    subs = {}
    for s_, v in zip(syms, vals):
        for a, b in zip(np.asarray(s_.tolist(), dtype=object).ravel(), v.ravel()):
            subs[a] = b
    got = to_jax(r)(*vals)
    for e, g in zip(exprs, got):
        num = np.array(sp.Array(e).subs(subs).tolist(), dtype=float).reshape(g.shape)
        np.testing.assert_allclose(num, np.asarray(g), rtol=1e-10, atol=1e-10)


def test_max_pool_sympy_matches_jax(x64):
    import sympy as sp
    from catgrad import symbols
    r = rdiff(max_pool2d(Array((1, 2, 4), "float64")))
    exprs = to_sympy(r)
    vals = [np.array([[[0.3, -1.0, 2.0, 0.5], [0.1, 0.7, -0.2, 1.5]]]), np.array([[[2.0, -3.0]]])]
    subs = {}
    for s_, v in zip(symbols(r.dom), vals):
        for a, b in zip(np.asarray(s_.tolist(), dtype=object).ravel(), v.ravel()):
            subs[a] = b
    num = np.array(sp.Array(exprs[0]).subs(subs).tolist(), dtype=float).reshape(1, 2, 4)
    np.testing.assert_allclose(num, np.asarray(to_jax(r)(*vals)[0]), rtol=1e-12)
    np.testing.assert_allclose(num, [[[0, 0, -3.0, 0], [0, 2.0, 0, 0]]])  # maxima 0.7 and 2.0


# -- typing errors ------------------------------------------------------------------------------

def test_conv2d_channel_mismatch():
    with pytest.raises(TypeError, match=r"conv2d: the input f32\[3,8,8\] has 3 channel.*expects 2 \(channel mismatch\)"):
        conv2d(Array((3, 8, 8)), Array((4, 2, 3, 3)))


def test_conv2d_kernel_larger_than_input():
    with pytest.raises(TypeError, match=r"conv2d: .*kernel \(5.*larger than the padded input \(4"):
        conv2d(Array((1, 4, 4)), Array((1, 1, 5, 5)))
    conv2d(Array((1, 4, 4)), Array((1, 1, 5, 5)), padding="SAME")  # fine once padded


@pytest.mark.parametrize("stride", [0, -1, 1.5, (1, 2, 3), "2"])
def test_conv2d_bad_stride(stride):
    with pytest.raises(TypeError, match=r"conv2d: stride must be a positive int or a pair"):
        conv2d(Array((1, 4, 4)), Array((1, 1, 2, 2)), stride=stride)


def test_conv2d_bad_rank_dtype_and_padding():
    with pytest.raises(TypeError, match=r"conv2d: expects an input \(C, H, W\)"):
        conv2d(Array((4, 4)), Array((1, 1, 2, 2)))
    with pytest.raises(TypeError, match=r"same dtype"):
        conv2d(Array((1, 4, 4)), Array((1, 1, 2, 2), "float64"))
    with pytest.raises(TypeError, match=r"padding must be 'VALID', 'SAME'"):
        conv2d(Array((1, 4, 4)), Array((1, 1, 2, 2)), padding="FULL")


def test_max_pool_errors():
    with pytest.raises(TypeError, match=r"max_pool2d: the window \(5, 5\) is larger"):
        max_pool2d(Array((1, 4, 4)), 5)
    with pytest.raises(TypeError, match=r"max_pool2d: stride must be a positive int"):
        max_pool2d(Array((1, 4, 4)), 2, 0)


def test_wires_inside_trace_and_batched_rank4_input():
    A, K = Array((2, 6, 6)), Array((3, 2, 3, 3))
    d = trace(lambda x, w: max_pool2d(conv2d(x, w, padding="SAME")), A, K)
    assert d.cod[0] == Array((3, 3, 3))
    d4 = conv2d(Array((5, 2, 6, 6)), K)
    assert d4.cod[0] == Array((5, 3, 4, 4))
    assert reduce_max(Array((2, 3)), axes=-1).cod[0] == Array((2,))


def test_reverse_derivatives_are_diagrams_of_generators():
    """R[conv2d] is two convs and a kernel flip; R[max_pool2d] uses the locally constant indicator max_hit."""
    r = rdiff(conv2d(Array((2, 6, 6)), Array((3, 2, 3, 3)), stride=2))
    assert sorted(op.gen.name for op in r.ops) == ["conv", "conv", "reverse"]
    names = {op.gen.name for op in rdiff(max_pool2d(Array((2, 6, 6)))).ops}
    assert names == {"reshape", "max_hit", "sum", "div", "broadcast", "mul"}  # reduce_max itself is pruned
    names = {op.gen.name for op in rdiff(max_pool2d(Array((2, 7, 7)))).ops}
    assert names == {"conv", "max_hit", "sum", "div", "broadcast", "mul", "constant", "reverse"}
