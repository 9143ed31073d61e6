"""Learners: the lens composite ``U ; R(model) ; R(loss) ; α`` compiled to one JAX step [CFGBL §3–4].

For a model ``(P, f: P × X → Ŷ)``, a loss ``(Y, ℓ: Y × Ŷ → L)`` (its parameter is the
target), a learning rate ``α: (L, L') → (1, 1)`` and an optimiser
``U: (S × P, S × P) → (P, P')``, the supervised learner is the Para(Lens) morphism

    ``reparam(R(model) ; R(loss) ; α,  1_Y ⊗ U)``: parameters ``Y × S × P``, from ``X`` to ``(1, 1)``.

Its backward map, read as one morphism ``(y, s, p, x) ↦ (y', s', p', x')``, contains the
training step ``(s, p, x, y) ↦ (s', p')``; its forward maps give the loss and the prediction.
The whole step is one diagram, compiled once per batch size.

Batches [MATH §6]: the model and loss are written per example; for a batch of ``n`` the
learner uses ``batch(model ; loss)`` with the parameters shared (a copy whose reverse
derivative is the sum over the batch), then the reduction of the ``n`` losses (mean by
default; over Z2 there is no reduction and the update is the XOR of the per-example updates).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from ..batch import batch as batch_diagram
from ..core import generators as g
from ..core.diagram import Diagram, trace
from ..core.objects import Array, Ty
from ..lens import Lens, _apply
from ..para import Para, reparam
from ..semantics.jax import check_binary, interpret
from .optimisers import Optimiser, init_state, optimiser_lens
from .rates import learning_rate


class TrainState(NamedTuple):
    """The learner's state: parameters and optimiser state, both pytrees (nested dicts)."""

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


