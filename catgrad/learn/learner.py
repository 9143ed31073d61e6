"""Learners: the lens composite ``U ; R(model) ; R(loss) ; α`` compiled to one JAX step [CFGBL §3–4].

For a model ``(P, f: P × X → Ŷ)``, a loss ``(Y, ℓ: Y × Ŷ → L)`` (its parameter is the
target), a learning rate ``α: (L, L') → (1, 1)`` and an optimiser
``U: (S × P, S × P) → (P, P')``, the supervised learner is the Para(Lens) morphism

    ``reparam(R(model) ; R(loss) ; α,  1_Y ⊗ U)``: parameters ``Y × S × P``, from ``X`` to ``(1, 1)``.

Its backward map, read as one morphism ``(y, s, p, x) ↦ (y', s', p', x')``, contains the
training step ``(s, p, x, y) ↦ (s', p')``; its forward maps give the loss and the prediction.
The whole step is one diagram, compiled once per batch size into a :class:`CompiledStep`
(``learner.compiled_step(n)``); ``learner.epoch(...)`` compiles a whole epoch (a ``lax.scan``
of the step), which ``fit`` runs.

Batches [MATH §6]: the model and loss are written per example; for a batch of ``n`` the
learner uses ``batch(model ; loss)`` with the parameters shared (a copy whose reverse
derivative is the sum over the batch), then the reduction of the ``n`` losses (mean by
default; over Z2 there is no reduction and the update is the XOR of the per-example updates).

The state is a :class:`TrainState` of two pytrees: the parameters (nested dicts named by
layer) and the optimiser state (the optimiser's state NamedTuple, e.g. ``AdamState(count,
mu, nu)``, each field a nested dict with the parameters' names, as in optax). The learner is
immutable; its compiled functions are cached behind ``compiled_step``, ``epoch``,
``predict`` and ``evaluate``.
"""
from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from .. import errors
from ..batch import batch as batch_diagram
from ..core import generators as g
from ..core.diagram import Diagram, trace
from ..core.objects import Array, Ty
from ..lens import Lens, _apply
from ..para import Para, reparam
from ..semantics.jax import check_binary, interpret
from .optimisers import Optimiser
from .rates import learning_rate

#: ``evaluate`` and ``predict`` run the model on chunks of at most this many examples; smaller
#: data is padded to the next power of two (at least ``MIN_CHUNK``), so at most
#: ``log2(EVAL_CHUNK / MIN_CHUNK) + 1`` shapes are ever compiled per learner.
EVAL_CHUNK = 1024
MIN_CHUNK = 64


class TrainState(NamedTuple):
    """The learner's state: parameters and optimiser state, both pytrees (nested dicts by name).

    >>> import jax
    >>> from catgrad import nn, learn
    >>> st = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.momentum()).init(jax.random.PRNGKey(0))
    >>> jax.tree_util.tree_map(lambda a: a.shape, st)
    TrainState(params={'dense': {'W': (1, 2), 'b': (1,)}}, opt_state=MomentumState(velocity={'dense': {'W': (1, 2), 'b': (1,)}}))
    """

    params: Any
    opt_state: Any


def _reduction(L: Ty, n: int, reduction: Optional[str]) -> Optional[Diagram]:
    """``Lⁿ → L``: the mean (default) or sum of per-example losses, or None (no reduction)."""
    if reduction is None:
        return None
    if len(L) != 1:
        raise TypeError(f"reduction {reduction!r} needs a single loss wire, got {L}")
    Ln = Array((n, *L[0].shape), L[0].dtype)
    if reduction == "sum":
        return g.sum(Ln, axes=(0,))
    if reduction == "mean":
        return trace(lambda l: g.scale(g.sum(l, axes=(0,)), 1.0 / n), Ln)
    raise ValueError(f"reduction must be 'mean', 'sum' or None, got {reduction!r}")


class LabelError(ValueError):
    """Integer labels outside ``0..k-1`` for a model with ``k`` outputs.

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 3), learn.softmax_cross_entropy, 0.1, learn.gd())
    >>> lrn.step(lrn.init(jax.random.PRNGKey(0)), np.ones((2, 2), np.float32), np.array([0, 3]))
    Traceback (most recent call last):
        ...
    catgrad.learn.learner.LabelError: ...
    """


def _label_message(lo: int, hi: int, k: int) -> str:
    return f"labels must lie in 0..{k - 1} for a model with {k} outputs; got labels in {lo}..{hi}"


