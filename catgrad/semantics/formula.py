"""Formulas: a diagram read as the equation of its meaning, in mathematical notation.

``formula(f)`` names the inputs, interprets ``f`` and returns a :class:`Formula` whose ``str``
reads ``f(x) = …`` in Unicode mathematics and whose ``_repr_latex_`` a notebook renders, the two
in one notation (``catgrad.semantics.notation``): the known functions by name (``σ``, ``tanh``,
``relu``, ``softmax``), arrays of more than a few entries as matrix expressions (``W·x + b``,
``x ⊙ y``, ``Σ``, ``ᵀ``), cotangents last in a product. ``expand=True`` gives instead the
elementary expressions of ``catgrad.to_sympy`` entry by entry (over Z2, the GF(2) polynomials of
``catgrad.boolean.to_gf2``). For a reverse derivative ``R[f]: A × B → A`` the inputs are the
point ``x`` and the cotangent ``dy``, and the formula reads ``R[f](x, dy) = …`` (``J_f(x)ᵀ dy``
[CFGBL §2.3]); ``rdiff=2`` reads ``R[R[f]](x, dy, ddx)``. A lens gives both its maps, a
parametrised map names its parameters.

>>> from catgrad import Array, sigmoid, mul, copy, tanh
>>> A = Array(())
>>> print(formula(sigmoid(A) >> copy(A) >> mul(A)))
f(x) = σ(x)²
>>> print(formula(sigmoid(A) >> copy(A) >> mul(A), rdiff=True))
R[f](x, dy) = 2σ(x)²(1 − σ(x))·dy
>>> print(formula(tanh(A), rdiff=True, simplify=True))
R[f](x, dy) = (1 − tanh(x)²)·dy
>>> print(formula(sigmoid(A), expand=True))
f(x) = 1/(1 + exp(−x))
"""
from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np
import sympy as sp

from .. import errors
from ..core.diagram import Diagram
from ..core.objects import Ty
from ..rdiff import numbered, rdiff_names
from ..rdiff import rdiff as R
from . import notation
from .gf2 import to_gf2
from .sympy import from_array, to_sympy

#: An array wire with more entries than this is a matrix symbol (``W``) rather than its entries (``W₀₀, W₀₁, …``).
FEW = 4


@dataclass(frozen=True)
class Formula:
    """``name(args) = outputs``: the symbolic meaning of a diagram.

    Fields:
        name: the function's name (``f``, ``R[f]``).
        args: the names of the inputs, one per domain wire.
        inputs: the sympy symbols (matrices of symbols, or matrix symbols) of the inputs.
        outputs: one sympy object per codomain wire.
        cotangents: the input symbols written last in a product (``dy`` in ``σ(x)(1 − σ(x))·dy``).

    >>> from catgrad import Array, formula, sin
    >>> f = formula(sin(Array(())))
    >>> f.name, f.args, f.outputs
    ('f', ('x',), (sin(x),))
    """

    name: str
    args: tuple
    inputs: tuple
    outputs: tuple
    cotangents: frozenset = frozenset()

    @property
    def rhs(self):
        """The right-hand side: the one output, or the tuple of outputs."""
        return self.outputs[0] if len(self.outputs) == 1 else tuple(self.outputs)

    def __str__(self):
        show = lambda o: notation.show(o, self.cotangents)  # noqa: E731
        rhs = show(self.outputs[0]) if len(self.outputs) == 1 else "(" + ", ".join(map(show, self.outputs)) + ")"
        return f"{self.name}({', '.join(map(notation.symbol_name, self.args))}) = {rhs}"

    def latex(self) -> str:
        """The equation in LaTeX (without ``$``), in the notation of ``str``."""
        tex = lambda o: notation.latex(o, self.cotangents)  # noqa: E731
        name = _latex_name(self.name)
        args = ", ".join(notation.latex(sp.Symbol(a)) for a in self.args)
        rhs = (tex(self.outputs[0]) if len(self.outputs) == 1
               else r"\left(" + ", ".join(map(tex, self.outputs)) + r"\right)")
        return f"{name}({args}) = {rhs}"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def __repr__(self):
        return f"Formula({str(self)!r})"


@dataclass(frozen=True)
class LensFormula:
    """The two maps of a lens ``(f, f*)``: ``get`` (``f``) and ``put`` (``f*``), one equation per line.

    >>> from catgrad import Array, Lens, sigmoid
    >>> print(formula(Lens.of(sigmoid(Array(())))))
    f(x) = σ(x)
    f*(x, dy) = σ(x)(1 − σ(x))·dy
    """

    get: Formula
    put: Formula

    def __str__(self):
        return f"{self.get}\n{self.put}"

    def latex(self) -> str:
        return r"\begin{aligned} " + self.get.latex() + r" \\ " + self.put.latex() + r" \end{aligned}"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def __repr__(self):
        return f"LensFormula({str(self)!r})"


def _latex_name(name: str) -> str:
    greek = {"σ": r"\sigma", "α": r"\alpha", "*": "^*"}
    return "".join(greek.get(c, c) for c in name)


def _symbols(t, name: str, matrix: bool):
    if t.shape == ():
        return sp.Symbol(name)
    if matrix and t.ndim <= 2:
        return sp.MatrixSymbol(name, *((t.shape[0], 1) if t.ndim == 1 else t.shape))
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
    return numbered("x", k) + (numbered("dy", n - k) if n > k else [])


