"""Formulas: a diagram read as the equation of its symbolic (sympy) meaning.

``formula(f)`` names the inputs, interprets ``f`` with the sympy semantics (``catgrad.to_sympy``;
over Z2, the GF(2) polynomials of ``catgrad.boolean.to_gf2``) and returns a :class:`Formula`
whose ``str`` reads ``f(x) = …`` and whose ``_repr_latex_`` a notebook renders. For a reverse
derivative ``R[f]: A × B → A`` the inputs are the point ``x`` and the cotangent ``dy``, and the
formula reads ``R[f](x, dy) = …`` (``J_f(x)ᵀ dy`` [CFGBL §2.3]).

A scalar wire is one symbol (``x``); an array wire a matrix of symbols ``x_0``, ``x_1``, … (a
column for a vector).

>>> from catgrad import Array, sigmoid, mul, copy
>>> A = Array(())
>>> print(formula(sigmoid(A) >> copy(A) >> mul(A)))
f(x) = (1 + exp(-x))**(-2)
>>> print(formula(sigmoid(A), rdiff=True, name="R[σ]", simplify=True))
R[σ](x, dy) = dy/(4*cosh(x/2)**2)
"""
from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np
import sympy as sp

from .. import errors
from ..core.diagram import Diagram
from ..core.objects import Ty
from ..rdiff import rdiff as R
from .gf2 import to_gf2
from .sympy import from_array, to_sympy


@dataclass(frozen=True)
class Formula:
    """``name(args) = outputs``: the symbolic meaning of a diagram.

    Fields:
        name: the function's name (``f``, ``R[f]``).
        args: the names of the inputs, one per domain wire.
        inputs: the sympy symbols (or matrices of symbols) of the inputs.
        outputs: one sympy object per codomain wire.

    >>> from catgrad import Array, formula, sin
    >>> f = formula(sin(Array(())))
    >>> f.name, f.args, f.outputs
    ('f', ('x',), (sin(x),))
    """

    name: str
    args: tuple
    inputs: tuple
    outputs: tuple

    @property
    def rhs(self):
        """The right-hand side: the one output, or the tuple of outputs."""
        return self.outputs[0] if len(self.outputs) == 1 else tuple(self.outputs)

    def __str__(self):
        rhs = _show(self.outputs[0]) if len(self.outputs) == 1 else "(" + ", ".join(map(_show, self.outputs)) + ")"
        return f"{self.name}({', '.join(self.args)}) = {rhs}"

    def latex(self) -> str:
        """The equation in LaTeX (without ``$``)."""
        name = _latex_name(self.name)
        args = ", ".join(sp.latex(sp.Symbol(a)) for a in self.args)
        rhs = (sp.latex(self.outputs[0]) if len(self.outputs) == 1
               else r"\left(" + ", ".join(sp.latex(o) for o in self.outputs) + r"\right)")
        return f"{name}({args}) = {rhs}"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def __repr__(self):
        return f"Formula({str(self)!r})"


def _show(o) -> str:
    """One line: an expression as sympy prints it, a vector ``[a, b]``, a matrix ``[[a, b], [c, d]]``."""
    if isinstance(o, sp.MatrixBase):
        rows = ["[" + ", ".join(map(sp.sstr, o.row(i))) + "]" for i in range(o.rows)]
        return "[" + ", ".join(sp.sstr(e) for e in o) + "]" if o.cols == 1 else "[" + ", ".join(rows) + "]"
    if isinstance(o, sp.NDimArray):
        return sp.sstr(o.tolist())
    return sp.sstr(o)


def _latex_name(name: str) -> str:
    greek = {"σ": r"\sigma", "α": r"\alpha"}
    return "".join(greek.get(c, c) for c in name)


def _symbols(t, name: str):
    if t.shape == ():
        return sp.Symbol(name)
    arr = np.empty(t.shape, dtype=object)
    for idx in np.ndindex(*t.shape):
        arr[idx] = sp.Symbol(f"{name}_{'_'.join(map(str, idx))}")
    return from_array(arr)


def default_names(dom: Ty, split: int | None = None) -> list:
    """``x`` (or ``x0, x1, …``) for the inputs; for ``R[f]`` also ``dy`` (or ``dy0, …``) for the cotangents.

    >>> from catgrad import Array
    >>> default_names(Array(()) @ Array(()) @ Array(()), split=2)
    ['x0', 'x1', 'dy']
    """
    n = len(dom)
    k = n if split is None else split

    def seq(prefix, m):
        return [prefix] if m == 1 else [f"{prefix}{i}" for i in range(m)]
    return seq("x", k) + (seq("dy", n - k) if n > k else [])


def formula(f, names=None, simplify: bool = False, name: str | None = None, rdiff: bool = False) -> Formula:
    """The formula of ``f`` (a Diagram, or a Para with its parameters named): ``f(x) = …``.

    Args:
        f: the diagram.
        names: one name per domain wire (default ``x``/``x0, x1, …``, and ``dy`` for a cotangent).
        simplify: apply ``sympy.simplify`` to each output entry.
        name: the function's name (default ``f``, or ``R[f]`` with ``rdiff=True``).
        rdiff: the formula of ``R[f](x, dy) = J_f(x)ᵀ dy`` (``catgrad.rdiff(f)``) instead, with the
            inputs ``x`` and the cotangents ``dy`` named apart.

    Raises ``TypeError`` for a non-diagram or a wrong number of names.

    >>> from catgrad import Array, exp, mul
    >>> A = Array(())
    >>> print(formula(mul(A), rdiff=True))
    R[f](x0, x1, dy) = (dy*x1, dy*x0)
    >>> formula(exp(A), names=["t"])._repr_latex_()
    '$$f(t) = e^{t}$$'
    """
    if not isinstance(f, Diagram) and hasattr(f, "map"):  # a Para (a layer above): its map, parameters named
        f, names = _para_map(f, names)
    if not isinstance(f, Diagram):
        raise TypeError(f"formula expects a Diagram or a Para, got {errors.describe(f)}")
    split = None
    if rdiff:
        split, f = len(f.dom), R(f)
    if name is None:
        name = "R[f]" if rdiff else "f"
    if names is None:
        names = default_names(f.dom, split)
    names = [str(n) for n in names]
    if len(names) != len(f.dom):
        raise TypeError(f"formula: got {len(names)} name(s) {names} for a domain of {len(f.dom)} wire(s) ({f.dom})")
    inputs = tuple(_symbols(t, n) for t, n in zip(f.dom, names))
    if f.dom and all(t.dtype == "bool" for t in f.dom):
        outputs = to_gf2(f, list(inputs))
    else:
        outputs = to_sympy(f, list(inputs))
    if simplify:
        outputs = tuple(o.applyfunc(sp.simplify) if hasattr(o, "applyfunc") else sp.simplify(o) for o in outputs)
    return Formula(name, tuple(names), inputs, tuple(outputs))


def _para_map(p, names) -> tuple:
    """A Para's map (its forward map for a Para(Lens)) and the names of its inputs: each parameter by its
    last key where that is unique, else by its path, then the inputs (read by attribute: ``para`` is
    a layer above the semantics)."""
    if names is None:
        keys = [[str(getattr(k, "key", getattr(k, "idx", k))) for k in path]
                for path, _ in jax.tree_util.tree_flatten_with_path(p.param)[0]]
        names = [n[-1] if sum(m[-1:] == n[-1:] for m in keys) == 1 else "_".join(n) or "p" for n in keys]
        names += default_names(p.dom)
    return (p.map if isinstance(p.map, Diagram) else p.map.fwd), names
