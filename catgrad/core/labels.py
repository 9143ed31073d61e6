"""Drawing labels as mathematics: the pieces generator records use to state their ``label``.

A record's ``label`` is a string (``"σ"``) or a function ``(dom, **attrs) -> str`` of the operation's input
types and attributes (``W·x`` for the einsum ``ij,j->i``, ``x²`` for ``pow`` with ``k = 2``, a constant's
value). These are the functions shared by several records; each record still says its own label.

>>> number(0.5), number(-2.0), power(2), power(0.5)
('0.5', '−2', 'x²', 'x^0.5')
>>> einsum_label("ij,j->i"), einsum_label("ij,i->j"), einsum_label("i,j->ij"), einsum_label("qd,kd->qk")
('W·x', 'Wᵀ·x', 'x⊗y', 'A·Bᵀ')
>>> einsum_label("ijk,kl->ijl")
'einsum ijk,kl→ijl'
"""
from __future__ import annotations

import numpy as np

SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
SMALL_ARRAY = 4
"""A constant array of at most this many entries (and rank ≤ 1) is drawn as its value."""


def number(v) -> str:
    """A real number as drawn: shortest form (``%g``), the minus sign ``−``, integers without ``.0``."""
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    return f"{v:g}".replace("-", "−")


def power(k) -> str:
    """``x`` to the power ``k``: superscript digits for an integer (``x²``, ``x⁻¹``), else ``x^k``."""
    if float(k).is_integer():
        return "x" + str(int(k)).translate(SUPERSCRIPTS)
    return f"x^{number(k)}"


def constant_label(type, value) -> str:
    """A constant as drawn: its value (a number, or a small vector ``[1, 0, 2]``), else ``c: type``."""
    v = np.asarray(getattr(value, "value", value))
    if v.ndim == 0:
        return number(v.item())
    if v.ndim == 1 and v.size <= SMALL_ARRAY:
        return "[" + ", ".join(number(t) for t in v.tolist()) + "]"
    return f"c: {type}"


def _operand_names(ra: int, rb: int) -> tuple:
    if {ra, rb} == {1, 2}:
        return ("W", "x") if ra == 2 else ("x", "W")
    return ("A", "B") if ra == 2 else ("x", "y")


def einsum_label(spec: str) -> str:
    """The einsum ``spec`` as a product when it is one: a matrix–vector or matrix–matrix product (``W·x``,
    ``Wᵀ·x``, ``x·W``, ``A·Bᵀ``), a dot product ``x·y`` or an outer product ``x⊗y``; indices in all three terms
    (a batch) do not change the label. Any other spec is drawn as itself, ``einsum ij,jk→ik``."""
    ins, out = spec.split("->")
    a, b = ins.split(",")
    batch = set(a) & set(b) & set(out)
    a, b, out = ("".join(c for c in t if c not in batch) for t in (a, b, out))
    summed = "".join(c for c in a if c in b and c not in out)
    fa = "".join(c for c in a if c not in summed)
    fb = "".join(c for c in b if c not in summed)
    readable = (len(summed) <= 1 and len(fa) <= 1 and len(fb) <= 1 and a and b
                and (summed or (len(a), len(b)) == (1, 1)) and out in (fa + fb, fb + fa))
    if not readable:
        return "einsum " + spec.replace("->", "→")
    names = _operand_names(len(a), len(b))
    (left, lname, lfree), (right, rname, rfree) = ((a, names[0], fa), (b, names[1], fb))
    if out != fa + fb:
        (left, lname, lfree), (right, rname, rfree) = (right, rname, rfree), (left, lname, lfree)
    lname += "ᵀ" if len(left) == 2 and left != lfree + summed else ""
    rname += "ᵀ" if len(right) == 2 and right != summed + rfree else ""
    return f"{lname}{'·' if summed else '⊗'}{rname}"


def window(dom, axes) -> str:
    """The sizes of the axes ``axes`` of the first input, as ``2×2``: the window a reduction runs over."""
    shape = dom[0].shape
    return "×".join(str(shape[a]) for a in axes)
