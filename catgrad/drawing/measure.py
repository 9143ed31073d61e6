"""Whether a picture reads: its labels as rectangles, and what crosses them, counted on the drawing data.

A label is the rectangle its text covers in the fixed-width font (``0.6 em`` a character, ``0.75 em`` above
the baseline, ``0.25 em`` below): wire type labels, box labels, dot labels, free texts, frame labels and
the title. A label is *crossed* when a painted wire (its straight steps and its Béziers, sampled) or a
box, dot or frame edge passes through it; a type label's own wire does not count where it merely starts
at its port, beside the label. The same data gives the boxes that overlap and the wires painted on top of
each other.

>>> from catgrad.drawing.data import Box, Drawing, Text, WirePath
>>> d = Drawing(boxes=(Box("σ", 40, 0, 28, 20),), wires=(WirePath(((0, 10), (40, 10)), "f32[3]"),),
...             texts=(Text("x", 10, 13), Text("y", 10, 40)), width=80, height=50)
>>> [(l.text, l.kind) for l in crossed_labels(d)]
[('x', 'text')]
"""
from __future__ import annotations

from typing import NamedTuple

from .style import FONT_SIZE, SMALL_FONT_SIZE, segments

ASCENT, DESCENT, ADVANCE = 0.75, 0.25, 0.6   # of the font size: above and below the baseline, per character
TOLERANCE = 0.5     # a crossing must reach this far into a label (px): touching its edge is no crossing
SAMPLES = 12        # pieces per Bézier
OWN_START = 2.0     # the stretch of a wire at its port (px) that may touch its own type label
DOT_RADIUS = 3.5
CELL = 64.0         # the grid that finds what is near a label


class Label(NamedTuple):
    """A text of a drawing as the rectangle it covers: ``(x, y)`` its top-left corner; ``kind`` is
    ``type`` (a wire's), ``box``, ``dot``, ``text``, ``frame`` or ``title``; ``owner`` the index of its wire,
    box, dot, text or frame in the drawing."""

    text: str
    x: float
    y: float
    width: float
    height: float
    kind: str
    owner: int = 0


def text_box(text: str, x: float, baseline: float, size: float, anchor: str = "start") -> tuple:
    """``(left, top, width, height)`` of ``text`` set at ``(x, baseline)`` in the fixed-width font of ``size`` px.

    >>> text_box("ab", 10, 20, 10, "middle")
    (4.0, 12.5, 12.0, 10.0)
    """
    w = len(text) * ADVANCE * size
    left = x - {"start": 0.0, "middle": w / 2, "end": w}[anchor]
    return left, baseline - ASCENT * size, w, (ASCENT + DESCENT) * size


def labels(d) -> list:
    """Every label of the drawing ``d`` as a :class:`Label` (where the SVG writer sets its text)."""
    out = []

    def add(text, x, baseline, size, anchor, kind, owner):
        if text:
            out.append(Label(text, *text_box(text, x, baseline, size, anchor), kind, owner))
    if d.title:
        add(d.title, 4, 12, SMALL_FONT_SIZE, "start", "title", 0)
    for k, f in enumerate(d.frames):
        add(f.label, f.x + 6, f.y + 12, FONT_SIZE - 1, "start", "frame", k)
    for k, w in enumerate(d.wires):
        if w.label:
            add(w.label, w.label_at[0], w.label_at[1], SMALL_FONT_SIZE, "end" if w.backward else "start", "type", k)
    for k, b in enumerate(d.boxes):
        add(b.label, b.x + b.width / 2, b.label_y + 4, FONT_SIZE, "middle", "box", k)
    for k, p in enumerate(d.dots):
        add(p.label, p.x, p.y - 6, SMALL_FONT_SIZE, "middle", "dot", k)
    for k, t in enumerate(d.texts):
        add(t.text, t.x, t.y, SMALL_FONT_SIZE if t.small else FONT_SIZE, t.anchor, "text", k)
    return out