@dataclass(frozen=True, eq=False)
class Learner:
    """A supervised learner ``U ; R(model) ; R(loss) ; α`` (see the module docstring).

    Build with ``supervised``; use ``init``, ``step``, ``predict``, ``evaluate`` and ``fit``.
    Immutable: the compiled functions live in a private cache behind ``compiled_step(n)``,
    ``epoch(...)``, ``predict`` and ``evaluate``.

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 2), learn.softmax_cross_entropy, 0.5, learn.gd())
    >>> st = lrn.init(jax.random.PRNGKey(0))
    >>> x, labels = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), np.array([0, 1])
    >>> for _ in range(20):
    ...     st = lrn.step(st, x, labels)
    >>> lrn.evaluate(st.params, x, labels)["accuracy"]
    1.0
    """

    model: Para
    loss: Para
    lr: Any
    optimiser: Any
    reduction: Optional[str] = "mean"
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _cached(self, key, make):
        try:
            return self._cache[key]
        except KeyError:
            return self._cache.setdefault(key, make())

    # -- the lens composite -----------------------------------------------------
    def lens(self, n: int = 1) -> Para:
        """The learner for a batch of ``n`` as one Para(Lens) morphism ``X → (1, 1)`` with parameters ``Y × S × P``."""
        return self._composite(n)[0]

    def _composite(self, n: int):
        model_n = self.model.batched(n)
        loss_n = Para(Ty(*(Array((n, *t.shape), t.dtype) for t in self.loss.param)),
                      batch_diagram(self.loss.map, n), self.loss.names)
        objective = model_n >> loss_n  # Para(C): (Yⁿ × P, Xⁿ → Lⁿ)
        red = _reduction(self.loss.cod, n, self.reduction)
        if red is not None:
            objective = objective >> red
        learner = objective.lens() >> Para.of(self.lr.lens(objective.cod))
        P, Yn = self.model.param, loss_n.param
        U = self.optimiser.parameter_lens(P, self.model.names)
        learner = reparam(learner, Lens.identity(Yn) @ U)
        return learner, objective, U, model_n

    def step_diagram(self, n: int) -> Diagram:
        """The training step of a batch of ``n`` as one diagram ``S × P × Xⁿ × Yⁿ → S × P × L × Ŷⁿ``."""
        learner, objective, U, model_n = self._composite(n)
        S = U.fwd.dom[: len(U.fwd.dom) - len(self.model.param)]
        Yn = objective.param[: len(self.loss.param)]
        Xn = model_n.dom
        nS, nP, nX = len(S), len(self.model.param), len(Xn)
        bwd, obj_fwd, get, model_fwd = learner.map.bwd, objective.map, U.fwd, model_n.map

        def step(*ws):
            s, p, x, y = ws[:nS], ws[nS:nS + nP], ws[nS + nP:nS + nP + nX], ws[nS + nP + nX:]
            a = ws[0]
            new = _apply(bwd, [*y, *s, *p, *x], a)
            p_tilde = _apply(get, [*s, *p], a)
            loss = _apply(obj_fwd, [*y, *p_tilde, *x], a)
            pred = _apply(model_fwd, [*p_tilde, *x], a)
            new_sp = new[len(y):len(y) + nS + nP]
            return (*new_sp, *loss, *pred)

        return trace(step, S @ self.model.param @ Xn @ Yn)

    # -- state --------------------------------------------------------------------
    def init(self, key) -> TrainState:
        """Initial parameters (from the model's initialisers and the PRNG ``key``) and optimiser state."""
        _check_key("init", key)
        params = self.model.init(key)
        return TrainState(params, self.init_opt_state(params))

    def init_opt_state(self, params) -> Any:
        """The optimiser's initial state for ``params``: a pytree (e.g. ``AdamState(count, mu, nu)``)."""
        return self.optimiser.init_tree(self.model.flat(params), self.model.names)

    def state_leaves(self, state: TrainState) -> tuple:
        """``(s, p)``: the optimiser state and the parameters as the step diagram's wires (lists of arrays)."""
        params, opt_state = _as_state(state)
        return self.optimiser.state_leaves(opt_state, self.model.names, self.model.param), self.model.flat(params)

    def state_tree(self, s, p) -> TrainState:
        """The inverse of ``state_leaves``."""
        return TrainState(self.model.tree(list(p)), self.optimiser.state_tree(list(s), self.model.names))

    # -- compiled functions -----------------------------------------------------
    def compiled_step(self, batch_size: int) -> "CompiledStep":
        """The training step for batches of ``batch_size``, compiled once (see :class:`CompiledStep`)."""
        n = errors.positive_int("compiled_step", "batch_size", batch_size)
        return self._cached(("step", n), lambda: CompiledStep(self, n))

    def step(self, state: TrainState, x, y) -> TrainState:
        """One training step on a batch ``(x, y)`` (leading batch axis): ``compiled_step(n)(state, x, y)``.

        ``y`` may be integer class labels when the loss takes one-hot targets: they are checked and
        made one-hot inside the compiled step (see :class:`CompiledStep`).
        """
        xs = self._check_inputs(x)
        step = self._cache.get(("step", xs[0].shape[0])) or self.compiled_step(xs[0].shape[0])
        return step._run(state, xs, y)

    def epoch(self, n_examples: int, batch_size: int, *, shuffle: bool = True, mesh=None,
              guarded: bool = False) -> "CompiledEpoch":
        """One epoch over ``n_examples`` in minibatches of ``batch_size``, compiled once (see :class:`CompiledEpoch`)."""
        n = errors.positive_int("epoch", "n_examples", n_examples)
        b = errors.positive_int("epoch", "batch_size", batch_size)
        if b > n:
            raise ValueError(f"epoch: batch_size {b} is larger than the {n} examples")
        key = ("epoch", n, b, bool(shuffle), mesh, bool(guarded))
        return self._cached(key, lambda: CompiledEpoch(self, n, b, bool(shuffle), mesh, bool(guarded)))

    def _chunked(self, kind: str, size: int):
        """The jitted model (``kind="predict"``) or per-example loss and hits (``"eval"``) on a chunk of ``size``."""
        def make():
            model_n = self.model.batched(size)
            if kind == "predict":
                d = model_n.map.simplify()
                return jax.jit(lambda p, xs: interpret(d, [*p, *xs]))
            loss_n = batch_diagram(self.loss.map, size)
            nY = len(self.loss.param)
            d = trace(lambda *ws: (*_apply(loss_n, [*ws[:nY], *_apply(model_n.map, list(ws[nY:]), ws[0])], ws[0]),
                                   *_apply(model_n.map, list(ws[nY:]), ws[0])),
                      loss_n.dom[:nY] @ model_n.map.dom).simplify()
            targets = self.loss.param

            def run(p, xs, ys, valid):
                ys = _as_targets(ys, targets)
                losses, pred = interpret(d, [*ys, *p, *xs])
                mask = jnp.arange(size) < valid
                per_example = losses.astype(jnp.float32).reshape(size, -1)
                loss_sum = jnp.sum(jnp.where(mask[:, None], per_example, 0.0))
                hits = jnp.sum(jnp.where(mask, correct(pred, ys[0]), False))
                finite = jnp.stack([jnp.all(jnp.isfinite(a)) for a in p if jnp.issubdtype(a.dtype, jnp.floating)]
                                   or [jnp.array(True)])
                return loss_sum, hits, finite
            return jax.jit(run)
        return self._cached((kind, size), make)

    def predict(self, params, x) -> jax.Array:
        """The model's forward map on a batch ``x``.

        Run in chunks of at most ``EVAL_CHUNK`` examples (the last padded), so a bounded number of
        shapes is compiled whatever the data sizes.
        """
        xs = self._check_inputs(x)
        p = self.model.flat(params)
        n = xs[0].shape[0]
        outs = [self._chunked("predict", size)(p, chunk) for chunk, size, valid in _chunks(xs, n)]
        # joined and cut on the host: a device slice would compile once per data size
        out = [jax.device_put(np.concatenate([np.asarray(o[i]) for o in outs])[:n]) for i in range(len(outs[0]))]
        return out[0] if len(out) == 1 else tuple(out)

    def evaluate(self, params, x, y) -> dict:
        """Mean loss and accuracy of ``params`` on ``(x, y)``.

        The loss is the mean over examples (and over a Z2 loss's bits) of the per-example loss;
        the accuracy as in :func:`accuracy`. Run in chunks (see ``predict``). Parameters holding a
        NaN or inf give a ``RuntimeWarning`` naming them (the numbers returned are then those of
        the non-finite parameters).
        """
        xs, ys = self.check_data(x, y)
        p = self.model.flat(params)
        n = xs[0].shape[0]
        loss_sum, hits, finite = 0.0, 0, None
        for chunk, size, valid in _chunks(xs + ys, n):
            l_, h_, finite = self._chunked("eval", size)(p, chunk[:len(xs)], chunk[len(xs):], valid)
            loss_sum, hits = loss_sum + l_, hits + h_
        float_names = ["/".join(path) for path, t in zip(self.model.names, self.model.param) if t.is_float]
        bad = [name for name, ok in zip(float_names, np.asarray(finite)) if not ok]
        if bad:
            warnings.warn(f"evaluate: the parameters are not finite (NaN or inf in {', '.join(bad)}); the loss and "
                          "accuracy reported are those of these parameters", RuntimeWarning, stacklevel=2)
        width = max(1, math.prod(self.loss.cod[0].shape))  # a Z2 loss has one entry per output bit
        return {"loss": float(loss_sum) / (n * width), "accuracy": float(hits) / n}

    def draw(self, path=None, **options):
        """The picture ``U ; R(model) ; R(loss) ; α`` as data (see ``catgrad.draw``), saved to ``path`` if given."""
        from ..drawing import draw
        return draw(self, path, **options)

    def _repr_svg_(self):
        from ..drawing.draw import repr_svg
        return repr_svg(self)

    # -- input checks -------------------------------------------------------------
    def check_data(self, x, y) -> tuple:
        """``(xs, ys)``: the data as the compiled functions take it, checked against the model and loss.

        ``xs`` is a list with one array per model input, ``ys`` one per target wire. Integer class
        labels (a 1-D integer array, for a loss taking one-hot targets of length ``k``) stay labels
        (they are made one-hot inside the compiled functions) after checking that they lie in
        ``0..k-1``. Raises ``TypeError`` for shapes that do not fit, ``ValueError`` for labels out
        of range or non-binary data for a Z2 model.
        """
        xs = self._check_inputs(x)
        return xs, [self._check_targets(y, xs[0].shape[0], eager=True)]

    def _check_inputs(self, x) -> list:
        dom = self._input_types
        if len(dom) == 1 and _ready(x, *dom[0]):  # the fast path: one ready batch
            return [x]
        xs = list(x) if isinstance(x, (tuple, list)) else [x]
        if len(xs) != len(dom):
            raise TypeError(f"the model takes {len(self.model.dom)} input(s) ({self.model.dom}), got {len(xs)}")
        out = []
        for i, (a, (t, dt)) in enumerate(zip(xs, dom)):
            if _ready(a, t, dt):  # already a batch of the right dtype: nothing to convert (the fast path)
                out.append(a)
                continue
            a = _as_array(a, f"input {i}")
            if a.ndim != t.ndim + 1 or tuple(a.shape[1:]) != t.shape:
                raise TypeError(f"input {i}: the model expects examples of shape {t.shape} ({t}), so a batch of "
                                f"shape (n, {', '.join(map(str, t.shape))}); got data of shape {tuple(a.shape)}")
            if a.shape[0] == 0:
                raise ValueError(f"input {i}: the data is empty (0 examples of shape {t.shape})")
            if t.dtype == "bool":
                a = check_binary(a, f"input {i}")
            elif a.dtype.kind not in "biuf":
                raise TypeError(f"input {i}: expected numbers for {t}, got data of dtype {a.dtype}")
            out.append(_as_dtype(a, dt))
        if len(out) > 1 and len({a.shape[0] for a in out}) > 1:
            raise TypeError(f"the model's inputs have different numbers of examples: {[a.shape[0] for a in out]}")
        return out

    @functools.cached_property
    def _input_types(self) -> tuple:
        """``(type, numpy dtype)`` of each model input wire (computed once)."""
        return tuple((t, np.dtype(t.dtype)) for t in self.model.dom)

    @functools.cached_property
    def _classes(self) -> Optional[int]:
        """``k`` when the loss takes one float target vector of length ``k > 1`` (so integer labels make sense)."""
        if len(self.loss.param) != 1:
            return None
        t = self.loss.param[0]
        return t.shape[0] if t.ndim == 1 and t.dtype != "bool" and t.shape[0] > 1 else None

    @functools.cached_property
    def _target(self) -> tuple:
        """``(type, numpy dtype)`` of the target wire (the first, if the loss has several)."""
        t = self.loss.param[0]
        return t, np.dtype(t.dtype)

    def _check_targets(self, y, n: int, eager: bool):
        """One target array, checked. Integer labels are returned as labels (1-D int); ``eager=False``
        leaves the range check of labels already on the device to the compiled step."""
        t, dt = self._target
        k = self._classes
        if isinstance(y, (np.ndarray, jax.Array)):  # the fast paths: nothing to convert
            shape = y.shape
            if shape[1:] == t.shape and y.dtype == dt and shape and not getattr(y, "weak_type", False) and \
                    len(self.loss.param) == 1:
                if shape[0] != n:
                    raise TypeError(f"{n} inputs but {shape[0]} targets")
                return y
            if k is not None and len(shape) == 1 and y.dtype.kind in "iu":
                if shape[0] != n:
                    raise TypeError(f"{n} inputs but {shape[0]} targets")
                if isinstance(y, np.ndarray):
                    _check_labels_host(y, k)  # a few µs, no device round trip: a bad label raises at once
                elif eager:
                    lo, hi = (int(v) for v in jax.device_get(_label_range(y)))
                    if lo < 0 or hi >= k:
                        raise LabelError(_label_message(lo, hi, k))
                return y
        y = _as_array(y, "targets")
        if k is not None and y.ndim == 1 and y.dtype.kind in "iub":
            if y.dtype.kind == "b":
                raise TypeError(f"targets: got a bool array of shape {y.shape}; integer class labels (0..{k - 1}) "
                                f"or one-hot targets of shape (n, {k}) were expected")
            return self._check_targets(np.asarray(y), n, eager)
        if k is not None and y.ndim == 1 and y.dtype.kind == "f":
            raise TypeError(f"targets: got a float array of shape {y.shape}; class labels must be integers (0..{k - 1}),"
                            f" e.g. y.astype(int), or give one-hot targets of shape (n, {k})")
        if len(self.loss.param) != 1:
            raise TypeError(f"the loss takes {len(self.loss.param)} target wires ({self.loss.param}); give them as one "
                            f"array is not supported")
        if y.ndim != t.ndim + 1 or tuple(y.shape[1:]) != t.shape:
            raise TypeError(f"the loss expects targets of shape {t.shape} ({t}) per example; got targets of shape "
                            f"{tuple(y.shape)}")
        if y.shape[0] != n:
            raise TypeError(f"{n} inputs but {y.shape[0]} targets")
        if t.dtype == "bool":
            return check_binary(y, "targets")
        if y.dtype.kind not in "biuf":
            raise TypeError(f"targets: expected numbers for {t}, got data of dtype {y.dtype}")
        return _as_dtype(y, np.dtype(t.dtype))


