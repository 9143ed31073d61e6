"""The learner's compiled functions: the step diagram run by ``to_jax`` on records, and an epoch (its scan)."""
from __future__ import annotations

import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..record import leaves
from ..semantics.jax import to_jax
from .data import LabelError, check_labels, label_message
from .evaluation import accuracy, finite_arrays


class TrainState(NamedTuple):
    """The learner's state: parameters and optimiser state, records of arrays.

    >>> from catgrad import nn, learn
    >>> st = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.momentum()).init(jax.random.PRNGKey(0))
    >>> jax.tree_util.tree_map(lambda a: a.shape, st)
    TrainState(params={'dense': {'W': (1, 2), 'b': (1,)}}, opt_state=MomentumState(velocity={'dense': {'W': (1, 2), 'b': (1,)}}))
    """

    params: Any
    opt_state: Any


def train_state(state, where: str = "") -> TrainState:
    """``state`` as a :class:`TrainState`, or a ``TypeError``.

    >>> train_state(({}, ()))
    TrainState(params={}, opt_state=())
    """
    if not isinstance(state, tuple) or len(state) != 2:
        raise TypeError(f"{where + ': ' if where else ''}expected a TrainState(params, opt_state), "
                        f"got {type(state).__name__}")
    return state if type(state) is TrainState else TrainState(*state)


class CompiledStep:
    """The training step of a learner for batches of ``batch_size``, compiled once: ``step(state, x, y) -> state``.

    ``y``: targets, or integer labels made one-hot inside the step. Numpy labels are range-checked
    on the host (``LabelError`` at once); device labels on the device, without waiting: a bad one
    gives a NaN row, and ``labels_seen`` (the one documented state: the running ``(min, max)``) is
    read back every ``LABEL_CHECK_EVERY`` calls, raising ``LabelError``. ``diagram``: the simplified
    step diagram; ``trace_count``: JAX's traces; ``apply``: the step unjitted, on checked data.

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.gd())
    >>> step = lrn.compiled_step(4)
    >>> st = step(lrn.init(jax.random.PRNGKey(0)), np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32))
    >>> sorted(st.params["dense"])
    ['W', 'b']
    """

    LABEL_CHECK_EVERY = 8

    def __init__(self, learner, batch_size: int):
        self.learner, self.batch_size = learner, batch_size
        parts = learner.parts(batch_size)
        self.diagram = learner.step_diagram(batch_size).simplify()
        record = learner.state_record
        self._fn = to_jax(self.diagram, dom=(record, *parts.model.dom, *leaves(parts.loss.param)),
                          cod=(record, parts.loss.cod[0], parts.model.cod[0]), name=f"the step of {learner!r}")
        self.trace_count, self.calls, self.labels_seen = 0, 0, None
        self._jitted = jax.jit(self._on_state)

    def __repr__(self):
        return f"<CompiledStep of batch {self.batch_size}: {self.diagram!r}>"

    def apply(self, state: TrainState, xs, ys) -> tuple:
        """``(new state, loss, prediction)`` of the step on checked data (not jitted; traceable)."""
        return self._fn(state, *xs, *self.learner.data.as_targets(list(ys)))

    def _on_state(self, state, xs, ys, seen=None):  # with seen: also the running (min, max) of the labels
        self.trace_count += 1
        new = self.apply(state, xs, ys)[0]
        if seen is None:
            return new
        y = ys[0].astype(jnp.int32)
        return new, jnp.stack([jnp.minimum(seen[0], jnp.min(y)), jnp.maximum(seen[1], jnp.max(y))])

    def check_labels_seen(self) -> None:
        """Read back ``labels_seen`` if the device has computed it (no waiting); raise if out of range."""
        if self.labels_seen is None or not self.labels_seen.is_ready():
            return
        lo, hi = (int(v) for v in np.asarray(self.labels_seen))
        k = self.learner.data.classes
        if lo < 0 or hi >= k:
            self.labels_seen = None
            raise LabelError(f"{label_message(lo, hi, k)} (in one of the last calls of this step, whose state is NaN)")

    def run(self, state, xs: list, y) -> TrainState:
        """The step on inputs already checked (``learner.data.inputs_of``) and targets not yet checked."""
        if xs[0].shape[0] != self.batch_size:
            raise TypeError(f"this step takes batches of {self.batch_size}, got {xs[0].shape[0]} examples")
        return self.dispatch(state, xs, self.learner.data.targets_of(y, self.batch_size, eager=False))

    def dispatch(self, state: TrainState, xs: list, y) -> TrainState:
        """The jitted step on data of checked shapes; label values are checked here: numpy labels on the host
        while the device computes (``LabelError`` at once), device labels on the device (``labels_seen``)."""
        if type(state) is not TrainState:
            state = self.learner.check_state(state, "step")
        if y.ndim != 1 or not self.learner.data.classes:
            return self._guarded(state, xs, [y])
        if type(y) is np.ndarray:
            new = self._guarded(state, xs, [y])
            check_labels(y, self.learner.data.classes)  # after the dispatch: it overlaps the step
            return new
        if self.calls % self.LABEL_CHECK_EVERY == 0:
            self.check_labels_seen()
        self.calls += 1
        if self.labels_seen is None:
            self.labels_seen = jnp.array([np.iinfo(np.int32).max, np.iinfo(np.int32).min], jnp.int32)
        new, self.labels_seen = self._guarded(state, xs, [y], self.labels_seen)
        return new

    def _guarded(self, state, *args):
        """The jitted step; a state of the wrong shape is named by ``check_state`` (checked only on failure)."""
        try:
            return self._jitted(state, *args)
        except TypeError:
            self.learner.check_state(state, "step")
            raise

    def __call__(self, state: TrainState, x, y) -> TrainState:
        return self.run(state, self.learner.data.inputs_of(x), y)


