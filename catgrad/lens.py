"""Lenses over the syntax: the category Lens(C) [CFGBL §2.1].

An object is a pair ``(A, A')``; a lens ``(A, A') → (B, B')`` is a pair of diagrams
``(f, f*)`` with ``f: A → B`` (get, the forward map) and ``f*: A × B' → A'`` (put, the
backward map).

- composition ``(f, f*) ; (g, g*) = (f ; g, ⟨π₀, ⟨π₀ ; f, π₁⟩ ; g*⟩ ; f*)``;
- identity ``(1, π₁)``;
- tensor ``(f, f*) ⊗ (g, g*) = (f × g, ((a₁, a₂), (b₁', b₂')) ↦ (f*(a₁, b₁'), g*(a₂, b₂')))``;
- the functor ``R: C → Lens(C)``, ``f ↦ (f, R[f])`` (``Lens.of``), preserves composition
  and tensor: that is the chain rule RD.5.

>>> from catgrad import Array, sigmoid, exp
>>> A = Array((3,))
>>> l = Lens.of(sigmoid(A)) >> Lens.of(exp(A))
>>> l.dom == (Array((3,)), Array((3,)))
True
"""
from __future__ import annotations

from dataclasses import dataclass

from .drawing.data import Drawing
from .drawing.draw import Drawable
from .drawing.layout import SWEEPS
from .drawing.pictures import bands
from .core.category import Composable
from .core.diagram import Diagram, apply, identity, proj, trace, wires
from .core.objects import TyLike, as_ty
from .rdiff import boundary_names, cotangent, numbered, rdiff