class CompiledStep:
    """The training step of a learner for batches of ``batch_size``, compiled once.

    ``step(state, x, y) -> TrainState``: ``state`` a :class:`TrainState` of pytrees, ``x`` a
    batch (or a list of batches, one per model input), ``y`` the targets, or integer class labels
    when the loss takes one-hot targets (numpy or JAX integer arrays), made one-hot inside the
    compiled step. Labels in a numpy array are range-checked on the host (one reduction, a few µs):
    a bad one raises ``LabelError`` at once. Labels already on the device are checked on the
    device, without waiting for it: an out-of-range label gives a NaN target row (so the state
    returned is NaN, never a silently wrong number), and the step keeps the running (min, max) of
    the labels on the device and reads it back every 8 calls (when the device has computed it),
    raising ``LabelError`` naming the range. (``fit``, ``evaluate`` and ``check_data`` check
    device labels at once.)

    Attributes:
        learner, batch_size: what it was built from.
        diagram: the simplified step diagram ``S × P × Xⁿ × Yⁿ → S × P × L × Ŷⁿ``.
        trace_count: how many times JAX has traced the jitted step (once per kind of target:
            labels or one-hot arrays).

    ``apply(state, xs, ys) -> (state, loss, prediction)`` is the same step, not jitted, on checked
    data (``learner.check_data``), to be traced inside ``jax.jit`` or ``lax.scan``.

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.gd())
    >>> step = lrn.compiled_step(4)
    >>> st = step(lrn.init(jax.random.PRNGKey(0)), np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32))
    >>> sorted(st.params["dense"])
    ['W', 'b']
    """

    def __init__(self, learner: Learner, batch_size: int):
        self.learner = learner
        self.batch_size = batch_size
        self.diagram = learner.step_diagram(batch_size).simplify()
        self._n_state = len(self.diagram.dom) - len(learner.model.param) - len(learner.model.dom) - len(
            learner.loss.param)
        self._traces = 0
        self._seen = None  # (min, max) of the device labels of the calls since the last read-back, on the device
        self._calls = 0
        self._jitted = jax.jit(self._on_pytrees)
        self._jitted_labels = jax.jit(self._on_pytrees_labels)

    @property
    def trace_count(self) -> int:
        """How many times the jitted step has been traced."""
        return self._traces

    def __repr__(self):
        return f"<CompiledStep of batch {self.batch_size}: {self.diagram!r}>"

    def apply(self, state: TrainState, xs, ys) -> tuple:
        """``(new state, loss, prediction)`` of the step on checked data (not jitted; traceable)."""
        lrn = self.learner
        s, p = lrn.state_leaves(state)
        ys = _as_targets(list(ys), lrn.loss.param)
        out = interpret(self.diagram, [*s, *p, *xs, *ys])
        nS, nP = self._n_state, len(p)
        return lrn.state_tree(out[:nS], out[nS:nS + nP]), out[nS + nP], out[nS + nP + 1:]

    def _on_pytrees(self, state, xs, ys):
        self._traces += 1
        return self.apply(state, xs, ys)[0]

    def _on_pytrees_labels(self, state, xs, ys, seen):  # labels: also the running (min, max) of them
        y = ys[0].astype(jnp.int32)
        return self._on_pytrees(state, xs, ys), jnp.stack([jnp.minimum(seen[0], jnp.min(y)),
                                                           jnp.maximum(seen[1], jnp.max(y))])

    def _check_seen(self):
        """Read back the running label range if the device has computed it (no waiting); raise if out of range."""
        if not self._seen.is_ready():
            return
        lo, hi = (int(v) for v in np.asarray(self._seen))
        k = self.learner._classes
        if lo < 0 or hi >= k:
            self._seen = None
            raise LabelError(f"{_label_message(lo, hi, k)} (in one of the last calls of this step, whose state is "
                             "NaN)")

    def _run(self, state, xs: list, y) -> TrainState:
        if self._seen is not None and self._calls % 8 == 0:  # read back every 8th call
            self._check_seen()
        if xs[0].shape[0] != self.batch_size:
            raise TypeError(f"this step takes batches of {self.batch_size}, got {xs[0].shape[0]} examples")
        y = self.learner._check_targets(y, self.batch_size, eager=False)
        state = state if type(state) is TrainState else _as_state(state)
        if self.learner._classes is not None and y.ndim == 1 and isinstance(y, jax.Array) \
                and y.dtype.kind in "iu":  # labels on the device (not real targets): checked on the device
            if self._seen is None:
                self._seen = jnp.array([np.iinfo(np.int32).max, np.iinfo(np.int32).min], jnp.int32)
            new, self._seen = self._jitted_labels(state, xs, [y], self._seen)
            self._calls += 1
            return new
        return self._jitted(state, xs, [y])

    def __call__(self, state: TrainState, x, y) -> TrainState:
        return self._run(state, self.learner._check_inputs(x), y)


