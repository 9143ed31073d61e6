"""A drawing as plain data: boxes, dots, wire paths, frames and texts in one coordinate system.

The layout (``catgrad.drawing.layout``) computes a :class:`Drawing`; the renderers
(``svg``, ``tikz``, ``raster``) only paint it. Coordinates are in pixels, ``x`` to the
right and ``y`` downwards (SVG's convention); text is in a fixed-width font, so a label of
``n`` characters is ``n × CHAR_WIDTH`` wide and no font metrics are needed.

Drawings form a small category of pictures: :meth:`Drawing.shifted` moves one,
:meth:`Drawing.mirrored` flips it left to right (a backward band), and
:meth:`Drawing.union` overlays two.

>>> d = Drawing(boxes=(Box("σ", 10, 0, 20, 20),), width=40, height=20)
>>> d.shifted(5, 1).boxes[0]
Box(label='σ', x=15, y=1, width=20, height=20, kind='generator')
>>> d.mirrored().boxes[0].x
10
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from . import render, svg, tikz

from .style import (CHAR_WIDTH, FONT_FAMILY, FONT_SIZE, MARK, SMALL_CHAR_WIDTH, SMALL_FONT_SIZE,  # noqa: F401 (re-exported)
                    segments, shorten, text_width)


class Box(NamedTuple):
    """A box: a generator, a collapsed layer, or a part of a learner; ``(x, y)`` is its top-left corner.

    ``kind`` is ``"generator"``, ``"layer"`` (a collapsed scope) or ``"lens"`` (a two-band lens box).
    """

    label: str
    x: float
    y: float
    width: float
    height: float
    kind: str = "generator"

    @property
    def label_y(self) -> float:
        """The height of the label's centre: the middle of the box, or of the upper band of a lens box."""
        return self.y + (self.height / 4 if self.kind == "lens" else self.height / 2)


class Dot(NamedTuple):
    """A small dot at ``(x, y)``: ``kind`` is ``"copy"``, ``"discard"`` (black: the comonoid),
    ``"add"``, ``"zero"`` (white: the monoid) or ``"one"``; ``label`` is drawn beside it."""

    x: float
    y: float
    kind: str
    label: str = ""

    @property
    def filled(self) -> bool:
        """Whether the dot is painted black: a copy or a discard (the comonoid)."""
        return self.kind in ("copy", "discard")


class WirePath(NamedTuple):
    """A wire from its start to its end through ``points`` (in the direction data flows).

    Between two points at different heights the wire is drawn as a curve with horizontal
    tangents (a vertical step when the points share their ``x``). ``type`` is the wire's
    type (``f32[3]``), ``label`` the (possibly shortened) text drawn at ``label_at``,
    ``backward`` marks wires of a lens's backward band (they run right to left).
    """

    points: tuple
    type: str
    label: str = ""
    label_at: tuple = ()
    backward: bool = False


class Frame(NamedTuple):
    """A named frame around the parts of a picture (a scope, a lens, a learner's part, a loop's body).

    ``marks`` are the points of its edge where a sequence enters or leaves a loop (``scan ×n``): each is
    painted as a small filled bar across the edge, ``MARK`` (width, height) in size; outside the wire
    carries the stacked type (``f32[5,2]``), inside one step's (``f32[2]``).
    """

    label: str
    x: float
    y: float
    width: float
    height: float
    marks: tuple = ()

    def mark_rects(self) -> tuple:
        """The bars painted at the ``marks``: ``(x, y, width, height)`` each, across the edge a mark is on
        (upright on the left and right edges, lying on the top and bottom ones).

        >>> Frame("scan ×5", 0, 0, 100, 50, marks=((0, 20), (40, 0))).mark_rects()
        ((-2.0, 14.0, 4.0, 12.0), (34.0, -2.0, 12.0, 4.0))
        """
        w, h = MARK
        out = []
        for x, y in self.marks:
            lying = abs(y - self.y) < 1e-6 or abs(y - self.y - self.height) < 1e-6
            a, b = (h, w) if lying else (w, h)
            out.append((x - a / 2, y - b / 2, a, b))
        return tuple(out)


class Text(NamedTuple):
    """Free text at ``(x, y)`` (the baseline), anchored ``"start"``, ``"middle"`` or ``"end"``."""

    text: str
    x: float
    y: float
    anchor: str = "start"
    small: bool = True


