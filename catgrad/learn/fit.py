"""The fit loop: whole epochs inside ``jax.lax.scan``, PRNG-keyed shuffling, minibatches.

Each epoch is one compiled function: a permutation of the examples from the epoch's key,
``⌊N / batch_size⌋`` full minibatches (the remainder of a shuffled epoch is left out, as
with ``drop_last``; every example is seen over the epochs), and a scan of the learner's
step over them. Python is not in the inner loop. A non-finite loss or parameter stops
training: the update that produced it is not applied, the epoch and step are reported, and
the last good state is returned (or raised with, under ``on_nonfinite="raise"``).

With ``devices`` (a list of JAX devices, or an int), the batch axis is sharded across
them with ``jax.sharding`` and the parameters are replicated (data parallelism).
"""
from __future__ import annotations

import functools
import warnings
from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np

from .learner import Learner, TrainState, accuracy


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or inf; ``.state`` holds the last good state, ``.history`` the history so far."""

    def __init__(self, message, state, history):
        super().__init__(message)
        self.state = state
        self.history = history


def _mesh(devices):
    if devices is None:
        return None
    from jax.sharding import Mesh
    if isinstance(devices, int):
        available = jax.devices()
        if devices > len(available):
            raise ValueError(f"fit: asked for {devices} devices, only {len(available)} are available")
        devices = available[:devices]
    return Mesh(np.array(list(devices)), ("batch",))


def _finite(tree) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(a)) for a in jax.tree_util.tree_leaves(tree) if jnp.issubdtype(a.dtype, jnp.floating)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)


def _sum_finite(tree) -> jax.Array:
    """A cheap screen: ``True`` when the sum of all floating entries of ``tree`` is finite, which
    implies every entry is (a NaN or inf in any entry makes the sum NaN or inf, in any order of
    summation). ``False`` means some entry is not finite, or the sum overflowed (a false alarm)."""
    sums = [jnp.sum(a) for a in jax.tree_util.tree_leaves(tree) if jnp.issubdtype(a.dtype, jnp.floating)]
    return jnp.isfinite(functools.reduce(jnp.add, sums)) if sums else jnp.array(True)


def epoch_fn(learner: Learner, n_examples: int, batch_size: int, mesh=None, shuffle: bool = True,
             guarded: bool = True):
    """The compiled epoch ``(s, p, xs, ys, key) -> (s, p, losses, accs, bad_step)``.

    ``guarded``: ``bad_step`` is the index of the first step whose loss or parameters are not
    finite (``-1`` if none), and from that step on the state is held at the last good one (a
    select of every parameter and state array per step). Unguarded (cheaper): the steps are
    applied regardless and ``bad_step >= 0`` only says that a NaN or inf may have appeared (the
    screen ``_sum_finite`` never misses one; an overflowing sum is a false alarm); the
    caller then replays the epoch guarded, which decides exactly.
    """
    nb = n_examples // batch_size
    step = learner._step_fn(batch_size)

    def run(s, p, xs, ys, key):
        order = jax.random.permutation(key, n_examples) if shuffle else jnp.arange(n_examples)
        perm = order[: nb * batch_size].reshape(nb, batch_size)
        bx = [x[perm] for x in xs]
        by = [y[perm] for y in ys]
        if mesh is not None:
            from jax.sharding import NamedSharding, PartitionSpec as P
            spec = NamedSharding(mesh, P(None, "batch"))
            bx = [jax.lax.with_sharding_constraint(b, spec) for b in bx]
            by = [jax.lax.with_sharding_constraint(b, spec) for b in by]

        def body(carry, batch):
            s, p, bad = carry
            i, x, y = batch
            s2, p2, loss, pred = step(s, p, x, y)
            if guarded:
                ok = jnp.logical_and(bad < 0, jnp.logical_and(_finite(loss), _finite(p2)))
                s = jax.tree_util.tree_map(lambda a, b: jnp.where(ok, a, b), s2, s)
                p = jax.tree_util.tree_map(lambda a, b: jnp.where(ok, a, b), p2, p)
            else:
                ok, s, p = _sum_finite([loss, p2]), s2, p2
            bad = jnp.where(jnp.logical_or(bad >= 0, ok), bad, i)
            return (s, p, bad), (jnp.mean(loss.astype(jnp.float32)), accuracy(pred[0], y[0]))

        (s, p, bad), (losses, accs) = jax.lax.scan(body, (s, p, jnp.int32(-1)), (jnp.arange(nb), bx, by))
        return s, p, losses, accs, bad

    return jax.jit(run)


def fit(learner: Learner, state: TrainState, x, y, *, epochs: int = 1, batch_size: int = 32, key=None,
        progress: bool = True, validation: Optional[tuple] = None, devices=None,
        on_nonfinite: str = "stop", shuffle: bool = True) -> tuple:
    """Train ``learner`` from ``state`` on ``(x, y)`` for ``epochs`` epochs.

    Returns ``(state, history)``; ``history`` has per-epoch lists ``loss`` and ``accuracy``
    (means over the epoch's minibatches, at the parameters each step saw), and ``val_loss`` /
    ``val_accuracy`` when ``validation=(x_val, y_val)`` is given. ``shuffle=False`` keeps the
    data order (as the [RDA] protocol does).

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 1, nn.sigmoid), learn.mse, learn.learning_rate(0.5), learn.gd())
    >>> x = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]], np.float32); y = x[:, :1]
    >>> st, hist = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, y, epochs=200, batch_size=4,
    ...                      key=jax.random.PRNGKey(1), progress=False)
    >>> hist["accuracy"][-1]
    1.0
    """
    if on_nonfinite not in ("stop", "raise"):
        raise ValueError(f"on_nonfinite must be 'stop' or 'raise', got {on_nonfinite!r}")
    xs, ys = learner._check_batch(x, y)
    n = xs[0].shape[0]
    batch_size = min(int(batch_size), n)
    if batch_size < 1:
        raise ValueError(f"fit: batch_size must be positive, got {batch_size}")
    key = jax.random.PRNGKey(0) if key is None else key
    mesh = _mesh(devices)
    if mesh is not None and batch_size % mesh.size:
        raise ValueError(f"fit: batch_size {batch_size} must be divisible by the {mesh.size} devices")
    cache_key = ("epoch", n, batch_size, shuffle, None if mesh is None else tuple(d.id for d in mesh.devices.flat))

    def epoch_run(guarded: bool):  # compiled once per learner, data size, batch size, order and devices
        k = cache_key + (("guarded",) if guarded else ())
        if k not in learner._steps:
            learner._steps[k] = epoch_fn(learner, n, batch_size, mesh, shuffle, guarded=guarded)
        return learner._steps[k]
    run = epoch_run(False)
    s, p = list(state.opt_state), learner.model.flat(state.params)
    if mesh is not None:
        from jax.sharding import NamedSharding, PartitionSpec as P
        rep = NamedSharding(mesh, P())
        s, p = jax.device_put(s, rep), jax.device_put(p, rep)
    history = {"loss": [], "accuracy": []}
    if validation is not None:
        history["val_loss"], history["val_accuracy"] = [], []
    epochs_iter = range(epochs)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(epochs_iter, desc="epochs", unit="epoch")
        epochs_iter = bar
    for epoch in epochs_iter:
        key, sub = jax.random.split(key)
        out = run(s, p, xs, ys, sub)
        if int(out[4]) >= 0:  # maybe a NaN or inf: replay the epoch guarded (exact), holding the last good state
            out = epoch_run(True)(s, p, xs, ys, sub)
        s, p, losses, accs, bad = out
        # a stopped epoch's means cover the steps up to the bad one (each at the parameters it saw)
        seen = len(losses) if int(bad) < 0 else int(bad) + 1
        history["loss"].append(float(jnp.mean(losses[:seen])))
        history["accuracy"].append(float(jnp.mean(accs[:seen])))
        if validation is not None:
            ev = learner.evaluate(learner.model.tree(p), *validation)
            history["val_loss"].append(ev["loss"])
            history["val_accuracy"].append(ev["accuracy"])
        if bar is not None:
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", acc=f"{history['accuracy'][-1]:.3f}")
        if int(bad) >= 0:
            good = TrainState(learner.model.tree(p), s)
            msg = (f"training stopped: a NaN or inf appeared at epoch {epoch + 1}, step {int(bad) + 1} "
                   f"(of {n // batch_size}); the state before that step is returned")
            history["stopped"] = {"epoch": epoch + 1, "step": int(bad) + 1, "message": msg}
            if bar is not None:
                bar.close()
            if on_nonfinite == "raise":
                raise NonFiniteError(msg, good, history)
            warnings.warn(msg, RuntimeWarning, stacklevel=2)
            return good, history
    if bar is not None:
        bar.close()
    return TrainState(learner.model.tree(p), s), history