@dataclass
class Learner:
    """A supervised learner ``U ; R(model) ; R(loss) ; α`` (see the module docstring).

    Build with ``supervised``; use ``init``, ``step``, ``predict``, ``evaluate`` and ``fit``.
    """

    model: Para
    loss: Para
    lr: Any
    optimiser: Optimiser
    reduction: Optional[str] = "mean"
    _steps: dict = field(default_factory=dict, repr=False)
    _predicts: dict = field(default_factory=dict, repr=False)
    trace_count: int = 0

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
        U = optimiser_lens(self.optimiser, P)
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

    # -- compiled functions -----------------------------------------------------
    def _step_fn(self, n: int) -> Callable:
        """The interpreted step on flat lists (not jitted: callers jit or scan it)."""
        if n not in self._steps:
            d = self.step_diagram(n).simplify()
            nS = len(d.dom) - len(self.model.param) - len(self.model.dom) - len(self.loss.param)
            nP = len(self.model.param)

            def fn(s, p, x, y):
                self.trace_count += 1
                out = interpret(d, [*s, *p, *x, *y])
                return list(out[:nS]), list(out[nS:nS + nP]), out[nS + nP], out[nS + nP + 1:]
            self._steps[n] = fn
        return self._steps[n]

    def init(self, key) -> TrainState:
        """Initial parameters (from the model's initialisers and ``key``) and optimiser state."""
        params = self.model.init(key)
        return TrainState(params, self.init_opt_state(params))

    def init_opt_state(self, params) -> list:
        return list(init_state(self.optimiser, self.model.flat(params)))

    def step(self, state: TrainState, x, y) -> TrainState:
        """One training step on a batch ``(x, y)`` (leading batch axis), compiled once per batch size."""
        x, y = self._check_batch(x, y)
        n = x[0].shape[0]
        key = ("jit_state", n)
        if key not in self._steps:
            fn = self._step_fn(n)

            def on_pytrees(state, x_, y_):  # flattening and unflattening are traced, not run per step
                s, p, _, _ = fn(list(state.opt_state), self.model.flat(state.params), x_, y_)
                return TrainState(self.model.tree(p), s)
            self._steps[key] = jax.jit(on_pytrees)
        return self._steps[key](TrainState(*state), x, y)

    def _jitted_step(self, n):
        key = ("jit", n)
        if key not in self._steps:
            self._steps[key] = jax.jit(self._step_fn(n))
        return self._steps[key]

    def predict(self, params, x) -> jax.Array:
        """The model's forward map on a batch ``x``."""
        xs = self._check_inputs(x)
        n = xs[0].shape[0]
        if n not in self._predicts:
            d = self.model.batched(n).map.simplify()
            self._predicts[n] = jax.jit(lambda p, x_: interpret(d, [*p, *x_]))
        out = self._predicts[n](self.model.flat(params), xs)
        return out[0] if len(out) == 1 else out

    def evaluate(self, params, x, y) -> dict:
        """Mean loss and accuracy of ``params`` on ``(x, y)``."""
        x, y = self._check_batch(x, y)
        n = x[0].shape[0]
        key = ("eval", n)
        if key not in self._steps:
            model_n = self.model.batched(n)
            loss_n = batch_diagram(self.loss.map, n)
            nY = len(self.loss.param)
            d = trace(lambda *ws: (*_apply(loss_n, [*ws[:nY], *_apply(model_n.map, list(ws[nY:]), ws[0])], ws[0]),
                                   *_apply(model_n.map, list(ws[nY:]), ws[0])),
                      loss_n.dom[:nY] @ model_n.map.dom).simplify()
            self._steps[key] = jax.jit(lambda p, x_, y_: interpret(d, [*y_, *p, *x_]))
        out = self._steps[key](self.model.flat(params), x, y)
        losses, pred = out[0], out[1]
        return {"loss": float(jnp.mean(losses.astype(jnp.float32))), "accuracy": float(accuracy(pred, y[0]))}

    # -- input checks -------------------------------------------------------------
    def _check_inputs(self, x) -> list:
        xs = list(x) if isinstance(x, (tuple, list)) else [x]
        dom = self._input_types
        if len(xs) != len(dom):
            raise TypeError(f"the model takes {len(self.model.dom)} input(s) ({self.model.dom}), got {len(xs)}")
        out = []
        for i, (a, (t, dt)) in enumerate(zip(xs, dom)):
            if _ready(a, t, dt):  # already a batch of the right dtype: nothing to convert (the fast path)
                out.append(a)
                continue
            a = jnp.asarray(a)
            if a.ndim != t.ndim + 1 or tuple(a.shape[1:]) != t.shape:
                raise TypeError(f"input {i}: the model expects examples of shape {t.shape} ({t}), so a batch of "
                                f"shape (n, {', '.join(map(str, t.shape))}); got data of shape {tuple(a.shape)}")
            if t.dtype == "bool":
                a = _as_binary(a, f"input {i}")
            out.append(a.astype(t.dtype))
        return out

    @functools.cached_property
    def _input_types(self) -> tuple:
        """``(type, numpy dtype)`` of each model input wire (computed once)."""
        return tuple((t, np.dtype(t.dtype)) for t in self.model.dom)

    def _check_batch(self, x, y):
        xs = self._check_inputs(x)
        t = self.loss.param[0]
        if len(self.loss.param) == 1 and _ready(y, t, np.dtype(t.dtype)):  # the fast path
            if y.shape[0] != xs[0].shape[0]:
                raise TypeError(f"{xs[0].shape[0]} inputs but {y.shape[0]} targets")
            return xs, [y]
        # integer labels in a numpy array stay on the host until they are one-hot
        y_host = y if isinstance(y, np.ndarray) and y.ndim == 1 and y.size and np.issubdtype(y.dtype, np.integer) else None
        y = jnp.asarray(y) if y_host is None else y
        if len(self.loss.param) == 1 and t.ndim == 1 and y.ndim == 1 and t.dtype != "bool" and t.shape[0] > 1:
            if y_host is not None or jnp.issubdtype(y.dtype, jnp.integer):  # integer labels → one-hot targets
                k = t.shape[0]
                if y_host is not None:  # on the host: no device round trip
                    lo, hi = int(y_host.min()), int(y_host.max())
                else:  # one compiled call and one transfer
                    onehot, lo, hi = _one_hot_range(y, k, t.dtype)
                    lo, hi = (int(v) for v in jax.device_get((lo, hi)))
                if lo < 0 or hi >= k:
                    raise ValueError(f"labels must lie in 0..{k - 1} for a model with {k} outputs; got labels in {lo}..{hi}")
                y = jnp.asarray(np.eye(k, dtype=t.dtype)[y_host]) if y_host is not None else onehot
        y = jnp.asarray(y)  # (numpy labels that were not converted above)
        if y.ndim != t.ndim + 1 or tuple(y.shape[1:]) != t.shape:
            raise TypeError(f"the loss expects targets of shape {t.shape} ({t}) per example; got targets of shape "
                            f"{tuple(y.shape)}")
        if y.shape[0] != xs[0].shape[0]:
            raise TypeError(f"{xs[0].shape[0]} inputs but {y.shape[0]} targets")
        if t.dtype == "bool":
            y = _as_binary(y, "targets")
        return xs, [y.astype(t.dtype)]

    def draw(self, path=None, **options):
        """The picture ``U ; R(model) ; R(loss) ; α`` as data (see ``catgrad.draw``), saved to ``path`` if given."""
        from ..drawing import draw
        return draw(self, path, **options)

    def _repr_svg_(self):
        from ..drawing.draw import repr_svg
        return repr_svg(self)