class CompiledEpoch:
    """One epoch of a learner, compiled once: ``epoch(state, xs, ys, key) -> (state, losses, accuracies, bad)``.

    ``xs, ys`` are the whole data (``learner.check_data``); a permutation of the examples from
    ``key`` (or the data order, ``shuffle=False``), ``⌊N / batch_size⌋`` full minibatches, and a
    ``lax.scan`` of the compiled step over them. ``losses`` and ``accuracies`` are per step (the
    mean loss and the accuracy of the minibatch at the parameters the step saw).

    ``guarded``: ``bad`` is the index of the first step whose loss or parameters are not finite
    (``-1`` if none), and from that step on the state is held at the last good one (a select of
    every array per step). Unguarded (cheaper): the steps are applied regardless and ``bad >= 0``
    only says that a NaN or inf may have appeared (the screen ``_sum_finite`` never misses one; an
    overflowing sum is a false alarm); ``fit`` then replays the epoch guarded, which decides exactly.
    With ``mesh`` (a ``jax.sharding.Mesh`` with a ``"batch"`` axis) each minibatch is sharded.

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.gd())
    >>> type(lrn.epoch(8, 4)).__name__
    'CompiledEpoch'
    """

    def __init__(self, learner: Learner, n_examples: int, batch_size: int, shuffle: bool, mesh, guarded: bool):
        self.learner, self.n_examples, self.batch_size = learner, n_examples, batch_size
        self.shuffle, self.mesh, self.guarded = shuffle, mesh, guarded
        self.steps = n_examples // batch_size
        self.step = learner.compiled_step(batch_size)
        self._jitted = jax.jit(self._run)
        self._jitted_batches = jax.jit(self._scan)

    def __call__(self, state: TrainState, xs, ys, key) -> tuple:
        return self._jitted(_as_state(state), list(xs), list(ys), key)

    def on_batches(self, state: TrainState, bx, by) -> tuple:
        """The epoch on minibatches already made: ``bx``, ``by`` lists of arrays of shape ``(steps, batch_size, ...)``.

        Used by multi-process ``fit``, whose minibatches are global arrays assembled from each
        process's share (``catgrad.distributed``).
        """
        return self._jitted_batches(_as_state(state), list(bx), list(by))

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
        targets = self.learner.loss.param

        def body(carry, batch):
            st, bad = carry
            i, x, y = batch
            new, loss, pred = self.step.apply(st, x, y)
            if self.guarded:
                ok = jnp.logical_and(bad < 0, jnp.logical_and(_finite(loss), _finite(new.params)))
                st = jax.tree_util.tree_map(lambda a, c: jnp.where(ok, a, c), new, st)
            else:
                ok, st = _sum_finite([loss, new.params]), new
            bad = jnp.where(jnp.logical_or(bad >= 0, ok), bad, i)
            y1 = _as_targets(list(y), targets)[0]
            return (st, bad), (jnp.mean(loss.astype(jnp.float32)), accuracy(pred[0], y1))

        (state, bad), (losses, accs) = jax.lax.scan(body, (state, jnp.int32(-1)), (jnp.arange(nb), bx, by))
        return state, losses, accs, bad


