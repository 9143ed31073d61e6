"""``catgrad.from_jax``: a JAX function read as a diagram of generators (issue 20, point 1).

Oracles: the JAX function itself (``to_jax(from_jax(fn)) = fn``) and ``jax.vjp(fn)`` for ``R``, on
random compositions of jax.numpy functions (hypothesis) and on functions written without catgrad in
mind (``jax.nn.softmax``, ``logsumexp``, both GELUs, a layer norm, a small conv net, a ``lax.scan`` RNN).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad import Array, from_jax

TOL = dict(rtol=2e-5, atol=2e-5)
MAX_DIFF = {"value": 0.0, "cases": 0}  # the largest |R[from_jax(fn)] − jax.vjp(fn)| over the property test


def _rand(seed, *shape, lo=-1.0, hi=1.0):
    return jnp.asarray(np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32))


def _check(fn, *xs, tol=TOL) -> float:
    """``to_jax(from_jax(fn)) = fn`` and ``R[from_jax(fn)] = jax.vjp(fn)`` at ``xs``; the largest difference."""
    d = from_jax(fn, *[Array(x.shape, str(x.dtype)) for x in xs])
    want = fn(*xs)
    want = want if isinstance(want, tuple) else (want,)
    got = cg.compile(d)(*xs)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, **tol)
    float_in = [i for i, x in enumerate(xs) if jnp.issubdtype(x.dtype, jnp.floating)]

    def f_float(*fl):
        full = list(xs)
        for i, v in zip(float_in, fl):
            full[i] = v
        r = fn(*full)
        return r if isinstance(r, tuple) else (r,)
    primal, vjp = jax.vjp(f_float, *[xs[i] for i in float_in])
    dys = tuple(_rand(50 + k, *p.shape) for k, p in enumerate(primal))
    expected = vjp(dys)
    r = cg.compile(cg.rdiff(d))(*xs, *dys)
    diff = 0.0
    for i, e in zip(float_in, expected):
        np.testing.assert_allclose(r[i], e, **tol)
        diff = max(diff, float(np.max(np.abs(np.asarray(r[i]) - np.asarray(e)))))
    return diff


# -- random compositions of jax.numpy functions ------------------------------------------------------

W = np.random.default_rng(7).normal(size=(4, 4)).astype(np.float32) / 2

UNARY = {
    "tanh": jnp.tanh, "sin": jnp.sin, "cos": jnp.cos, "sigmoid": jax.nn.sigmoid, "exp(-x²)": lambda v: jnp.exp(-v * v),
    "log(1+x²)": lambda v: jnp.log1p(v * v), "sqrt(x²+1)": lambda v: jnp.sqrt(v * v + 1.0), "abs": jnp.abs,
    "square": jnp.square, "cube": lambda v: v ** 3, "relu": jax.nn.relu, "softplus": jax.nn.softplus,
    "gelu": jax.nn.gelu, "silu": jax.nn.silu, "scale": lambda v: 0.5 * v - 1.0,
    "row sum": lambda v: jnp.sum(v, axis=-1, keepdims=True) + v, "mean": lambda v: v - jnp.mean(v),
    "col max": lambda v: v - jnp.max(v, axis=0), "matmul": lambda v: v @ W, "transpose": lambda v: (v.T * jnp.arange(3.0)).T,
    "softmax": lambda v: jax.nn.softmax(v, axis=-1), "clip": lambda v: jnp.clip(v, -0.5, 0.7),
    "rsqrt": lambda v: jax.lax.rsqrt(v * v + 1.0), "tan": lambda v: jnp.tan(0.5 * v),
}
BINARY = {
    "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "max": jnp.maximum, "min": jnp.minimum,
    "div": lambda a, b: a / (1.0 + b * b), "where": lambda a, b: jnp.where(a > b, a, 2.0 * b),
    "einsum": lambda a, b: jnp.einsum("ij,ij->i", a, b)[:, None] * a,
}


@st.composite
def programs(draw):
    """A straight-line program over two inputs: each step applies a unary or binary function to earlier values."""
    steps = []
    for k in range(draw(st.integers(1, 5))):
        n = 2 + k
        if draw(st.booleans()):
            steps.append(("u", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, n - 1))))
        else:
            steps.append(("b", draw(st.sampled_from(sorted(BINARY))), draw(st.integers(0, n - 1)),
                          draw(st.integers(0, n - 1))))
    return steps


def _program_fn(steps):
    def fn(x, y):
        vals = [x, y]
        for s in steps:
            vals.append(UNARY[s[1]](vals[s[2]]) if s[0] == "u" else BINARY[s[1]](vals[s[2]], vals[s[3]]))
        return vals[-1]
    return fn


@settings(max_examples=40, deadline=None)
@given(steps=programs(), seed=st.integers(0, 1000))
def test_r_of_from_jax_is_jax_vjp_on_random_compositions(steps, seed):
    fn = _program_fn(steps)
    diff = _check(fn, _rand(seed, 3, 4), _rand(seed + 1, 3, 4), tol=dict(rtol=1e-4, atol=1e-4))
    MAX_DIFF["value"] = max(MAX_DIFF["value"], diff)
    MAX_DIFF["cases"] += 1


# -- functions written without catgrad in mind -------------------------------------------------------

def _layer_norm(x, gamma, beta):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.var(x, axis=-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + 1e-5) * gamma + beta


def _conv_net(x, k1, k2, w):
    """NCHW conv (SAME) → relu → conv (VALID, stride 2) → tanh → global mean → dense → log-softmax."""
    dn = ("NCHW", "OIHW", "NCHW")
    h = jax.nn.relu(jax.lax.conv_general_dilated(x, k1, (1, 1), "SAME", dimension_numbers=dn))
    h = jnp.tanh(jax.lax.conv_general_dilated(h, k2, (2, 2), "VALID", dimension_numbers=dn))
    return jax.nn.log_softmax(jnp.mean(h, axis=(2, 3)) @ w)


def _rnn(h0, xs, U, V):
    def step(h, x):
        h = jnp.tanh(h @ U + x @ V)
        return h, jnp.sum(h * h)
    return jax.lax.scan(step, h0, xs)


@pytest.mark.parametrize("name,fn,shapes", [
    ("softmax", jax.nn.softmax, [(3, 5)]),
    ("log_softmax", jax.nn.log_softmax, [(3, 5)]),
    ("logsumexp", jax.nn.logsumexp, [(3, 5)]),
    ("logsumexp axis", lambda x: jax.nn.logsumexp(x, axis=0), [(3, 5)]),
    ("gelu tanh", lambda x: jax.nn.gelu(x, approximate=True), [(4, 6)]),
    ("gelu erf", lambda x: jax.nn.gelu(x, approximate=False), [(4, 6)]),
    ("layer norm", _layer_norm, [(4, 6), (6,), (6,)]),
    ("conv net", _conv_net, [(2, 3, 8, 8), (4, 3, 3, 3), (5, 4, 3, 3), (5, 3)]),
    ("scan rnn", _rnn, [(4,), (6, 3), (4, 4), (3, 4)]),
])
def test_functions_written_without_catgrad(name, fn, shapes):
    xs = [_rand(k, *s, lo=-2, hi=2) for k, s in enumerate(shapes)]
    _check(fn, *xs, tol=dict(rtol=1e-4, atol=1e-5))


def test_the_diagram_draws_and_has_a_formula():
    d = from_jax(lambda x, w: jax.nn.softmax(jnp.tanh(x @ w)), Array((2, 3)), Array((3, 4)))
    names = {op.gen.name for op in d.ops}
    assert {"einsum", "tanh", "exp", "stop_gradient", "reduce_max"} <= names
    drawing = cg.draw(d)
    assert len(drawing.boxes) > 0 and drawing.width > 0
    text = str(cg.formula(d))
    assert text.startswith("f(x₀, x₁) =") and "tanh" in text and "exp" in text


def test_stop_gradient_has_zero_r():
    d = from_jax(lambda x: x * jax.lax.stop_gradient(x), Array((3,)))
    x = _rand(0, 3)
    (dx,) = cg.to_jax(cg.rdiff(d))(x, jnp.ones(3))
    np.testing.assert_allclose(dx, x, **TOL)  # d/dx (x · sg(x)) = sg(x)


def test_constants_are_folded_and_closed_over_arrays_kept():
    M = jnp.arange(6.0).reshape(2, 3)
    d = from_jax(lambda x: x @ M.T + jnp.arange(2.0) * 2, Array((4, 3)))
    assert "iota" not in {op.gen.name for op in d.ops}
    x = _rand(0, 4, 3)
    np.testing.assert_allclose(cg.to_jax(d)(x)[0], x @ M.T + jnp.arange(2.0) * 2, **TOL)


def test_an_unsupported_primitive_names_itself_and_the_users_line():
    def f(x):
        return jnp.cumsum(x)  # the line the error must name
    with pytest.raises(cg.UnsupportedPrimitiveError, match=r"'cumsum'.*test_from_jax\.py:\d+"):
        from_jax(f, Array((3,)))
    with pytest.raises(cg.UnsupportedPrimitiveError, match="'sort'"):
        from_jax(jnp.sort, Array((3,)))


def test_bad_input():
    with pytest.raises(TypeError, match="expects a JAX function"):
        from_jax(3, Array((3,)))
    with pytest.raises(TypeError, match="give the types"):
        from_jax(jnp.tanh)
    with pytest.raises(TypeError, match="could not be traced"):
        from_jax(lambda x: x @ x, Array((2, 3)))


# -- each primitive of the table, one small function each --------------------------------------------

def _rev_scan(c, xs):
    return jax.lax.scan(lambda h, x: (jnp.sin(h) * x, h + x), c, xs, reverse=True)


PRIMITIVES = {
    "min": (lambda x, y: jnp.minimum(x, y), 2),
    "max": (lambda x, y: jnp.maximum(x, y), 2),
    "rsqrt": (lambda x, y: jax.lax.rsqrt(x * x + 0.5), 1),
    "is_finite": (lambda x, y: jnp.where(jnp.isfinite(jnp.log(x)), x, -2.0 * x), 1),
    "exp2 expm1 log1p tan": (lambda x, y: jnp.exp2(x) + jnp.expm1(y) * jnp.log1p(x * x) + jnp.tan(0.3 * y), 2),
    "clamp": (lambda x, y: jax.lax.clamp(-0.5, x, 0.6), 1),
    "reduce_min": (lambda x, y: jnp.min(x, axis=1), 1),
    "pow array exponent": (lambda x, y: (x * x + 1.0) ** y, 2),
    "comparisons": (lambda x, y: jnp.where(x <= y, x, y) + jnp.where(x >= 0.1, y, 0.0) + (x != y) * x
                    + (x == x) * y + (x < y) * y, 2),
    "squeeze": (lambda x, y: jnp.squeeze(jnp.reshape(x, (1, 12)) * 2.0, axis=0), 1),
    "broadcast of size-1 axes": (lambda x, y: jnp.sum(x, axis=0, keepdims=True) * y, 2),
    "reverse scan": (_rev_scan, None),
}


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_each_primitive(name):
    fn, arity = PRIMITIVES[name]
    if arity is None:
        _check(fn, _rand(0, 3), _rand(1, 5, 3))
        return
    x, y = _rand(0, 3, 4, lo=-2, hi=2), _rand(1, 3, 4, lo=-2, hi=2)
    _check(fn, x, y) if arity == 2 else _check(lambda a: fn(a, None), x)


def test_argmax_and_int_outputs():
    d = from_jax(lambda x: jnp.argmax(x, axis=1), Array((3, 4)))
    x = _rand(0, 3, 4)
    np.testing.assert_array_equal(cg.to_jax(d)(x)[0], jnp.argmax(x, axis=1))
# -- a JAX model as a Para: from_jax(apply, params, *input_types) (issue 20, point 2) -------------------------
# Oracle: jax.grad of the original function + optax, step for step.

def _mlp_apply(params, x):
    """A plain-JAX two-layer MLP on one example, its parameters a nested dict."""
    h = jnp.tanh(x @ params["l1"]["W"] + params["l1"]["b"])
    return h @ params["l2"]["W"] + params["l2"]["b"]


def _mlp_params(seed=0, n_in=4, n_hid=6, n_out=3):
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    return {"l1": {"W": jax.random.normal(k1, (n_in, n_hid)) * 0.5, "b": jnp.zeros(n_hid)},
            "l2": {"W": jax.random.normal(k2, (n_hid, n_out)) * 0.5, "b": jnp.full((n_out,), 0.1)}}


def _cnn_apply(params, x):
    """A plain-JAX CNN on one (C, H, W) image: conv, relu, conv, relu, flatten, dense."""
    conv = lambda v, k: jax.lax.conv_general_dilated(v[None], k, (1, 1), "VALID")[0]  # noqa: E731
    h = jax.nn.relu(conv(x, params["c1"]) + params["b1"][:, None, None])
    h = jax.nn.relu(conv(h, params["c2"]))
    return h.reshape(-1) @ params["out"]["W"] + params["out"]["b"]


def _cnn_params(seed=0):
    k = jax.random.split(jax.random.PRNGKey(seed), 3)
    return {"c1": jax.random.normal(k[0], (3, 1, 3, 3)) * 0.4, "b1": jnp.zeros(3),
            "c2": jax.random.normal(k[1], (2, 3, 2, 2)) * 0.4,
            "out": {"W": jax.random.normal(k[2], (2 * 3 * 3, 2)) * 0.3, "b": jnp.zeros(2)}}


def _ce(apply):
    def objective(params, xs, ys):
        logits = jax.vmap(apply, (None, 0))(params, xs)
        return jnp.mean(-jnp.sum(jax.nn.one_hot(ys, logits.shape[-1]) * jax.nn.log_softmax(logits), -1))
    return objective


def _mse(apply):
    def objective(params, xs, ys):
        return jnp.mean(0.5 * jnp.sum((jax.vmap(apply, (None, 0))(params, xs) - ys) ** 2, -1))
    return objective


def _agreement(apply, params, x_type, objective, batches, learner_args, tx) -> float:
    """The largest |catgrad − (jax.grad + optax)| over the parameters after each step."""
    import optax
    model = from_jax(apply, params, x_type)
    learner = cg.learn.supervised(model, *learner_args)
    state = learner.init(jax.random.PRNGKey(9))
    for a, b in zip(jax.tree_util.tree_leaves(state.params), jax.tree_util.tree_leaves(params)):
        np.testing.assert_array_equal(a, b)  # the initialiser returns the given params
    ref, opt_state, grad = params, tx.init(params), jax.jit(jax.grad(objective))
    worst = 0.0
    for xs, ys in batches:
        state = learner.step(state, xs, ys)
        updates, opt_state = tx.update(grad(ref, xs, ys), opt_state, ref)
        ref = optax.apply_updates(ref, updates)
        assert jax.tree_util.tree_structure(state.params) == jax.tree_util.tree_structure(ref)
        for a, b in zip(jax.tree_util.tree_leaves(state.params), jax.tree_util.tree_leaves(ref)):
            worst = max(worst, float(np.max(np.abs(np.asarray(a) - np.asarray(b)))))
    moved = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
                for a, b in zip(jax.tree_util.tree_leaves(ref), jax.tree_util.tree_leaves(params)))
    assert moved > 1e-3  # training did something
    return worst


AGREEMENT = {}  # the largest difference per case, for the report


def _mlp_batches(steps=10, batch=8):
    rng = np.random.default_rng(3)
    return [(rng.normal(size=(batch, 4)).astype(np.float32), rng.integers(0, 3, batch)) for _ in range(steps)]


@pytest.mark.parametrize("which", ["catgrad adam", "optax adamw"])
def test_a_jax_mlp_trains_as_a_para_like_jax_grad_and_optax(which):
    import optax
    opt = cg.learn.adam(1e-2) if which == "catgrad adam" else optax.adamw(1e-2, weight_decay=0.1)
    tx = optax.adam(1e-2) if which == "catgrad adam" else optax.adamw(1e-2, weight_decay=0.1)
    worst = _agreement(_mlp_apply, _mlp_params(), Array((4,)), _ce(_mlp_apply), _mlp_batches(),
                       (cg.learn.softmax_cross_entropy, 1.0, opt), tx)
    AGREEMENT[f"mlp {which}"] = worst
    assert worst < 1e-5


def test_a_jax_cnn_trains_as_a_para_like_jax_grad_and_optax():
    import optax
    rng = np.random.default_rng(4)
    batches = [(rng.normal(size=(4, 1, 6, 6)).astype(np.float32), rng.normal(size=(4, 2)).astype(np.float32))
               for _ in range(4)]
    worst = _agreement(_cnn_apply, _cnn_params(), Array((1, 6, 6)), _mse(_cnn_apply), batches,
                       (cg.learn.mse, 0.1, cg.learn.gd()), optax.sgd(0.1))
    AGREEMENT["cnn gd"] = worst
    assert worst < 1e-5


@pytest.mark.parametrize("apply, params, shape", [(_mlp_apply, _mlp_params(), (4,)),
                                                  (_cnn_apply, _cnn_params(), (1, 6, 6))])
def test_to_jax_of_the_para_is_apply(apply, params, shape):
    model = from_jax(apply, params, Array(shape))
    assert model.param == jax.tree_util.tree_map(lambda a: Array(a.shape, str(a.dtype)), params)
    assert model.wires == cg.record.leaves(model.param)  # the parameter wires first, in JAX's tree order
    assert model.map.dom == model.wires @ Array(shape)
    x = _rand(11, *shape)
    (got,) = cg.to_jax(model)(params, x)
    np.testing.assert_allclose(got, apply(params, x), **TOL)
    # perturbing one leaf changes the output the same way in both (the leaves are not permuted)
    p2 = jax.tree_util.tree_map(lambda a: a * 1.5 + 0.1, params)
    np.testing.assert_allclose(cg.to_jax(model)(p2, x)[0], apply(p2, x), **TOL)


def test_the_para_form_bad_input():
    params = _mlp_params()
    with pytest.raises(TypeError, match=r"params leaf 'l1\.b' is a str .*not an array"):
        from_jax(_mlp_apply, {**params, "l1": {"W": params["l1"]["W"], "b": "zeros"}}, Array((4,)))
    with pytest.raises(TypeError, match=r"params leaf 'l1\.b\.0' is a float"):
        from_jax(_mlp_apply, {**params, "l1": {"W": params["l1"]["W"], "b": [0.0] * 6}}, Array((4,)))
    with pytest.raises(TypeError, match="is the type"):
        from_jax(_mlp_apply, {"l1": {"W": Array((4, 6)), "b": Array((6,))}}, Array((4,)))
    with pytest.raises(TypeError, match=r"params leaf 'l2\.b' has dtype int8"):
        from_jax(_mlp_apply, {**params, "l2": {"W": params["l2"]["W"], "b": np.zeros(3, np.int8)}}, Array((4,)))
    with pytest.raises(TypeError, match="could not be traced"):
        from_jax(_mlp_apply, params, Array((5,)))  # the input does not fit l1.W
    with pytest.raises(TypeError, match="should be catgrad types"):
        from_jax(_mlp_apply, params, np.zeros(4))
    with pytest.raises(TypeError, match="give the types of apply's inputs"):
        from_jax(_mlp_apply, params)
