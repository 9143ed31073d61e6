"""Losses as parametrised maps whose parameter is the target [CFGBL §3.2, §4.1].

A loss is a function of the prediction type ``B`` returning the Para morphism
``(B, loss: B(target) × B(prediction) → L)``: the target ``y`` is its parameter, so
``model >> loss`` is again a Para morphism, with parameters ``(y, p)``. Every loss here
is *per example*; the learner batches it and reduces the batch (mean or sum).

=========================  =====================================================
loss                        value ``loss(y, ŷ)``
=========================  =====================================================
``mse``                     ``½ ‖ŷ − y‖²``
``softmax_cross_entropy``   ``−Σᵢ yᵢ log softmax(ŷ)ᵢ = −Σᵢ yᵢ (ŷᵢ − logsumexp ŷ)``
``binary_cross_entropy``    ``−Σ y log p + (1 − y) log(1 − p)``  (``p = σ(ŷ)`` from logits)
``xor_loss`` (Z2)           ``ŷ + y`` (XOR: 1 exactly where prediction and target differ)
=========================  =====================================================

Each is a diagram of generators, so ``R`` (``rdiff``) differentiates it like any map.

>>> from catgrad import Array, to_jax
>>> import jax.numpy as jnp
>>> loss = mse(Array((2,)))
>>> loss.dom, loss.cod
(Ty(f32[2]), Ty(f32[]))
>>> to_jax(loss.map)(jnp.array([1.0, 0.0]), jnp.array([3.0, 0.0]))
(Array(2., dtype=float32),)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..core.diagram import trace
from ..core.generators import broadcast, exp, log, logsumexp, relu, scale
from ..core.generators import sum as cg_sum
from ..core.objects import Ty, TyLike, as_ty
from ..para import Para, as_record


def _prediction_type(name: str, B, dtypes: str) -> Ty:
    """``B`` as a Ty, checking it is nonempty and of the right kind (``"float"`` or ``"bool"``)."""
    try:
        B = as_ty(B)
    except TypeError:
        raise TypeError(f"{name}: expects the prediction type B (an Array or Ty), got {type(B).__name__} {B!r}") from None
    if len(B) == 0:
        raise TypeError(f"{name}: the prediction type B must have at least one wire, got the unit 1")
    if dtypes == "float":
        bad = [str(t) for t in B if not t.is_float]
        if bad:
            hint = " (for Z2 predictions use xor_loss)" if any(t.dtype == "bool" for t in B) else ""
            raise TypeError(f"{name}: expects floating-point predictions, got B = {B} with wire(s) {', '.join(bad)}{hint}")
        if len({t.dtype for t in B}) > 1:
            raise TypeError(f"{name}: all wires of B must have one dtype to sum their losses, got B = {B}")
    else:
        bad = [str(t) for t in B if t.dtype != "bool"]
        if bad:
            raise TypeError(f"{name}: expects boolean (Z2) predictions, got B = {B} with wire(s) {', '.join(bad)}"
                            " (for real predictions use mse, softmax_cross_entropy or binary_cross_entropy)")
    return B


def loss_para(B: TyLike, f) -> Para:
    """A loss as a Para morphism ``(B, f: B × B → L)``: the target ``y`` is the parameter.

    The target's record is anonymous (the array type itself, or the tuple of them for several
    wires), so ``model >> loss`` has the record ``(y, P)``, as in the paper's ``Y × P``; it is
    initialised to zeros (all false on Z2 wires). ``f`` is a diagram ``B @ B → L`` (targets first).

    >>> from catgrad import Array, trace
    >>> B = Array((2,))
    >>> loss_para(B, trace(lambda y, yhat: yhat - y, B @ B)).param
    Array((2,), 'float32')
    """
    Y = as_record(as_ty(B))
    return Para(Y, f, lambda key: jax.tree_util.tree_map(lambda t: jnp.zeros(t.shape, t.dtype), Y))


def _scalar_loss(name: str, B: Ty, per_array) -> Para:
    """``(B, (y, ŷ) ↦ Σ_k per_array(y_k, ŷ_k))`` with a scalar of B's dtype as codomain."""
    n = len(B)

    def fn(*ws):
        total = None
        for y, yhat in zip(ws[:n], ws[n:]):
            term = per_array(y, yhat)
            total = term if total is None else total + term
        return total

    return loss_para(B, trace(fn, B @ B))