def _as_state(state, where: str = "") -> TrainState:
    """``state`` as a :class:`TrainState`, or a ``TypeError`` (its message prefixed by ``where: ``)."""
    if not isinstance(state, tuple) or len(state) != 2:
        raise TypeError(f"{where + ': ' if where else ''}expected a TrainState(params, opt_state), "
                        f"got {type(state).__name__}")
    return TrainState(*state)


def _finite(tree) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(a)) for a in jax.tree_util.tree_leaves(tree) if jnp.issubdtype(a.dtype, jnp.floating)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)


def _sum_finite(tree) -> jax.Array:
    """A cheap screen: ``True`` when the sum of all floating entries of ``tree`` is finite, which
    implies every entry is (a NaN or inf in any entry makes the sum NaN or inf, in any order of
    summation). ``False`` means some entry is not finite, or the sum overflowed (a false alarm)."""
    sums = [jnp.sum(a) for a in jax.tree_util.tree_leaves(tree) if jnp.issubdtype(a.dtype, jnp.floating)]
    return jnp.isfinite(functools.reduce(jnp.add, sums)) if sums else jnp.array(True)


def _chunks(arrays: list, n: int):
    """``(chunk arrays, chunk size, valid rows)`` covering ``n`` examples: chunks of ``EVAL_CHUNK``, the
    last (or only) one padded with zero rows up to a power of two ≥ ``MIN_CHUNK``."""
    for start in range(0, n, EVAL_CHUNK):
        valid = min(EVAL_CHUNK, n - start)
        size = EVAL_CHUNK if valid == EVAL_CHUNK else max(MIN_CHUNK, 1 << (valid - 1).bit_length())
        part = [a[start:start + valid] for a in arrays]
        if size > valid:
            part = [_pad(a, size - valid) for a in part]
        yield part, size, valid


