"""The symbolic semantics: a functor from diagrams to sympy expressions.

Every wire is interpreted as a NumPy object array of sympy expressions of the wire's
shape; the outputs are returned as sympy objects: a scalar as an expression, a vector as a
column ``Matrix``, a matrix as a ``Matrix`` and higher ranks as a sympy ``Array``.

>>> from catgrad import Array, sigmoid, rdiff
>>> to_sympy(rdiff(sigmoid(Array(()))))
(x1*(1 - 1/(1 + exp(-x0)))/(1 + exp(-x0)),)
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .. import errors
from ..core.diagram import Diagram, expect_diagram
from ..core.objects import Array, TyLike, as_ty
from . import functor


def symbols(dom: TyLike, prefix: str = "x", **assumptions) -> list:
    """Fresh symbols for each wire of ``dom``: ``x0`` for a scalar, a matrix of ``x0_i_j`` otherwise.

    >>> from catgrad import Array
    >>> symbols(Array(()) @ Array((2,)))
    [x0, Matrix([
    [x1_0],
    [x1_1]])]
    """
    out = []
    for i, t in enumerate(as_ty(dom)):
        if t.shape == ():
            out.append(sp.Symbol(f"{prefix}{i}", **assumptions))
            continue
        names = np.empty(t.shape, dtype=object)
        for idx in np.ndindex(*t.shape):
            names[idx] = sp.Symbol(f"{prefix}{i}_" + "_".join(map(str, idx)), **assumptions)
        out.append(from_array(names))
    return out


def to_array(x, t: Array) -> np.ndarray:
    """A sympy object (expression, Matrix, Array) as an object array of shape ``t.shape``."""
    if isinstance(x, (sp.MatrixBase, sp.NDimArray)):
        arr = np.array(x.tolist(), dtype=object)
    else:
        arr = np.array(x, dtype=object)
    if arr.size != t.size:
        raise TypeError(f"to_sympy: a value with {arr.size} entries cannot be a wire of type {t}")
    arr = arr.reshape(t.shape)
    return np.vectorize(sp.sympify, otypes=[object])(arr) if arr.size else arr


def from_array(a: np.ndarray):
    """An object array as a sympy object: expression, column Matrix, Matrix or Array."""
    a = np.asarray(a, dtype=object)
    if a.ndim == 0:
        return sp.sympify(a.item())
    if a.ndim == 1:
        return sp.Matrix(list(a))
    if a.ndim == 2:
        return sp.Matrix(a.tolist())
    return sp.Array(a.tolist())


_record_sympy = functor.field_meaning("sympy")


def sympy_meaning(op, args, types) -> tuple:
    """The sympy meaning of one operation (its record's ``sympy`` field), each output an object array of
    its wire's shape."""
    return tuple(np.asarray(r, dtype=object).reshape(t.shape) for r, t in zip(_record_sympy(op, args, types), types.cod))


def to_sympy(f: Diagram, inputs: list | None = None) -> tuple:
    """The sympy expressions of ``f``'s outputs, in symbols for its inputs.

    ``inputs`` (optional) gives one sympy object per domain wire; by default fresh symbols
    from ``symbols(f.dom)`` (``x0``, ``x1_0``, ...).

    >>> import sympy as sp
    >>> from catgrad import Array, sigmoid, rdiff
    >>> to_sympy(rdiff(sigmoid(Array(()))), sp.symbols("x dy"))
    (dy*(1 - 1/(1 + exp(-x)))/(1 + exp(-x)),)
    """
    expect_diagram("to_sympy", f)
    # a Z2 circuit: bool wires and no real one (a real diagram may carry bool conditions, e.g. select's)
    if any(t.dtype == "bool" for t in f.wires) and not any(t.is_float for t in f.wires):
        raise errors.SemanticsError(
            "to_sympy: this is a Z2 (boolean) circuit; its symbolic meaning is a polynomial over GF(2): "
            "use catgrad.boolean.to_gf2")
    if inputs is None:
        inputs = symbols(f.dom)
    if len(inputs) != len(f.dom):
        raise TypeError(errors.arity("to_sympy", len(f.dom), len(inputs), f" (its domain is {f.dom})"))
    args = [to_array(x, t) for x, t in zip(inputs, f.dom)]
    return tuple(from_array(a) for a in functor.interpret(f, sympy_meaning, args))
