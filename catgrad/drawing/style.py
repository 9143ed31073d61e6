"""How a drawing is measured and painted: the fixed-width font, and wires as straight steps and Béziers.

Every drawing module (the data, the layout, the painters) reads these; they import nothing else.

>>> text_width("σ(x)")
28.8
"""
from __future__ import annotations

FONT_SIZE = 12
CHAR_WIDTH = 7.2  # 0.6 em: the advance of DejaVu Sans Mono, Courier, Menlo at 12 px
SMALL_FONT_SIZE = 9
SMALL_CHAR_WIDTH = 5.4
MARK = (4.0, 12.0)  # a sequence port of a loop's frame: a filled bar across its edge (width, height)
FONT_FAMILY = "DejaVu Sans Mono, Menlo, Consolas, Courier New, monospace"


def text_width(s: str, small: bool = False) -> float:
    """Width of ``s`` in the fixed-width font: ``len(s) × char_width``."""
    return len(s) * (SMALL_CHAR_WIDTH if small else CHAR_WIDTH)


def shorten(s: str, max_width: float, small: bool = False, tail: bool = False) -> str:
    """``s`` cut to fit ``max_width`` (ending in ``…``; with ``tail``, its end kept after a ``…``), or ``""`` if
    not even one character fits.

    >>> shorten("dense.W", 30, small=True), shorten("block0.attention.Wq", 40, small=True, tail=True)
    ('dens…', '…ion.Wq')
    """
    cw = SMALL_CHAR_WIDTH if small else CHAR_WIDTH
    n = int(max_width / cw + 1e-6)
    if len(s) <= n:
        return s
    if n < 2:
        return ""
    return "…" + s[len(s) - n + 1:] if tail else s[: n - 1] + "…"


def segments(points) -> list:
    """How a wire through ``points`` is painted: ``(p, q, controls)`` per step, ``controls`` ``None`` for a
    straight step (the points share ``x`` or ``y``), else the two control points of a cubic Bézier with
    horizontal tangents at both ends, at the middle ``x``: ``((p.x + q.x) / 2, p.y)`` and ``(…, q.y)``.

    >>> segments([(0, 0), (10, 0), (20, 5)])
    [((0, 0), (10, 0), None), ((10, 0), (20, 5), ((15.0, 0), (15.0, 5)))]
    """
    def controls(p, q):
        if abs(q[0] - p[0]) < 1e-9 or abs(q[1] - p[1]) < 1e-9:
            return None
        m = (p[0] + q[0]) / 2
        return (m, p[1]), (m, q[1])
    return [(p, q, controls(p, q)) for p, q in zip(points, points[1:])]
