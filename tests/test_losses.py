"""Losses (values and R) against optax and jax.vjp of plain-JAX formulas; learning-rate lenses."""
from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from catgrad import Array, Ty, compile, matmul, rdiff, tanh, to_jax
from catgrad.batch import batch
from catgrad.lens import Lens
from catgrad.learn.losses import binary_cross_entropy, mse, softmax_cross_entropy, xor_loss
from catgrad.learn.rates import IdentityRate, LearningRate, identity_rate, learning_rate
from catgrad.para import Para
from catgrad.record import paths

TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}
SHAPES = [(), (4,), (3, 5)]


# -- plain-JAX oracles (never the code under test) -------------------------------------------

def mse_ref(y, yhat):
    return jnp.sum(optax.l2_loss(yhat, y))


def sce_ref(y, logits):
    return jnp.sum(optax.softmax_cross_entropy(logits, y))


def bce_logits_ref(y, x):
    return jnp.sum(optax.sigmoid_binary_cross_entropy(x, y))


def bce_prob_ref(y, p):
    return -jnp.sum(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))


def _data(shape, dtype, kind, seed=0):
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    yhat = jax.random.normal(k1, shape, jnp.float32)
    if kind == "probs":
        y = jax.nn.softmax(jax.random.normal(k2, shape, jnp.float32), axis=-1)
    elif kind == "prob":
        y, yhat = jax.random.uniform(k2, shape), jax.nn.sigmoid(yhat)
    elif kind == "bits":
        y = jax.random.bernoulli(k2, 0.5, shape).astype(jnp.float32)
    else:
        y = jax.random.normal(k2, shape, jnp.float32)
    return jnp.asarray(y, dtype), jnp.asarray(yhat, dtype)


def _check_value_and_R(loss: Para, ref, y, yhat, dtype):
    """``loss.map(y, ŷ)`` equals ``ref(y, ŷ)``; ``R[loss](y, ŷ, dl)`` equals ``jax.vjp(ref)(dl)``."""
    (value,) = compile(loss.map)(y, yhat)
    want, vjp = jax.vjp(ref, y, yhat)
    assert value.dtype == np.dtype(dtype) and value.shape == ()
    np.testing.assert_allclose(value, want, **TOL[dtype])
    dl = jnp.asarray(-0.7, dtype)
    got = compile(rdiff(loss.map))(y, yhat, dl)
    for a, b in zip(got, vjp(dl)):
        np.testing.assert_allclose(a, b, **TOL[dtype])


# -- values and reverse derivatives ----------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_mse(shape, dtype):
    y, yhat = _data(shape, dtype, "normal")
    loss = mse(Array(shape, dtype))
    assert loss.param == Array(shape, dtype) and loss.dom == Array(shape, dtype) and loss.cod == Array((), dtype)
    _check_value_and_R(loss, mse_ref, y, yhat, dtype)


@pytest.mark.parametrize("shape", [(4,), (3, 5)])
def test_softmax_cross_entropy(shape, dtype):
    y, logits = _data(shape, dtype, "probs", seed=1)
    _check_value_and_R(softmax_cross_entropy(Array(shape, dtype)), sce_ref, y, logits, dtype)


@pytest.mark.parametrize("shape", SHAPES)
def test_binary_cross_entropy_from_logits(shape, dtype):
    y, x = _data(shape, dtype, "bits", seed=2)
    _check_value_and_R(binary_cross_entropy(Array(shape, dtype), from_logits=True), bce_logits_ref, y, x, dtype)


@pytest.mark.parametrize("shape", SHAPES)
def test_binary_cross_entropy_from_probabilities(shape, dtype):
    y, p = _data(shape, dtype, "prob", seed=3)
    _check_value_and_R(binary_cross_entropy(Array(shape, dtype)), bce_prob_ref, y, p, dtype)


def test_binary_cross_entropy_gradient_at_zero_logit():
    """At ``x = 0`` exactly, ``∂/∂x = σ(0) − y = ½ − y`` (no kink from the stable formula)."""
    loss = binary_cross_entropy(Array((3,)), from_logits=True)
    y = jnp.array([0.0, 1.0, 0.25])
    _, dx = to_jax(rdiff(loss.map))(y, jnp.zeros(3), jnp.float32(1.0))
    np.testing.assert_allclose(dx, 0.5 - y, rtol=1e-7)
    np.testing.assert_allclose(dx, jax.grad(bce_logits_ref, argnums=1)(y, jnp.zeros(3)), rtol=1e-7)