@dataclass(frozen=True)
class Drawing:
    """The layout of a picture as data, painted by ``to_svg``, ``to_tikz`` and ``save``.

    Fields:
        boxes: ``Box(label, x, y, width, height)`` namedtuples, never overlapping.
        wires: ``WirePath`` namedtuples with their type labels.
        dots: copies, discards, additions and zeros.
        frames: named frames around groups of boxes.
        texts: free labels (parameter names, notes).
        inputs, outputs, params: the boundary points where the domain wires enter (left),
            the codomain wires leave (right) and the parameter wires enter (top).
        width, height: the size of the picture.
        title: a title shown on top (e.g. the note of a collapsed drawing).

    >>> from catgrad import Array, draw, exp
    >>> d = draw(exp(Array((2,))))
    >>> [b.label for b in d.boxes], len(d.inputs), len(d.outputs)
    (['exp'], 1, 1)
    """

    boxes: tuple = ()
    wires: tuple = ()
    dots: tuple = ()
    frames: tuple = ()
    texts: tuple = ()
    inputs: tuple = ()
    outputs: tuple = ()
    params: tuple = ()
    width: float = 0.0
    height: float = 0.0
    title: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    # -- transforms --------------------------------------------------------------
    def shifted(self, dx: float, dy: float) -> "Drawing":
        """The same picture moved by ``(dx, dy)`` (its size grows by the shift)."""
        def pt(p):
            return (p[0] + dx, p[1] + dy)
        return replace(
            self,
            boxes=tuple(b._replace(x=b.x + dx, y=b.y + dy) for b in self.boxes),
            wires=tuple(w._replace(points=tuple(map(pt, w.points)), label_at=pt(w.label_at) if w.label_at else ())
                        for w in self.wires),
            dots=tuple(d._replace(x=d.x + dx, y=d.y + dy) for d in self.dots),
            frames=tuple(f._replace(x=f.x + dx, y=f.y + dy, marks=tuple(map(pt, f.marks))) for f in self.frames),
            texts=tuple(t._replace(x=t.x + dx, y=t.y + dy) for t in self.texts),
            inputs=tuple(map(pt, self.inputs)), outputs=tuple(map(pt, self.outputs)), params=tuple(map(pt, self.params)),
            width=self.width + dx, height=self.height + dy,
            extra={k: [pt(p) for p in v] for k, v in self.extra.items()})

    def mirrored(self) -> "Drawing":
        """The picture flipped left to right (``x ↦ width − x``): a band that runs right to left.

        Its inputs are then on the right and its outputs on the left; wires are marked backward.
        """
        W = self.width

        def pt(p):
            return (W - p[0], p[1])
        flip = {"start": "end", "end": "start", "middle": "middle"}
        return replace(
            self,
            boxes=tuple(b._replace(x=W - b.x - b.width) for b in self.boxes),
            wires=tuple(w._replace(points=tuple(map(pt, w.points)), label_at=pt(w.label_at) if w.label_at else (),
                                   backward=not w.backward) for w in self.wires),
            dots=tuple(d._replace(x=W - d.x) for d in self.dots),
            frames=tuple(f._replace(x=W - f.x - f.width, marks=tuple(map(pt, f.marks))) for f in self.frames),
            texts=tuple(t._replace(x=W - t.x, anchor=flip[t.anchor]) for t in self.texts),
            inputs=tuple(map(pt, self.inputs)), outputs=tuple(map(pt, self.outputs)), params=tuple(map(pt, self.params)),
            extra={k: [pt(p) for p in v] for k, v in self.extra.items()})

    def union(self, other: "Drawing", **fields) -> "Drawing":
        """Both pictures overlaid (the elements of ``self`` first); boundary fields from ``fields``."""
        return Drawing(
            boxes=self.boxes + other.boxes, wires=self.wires + other.wires, dots=self.dots + other.dots,
            frames=self.frames + other.frames, texts=self.texts + other.texts,
            width=max(self.width, other.width), height=max(self.height, other.height), **fields)

    def with_(self, **fields) -> "Drawing":
        """A copy with some fields replaced (``wires=``, ``title=``, ...)."""
        return replace(self, **fields)

    # -- rendering ---------------------------------------------------------------
    def to_svg(self) -> str:
        """The picture as a standalone SVG document (written by catgrad; same input, same bytes)."""
        return svg.to_svg(self)

    def to_tikz(self) -> str:
        """The picture as a ``tikzpicture`` (TikZ text for papers; ``\\usepackage{tikz}``)."""
        return tikz.to_tikz(self)

    def save(self, path, scale: float = 1.0) -> str:
        """Write the picture to ``path`` by its suffix: ``.svg``, ``.tex`` (TikZ), ``.png`` or ``.pdf``
        (the last two through matplotlib, the ``plot`` extra, ``scale`` times the drawing's size: ``scale=2.0``
        writes a PNG of twice the pixels across). Returns the path."""
        return render.save(self, path, scale)

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self):
        return (f"<Drawing {self.width:g}×{self.height:g}: {len(self.boxes)} boxes, {len(self.dots)} dots, "
                f"{len(self.wires)} wires>")
