"""Lenses and learners [LL]: asymmetric lenses are learners, learners are symmetric lenses.

**Lens → Learn.** An asymmetric lens ``(get: A → B, put: A × B → A)`` is the learner with trivial
parameters ``(1, get, !, put)`` (``lens_to_learner``): a faithful, identity-on-objects, symmetric
monoidal functor (the learner's composite ``r∗s(a, c) = r(a, s(I(a), c))`` *is* the lens composite).

**Learn → SLens.** A symmetric lens is a span of asymmetric lenses ``A ← X → B`` (``Span``). A learner
``(P, I, U, r): A → B`` is the span with apex ``X = P × A`` (``learner_to_span``):

- left leg, the constant-complement lens ``P × A → A``: get ``(p, a) ↦ a``, put ``((p, a), a') ↦ (p, a')``;
- right leg ``P × A → B``: get ``I``, put ``((p, a), b) ↦ (U(p, a, b), r(p, a, b))``.

Spans whose left legs are constant-complement lenses ``C × A → A`` compose through the pullback of the
first span's right leg ``X → B`` along the second's left leg ``D × B → B``: the pullback apex is
``X × D``, with the lenses ``X × D → X`` (get the projection, put ``((x, d), x') ↦ (x', d)``, constant
complement again) and ``X × D → D × B`` (get ``(x, d) ↦ (d, get(x))``, put
``((x, d), (d', b')) ↦ (put(x, b'), d')``); the composite span is ``A ← X × D → E`` through those
legs (composed as catgrad lenses), its apex reordered to ``(C × D) × A``. ``learner_to_span`` then sends
``f ; g`` to the composite of the spans (tests compare both legs on values).

>>> from catgrad import Array, Lens, exp, identity
>>> R = Array(())
>>> lens_to_learner(Lens.of(exp(R))).param
Ty()
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.category import Composable
from ..core.diagram import discard, proj, trace, wiring
from ..core.objects import Ty, TyLike, as_ty
from ..lens import Lens
from .learn_category import Learner, call


def lens_to_learner(lens: Lens) -> Learner:
    """``(get, put) ↦ (1, get, !, put)`` for an asymmetric lens ``(A, A) → (B, B)`` [LL].

    >>> from catgrad import Array, Lens, sigmoid
    >>> lens_to_learner(Lens.of(sigmoid(Array((2,))))).update.cod
    Ty()
    """
    if not isinstance(lens, Lens):
        raise TypeError(f"lens_to_learner: expects a Lens, got {type(lens).__name__}")
    (A, Ap), (B, Bp) = lens.dom, lens.cod
    if Ap != A or Bp != B:
        raise TypeError(f"lens_to_learner: needs an asymmetric lens (A, A) → (B, B), got ({A}, {Ap}) → ({B}, {Bp})")
    return Learner(Ty(), A, B, lens.fwd, discard(A @ B), lens.bwd, lambda key: [])


def constant_complement(C: TyLike, A: TyLike) -> Lens:
    """The constant-complement lens ``C × A → A``: get ``(c, a) ↦ a``, put ``((c, a), a') ↦ (c, a')``.

    >>> from catgrad import Array
    >>> constant_complement(Array(()), Array((2,))).fwd.cod
    Ty(f32[2])
    """
    C, A = as_ty(C), as_ty(A)
    nC, nA = len(C), len(A)
    return Lens(proj(C, A, 1), wiring(C @ A @ A, [*range(nC), *range(nC + nA, nC + 2 * nA)]))


def iso_lens(get, inverse) -> Lens:
    """The lens of an isomorphism ``get: Y → X`` with inverse ``inverse``: put ``(y, x') ↦ inverse(x')``.

    >>> from catgrad import Array, swap
    >>> R = Array(())
    >>> iso_lens(swap(R, R), swap(R, R)).bwd.dom
    Ty(f32[], f32[], f32[], f32[])
    """
    if get.cod != inverse.dom or inverse.cod != get.dom:
        raise TypeError(f"iso_lens: need get: Y → X and inverse: X → Y, got {get.dom} → {get.cod} and "
                        f"{inverse.dom} → {inverse.cod}")
    return Lens(get, proj(get.dom, get.cod, 1) >> inverse)


@dataclass(frozen=True)
class Span(Composable):
    """A symmetric lens as a span of asymmetric lenses ``A ← X → B``: ``left: (X, X) → (A, A)`` and
    ``right: (X, X) → (B, B)``. ``complement`` is ``C`` when the left leg is ``constant_complement(C, A)``
    (``X = C × A``; spans of that kind compose, see the module docstring), else None.

    >>> from catgrad import Array
    >>> s = learner_to_span(Learner.identity(Array(())))
    >>> s.apex, s.dom, s.cod
    (Ty(f32[]), Ty(f32[]), Ty(f32[]))
    """

    left: Lens
    right: Lens
    complement: Ty = None

    def __post_init__(self):
        for name in ("left", "right"):
            leg = getattr(self, name)
            if not isinstance(leg, Lens):
                raise TypeError(f"Span: the {name} leg must be a Lens, got {type(leg).__name__}")
            (X, Xp), (B, Bp) = leg.dom, leg.cod
            if Xp != X or Bp != B:
                raise TypeError(f"Span: the {name} leg must be an asymmetric lens (X, X) → (B, B), got {leg!r}")
        if self.left.dom != self.right.dom:
            raise TypeError(f"Span: the legs must share their apex, got {self.left.dom[0]} and {self.right.dom[0]}")
        if self.complement is not None:
            C = as_ty(self.complement)
            object.__setattr__(self, "complement", C)
            if C @ self.dom != self.apex:
                raise TypeError(f"Span: complement {C} and domain {self.dom} do not make the apex {self.apex}")

    @staticmethod
    def of_complement(C: TyLike, right: Lens) -> "Span":
        """The span ``A ← C × A → B`` with left leg ``constant_complement(C, A)`` and the given right leg.

        >>> from catgrad import Array, Lens, mul
        >>> R = Array(())
        >>> Span.of_complement(R, Lens.of(mul(R))).dom
        Ty(f32[])
        """
        C = as_ty(C)
        X = right.dom[0]
        if X[:len(C)] != C:
            raise TypeError(f"Span.of_complement: the right leg's apex {X} must start with the complement {C}")
        return Span(constant_complement(C, X[len(C):]), right, C)

    @property
    def apex(self) -> Ty:
        """``X``."""
        return self.left.dom[0]

    @property
    def dom(self) -> Ty:
        return self.left.cod[0]

    @property
    def cod(self) -> Ty:
        return self.right.cod[0]

    def then(self, other: "Span") -> "Span":
        """The composite ``A ← X × D → E`` through the pullback of ``X → B ← D × B`` (module docstring),
        for ``other`` with a constant-complement left leg; the apex is reordered to ``(C × D) × A`` when
        ``self`` has one too.

        >>> from catgrad import Array
        >>> s = learner_to_span(Learner.identity(Array(())))
        >>> (s >> s).apex
        Ty(f32[])
        """
        if not isinstance(other, Span):
            raise TypeError(f"cannot compose a Span with {type(other).__name__} {other!r}")
        if self.cod != other.dom:
            raise TypeError(f"cannot compose spans: the codomain {self.cod} of the first is not the domain {other.dom}")
        if other.complement is None:
            raise TypeError("Span composition: the second span's left leg must be a constant-complement lens")
        X, D, B = self.apex, other.complement, self.cod
        nX, nD = len(X), len(D)
        r = self.right

        def second_put(*ws):
            x, d2, b2 = ws[:nX], ws[nX + nD:nX + 2 * nD], ws[nX + 2 * nD:]
            return (*call(r.bwd, *x, *b2), *d2)

        # the pullback of X → B ← D × B: apex X × D, two legs
        to_first = Lens(proj(X, D, 0), wiring(X @ D @ X, [*range(nX + nD, 2 * nX + nD), *range(nX, nX + nD)]))
        to_second = Lens(trace(lambda *ws: (*ws[nX:], *call(r.fwd, *ws[:nX])), X @ D),
                         trace(second_put, X @ D @ D @ B))
        left, right = to_first >> self.left, to_second >> other.right
        if self.complement is None:
            return Span(left, right)
        C, A = self.complement, self.dom
        nC, nA = len(C), len(A)
        to_cad = wiring(C @ D @ A, [*range(nC), *range(nC + nD, nC + nD + nA), *range(nC, nC + nD)])
        to_cda = wiring(X @ D, [*range(nC), *range(nC + nA, nC + nA + nD), *range(nC, nC + nA)])
        j = iso_lens(to_cad, to_cda)  # (C × D × A) ≅ (C × A × D) = X × D
        return Span(j >> left, j >> right, C @ D)

    def tensor(self, other: "Span") -> "Span":
        """Spans side by side: apex ``X × Y``; with complements, reordered to ``(C × C') × (A × A')``.

        >>> from catgrad import Array
        >>> s = learner_to_span(Learner.identity(Array(())))
        >>> (s @ s).dom
        Ty(f32[], f32[])
        """
        if not isinstance(other, Span):
            raise TypeError(f"cannot tensor a Span with {type(other).__name__} {other!r}")
        left, right = self.left @ other.left, self.right @ other.right
        if self.complement is None or other.complement is None:
            return Span(left, right)
        C, A, C2, A2 = self.complement, self.dom, other.complement, other.dom
        nC, nA, nC2, nA2 = len(C), len(A), len(C2), len(A2)
        to_split = wiring(C @ C2 @ A @ A2, [*range(nC), *range(nC + nC2, nC + nC2 + nA), *range(nC, nC + nC2),
                                            *range(nC + nC2 + nA, nC + nC2 + nA + nA2)])
        to_joined = wiring(C @ A @ C2 @ A2, [*range(nC), *range(nC + nA, nC + nA + nC2), *range(nC, nC + nA),
                                             *range(nC + nA + nC2, nC + nA + nC2 + nA2)])
        j = iso_lens(to_split, to_joined)
        return Span(j >> left, j >> right, C @ C2)

    def __repr__(self):
        return f"<Span {self.dom} ← {self.apex} → {self.cod}>"


def learner_to_span(learner: Learner) -> Span:
    """``(P, I, U, r) ↦ (A ← P × A → B)``: left leg constant complement, right leg ``(I, ⟨U, r⟩)`` [LL].

    >>> from catgrad import Array
    >>> learner_to_span(Learner.identity(Array((2,)))).right.fwd.cod
    Ty(f32[2])
    """
    if not isinstance(learner, Learner):
        raise TypeError(f"learner_to_span: expects a Learner, got {type(learner).__name__}")
    P, A, B = learner.param, learner.dom, learner.cod

    def put(*ws):
        return (*call(learner.update, *ws), *call(learner.request, *ws))

    return Span.of_complement(P, Lens(learner.implement, trace(put, P @ A @ B)))


def span_to_learner(span: Span) -> Learner:
    """The inverse on the image: ``(A ← C × A → B) ↦ (C, get, put ; π_C, put ; π_A)``.

    >>> from catgrad import Array
    >>> span_to_learner(learner_to_span(Learner.identity(Array(())))).param
    Ty()
    """
    if span.complement is None:
        raise TypeError("span_to_learner: needs a span whose left leg is a constant-complement lens")
    C, A, B = span.complement, span.dom, span.cod
    put = span.right.bwd
    return Learner(C, A, B, span.right.fwd, put >> proj(C, A, 0), put >> proj(C, A, 1))

