"""Evaluation and prediction: the model (and the per-example loss) run over data of any size.

Chunks of ``EVAL_CHUNK`` examples, the last padded to a power of two ≥ ``MIN_CHUNK`` (rows masked):
at most ``log2(EVAL_CHUNK / MIN_CHUNK) + 1`` shapes are compiled per learner.
"""
from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from ..para import Para
from ..record import paths
from ..semantics.jax import to_jax

EVAL_CHUNK = 1024
MIN_CHUNK = 64


def chunks(arrays: list, n: int):
    """``(chunk arrays, chunk size, valid rows)`` covering ``n`` examples (see the module docstring).

    >>> [(size, valid) for _, size, valid in chunks([np.zeros(1100)], 1100)]
    [(1024, 1024), (128, 76)]
    """
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


def _predictor(learner, size: int):
    """The jitted batched model ``(params, *xs) -> outputs`` for chunks of ``size``."""
    def make():
        model, _ = learner.batched(size)
        return jax.jit(to_jax(Para(model.param, model.map.simplify())))
    return learner.memo(("predict", size), make)


def _evaluator(learner, size: int):
    """The jitted ``(params, xs, ys, valid) -> (loss sum, hits, finite per array)`` for chunks of ``size``."""
    def make():
        model, loss = learner.batched(size)
        both = Para.build((loss.param, model.param), lambda r, *xs: (loss(r[0], model(r[1], *xs)), model(r[1], *xs)),
                          *model.dom)
        fn = to_jax(Para(both.param, both.map.simplify()))

        def run(params, xs, ys, valid):
            ys = learner.data.as_targets(list(ys))
            losses, pred = fn((ys[0] if len(ys) == 1 else tuple(ys), params), *xs)
            mask = jnp.arange(size) < valid
            per_example = losses.astype(jnp.float32).reshape(size, -1)
            loss_sum = jnp.sum(jnp.where(mask[:, None], per_example, 0.0))
            hits = jnp.sum(jnp.where(mask, correct(pred, ys[0]), False))
            return loss_sum, hits, finite_arrays(params)
        return jax.jit(run)
    return learner.memo(("eval", size), make)


def predict(learner, params, x) -> jax.Array:
    """The model's forward map on a batch ``x``, run in chunks.

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 3), learn.mse, 0.1, learn.gd())
    >>> predict(lrn, lrn.init(jax.random.PRNGKey(0)).params, np.ones((5, 2), np.float32)).shape
    (5, 3)
    """
    xs = learner.data.inputs_of(x)
    learner.check_params(params, "predict")
    n = xs[0].shape[0]
    outs = [_predictor(learner, size)(params, *chunk) for chunk, size, valid in chunks(xs, n)]
    # joined and cut on the host: a device slice would compile once per data size
    out = [jax.device_put(np.concatenate([np.asarray(o[i]) for o in outs])[:n]) for i in range(len(outs[0]))]
    return out[0] if len(out) == 1 else tuple(out)


def evaluate(learner, params, x, y) -> dict:
    """Mean loss (over examples and a Z2 loss's bits) and :func:`accuracy` of ``params`` on ``(x, y)``, in chunks;
    a ``RuntimeWarning`` names the parameters holding a NaN or inf.

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(2, 2), learn.softmax_cross_entropy, 0.1, learn.gd())
    >>> sorted(evaluate(lrn, lrn.init(jax.random.PRNGKey(0)).params, np.eye(2, dtype=np.float32), np.array([0, 1])))
    ['accuracy', 'loss']
    """
    xs, ys = learner.check_data(x, y)
    learner.check_params(params, "evaluate")
    n = xs[0].shape[0]
    loss_sum, hits, finite = 0.0, 0, None
    for chunk, size, valid in chunks(xs + ys, n):
        l_, h_, finite = _evaluator(learner, size)(params, chunk[:len(xs)], chunk[len(xs):], valid)
        loss_sum, hits = loss_sum + l_, hits + h_
    P = learner.model.param
    float_names = [name for name, t in zip(paths(P), jax.tree_util.tree_leaves(P)) if t.is_float]
    bad = [name for name, ok in zip(float_names, np.asarray(finite)) if not ok]
    if bad:
        warnings.warn(f"evaluate: the parameters are not finite (NaN or inf in {', '.join(bad)}); the loss and "
                      "accuracy reported are those of these parameters", RuntimeWarning, stacklevel=2)
    width = max(1, math.prod(learner.loss.cod[0].shape))  # a Z2 loss has one entry per output bit
    return {"loss": float(loss_sum) / (n * width), "accuracy": float(hits) / n}


def correct(pred, y) -> jax.Array:
    """Per example, whether the prediction is right: argmax for several classes, > 0.5 for one, all bits for Z2.

    >>> correct(jnp.array([[0.9, 0.1], [0.2, 0.8]]), jnp.array([[1.0, 0.0], [1.0, 0.0]]))
    Array([ True, False], dtype=bool)
    """
    if pred.dtype == jnp.bool_:
        return jnp.all(pred.reshape(pred.shape[0], -1) == y.reshape(y.shape[0], -1), axis=1)
    if pred.ndim == 2 and pred.shape[1] > 1:
        return jnp.argmax(pred, axis=1) == jnp.argmax(y, axis=1)
    return jnp.all((pred.reshape(pred.shape[0], -1) > 0.5) == (y.reshape(y.shape[0], -1) > 0.5), axis=1)


def finite_arrays(tree) -> jax.Array:
    """Per floating array of ``tree``, whether all its entries are finite.

    >>> finite_arrays({"a": jnp.array([1.0, jnp.inf]), "b": jnp.zeros(2)}).tolist()
    [False, True]
    """
    return jnp.stack([jnp.all(jnp.isfinite(a)) for a in jax.tree_util.tree_leaves(tree)
                      if jnp.issubdtype(a.dtype, jnp.floating)] or [jnp.array(True)])


def accuracy(pred, y) -> jax.Array:
    """Fraction of correct predictions (see :func:`correct`).

    >>> float(accuracy(jnp.array([[0.9, 0.1], [0.2, 0.8]]), jnp.array([[1.0, 0.0], [1.0, 0.0]])))
    0.5
    """
    return jnp.mean(correct(pred, y))