def _pad(a, rows: int):
    """``a`` with ``rows`` zero rows appended (numpy stays numpy: no dtype conversion on the host)."""
    xp = np if isinstance(a, np.ndarray) else jnp
    return xp.concatenate([a, xp.zeros((rows, *a.shape[1:]), a.dtype)])


def _as_targets(ys: list, targets: Ty) -> list:
    """Integer labels → one-hot targets (traced); an out-of-range label gives a NaN row."""
    t = targets[0]
    y = ys[0]
    if len(targets) != 1 or y.ndim != 1 or t.ndim != 1 or not jnp.issubdtype(y.dtype, jnp.integer):
        return ys
    k = t.shape[0]
    y = y.astype(jnp.int32)
    out_of_range = (y < 0) | (y >= k)
    return [jnp.where(out_of_range[:, None], jnp.nan, jax.nn.one_hot(y, k, dtype=t.dtype))]


@jax.jit
def _label_range(y):
    return jnp.min(y), jnp.max(y)


def _check_labels_host(y: np.ndarray, k: int) -> None:
    """Raise ``LabelError`` unless every label lies in ``0..k-1`` (numpy, on the host)."""
    u = y if y.dtype.kind == "u" else y.view(np.dtype(f"u{y.dtype.itemsize}"))  # negatives become huge
    if u.max() >= k:
        raise LabelError(_label_message(int(y.min()), int(y.max()), k))