def mse(B: TyLike) -> Para:
    """The squared-error loss ``(B, (y, ŷ) ↦ ½ ‖ŷ − y‖²)``, a Para morphism ``B → Array(())``.

    The value is ``optax.l2_loss(ŷ, y).sum()`` (optax's ``l2_loss`` is ``½ (ŷ − y)²``
    elementwise); ``R`` gives ``∂/∂ŷ = ŷ − y`` and ``∂/∂y = y − ŷ``.

    Reference: [CFGBL §3.2] (MSE); ``optax.l2_loss``.

    >>> from catgrad import Array
    >>> mse(Array((3,)))
    <Para f32[3] → f32[] with parameters f32[3]>
    """
    B = _prediction_type("mse", B, "float")

    def per_array(y, yhat):
        d = yhat - y
        return scale(cg_sum(d * d), 0.5)

    return _scalar_loss("mse", B, per_array)


def softmax_cross_entropy(B: TyLike) -> Para:
    """Softmax cross-entropy ``(B, (y, ŷ) ↦ −Σᵢ yᵢ log softmax(ŷ)ᵢ)`` along the last axis.

    ``y`` holds target probabilities (e.g. one-hot), ``ŷ`` the logits. Computed as
    ``−Σ y·(ŷ − logsumexp(ŷ))`` so large logits stay finite; ``R`` gives
    ``∂/∂ŷ = softmax(ŷ)·Σy − y``. For arrays of rank > 1 the per-row losses are summed.
    Equals ``optax.softmax_cross_entropy(ŷ, y).sum()``.

    Reference: [CFGBL §3.2, §6]; ``optax.softmax_cross_entropy``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
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

    return _scalar_loss("softmax_cross_entropy", B, per_array)


def binary_cross_entropy(B: TyLike, from_logits: bool = False) -> Para:
    """Binary cross-entropy ``(B, (y, ŷ) ↦ −Σ [y log p + (1 − y) log(1 − p)])``.

    With ``from_logits=False`` the prediction is the probability ``p = ŷ`` (e.g. a sigmoid
    output) and the formula is used as written (``p`` must lie in (0, 1)). With
    ``from_logits=True`` the prediction is the logit ``x`` with ``p = σ(x)``, and the loss
    is computed stably as ``relu(x) − y·x + log(1 + exp(x − 2 relu(x)))`` (the last term is
    ``log(1 + e^{−|x|})``), finite for any logit; written this way ``R`` gives exactly
    ``σ(x) − y``, at ``x = 0`` too. Equals ``optax.sigmoid_binary_cross_entropy(x, y).sum()``.

    Reference: [CFGBL §3.2]; ``optax.sigmoid_binary_cross_entropy``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
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

    return _scalar_loss("binary_cross_entropy", B, per_array)


def xor_loss(B: TyLike) -> Para:
    """The Z2 loss ``(B, (y, ŷ) ↦ ŷ + y)`` on boolean wires (``+`` is XOR), a Para ``B → B``.

    The loss is 1 exactly where the prediction differs from the target; with the identity
    learning rate it is the signal that reverse derivative ascent sends back.

    Reference: [RDA §3–4], [CFGBL §5].

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> loss = xor_loss(Array((2,), "bool"))
    >>> to_jax(loss.map)(jnp.array([True, False]), jnp.array([True, True]))
    (Array([False,  True], dtype=bool),)
    """
    B = _prediction_type("xor_loss", B, "bool")
    n = len(B)
    return loss_para(B, trace(lambda *ws: tuple(yhat + y for y, yhat in zip(ws[:n], ws[n:])), B @ B))


__all__ = ["loss_para", "mse", "softmax_cross_entropy", "binary_cross_entropy", "xor_loss"]