def _bezier(p, q, c, n=SAMPLES) -> list:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = p, c[0], c[1], q
    pts = []
    for i in range(n + 1):
        t = i / n
        s = 1 - t
        a, b, e, f = s * s * s, 3 * s * s * t, 3 * s * t * t, t * t * t
        pts.append((a * x0 + b * x1 + e * x2 + f * x3, a * y0 + b * y1 + e * y2 + f * y3))
    return pts


def polyline(points) -> list:
    """The painted curve of a wire through ``points`` as a polyline (each Bézier in ``SAMPLES`` pieces)."""
    out = [tuple(points[0])]
    for p, q, c in segments(points):
        out += _bezier(p, q, c)[1:] if c else [tuple(q)]
    return out


def _trim_start(pts: list, length: float) -> list:
    """The polyline ``pts`` without its first ``length`` px."""
    for i in range(len(pts) - 1):
        (x0, y0), (x1, y1) = pts[i], pts[i + 1]
        seg = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        if seg > length:
            t = length / seg
            return [(x0 + t * (x1 - x0), y0 + t * (y1 - y0))] + pts[i + 1:]
        length -= seg
    return pts[-1:]


def _hits(p, q, rect) -> bool:
    """Whether the segment ``pq`` meets the open rectangle ``rect = (x0, y0, x1, y1)`` (Liang–Barsky)."""
    x0, y0, x1, y1 = rect
    dx, dy = q[0] - p[0], q[1] - p[1]
    lo, hi = 0.0, 1.0
    for a, b in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if a == 0:
            if b <= 0:
                return False
        elif a < 0:
            lo = max(lo, b / a)
        else:
            hi = min(hi, b / a)
        if lo > hi:
            return False
    return True


def _outline(x, y, w, h) -> list:
    a, b, c, e = (x, y), (x + w, y), (x + w, y + h), (x, y + h)
    return [(a, b), (b, c), (c, e), (e, a)]


