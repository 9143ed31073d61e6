"""Learners: the lens composite ``U ; R(model) ; R(loss) ; α`` [CFGBL §3–4].

The learner is the Para(Lens) morphism ``reparam(R(model ; loss) ; α, 1_Y ⊗ U): X → (1, 1)`` with
parameters ``Y × S × P``, built once per batch size (``parts(n)``: model and loss batched [MATH §6],
the losses' mean or sum) and read three ways: its backward map holds the step (``step_diagram``),
its parts evaluate (``learn.evaluation``), and it is drawn (``learn.picture``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Union

import jax

from .. import errors
from ..batch import batch as batch_diagram
from ..core import generators as g
from ..core.diagram import Diagram, trace, wires
from ..core.objects import Array, Ty
from ..drawing.data import Drawing
from ..drawing.draw import Drawable
from ..drawing.layout import SWEEPS
from ..lens import Lens
from ..para import Para, reparam
from ..record import check_values, leaves, traced
from .data import Data
from .evaluation import evaluate, predict
from .optax_lens import is_gradient_transformation, optax_optimiser
from .optimisers import Optimiser
from .picture import learner_drawing
from .rates import IdentityRate, LearningRate, learning_rate
from .step import CompiledEpoch, CompiledStep, TrainState, train_state


class Parts(NamedTuple):
    """The learner for a batch of ``n``: ``model`` ``(P, Xⁿ → Ŷⁿ)``, ``loss`` ``(Yⁿ, Ŷⁿ → L)`` (reduced), ``rate``,
    ``update`` ``U``, ``lens = reparam(R(model ; loss) ; α, 1_Y ⊗ U)``, a Para(Lens) with the record ``(Yⁿ, S, P)``.

    >>> from catgrad import nn, learn
    >>> parts = learn.supervised(nn.dense(2, 1), learn.mse, 0.1, learn.gd()).parts(8)
    >>> parts.model.dom, parts.lens.dom[0]
    (Ty(f32[8,2]), Ty(f32[8,2]))
    """

    model: Para
    loss: Para
    rate: Lens
    update: Lens
    lens: Para


def _reduction(L: Ty, n: int, reduction: Optional[str]) -> Optional[Diagram]:
    """``Lⁿ → L``: the mean (default) or sum of per-example losses, or None (no reduction)."""
    if reduction is None:
        return None
    if len(L) != 1:
        raise TypeError(f"reduction {reduction!r} needs a single loss wire, got {L}")
    Ln = Array((n, *L[0].shape), L[0].dtype)
    if reduction == "sum":
        return g.sum(Ln, axes=(0,))
    return trace(lambda l: g.scale(g.sum(l, axes=(0,)), 1.0 / n), Ln)


@dataclass(frozen=True, eq=False)
class Learner(Drawable):
    """A supervised learner ``U ; R(model) ; R(loss) ; α``, built by ``supervised``; immutable, what it builds and
    compiles per batch size memoised (``memo``).

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 2), learn.softmax_cross_entropy, 0.5, learn.gd())
    >>> st = lrn.init(jax.random.PRNGKey(0))
    >>> x, labels = np.eye(2, dtype=np.float32), np.array([0, 1])
    >>> for _ in range(20):
    ...     st = lrn.step(st, x, labels)
    >>> lrn.evaluate(st.params, x, labels)["accuracy"]
    1.0
    """

    model: Para
    loss: Para
    lr: Union[LearningRate, IdentityRate]
    optimiser: Optimiser
    reduction: Optional[str] = "mean"
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key, make):
        """``make()``, computed once per ``key`` (what the learner builds and compiles)."""
        try:
            return self._memo[key]
        except KeyError:
            return self._memo.setdefault(key, make())

    def parts(self, n: int = 1) -> Parts:
        """The learner for a batch of ``n`` and its parts, built once (see :class:`Parts`)."""
        return self.memo(("parts", n), lambda: self._build(n))

    def batched(self, n: int) -> tuple:
        """``(model, loss)`` for a batch of ``n``: ``(P, Xⁿ → Ŷⁿ)`` and the per-example losses ``(Yⁿ, Ŷⁿ → Lⁿ)``."""
        def make():
            Yn = jax.tree_util.tree_map(lambda t: Array((n, *t.shape), t.dtype), self.loss.param)
            return self.model.batched(n), Para(Yn, batch_diagram(self.loss.map, n))
        return self.memo(("batched", n), make)

    def _build(self, n: int) -> Parts:
        model_n, loss_n = self.batched(n)
        Yn = loss_n.param
        red = _reduction(self.loss.cod, n, self.reduction)
        if red is not None:
            loss_n = loss_n >> red
        rate = self.lr.lens(loss_n.cod)
        U = self.optimiser.lens(self.model.param)
        learner = (model_n >> loss_n).lens() >> Para.of(rate)  # record (Yⁿ, P)
        S = self.optimiser.state(self.model.param)
        lens = reparam(learner, Lens.identity(leaves(Yn)) @ U, (Yn, S, self.model.param))
        return Parts(model_n, loss_n, rate, U, lens)

    def lens(self, n: int = 1) -> Para:
        """The learner for a batch of ``n`` as one Para(Lens) morphism ``Xⁿ → (1, 1)`` with the record ``(Yⁿ, S, P)``."""
        return self.parts(n).lens

    def step_diagram(self, n: int) -> Diagram:
        """The step ``TrainState(P, S) × Xⁿ × Yⁿ → TrainState × L × Ŷⁿ`` (loss and prediction at ``p̃``)."""
        parts = self.parts(n)
        nY, nS = len(leaves(parts.loss.param)), len(leaves(self.state_record.opt_state))

        def step(state, *xy):
            xs, ys = xy[:len(xy) - nY], xy[len(xy) - nY:]
            s, p = jax.tree_util.tree_leaves(state.opt_state), jax.tree_util.tree_leaves(state.params)
            new = wires(parts.lens.map.bwd(*ys, *s, *p, *xs))  # (y', s', p', x')
            pred = parts.model.map(*wires(parts.update.fwd(*s, *p)), *xs)
            loss = parts.loss.map(*ys, pred)
            return TrainState(new[nY + nS:nY + nS + len(p)], new[nY:nY + nS]), loss, pred

        return traced(step, self.state_record, *parts.model.dom, *leaves(parts.loss.param))

    @functools.cached_property
    def state_record(self) -> TrainState:
        """The record of the state: ``TrainState(P, optimiser.state(P))``."""
        return TrainState(self.model.param, self.optimiser.state(self.model.param))

    @functools.cached_property
    def data(self) -> Data:
        """The data's types and their checks (:class:`~catgrad.learn.data.Data`)."""
        return Data.of(self.model, self.loss)

    def init(self, key) -> TrainState:
        """Initial parameters (from the model's initialisers and the PRNG ``key``) and optimiser state."""
        errors.prng_key("init", key)
        params = self.model.init(key)
        return TrainState(params, self.optimiser.init(params))

    def check_state(self, state, where: str = "") -> TrainState:
        """``state`` as a :class:`TrainState` shaped like ``state_record``, or a ``TypeError`` naming what differs."""
        state = train_state(state, where)
        self.check_params(state.params, where)
        check_values(self.state_record.opt_state, state.opt_state, "optimiser state", where)
        return state

    def check_params(self, params, where: str = "") -> None:
        """A ``TypeError`` naming what differs unless ``params`` is a tree shaped like the model's record."""
        check_values(self.model.param, params, "parameter", where)

    def compiled_step(self, batch_size: int):
        """The training step for batches of ``batch_size``, compiled once (a ``CompiledStep``)."""
        n = errors.positive_int("compiled_step", "batch_size", batch_size)
        return self.memo(("step", n), lambda: CompiledStep(self, n))

    def step(self, state: TrainState, x, y) -> TrainState:
        """One training step on a batch ``(x, y)`` (``y`` targets or integer labels), ``compiled_step(n)``.

        Data of a kind already checked (the same array types, shapes and dtypes, a ``TrainState``) goes straight
        to the compiled step (memoised by that kind); anything else is checked first."""
        try:
            kind = ("data", type(x), x.shape, x.dtype, type(y), y.shape, y.dtype)
        except AttributeError:  # not arrays: checked below, never memoised
            kind = None
        fast = self._memo.get(kind)
        if fast is not None:
            return fast(state, [x], y)
        xs = self.data.inputs_of(x)
        step = self.compiled_step(xs[0].shape[0])
        ys = self.data.targets_of(y, xs[0].shape[0], eager=False)
        if kind is not None and xs[0] is x and ys is y:  # arrays that passed the checks unchanged
            self.memo(kind, lambda: step.dispatch)
        return step.dispatch(state, xs, ys)

    def epoch(self, n_examples: int, batch_size: int, *, shuffle: bool = True, mesh=None, guarded: bool = False):
        """One epoch over ``n_examples`` in minibatches of ``batch_size``, compiled once (a ``CompiledEpoch``)."""
        n = errors.positive_int("epoch", "n_examples", n_examples)
        b = errors.positive_int("epoch", "batch_size", batch_size)
        if b > n:
            raise ValueError(f"epoch: batch_size {b} is larger than the {n} examples")
        key = ("epoch", n, b, bool(shuffle), mesh, bool(guarded))
        return self.memo(key, lambda: CompiledEpoch(self, n, b, bool(shuffle), mesh, bool(guarded)))

    def check_data(self, x, y) -> tuple:
        """``(xs, ys)``, lists of checked arrays (one per input, per target wire; see :mod:`catgrad.learn.data`)."""
        xs = self.data.inputs_of(x)
        return xs, [self.data.targets_of(y, xs[0].shape[0], eager=True)]

    def predict(self, params, x) -> jax.Array:
        """The model's forward map on a batch ``x`` (run in chunks: see :mod:`catgrad.learn.evaluation`)."""
        return predict(self, params, x)

    def evaluate(self, params, x, y) -> dict:
        """Mean loss and accuracy of ``params`` on ``(x, y)`` (see :func:`catgrad.learn.evaluation.evaluate`)."""
        return evaluate(self, params, x, y)

    def to_drawing(self, *, depth=1, types: bool = True, sweeps: int = SWEEPS) -> Drawing:
        """The picture ``U ; R(model) ; R(loss) ; α`` as data (see ``catgrad.draw``; ``catgrad.learn.picture``)."""
        return learner_drawing(self, depth=depth, types=types, sweeps=sweeps)


