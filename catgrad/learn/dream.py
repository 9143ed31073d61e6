"""Deep dreaming [CFGBL §4.2]: the supervised learner with the *input* as its parameter.

The dreamer ``(X, σ ; f): P → Ŷ`` of a model ``(P, f)`` takes the input as parameter: its training
step towards a chosen class moves the input, not the weights.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core.diagram import swap
from ..para import Para
from ..record import check_values
from .learner import Learner, TrainState, supervised
from .losses import mse
from .optimisers import gd
from .rates import learning_rate


def dreamer(model: Para) -> Para:
    """``(P, f) ↦ (X, σ_{X,P} ; f)``: the model with its input as the parameter.

    >>> from catgrad import nn
    >>> dreamer(nn.dense(4, 3)).param, dreamer(nn.dense(4, 3)).dom
    ({'input': {'x0': Array((4,), 'float32')}}, Ty(f32[3,4], f32[3]))
    """
    X, P = model.dom, model.wires
    return Para({"input": {f"x{i}": t for i, t in enumerate(X)}}, swap(X, P) >> model.map)


def deep_dream(model: Para, loss=mse, lr=None, optimiser=None) -> Learner:
    """The learner ``U ; R(dreamer(model)) ; R(loss) ; α`` (gd, α = 0.1): data the weights, targets the outputs.

    >>> from catgrad import nn
    >>> deep_dream(nn.dense(4, 3, nn.sigmoid)).model.param
    {'input': {'x0': Array((4,), 'float32')}}
    """
    return supervised(dreamer(model), loss, lr if lr is not None else learning_rate(0.1),
                      optimiser if optimiser is not None else gd())


def dream(model: Para, params: Any, target_class: int, x0, *, steps: int = 100, lr: float = 0.1,
          optimiser=None, loss=mse) -> np.ndarray:
    """``steps`` steps ``x ← x − α ∇ₓ loss(onehot(c), f(p, x))`` from ``x0`` (the weights ``p`` fixed).

    >>> from catgrad import nn, to_jax
    >>> model, x0 = nn.dense(4, 3, nn.sigmoid), np.zeros(4, np.float32)
    >>> w = model.init(jax.random.PRNGKey(0))
    >>> f = to_jax(model)
    >>> bool(f(w, dream(model, w, 2, x0, steps=50, lr=1.0))[0][2] > f(w, x0)[0][2])
    True
    """
    learner = deep_dream(model, loss, learning_rate(lr), optimiser)
    k = learner.model.cod[0].shape[0]
    if not 0 <= int(target_class) < k:
        raise ValueError(f"dream: target_class must lie in 0..{k - 1}, got {target_class}")
    check_values(model.param, params, where="dream")
    weights = [jnp.asarray(a)[None] for a in jax.tree_util.tree_leaves(params)]  # the weights are now the data
    target = jax.nn.one_hot(jnp.array([int(target_class)]), k, dtype=learner.model.cod[0].dtype)
    x = {"input": {"x0": jnp.asarray(x0, learner.model.wires[0].dtype)}}
    state = TrainState(x, learner.optimiser.init(x))
    for _ in range(steps):
        state = learner.step(state, weights, target)
    return np.asarray(state.params["input"]["x0"])
