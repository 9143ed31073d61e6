"""TikZ, for papers: the same drawing as ``\\begin{tikzpicture}`` text (``\\usepackage{tikz}``).

Coordinates are the layout's pixels, scaled by ``x=0.75pt, y=-0.75pt`` (so ``y`` still points
down); labels are set in ``\\ttfamily`` with the few non-ASCII symbols as math.
"""
from __future__ import annotations

from .style import segments
from .svg import num

_SYMBOLS = {
    "σ": r"$\sigma$", "×": r"$\times$", "→": r"$\to$", "Σ": r"$\Sigma$", "−": r"$-$", "⋆": r"$\star$",
    "∧": r"$\wedge$", "θ": r"$\theta$", "∂": r"$\partial$", "÷": r"$\div$", "√": r"$\surd$", "ᵀ": r"$^T$",
    "…": r"\ldots{}", "α": r"$\alpha$", "Δ": r"$\Delta$", "·": r"$\cdot$",
    "←": r"$\leftarrow$",
}
_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "#": r"\#", "%": r"\%", "&": r"\&", "{": r"\{", "}": r"\}",
            "^": r"\^{}", "~": r"\~{}", "$": r"\$"}


def tex(s: str) -> str:
    r"""``s`` as LaTeX text: special characters escaped, symbols as math.

    >>> tex("einsum ij,j→i")
    'einsum ij,j$\\to$i'
    """
    return "".join(_SYMBOLS.get(c) or _ESCAPES.get(c) or (c if ord(c) < 128 else "?") for c in s)


def _at(x, y) -> str:
    return f"({num(x)},{num(y)})"


def _rectangle(r) -> str:
    """A box's or a frame's rectangle, top-left to bottom-right."""
    return f"{_at(r.x, r.y)} rectangle {_at(r.x + r.width, r.y + r.height)}"


def _path(points) -> str:
    out = [_at(*points[0])]
    for _, q, c in segments(points):
        out.append(f".. controls {_at(*c[0])} and {_at(*c[1])} .. {_at(*q)}" if c else f"-- {_at(*q)}")
    return " ".join(out)


def to_tikz(d: "Drawing") -> str:
    r"""The drawing as a ``tikzpicture``.

    >>> from catgrad.drawing.data import Drawing, Box
    >>> print(to_tikz(Drawing(boxes=(Box("σ", 0, 0, 20, 20),), width=20, height=20)), end="")
    \begin{tikzpicture}[x=0.75pt,y=-0.75pt,font=\ttfamily\small]
    \draw[rounded corners=1pt,fill=white] (0,0) rectangle (20,20);
    \node at (10,10) {$\sigma$};
    \end{tikzpicture}
    """
    out = [r"\begin{tikzpicture}[x=0.75pt,y=-0.75pt,font=\ttfamily\small]"]
    if d.title:
        out.append(rf"\node[anchor=base west,font=\ttfamily\tiny] at (4,12) {{{tex(d.title)}}};")
    for f in d.frames:
        out.append(rf"\draw[dashed,gray,rounded corners=3pt] {_rectangle(f)};")
        out.append(rf"\node[anchor=base west,gray] at {_at(f.x + 6, f.y + 12)} {{{tex(f.label)}}};")
        for x, y, w, h in f.mark_rects():
            out.append(rf"\fill {_at(x, y)} rectangle {_at(x + w, y + h)};")
    for w in d.wires:
        colour = "[red!60!black]" if w.backward else ""
        out.append(rf"\draw{colour} {_path(w.points)};")
    for w in d.wires:
        if w.label:
            anchor = "base east" if w.backward else "base west"
            out.append(rf"\node[anchor={anchor},font=\ttfamily\tiny,gray] at {_at(*w.label_at)} {{{tex(w.label)}}};")
    for b in d.boxes:
        fill = "blue!5" if b.kind == "layer" else "white"
        out.append(rf"\draw[rounded corners=1pt,fill={fill}] {_rectangle(b)};")
        if b.kind == "lens":
            mid = b.y + b.height / 2
            out.append(rf"\draw[dashed,gray] {_at(b.x, mid)} -- {_at(b.x + b.width, mid)};")
        out.append(rf"\node at {_at(b.x + b.width / 2, b.label_y)} {{{tex(b.label)}}};")
    for p in d.dots:
        style = "fill=black" if p.filled else "fill=white,draw=black"
        out.append(rf"\filldraw[{style}] {_at(p.x, p.y)} circle[radius=2.6pt];")
        if p.label:
            out.append(rf"\node[anchor=base,font=\ttfamily\tiny] at {_at(p.x, p.y - 6)} {{{tex(p.label)}}};")
    for t in d.texts:
        anchor = {"start": "base west", "middle": "base", "end": "base east"}[t.anchor]
        size = r",font=\ttfamily\tiny" if t.small else ""
        out.append(rf"\node[anchor={anchor}{size}] at {_at(t.x, t.y)} {{{tex(t.text)}}};")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out) + "\n"
