"""The legend: every symbol a picture uses, with what it means.

``legend()`` lists the :class:`Symbol` entries: the dots, the box labels that are symbols rather than names
(``σ``, ``W·x``, ``conv 3×3``, ``⇉``, ...), the kinds of boxes, wires and frames. The docs' drawing page prints
it; ``unexplained(drawing, names)`` lists what a drawing shows that the legend does not explain, so a test can
check every picture of the course. A box labelled with its generator's own name (``exp``, ``softmax``, a
generator you declare) is explained by that generator's documentation: pass the names as ``names``.

>>> [s.symbol for s in legend() if s.where == "dot"]
['●', '● (end)', '○', '○ (start)', '1']
>>> explain("W·x").meaning
'a matrix–vector product (the einsum ij,j→i); Wᵀ, x·W, A·B, A·Bᵀ read the same way'
>>> from catgrad.drawing.data import Box, Dot, Drawing
>>> unexplained(Drawing(boxes=(Box("σ", 0, 0, 20, 20), Box("⋆", 30, 0, 20, 20)), dots=(Dot(1, 1, "copy"),)))
['⋆']
"""
from __future__ import annotations

import re
from typing import NamedTuple

_NUMBER = r"−?(\d+(\.\d*)?(e[−+]?\d+)?|inf|nan)"
_SIZES = r"\d+(×\d+)*"
_OPERAND = r"[WABxy]ᵀ?"


class Symbol(NamedTuple):
    """One entry of the legend: the ``symbol`` as drawn, ``where`` it appears (``dot``, ``box``, ``wire``,
    ``frame``, ``text``), its ``meaning``, and the ``pattern`` (a regular expression) of the box labels it
    stands for when they vary (``conv 3×3``, ``×0.5``); ``None``: the symbol itself."""

    symbol: str
    where: str
    meaning: str
    pattern: "str | None" = None

    def matches(self, label: str) -> bool:
        """Whether a box labelled ``label`` is this symbol."""
        return re.fullmatch(self.pattern, label) is not None if self.pattern else label == self.symbol