def test_multi_wire_prediction_sums_the_losses():
    B = Array((2,)) @ Array((3,))
    loss = mse(B)
    # the target is the (anonymous) parameter: the tuple record of B's arrays, one wire each
    assert loss.param == (Array((2,)), Array((3,))) and loss.wires == B
    assert paths(loss.param) == ("0", "1")
    ys = [jnp.arange(2.0), jnp.ones(3)]
    yh = [jnp.array([1.0, -1.0]), jnp.zeros(3)]
    (v,) = to_jax(loss.map)(*ys, *yh)
    assert float(v) == pytest.approx(float(mse_ref(ys[0], yh[0]) + mse_ref(ys[1], yh[1])))


# -- stability ---------------------------------------------------------------------------------

def test_large_logits_stay_finite(dtype):
    big = jnp.asarray([1000.0, 0.0, -1000.0, 30.0], dtype)
    onehot = jnp.asarray([0.0, 1.0, 0.0, 0.0], dtype)
    sce = softmax_cross_entropy(Array((4,), dtype))
    (v,) = to_jax(sce.map)(onehot, big)
    grads = to_jax(rdiff(sce.map))(onehot, big, jnp.asarray(1.0, dtype))
    assert np.isfinite(v) and all(np.all(np.isfinite(g)) for g in grads)
    np.testing.assert_allclose(v, sce_ref(onehot, big), **TOL[dtype])
    np.testing.assert_allclose(grads[1], jax.grad(sce_ref, argnums=1)(onehot, big), **TOL[dtype])

    bits = jnp.asarray([1.0, 0.0, 0.0, 1.0], dtype)
    bce = binary_cross_entropy(Array((4,), dtype), from_logits=True)
    (v,) = to_jax(bce.map)(bits, big)
    grads = to_jax(rdiff(bce.map))(bits, big, jnp.asarray(1.0, dtype))
    assert np.isfinite(v) and all(np.all(np.isfinite(g)) for g in grads)
    np.testing.assert_allclose(v, bce_logits_ref(bits, big), **TOL[dtype])
    np.testing.assert_allclose(grads[1], jax.grad(bce_logits_ref, argnums=1)(bits, big), **TOL[dtype])


# -- batching (what the learner does) -------------------------------------------------------------

@pytest.mark.parametrize("make, ref, kind", [
    (mse, mse_ref, "normal"),
    (softmax_cross_entropy, sce_ref, "probs"),
    (lambda B: binary_cross_entropy(B, from_logits=True), bce_logits_ref, "bits"),
])
def test_batched_loss_is_per_example(make, ref, kind):
    y, yhat = _data((6, 4), "float32", kind, seed=4)
    (v,) = to_jax(batch(make(Array((4,))).map, 6))(y, yhat)
    np.testing.assert_allclose(v, jax.vmap(ref)(y, yhat), rtol=1e-5, atol=1e-6)


# -- Z2 ---------------------------------------------------------------------------------------------

def test_xor_loss_brute_force():
    B = Array((3,), "bool")
    loss = xor_loss(B)
    assert loss.dom == B and loss.cod == B and loss.param == B
    f, r = to_jax(loss.map), to_jax(rdiff(loss.map))
    bits = [np.array(t, bool) for t in itertools.product([False, True], repeat=3)]
    for y, yhat in itertools.product(bits, bits):
        np.testing.assert_array_equal(f(y, yhat)[0], np.array([a != b for a, b in zip(y, yhat)]))
        d = np.array([True, False, True])
        dy, dyhat = r(y, yhat, d)  # R[+](x, y, d) = (d, d) over Z2
        np.testing.assert_array_equal(dy, d), np.testing.assert_array_equal(dyhat, d)


# -- types and errors ----------------------------------------------------------------------------------

def _model(n_in, n_out):
    W = Array((n_out, n_in))
    return Para(W, matmul(W, Array((n_in,))) >> tanh(Array((n_out,))))


