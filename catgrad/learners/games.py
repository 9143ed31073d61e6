"""From open learners to open games [OLOG].

An open game ``G: (X, S) → (Y, R)`` has strategies ``Σ``, play ``Σ × X → Y``, coplay ``Σ × X × R → S`` and
a best response: given a context (a state ``x`` and a continuation ``k: Y → R``), which strategies
answer a strategy profile ``σ``. Here best responses are deterministic (the games of learners): a map
``β_k: Σ × X → Σ`` for each continuation, and ``σ`` is an *equilibrium* in the context ``(x, k)`` when
``β_k(σ, x) = σ``. Continuations are diagrams ``K × Y → R`` that may read extra wires ``K`` (the
strategies of the rest of a composite, or a target), so ``respond(k)`` is a diagram ``K × Σ × X → Σ``.

- sequential ``G ; H``: ``Σ_G × Σ_H``, play ``H(τ, G(σ, x))``, coplay ``G*(σ, x, H*(τ, G(σ, x), q))``,
  best response ``(β^G_{k_G}(σ, x), β^H_k(τ, G(σ, x)))`` with ``k_G(y) = H*(τ, y, k(H(τ, y)))``;
- parallel ``G ⊗ H``: each player answers the continuation with the other's play fixed:
  ``k₁(y₁) = π₁ k(y₁, H(τ, x₂))``, ``k₂(y₂) = π₂ k(G(σ, x₁), y₂)``.

**The functor** ``learner_to_game``: a learner ``(P, I, U, r): A → B`` is the game ``(A, A) → (B, B)``
with ``Σ = P``, play ``I``, coplay ``r`` and best response ``β_k(p, a) = U(p, a, k(I(p, a)))``: the
parameter is the player and its best response is the update against the target that the continuation
sends back. With ``k`` the constant continuation at a data set's targets, an equilibrium is a parameter
the update leaves unchanged: for ``L_{ε,e}`` a zero of the gradient of the total error.

>>> from catgrad import nn
>>> from catgrad.learners import L
>>> g = learner_to_game(L(nn.dense(2, 1), 0.1))
>>> sorted(t.shape for t in g.strategies), g.play.cod
([(1,), (1, 2)], Ty(f32[1]))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..core.category import Composable
from ..core.diagram import Diagram, trace
from ..core.objects import Ty, TyLike, as_ty
from ..semantics.jax import to_jax
from .learn_category import Learner, call


@dataclass(frozen=True)
class OpenGame(Composable):
    """An open game ``(X, S) → (Y, R)`` with strategies ``Σ`` and a deterministic best response.

    Args:
        strategies: ``Σ``.
        X, S, Y, R: the four boundary objects.
        play: ``Σ × X → Y``.
        coplay: ``Σ × X × R → S``.
        best_response: ``k ↦ β_k``: for a continuation ``k: K × Y → R`` (a diagram) and its extra wires
            ``K``, a diagram ``K × Σ × X → Σ``.

    >>> from catgrad import Array
    >>> g = learner_to_game(Learner.identity(Array(())))
    >>> g.respond(g.constant_continuation(), g.R).cod
    Ty()
    """

    strategies: Ty
    X: Ty
    S: Ty
    Y: Ty
    R: Ty
    play: Diagram
    coplay: Diagram
    best_response: Callable[[Diagram, Ty], Diagram]

    def __post_init__(self):
        for name in ("strategies", "X", "S", "Y", "R"):
            object.__setattr__(self, name, as_ty(getattr(self, name)))
        St = self.strategies
        for name, d, dom, cod in (("play", self.play, St @ self.X, self.Y),
                                  ("coplay", self.coplay, St @ self.X @ self.R, self.S)):
            if not isinstance(d, Diagram) or d.dom != dom or d.cod != cod:
                raise TypeError(f"OpenGame: {name} must be a diagram {dom} → {cod}, got {d!r}")

    def respond(self, k: Diagram, K: TyLike = Ty()) -> Diagram:
        """``β_k: K × Σ × X → Σ`` for the continuation ``k: K × Y → R``.

        >>> from catgrad import Array
        >>> R = Array(())
        >>> g = learner_to_game(Learner.identity(R))
        >>> g.respond(g.constant_continuation(), g.R).dom
        Ty(f32[], f32[])
        """
        K = as_ty(K)
        if k.dom != K @ self.Y or k.cod != self.R:
            raise TypeError(f"respond: the continuation must be a diagram {K @ self.Y} → {self.R}, got {k.dom} → {k.cod}")
        out = self.best_response(k, K)
        if out.dom != K @ self.strategies @ self.X or out.cod != self.strategies:
            raise TypeError(f"respond: the best response must be {K @ self.strategies @ self.X} → {self.strategies}")
        return out

    def constant_continuation(self) -> Diagram:
        """The continuation ``(r, y) ↦ r`` that answers every outcome with the target ``r`` (read from
        ``K = R``): the context of a supervised example.

        >>> from catgrad import Array
        >>> learner_to_game(Learner.identity(Array((2,)))).constant_continuation().dom
        Ty(f32[2], f32[2])
        """
        nR = len(self.R)
        return trace(lambda *ws: ws[:nR], self.R @ self.Y)

    def is_equilibrium(self, strategy, x, target, atol: float = 1e-6) -> bool:
        """Whether ``strategy`` is an equilibrium in the context of the state ``x`` and the constant
        continuation at ``target``: ``β_k(σ, x) = σ`` to ``atol`` (lists of arrays in wire order).

        >>> import numpy as np
        >>> from catgrad import Array
        >>> learner_to_game(Learner.identity(Array(()))).is_equilibrium([], [np.float32(1)], [np.float32(2)])
        True
        """
        beta = to_jax(self.respond(self.constant_continuation(), self.R))
        new = beta(*target, *strategy, *x)
        return all(np.allclose(np.asarray(a), np.asarray(b), rtol=0, atol=atol) for a, b in zip(new, strategy))

    # -- composition ---------------------------------------------------------------
    def then(self, other: "OpenGame") -> "OpenGame":
        """Sequential composition ``G ; H`` (module docstring).

        >>> from catgrad import Array
        >>> g = learner_to_game(Learner.identity(Array(())))
        >>> (g >> g).strategies
        Ty()
        """
        if not isinstance(other, OpenGame):
            raise TypeError(f"cannot compose an OpenGame with {type(other).__name__}")
        if (self.Y, self.R) != (other.X, other.S):
            raise TypeError(f"cannot compose open games: ({self.Y}, {self.R}) is not ({other.X}, {other.S})")
        G, H = self, other
        SG, SH, X = G.strategies, H.strategies, G.X
        nG, nH, nX = len(SG), len(SH), len(X)

        def play(*ws):
            s, t, x = ws[:nG], ws[nG:nG + nH], ws[nG + nH:nG + nH + nX]
            return call(H.play, *t, *call(G.play, *s, *x))

        def coplay(*ws):
            s, t, x, q = ws[:nG], ws[nG:nG + nH], ws[nG + nH:nG + nH + nX], ws[nG + nH + nX:]
            y = call(G.play, *s, *x)
            return call(G.coplay, *s, *x, *call(H.coplay, *t, *y, *q))

        def best_response(k: Diagram, K: Ty) -> Diagram:
            nK = len(K)

            def k_G(*ws):  # (κ, τ, y) ↦ H*(τ, y, k(κ, H(τ, y)))
                kappa, t, y = ws[:nK], ws[nK:nK + nH], ws[nK + nH:]
                return call(H.coplay, *t, *y, *call(k, *kappa, *call(H.play, *t, *y)))

            beta_G = G.respond(trace(k_G, K @ SH @ G.Y), K @ SH)
            beta_H = H.respond(k, K)

            def beta(*ws):
                kappa, s, t, x = ws[:nK], ws[nK:nK + nG], ws[nK + nG:nK + nG + nH], ws[nK + nG + nH:]
                y = call(G.play, *s, *x)
                return (*call(beta_G, *kappa, *t, *s, *x), *call(beta_H, *kappa, *t, *y))

            return trace(beta, K @ SG @ SH @ X)

        return OpenGame(SG @ SH, X, G.S, H.Y, H.R, trace(play, SG @ SH @ X), trace(coplay, SG @ SH @ X @ H.R),
                        best_response)

    def tensor(self, other: "OpenGame") -> "OpenGame":
        """Parallel composition ``G ⊗ H`` (module docstring).

        >>> from catgrad import Array
        >>> g = learner_to_game(Learner.identity(Array(())))
        >>> (g @ g).X
        Ty(f32[], f32[])
        """
        if not isinstance(other, OpenGame):
            raise TypeError(f"cannot tensor an OpenGame with {type(other).__name__}")
        G, H = self, other
        SG, SH = G.strategies, H.strategies
        nG, nH, nX1, nX2, nR1 = len(SG), len(SH), len(G.X), len(H.X), len(G.R)

        def split(ws):
            s, t, rest = ws[:nG], ws[nG:nG + nH], ws[nG + nH:]
            return s, t, rest[:nX1], rest[nX1:nX1 + nX2], rest[nX1 + nX2:]

        def play(*ws):
            s, t, x1, x2, _ = split(ws)
            return (*call(G.play, *s, *x1), *call(H.play, *t, *x2))

        def coplay(*ws):
            s, t, x1, x2, r = split(ws)
            return (*call(G.coplay, *s, *x1, *r[:nR1]), *call(H.coplay, *t, *x2, *r[nR1:]))

        def best_response(k: Diagram, K: Ty) -> Diagram:
            nK = len(K)

            def k1(*ws):  # (κ, τ, x₂, y₁) ↦ π₁ k(κ, y₁, H(τ, x₂))
                kappa, t, x2, y1 = ws[:nK], ws[nK:nK + nH], ws[nK + nH:nK + nH + nX2], ws[nK + nH + nX2:]
                return call(k, *kappa, *y1, *call(H.play, *t, *x2))[:nR1]

            def k2(*ws):  # (κ, σ, x₁, y₂) ↦ π₂ k(κ, G(σ, x₁), y₂)
                kappa, s, x1, y2 = ws[:nK], ws[nK:nK + nG], ws[nK + nG:nK + nG + nX1], ws[nK + nG + nX1:]
                return call(k, *kappa, *call(G.play, *s, *x1), *y2)[nR1:]

            beta_1 = G.respond(trace(k1, K @ SH @ H.X @ G.Y), K @ SH @ H.X)
            beta_2 = H.respond(trace(k2, K @ SG @ G.X @ H.Y), K @ SG @ G.X)

            def beta(*ws):
                kappa = ws[:nK]
                s, t, x1, x2, _ = split(ws[nK:])
                return (*call(beta_1, *kappa, *t, *x2, *s, *x1), *call(beta_2, *kappa, *s, *x1, *t, *x2))

            return trace(beta, K @ SG @ SH @ G.X @ H.X)

        return OpenGame(SG @ SH, G.X @ H.X, G.S @ H.S, G.Y @ H.Y, G.R @ H.R, trace(play, SG @ SH @ G.X @ H.X),
                        trace(coplay, SG @ SH @ G.X @ H.X @ G.R @ H.R), best_response)

    def __repr__(self):
        return f"<OpenGame ({self.X}, {self.S}) → ({self.Y}, {self.R}) with strategies {self.strategies}>"


def learner_to_game(learner: Learner) -> OpenGame:
    """``(P, I, U, r) ↦`` the game ``(A, A) → (B, B)``: strategies ``P``, play ``I``, coplay ``r``,
    best response ``β_k(κ, p, a) = U(p, a, k(κ, I(p, a)))`` [OLOG].

    >>> from catgrad import Array
    >>> learner_to_game(Learner.identity(Array(()))).coplay.dom
    Ty(f32[], f32[])
    """
    if not isinstance(learner, Learner):
        raise TypeError(f"learner_to_game: expects a Learner, got {type(learner).__name__}")
    P, A, B = learner.param, learner.dom, learner.cod
    nP = len(P)

    def best_response(k: Diagram, K: Ty) -> Diagram:
        nK = len(K)

        def beta(*ws):
            kappa, p, a = ws[:nK], ws[nK:nK + nP], ws[nK + nP:]
            return call(learner.update, *p, *a, *call(k, *kappa, *call(learner.implement, *p, *a)))

        return trace(beta, K @ P @ A)

    return OpenGame(P, A, A, B, B, learner.implement, learner.request, best_response)