def _as_rate(lr):
    if isinstance(lr, (int, float)) and not isinstance(lr, bool):
        return learning_rate(lr)
    if not isinstance(lr, (LearningRate, IdentityRate)):
        raise TypeError(f"supervised: lr must be a learning rate (learn.learning_rate(α), learn.identity_rate) "
                        f"or a number, got {type(lr).__name__} {lr!r}")
    return lr


def _as_optimiser(opt) -> Optimiser:
    """An ``Optimiser``, a factory of one called with its defaults, or an optax ``GradientTransformation``."""
    if is_gradient_transformation(opt):
        return optax_optimiser(opt)
    if not isinstance(opt, Optimiser) and callable(opt):
        try:
            opt = opt()
        except TypeError:
            pass
    if not isinstance(opt, Optimiser):
        raise TypeError(f"supervised: optimiser must be an Optimiser (e.g. learn.gd(), learn.adam(), learn.rda()) "
                        f"or an optax GradientTransformation, got {type(opt).__name__} {opt!r:.80}")
    return opt


def supervised(model: Para, loss, lr, optimiser, reduction: Optional[str] = "default") -> Learner:
    """The supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §4.1].

    Args:
        model: a per-example Para ``(P, f: P × X → Ŷ)``; loss: a Para ``(Y, Y × Ŷ → L)`` or a function of ``Ŷ``
            giving one (``learn.mse``, ...); lr: ``learn.learning_rate(α)``, ``α``, or ``learn.identity_rate``.
        optimiser: ``learn.gd()``, ``learn.adam(η)``, ... (a factory such as ``learn.rda`` is called with its
            defaults), or an optax ``GradientTransformation`` (with ``lr=1.0``).
        reduction: ``"mean"`` (default for real losses), ``"sum"``, or ``None`` (default over Z2, as in [RDA]).

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
    loss_p = loss if isinstance(loss, Para) or not callable(loss) else loss(model.cod[0])
    if not isinstance(loss_p, Para):
        raise TypeError(f"supervised: the loss must be a Para or a function of the prediction type giving one "
                        f"(learn.mse, ...), got {type(loss_p).__name__} {loss_p!r:.60}")
    if loss_p.dom != model.cod:
        raise TypeError(f"supervised: the model's output type {model.cod} does not match the loss, which takes "
                        f"predictions of type {loss_p.dom}")
    lr, optimiser = _as_rate(lr), _as_optimiser(optimiser)
    optimiser.state(model.param)  # the optimiser's state for these parameters: checked now
    if reduction == "default":
        reduction = None if model.cod[0].dtype == "bool" else "mean"
    if reduction not in ("mean", "sum", None):
        raise ValueError(f"supervised: reduction must be 'mean', 'sum' or None, got {reduction!r}")
    return Learner(model, loss_p, lr, optimiser, reduction)


_LOSS_NAMES = ("mse", "softmax_cross_entropy", "binary_cross_entropy", "xor_loss")
