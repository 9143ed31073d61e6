"""Equations as pictures: two or more drawings side by side with ``=`` between them.

An axiom of a reverse-derivative category is an equation between two string diagrams (RD.1–RD.7
[RDC] are drawn this way); ``draw_equation(lhs, rhs)`` lays the sides out left to right, each centred
vertically on the middle line, with the symbol half-way between neighbouring sides. It works on
:class:`~catgrad.drawing.data.Drawing` data only: a side that is a Diagram, Lens, Para or Learner is
drawn first by ``draw`` (it draws itself), so drawing still knows nothing of the constructions.

>>> from catgrad.drawing.data import Box, Drawing
>>> a = Drawing(boxes=(Box("f", 0, 0, 30, 20),), width=30, height=20)
>>> b = Drawing(boxes=(Box("g", 0, 0, 30, 60),), width=30, height=60)
>>> e = equation(a, b)
>>> [(x.label, x.x, x.y) for x in e.boxes], [(t.text, t.x) for t in e.texts], (e.width, e.height)
([('f', 0.0, 20.0), ('g', 77.2, 0.0)], [('=', 53.6)], (107.2, 60))
"""
from __future__ import annotations

from .data import Drawing, Text
from .draw import Drawable, draw
from .style import FONT_SIZE, text_width

GAP = 20.0
"""The space between a side and the equation's symbol."""


def equation(*sides: Drawing, symbol: str = "=", gap: float = GAP) -> Drawing:
    """The drawings ``sides`` in a row, each centred on the middle line, ``symbol`` between neighbours.

    Each side keeps its own picture (boxes, wires, dots, frames, texts), shifted; the boundary points
    of the sides are not kept (an equation is not a morphism). Raises ``TypeError`` naming the first
    argument that is not a Drawing, ``ValueError`` for fewer than two sides or an empty symbol.
    """
    _check(sides, symbol, "equation")
    height = max(d.height for d in sides)
    out, x, texts = Drawing(), 0.0, []
    for k, d in enumerate(sides):
        if k:
            w = text_width(symbol)
            texts.append(Text(symbol, x + gap + w / 2, height / 2 + FONT_SIZE / 3, anchor="middle", small=False))
            x += 2 * gap + w
        out = out.union(d.shifted(x, (height - d.height) / 2))
        x += d.width
    return out.with_(texts=out.texts + tuple(texts), width=x, height=height)


def draw_equation(lhs, rhs, *more, symbol: str = "=", path=None, **options) -> Drawing:
    """The equation ``lhs = rhs (= more…)`` as one picture: each side drawn (``draw(side, **options)``; a
    :class:`Drawing` is taken as it is) and set side by side, vertically centred, with ``symbol`` between
    them (DisCoPy's ``Equation`` is the idea). Saved to ``path`` if given.

    The axiom RD.1 [RDC], ``R[f + g] = R[f] + R[g]``, as a picture:

    >>> from catgrad import Array, trace, rdiff, sigmoid, tanh
    >>> A = Array((3,))
    >>> f, g = sigmoid(A), tanh(A)
    >>> lhs = rdiff(trace(lambda x: f(x) + g(x), A))
    >>> rhs = trace(lambda x, dy: rdiff(f)(x, dy) + rdiff(g)(x, dy), A, A)
    >>> d = draw_equation(lhs, rhs)
    >>> [t.text for t in d.texts if not t.small]
    ['=']
    """
    sides = (lhs, rhs, *more)
    for k, s in enumerate(sides):
        if not isinstance(s, (Drawing, Drawable)):
            raise TypeError(f"draw_equation: side {k + 1} is {type(s).__name__} {s!r:.60}; expected a Diagram, "
                            "Lens, Para, Learner or Drawing")
    d = equation(*(s if isinstance(s, Drawing) else draw(s, **options) for s in sides), symbol=symbol)
    if path is not None:
        d.save(path)
    return d


def _check(sides, symbol, what):
    for k, d in enumerate(sides):
        if not isinstance(d, Drawing):
            raise TypeError(f"{what}: side {k + 1} is {type(d).__name__}, not a Drawing (draw it first, or call "
                            "draw_equation)")
    if len(sides) < 2:
        raise ValueError(f"{what}: an equation needs at least two sides, got {len(sides)}")
    if not isinstance(symbol, str) or not symbol:
        raise ValueError(f"{what}: symbol must be a non-empty str such as '=' or '≠', got {symbol!r}")