def _ready(a, t: Array, dt: np.dtype) -> bool:
    """Whether ``a`` is already a JAX batch of examples of type ``t``: a (strongly typed) array of
    dtype ``dt`` and shape ``(n, *t.shape)``, which the input checks would pass through unchanged."""
    return (isinstance(a, jax.Array) and a.dtype == dt and a.ndim == t.ndim + 1 and a.shape[1:] == t.shape
            and not a.weak_type)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _one_hot_range(y, k: int, dtype: str):
    """One-hot targets of integer labels ``y`` and the labels' ``(min, max)``, in one compiled call."""
    return jax.nn.one_hot(y, k, dtype=dtype), jnp.min(y), jnp.max(y)


def _as_binary(a, what):
    """Z2 data as a bool array, through the one data check of the JAX semantics."""
    return jnp.asarray(check_binary(a, what))


def accuracy(pred, y) -> jax.Array:
    """Fraction of correct predictions: argmax agreement for several classes, threshold 0.5 for one,
    exact agreement of all outputs for boolean predictions."""
    if pred.dtype == jnp.bool_:
        return jnp.mean(jnp.all(pred.reshape(pred.shape[0], -1) == y.reshape(y.shape[0], -1), axis=1))
    if pred.ndim == 2 and pred.shape[1] > 1:
        return jnp.mean(jnp.argmax(pred, axis=1) == jnp.argmax(y, axis=1))
    return jnp.mean((pred.reshape(-1) > 0.5) == (y.reshape(-1) > 0.5))


def _as_rate(lr):
    """A learning-rate object (anything with ``.lens(L)``), or a number ``α`` read as ``learning_rate(α)``."""
    if isinstance(lr, (int, float)) and not isinstance(lr, bool):
        return learning_rate(lr)
    if not callable(getattr(lr, "lens", None)):
        raise TypeError(f"supervised: lr must be a learning rate (learn.learning_rate(α), learn.identity_rate) "
                        f"or a number, got {type(lr).__name__} {lr!r}")
    return lr


def _as_optimiser(opt) -> Optimiser:
    """An ``Optimiser``, or a factory of one (``learn.rda``, ``learn.gd``) called with its defaults."""
    if not isinstance(opt, Optimiser) and callable(opt):
        try:
            made = opt()
        except TypeError:
            made = None
        if isinstance(made, Optimiser):
            return made
    if not isinstance(opt, Optimiser):
        raise TypeError(f"supervised: optimiser must be an Optimiser (e.g. learn.gd(), learn.adam(), learn.rda()), "
                        f"got {type(opt).__name__} {opt!r}")
    return opt


def supervised(model: Para, loss, lr, optimiser: Optimiser, reduction: Optional[str] = "default") -> Learner:
    """The supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §4.1].

    Args:
        model: a per-example Para morphism ``(P, f: P × X → Ŷ)`` (e.g. ``nn.dense(4, 3, nn.sigmoid)``).
        loss: a loss for the model's output type, either a Para ``(Y, Y × Ŷ → L)`` or a function
            of ``Ŷ`` giving one (``learn.mse``, ``learn.softmax_cross_entropy``, ...).
        lr: a learning rate (``learn.learning_rate(α)``, or the number ``α`` itself;
            ``learn.identity_rate`` over Z2).
        optimiser: ``learn.gd()``, ``learn.momentum(γ)``, ``learn.adam(η)``, ``learn.rda()``, ...
            (a factory such as ``learn.rda`` or ``learn.gd`` is called with its defaults).
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
    loss_p = loss if isinstance(loss, Para) else loss(model.cod[0])
    if loss_p.dom != model.cod:
        raise TypeError(f"supervised: the model's output type {model.cod} does not match the loss, which takes "
                        f"predictions of type {loss_p.dom}")
    lr, optimiser = _as_rate(lr), _as_optimiser(optimiser)
    if reduction == "default":
        reduction = None if model.cod[0].dtype == "bool" else "mean"
    if reduction not in ("mean", "sum", None):
        raise ValueError(f"supervised: reduction must be 'mean', 'sum' or None, got {reduction!r}")
    return Learner(model, loss_p, lr, optimiser, reduction)
