"""SVG, written by catgrad itself: a :class:`~catgrad.drawing.data.Drawing` painted as text.

Numbers are printed with two decimals at most and elements in the drawing's order, so the
same drawing gives the same bytes. Text uses a monospace font, the one the layout measured.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .style import FONT_FAMILY, FONT_SIZE, SMALL_FONT_SIZE, segments

FILL = {"generator": "#ffffff", "layer": "#eef3fb", "lens": "#ffffff"}
FORWARD, BACKWARD, FRAME, TYPE = "#222222", "#9c2f2f", "#7a7a7a", "#666666"


def num(v: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros, never ``-0``."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _xy(p) -> str:
    return f"{num(p[0])} {num(p[1])}"


def curve(points) -> str:
    """Path data through ``points``: straight where two points share a coordinate, else a curve
    with horizontal tangents (the cubic Bézier of :func:`~catgrad.drawing.data.segments`)."""
    out = [f"M{_xy(points[0])}"]
    for _, q, c in segments(points):
        out.append(f"C{_xy(c[0])} {_xy(c[1])} {_xy(q)}" if c else f"L{_xy(q)}")
    return " ".join(out)


def to_svg(d: "Drawing") -> str:
    """The drawing as a standalone SVG document.

    >>> from catgrad.drawing.data import Drawing, Box
    >>> print(to_svg(Drawing(boxes=(Box("σ", 0, 0, 20, 20),), width=20, height=20)).splitlines()[0])
    <svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20" font-family="DejaVu Sans Mono, Menlo, Consolas, Courier New, monospace">
    """
    W, H = num(d.width), num(d.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'font-family={quoteattr(FONT_FAMILY)}>',
           f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>']
    if d.title:
        out.append(f'<text x="4" y="12" font-size="{SMALL_FONT_SIZE}" fill="{TYPE}">{escape(d.title)}</text>')
    for f in d.frames:
        out.append(f'<rect x="{num(f.x)}" y="{num(f.y)}" width="{num(f.width)}" height="{num(f.height)}" rx="6" '
                   f'fill="none" stroke="{FRAME}" stroke-dasharray="5 3"/>')
        out.append(f'<text x="{num(f.x + 6)}" y="{num(f.y + 12)}" font-size="{FONT_SIZE - 1}" fill="{FRAME}">'
                   f'{escape(f.label)}</text>')
        for x, y, w, h in f.mark_rects():
            out.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" fill="{FORWARD}"/>')
    for w in d.wires:
        colour = BACKWARD if w.backward else FORWARD
        out.append(f'<path d="{curve(w.points)}" fill="none" stroke="{colour}" stroke-width="1.3"/>')
    for w in d.wires:
        if w.label:
            anchor = ' text-anchor="end"' if w.backward else ""
            out.append(f'<text x="{num(w.label_at[0])}" y="{num(w.label_at[1])}" font-size="{SMALL_FONT_SIZE}"'
                       f'{anchor} fill="{TYPE}">{escape(w.label)}</text>')
    for b in d.boxes:
        out.append(f'<rect x="{num(b.x)}" y="{num(b.y)}" width="{num(b.width)}" height="{num(b.height)}" rx="3" '
                   f'fill="{FILL.get(b.kind, "#ffffff")}" stroke="{FORWARD}" stroke-width="1.3"/>')
        if b.kind == "lens":
            out.append(f'<path d="M{num(b.x)} {num(b.y + b.height / 2)} H{num(b.x + b.width)}" stroke="{FRAME}" '
                       f'stroke-dasharray="3 2"/>')
        out.append(f'<text x="{num(b.x + b.width / 2)}" y="{num(b.label_y + 4)}" font-size="{FONT_SIZE}" '
                   f'text-anchor="middle">{escape(b.label)}</text>')
    for p in d.dots:
        fill = FORWARD if p.filled else "#ffffff"
        out.append(f'<circle cx="{num(p.x)}" cy="{num(p.y)}" r="3.5" fill="{fill}" stroke="{FORWARD}" stroke-width="1.3"/>')
        if p.label:
            out.append(f'<text x="{num(p.x)}" y="{num(p.y - 6)}" font-size="{SMALL_FONT_SIZE}" text-anchor="middle">'
                       f'{escape(p.label)}</text>')
    for t in d.texts:
        size = SMALL_FONT_SIZE if t.small else FONT_SIZE
        anchor = "" if t.anchor == "start" else f' text-anchor="{t.anchor}"'
        out.append(f'<text x="{num(t.x)}" y="{num(t.y)}" font-size="{size}"{anchor}>{escape(t.text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
