"""The supervised learner ``U ; R(model) ; R(loss) ; α`` compiled to one step [MATH.md §5–6].

Oracles: ``jax.grad`` of the same objective written in plain JAX, fed to ``optax`` (``sgd``,
``sgd(momentum)``, ``adam``) on the same batches; ``jax.vmap(jax.grad)`` of the per-example
loss for the batch mean; the jaxpr of the compiled step for its structure (no per-example
outer products); hand-computed values for ``evaluate`` and ``predict``.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import catgrad as cg
from catgrad import Array, learn, nn

N_IN, N_HID, N_OUT, BATCH = 5, 7, 3, 16


def mlp():
    return nn.dense(N_IN, N_HID, nn.sigmoid, name="h") >> nn.dense(N_HID, N_OUT, None, name="o")


def mlp_ref(ps, x):
    h = jax.nn.sigmoid(ps["h"]["W"] @ x + ps["h"]["b"])
    return ps["o"]["W"] @ h + ps["o"]["b"]


def mse_ref(ps, x, y):
    return 0.5 * jnp.sum((mlp_ref(ps, x) - y) ** 2)


def sce_ref(ps, x, y):
    return -jnp.sum(y * jax.nn.log_softmax(mlp_ref(ps, x)))


def _data(seed, n=BATCH, labels=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_IN)).astype(np.float32)
    if labels:
        return x, rng.integers(0, N_OUT, n)
    return x, rng.normal(size=(n, N_OUT)).astype(np.float32)


def _optax_run(opt, per_example, params, batches, reduction="mean"):
    red = jnp.mean if reduction == "mean" else jnp.sum

    def objective(ps, x, y):
        return red(jax.vmap(per_example, (None, 0, 0))(ps, x, y))

    state = opt.init(params)
    for x, y in batches:
        g = jax.grad(objective)(params, x, y)
        updates, state = opt.update(g, state, params)
        params = optax.apply_updates(params, updates)
    return params


def _catgrad_run(learner, params, batches):
    state = learn.TrainState(params, learner.optimiser.init(params))
    for x, y in batches:
        state = learner.step(state, x, y)
    return state.params


def _assert_trees_close(a, b, **tol):
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for (path, u), v in zip(jax.tree_util.tree_leaves_with_path(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(u, v, err_msg=jax.tree_util.keystr(path), **tol)


OPTIMISERS = {
    "gd": (lambda: learn.gd(), 0.3, lambda: optax.sgd(0.3)),
    "momentum": (lambda: learn.momentum(0.8), 0.2, lambda: optax.sgd(0.2, momentum=0.8)),
    "adam": (lambda: learn.adam(0.05), 1.0, lambda: optax.adam(0.05)),
}


@pytest.mark.parametrize("opt", list(OPTIMISERS))
@pytest.mark.parametrize("loss", ["mse", "softmax_cross_entropy"])
def test_step_equals_grad_plus_optax(opt, loss):
    make, alpha, make_optax = OPTIMISERS[opt]
    model = mlp()
    learner = learn.supervised(model, getattr(learn, loss), learn.learning_rate(alpha), make())
    params = model.init(jax.random.PRNGKey(1))
    batches = [_data(s, labels=loss != "mse") for s in range(6)]
    ours = _catgrad_run(learner, params, batches)
    ref_loss = mse_ref if loss == "mse" else sce_ref
    ref_batches = batches if loss == "mse" else [(x, jax.nn.one_hot(y, N_OUT)) for x, y in batches]
    theirs = _optax_run(make_optax(), ref_loss, params, ref_batches)
    _assert_trees_close(ours, theirs, rtol=2e-5, atol=2e-6)
    # the update is not trivially zero
    assert not np.allclose(ours["o"]["W"], params["o"]["W"])


@pytest.mark.parametrize("opt", ["gd", "adam"])
def test_sum_reduction(opt):
    make, alpha, make_optax = OPTIMISERS[opt]
    if opt == "gd":  # the summed gradient is n times larger: keep the step stable
        alpha, make_optax = 0.02, lambda: optax.sgd(0.02)
    model = mlp()
    learner = learn.supervised(model, learn.mse, learn.learning_rate(alpha), make(), reduction="sum")
    params = model.init(jax.random.PRNGKey(2))
    batches = [_data(s) for s in range(4)]
    ours = _catgrad_run(learner, params, batches)
    theirs = _optax_run(make_optax(), mse_ref, params, batches, reduction="sum")
    _assert_trees_close(ours, theirs, rtol=2e-5, atol=2e-6)
    # and it differs from the mean by the factor n for gd's first step
    if opt == "gd":
        mean_l = learn.supervised(model, learn.mse, learn.learning_rate(alpha * BATCH), make())
        _assert_trees_close(_catgrad_run(mean_l, params, batches[:1]), _catgrad_run(learner, params, batches[:1]),
                            rtol=2e-5, atol=2e-6)


def test_batched_step_is_mean_of_per_example_gradients():
    model = mlp()
    alpha = 0.5
    learner = learn.supervised(model, learn.mse, learn.learning_rate(alpha), learn.gd())
    params = model.init(jax.random.PRNGKey(3))
    x, y = _data(11)
    new = learner.step(learn.TrainState(params, learner.optimiser.init(params)), x, y).params
    per_example = jax.vmap(jax.grad(mse_ref), (None, 0, 0))(params, x, y)
    expected = jax.tree_util.tree_map(lambda p, g: p - alpha * jnp.mean(g, axis=0), params, per_example)
    _assert_trees_close(new, expected, rtol=2e-5, atol=2e-6)


def test_step_is_traced_once_per_batch_size():
    model = mlp()
    learner = learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.momentum())
    state = learner.init(jax.random.PRNGKey(0))
    step16, step5 = learner.compiled_step(BATCH), learner.compiled_step(5)
    assert learner.compiled_step(BATCH) is step16  # one compiled step per batch size
    assert step16.trace_count == 0 and step5.trace_count == 0
    for s in range(12):
        state = learner.step(state, *_data(s))
    assert step16.trace_count == 1 and step5.trace_count == 0
    for s in range(3):
        state = learner.step(state, *_data(s, n=5))
    assert step16.trace_count + step5.trace_count == 2
    state = learner.step(state, *_data(0))
    assert step16.trace_count + step5.trace_count == 2


def _shapes_in_jaxpr(jaxpr) -> list:
    """Shapes of every intermediate value, descending into sub-jaxprs (pjit, scan, custom_vjp…)."""
    out = []
    for eqn in jaxpr.eqns:
        out.extend(tuple(v.aval.shape) for v in eqn.outvars if hasattr(v.aval, "shape"))
        for p in eqn.params.values():
            subs = p if isinstance(p, (tuple, list)) else [p]
            for sub in subs:
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns"):
                    out.extend(_shapes_in_jaxpr(inner))
    return out


def _has_outer_product(shapes, n, m, k) -> bool:
    return any(len(s) == 3 and sorted(s) == sorted((n, m, k)) for s in shapes)


def test_weight_gradient_is_one_matrix_product_not_per_example_outer_products():
    """No intermediate of shape (n, m, k) for a weight W: m × k and a batch of n [MATH.md §6]."""
    n = BATCH
    model = mlp()
    learner = learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.gd())
    state = learner.init(jax.random.PRNGKey(0))
    x, y = _data(0)
    xs, ys = learner.check_data(x, y)
    jaxpr = jax.make_jaxpr(learner.compiled_step(n).apply)(state, xs, ys).jaxpr
    shapes = _shapes_in_jaxpr(jaxpr)
    assert (n, N_HID) in shapes  # sanity: the batched hidden layer is there
    assert not _has_outer_product(shapes, n, N_HID, N_IN), "per-example outer product for the hidden weight"
    assert not _has_outer_product(shapes, n, N_OUT, N_HID), "per-example outer product for the output weight"
    # the detector finds the outer products in the naive per-example computation
    naive = jax.make_jaxpr(lambda ps: jax.vmap(jax.grad(mse_ref), (None, 0, 0))(ps, x, y))(state.params).jaxpr
    assert _has_outer_product(_shapes_in_jaxpr(naive), n, N_HID, N_IN)


def test_predict_and_evaluate():
    model = mlp()
    learner = learn.supervised(model, learn.softmax_cross_entropy, learn.learning_rate(0.1), learn.gd())
    params = model.init(jax.random.PRNGKey(4))
    x, labels = _data(5, labels=True)
    pred = learner.predict(params, x)
    np.testing.assert_allclose(pred, jax.vmap(mlp_ref, (None, 0))(params, x), rtol=1e-5, atol=1e-6)
    ev = learner.evaluate(params, x, labels)
    y1 = jax.nn.one_hot(labels, N_OUT)
    ref_loss = float(jnp.mean(jax.vmap(sce_ref, (None, 0, 0))(params, x, y1)))
    assert ev["loss"] == pytest.approx(ref_loss, rel=1e-5)
    assert ev["accuracy"] == pytest.approx(float(np.mean(np.argmax(pred, 1) == labels)))
    # one-hot targets give the same numbers as integer labels
    assert learner.evaluate(params, x, y1) == pytest.approx(ev)


def test_lens_and_step_diagram_types():
    model = mlp()
    learner = learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.momentum())
    L = learner.lens(4)
    assert L.cod == (cg.Ty(), cg.Ty())
    assert L.dom == (cg.Ty(Array((4, N_IN))), cg.Ty(Array((4, N_IN))))
    d = learner.step_diagram(4)
    P = cg.record.leaves(model.param)
    state = cg.record.leaves(learner.state_record)  # the wires of TrainState(P, S): P's then S's
    assert state == P @ P  # momentum: S = P
    assert d.dom == state @ cg.Ty(Array((4, N_IN)), Array((4, N_OUT)))
    assert d.cod == state @ cg.Ty(Array(()), Array((4, N_OUT)))


# -- bad input -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def learner():
    return learn.supervised(mlp(), learn.mse, learn.learning_rate(0.1), learn.gd())


def test_model_and_loss_types_must_match():
    with pytest.raises(TypeError, match=r"f32\[3\].*f32\[2\]"):
        learn.supervised(mlp(), learn.mse(Array((2,))), learn.learning_rate(0.1), learn.gd())
    with pytest.raises(TypeError, match=r"must be a Para"):
        learn.supervised(lambda x: x, learn.mse, learn.learning_rate(0.1), learn.gd())
    two = nn.dense(2, 2) @ nn.dense(2, 2, name="e")
    with pytest.raises(TypeError, match="one output wire"):
        learn.supervised(two, learn.mse, learn.learning_rate(0.1), learn.gd())
    with pytest.raises(ValueError, match="reduction must be"):
        learn.supervised(mlp(), learn.mse, learn.learning_rate(0.1), learn.gd(), reduction="median")


def test_data_shape_must_match_model(learner):
    state = learner.init(jax.random.PRNGKey(0))
    x, y = _data(0)
    with pytest.raises(TypeError, match=r"shape \(5,\).*\(16, 4\)"):
        learner.step(state, x[:, :4], y)
    with pytest.raises(TypeError, match=r"shape \(5,\).*\(5,\)"):
        learner.predict(state.params, x[0])  # one example without the batch axis
    with pytest.raises(TypeError, match=r"targets of shape \(3,\).*\(16, 2\)"):
        learner.step(state, x, y[:, :2])
    with pytest.raises(TypeError, match="16 inputs but 15 targets"):
        learner.step(state, x, y[:15])
    with pytest.raises(TypeError, match=r"takes 1 input.*got 2"):
        learner.step(state, [x, x], y)


def test_labels_out_of_range(learner):
    state = learner.init(jax.random.PRNGKey(0))
    x, _ = _data(0)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2.*0\.\.3"):
        learner.step(state, x, np.arange(BATCH) % 4)
    with pytest.raises(ValueError, match=r"-1\.\.1"):
        learner.evaluate(state.params, x, np.arange(BATCH) % 3 - 1)


def test_bad_parameters(learner):
    state = learner.init(jax.random.PRNGKey(0))
    x, y = _data(0)
    bad = {"h": state.params["h"], "o": {"W": state.params["o"]["W"]}}
    with pytest.raises(TypeError, match=r"o\.b.*missing"):
        learner.step(learn.TrainState(bad, state.opt_state), x, y)


def test_non_binary_data_to_a_bool_model():
    boolean = pytest.importorskip("catgrad.boolean")
    model = boolean.lookup_table(2, 1)
    learner = learn.supervised(model, learn.xor_loss, learn.identity_rate, learn.rda())
    state = learner.init(jax.random.PRNGKey(0))
    x = np.array([[0, 1], [1, 1]])
    y = np.array([[1], [0]])
    state = learner.step(state, x, y)  # 0/1 integers are fine
    with pytest.raises(ValueError, match=r"binary.*2"):
        learner.step(state, np.array([[0, 2], [1, 1]]), y)
    with pytest.raises(ValueError, match=r"targets.*binary"):
        learner.step(state, x, np.array([[1], [3]]))
    with pytest.raises(TypeError, match="boolean|bool|Z2"):
        learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.gd())


def test_numbers_and_factories_are_read_as_rates_and_optimisers():
    """``lr=0.1`` is ``learning_rate(0.1)``; ``optimiser=learn.momentum`` is ``learn.momentum()``, ``learn.rda`` is
    ``learn.rda()``: the steps agree exactly with the spelled-out learner."""
    from catgrad.boolean import lookup_table
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    model = nn.dense(4, 3, nn.sigmoid)
    pairs = [
        (learn.supervised(model, learn.mse, 0.1, learn.momentum),
         learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.momentum()), x, y),
        (learn.supervised(lookup_table(4, 3), learn.xor_loss, learn.identity_rate, learn.rda),
         learn.supervised(lookup_table(4, 3), learn.xor_loss, learn.identity_rate, learn.rda()), x > 0, y > 0),
    ]
    for short, full, xs, ys in pairs:
        s1 = short.step(short.init(jax.random.PRNGKey(1)), xs, ys)
        s2 = full.step(full.init(jax.random.PRNGKey(1)), xs, ys)
        for a, b in zip(jax.tree_util.tree_leaves(s1.params), jax.tree_util.tree_leaves(s2.params)):
            np.testing.assert_array_equal(a, b)
        assert any(not np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(s1.params),
                                                            jax.tree_util.tree_leaves(short.init(jax.random.PRNGKey(1)).params)))


@pytest.mark.parametrize("lr, opt, message", [
    ("0.1", learn.gd(), r"lr must be a learning rate .* got str '0\.1'"),
    (True, learn.gd(), "lr must be a learning rate"),
    (0.1, "adam", r"optimiser must be an Optimiser .* got str 'adam'"),
    (0.1, object(), r"optimiser must be an Optimiser .* or an optax GradientTransformation"),
])
def test_bad_rate_or_optimiser_is_named(lr, opt, message):
    with pytest.raises(TypeError, match=message):
        learn.supervised(nn.dense(4, 3, nn.sigmoid), learn.mse, lr, opt)


# -- the optimiser state is a pytree shaped like the parameters (optax's convention) ----------------

def test_adam_state_is_optax_shaped_and_equals_optax():
    model = mlp()
    learner = learn.supervised(model, learn.mse, 1.0, learn.adam(0.05))
    params = model.init(jax.random.PRNGKey(1))
    state = learn.TrainState(params, learner.optimiser.init(params))
    assert isinstance(state.opt_state, learn.AdamState)
    shapes = lambda t: jax.tree_util.tree_map(lambda a: a.shape, t)  # noqa: E731
    assert shapes(state.opt_state.mu) == shapes(state.opt_state.nu) == shapes(params)
    batches = [_data(s) for s in range(4)]
    for x, y in batches:
        state = learner.step(state, x, y)
    tx = optax.adam(0.05)
    ref = tx.init(params)
    p = params
    for x, y in batches:
        g = jax.grad(lambda ps: jnp.mean(jax.vmap(mse_ref, (None, 0, 0))(ps, x, y)))(p)
        u, ref = tx.update(g, ref, p)
        p = optax.apply_updates(p, u)
    _assert_trees_close(state.opt_state.mu, ref[0].mu, rtol=2e-5, atol=1e-6)
    _assert_trees_close(state.opt_state.nu, ref[0].nu, rtol=2e-5, atol=1e-8)
    assert float(state.opt_state.count) == int(ref[0].count) == 4


def test_momentum_state_is_a_pytree_of_velocities():
    model = mlp()
    learner = learn.supervised(model, learn.mse, 0.1, learn.momentum(0.5))
    st = learner.init(jax.random.PRNGKey(0))
    assert isinstance(st.opt_state, learn.MomentumState)
    assert jax.tree_util.tree_structure(st.opt_state.velocity) == jax.tree_util.tree_structure(st.params)
    assert learn.supervised(model, learn.mse, 0.1, learn.gd()).init(jax.random.PRNGKey(0)).opt_state == learn.EmptyState()


def test_learner_is_immutable_and_has_no_trace_counter():
    import dataclasses
    learner = learn.supervised(mlp(), learn.mse, 0.1, learn.gd())
    with pytest.raises(dataclasses.FrozenInstanceError):
        learner.optimiser = learn.adam()
    assert not hasattr(learner, "trace_count") and not hasattr(learner, "_steps")
    step = learner.compiled_step(4)
    assert step.batch_size == 4 and step.diagram.dom[-1] == Array((4, N_OUT))


# -- integer labels inside the compiled step ---------------------------------------------------------

def test_device_labels_out_of_range_give_nan_then_a_clear_error():
    learner = learn.supervised(mlp(), learn.softmax_cross_entropy, 0.1, learn.gd())
    state = learner.init(jax.random.PRNGKey(0))
    x, _ = _data(0)
    bad = jnp.asarray(np.arange(BATCH) % 4)  # label 3 for a model with 3 outputs
    state = learner.step(state, x, bad)
    assert all(bool(jnp.all(jnp.isnan(a))) for a in jax.tree_util.tree_leaves(state.params)), "not a silent zero row"
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2 for a model with 3 outputs; got labels in 0\.\.3"):
        for _ in range(9):  # read back every 8 calls, once the device is done
            jax.block_until_ready(state)
            state = learner.step(state, x, jnp.zeros(BATCH, jnp.int32))
    # device labels in range: the same steps as one-hot targets
    good = jnp.asarray(np.arange(BATCH) % 3)
    s0 = learner.init(jax.random.PRNGKey(0))
    a = learner.step(s0, x, good)
    b = learner.step(s0, x, jax.nn.one_hot(good, 3))
    _assert_trees_close(a.params, b.params, rtol=0, atol=0)


def test_evaluate_and_predict_compile_a_bounded_number_of_shapes():
    """Many data sizes, few compilations: chunks of at most EVAL_CHUNK examples, the last padded to a power of two."""
    from catgrad.learn.evaluation import EVAL_CHUNK, MIN_CHUNK
    learner = learn.supervised(mlp(), learn.softmax_cross_entropy, 0.1, learn.gd())
    params = learner.init(jax.random.PRNGKey(0)).params
    compiles, counting = [], [False]

    def listen(event, duration, **kw):
        if event == "/jax/core/compile/backend_compile_duration" and counting[0]:
            compiles.append(event)
    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        rng = np.random.default_rng(0)
        sizes = sorted(set(rng.integers(1, 3 * EVAL_CHUNK, 40).tolist()) | {1, MIN_CHUNK, EVAL_CHUNK, EVAL_CHUNK + 1})
        for n in sizes:
            x, labels = _data(n, n=n, labels=True)
            counting[0] = True
            ev = learner.evaluate(params, x, labels)
            pred = learner.predict(params, x)
            counting[0] = False
            assert pred.shape == (n, N_OUT)
            ref = jax.vmap(mlp_ref, (None, 0))(params, x)
            np.testing.assert_allclose(pred, ref, rtol=1e-5, atol=1e-6)
            assert ev["accuracy"] == pytest.approx(float(np.mean(np.argmax(ref, 1) == labels)))
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    shapes = int(np.log2(EVAL_CHUNK // MIN_CHUNK)) + 1
    assert len(compiles) <= 2 * shapes + 4, f"{len(compiles)} compilations for {len(sizes)} sizes"


def test_real_targets_of_a_scalar_model_on_the_device_are_not_labels():
    """Regression: 1-D real targets on the device (a model with a scalar output) are targets, not class labels;
    ten steps equal gradient descent on the same loss by jax.grad."""
    from catgrad import Para
    X, W = cg.Array((2,)), cg.Array((2,))
    model = Para({"lin": {"w": W}}, cg.trace(lambda w, x: cg.sum(w * x), W, X),
                 lambda key: {"lin": {"w": jnp.zeros(2)}})
    lrn = learn.supervised(model, learn.mse, learn.learning_rate(0.1), learn.gd())
    st = lrn.init(jax.random.PRNGKey(0))
    x = jnp.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
    y = jnp.array([1.0, -0.5, 2.0])
    w = jnp.zeros(2)
    loss = lambda w: jnp.mean(learn_mse_per_example(x @ w, y))  # noqa: E731
    for _ in range(10):
        st = lrn.step(st, x, y)
        w = w - 0.1 * jax.grad(loss)(w)
    np.testing.assert_allclose(st.params["lin"]["w"], w, rtol=1e-5)


def learn_mse_per_example(yhat, y):
    """The per-example MSE of catgrad's learn.mse, read from its docstring formula: ½·(ŷ − y)² for a scalar."""
    return 0.5 * (yhat - y) ** 2
