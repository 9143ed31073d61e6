"""Losses as parametrised maps whose parameter is the target [CFGBL §3.2, §4.1].

A loss is a function of the prediction type ``B`` giving the Para ``(B, B(target) × B(prediction) → L)``,
per example (the learner batches and reduces it), a diagram of generators that ``R`` differentiates.

Each equals optax's (``l2_loss``, ``softmax_cross_entropy``, ``sigmoid_binary_cross_entropy``) summed.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..core.diagram import trace
from ..core.generators import broadcast, exp, log, logsumexp, relu, scale
from ..core.generators import sum as cg_sum
from ..core.objects import Ty, TyLike, as_ty
from ..para import Para
from ..record import as_record


def _prediction_type(name: str, B, dtypes: str) -> Ty:
    try:
        B = as_ty(B)
    except TypeError:
        raise TypeError(f"{name}: expects the prediction type B (an Array or Ty), got {type(B).__name__} {B!r}") from None
    if len(B) == 0:
        raise TypeError(f"{name}: the prediction type B must have at least one wire, got the unit 1")
    real = dtypes == "float"
    bad = [str(t) for t in B if (not t.is_float if real else t.dtype != "bool")]
    if bad:
        hint = (" (for Z2 predictions use xor_loss)" if any(t.dtype == "bool" for t in B) else "") if real else \
            " (for real predictions use mse, softmax_cross_entropy or binary_cross_entropy)"
        raise TypeError(f"{name}: expects {'floating-point' if real else 'boolean (Z2)'} predictions, got B = {B} "
                        f"with wire(s) {', '.join(bad)}{hint}")
    if real and len({t.dtype for t in B}) > 1:
        raise TypeError(f"{name}: all wires of B must have one dtype to sum their losses, got B = {B}")
    return B


def loss_para(B: TyLike, f) -> Para:
    """A loss ``(B, f: B @ B → L)``, targets first: the target is the (anonymous, zero-initialised) parameter.

    >>> from catgrad import Array
    >>> B = Array((2,))
    >>> loss_para(B, trace(lambda y, yhat: yhat - y, B @ B)).param
    Array((2,), 'float32')
    """
    Y = as_record(as_ty(B))
    return Para(Y, f, lambda key: jax.tree_util.tree_map(lambda t: jnp.zeros(t.shape, t.dtype), Y))


def _scalar_loss(B: Ty, per_array) -> Para:
    """``(B, (y, ŷ) ↦ Σ_k per_array(y_k, ŷ_k))`` with a scalar of B's dtype as codomain."""
    n = len(B)
    return loss_para(B, trace(lambda *ws: sum((per_array(y, yh) for y, yh in zip(ws[1:n], ws[n + 1:])),
                                              per_array(ws[0], ws[n])), B @ B))


def mse(B: TyLike) -> Para:
    """The squared error ``(B, (y, ŷ) ↦ ½ ‖ŷ − y‖²)``, ``B → Array(())`` [CFGBL §3.2].

    >>> from catgrad import Array
    >>> mse(Array((3,)))
    <Para f32[3] → f32[] with parameters f32[3]>
    """
    B = _prediction_type("mse", B, "float")

    def per_array(y, yhat):
        d = yhat - y
        return scale(cg_sum(d * d), 0.5)

    return _scalar_loss(B, per_array)


def softmax_cross_entropy(B: TyLike) -> Para:
    """Softmax cross-entropy ``−Σᵢ yᵢ (ŷᵢ − logsumexp ŷ)`` along the last axis, ``ŷ`` logits [CFGBL §3.2, §6].

    >>> from catgrad import Array, to_jax
    >>> loss = softmax_cross_entropy(Array((2,)))
    >>> to_jax(loss.map)(jnp.array([0.0, 1.0]), jnp.array([0.0, 0.0]))
    (Array(0.6931472, dtype=float32),)
    """
    B = _prediction_type("softmax_cross_entropy", B, "float")
    for t in B:
        if t.ndim == 0:
            raise TypeError(f"softmax_cross_entropy: predictions need a class axis (rank ≥ 1), got {t} in B = {B}")

    def per_array(y, yhat):
        lse = broadcast(logsumexp(yhat, axis=-1), shape=yhat.shape, axes=(-1,))
        return -cg_sum(y * (yhat - lse))

    return _scalar_loss(B, per_array)


def binary_cross_entropy(B: TyLike, from_logits: bool = False) -> Para:
    """Binary cross-entropy ``−Σ [y log p + (1 − y) log(1 − p)]``, ``p = ŷ``, or ``p = σ(x)`` ``from_logits``.

    From logits it is ``relu(x) − y·x + log(1 + exp(x − 2 relu(x)))``: finite, ``R`` gives ``σ(x) − y``.

    >>> from catgrad import Array, to_jax
    >>> loss = binary_cross_entropy(Array(()), from_logits=True)
    >>> to_jax(loss.map)(jnp.float32(1.0), jnp.float32(0.0))
    (Array(0.6931472, dtype=float32),)
    """
    B = _prediction_type("binary_cross_entropy", B, "float")
    if not isinstance(from_logits, bool):
        raise TypeError(f"binary_cross_entropy: from_logits must be a bool, got {from_logits!r}")

    if from_logits:
        def per_array(y, x):
            r = relu(x)
            return cg_sum(r - y * x + log(1.0 + exp(x - scale(r, 2.0))))
    else:
        def per_array(y, p):
            return -cg_sum(y * log(p) + (1.0 - y) * log(1.0 - p))

    return _scalar_loss(B, per_array)


def xor_loss(B: TyLike) -> Para:
    """The Z2 loss ``(B, (y, ŷ) ↦ ŷ + y)`` (XOR: 1 where they differ), the signal of [RDA §3–4], ``B → B``.

    >>> from catgrad import Array, to_jax
    >>> loss = xor_loss(Array((2,), "bool"))
    >>> to_jax(loss.map)(jnp.array([True, False]), jnp.array([True, True]))
    (Array([False,  True], dtype=bool),)
    """
    B = _prediction_type("xor_loss", B, "bool")
    n = len(B)
    return loss_para(B, trace(lambda *ws: tuple(yhat + y for y, yhat in zip(ws[:n], ws[n:])), B @ B))


__all__ = ["loss_para", "mse", "softmax_cross_entropy", "binary_cross_entropy", "xor_loss"]
