"""optax transformations as optimisers (``catgrad.learn.optax_lens``).

Oracles: optax itself, run by hand on ``jax.grad`` of the same objective (the trajectories of
``optax.adamw`` with a cosine schedule, a ``chain`` of clipping and ``sgd``, ``optax.lion``,
``inject_hyperparams``); the put map against ``tx.update`` + ``optax.apply_updates`` on the same
arguments, bitwise; catgrad's native ``learn.adam`` lens against ``optax.adam`` through the learner.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import catgrad as cg
from catgrad import Array, learn, nn
from catgrad.learn.optax_lens import optax_update

N_IN, N_HID, N_OUT, BATCH, STEPS = 5, 7, 3, 16, 12


def mlp():
    return nn.dense(N_IN, N_HID, nn.tanh, name="h") >> nn.dense(N_HID, N_OUT, name="o")


def mlp_ref(ps, x):
    return jnp.tanh(x @ ps["h"]["W"].T + ps["h"]["b"]) @ ps["o"]["W"].T + ps["o"]["b"]


def objective(ps, x, y):
    return jnp.mean(-jnp.sum(jax.nn.one_hot(y, N_OUT) * jax.nn.log_softmax(mlp_ref(ps, x)), axis=-1))


def _batches(scale=1.0):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(STEPS):
        x = (scale * rng.normal(size=(BATCH, N_IN))).astype(np.float32)
        out.append((x, rng.integers(0, N_OUT, BATCH)))
    return out


def _optax_trajectory(tx, params, batches):
    state, ps = tx.init(params), []
    grad = jax.jit(jax.grad(objective))
    for x, y in batches:
        updates, state = tx.update(grad(params, x, y), state, params)
        params = optax.apply_updates(params, updates)
        ps.append(params)
    return ps, state


def _catgrad_trajectory(learner, params, batches):
    st, ps = learn.TrainState(params, learner.optimiser.init(params)), []
    for x, y in batches:
        st = learner.step(st, x, y)
        ps.append(st.params)
    return ps, st.opt_state


def _close(a, b, rtol=2e-5, atol=2e-6):
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for u, v in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(np.asarray(u, np.float64), np.asarray(v, np.float64), rtol=rtol, atol=atol)


TRANSFORMS = {
    "adamw+cosine": lambda: optax.adamw(optax.cosine_decay_schedule(0.05, STEPS), weight_decay=0.1),
    "chain(clip, sgd)": lambda: optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.1)),
    "lion": lambda: optax.lion(3e-3),
    "inject_hyperparams(adam)": lambda: optax.inject_hyperparams(optax.adam)(learning_rate=0.02),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_trajectory_equals_optax(name):
    make = TRANSFORMS[name]
    batches = _batches(scale=4.0 if "clip" in name else 1.0)
    params = mlp().init(jax.random.PRNGKey(1))
    learner = learn.supervised(mlp(), learn.softmax_cross_entropy, 1.0, make())
    ours, our_state = _catgrad_trajectory(learner, params, batches)
    theirs, their_state = _optax_trajectory(make(), params, batches)
    for a, b in zip(ours, theirs):
        _close(a, b)
    _close(our_state, their_state)  # the state is optax's own pytree
    assert not np.allclose(ours[-1]["o"]["W"], params["o"]["W"])


def test_clipping_is_active_in_the_chain_test():
    """The clip_by_global_norm case is not vacuous: some gradient norm exceeds 1."""
    params = mlp().init(jax.random.PRNGKey(1))
    norm = lambda t: float(jnp.sqrt(sum(jnp.sum(a ** 2) for a in jax.tree_util.tree_leaves(t))))  # noqa: E731
    norms = [norm(jax.grad(objective)(params, x, y)) for x, y in _batches(scale=4.0)[:3]]
    assert max(norms) > 1.0


def test_native_adam_lens_and_optax_adam_give_the_same_trajectory():
    batches = _batches()
    params = mlp().init(jax.random.PRNGKey(2))
    native = learn.supervised(mlp(), learn.softmax_cross_entropy, 1.0, learn.adam(0.02))
    wrapped = learn.supervised(mlp(), learn.softmax_cross_entropy, 1.0, optax.adam(0.02))
    ours, st_native = _catgrad_trajectory(native, params, batches)
    theirs, st_optax = _catgrad_trajectory(wrapped, params, batches)
    for a, b in zip(ours, theirs):
        _close(a, b)
    _close(st_native.mu, st_optax[0].mu, atol=1e-6)
    assert float(st_native.count) == int(st_optax[0].count) == STEPS


def test_put_map_is_tx_update_plus_apply_updates_bitwise():
    tx = optax.chain(optax.clip_by_global_norm(0.5), optax.adamw(0.1, weight_decay=0.01))
    opt = learn.optax_optimiser(tx, "adamw")
    P = mlp().param
    U = opt.lens(P)  # on the wires leaves(S) @ leaves(P), the put also on the signal v (wires like P)
    rng = np.random.default_rng(3)
    tree = lambda leaves: jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(P), leaves)  # noqa: E731
    p = tree([jnp.asarray(rng.normal(size=t.shape), jnp.float32) for t in cg.record.leaves(P)])
    v = tree([jnp.asarray(rng.normal(size=t.shape), jnp.float32) for t in cg.record.leaves(P)])
    s = tx.update(v, opt.init(p), p)[1]  # a state after one step
    flat = jax.tree_util.tree_leaves
    out = cg.compile(U.bwd, simplify=False)(*flat(s), *flat(p), *flat(v))

    @jax.jit
    def ref(s, p, v):
        g = jax.tree_util.tree_map(lambda a: -a, v)
        updates, s2 = tx.update(g, s, p)
        p2 = optax.apply_updates(p, updates)
        return (*flat(s2), *flat(p2))
    expected = ref(s, p, v)
    assert len(out) == len(expected)
    for a, b in zip(out, expected):
        np.testing.assert_array_equal(a, b)
    # the get map is the projection onto the parameters
    for a, b in zip(cg.compile(U.fwd)(*flat(s), *flat(p)), flat(p)):
        np.testing.assert_array_equal(a, b)


def test_one_opaque_generator_not_differentiable():
    learner = learn.supervised(mlp(), learn.softmax_cross_entropy, 1.0, optax.lion(1e-3))
    d = learner.step_diagram(4)
    assert sum(op.gen is optax_update for op in d.ops) == 1
    assert optax_update.label == "optax" and isinstance(optax_update, cg.Generator)
    assert cg.lookup("optax_update") is optax_update
    U = learner.optimiser.lens(learner.model.param)
    with pytest.raises(cg.NotDifferentiableError, match="optax_update"):
        cg.rdiff(U.bwd)


def test_fit_and_checkpoint_with_an_optax_state(tmp_path):
    x = np.concatenate([b[0] for b in _batches()])
    y = np.concatenate([b[1] for b in _batches()])
    learner = learn.supervised(mlp(), learn.softmax_cross_entropy, 1.0,
                               optax.adamw(optax.cosine_decay_schedule(0.05, 40), weight_decay=0.1))
    st0 = learner.init(jax.random.PRNGKey(0))
    full, hist = learn.fit(learner, st0, x, y, epochs=4, batch_size=32, progress=False)
    learn.fit(learner, st0, x, y, epochs=2, batch_size=32, progress=False, checkpoint=tmp_path / "c")
    resumed, hist2 = learn.fit(learner, st0, x, y, epochs=4, batch_size=32, progress=False, checkpoint=tmp_path / "c",
                               resume=True)
    assert hist2 == hist
    for a, b in zip(jax.tree_util.tree_leaves(resumed), jax.tree_util.tree_leaves(full)):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    assert hist["loss"][-1] < hist["loss"][0]


def test_bad_uses_are_named():
    from catgrad.boolean import lookup_table
    with pytest.raises(TypeError, match="optax transformation needs floating-point parameters.*use learn.rda"):
        learn.supervised(lookup_table(2, 1), learn.xor_loss, learn.identity_rate,
                         optax.sgd(0.1)).init(jax.random.PRNGKey(0))
    with pytest.raises(TypeError, match="optax_optimiser: expects an optax GradientTransformation"):
        learn.optax_optimiser(learn.adam())
    with pytest.raises(TypeError, match="optax_update: expects 1 state wires"):
        optax_update(Array(()), Array((2,)), tx=optax.sgd(0.1), state_def=jax.tree_util.tree_structure((0,)),
                     param_def=jax.tree_util.tree_structure({"w": 0}))


def test_drawn_as_a_box_named_optax():
    from catgrad.drawing import draw
    learner = learn.supervised(mlp(), learn.softmax_cross_entropy, 1.0, optax.adamw(1e-3))
    U = learner.optimiser.lens(learner.model.param)
    assert "optax" in [b.label for b in draw(U.bwd).boxes]
    assert any("optax" in b.label for b in draw(learner).boxes)