class CompiledEpoch:
    """One epoch, compiled once: ``epoch(state, xs, ys, key) -> (state, losses, accuracies, bad)``, per step.

    A permutation from ``key`` (or none), ``⌊N / batch_size⌋`` minibatches, a ``lax.scan`` of the step.
    ``guarded``: ``bad`` is the first step with a non-finite loss or parameter (``-1`` if none), the state
    held at the last good one; unguarded, ``bad >= 0`` only says one may have appeared (``sum_finite``).
    With ``mesh`` each minibatch is sharded on its first axis.

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.gd())
    >>> type(lrn.epoch(8, 4)).__name__
    'CompiledEpoch'
    """

    def __init__(self, learner, n_examples: int, batch_size: int, shuffle: bool, mesh, guarded: bool):
        self.learner, self.n_examples, self.batch_size = learner, n_examples, batch_size
        self.shuffle, self.mesh, self.guarded = shuffle, mesh, guarded
        self.steps = n_examples // batch_size
        self.step = learner.compiled_step(batch_size)
        self._jitted = jax.jit(self._run)
        self._jitted_batches = jax.jit(self._scan)

    def __call__(self, state: TrainState, xs, ys, key) -> tuple:
        return self._jitted(self.learner.check_state(state, "epoch"), list(xs), list(ys), key)

    def on_batches(self, state: TrainState, bx, by) -> tuple:
        """The epoch on minibatches already made (``(steps, batch_size, ...)``: ``distributed.epochs``)."""
        return self._jitted_batches(self.learner.check_state(state, "epoch"), list(bx), list(by))

    def _run(self, state, xs, ys, key):
        n, nb, b = self.n_examples, self.steps, self.batch_size
        order = jax.random.permutation(key, n) if self.shuffle else jnp.arange(n)
        perm = order[: nb * b].reshape(nb, b)
        return self._scan(state, [x[perm] for x in xs], [y[perm] for y in ys])

    def _scan(self, state, bx, by):
        nb = self.steps
        if self.mesh is not None:
            from jax.sharding import NamedSharding, PartitionSpec
            spec = NamedSharding(self.mesh, PartitionSpec(None, self.mesh.axis_names[0]))  # the batch axis: the first
            bx = [jax.lax.with_sharding_constraint(a, spec) for a in bx]
            by = [jax.lax.with_sharding_constraint(a, spec) for a in by]

        def body(carry, batch):
            st, bad = carry
            i, x, y = batch
            new, loss, pred = self.step.apply(st, x, y)
            if self.guarded:
                ok = jnp.logical_and(bad < 0, jnp.all(finite_arrays([loss, new.params])))
                st = jax.tree_util.tree_map(lambda a, c: jnp.where(ok, a, c), new, st)
            else:
                ok, st = sum_finite([loss, new.params]), new
            bad = jnp.where(jnp.logical_or(bad >= 0, ok), bad, i)
            return (st, bad), (jnp.mean(loss.astype(jnp.float32)), accuracy(pred, self.learner.data.as_targets(list(y))[0]))

        (state, bad), (losses, accs) = jax.lax.scan(body, (state, jnp.int32(-1)), (jnp.arange(nb), bx, by))
        return state, losses, accs, bad


def sum_finite(tree) -> jax.Array:
    """A cheap screen: the sum of all floating entries is finite (so is every entry; ``False``: maybe not).

    >>> bool(sum_finite([jnp.array([1.0, 2.0])]))
    True
    """
    sums = [jnp.sum(a) for a in jax.tree_util.tree_leaves(tree) if jnp.issubdtype(a.dtype, jnp.floating)]
    return jnp.isfinite(functools.reduce(jnp.add, sums)) if sums else jnp.array(True)
