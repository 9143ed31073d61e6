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

import warnings
from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np

from .learner import Learner, TrainState


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
    xs, ys = learner.check_data(x, y)
    n = xs[0].shape[0]
    batch_size = min(int(batch_size), n)
    if batch_size < 1:
        raise ValueError(f"fit: batch_size must be positive, got {batch_size}")
    key = jax.random.PRNGKey(0) if key is None else key
    mesh = _mesh(devices)
    if mesh is not None and batch_size % mesh.size:
        raise ValueError(f"fit: batch_size {batch_size} must be divisible by the {mesh.size} devices")

    def epoch_run(guarded: bool):  # compiled once per learner, data size, batch size, order and devices
        return learner.epoch(n, batch_size, shuffle=shuffle, mesh=mesh, guarded=guarded)
    run = epoch_run(False)
    state = TrainState(*state)
    learner.state_leaves(state)  # checks the state's names and shapes before compiling
    if mesh is not None:
        from jax.sharding import NamedSharding, PartitionSpec as P
        state = jax.device_put(state, NamedSharding(mesh, P()))
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
        out = run(state, xs, ys, sub)
        if int(out[3]) >= 0:  # maybe a NaN or inf: replay the epoch guarded (exact), holding the last good state
            out = epoch_run(True)(state, xs, ys, sub)
        state, losses, accs, bad = out
        # a stopped epoch's means cover the steps up to the bad one (each at the parameters it saw)
        seen = len(losses) if int(bad) < 0 else int(bad) + 1
        history["loss"].append(float(jnp.mean(losses[:seen])))
        history["accuracy"].append(float(jnp.mean(accs[:seen])))
        if validation is not None:
            ev = learner.evaluate(state.params, *validation)
            history["val_loss"].append(ev["loss"])
            history["val_accuracy"].append(ev["accuracy"])
        if bar is not None:
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", acc=f"{history['accuracy'][-1]:.3f}")
        if int(bad) >= 0:
            good = state
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
    return state, history
