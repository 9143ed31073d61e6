"""Learning rates as lenses ``α: (L, L') → (1, 1)`` [CFGBL §3.3].

Forward ``! : L → 1``; backward the constant ``−α`` (the parameters receive ``−α ∇ₚ``, as from
``optax.sgd(α)``), or over Z2, where ``1 = −1``, the identity ``l ↦ l`` [RDA].
"""
from __future__ import annotations

import functools
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
    return functools.reduce(Diagram.__matmul__, (constant(t, value) for t in L), identity(Ty()))


@dataclass(frozen=True)
class LearningRate:
    """The learning rate ``α`` (``learning_rate``): ``.lens(L)`` is ``(!, l ↦ −α)``, ``(!, l ↦ l)`` over Z2."""

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
    """The identity learning rate ``(!, l ↦ l)``, the Z2 ``α`` of [RDA]; ``identity_rate() is identity_rate``.

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
    """The lens ``α: (L, L) → (1, 1)``, ``(!, l ↦ −α)``: ``gd`` then gives ``p' = p − α ∇ₚ loss`` [CFGBL §3.3].

    Adaptive optimisers (``adam``, ...) need ``g`` itself: use ``learning_rate(1.0)``.

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