@dataclass(frozen=True)
class Lens(Composable, Drawable):
    """A lens ``(A, A') → (B, B')``: ``fwd: A → B`` and ``bwd: A × B' → A'``.

    Args:
        fwd: the forward map (get) ``A → B``.
        bwd: the backward map (put) ``A × B' → A'``; its domain must start with ``A``.

    >>> from catgrad import Array, add, identity
    >>> step = Lens(identity(Array(())), add(Array(())))   # get p; put (p, v) ↦ p + v
    >>> step
    <Lens (f32[], f32[]) → (f32[], f32[])>
    """

    fwd: Diagram
    bwd: Diagram

    def __post_init__(self):
        if not isinstance(self.fwd, Diagram) or not isinstance(self.bwd, Diagram):
            raise TypeError(f"Lens(fwd, bwd) takes two diagrams, got {type(self.fwd).__name__} and {type(self.bwd).__name__}")
        A = self.fwd.dom
        if self.bwd.dom[: len(A)] != A:
            raise TypeError(f"Lens: the backward map's domain {self.bwd.dom} must start with the forward map's domain {A}")

    # (A, A') and (B, B')
    @property
    def dom(self) -> tuple:
        return (self.fwd.dom, self.bwd.cod)

    @property
    def cod(self) -> tuple:
        return (self.fwd.cod, self.bwd.dom[len(self.fwd.dom):])

    @staticmethod
    def of(f: Diagram) -> "Lens":
        """The functor ``R: C → Lens(C)``: ``f ↦ (f, R[f])``, a lens ``(A, A) → (B, B)``."""
        return Lens(f, rdiff(f))

    @staticmethod
    def identity(A: TyLike, A_prime: TyLike | None = None) -> "Lens":
        """The identity lens ``(1, π₁): (A, A') → (A, A')``."""
        A = as_ty(A)
        Ap = A if A_prime is None else as_ty(A_prime)
        return Lens(identity(A), proj(A, Ap, 1))

    def then(self, other: "Lens") -> "Lens":
        """``(f, f*) ; (g, g*) = (f ; g, ⟨π₀, ⟨π₀ ; f, π₁⟩ ; g*⟩ ; f*)``."""
        if not isinstance(other, Lens):
            raise TypeError(f"cannot compose a Lens with {type(other).__name__} {other!r}")
        (B, Bp), (C, Cp) = self.cod, other.dom
        if B != C or Bp != Cp:
            raise TypeError(f"cannot compose lenses: the codomain ({B}, {Bp}) of the first is not "
                            f"the domain ({C}, {Cp}) of the second")
        f, fs, gs = self.fwd, self.bwd, other.bwd
        nA = len(f.dom)

        def bwd(*ws):
            a, c_prime, x = ws[:nA], ws[nA:], _anchor(ws)
            b = wires(apply(f, *a, into=x.builder))
            b_prime = wires(apply(gs, *b, *c_prime, into=x.builder))
            return wires(apply(fs, *a, *b_prime, into=x.builder))

        return Lens(f >> other.fwd, trace(bwd, f.dom @ other.cod[1]))

    def tensor(self, other: "Lens") -> "Lens":
        """``(f, f*) ⊗ (g, g*) = (f × g, ((a₁,a₂),(b₁',b₂')) ↦ (f*(a₁,b₁'), g*(a₂,b₂')))``."""
        if not isinstance(other, Lens):
            raise TypeError(f"cannot tensor a Lens with {type(other).__name__} {other!r}")
        n1, n2 = len(self.fwd.dom), len(other.fwd.dom)
        m1 = len(self.cod[1])

        def bwd(*ws):
            a1, a2 = ws[:n1], ws[n1:n1 + n2]
            b1, b2 = ws[n1 + n2:n1 + n2 + m1], ws[n1 + n2 + m1:]
            x = _anchor(ws)
            return (*wires(apply(self.bwd, *a1, *b1, into=x.builder)),
                    *wires(apply(other.bwd, *a2, *b2, into=x.builder)))

        return Lens(self.fwd @ other.fwd, trace(bwd, self.fwd.dom @ other.fwd.dom @ self.cod[1] @ other.cod[1]))

    def named(self, name: str) -> "Lens":
        """Both maps inside the scope ``name`` (see ``Diagram.named``)."""
        return Lens(self.fwd.named(name), self.bwd.named(name))

    def rescoped(self, rename: dict) -> "Lens":
        """Both maps with their outermost scope names renamed (see ``Diagram.rescoped``)."""
        return Lens(self.fwd.rescoped(rename), self.bwd.rescoped(rename))

    def __repr__(self):
        (A, Ap), (B, Bp) = self.dom, self.cod
        return f"<Lens ({A}, {Ap}) → ({B}, {Bp})>"

    @property
    def size(self) -> int:
        """The number of operations of the two maps together."""
        return self.fwd.size + self.bwd.size

    def to_drawing(self, *, depth=None, types: bool = True, sweeps: int = SWEEPS, params: int = 0,
                   param_names=(), bundle: str = "", label: str = "") -> Drawing:
        """``(f, f*)`` as two bands (``catgrad.draw``): ``f`` on top, left to right, ``f*`` below, right to
        left; the first ``params`` inputs of ``f`` (named ``param_names``) enter from the top, bundled into
        one wire labelled ``bundle`` if it is given."""
        fwd, bwd = self.named(param_names)
        top = fwd.to_drawing(depth=depth, types=types, sweeps=sweeps, params=params, param_names=param_names,
                             bundle=bundle)
        bot = bwd.to_drawing(depth=depth, types=types, sweeps=sweeps)
        dom = [str(t) for t in self.fwd.dom]
        return bands(top, bot, dom[params:], dom[:params], label)


    def named(self, first=()) -> tuple:
        """``(f, f*)`` with their boundaries named as ``formula`` names a lens, ``f(x) = y``, ``f*(x, dy) = dx``:
        ``f``'s names (default ``x``, ``y``; the first inputs named ``first``), and the cotangents of those for
        ``f*`` (``dy``, ``dx``: ``catgrad.rdiff.cotangent``; numbered ``dy0, …`` when ``B'`` is not shaped like ``B``).

        >>> from catgrad import Array, sigmoid
        >>> f, f_star = Lens.of(sigmoid(Array((3,)))).named()
        >>> f.dom_names, f.cod_names, f_star.dom_names, f_star.cod_names
        (('x',), ('y',), ('x', 'dy'), ('dx',))
        """
        k = len(first)
        xs = list(first) + boundary_names(self.fwd.dom_names[k:], "x", len(self.fwd.dom) - k)
        ys = boundary_names(self.fwd.cod_names, "y", len(self.fwd.cod))
        dys = [cotangent(y) for y in ys] if len(ys) == len(self.cod[1]) else numbered("dy", len(self.cod[1]))
        dxs = [cotangent(x) for x in xs] if len(xs) == len(self.bwd.cod) else numbered("dx", len(self.bwd.cod))
        return self.fwd.with_names(xs, ys), self.bwd.with_names(xs + dys, dxs)


def _anchor(ws):
    if not ws:
        raise TypeError("a lens whose backward map has an empty domain has no wires to trace")
    return ws[0]
