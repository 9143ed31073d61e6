"""Layers as Para morphisms (``catgrad.nn``) [MATH.md §4] and initialisers (``catgrad.nn.init``).

Oracles: plain JAX (``W @ x``, ``jax.lax.conv_general_dilated``, ``jax.lax.reduce_window``,
``jnp.reshape``) for the forward maps, ``jax.vjp``/``jax.grad`` of those for the backward maps
of ``.lens()``, and the textbook variances for the initialisers over a large sample
(Glorot & Bengio 2010: Var = 2/(fan_in + fan_out); He et al. 2015: Var = 2/fan_in).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import catgrad as cg
from catgrad import Array, nn
from catgrad.nn import init as I

TOL = dict(rtol=1e-5, atol=1e-6)
KEY = jax.random.PRNGKey(0)


def _rand(seed, *shape):
    return jnp.asarray(np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32))


def _forward(p: cg.Para, params: dict, *xs):
    out = cg.to_jax(p)(params, *xs)
    return out[0] if len(out) == 1 else out


def _conv_ref(x, K, stride=1, padding="VALID"):
    s = (stride, stride) if isinstance(stride, int) else stride
    return jax.lax.conv_general_dilated(x[None], K, s, padding, dimension_numbers=("NCHW", "OIHW", "NCHW"))[0]


def _pool_ref(x, window, stride):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, window, window), (1, stride, stride), "VALID")


# -- forward maps against plain JAX --------------------------------------------------------

def test_linear_and_bias():
    lin = nn.linear(3, 2, name="lin")
    assert lin.param == {"lin": {"W": Array((2, 3))}} and lin.wires == cg.Ty(Array((2, 3)))
    assert lin.dom == cg.Ty(Array((3,))) and lin.cod == cg.Ty(Array((2,)))
    W, x, b = _rand(0, 2, 3), _rand(1, 3), _rand(2, 2)
    np.testing.assert_allclose(_forward(lin, {"lin": {"W": W}}, x), W @ x, **TOL)
    bi = nn.bias(2, name="bb")
    np.testing.assert_allclose(_forward(bi, {"bb": {"b": b}}, _rand(3, 2)), _rand(3, 2) + b, **TOL)
    assert nn.bias(2).init(KEY)["bias"]["b"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("act,ref", [(None, lambda z: z), ("sigmoid", jax.nn.sigmoid), (nn.tanh, jnp.tanh),
                                     (nn.relu, jax.nn.relu), (nn.softmax, jax.nn.softmax)])
def test_dense(act, ref):
    d = nn.dense(4, 3, act, name="layer")
    params = d.init(KEY)
    assert set(params) == {"layer"} and set(params["layer"]) == {"W", "b"}
    params = {"layer": {"W": _rand(0, 3, 4), "b": _rand(1, 3)}}
    x = _rand(2, 4)
    np.testing.assert_allclose(_forward(d, params, x), ref(params["layer"]["W"] @ x + params["layer"]["b"]), **TOL)


def test_mlp_forward_and_gradient_against_jax():
    model = nn.dense(4, 5, nn.tanh, name="h") >> nn.dense(5, 2, nn.sigmoid, name="o")
    params = model.init(jax.random.PRNGKey(7))
    x, dy = _rand(0, 4), _rand(1, 2)

    def ref(ps, x):
        h = jnp.tanh(ps["h"]["W"] @ x + ps["h"]["b"])
        return jax.nn.sigmoid(ps["o"]["W"] @ h + ps["o"]["b"])

    np.testing.assert_allclose(_forward(model, params, x), ref(params, x), **TOL)
    # the lens's backward map is the vjp in (parameters, input)
    lens = model.lens().map
    flat = jax.tree_util.tree_leaves(params)  # the parameter wires, in the record's (tree) order
    out = cg.to_jax(lens.bwd)(*flat, x, dy)
    gp, gx = jax.vjp(ref, params, x)[1](dy)
    np.testing.assert_allclose(out[-1], gx, **TOL)
    assert len(out) == len(flat) + 1
    for a, b in zip(out[:-1], jax.tree_util.tree_leaves(gp)):
        np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("stride,padding,use_bias", [(1, "VALID", False), (2, "SAME", True), (1, "SAME", False)])
def test_conv2d(stride, padding, use_bias):
    layer = nn.conv2d(2, 3, 3, stride=stride, padding=padding, use_bias=use_bias, name="c")(Array((2, 7, 7)))
    K, x = _rand(0, 3, 2, 3, 3), _rand(1, 2, 7, 7)
    params = {"c": {"K": K}}
    assert layer.init(KEY).keys() == {"c"} and set(layer.init(KEY)["c"]) == ({"K", "b"} if use_bias else {"K"})
    expected = _conv_ref(x, K, stride, padding)
    if use_bias:
        params["c"]["b"] = _rand(2, 3)
        expected = expected + params["c"]["b"][:, None, None]
    out = _forward(layer, params, x)
    assert layer.cod == cg.Ty(Array(expected.shape))
    np.testing.assert_allclose(out, expected, **TOL)


def test_conv2d_rectangular_kernel_gradient():
    layer = nn.conv2d(1, 2, (2, 3), name="c")(Array((1, 5, 6)))
    K, x = _rand(0, 2, 1, 2, 3), _rand(1, 1, 5, 6)
    dy = _rand(2, 2, 4, 4)
    out = cg.to_jax(layer.lens().map.bwd)(K, x, dy)
    gK, gx = jax.vjp(lambda k, x_: _conv_ref(x_, k), K, x)[1](dy)
    np.testing.assert_allclose(out[0], gK, **TOL)
    np.testing.assert_allclose(out[1], gx, **TOL)


@pytest.mark.parametrize("window,stride", [(2, None), (3, 1), (2, 3)])
def test_max_pool2d(window, stride):
    x = _rand(0, 2, 6, 7)
    p = nn.max_pool2d(window, stride)(Array((2, 6, 7)))
    assert p.param == {} and p.wires == cg.Ty()
    out = cg.to_jax(p.map)(x)[0]
    np.testing.assert_allclose(out, _pool_ref(x, window, stride or window), **TOL)


def test_flatten_and_cnn_against_jax():
    cnn = nn.conv2d(1, 3, 3, name="c1") >> nn.relu >> nn.max_pool2d(2) >> nn.flatten >> nn.dense(27, 4, name="d")
    model = cnn(Array((1, 8, 8)))
    assert model.cod == cg.Ty(Array((4,)))
    params = model.init(jax.random.PRNGKey(1))
    assert set(params) == {"c1", "d"}
    x = _rand(0, 1, 8, 8)

    def ref(ps, x):
        h = _pool_ref(jax.nn.relu(_conv_ref(x, ps["c1"]["K"])), 2, 2).reshape(-1)
        return ps["d"]["W"] @ h + ps["d"]["b"]

    np.testing.assert_allclose(_forward(model, params, x), ref(params, x), **TOL)
    # gradient of a scalar of the output, through the lens (R of conv, pooling, reshape)
    dy = _rand(3, 4)
    out = cg.to_jax(model.lens().map.bwd)(*jax.tree_util.tree_leaves(params), x, dy)
    gp = jax.grad(lambda ps: jnp.dot(ref(ps, x), dy))(params)
    assert len(out) == len(jax.tree_util.tree_leaves(params)) + 1
    for a, b in zip(out[:-1], jax.tree_util.tree_leaves(gp)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    f = nn.flatten(Array((2, 3, 4)))
    np.testing.assert_allclose(cg.to_jax(f.map)(_rand(5, 2, 3, 4))[0], _rand(5, 2, 3, 4).reshape(-1))


def test_sequential_equals_composition():
    a = nn.sequential(Array((3,)), nn.dense(3, 4, name="a"), nn.sigmoid, nn.dense(4, 2, name="b"))
    b = nn.dense(3, 4, "sigmoid", name="a") >> nn.dense(4, 2, name="b")
    assert a.param == b.param and cg.record.paths(a.param) == cg.record.paths(b.param)
    params = b.init(KEY)
    x = _rand(0, 3)
    np.testing.assert_allclose(_forward(a, params, x), _forward(b, params, x), **TOL)


def test_batched_model_is_vmap():
    model = nn.dense(3, 4, nn.relu, name="a") >> nn.dense(4, 2, name="b")
    params = model.init(KEY)
    xs = _rand(0, 5, 3)
    out = cg.to_jax(model.batched(5))(params, xs)[0]
    np.testing.assert_allclose(out, jax.vmap(lambda x: _forward(model, params, x))(xs), **TOL)


# -- parameters are pytrees --------------------------------------------------------------

def test_params_are_nested_dicts_for_jax_tree_util():
    model = nn.dense(3, 4, nn.relu, name="enc") >> nn.dense(4, 3, name="dec")
    params = model.init(KEY)
    assert jax.tree_util.tree_structure(params) == jax.tree_util.tree_structure(
        {"enc": {"W": 0, "b": 0}, "dec": {"W": 0, "b": 0}})
    assert len(jax.tree_util.tree_leaves(params)) == 4
    doubled = jax.tree_util.tree_map(lambda a: 2 * a, params)
    np.testing.assert_allclose(doubled["enc"]["W"], 2 * params["enc"]["W"])
    # jax.grad through the compiled forward map, with respect to the nested dict
    f = cg.to_jax(model)
    x = _rand(0, 3)
    g = jax.grad(lambda ps: jnp.sum(f(ps, x)[0] ** 2))(params)
    assert jax.tree_util.tree_structure(g) == jax.tree_util.tree_structure(params)
    assert all(a.shape == b.shape for a, b in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(params)))


# -- initialisers ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_normal", "normal"])
def test_initialisers_deterministic_given_key(name):
    fn = I.get(name)
    a, b = fn(jax.random.PRNGKey(0), (5, 6)), fn(jax.random.PRNGKey(0), (5, 6))
    np.testing.assert_array_equal(a, b)
    c = fn(jax.random.PRNGKey(1), (5, 6))
    assert not np.allclose(a, c)
    assert a.shape == (5, 6) and a.dtype == jnp.float32


def test_layer_init_deterministic_and_key_dependent():
    m = nn.conv2d(2, 4, 3, name="c")(Array((2, 6, 6))) >> nn.flatten >> nn.dense(64, 3, name="d")
    p1, p2, p3 = m.init(jax.random.PRNGKey(5)), m.init(jax.random.PRNGKey(5)), m.init(jax.random.PRNGKey(6))
    jax.tree_util.tree_map(np.testing.assert_array_equal, p1, p2)
    assert not np.allclose(p1["c"]["K"], p3["c"]["K"]) and not np.allclose(p1["d"]["W"], p3["d"]["W"])
    np.testing.assert_array_equal(p1["d"]["b"], np.zeros(3))


def test_fans():
    assert I.fans((30, 20)) == (20, 30)
    assert I.fans((8, 3, 5, 5)) == (75, 200)
    assert I.fans((7,)) == (7, 7)


# Large samples: sample variance of N iid draws has relative std ≈ √(2/N) (normal) or
# √(0.8/N) (uniform); with N ≥ 100 000 that is < 0.5 %, so a 3 % tolerance is > 6 σ.
@pytest.mark.parametrize("name,shape,var", [
    ("glorot_uniform", (400, 300), 2 / 700),
    ("glorot_normal", (400, 300), 2 / 700),
    ("he_normal", (400, 300), 2 / 300),
    ("he_normal", (64, 16, 3, 3), 2 / (16 * 9)),
    ("glorot_uniform", (64, 16, 3, 3), 2 / (16 * 9 + 64 * 9)),
])
def test_initialiser_variances(name, shape, var):
    a = np.asarray(I.get(name)(jax.random.PRNGKey(42), shape), np.float64)
    assert abs(a.mean()) < 4 * np.sqrt(var / a.size)
    assert a.var() == pytest.approx(var, rel=0.03)
    if name == "glorot_uniform":
        lim = np.sqrt(3 * var)
        assert np.abs(a).max() <= lim and np.abs(a).max() > 0.99 * lim


def test_layer_uses_its_initialiser():
    W = nn.linear(300, 400, init="he_normal").init(jax.random.PRNGKey(3))["linear"]["W"]
    assert np.var(np.asarray(W)) == pytest.approx(2 / 300, rel=0.03)
    W = nn.linear(300, 400, init=I.normal(0.5)).init(jax.random.PRNGKey(3))["linear"]["W"]
    assert np.var(np.asarray(W)) == pytest.approx(0.25, rel=0.03)


# -- bad input ---------------------------------------------------------------------------

def test_bad_layers():
    with pytest.raises(TypeError, match=r"expects an input \(C=3, H, W\).*f32\[1,8,8\]"):
        nn.conv2d(3, 2, 3)(Array((1, 8, 8)))
    with pytest.raises(ValueError, match="unknown activation 'sigmoidd'"):
        nn.dense(2, 2, "sigmoidd")
    with pytest.raises(ValueError, match="unknown initialiser 'glorott'"):
        nn.linear(2, 2, init="glorott")
    with pytest.raises(TypeError, match="sigmoid: expects one input wire"):
        nn.sigmoid(Array((2,)) @ Array((2,)))
    with pytest.raises(TypeError, match=r"f32\[3\].*f32\[4\]"):
        nn.dense(2, 3) >> nn.dense(4, 1)
