"""The fit loop (``catgrad.learn.fit``): epochs, minibatches, shuffling, validation, NaN/inf handling.

Oracles: ``learner.step`` applied by hand to the same minibatches (itself checked against
jax.grad + optax in test_learner.py); a one-hot probe model whose weights record exactly
which examples an epoch visited (``W_j ≠ 0`` iff example ``j`` was in a minibatch); and
``learner.evaluate`` for the validation metrics.
"""
from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest

from catgrad import learn, nn

KEY = jax.random.PRNGKey(0)


def _classification(n=96, seed=0):
    """A linearly separable 3-class problem in 4 dimensions."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    W = rng.normal(size=(3, 4))
    return x, np.argmax(x @ W.T, axis=1)


@pytest.fixture(scope="module")
def clf():
    model = nn.dense(4, 8, nn.tanh, name="h") >> nn.dense(8, 3, name="o")
    return learn.supervised(model, learn.softmax_cross_entropy, learn.learning_rate(0.5), learn.momentum(0.5))


def _manual(learner, state, x, y, batch_size, steps):
    """``steps`` calls of ``learner.step`` on consecutive minibatches of ``(x, y)`` (no shuffling)."""
    for i in range(steps):
        sl = slice(i * batch_size, (i + 1) * batch_size)
        state = learner.step(state, x[sl], y[sl])
    return state


def _tree_close(a, b, **tol):
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for u, v in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(u, v, **tol)


def _tree_equal(a, b) -> bool:
    return all(np.array_equal(u, v) for u, v in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)))


def test_history_loss_decreases_and_learns(clf):
    x, y = _classification()
    state0 = clf.init(KEY)
    state, hist = learn.fit(clf, state0, x, y, epochs=12, batch_size=16, key=jax.random.PRNGKey(1),
                            progress=False)
    assert set(hist) == {"loss", "accuracy"}
    assert len(hist["loss"]) == len(hist["accuracy"]) == 12
    assert all(isinstance(v, float) for v in hist["loss"] + hist["accuracy"])
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert clf.evaluate(state.params, x, y)["accuracy"] > 0.9
    assert clf.evaluate(state.params, x, y)["loss"] < clf.evaluate(state0.params, x, y)["loss"]


def test_deterministic_given_key_and_key_dependent(clf):
    x, y = _classification()
    state0 = clf.init(KEY)
    runs = [learn.fit(clf, state0, x, y, epochs=2, batch_size=16, key=jax.random.PRNGKey(k), progress=False)
            for k in (3, 3, 4)]
    (s1, h1), (s2, h2), (s3, h3) = runs
    assert _tree_equal(s1.params, s2.params) and _tree_equal(s1.opt_state, s2.opt_state)
    assert h1 == h2
    assert not _tree_equal(s1.params, s3.params), "a different key should shuffle differently"


def test_one_epoch_without_shuffle_equals_manual_steps(clf):
    x, y = _classification(40)
    state0 = clf.init(KEY)
    state, hist = learn.fit(clf, state0, x, y, epochs=1, batch_size=8, key=KEY, progress=False, shuffle=False)
    _tree_close(state.params, _manual(clf, state0, x, y, 8, 5).params, rtol=1e-5, atol=1e-6)


# -- the one-hot probe: which examples did an epoch visit? ---------------------------------

N_PROBE = 10


@pytest.fixture(scope="module")
def probe():
    """``x_j = e_j``, ``y_j = 1``, ``W = 0``: one gd step on a minibatch B sets ``W_j = α/|B|`` for j ∈ B only."""
    model = nn.linear(N_PROBE, 1, init="zeros", name="W")
    learner = learn.supervised(model, learn.mse, learn.learning_rate(1.0), learn.gd())
    x = np.eye(N_PROBE, dtype=np.float32)
    y = np.ones((N_PROBE, 1), np.float32)
    return learner, x, y


def _visited(state) -> set:
    return set(np.flatnonzero(np.asarray(state.params["W"]["W"])[0]).tolist())


def test_remainder_is_dropped_per_epoch_and_seen_over_epochs(probe):
    learner, x, y = probe
    st0 = learner.init(KEY)
    # 10 examples, batches of 4: two full minibatches per epoch, the remainder of 2 left out
    st, _ = learn.fit(learner, st0, x, y, epochs=1, batch_size=4, key=KEY, progress=False, shuffle=False)
    assert _visited(st) == set(range(8))
    np.testing.assert_allclose(np.asarray(st.params["W"]["W"])[0, :8], 0.25)
    seen_by_key = []
    for k in range(4):
        st, _ = learn.fit(learner, st0, x, y, epochs=1, batch_size=4, key=jax.random.PRNGKey(k), progress=False)
        assert len(_visited(st)) == 8
        np.testing.assert_allclose(np.asarray(st.params["W"]["W"])[0, sorted(_visited(st))], 0.25)
        seen_by_key.append(frozenset(_visited(st)))
    assert len(set(seen_by_key)) > 1, "shuffling should depend on the key"
    # over several epochs every example is seen
    st, _ = learn.fit(learner, st0, x, y, epochs=6, batch_size=4, key=KEY, progress=False)
    assert _visited(st) == set(range(N_PROBE))


def test_batch_size_larger_than_data_is_one_batch(probe):
    learner, x, y = probe
    st, _ = learn.fit(learner, learner.init(KEY), x, y, epochs=1, batch_size=1000, key=KEY, progress=False,
                      clamp_batch_size=True)
    np.testing.assert_allclose(np.asarray(st.params["W"]["W"])[0], 1.0 / N_PROBE)


# -- validation and progress -------------------------------------------------------------

def test_validation_metrics(clf):
    x, y = _classification(96)
    xv, yv = _classification(30, seed=5)
    state, hist = learn.fit(clf, clf.init(KEY), x, y, epochs=3, batch_size=32, key=KEY, progress=False,
                            validation=(xv, yv))
    assert set(hist) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(hist["val_loss"]) == len(hist["val_accuracy"]) == 3
    ev = clf.evaluate(state.params, xv, yv)
    assert hist["val_loss"][-1] == pytest.approx(ev["loss"], rel=1e-6)
    assert hist["val_accuracy"][-1] == pytest.approx(ev["accuracy"])


def test_progress_false_is_silent_and_true_is_not(clf, capsys):
    x, y = _classification(32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        learn.fit(clf, clf.init(KEY), x, y, epochs=2, batch_size=16, key=KEY, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    learn.fit(clf, clf.init(KEY), x, y, epochs=2, batch_size=16, key=KEY, progress=True)
    out = capsys.readouterr()
    assert "epoch" in out.out + out.err


# -- NaN / inf -----------------------------------------------------------------------------

def _regression_with_inf(n=40, bad=27):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = rng.normal(size=(n, 2)).astype(np.float32)
    x[bad, 2] = np.inf
    return x, y


@pytest.fixture(scope="module")
def reg():
    model = nn.dense(4, 6, nn.sigmoid, name="h") >> nn.dense(6, 2, name="o")
    return learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.gd())


def _all_finite(tree) -> bool:
    return all(bool(np.all(np.isfinite(a))) for a in jax.tree_util.tree_leaves(tree))


def test_inf_in_data_stops_with_last_good_state(reg):
    x, y = _regression_with_inf()  # example 27 is in minibatch 4 (examples 24..31)
    st0 = reg.init(KEY)
    with pytest.warns(RuntimeWarning, match=r"epoch 1, step 4\b"):
        st, hist = learn.fit(reg, st0, x, y, epochs=3, batch_size=8, key=KEY, progress=False, shuffle=False)
    assert hist["stopped"]["epoch"] == 1 and hist["stopped"]["step"] == 4
    assert "epoch 1, step 4" in hist["stopped"]["message"]
    assert len(hist["loss"]) == 1
    assert _all_finite(st.params)
    _tree_close(st.params, _manual(reg, st0, x, y, 8, 3).params, rtol=1e-6, atol=1e-7)
    # the stopped epoch's loss is the mean over steps 1..4, each at the parameters that step saw
    seen = [reg.evaluate(_manual(reg, st0, x, y, 8, i).params, x[8 * i:8 * i + 8], y[8 * i:8 * i + 8])["loss"]
            for i in range(4)]
    assert hist["loss"][0] == pytest.approx(float(np.mean(seen)), rel=1e-5)


def test_inf_raise_mode(reg):
    x, y = _regression_with_inf()
    st0 = reg.init(KEY)
    with pytest.raises(learn.NonFiniteError, match=r"epoch 1, step 4\b") as info:
        learn.fit(reg, st0, x, y, epochs=3, batch_size=8, key=KEY, progress=False, shuffle=False,
                  on_nonfinite="raise")
    err = info.value
    assert _all_finite(err.state.params)
    _tree_close(err.state.params, _manual(reg, st0, x, y, 8, 3).params, rtol=1e-6, atol=1e-7)
    assert err.history["stopped"]["step"] == 4


def test_divergence_is_caught_at_the_right_epoch_and_step():
    """A huge learning rate overflows; the reported (epoch, step) is the first non-finite step by hand."""
    model = nn.dense(3, 4, nn.relu, name="h") >> nn.dense(4, 2, name="o")
    learner = learn.supervised(model, learn.mse, learn.learning_rate(20.0), learn.gd())
    rng = np.random.default_rng(2)
    x = rng.normal(size=(12, 3)).astype(np.float32)
    y = rng.normal(size=(12, 2)).astype(np.float32)
    st0 = learner.init(KEY)
    nb = 3  # batches of 4
    good, k = st0, 0
    while k < 60:
        i = k % nb
        nxt = learner.step(good, x[4 * i:4 * i + 4], y[4 * i:4 * i + 4])
        loss = learner.evaluate(good.params, x[4 * i:4 * i + 4], y[4 * i:4 * i + 4])["loss"]
        if not (_all_finite(nxt.params) and np.isfinite(loss)):
            break
        good, k = nxt, k + 1
    assert k < 60, "the learner was meant to diverge"
    epoch, step = k // nb + 1, k % nb + 1
    assert epoch > 1  # a later epoch, so the reported epoch is checked too
    with pytest.warns(RuntimeWarning, match=rf"epoch {epoch}, step {step}\b"):
        st, hist = learn.fit(learner, st0, x, y, epochs=20, batch_size=4, key=KEY, progress=False, shuffle=False)
    assert hist["stopped"]["epoch"] == epoch and hist["stopped"]["step"] == step
    assert len(hist["loss"]) == epoch
    assert _all_finite(st.params)
    _tree_close(st.params, good.params, rtol=1e-4, atol=1e-5)


# -- bad arguments -----------------------------------------------------------------------

def test_bad_arguments(probe):
    learner, x, y = probe
    st = learner.init(KEY)
    with pytest.raises(ValueError, match="on_nonfinite"):
        learn.fit(learner, st, x, y, on_nonfinite="ignore", progress=False)
    with pytest.raises(ValueError, match="fit: batch_size must be a positive int, got int 0"):
        learn.fit(learner, st, x, y, batch_size=0, progress=False)
    with pytest.raises(ValueError, match=r"asked for 1000 devices"):
        learn.fit(learner, st, x, y, devices=1000, progress=False)
    with pytest.raises(TypeError, match=r"shape \(10,\).*\(10, 9\)"):
        learn.fit(learner, st, x[:, :9], y, progress=False)


# -- fit is the same steps as learner.step, optimiser state included ----------------------------

@pytest.mark.parametrize("shuffle", [False, True])
def test_several_epochs_equal_the_same_steps_by_hand(shuffle):
    """fit over 3 epochs == learner.step on the same minibatches (fit's epoch keys: ``key, sub = split(key)``;
    the order ``permutation(sub, n)``, remainder dropped): parameters and Adam state (mu, nu, count) equal.
    A fit that reset or dropped the optimiser state between epochs would fail here."""
    model = nn.dense(4, 8, nn.tanh, name="h") >> nn.dense(8, 3, name="o")
    learner = learn.supervised(model, learn.softmax_cross_entropy, 1.0, learn.adam(0.05))
    x, y = _classification(44)
    st0 = learner.init(KEY)
    bs, epochs, key = 8, 3, jax.random.PRNGKey(5)
    st, hist = learn.fit(learner, st0, x, y, epochs=epochs, batch_size=bs, key=key, shuffle=shuffle, progress=False)
    by_hand, accs = st0, []
    for _ in range(epochs):
        key, sub = jax.random.split(key)
        order = np.asarray(jax.random.permutation(sub, len(x))) if shuffle else np.arange(len(x))
        hits = []
        for i in range(len(x) // bs):
            idx = order[i * bs:(i + 1) * bs]
            pred = learner.predict(by_hand.params, x[idx])
            hits.append(np.mean(np.argmax(np.asarray(pred), 1) == y[idx]))
            by_hand = learner.step(by_hand, x[idx], y[idx])
        accs.append(float(np.mean(hits)))
    assert float(st.opt_state.count) == float(by_hand.opt_state.count) == epochs * (len(x) // bs)
    _tree_close(st.params, by_hand.params, rtol=1e-5, atol=1e-6)
    _tree_close(st.opt_state, by_hand.opt_state, rtol=1e-5, atol=1e-7)
    # history["accuracy"] is the running train accuracy: the mean over the epoch's steps, each before its update
    np.testing.assert_allclose(hist["accuracy"], accs, atol=1e-6)
