"""The learner's public behaviour at its edges (issue 20, point 5): labels at the boundary ``k`` on the
device, ``evaluate``'s loss for a multi-bit Z2 loss, and its hit count on the padding rows of a chunk.

Oracles: the range ``0..k−1`` itself, and numpy on ``learner.predict``'s outputs (the mean over
examples and bits of ``prediction ≠ target``; the argmax agreement over the real rows only).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catgrad import learn, nn
from catgrad.learn.data import LabelError

K = 3
X = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)


def _classifier():
    return learn.supervised(nn.dense(2, K), learn.softmax_cross_entropy, 0.1, learn.gd())


@pytest.mark.parametrize("bad", [K, -1])
def test_device_labels_at_the_boundary_are_refused(bad):
    """Labels on the device equal to ``k`` (one past the last class) or ``−1``: ``step`` gives a NaN state
    and raises ``LabelError`` within 9 calls; ``evaluate`` and ``fit`` raise at once. ``k − 1`` is fine."""
    lrn = _classifier()
    state = lrn.init(jax.random.PRNGKey(0))
    x = X[:4]
    good = jnp.array([0, 1, 2, K - 1], jnp.int32)
    s = lrn.step(state, x, good)
    assert all(np.all(np.isfinite(np.asarray(a))) for a in jax.tree_util.tree_leaves(s.params))
    labels = jnp.array([0, 1, bad, 2], jnp.int32)
    s = lrn.step(state, x, labels)
    assert all(np.any(np.isnan(np.asarray(a))) for a in jax.tree_util.tree_leaves(s.params))
    with pytest.raises(LabelError, match=f"labels must lie in 0..{K - 1}"):
        for _ in range(9):
            jax.block_until_ready(lrn.step(state, x, labels))
    with pytest.raises(LabelError, match=f"0..{K - 1}"):
        lrn.evaluate(state.params, x, labels)
    with pytest.raises(LabelError, match=f"0..{K - 1}"):
        learn.fit(lrn, state, x, labels, epochs=1, batch_size=2, key=jax.random.PRNGKey(0), progress=False)
    assert lrn.evaluate(state.params, x, good)["loss"] > 0  # the boundary k − 1 itself is a class


def test_evaluate_loss_of_a_multi_bit_z2_loss_is_the_mean_over_bits():
    """A Z2 lookup table with 3 output bits under xor_loss: the loss is the fraction of wrong bits."""
    from catgrad.boolean import lookup_table
    lrn = learn.supervised(lookup_table(2, 3), learn.xor_loss, learn.identity_rate, learn.rda())
    state = lrn.init(jax.random.PRNGKey(1))
    params = jax.tree_util.tree_map(lambda a: jnp.asarray(np.random.default_rng(2).integers(0, 2, a.shape), bool),
                                    state.params)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [1, 1]], bool)
    y = np.random.default_rng(3).integers(0, 2, (5, 3)).astype(bool)
    pred = np.asarray(lrn.predict(params, x))
    ev = lrn.evaluate(params, x, y)
    assert ev["loss"] == pytest.approx(np.mean(pred != y))
    assert ev["accuracy"] == pytest.approx(np.mean(np.all(pred == y, axis=1)))
    assert 0 < ev["loss"] < 1


@pytest.mark.parametrize("one_hot", [False, True])
def test_evaluate_does_not_count_padding_rows(one_hot):
    """A model predicting class 0 everywhere (zero inputs included) on 5 examples of class 1: the chunk is
    padded with zero rows (and label 0 / zero targets, whose argmax is 0), which must not count as hits."""
    lrn = _classifier()
    params = {"dense": {"W": jnp.zeros((K, 2)), "b": jnp.array([1.0, 0.0, 0.0])}}
    labels = np.ones(5, np.int32)
    y = np.eye(K, dtype=np.float32)[labels] if one_hot else labels
    assert lrn.evaluate(params, X, y)["accuracy"] == 0.0
    labels[:2] = 0
    y = np.eye(K, dtype=np.float32)[labels] if one_hot else labels
    pred = np.asarray(lrn.predict(params, X))
    assert lrn.evaluate(params, X, y)["accuracy"] == pytest.approx(np.mean(pred.argmax(1) == labels)) == 0.4


def test_the_fast_path_of_step_checks_what_it_must():
    """After a good call, data of the same kind goes straight to the compiled step: numpy labels out of range
    still raise at once, a state of another shape or a plain tuple is still named or accepted, and the
    result equals the checked path's (a fresh learner's first call)."""
    lrn = _classifier()
    state = lrn.init(jax.random.PRNGKey(0))
    x, good = X[:4], np.array([0, 1, 2, K - 1])
    first = lrn.step(state, x, good)  # checked; registers the kind
    again = lrn.step(state, x, good)  # the fast path
    fresh = _classifier().step(state, x, good)
    for a, b in zip(jax.tree_util.tree_leaves((first, again)), jax.tree_util.tree_leaves((fresh, fresh))):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    for bad in (K, -1):
        with pytest.raises(LabelError, match=f"labels must lie in 0..{K - 1}"):
            lrn.step(state, x, np.array([0, 1, bad, 2]))
    assert lrn.compiled_step(4).trace_count == 1  # one compilation for all of these
    with pytest.raises(TypeError, match=r"parameter dense\.W should have shape"):
        lrn.step(learn.TrainState({"dense": {"W": jnp.zeros((K, 5)), "b": jnp.zeros(K)}}, state.opt_state), x, good)
    as_tuple = lrn.step(tuple(state), x, good)
    np.testing.assert_array_equal(np.asarray(as_tuple.params["dense"]["W"]), np.asarray(fresh.params["dense"]["W"]))
    with pytest.raises(TypeError, match="expected a TrainState"):
        lrn.step(state.params, x, good)
