"""Deep dreaming: the learner with the input as parameter moves the input by −α ∇ₓ loss (oracle: jax.grad)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import catgrad as cg
from catgrad import learn, nn


def _model_and_weights():
    model = nn.dense(4, 6, nn.tanh) >> nn.dense(6, 3, nn.sigmoid)
    return model, model.init(jax.random.PRNGKey(3))


def _plain(w, x):
    h = jnp.tanh(w["dense"]["W"] @ x + w["dense"]["b"])
    return jax.nn.sigmoid(w["dense_1"]["W"] @ h + w["dense_1"]["b"])


@pytest.mark.parametrize("cls", [0, 2])
def test_dream_steps_match_gradient_descent_on_the_input(cls):
    model, w = _model_and_weights()
    x0 = jax.random.normal(jax.random.PRNGKey(1), (4,))
    target = jax.nn.one_hot(cls, 3)
    loss = lambda x: 0.5 * jnp.sum((_plain(w, x) - target) ** 2)
    x_ref = x0
    for _ in range(5):
        x_ref = x_ref - 0.3 * jax.grad(loss)(x_ref)
    x = learn.dream(model, w, cls, x0, steps=5, lr=0.3)
    np.testing.assert_allclose(x, x_ref, rtol=1e-5, atol=1e-6)


def test_dream_raises_the_class_score_and_keeps_weights():
    model, w = _model_and_weights()
    x0 = np.zeros(4, np.float32)
    before = _plain(w, x0)[1]
    x = learn.dream(model, w, 1, x0, steps=100, lr=1.0)
    assert _plain(w, x)[1] > before + 0.05
    w_again = model.init(jax.random.PRNGKey(3))
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(w), jax.tree_util.tree_leaves(w_again)))


def test_dreamer_is_the_swapped_para():
    model, w = _model_and_weights()
    d = learn.dreamer(model)
    assert d.wires == model.dom and d.dom == model.wires
    assert d.param == {"input": {"x0": cg.Array((4,))}}
    x = jax.random.normal(jax.random.PRNGKey(2), (4,))
    out = cg.to_jax(d.map)(x, *jax.tree_util.tree_leaves(w))[0]
    np.testing.assert_allclose(out, _plain(w, x), rtol=1e-6)
    (out,) = cg.to_jax(d)({"input": {"x0": x}}, *jax.tree_util.tree_leaves(w))
    np.testing.assert_allclose(out, _plain(w, x), rtol=1e-6)


def test_dream_rejects_a_bad_class():
    model, w = _model_and_weights()
    with pytest.raises(ValueError, match="target_class must lie in 0..2"):
        learn.dream(model, w, 5, np.zeros(4, np.float32), steps=1)
