"""The fit loop: whole epochs inside ``jax.lax.scan``, PRNG-keyed shuffling, minibatches, checkpoints.

Each epoch is one compiled ``learner.epoch``: a permutation from the epoch's key (``key, sub =
split(key)`` per epoch), ``⌊N / batch_size⌋`` full minibatches (as ``drop_last``), a scan of the
step. A non-finite loss or parameter stops training at the last good state. Checkpoints resume
bitwise. Several processes (``catgrad.distributed``): the same call in every process, checked by
``distributed.agree``; process 0 alone shows progress, warns and writes checkpoints.
"""
from __future__ import annotations

import os
import warnings
from typing import Optional

import jax
import jax.numpy as jnp

from .. import checkpoint as ckpt
from .. import distributed, errors, sharding
from ..record import paths
from .learner import Learner, TrainState


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or inf; ``.state`` holds the last good state, ``.history`` the history.

    >>> import jax, numpy as np
    >>> NonFiniteError("a NaN appeared at epoch 1, step 1", state=None, history={"loss": []}).history
    {'loss': []}
    """

    def __init__(self, message, state, history):
        super().__init__(message)
        self.state = state
        self.history = history


def _check_arguments(learner, epochs, batch_size, on_nonfinite, validation, checkpoint, every, flags) -> None:
    if not isinstance(learner, Learner):
        raise TypeError(f"fit: expected a Learner (learn.supervised(...)), got {type(learner).__name__}")
    errors.integer("fit", "epochs", epochs, minimum=0)
    if batch_size is not None:
        errors.positive_int("fit", "batch_size", batch_size)
    if on_nonfinite not in ("stop", "raise"):
        raise ValueError(f"fit: on_nonfinite must be 'stop' or 'raise', got {on_nonfinite!r}")
    if validation is not None and (not isinstance(validation, (tuple, list)) or len(validation) != 2):
        raise TypeError(f"fit: validation must be a pair (x_val, y_val), got {type(validation).__name__}")
    for name, v in flags.items():
        if not isinstance(v, bool):
            raise TypeError(errors.expected("fit", name, "True or False", v))
    if checkpoint is None:
        if every is not None or flags["resume"]:
            raise ValueError("fit: every= and resume= need checkpoint=path")
        return
    folder = os.path.dirname(os.path.abspath(errors.path("fit", "checkpoint", checkpoint)))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"fit: checkpoint={os.fspath(checkpoint)!r}: the folder {folder} does not exist")
    if every is not None:
        errors.positive_int("fit", "every", every)


def fit(learner: Learner, state: TrainState, x, y, *, epochs: int = 1, batch_size: Optional[int] = None, key=None,
        progress: bool = True, validation: Optional[tuple] = None, devices=None,
        on_nonfinite: str = "stop", shuffle: bool = True, clamp_batch_size: bool = False,
        checkpoint=None, every: Optional[int] = None, resume: bool = False, mesh=None, param_sharding=None) -> tuple:
    """Train ``learner`` from ``state`` on ``(x, y)`` for ``epochs`` epochs.

    Returns ``(state, history)``: per epoch, ``loss``/``accuracy`` the running means over the minibatches
    (each at the parameters its step saw), ``val_loss``/``val_accuracy`` of the end-of-epoch parameters on
    ``validation=(x_val, y_val)``. ``batch_size``: default ``min(32, N)`` (``clamp_batch_size``: a larger
    one is ``N``); ``key``: default ``PRNGKey(0)``; ``on_nonfinite``: ``"stop"`` (warn) or ``"raise"``;
    ``checkpoint``: saved every ``every`` epochs and at the end, ``resume=True`` continues from it;
    ``devices``: shard each minibatch (a list or a number); ``mesh``, ``param_sharding``: also shard
    each parameter by the rule (``catgrad.sharding``).

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 1, nn.sigmoid), learn.mse, learn.learning_rate(0.5), learn.gd())
    >>> x = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]], np.float32); y = x[:, :1]
    >>> st, hist = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, y, epochs=200, batch_size=4,
    ...                      key=jax.random.PRNGKey(1), progress=False)
    >>> hist["accuracy"][-1]
    1.0
    """
    _check_arguments(learner, epochs, batch_size, on_nonfinite, validation, checkpoint, every,
                     {"progress": progress, "shuffle": shuffle, "clamp_batch_size": clamp_batch_size,
                      "resume": resume})
    many = distributed.is_multiprocess()
    xs, ys = learner.check_data(x, y)
    if not many:
        xs, ys = jax.device_put((xs, ys))  # on the device once, not at every epoch
    n = xs[0].shape[0]
    if batch_size is None:
        batch_size = min(32, n)
    if batch_size > n:
        if not clamp_batch_size:
            raise ValueError(f"fit: batch_size {batch_size} is larger than the {n} examples; pass a batch_size ≤ {n} "
                             "(or clamp_batch_size=True for one batch of all the examples per epoch)")
        batch_size = n
    batch_size, epochs = int(batch_size), int(epochs)
    key = jax.random.PRNGKey(0) if key is None else key
    errors.prng_key("fit", key)
    if param_sharding is not None and mesh is None:
        raise ValueError("fit: param_sharding= needs mesh=Mesh(devices, ('data', 'model'))")
    mesh = distributed.fit_mesh(devices, mesh)
    state = learner.check_state(state, "fit")  # its names and shapes, before compiling
    history = {k: [] for k in ("loss", "accuracy") + (("val_loss", "val_accuracy") if validation is not None else ())}
    first = 0
    where = {"n_examples": n, "batch_size": batch_size, "shuffle": shuffle}
    if resume and os.path.exists(checkpoint):
        state, first, key, history = _resume(checkpoint, learner, where, history)
    distributed.agree("fit", {
        "the model (parameter names and types)": [(k, str(t)) for k, t in zip(paths(learner.model.param),
                                                                              learner.model.wires)],
        "the optimiser": (type(state.opt_state).__name__, learner.optimiser.name),
        "the data sizes": [(a.shape, str(a.dtype)) for a in [*xs, *ys]],
        "the batch size, shuffling and epochs": (where, epochs),
        "the epochs already done (checkpoint)": first,
        "the shuffling key": key,
        "the starting parameters and optimiser state": state,
    })
    if mesh is not None and batch_size % mesh.shape[mesh.axis_names[0]]:
        raise ValueError(f"fit: batch_size {batch_size} must be divisible by the {mesh.shape[mesh.axis_names[0]]} "
                         "devices" + (f" of the {jax.process_count()} processes" if many else "")
                         + (f" of the mesh axis {mesh.axis_names[0]!r}" if len(mesh.axis_names) > 1 else ""))
    run = distributed.epochs(lambda guarded: learner.epoch(n, batch_size, shuffle=shuffle, mesh=mesh, guarded=guarded),
                             xs, ys, n, batch_size, shuffle, mesh)
    if mesh is not None:
        state = sharding.place(state, mesh, param_sharding)
    every = epochs if every is None else every
    from tqdm.auto import tqdm
    bar = tqdm(range(first, epochs), desc="epochs", unit="epoch", initial=first, total=epochs,
               disable=not (progress and distributed.is_main()))
    for epoch in bar:
        key, sub = jax.random.split(key)
        epoch_run = run(sub)
        out = epoch_run(state, False)
        if int(out[3]) >= 0:  # maybe a NaN or inf: replay the epoch guarded (exact), holding the last good state
            out = epoch_run(state, True)
        state, losses, accs, bad = out
        # a stopped epoch's means cover the steps up to the bad one (each at the parameters it saw)
        seen = len(losses) if int(bad) < 0 else int(bad) + 1
        history["loss"].append(float(jnp.mean(losses[:seen])))
        history["accuracy"].append(float(jnp.mean(accs[:seen])))
        if validation is not None:
            ev = learner.evaluate(distributed.whole(state.params, mesh, param_sharding is not None), *validation)
            history["val_loss"].append(ev["loss"])
            history["val_accuracy"].append(ev["accuracy"])
        bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", running_acc=f"{history['accuracy'][-1]:.3f}")
        if int(bad) >= 0:
            msg = (f"training stopped: a NaN or inf appeared at epoch {epoch + 1}, step {int(bad) + 1} "
                   f"(of {n // batch_size}); the state before that step is returned")
            history["stopped"] = {"epoch": epoch + 1, "step": int(bad) + 1, "message": msg}
            bar.close()
            state = distributed.local(state) if many else state
            if on_nonfinite == "raise":
                raise NonFiniteError(msg, state, history)
            if distributed.is_main():
                warnings.warn(msg, RuntimeWarning, stacklevel=2)
            return state, history
        if checkpoint is not None and ((epoch + 1) % every == 0 or epoch + 1 == epochs):
            ckpt.save(checkpoint, distributed.whole(state, mesh, param_sharding is not None),
                      progress={"epoch": epoch + 1, "key": key, "history": history, "run": where})
    bar.close()
    return (distributed.local(state) if many and param_sharding is None else state), history


def _resume(path, learner: Learner, where: dict, history: dict) -> tuple:
    """``(state, epochs done, key, history)`` from a checkpoint written by ``fit`` with the same data and batches."""
    manifest = ckpt.read_manifest(path)
    progress = manifest.get("fit")
    if progress is None:
        raise ckpt.CheckpointError(f"fit: resume=True, but {path} was not written by fit (no training progress in it)")
    saved = progress.get("run", {})
    if saved != where:
        diff = ", ".join(f"{k} {saved.get(k)!r} (now {v!r})" for k, v in where.items() if saved.get(k) != v)
        raise ckpt.CheckpointError(f"fit: resume=True, but {path} was written by a run with {diff}; resuming would not "
                                   "continue that run")
    saved_history = progress["history"]
    if set(saved_history) - {"stopped"} != set(history):
        raise ckpt.CheckpointError(f"fit: resume=True, but {path} was written by a run "
                                   f"{'with' if 'val_loss' in saved_history else 'without'} validation data")
    return ckpt.load(path, learner), int(progress["epoch"]), progress["key"], saved_history
