"""Saving a drawing by the suffix of its path: ``.svg`` and ``.tex`` by catgrad itself, ``.png`` and
``.pdf`` through matplotlib (the ``plot`` extra), which paints the same layout data."""
from __future__ import annotations

import os

from .. import errors
from .style import FONT_SIZE, SMALL_FONT_SIZE, segments

SUFFIXES = (".svg", ".tex", ".png", ".pdf")


def save(d: "Drawing", path, scale: float = 1.0) -> str:
    """Write ``d`` to ``path`` (see the module docstring); returns the path. ``scale`` multiplies the
    resolution of a ``.png`` (``scale × 100`` dpi, so ``scale × width`` pixels across) and the page of a ``.pdf``;
    an ``.svg`` or ``.tex`` scales without loss and ignores it.

    Raises ``TypeError`` for a path that is not a ``str`` or ``os.PathLike`` (``errors.path``), ``ValueError``
    naming the path for an unknown suffix or a path that cannot be written,
    ``ImportError`` naming the ``plot`` extra when a ``.png``/``.pdf`` needs matplotlib and it is missing.
    """
    path = errors.path("save", "path", path)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0 or scale == float("inf"):
        raise ValueError(errors.expected("save", "scale", "a number > 0 (2.0: twice the pixels)", scale))
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"cannot save a drawing as {path!r}: the suffix must be one of {', '.join(SUFFIXES)}")
    try:
        if suffix in (".svg", ".tex"):
            text = d.to_svg() if suffix == ".svg" else d.to_tikz()
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        else:
            _matplotlib(d, path, float(scale))
    except OSError as exc:
        raise ValueError(f"cannot write the drawing to {path!r}: {exc.strerror or exc}") from None
    return path


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError('saving a drawing as .png or .pdf needs matplotlib: pip install "catgrad-lens[plot]" '
                          "(or save as .svg or .tex)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _matplotlib(d: "Drawing", path: str, scale: float = 1.0) -> None:
    """Paint ``d`` with matplotlib patches (the same data as the SVG) and save it at ``scale × 100`` dpi."""
    plt = _pyplot()
    from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Rectangle
    from matplotlib.path import Path
    from .svg import BACKWARD, FILL, FORWARD, FRAME, TYPE
    dpi = 100
    fig = plt.figure(figsize=(max(d.width, 1) / dpi, max(d.height, 1) / dpi), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, max(d.width, 1))
    ax.set_ylim(max(d.height, 1), 0)
    ax.axis("off")
    pt = 72 / dpi  # points per pixel
    font = dict(family="monospace")
    for f in d.frames:
        ax.add_patch(Rectangle((f.x, f.y), f.width, f.height, fill=False, ec=FRAME, ls="--", lw=1))
        ax.text(f.x + 6, f.y + 12, f.label, fontsize=(FONT_SIZE - 1) * pt, color=FRAME, **font)
        for x, y, w, h in f.mark_rects():
            ax.add_patch(Rectangle((x, y), w, h, fc=FORWARD, ec="none", zorder=4))
    for w in d.wires:
        verts, codes = [w.points[0]], [Path.MOVETO]
        for _, q, c in segments(w.points):
            verts += [*c, q] if c else [q]
            codes += [Path.CURVE4] * 3 if c else [Path.LINETO]
        ax.add_patch(PathPatch(Path(verts, codes), fill=False, ec=BACKWARD if w.backward else FORWARD, lw=1.3 * pt))
        if w.label:
            ax.text(*w.label_at, w.label, fontsize=SMALL_FONT_SIZE * pt, color=TYPE,
                    ha="right" if w.backward else "left", **font)
    for b in d.boxes:
        ax.add_patch(FancyBboxPatch((b.x, b.y), b.width, b.height, boxstyle="round,pad=0,rounding_size=3",
                                    fc=FILL.get(b.kind, "#ffffff"), ec=FORWARD, lw=1.3 * pt, zorder=2))
        ax.text(b.x + b.width / 2, b.label_y, b.label, ha="center", va="center", fontsize=FONT_SIZE * pt, zorder=3, **font)
    for p in d.dots:
        fc = FORWARD if p.filled else "#ffffff"
        ax.add_patch(Circle((p.x, p.y), 3.5, fc=fc, ec=FORWARD, lw=1.3 * pt, zorder=3))
    for t in d.texts:
        ha = {"start": "left", "middle": "center", "end": "right"}[t.anchor]
        ax.text(t.x, t.y, t.text, ha=ha, fontsize=(SMALL_FONT_SIZE if t.small else FONT_SIZE) * pt, **font)
    try:
        fig.savefig(path, dpi=dpi * scale, metadata={"CreationDate": None} if path.endswith(".pdf") else None)
    finally:
        plt.close(fig)