def test_losses_compose_with_a_model():
    model = _model(3, 2)
    for loss in (mse, softmax_cross_entropy, binary_cross_entropy):
        composite = model >> loss
        # record (Y, P): the target first, then the model's W (wires in that order)
        assert composite.param == (Array((2,)), Array((2, 3))) and composite.cod == Array(())
        assert composite.wires == Array((2,)) @ Array((2, 3))
        assert composite.param[0] == loss(Array((2,))).param


@pytest.mark.parametrize("loss", [mse, softmax_cross_entropy, binary_cross_entropy])
def test_loss_for_another_codomain_is_a_type_error(loss):
    with pytest.raises(TypeError, match=r"cannot compose Para morphisms: the codomain f32\[2\] .* "
                                        r"domain f32\[3\]"):
        _model(3, 2) >> loss(Array((3,)))


def test_loss_type_errors():
    with pytest.raises(TypeError, match=r"mse: expects floating-point predictions, got B = bool\[3\].*use xor_loss"):
        mse(Array((3,), "bool"))
    with pytest.raises(TypeError, match=r"xor_loss: expects boolean \(Z2\) predictions, got B = f32\[3\]"):
        xor_loss(Array((3,)))
    with pytest.raises(TypeError, match=r"softmax_cross_entropy: predictions need a class axis"):
        softmax_cross_entropy(Array(()))
    with pytest.raises(TypeError, match="at least one wire"):
        mse(Ty())
    with pytest.raises(TypeError, match="from_logits must be a bool"):
        binary_cross_entropy(Array(()), from_logits="yes")
    with pytest.raises(TypeError, match=r"all wires of B must have one dtype"):
        mse(Array((2,)) @ Array((2,), "float64"))


# -- learning rates -------------------------------------------------------------------------------------

def test_learning_rate_lens(dtype):
    L = Array((), dtype)
    lr = learning_rate(0.3).lens(L)
    assert isinstance(learning_rate(0.3), LearningRate)
    assert lr.dom == (Ty(L), Ty(L)) and lr.cod == (Ty(), Ty())
    assert to_jax(lr.fwd)(jnp.asarray(2.0, dtype)) == ()
    (out,) = to_jax(lr.bwd)(jnp.asarray(2.0, dtype))
    assert out.dtype == np.dtype(dtype) and float(out) == pytest.approx(-0.3, rel=1e-7)


def test_learning_rate_over_a_product():
    L = Array(()) @ Array((2,))
    outs = to_jax(learning_rate(2.0).lens(L).bwd)(jnp.float32(1.0), jnp.ones(2))
    np.testing.assert_array_equal(outs[0], -2.0), np.testing.assert_array_equal(outs[1], [-2.0, -2.0])


def test_loss_then_learning_rate_sends_minus_alpha_gradient():
    """``R(loss) ; α``: the backward map is ``−α ∇`` (checked against jax.grad)."""
    B = Array((4,))
    y, yhat = _data((4,), "float32", "normal", seed=5)
    closed = Lens.of(mse(B).map) >> learning_rate(0.1).lens(Array(()))
    dy, dyhat = to_jax(closed.bwd)(y, yhat)
    gy, gyhat = jax.grad(mse_ref, argnums=(0, 1))(y, yhat)
    np.testing.assert_allclose(dyhat, -0.1 * gyhat, rtol=1e-6), np.testing.assert_allclose(dy, -0.1 * gy, rtol=1e-6)


def test_rates_over_z2_are_the_identity():
    L = Array((5,), "bool")
    l = np.array([True, False, True, True, False])
    for rate in (identity_rate, identity_rate(), learning_rate(0.1)):
        lens = rate.lens(L)
        assert lens.cod == (Ty(), Ty())
        np.testing.assert_array_equal(to_jax(lens.bwd)(l)[0], l)
    assert isinstance(identity_rate, IdentityRate) and identity_rate() is identity_rate
    (out,) = to_jax(identity_rate.lens(Array(())).bwd)(jnp.float32(1.5))
    assert float(out) == 1.5


def test_learning_rate_errors():
    with pytest.raises(TypeError, match="alpha must be a real number"):
        learning_rate("0.1")
    with pytest.raises(ValueError, match="alpha must be finite"):
        learning_rate(float("inf"))
    with pytest.raises(TypeError, match=r"loss object L = .*must be floating-point"):
        learning_rate(0.1).lens(Array((), "int32"))
    with pytest.raises(TypeError, match="at least one wire"):
        identity_rate.lens(Ty())