SYMBOLS = (
    Symbol("●", "dot", "copy Δ: one wire in, two (or more) out (black: the comonoid)"),
    Symbol("● (end)", "dot", "discard !: a wire that ends, its value unused"),
    Symbol("○", "dot", "add +: two wires in, their sum out (white: the monoid); XOR on bool (Z2) wires"),
    Symbol("○ (start)", "dot", "zero 0: a wire that starts at the additive unit"),
    Symbol("1", "dot", "the boolean constant one [RDA] (a dot labelled 1)"),
    Symbol("σ", "box", "the logistic function σ(x) = 1/(1 + e⁻ˣ)"),
    Symbol("H", "box", "the Heaviside step H(x) = 1 if x > 0 else 0 (R[relu] uses it)"),
    Symbol("−x", "box", "negation"),
    Symbol("√x", "box", "square root"),
    Symbol("xᵏ", "box", "the power x², x⁻¹, x^0.5 (pow with its exponent)", r"x([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^" + _NUMBER + ")"),
    Symbol("×c", "box", "scaling by the constant c (×0.5)", "×" + _NUMBER),
    Symbol("×", "box", "the elementwise product"),
    Symbol("÷", "box", "the elementwise quotient"),
    Symbol("Σ", "box", "sum over axes (the wire's type shows which axes are gone)"),
    Symbol("⇉", "box", "broadcast: copies along new axes (the transpose of Σ; the wire's type shows them)"),
    Symbol("ᵀ", "box", "transpose (axes reversed; ᵀ(0, 2, 1) names the permutation)", r"ᵀ(\([\d, ]+\))?"),
    Symbol("W·x", "box", "a matrix–vector product (the einsum ij,j→i); Wᵀ, x·W, A·B, A·Bᵀ read the same way",
           _OPERAND + "·" + _OPERAND),
    Symbol("x⊗y", "box", "the outer product (x⊗y)ᵢⱼ = xᵢ·yⱼ", _OPERAND + "⊗" + _OPERAND),
    Symbol("einsum ij,jk→ik", "box", "any other contraction, written as its einsum spec",
           r"einsum [A-Za-z]*,[A-Za-z]*→[A-Za-z]*"),
    Symbol("conv 3×3", "box", "a convolution with a 3×3 kernel (/2: stride 2)", r"conv " + _SIZES + r"( /" + _SIZES + ")?"),
    Symbol("max 2×2", "box", "the maximum over a 2×2 window (max-pool's reduction)", r"max " + _SIZES),
    Symbol("[x = max]", "box", "1 where an entry is the maximum of its window, 0 elsewhere (R[max] uses it)"),
    Symbol("rev", "box", "reverse: the array flipped along axes (R[conv] flips the kernel)"),
    Symbol("0.5", "box", "a constant: its value", _NUMBER),
    Symbol("[1, 0]", "box", "a small constant vector: its value", r"\[" + _NUMBER + "(, " + _NUMBER + r")*\]"),
    Symbol("c: f32[3,3]", "box", "a constant too big to print, with its type", r"c: \S+"),
    Symbol("c ? x : y", "box", "select: x where the bool wire c is true, y elsewhere"),
    Symbol("<", "box", "a comparison (<, ≤, >, ≥, =, ≠) giving a bool wire", r"[<≤>≥=≠]"),
    Symbol("scatter+", "box", "scatter-add: values summed into the rows their indices name (the transpose of gather)"),
    Symbol("sg", "box", "stop-gradient: the identity whose reverse derivative is 0"),
    Symbol("∧", "box", "AND of bool (Z2) wires, the product of GF(2)"),
    Symbol("θ", "box", "the threshold gate of [RDA]; ∂θ its flips", r"∂?θ"),
    Symbol("optax", "box", "an optax optimiser's update, one box"),
    Symbol("name", "box", "a generator with no symbol of its own, drawn with its name (exp, softmax, relu, "
                          "reshape; help(catgrad.exp))"),
    Symbol("layer", "box", "a shaded box: a collapsed scope, named as the layer that built it (dense, R(dense), "
                           "max-pool 2×2, scan ×5); draw(x, depth=None) opens it"),
    Symbol("lens", "box", "a lens (f, f*) of two bands: the forward map on top, the backward map underneath"),
    Symbol("f32[3]", "wire", "a wire's type: dtype and shape (bool wires carry Z2 values)"),
    Symbol("black wire", "wire", "a forward wire: data flows left to right"),
    Symbol("red wire", "wire", "a backward wire of a lens: cotangents flow right to left"),
    Symbol("wire from the top", "wire", "a parameter (of a Para: P in P × A → B) entering from the top, named by "
                                        "its path (dense.W)"),
    Symbol("dashed frame", "frame", "a named part: a learner's U, R(model), R(loss), α; a loop opened (scan ×n)"),
    Symbol("=", "text", "an equation between two pictures (draw_equation): both sides are the same map"),
)


def legend() -> tuple:
    """The legend: every :class:`Symbol` a picture uses, in the order the docs' drawing page lists them."""
    return SYMBOLS


def explain(label: str, kind: str = "generator", names=()) -> "Symbol | None":
    """The legend's entry for a box labelled ``label`` of kind ``kind`` (``generator``, ``layer``, ``lens``),
    or ``None``; a label in ``names`` (a generator's own name) is the ``name`` entry."""
    if kind in ("layer", "lens"):
        return next(s for s in SYMBOLS if s.symbol == kind)
    if label in names:
        return next(s for s in SYMBOLS if s.symbol == "name")
    return next((s for s in SYMBOLS if s.where == "box" and s.symbol not in ("name", "layer", "lens")
                 and s.matches(label)), None)


DOT_KINDS = {"copy": "●", "discard": "● (end)", "add": "○", "zero": "○ (start)", "one": "1"}


def unexplained(drawing, names=()) -> list:
    """The box labels and dot kinds of ``drawing`` that the legend does not explain (sorted, each once)."""
    out = {b.label for b in drawing.boxes if explain(b.label, b.kind, names) is None}
    out |= {p.kind for p in drawing.dots if p.kind not in DOT_KINDS}
    return sorted(out)