def _ready(a, t: Array, dt: np.dtype) -> bool:
    """Whether ``a`` is already a batch of examples of type ``t``: a numpy or (strongly typed) JAX array of
    dtype ``dt`` and shape ``(n, *t.shape)``, ``n > 0``, which the input checks would pass through unchanged.
    (Numpy arrays stay on the host: the jitted function transfers them, faster than ``jnp.asarray``.)"""
    return (isinstance(a, (np.ndarray, jax.Array)) and a.dtype == dt and a.ndim == t.ndim + 1 and a.shape[1:] == t.shape
            and a.shape[0] > 0 and not getattr(a, "weak_type", False))


def _as_dtype(a, dt: np.dtype):
    """``a`` with dtype ``dt``, converted where it lives (numpy on the host, JAX on its device)."""
    if a.dtype == dt and not getattr(a, "weak_type", False):
        return a
    return a.astype(dt) if isinstance(a, np.ndarray) else jnp.asarray(a, dt)


def _as_array(a, what: str):
    """``a`` as a numpy or JAX array, or a ``TypeError`` naming ``what``."""
    if isinstance(a, (np.ndarray, jax.Array)):
        return a
    if isinstance(a, (str, bytes, dict)) or a is None:
        raise TypeError(f"{what}: expected an array of numbers, got {type(a).__name__} {a!r:.60}")
    try:
        return np.asarray(a)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{what}: expected an array of numbers, got {type(a).__name__} ({exc})") from None


def _check_key(who: str, key) -> None:
    """A PRNG key (``jax.random.PRNGKey(seed)`` or ``jax.random.key(seed)``), or a ``TypeError`` saying so."""
    ok = isinstance(key, (jax.Array, np.ndarray)) and (
        jnp.issubdtype(key.dtype, jax.dtypes.prng_key) or (key.dtype == np.uint32 and key.shape == (2,)))
    if not ok:
        got = f"{type(key).__name__} {key!r:.40}" if not hasattr(key, "shape") else \
            f"an array of shape {tuple(key.shape)} and dtype {key.dtype}"
        raise TypeError(f"{who}: key must be a JAX PRNG key such as jax.random.PRNGKey(0) or jax.random.key(0), "
                        f"got {got}")


def correct(pred, y) -> jax.Array:
    """Per example, whether the prediction is right: argmax agreement for several classes, threshold
    0.5 for one output, exact agreement of all outputs for boolean predictions.

    >>> import jax.numpy as jnp
    >>> correct(jnp.array([[0.9, 0.1], [0.2, 0.8]]), jnp.array([[1.0, 0.0], [1.0, 0.0]]))
    Array([ True, False], dtype=bool)
    """
    if pred.dtype == jnp.bool_:
        return jnp.all(pred.reshape(pred.shape[0], -1) == y.reshape(y.shape[0], -1), axis=1)
    if pred.ndim == 2 and pred.shape[1] > 1:
        return jnp.argmax(pred, axis=1) == jnp.argmax(y, axis=1)
    return jnp.all((pred.reshape(pred.shape[0], -1) > 0.5) == (y.reshape(y.shape[0], -1) > 0.5), axis=1)


