"""Bad input to the learning API gives a clear error (the type, and the words naming what was wrong),
never a raw JAX/numpy traceback and never a silently wrong result.

Table-driven: each case is ``(id, call, exception type, regex the message must match)``. The
oracle is the specification of each argument (its type and range, as the formulas require).
"""
from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from catgrad import Array, learn, nn
from catgrad.boolean import lookup_table

KEY = jax.random.PRNGKey(0)
RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 4)).astype(np.float32)
LABELS = RNG.integers(0, 3, 12)
ONEHOT = np.eye(3, dtype=np.float32)[LABELS]


def _clf(opt=None):
    return learn.supervised(nn.dense(4, 3), learn.softmax_cross_entropy, 0.1, opt or learn.gd())


CLF = _clf()
ADAM = learn.supervised(nn.dense(4, 3), learn.mse, 1.0, learn.adam(0.01))
Z2 = learn.supervised(lookup_table(2, 1), learn.xor_loss, learn.identity_rate, learn.rda())
STATE = CLF.init(KEY)


def fit(*args, **kw):
    kw.setdefault("progress", False)
    return learn.fit(CLF, STATE, *args, **kw)


CASES = [
    # -- optimiser hyperparameters, in the ranges their formulas need -------------------------
    ("momentum γ = 1.5", lambda: learn.momentum(1.5), ValueError, r"momentum: gamma must lie in \[0, 1\).*got 1\.5"),
    ("momentum γ = 1", lambda: learn.momentum(1.0), ValueError, r"gamma must lie in \[0, 1\)"),
    ("momentum γ < 0", lambda: learn.momentum(-0.1), ValueError, r"gamma must lie in \[0, 1\).*-0\.1"),
    ("momentum γ a string", lambda: learn.momentum("0.9"), TypeError, r"gamma must be a finite real number, got str"),
    ("momentum γ NaN", lambda: learn.momentum(float("nan")), TypeError, r"gamma must be a finite real number"),
    ("nesterov γ = 2", lambda: learn.nesterov(2), ValueError, r"nesterov: gamma must lie in \[0, 1\)"),
    ("adam b1 = 1", lambda: learn.adam(b1=1.0), ValueError, r"adam: b1 must lie in \[0, 1\).*1 − β₁ᵗ"),
    ("adam b2 < 0", lambda: learn.adam(b2=-0.1), ValueError, r"adam: b2 must lie in \[0, 1\)"),
    ("adam b2 = 1.5", lambda: learn.adam(b2=1.5), ValueError, r"adam: b2 must lie in \[0, 1\)"),
    ("adam eps = 0", lambda: learn.adam(eps=0.0), ValueError, r"adam: eps must be > 0 .*0/0"),
    ("adam eps < 0", lambda: learn.adam(eps=-1e-8), ValueError, r"adam: eps must be > 0"),
    ("adam η = 0", lambda: learn.adam(0.0), ValueError, r"adam: eta must be > 0 \(the step size η\), got 0\.0"),
    ("adam η < 0", lambda: learn.adam(-1e-3), ValueError, r"adam: eta must be > 0"),
    ("adam η a string", lambda: learn.adam("fast"), TypeError, r"adam: eta must be a finite real number, got str"),
    ("adagrad η < 0", lambda: learn.adagrad(-0.1), ValueError, r"adagrad: eta must be > 0"),
    ("adagrad eps < 0", lambda: learn.adagrad(0.1, eps=-1.0), ValueError, r"adagrad: eps must be ≥ 0"),
    ("rmsprop η = 0", lambda: learn.rmsprop(0), ValueError, r"rmsprop: eta must be > 0"),
    ("rmsprop decay > 1", lambda: learn.rmsprop(0.1, decay=1.5), ValueError, r"rmsprop: decay must lie in \[0, 1\]"),
    ("rmsprop eps_in_sqrt not bool", lambda: learn.rmsprop(0.1, eps_in_sqrt=1), TypeError, r"eps_in_sqrt must be a bool"),
    # -- learning rates -----------------------------------------------------------------------
    ("learning rate 0", lambda: learn.learning_rate(0), ValueError, r"learning_rate: alpha must be > 0.*got 0"),
    ("learning rate < 0", lambda: learn.learning_rate(-0.1), ValueError, r"alpha must be > 0.*-0\.1"),
    ("learning rate inf", lambda: learn.learning_rate(float("inf")), ValueError, r"alpha must be finite"),
    ("learning rate a string", lambda: learn.learning_rate("0.1"), TypeError, r"alpha must be a real number, got str"),
    ("learning rate a bool", lambda: learn.learning_rate(True), TypeError, r"alpha must be a real number, got bool"),
    ("supervised lr < 0", lambda: learn.supervised(nn.dense(4, 3), learn.mse, -0.5, learn.gd()), ValueError,
     r"alpha must be > 0"),
    ("supervised lr a string", lambda: learn.supervised(nn.dense(4, 3), learn.mse, "0.1", learn.gd()), TypeError,
     r"lr must be a learning rate .* got str '0\.1'"),
    # -- supervised ------------------------------------------------------------------------------
    ("loss given as a string", lambda: learn.supervised(nn.dense(4, 3), "mse", 0.1, learn.gd()), TypeError,
     r"the loss must be a loss such as learn\.mse .* not the string 'mse' \(use learn\.mse\)"),
    ("loss an unknown string", lambda: learn.supervised(nn.dense(4, 3), "hinge", 0.1, learn.gd()), TypeError,
     r"not the string 'hinge'"),
    ("loss a number", lambda: learn.supervised(nn.dense(4, 3), 3, 0.1, learn.gd()), TypeError,
     r"the loss must be a Para or a function"),
    ("optimiser a string", lambda: learn.supervised(nn.dense(4, 3), learn.mse, 0.1, "adam"), TypeError,
     r"optimiser must be an Optimiser .* got str 'adam'"),
    ("model not a Para", lambda: learn.supervised(lambda x: x, learn.mse, 0.1, learn.gd()), TypeError,
     r"the model must be a Para morphism, got function"),
    ("reduction unknown", lambda: learn.supervised(nn.dense(4, 3), learn.mse, 0.1, learn.gd(), reduction="max"),
     ValueError, r"reduction must be 'mean', 'sum' or None, got 'max'"),
    ("loss of another type", lambda: learn.supervised(nn.dense(4, 3), learn.mse(Array((2,))), 0.1, learn.gd()),
     TypeError, r"output type .*f32\[3\].* does not match the loss"),
    ("adam on Z2 parameters", lambda: learn.supervised(lookup_table(2, 1), learn.xor_loss, learn.identity_rate,
                                                       learn.adam()),
     TypeError, r"adam: needs floating-point parameters, got bool.*use rda"),
    ("optax on Z2 parameters", lambda: learn.supervised(lookup_table(2, 1), learn.xor_loss, learn.identity_rate,
                                                        optax.sgd(0.1)), TypeError, r"needs floating-point parameters"),
    # -- keys, init -------------------------------------------------------------------------------
    ("init with an int key", lambda: CLF.init(0), TypeError, r"init: key must be a JAX PRNG key such as "
                                                              r"jax\.random\.PRNGKey\(0\).*got int 0"),
    ("init with a float array key", lambda: CLF.init(np.zeros(2, np.float32)), TypeError,
     r"key must be a JAX PRNG key.*shape \(2,\) and dtype float32"),
    ("fit with an int key", lambda: fit(X, LABELS, key=0), TypeError, r"fit: key must be a JAX PRNG key.*got int 0"),
    # -- fit arguments ------------------------------------------------------------------------------
    ("fit epochs 2.5", lambda: fit(X, LABELS, epochs=2.5), TypeError, r"fit: epochs must be a non-negative int, got float"),
    ("fit epochs -1", lambda: fit(X, LABELS, epochs=-1), ValueError, r"fit: epochs must be a non-negative int, got int -1"),
    ("fit epochs a string", lambda: fit(X, LABELS, epochs="3"), TypeError, r"epochs must be a non-negative int, got str"),
    ("fit batch_size 0", lambda: fit(X, LABELS, batch_size=0), ValueError, r"fit: batch_size must be a positive int, got int 0"),
    ("fit batch_size 2.5", lambda: fit(X, LABELS, batch_size=2.5), TypeError, r"batch_size must be a positive int, got float"),
    ("fit batch_size > n", lambda: fit(X, LABELS, batch_size=13), ValueError,
     r"batch_size 13 is larger than the 12 examples.*clamp_batch_size=True"),
    ("fit on_nonfinite unknown", lambda: fit(X, LABELS, on_nonfinite="ignore"), ValueError,
     r"on_nonfinite must be 'stop' or 'raise', got 'ignore'"),
    ("fit validation not a pair", lambda: fit(X, LABELS, validation=X), TypeError,
     r"validation must be a pair \(x_val, y_val\), got ndarray"),
    ("fit shuffle not a bool", lambda: fit(X, LABELS, shuffle="yes"), TypeError, r"shuffle must be True or False, got str"),
    ("fit every without checkpoint", lambda: fit(X, LABELS, every=2), ValueError, r"every= and resume= need checkpoint=path"),
    ("fit checkpoint in a missing folder", lambda: fit(X, LABELS, checkpoint="/no/such/folder/c.ckpt"),
     FileNotFoundError, r"checkpoint='/no/such/folder/c\.ckpt': the folder /no/such/folder does not exist"),
    ("fit every 0", lambda: fit(X, LABELS, checkpoint="c.ckpt", every=0), ValueError, r"every must be a positive int"),
    ("fit too many devices", lambda: fit(X, LABELS, devices=1000), ValueError, r"asked for 1000 devices"),
    ("fit no devices", lambda: fit(X, LABELS, devices=0), ValueError, r"fit: devices must be a positive int, got int 0"),
    ("fit not a learner", lambda: learn.fit("learner", STATE, X, LABELS), TypeError, r"fit: expected a Learner"),
    ("fit on empty data", lambda: fit(X[:0], LABELS[:0]), ValueError, r"input 0: the data is empty \(0 examples"),
    # -- data: shapes, dtypes, labels ------------------------------------------------------------------
    ("step inputs of another shape", lambda: CLF.step(STATE, X[:, :3], LABELS), TypeError,
     r"input 0: the model expects examples of shape \(4,\).*got data of shape \(12, 3\)"),
    ("step one example without batch axis", lambda: CLF.step(STATE, X[0], LABELS[:1]), TypeError,
     r"a batch of shape \(n, 4\); got data of shape \(4,\)"),
    ("step more targets than inputs", lambda: CLF.step(STATE, X, np.concatenate([LABELS, LABELS])), TypeError,
     r"12 inputs but 24 targets"),
    ("step one-hot targets of another width", lambda: CLF.step(STATE, X, ONEHOT[:, :2]), TypeError,
     r"the loss expects targets of shape \(3,\).*got targets of shape \(12, 2\)"),
    ("step labels out of range (numpy)", lambda: CLF.step(STATE, X, LABELS + 1), ValueError,
     r"labels must lie in 0\.\.2 for a model with 3 outputs; got labels in 1\.\.3"),
    ("step negative labels (numpy)", lambda: CLF.step(STATE, X, LABELS - 1), ValueError, r"got labels in -1\.\.1"),
    ("step float labels", lambda: CLF.step(STATE, X, LABELS.astype(np.float32)), TypeError,
     r"class labels must be integers \(0\.\.2\), e\.g\. y\.astype\(int\)"),
    ("step bool labels", lambda: CLF.step(STATE, X, LABELS > 0), TypeError, r"got a bool array of shape \(12,\)"),
    ("step string data", lambda: CLF.step(STATE, "data", LABELS), TypeError, r"input 0: expected an array of numbers, got str"),
    ("step None data", lambda: CLF.step(STATE, None, LABELS), TypeError, r"input 0: expected an array of numbers, got NoneType"),
    ("step string array data", lambda: CLF.step(STATE, np.full((12, 4), "a"), LABELS), TypeError,
     r"input 0: expected numbers for f32\[4\], got data of dtype <U1"),
    ("step two inputs for one", lambda: CLF.step(STATE, [X, X], LABELS), TypeError, r"the model takes 1 input.*got 2"),
    ("step a state that is not a TrainState", lambda: CLF.step(STATE.params, X, LABELS), TypeError,
     r"expected a TrainState\(params, opt_state\), got dict"),
    ("step a parameter missing", lambda: CLF.step(learn.TrainState({"dense": {"W": STATE.params["dense"]["W"]}},
                                                                   STATE.opt_state), X, LABELS), TypeError,
     r"parameter dense\.b .*is missing"),
    ("step a parameter of another shape", lambda: CLF.step(learn.TrainState(
        {"dense": {"W": jnp.zeros((3, 5)), "b": jnp.zeros(3)}}, STATE.opt_state), X, LABELS), TypeError,
     r"parameter dense\.W should have shape \(3, 4\)"),
    ("step another optimiser's state", lambda: ADAM.step(learn.TrainState(STATE.params, learn.EmptyState()), X, ONEHOT),
     TypeError, r"(?s)^(?=.*optimiser state)(?=.*AdamState)(?=.*'count')(?=.*'mu)(?=.*'nu)(?=.*got .*EmptyState)"),
    ("Z2 model with non-binary data", lambda: Z2.step(Z2.init(KEY), np.array([[0, 2], [1, 1]]), np.array([[1], [0]])),
     ValueError, r"input 0 is not binary data: entry \(0, 1\) is 2"),
    ("Z2 model with non-binary targets", lambda: Z2.step(Z2.init(KEY), np.array([[0, 1], [1, 1]]), np.array([[1], [3]])),
     ValueError, r"targets is not binary data"),
    ("evaluate labels out of range (device)", lambda: CLF.evaluate(STATE.params, X, jnp.asarray(LABELS + 5)),
     ValueError, r"labels must lie in 0\.\.2 .* got labels in 5\.\.7"),
    ("evaluate labels out of range (numpy)", lambda: CLF.evaluate(STATE.params, X, LABELS - 3), ValueError,
     r"got labels in -3\.\.-1"),
    ("predict inputs of another shape", lambda: CLF.predict(STATE.params, X[:, :2]), TypeError,
     r"examples of shape \(4,\).*got data of shape \(12, 2\)"),
    ("predict empty data", lambda: CLF.predict(STATE.params, X[:0]), ValueError, r"the data is empty"),
    # -- compiled step and epoch ---------------------------------------------------------------------
    ("compiled_step of 0", lambda: CLF.compiled_step(0), ValueError, r"compiled_step: batch_size must be a positive int, got int 0"),
    ("compiled_step of 2.5", lambda: CLF.compiled_step(2.5), TypeError, r"batch_size must be a positive int, got float"),
    ("compiled step on another batch size", lambda: CLF.compiled_step(4)(STATE, X, LABELS), TypeError,
     r"this step takes batches of 4, got 12 examples"),
    ("epoch larger batches than examples", lambda: CLF.epoch(10, 20), ValueError, r"batch_size 20 is larger than the 10 examples"),
    # -- losses -----------------------------------------------------------------------------------------
    ("mse of a string", lambda: learn.mse("f32"), TypeError, r"mse: expects the prediction type B"),
    ("softmax cross-entropy of a scalar", lambda: learn.softmax_cross_entropy(Array(())), TypeError,
     r"predictions need a class axis"),
    ("xor loss of floats", lambda: learn.xor_loss(Array((2,))), TypeError, r"xor_loss: expects boolean \(Z2\) predictions"),
    ("mse of bool", lambda: learn.mse(Array((2,), "bool")), TypeError, r"mse: expects floating-point predictions.*use xor_loss"),
    # -- optax, checkpoints, dream -------------------------------------------------------------------------
    ("optax_optimiser of a catgrad optimiser", lambda: learn.optax_optimiser(learn.gd()), TypeError,
     r"optax_optimiser: expects an optax GradientTransformation.*got Optimiser"),
    ("save a dict", lambda: learn.save("x.ckpt", {"params": 1}), TypeError, r"save: expected a TrainState"),
    ("save in a missing folder", lambda: learn.save("/no/such/folder/x", STATE), FileNotFoundError,
     r"the folder /no/such/folder of /no/such/folder/x does not exist"),
    ("save metadata that is not JSON", lambda: learn.save("x.ckpt", STATE, metadata={"f": object()}), TypeError,
     r"metadata must be JSON-serialisable"),
    ("load for something else than a learner", lambda: learn.load("x.ckpt", "learner"), TypeError,
     r"load: expected a Learner"),
    ("load a missing file", lambda: learn.load("/no/such/file.ckpt", CLF), FileNotFoundError, r"no checkpoint file"),
    ("dream a class out of range", lambda: learn.dream(nn.dense(4, 3), STATE.params, 5, np.zeros(4, np.float32)),
     ValueError, r"target_class must lie in 0\.\.2, got 5"),
]


