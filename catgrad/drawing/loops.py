"""Loops drawn as loops: an opened ``scan`` is a frame labelled ``scan ×n`` holding its body's own picture.

A loop ``scan(b, n): K × C × Xⁿ → C × Yⁿ`` runs its body ``b: K × C × X → C × Y`` once per step. The
layout (:mod:`catgrad.drawing.layout`) places an opened loop as one node the size of its frame; this
module draws what is inside, from the loop's :class:`~catgrad.drawing.graph.Body`:

- the body is laid out as a picture of its own (so a loop inside it is again a frame), its wires
  carrying one step's types (``f32[2]``), while the wires outside keep the stacked ones (``f32[5,2]``);
- the frame surrounds that picture with a margin; its ports are where the body's boundary wires are:
  the constants ``K``, the carry ``C`` and the step inputs ``X`` enter on the left (a parameter from the
  top, as into a Para's box), the carry and the step outputs ``Y`` leave on the right;
- each sequence port (``X`` in, ``Y`` out) is marked by a small filled bar across the frame's edge
  (``Frame.marks``, painted ``MARK`` in size); the constants and the carry have none;
- a loop that runs backwards, ``t = n−1 … 0`` (the second scan of ``R[scan]``), is labelled ``scan ×n ←``.

No wire outside enters the frame but at a port: the frame is one node of the outer layout.

>>> from catgrad.drawing.graph import Body, Edge, Hypergraph, Node
>>> from catgrad.drawing.layout import layout
>>> step = Hypergraph(("f32[2]", "f32[2]", "f32[2]"), (0, 1), (2, 0), (Edge("add", None, (), (0, 1), (2,)),))
>>> loop = Body(step, 5, consts=0, carry=1)
>>> p = picture(Node(loop.name, (0, 1), (2, 3), "loop", loop.name, loop), (), draw=layout)
>>> p.inside.frames[0].label, len(p.inside.frames[0].marks)   # the step input and output are sequences
('scan ×5', 2)
>>> [x for x, _ in p.ins], sum(w.points[0] in p.ins for w in p.inside.wires)   # wires start at the ports
([0.0, 0.0], 2)
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from .data import Drawing, Frame, text_width

PAD = 8.0       # between the frame and its body's picture (left, right, bottom)
TOP = 4.0       # above the body's picture, whose empty top margin holds the frame's label
LABEL_X = 6.0   # where the renderers start a frame's label, from its left edge
EPS = 1e-6


class Picture(NamedTuple):
    """An opened loop, ready to be placed: its frame's ``width`` and ``height``; its ports, from the frame's
    top-left corner (``ins``: an ``(x, y)`` per input, on the left edge or, for those in ``tops``, on the top
    edge; ``outs``: one per output, on the right edge); and ``inside``, the frame and the body's picture in
    those coordinates."""

    width: float
    height: float
    ins: tuple
    outs: tuple
    tops: tuple
    inside: Drawing

    def placed(self, x: float, y: float) -> Drawing:
        """The frame and its body with the frame's top-left corner at ``(x, y)``."""
        return self.inside.shifted(x, y)


def picture(node, tops: tuple, draw: Callable) -> Picture:
    """The frame of the opened loop ``node`` (a ``Node`` of kind ``loop``) holding its body's picture.

    Args:
        node: the loop, with its ``body`` and the ``depth`` its body is drawn at.
        tops: the indices of its inputs entered from the top (parameters coming down).
        draw: lays out a hypergraph: ``draw(graph, depth=, params=)`` (the first ``params`` inputs from the top).
    """
    body = node.body
    g = body.graph
    others = tuple(p for p in range(len(g.dom)) if p not in tops)
    order = tuple(tops) + others  # the body's inputs entered from the top come first, as a Para's parameters
    d = draw(g._replace(dom=tuple(g.dom[p] for p in order)), depth=node.depth, params=len(tops))
    top_at = dict(zip(tops, d.params))
    left_at = dict(zip(others, d.inputs))
    dx = PAD
    if tops:  # parameters coming down pass right of the frame's label
        dx = max(PAD, LABEL_X + text_width(node.label) + 4 - min(x for x, _ in d.params))
    width, height = dx + d.width + PAD, TOP + d.height + PAD
    inner = d.shifted(dx, TOP)

    def moved(p):
        return (p[0] + dx, p[1] + TOP)
    ins = tuple((top_at[p][0] + dx, 0.0) if p in top_at else (0.0, left_at[p][1] + TOP) for p in range(len(g.dom)))
    outs = tuple((width, y + TOP) for _, y in d.outputs)
    starts = {moved(top_at.get(p) or left_at[p]): ins[p] for p in range(len(g.dom))}
    ends = {moved(q): outs[k] for k, q in enumerate(d.outputs)}
    wires = tuple(_stubbed(w, starts, ends) for w in inner.wires)
    marks = tuple(ins[p] for p in body.sequence_ins()) + tuple(outs[p] for p in body.sequence_outs())
    frame = Frame(node.label, 0.0, 0.0, width, height, marks)
    inside = Drawing(boxes=inner.boxes, wires=wires, dots=inner.dots, frames=(frame,) + inner.frames,
                     texts=inner.texts, width=width, height=height)
    return Picture(width, height, ins, outs, tuple(tops), inside)


def _find(p, points: dict):
    return next((v for q, v in points.items() if abs(p[0] - q[0]) < EPS and abs(p[1] - q[1]) < EPS), None)


def _stubbed(w, starts: dict, ends: dict):
    """The body's wire ``w`` run on to the frame's port where it starts or ends on the body's boundary."""
    pts = list(w.points)
    a, b = _find(pts[0], starts), _find(pts[-1], ends)
    if a is not None:
        pts.insert(0, a)
    if b is not None:
        pts.append(b)
    return w._replace(points=tuple(pts))