class _Grid:
    """Segments bucketed by the grid cells their bounding box covers."""

    def __init__(self):
        self.cells: dict = {}

    def add(self, p, q, tag):
        for key in self._keys(min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])):
            self.cells.setdefault(key, []).append((p, q, tag))

    def near(self, x0, y0, x1, y1) -> list:
        seen, out = set(), []
        for key in self._keys(x0, y0, x1, y1):
            for s in self.cells.get(key, ()):
                if id(s) not in seen:
                    seen.add(id(s))
                    out.append(s)
        return out

    @staticmethod
    def _keys(x0, y0, x1, y1):
        for i in range(int(x0 // CELL), int(x1 // CELL) + 1):
            for j in range(int(y0 // CELL), int(y1 // CELL) + 1):
                yield i, j


def _obstacles(d) -> _Grid:
    """Everything painted that can strike a label: wire pieces (tagged with their wire), box, dot and frame edges."""
    g = _Grid()
    for k, w in enumerate(d.wires):
        for p, q, c in segments(w.points):
            pts = _bezier(p, q, c) if c else [p, q]
            for a, b in zip(pts, pts[1:]):
                g.add(a, b, ("wire", k))
    for k, b in enumerate(d.boxes):
        edges = _outline(b.x, b.y, b.width, b.height)
        if b.kind == "lens":
            edges.append(((b.x, b.y + b.height / 2), (b.x + b.width, b.y + b.height / 2)))
        for p, q in edges:
            g.add(p, q, ("box", k))
    for k, f in enumerate(d.frames):
        for p, q in _outline(f.x, f.y, f.width, f.height):
            g.add(p, q, ("frame", k))
    r = DOT_RADIUS
    for k, p in enumerate(d.dots):
        for a, b in _outline(p.x - r, p.y - r, 2 * r, 2 * r):
            g.add(a, b, ("dot", k))
    return g


def crossings(d) -> list:
    """``(label, what)`` for each label of ``d`` and each thing crossing it: ``what`` is ``("wire", k)``,
    ``("box", k)``, ``("dot", k)`` or ``("frame", k)``, ``k`` its index in the drawing."""
    grid = _obstacles(d)
    out = []
    for lab in labels(d):
        t = TOLERANCE
        rect = (lab.x + t, lab.y + t, lab.x + lab.width - t, lab.y + lab.height - t)
        hit = []
        for p, q, tag in grid.near(*rect):
            if tag not in hit and _hits(p, q, rect) and not (lab.kind == "type" and tag == ("wire", lab.owner)):
                hit.append(tag)
        if lab.kind == "type" and _own_wire_crosses(d.wires[lab.owner], rect):
            hit.append(("wire", lab.owner))
        out += [(lab, tag) for tag in hit]
    return out


def _own_wire_crosses(w, rect) -> bool:
    pts = _trim_start(polyline(w.points), OWN_START)
    return any(_hits(p, q, rect) for p, q in zip(pts, pts[1:]))


def crossed_labels(d) -> list:
    """The labels of ``d`` (:class:`Label`) crossed by a wire or a box, dot or frame edge; ``[]`` for a
    picture whose every text reads.

    >>> from catgrad.drawing.data import Drawing, WirePath
    >>> up = WirePath(((0, 20), (4, 20), (30, 0)), "f32[3]", "f32[3]", (3, 17))
    >>> [l.text for l in crossed_labels(Drawing(wires=(up,), width=40, height=30))]
    ['f32[3]']
    """
    out, seen = [], set()
    for lab, _ in crossings(d):
        if lab not in seen:
            seen.add(lab)
            out.append(lab)
    return out


def overlapping_boxes(d) -> list:
    """The pairs ``(i, j)``, ``i < j``, of boxes of ``d`` whose insides overlap.

    >>> from catgrad.drawing.data import Box, Drawing
    >>> overlapping_boxes(Drawing(boxes=(Box("a", 0, 0, 20, 20), Box("b", 19, 0, 20, 20), Box("c", 39, 0, 5, 5))))
    [(0, 1)]
    """
    t = 1e-6
    bs = sorted(range(len(d.boxes)), key=lambda k: d.boxes[k].x)
    out = []
    for n, i in enumerate(bs):
        a = d.boxes[i]
        for j in bs[n + 1:]:
            b = d.boxes[j]
            if b.x >= a.x + a.width - t:
                break
            if a.y < b.y + b.height - t and b.y < a.y + a.height - t:
                out.append((min(i, j), max(i, j)))
    return sorted(out)


def painted_path(points, digits: int = 1) -> tuple:
    """The curve a wire through ``points`` paints, as a key: its points rounded, repeated points and the
    middle points of straight runs dropped, read in the direction that sorts first."""
    pts = []
    for p in points:
        p = (round(p[0], digits), round(p[1], digits))
        if not pts or p != pts[-1]:
            pts.append(p)
    out = pts[:1]
    for k in range(1, len(pts) - 1):
        a, b, c = out[-1], pts[k], pts[k + 1]
        if (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1]):
            continue
        out.append(b)
    out += pts[len(pts) - 1:] if len(pts) > 1 else []
    key = tuple(out)
    return min(key, key[::-1])


def coincident_wires(d) -> list:
    """The pairs ``(i, j)``, ``i < j``, of wires of ``d`` painted along the same path (one curve drawn twice,
    as a copy feeding an addition twice would be if its two wires were not bowed apart).

    >>> from catgrad.drawing.data import Drawing, WirePath
    >>> w = WirePath(((0, 0), (10, 0), (20, 5)), "")
    >>> coincident_wires(Drawing(wires=(w, WirePath(((0, 0), (20, 5)), ""))))
    []
    >>> coincident_wires(Drawing(wires=(w, WirePath(((0, 0), (5, 0), (10, 0), (20, 5)), ""))))
    [(0, 1)]
    """
    seen: dict = {}
    out = []
    for k, w in enumerate(d.wires):
        key = painted_path(w.points)
        if len(key) < 2:
            continue
        for j in seen.get(key, ()):
            out.append((j, k))
        seen.setdefault(key, []).append(k)
    return out