def parameter_names(p, f: Diagram) -> list:
    """Names for the parameter wires of a parametrised map ``p`` (``f`` its forward diagram): the last part of
    each path in its record (``W``, ``b``), numbered ``W₁, W₂`` in the record's order of the layers when they
    clash (``dense``, ``dense_1``, … in the order composition named them).

    The paths come from the parameter record (a pytree of array types, read by attribute: ``para`` is a
    layer above the semantics); this is the one place that reads them.
    """
    leaves = jax.tree_util.tree_flatten_with_path(p.param)[0]
    paths = [tuple(str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path)
             for path, _ in leaves]
    lasts = [q[-1] if q else "p" for q in paths]
    clash = {n for n in lasts if lasts.count(n) > 1}
    order = list(dict.fromkeys(q[:-1] for q, n in zip(paths, lasts) if n in clash))
    return [n if n not in clash else f"{n}_{order.index(q[:-1]) + 1}" for q, n in zip(paths, lasts)]


def formula(f, names=None, simplify: bool = False, name: str | None = None, rdiff: int = False,
            expand: bool = False, matrices: bool | None = None):
    """The formula of ``f``: ``f(x) = …`` for a Diagram, the same with its parameters named for a
    parametrised map (a Para), both maps ``f(x) = …`` and ``f*(x, dy) = …`` for a lens.

    Args:
        f: the diagram (or a Para, or a Lens: any object with a ``map``, or ``fwd`` and ``bwd`` diagrams).
        names: one name per domain wire (default ``x``/``x0, x1, …``, and ``dy`` for a cotangent).
        simplify: simplify each output, keeping the named functions (``1 − tanh(x)²`` stays).
        name: the function's name (default ``f``, or ``R[f]`` with ``rdiff=True``, ``R[R[f]]`` with ``rdiff=2``).
        rdiff: the formula of ``R[f](x, dy) = J_f(x)ᵀ dy`` (``catgrad.rdiff(f)``) instead, with the
            inputs ``x`` and the cotangents ``dy`` named apart; an integer ``k``: of ``R`` applied ``k`` times.
        expand: the elementary expressions of ``to_sympy``, entry by entry (``σ(x)`` written ``1/(1 + exp(−x))``).
        matrices: read vector and matrix inputs as matrix symbols (``W``) rather than entries (``W₀₀, …``);
            by default when one of them has more than ``FEW`` entries.

    Raises ``TypeError`` for anything else or a wrong number of names.

    >>> from catgrad import Array, exp, mul, sin
    >>> A = Array(())
    >>> print(formula(mul(A), rdiff=True))
    R[f](x₀, x₁, dy) = (x₁·dy, x₀·dy)
    >>> print(formula(sin(A) >> exp(A), rdiff=2))
    R[R[f]](x, dy, ddx) = (exp(sin(x))·cos(x)²·ddx·dy − exp(sin(x))·sin(x)·ddx·dy, exp(sin(x))·cos(x)·ddx)
    >>> formula(exp(A), names=["t"])._repr_latex_()
    '$$f(t) = e^{t}$$'
    """
    options = dict(simplify=simplify, expand=expand, matrices=matrices)
    fwd, bwd = getattr(f, "fwd", None), getattr(f, "bwd", None)
    inner = getattr(f, "map", None)
    if isinstance(inner, (Diagram, type(None))) is False and hasattr(inner, "fwd"):
        fwd, bwd = inner.fwd, inner.bwd
    elif isinstance(inner, Diagram):
        fwd = inner
    if isinstance(fwd, Diagram) and (isinstance(bwd, Diagram) or isinstance(inner, Diagram)):
        if names is None:
            params = parameter_names(f, fwd) if inner is not None else []
            names = params + default_names(fwd.dom[len(params):])
        if bwd is None:
            return formula(fwd, names, name=name, rdiff=rdiff, **options)
        get = formula(fwd, names, name=name or "f", **options)
        put = _formula(bwd, list(names) + default_names(bwd.dom, len(fwd.dom))[len(fwd.dom):],
                       get.name + "*", split=len(fwd.dom), **options)
        return LensFormula(get, put)
    if not isinstance(f, Diagram):
        raise TypeError(f"formula expects a Diagram, a Para or a Lens, got {errors.describe(f)}")
    order = int(rdiff)
    n = len(f.dom)
    if order:
        xs = [str(a) for a in names] if names is not None and len(names) == n else default_names(f.dom)
        full = rdiff_names(xs, numbered("y", len(f.cod)), order)[0]
        for _ in range(order):
            f = R(f)
        names = full if names is None or len(names) == n else names
    if name is None:
        name = "R[" * order + "f" + "]" * order
    return _formula(f, names, name, split=n if order else None, **options)


def _formula(f: Diagram, names, name: str, split, simplify, expand, matrices) -> Formula:
    if names is None:
        names = default_names(f.dom, split)
    names = [str(n) for n in names]
    if len(names) != len(f.dom):
        raise TypeError(f"formula: got {len(names)} name(s) {names} for a domain of {len(f.dom)} wire(s) ({f.dom})")
    boolean = bool(f.dom) and all(t.dtype == "bool" for t in f.dom)
    if matrices is None:
        matrices = any(0 < t.ndim <= 2 and t.size > FEW for t in f.dom)
    matrices = matrices and not (expand or boolean)
    inputs = tuple(_symbols(t, n, matrices) for t, n in zip(f.dom, names))
    if boolean:
        outputs = to_gf2(f, list(inputs))
    elif expand:
        outputs = to_sympy(f, list(inputs))
    else:
        outputs = notation.to_notation(f, list(inputs))
    if simplify:
        simp = sp.simplify if expand or boolean else notation.simplify
        outputs = tuple(o.applyfunc(simp) if isinstance(o, (sp.MatrixBase, sp.NDimArray)) else simp(o)
                        for o in outputs)
    cot = inputs[split:] if split is not None else ()
    last = frozenset(s for c in cot for s in (c.free_symbols if isinstance(c, sp.Basic) else ()))
    return Formula(name, tuple(names), inputs, tuple(outputs), last)
