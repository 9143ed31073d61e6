"""The category Learn of Fong, Spivak and Tuyéras [BaF §II].

A learner ``A → B`` is a tuple ``(P, I, U, r)``: a parameter object ``P``, an implementation
``I: P × A → B``, an update ``U: P × A × B → P`` and a request ``r: P × A × B → A``; here the
three maps are catgrad diagrams, so they draw, have formulas and compile. Learners are equal up
to a bijection of parameter objects commuting with ``I``, ``U`` and ``r`` (``Learner.transport``).

- composition ``(P, I, U, r) ; (Q, J, V, s) = (P × Q, I∗J, U∗V, r∗s)`` with
  ``(I∗J)(p, q, a) = J(q, I(p, a))``,
  ``(U∗V)(p, q, a, c) = (U(p, a, s(q, I(p, a), c)), V(q, I(p, a), c))``,
  ``(r∗s)(p, q, a, c) = r(p, a, s(q, I(p, a), c))``;
- identity ``(1, 1_A, !, (a, a') ↦ a')``;
- monoidal product ``(P × Q, I × J, U × V, r × s)``, the two learners side by side.

>>> from catgrad import Array, trace
>>> R = Array(())
>>> shift = Learner(R, R, R, trace(lambda p, a: a + p, R, R),
...                 trace(lambda p, a, b: p + (b - (a + p)), R, R, R), trace(lambda p, a, b: b - p, R, R, R))
>>> (shift >> shift).param
Ty(f32[], f32[])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import jax

from ..core.category import Composable
from ..core.diagram import Diagram, discard, identity, proj, trace
from ..core.objects import Ty, TyLike, as_ty
from ..semantics.jax import to_jax


def call(d: Diagram, *wires) -> tuple:
    """Splice the diagram ``d`` onto ``wires`` inside ``trace``; always a tuple of output wires.

    >>> from catgrad import Array, exp, trace
    >>> trace(lambda x: call(exp(Array(())), x), Array(())).size
    1
    """
    out = d(*wires)
    return out if isinstance(out, tuple) else (out,)


@dataclass(frozen=True)
class Learner(Composable):
    """A learner ``(P, I, U, r): A → B`` of the category Learn [BaF §II].

    Args:
        param: the parameter object ``P`` (a Ty).
        dom: ``A``.
        cod: ``B``.
        implement: ``I: P × A → B``.
        update: ``U: P × A × B → P``.
        request: ``r: P × A × B → A``.
        init_fn: optional ``key -> list of arrays`` in ``P``'s wire order.

    >>> from catgrad import Array, trace, to_jax
    >>> R = Array(())
    >>> l = Learner.identity(R)
    >>> to_jax(l.request)(1.0, 2.0)[0].item()
    2.0
    """

    param: Ty
    dom: Ty
    cod: Ty
    implement: Diagram
    update: Diagram
    request: Diagram
    init_fn: Optional[Callable[[Any], list]] = field(default=None, compare=False)

    def __post_init__(self):
        for name in ("param", "dom", "cod"):
            object.__setattr__(self, name, as_ty(getattr(self, name)))
        P, A, B = self.param, self.dom, self.cod
        for name, d, dom, cod in (("implement", self.implement, P @ A, B), ("update", self.update, P @ A @ B, P),
                                  ("request", self.request, P @ A @ B, A)):
            if not isinstance(d, Diagram):
                raise TypeError(f"Learner: {name} must be a Diagram, got {type(d).__name__}")
            if d.dom != dom or d.cod != cod:
                raise TypeError(f"Learner: {name} must be a diagram {dom} → {cod}, got {d.dom} → {d.cod}")

    # -- the category -------------------------------------------------------------
    @staticmethod
    def identity(A: TyLike) -> "Learner":
        """The identity ``(1, 1_A, !, (a, a') ↦ a')`` on ``A``.

        >>> from catgrad import Array
        >>> Learner.identity(Array((2,))).request.dom
        Ty(f32[2], f32[2])
        """
        A = as_ty(A)
        return Learner(Ty(), A, A, identity(A), discard(A @ A), proj(A, A, 1), lambda key: [])

    def then(self, other: "Learner") -> "Learner":
        """``(P, I, U, r) ; (Q, J, V, s) = (P × Q, I∗J, U∗V, r∗s)`` [BaF §II] (see the module docstring).

        >>> from catgrad import Array
        >>> A = Array((2,))
        >>> (Learner.identity(A) >> Learner.identity(A)).param
        Ty()
        """
        if not isinstance(other, Learner):
            raise TypeError(f"cannot compose a Learner with {type(other).__name__} {other!r}")
        if self.cod != other.dom:
            raise TypeError(f"cannot compose learners: the codomain {self.cod} of the first is not the "
                            f"domain {other.dom} of the second")
        P, Q, A, C = self.param, other.param, self.dom, other.cod
        nP, nQ, nA = len(P), len(Q), len(A)
        I, U, r, J, V, s = self.implement, self.update, self.request, other.implement, other.update, other.request

        def split(ws):
            return ws[:nP], ws[nP:nP + nQ], ws[nP + nQ:nP + nQ + nA], ws[nP + nQ + nA:]

        def implement(*ws):
            p, q, a, _ = split(ws)
            return call(J, *q, *call(I, *p, *a))

        def update(*ws):
            p, q, a, c = split(ws)
            b = call(I, *p, *a)
            return (*call(U, *p, *a, *call(s, *q, *b, *c)), *call(V, *q, *b, *c))

        def request(*ws):
            p, q, a, c = split(ws)
            b = call(I, *p, *a)
            return call(r, *p, *a, *call(s, *q, *b, *c))

        return Learner(P @ Q, A, C, trace(implement, P @ Q @ A), trace(update, P @ Q @ A @ C),
                       trace(request, P @ Q @ A @ C), _init_product(self, other))

    def tensor(self, other: "Learner") -> "Learner":
        """``(P, I, U, r) ⊗ (Q, J, V, s) = (P × Q, I × J, U × V, r × s)``: side by side.

        >>> from catgrad import Array
        >>> (Learner.identity(Array(())) @ Learner.identity(Array((2,)))).dom
        Ty(f32[], f32[2])
        """
        if not isinstance(other, Learner):
            raise TypeError(f"cannot tensor a Learner with {type(other).__name__} {other!r}")
        P, Q, A, B, C, D = self.param, other.param, self.dom, self.cod, other.dom, other.cod
        nP, nQ, nA, nC, nB = len(P), len(Q), len(A), len(C), len(B)

        def implement(*ws):
            p, q, a, c = ws[:nP], ws[nP:nP + nQ], ws[nP + nQ:nP + nQ + nA], ws[nP + nQ + nA:]
            return (*call(self.implement, *p, *a), *call(other.implement, *q, *c))

        def split(ws):
            p, q = ws[:nP], ws[nP:nP + nQ]
            rest = ws[nP + nQ:]
            a, c, rest = rest[:nA], rest[nA:nA + nC], rest[nA + nC:]
            return p, q, a, c, rest[:nB], rest[nB:]

        def update(*ws):
            p, q, a, c, b, d = split(ws)
            return (*call(self.update, *p, *a, *b), *call(other.update, *q, *c, *d))

        def request(*ws):
            p, q, a, c, b, d = split(ws)
            return (*call(self.request, *p, *a, *b), *call(other.request, *q, *c, *d))

        dom = P @ Q @ A @ C @ B @ D
        return Learner(P @ Q, A @ C, B @ D, trace(implement, P @ Q @ A @ C), trace(update, dom),
                       trace(request, dom), _init_product(self, other))

    # -- equality up to a parameter bijection --------------------------------------
    def transport(self, iso: Diagram, inverse: Diagram) -> "Learner":
        """The same learner on parameters ``Q`` through a bijection ``iso: P → Q`` with inverse ``inverse``:
        ``(Q, (iso⁻¹ × 1) ; I, (iso⁻¹ × 1) ; U ; iso, (iso⁻¹ × 1) ; r)``. Two learners are equal in
        Learn when one is the other transported.

        >>> from catgrad import Array, swap
        >>> l = Learner.identity(Array(()))
        >>> l.transport(identity(Ty()), identity(Ty())).param
        Ty()
        """
        P = self.param
        if iso.dom != P or inverse.cod != P or iso.cod != inverse.dom:
            raise TypeError(f"transport: need iso: {P} → Q and inverse: Q → {P}, got {iso.dom} → {iso.cod} "
                            f"and {inverse.dom} → {inverse.cod}")
        A, B = self.dom, self.cod
        init = None if self.init_fn is None else (
            lambda key: list(_run(iso, self.init_fn(key))))
        return Learner(iso.cod, A, B, (inverse @ identity(A)) >> self.implement,
                       (inverse @ identity(A @ B)) >> self.update >> iso,
                       (inverse @ identity(A @ B)) >> self.request, init)

    # -- running ---------------------------------------------------------------------
    def init(self, key) -> list:
        """Initial parameters (a list of arrays in ``P``'s wire order) from a PRNG key.

        >>> import jax
        >>> from catgrad import Array
        >>> Learner.identity(Array(())).init(jax.random.PRNGKey(0))
        []
        """
        if self.init_fn is None:
            raise ValueError(f"{self!r} has no initialiser: pass parameters explicitly")
        return list(self.init_fn(key))

    def step_diagram(self) -> Diagram:
        """``⟨U, r, I⟩: P × A × B → P × A × B'``: the update, the request and the prediction as one diagram.

        >>> from catgrad import Array
        >>> Learner.identity(Array(())).step_diagram().cod
        Ty(f32[], f32[])
        """
        P, A, B = self.param, self.dom, self.cod
        nP, nA = len(P), len(A)

        def step(*ws):
            p, a, b = ws[:nP], ws[nP:nP + nA], ws[nP + nA:]
            return (*call(self.update, *p, *a, *b), *call(self.request, *p, *a, *b), *call(self.implement, *p, *a))

        return trace(step, P @ A @ B)

    def __repr__(self):
        return f"<Learner {self.dom} → {self.cod} with parameters {self.param}>"


def _run(d: Diagram, args) -> tuple:
    return to_jax(d)(*args)


def _init_product(first: Learner, second: Learner):
    if (first.init_fn is None and len(first.param)) or (second.init_fn is None and len(second.param)):
        return None

    def init(key):
        k1, k2 = jax.random.split(key)
        a = list(first.init_fn(k1)) if len(first.param) else []
        b = list(second.init_fn(k2)) if len(second.param) else []
        return a + b
    return init