@pytest.mark.parametrize("name, call, exc, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named(name, call, exc, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # cases that would write a file write it here (and are refused before)
    with pytest.raises(exc, match=message):
        call()
    assert not list(tmp_path.iterdir()), "a refused call left a file behind"


def test_there_are_enough_cases():
    assert len(CASES) >= 50


def test_nan_parameters_to_evaluate_warn_naming_them():
    params = {"dense": {"W": STATE.params["dense"]["W"].at[0, 0].set(jnp.nan), "b": STATE.params["dense"]["b"]}}
    with pytest.warns(RuntimeWarning, match=r"evaluate: the parameters are not finite \(NaN or inf in dense\.W\)"):
        out = CLF.evaluate(params, X, LABELS)
    assert np.isnan(out["loss"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CLF.evaluate(STATE.params, X, LABELS)  # finite parameters: no warning


def test_batch_size_larger_than_the_data_is_clamped_only_when_asked():
    st, _ = learn.fit(CLF, STATE, X, LABELS, batch_size=100, clamp_batch_size=True, progress=False, shuffle=False)
    one = CLF.step(STATE, X, LABELS)
    for a, b in zip(jax.tree_util.tree_leaves(st.params), jax.tree_util.tree_leaves(one.params)):
        np.testing.assert_array_equal(a, b)
    # the default batch size (32) is clamped to small data: nothing was given
    st, hist = learn.fit(CLF, STATE, X, LABELS, progress=False)
    assert len(hist["loss"]) == 1