def accuracy(pred, y) -> jax.Array:
    """Fraction of correct predictions (see :func:`correct`).

    >>> import jax.numpy as jnp
    >>> float(accuracy(jnp.array([[0.9, 0.1], [0.2, 0.8]]), jnp.array([[1.0, 0.0], [1.0, 0.0]])))
    0.5
    """
    return jnp.mean(correct(pred, y))


def _as_rate(lr):
    """A learning-rate object (anything with ``.lens(L)``), or a number ``α`` read as ``learning_rate(α)``."""
    if isinstance(lr, (int, float)) and not isinstance(lr, bool):
        return learning_rate(lr)
    if not callable(getattr(lr, "lens", None)):
        raise TypeError(f"supervised: lr must be a learning rate (learn.learning_rate(α), learn.identity_rate) "
                        f"or a number, got {type(lr).__name__} {lr!r}")
    return lr


def _as_optimiser(opt):
    """An ``Optimiser``, a factory of one (``learn.rda``, ``learn.gd``) called with its defaults, or an
    optax ``GradientTransformation`` (wrapped by ``learn.optax_optimiser``)."""
    from .optax_lens import OptaxOptimiser, is_gradient_transformation, optax_optimiser
    if isinstance(opt, OptaxOptimiser):
        return opt
    if is_gradient_transformation(opt):
        return optax_optimiser(opt)
    if not isinstance(opt, Optimiser) and callable(opt):
        try:
            made = opt()
        except TypeError:
            made = None
        if isinstance(made, Optimiser):
            return made
    if not isinstance(opt, Optimiser):
        raise TypeError(f"supervised: optimiser must be an Optimiser (e.g. learn.gd(), learn.adam(), learn.rda()) "
                        f"or an optax GradientTransformation, got {type(opt).__name__} {opt!r:.80}")
    return opt


def supervised(model: Para, loss, lr, optimiser, reduction: Optional[str] = "default") -> Learner:
    """The supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §4.1].

    Args:
        model: a per-example Para morphism ``(P, f: P × X → Ŷ)`` (e.g. ``nn.dense(4, 3, nn.sigmoid)``).
        loss: a loss for the model's output type, either a Para ``(Y, Y × Ŷ → L)`` or a function
            of ``Ŷ`` giving one (``learn.mse``, ``learn.softmax_cross_entropy``, ...).
        lr: a learning rate (``learn.learning_rate(α)``, or the number ``α`` itself;
            ``learn.identity_rate`` over Z2).
        optimiser: ``learn.gd()``, ``learn.momentum(γ)``, ``learn.adam(η)``, ``learn.rda()``, ...
            (a factory such as ``learn.rda`` or ``learn.gd`` is called with its defaults), or any
            optax ``GradientTransformation`` (``optax.adamw(...)``, a chain, ...: see
            ``learn.optax_optimiser``; use ``lr=1.0``, the transformation carries its own rate).
        reduction: of the per-example losses: ``"mean"`` (default for real losses), ``"sum"``, or
            ``None`` (default over Z2: the update is the XOR of per-example updates, as in [RDA]).

    >>> from catgrad import nn, learn
    >>> lrn = supervised(nn.dense(4, 3, nn.sigmoid), learn.mse, learn.learning_rate(0.1), learn.gd())
    >>> lrn.lens(8).dom
    (Ty(f32[8,4]), Ty(f32[8,4]))
    """
    if not isinstance(model, Para):
        raise TypeError(f"supervised: the model must be a Para morphism, got {type(model).__name__}")
    if len(model.cod) != 1:
        raise TypeError(f"supervised: the model must have one output wire, got {model.cod}")
    if isinstance(loss, str):
        raise TypeError(f"supervised: the loss must be a loss such as learn.mse or learn.softmax_cross_entropy, "
                        f"not the string {loss!r}" + (f" (use learn.{loss})" if loss in _LOSS_NAMES else ""))
    if not isinstance(loss, Para) and not callable(loss):
        raise TypeError(f"supervised: the loss must be a Para or a function of the prediction type giving one "
                        f"(learn.mse, ...), got {type(loss).__name__} {loss!r:.60}")
    loss_p = loss if isinstance(loss, Para) else loss(model.cod[0])
    if not isinstance(loss_p, Para):
        raise TypeError(f"supervised: the loss function must give a Para morphism, got {type(loss_p).__name__}")
    if loss_p.dom != model.cod:
        raise TypeError(f"supervised: the model's output type {model.cod} does not match the loss, which takes "
                        f"predictions of type {loss_p.dom}")
    lr, optimiser = _as_rate(lr), _as_optimiser(optimiser)
    optimiser.state_type(model.param, model.names)  # the optimiser's state for these parameters: checked now
    if reduction == "default":
        reduction = None if model.cod[0].dtype == "bool" else "mean"
    if reduction not in ("mean", "sum", None):
        raise ValueError(f"supervised: reduction must be 'mean', 'sum' or None, got {reduction!r}")
    return Learner(model, loss_p, lr, optimiser, reduction)


_LOSS_NAMES = ("mse", "softmax_cross_entropy", "binary_cross_entropy", "xor_loss")
