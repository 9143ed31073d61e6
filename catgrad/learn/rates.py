"""Learning rates as lenses ``α: (L, L') → (1, 1)`` [CFGBL §3.3].

A learning rate closes off the loss: its forward map discards the loss value
(``! : L → 1``) and its backward map produces the signal that the loss lens sends back
towards the parameters. With the smooth semantics that signal is the constant ``−α``, so
the parameters receive ``−α ∇ₚ`` (what ``optax.sgd(α)`` adds to them). Over Z2 (boolean
wires) the only nonzero scalar is ``1 = −1`` and [RDA] takes ``α`` to be the identity:
the backward map returns the loss value itself, ``l ↦ l``.

>>> from catgrad import Array, to_jax
>>> import jax.numpy as jnp
>>> lr = learning_rate(0.1).lens(Array(()))
>>> to_jax(lr.fwd)(jnp.float32(3.0)), to_jax(lr.bwd)(jnp.float32(3.0))
((), (Array(-0.1, dtype=float32),))
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.diagram import Diagram, discard, identity
from ..core.generators import constant
from ..core.objects import Ty, TyLike, as_ty
from ..lens import Lens


def _loss_type(name: str, L: TyLike) -> Ty:
    L = as_ty(L)
    if len(L) == 0:
        raise TypeError(f"{name}: the loss object L must have at least one wire, got the unit 1")
    return L


def _constants(L: Ty, value: float) -> Diagram:
    """The constant map ``1 → L`` sending every wire of ``L`` to ``value``."""
    d = identity(Ty())
    for t in L:
        d = d @ constant(t, value)
    return d


@dataclass(frozen=True)
class LearningRate:
    """The learning rate ``α``: ``.lens(L)`` is ``(!, (l, ()) ↦ −α): (L, L) → (1, 1)``.

    Over boolean (Z2) loss wires the backward map is ``(l, ()) ↦ l`` (the Z2 ``α`` of [RDA]),
    whatever ``alpha`` is. Build with ``learning_rate``.
    """

    alpha: float

    def lens(self, L: TyLike) -> Lens:
        """The lens ``(L, L) → (1, 1)``: forward ``!``, backward ``l ↦ −α`` (``l ↦ l`` over Z2)."""
        L = _loss_type("learning_rate", L)
        if all(t.dtype == "bool" for t in L):
            return IdentityRate().lens(L)
        bad = [str(t) for t in L if not t.is_float]
        if bad:
            raise TypeError(f"learning_rate: the loss object L = {L} must be floating-point (or all bool for Z2),"
                            f" got wire(s) {', '.join(bad)}")
        return Lens(discard(L), discard(L) >> _constants(L, -self.alpha))


@dataclass(frozen=True)
class IdentityRate:
    """The identity learning rate: ``.lens(L)`` is ``(!, (l, ()) ↦ l): (L, L) → (1, 1)``.

    The Z2 learning rate of [RDA] (there ``α = 1 = −1``); on real wires it sends the loss
    value itself back (useful when the loss is already the signal wanted).
    Calling it returns itself, so ``identity_rate`` and ``identity_rate()`` are the same.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(identity_rate.lens(Array(())).bwd)(jnp.float32(3.0))
    (Array(3., dtype=float32),)
    """

    def lens(self, L: TyLike) -> Lens:
        """The lens ``(L, L) → (1, 1)``: forward ``!``, backward ``(l, ()) ↦ l``."""
        L = _loss_type("identity_rate", L)
        return Lens(discard(L), identity(L))

    def __call__(self) -> "IdentityRate":
        return self


def learning_rate(alpha: float) -> LearningRate:
    """The learning-rate lens ``α: (L, L) → (1, 1)``, forward ``!``, backward ``(l, ()) ↦ −α``.

    The constant ``−α`` has the type of ``L``; it is the cotangent fed to the loss lens,
    so the signal reaching the parameters is ``v = −α ∇ₚ loss`` and ``gd`` then gives
    ``p' = p + v = p − α ∇ₚ loss``. Adaptive optimisers (``adam``, ...) need ``g`` itself,
    so use them with ``learning_rate(1.0)`` (``v = −g``). Over Z2 the backward map is
    ``l ↦ l`` ([RDA]; see ``identity_rate``).

    Reference: [CFGBL §3.3]; ``optax.sgd`` for the sign convention.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(learning_rate(0.5).lens(Array(())).bwd)(jnp.float32(2.0))
    (Array(-0.5, dtype=float32),)
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise TypeError(f"learning_rate: alpha must be a real number, got {type(alpha).__name__} {alpha!r}")
    if not math.isfinite(alpha):
        raise ValueError(f"learning_rate: alpha must be finite, got {alpha!r}")
    if alpha <= 0:
        raise ValueError(f"learning_rate: alpha must be > 0 (the step p' = p − α ∇ₚ descends only for α > 0), "
                         f"got {alpha!r}")
    return LearningRate(float(alpha))


identity_rate = IdentityRate()
"""The identity learning rate ``(!, (l, ()) ↦ l): (L, L) → (1, 1)`` (the Z2 ``α`` of [RDA])."""
