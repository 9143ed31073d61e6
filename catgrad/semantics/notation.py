"""Mathematical notation: a diagram's meaning as the formula a reader of the papers writes.

The sympy semantics (``catgrad.to_sympy``) gives every entry of every wire as an elementary
expression: exact, but ``σ`` is spelt ``1/(1 + exp(-x))`` and ``W·x + b`` for a 20×4 matrix is
eighty products. This meaning keeps the mathematics:

- the known functions by name: ``σ``, ``tanh``, ``relu``, ``softmax`` (sympy functions whose
  derivative is stated in their own terms, ``σ′ = σ(1 − σ)``, ``tanh′ = 1 − tanh²``);
- arrays as matrix expressions over sympy's ``MatrixSymbol`` (a vector is a column): ``einsum``
  specs that are matrix products read ``W·x``, ``Wᵀ·dy`` or ``dy·xᵀ``, elementwise products ``x ⊙ y``,
  sums ``Σ(x)``, a broadcast scalar ``c·𝟏``, an elementwise function ``σ(W·x + b)``;
- every other operation entry by entry, through its record's sympy meaning.

Each value is still an exact sympy expression: ``expand`` rewrites the named functions into
elementary ones and ``explicit`` writes a matrix expression entry by entry (``.doit()`` after
substituting numbers evaluates it), so the notation denotes what ``to_sympy`` computes.
``show`` prints one line of Unicode mathematics and ``latex`` the same in LaTeX.

>>> import sympy as sp
>>> x, dy = sp.symbols("x dy")
>>> show(2 * dy * sigma(x) ** 2 * (1 - sigma(x)), last={dy})
'2σ(x)²(1 − σ(x))·dy'
>>> W, v = sp.MatrixSymbol("W_1", 3, 4), sp.MatrixSymbol("x", 4, 1)
>>> show(elementwise(sigma, W * v + sp.MatrixSymbol("b_1", 3, 1)))
'σ(W₁·x + b₁)'
"""
from __future__ import annotations

import re
import string

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from . import functor
from .sympy import from_array

# -- the named functions -------------------------------------------------------------


class sigma(sp.Function):
    """The logistic function ``σ(x) = 1 / (1 + e^(−x))``, kept by name; ``σ′ = σ(1 − σ)``."""

    def fdiff(self, argindex=1):
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, t, **kwargs):
        return 1 / (1 + sp.exp(-t))

    def _latex(self, printer, exp=None):
        s = r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"
        return s if exp is None else f"{s}^{{{exp}}}"


class relu(sp.Function):
    """The rectified linear unit ``relu(x) = max(x, 0)``, kept by name; ``relu′ = H``."""

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, t, **kwargs):
        return sp.Max(t, 0)

    def _latex(self, printer, exp=None):
        s = r"\operatorname{relu}\left(" + printer._print(self.args[0]) + r"\right)"
        return s if exp is None else f"{s}^{{{exp}}}"


class total(sp.Function):
    """``Σ(X)``: the sum of the entries of a matrix expression (a scalar); ``doit`` adds them up."""

    is_commutative = True

    def doit(self, **hints):
        m = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        return sp.Add(*m) if _is_explicit(m) else total(m)

    def _latex(self, printer, exp=None):
        s = r"\Sigma\left(" + printer._print(self.args[0]) + r"\right)"
        return s if exp is None else f"{s}^{{{exp}}}"


class softmax(sp.MatrixExpr):
    """``softmax(X)`` along ``axis`` (0: each column, 1: each row) of a matrix expression."""

    def __new__(cls, arg, axis):
        return sp.Basic.__new__(cls, arg, sp.Integer(axis))

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        X, axis = self.args[0], int(self.args[1])
        n = X.shape[axis]
        terms = [sp.exp(X[k, j] if axis == 0 else X[i, k]) for k in range(n)]
        return sp.exp(X[i, j]) / sp.Add(*terms)

    def doit(self, **hints):
        X = self.args[0].doit(**hints)
        return softmax(X, int(self.args[1])).as_explicit() if _is_explicit(X) else softmax(X, self.args[1])


NAMED = (sigma, relu, total, softmax)


def _is_explicit(m) -> bool:
    """Whether ``m`` is a matrix of entries (not a matrix expression such as ``W·x``)."""
    return isinstance(m, sp.MatrixBase)

_T = sp.Dummy("t")  # one bound variable for every elementwise function, so that equal formulas are equal terms


def elementwise(fn, X):
    """``fn`` applied to each entry of ``X`` (a matrix expression), printed ``fn(X)``.

    >>> show(elementwise(sp.tanh, sp.MatrixSymbol("h", 3, 1)))
    'tanh(h)'
    """
    if not isinstance(X, sp.MatrixExpr):
        return fn(X)
    return ElementwiseApplyFunction(sp.Lambda(_T, fn(_T)), X)


def expand(e):
    """The named functions rewritten as elementary ones (``σ(x) → 1/(1 + e^(−x))``, ``relu → max(·, 0)``)."""
    if isinstance(e, np.ndarray):
        return np.vectorize(expand, otypes=[object])(e)
    if isinstance(e, (sp.MatrixBase, sp.NDimArray)):
        return e.applyfunc(expand)
    if not isinstance(e, sp.Basic):
        return e
    return e.replace(sigma, lambda t: 1 / (1 + sp.exp(-t))).replace(relu, lambda t: sp.Max(t, 0))


def explicit(e):
    """``e`` written entry by entry: every matrix expression without matrix symbols (after substituting
    matrices for them) becomes its explicit matrix, and everything is evaluated (``doit``).

    >>> X = sp.MatrixSymbol("X", 2, 1)
    >>> explicit(total(elementwise(sigma, X)).xreplace({X: sp.ImmutableMatrix([0, 0])}))
    2*sigma(0)
    """
    if isinstance(e, np.ndarray):
        return np.vectorize(explicit, otypes=[object])(e)
    if not isinstance(e, sp.Basic):
        return e
    concrete = lambda t: isinstance(t, sp.MatrixExpr) and not _is_explicit(t) and not t.atoms(sp.MatrixSymbol)  # noqa: E731
    e = e.replace(concrete, lambda t: t.as_explicit())
    return e.doit()


# -- the meaning: matrix expressions where the mathematics has them --------------------


def is_matrix(v) -> bool:
    return isinstance(v, sp.MatrixExpr)


def entries(v, t) -> np.ndarray:
    """A value (scalar, matrix expression or object array) as an object array of ``t``'s shape."""
    if isinstance(v, np.ndarray):
        return v
    if is_matrix(v):
        return np.array(v.as_explicit().tolist(), dtype=object).reshape(t.shape)
    return np.asarray(v, dtype=object).reshape(t.shape)


def as_matrix(v, t):
    """A value of a rank-1 or rank-2 wire as a matrix expression (a vector is a column); a scalar as is."""
    if is_matrix(v) or t.ndim == 0:
        return v.item() if isinstance(v, np.ndarray) else v
    a = np.asarray(v, dtype=object)
    return sp.ImmutableMatrix(a.reshape(-1, 1).tolist() if a.ndim == 1 else a.tolist())


class transposed(sp.Transpose):
    """``Mᵀ`` kept where it is taken: sympy's ``Transpose`` would be pushed inside ``σ(·)`` and sums
    (``σ(W·x + b)ᵀ`` written ``σ(xᵀ·Wᵀ + bᵀ)``); ``doit`` transposes explicit matrices only."""

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        return transpose(arg)


def transpose(m):
    """``mᵀ``, written where it is taken."""
    if isinstance(m, sp.Transpose):
        return m.arg
    if isinstance(m, sp.MatMul):
        c, ms = m.as_coeff_matrices()
        if len(ms) == 1 and c != 1:  # (c·M)ᵀ = c·Mᵀ
            return c * transpose(ms[0])
    if isinstance(m, (sp.MatrixSymbol, sp.OneMatrix, sp.ZeroMatrix)) or _is_explicit(m):
        return m.T
    return transposed(m)


def _scalar(m):
    """A 1×1 matrix expression as a scalar (``xᵀ·y``), kept unevaluated."""
    return sp.Trace(m)


def _einsum(x, y, spec, types):
    """An einsum of rank ≤ 2 operands that is one matrix product: ``L·R`` with ``L``, ``R`` the operands
    (or their transposes) and the result (or its transpose); ``None`` otherwise."""
    ins, out = spec.split("->")
    a, b = ins.split(",")
    shared = set(a) & set(b)
    contracted = shared - set(out)
    if len(contracted) > 1 or shared & set(out) or len(out) > 2:
        return None
    c = next(iter(contracted), None)
    free_a, free_b = [i for i in a if i != c], [i for i in b if i != c]
    if len(free_a) > 1 or len(free_b) > 1 or sorted(out) != sorted(free_a + free_b):
        return None
    # L: rows = a's free index (or 1), cols = the contracted index (or 1)
    if len(a) == 2:
        L = x if a[0] in free_a else transpose(x)
    elif len(a) == 1:
        L = x if free_a else transpose(x)
    else:
        return None
    if len(b) == 2:
        Rm = y if b[0] == c else transpose(y)
    elif len(b) == 1:
        Rm = y if c is not None else transpose(y)
    else:
        return None
    P = sp.MatMul(L, Rm)  # not L * Rm, which would push transposes inside
    if not out:
        return _scalar(P)
    if len(out) == 1:
        return P if P.shape[1] == 1 else transpose(P)
    return P if list(out) == free_a + free_b else transpose(P)


def _matrix_axis(t, axis):
    """The axis of the matrix representation (a vector is a column) for ``axis`` of an array type."""
    return (axis % t.ndim) if t.ndim == 2 else 0


def _sum(x, axes, types):
    t = types.dom[0]
    ones = sp.OneMatrix
    if len(axes) == t.ndim:
        return total(x)
    rows, cols = x.shape
    if _matrix_axis(t, axes[0]) == 0:  # over the rows: Xᵀ·𝟏
        return transpose(x) * ones(rows, 1)
    return x * ones(cols, 1)


def _broadcast(x, shape, axes, types):
    t, u = types.dom[0], types.cod[0]
    if t.ndim == 0:
        return x * sp.OneMatrix(*((shape[0], 1) if u.ndim == 1 else shape))
    if u.ndim == 2 and len(axes) == 1:
        if axes[0] % 2 == 0:  # new rows: 𝟏·xᵀ
            return sp.OneMatrix(shape[0], 1) * transpose(x)
        return x * sp.OneMatrix(1, shape[1])
    return None


def _matrix_shape(t) -> tuple:
    return (t.shape[0], 1) if t.ndim == 1 else tuple(t.shape)


def _constant(t, value):
    """``c·𝟏`` for a constant array of one value, else the explicit matrix."""
    if t.ndim == 0:
        return None
    v = getattr(value, "value", value)
    a = np.asarray(v)
    if a.ndim == 0 or (a == a.flat[0]).all():
        c = sp.nsimplify(float(a.flat[0]))
        return sp.OneMatrix(*_matrix_shape(t)) if c == 1 else c * sp.OneMatrix(*_matrix_shape(t))
    return sp.ImmutableMatrix(a.reshape(_matrix_shape(t)).tolist()).applyfunc(lambda e: sp.nsimplify(float(e)))


def _ones_times(m):
    """``c`` when ``m`` is ``c·𝟏`` (``1`` for ``𝟏``), else None."""
    if isinstance(m, sp.OneMatrix):
        return sp.Integer(1)
    if isinstance(m, sp.MatMul):
        c, ms = m.as_coeff_matrices()
        if len(ms) == 1 and isinstance(ms[0], sp.OneMatrix):
            return c
    return None


def _hadamard(x, y):
    """``x ⊙ y``; ``c·x`` when one side is ``c·𝟏``."""
    if not is_matrix(x):
        return x * y
    for a, b in ((x, y), (y, x)):
        c = _ones_times(b)
        if c is not None:
            return a if c == 1 else c * a
    return sp.hadamard_product(x, y)


def _unary(fn):
    return lambda x, types, **_: elementwise(fn, x)


# generator name → its meaning on matrix expressions (None: written entry by entry instead)
RULES = {
    "neg": lambda x, types: -x,
    "scale": lambda x, types, c: sp.nsimplify(c) * x if isinstance(c, float) else c * x,
    "add": lambda x, y, types: x + y,
    "mul": lambda x, y, types: _hadamard(x, y),
    "einsum": lambda x, y, types, spec: _einsum(x, y, spec, types),
    "transpose": lambda x, types, perm: transpose(x) if types.dom[0].ndim == 2 else x,
    "sum": lambda x, types, axes: _sum(x, axes, types),
    "broadcast": lambda x, types, shape, axes: _broadcast(x, shape, axes, types),
    "softmax": lambda x, types, axis: softmax(x, _matrix_axis(types.dom[0], axis)),
    "logsumexp": lambda x, types, axis: (sp.log(total(elementwise(sp.exp, x)))
                                         if types.dom[0].ndim == 1 else None),
    "zero": lambda types, type: sp.ZeroMatrix(*_matrix_shape(type)) if type.ndim else None,
    "constant": lambda types, type, value: _constant(type, value),
    "exp": _unary(sp.exp), "log": _unary(sp.log), "sin": _unary(sp.sin), "cos": _unary(sp.cos),
    "sqrt": _unary(sp.sqrt), "sigmoid": _unary(sigma), "tanh": _unary(sp.tanh), "relu": _unary(relu),
}
# the generators kept by name when they act entry by entry on explicit (small) arrays
ENTRYWISE = {"sigmoid": sigma, "relu": relu}

_entries_meaning = functor.field_meaning("sympy")


def meaning(op, args, types, matrices: bool = True) -> list:
    """The notation meaning of one operation: a matrix expression when a rule applies to its
    (matrix-expression) arguments (or, with ``matrices``, to no arguments: a constant), else the
    record's sympy meaning entry by entry."""
    name = op.gen.name
    rule = RULES.get(name)
    ranks = [t.ndim for t in (*types.dom, *types.cod)]
    if rule is not None and max(ranks, default=0) <= 2 and (matrices or any(map(is_matrix, args))):
        try:
            out = rule(*(as_matrix(a, t) for a, t in zip(args, types.dom)), types=types, **dict(op.attrs))
        except (TypeError, ValueError, ArithmeticError, NotImplementedError):
            out = None  # sympy has no matrix expression for this case: entry by entry
        if out is not None:
            return [out]
    arrays = [entries(a, t) for a, t in zip(args, types.dom)]
    if name in ENTRYWISE:
        outs = [np.vectorize(ENTRYWISE[name], otypes=[object])(arrays[0])]
    else:
        outs = [np.asarray(r, dtype=object).reshape(t.shape)
                for r, t in zip(_entries_meaning(op, arrays, types), types.cod)]
    return [o.item() if o.ndim == 0 else o for o in outs]


def to_notation(f, inputs: list) -> tuple:
    """The outputs of ``f`` in mathematical notation, given one value per domain wire (a scalar, a
    matrix expression or an object array of its shape); constants are matrix expressions when an
    input is.

    >>> from catgrad import Array, sigmoid
    >>> to_notation(sigmoid(Array((5,))), [sp.MatrixSymbol("x", 5, 1)])
    (Lambda(_t, sigma(_t)).(x),)
    """
    matrices = any(map(is_matrix, inputs))
    outs = functor.interpret(f, lambda op, args, types: meaning(op, args, types, matrices), inputs)
    return tuple(from_array(o) if isinstance(o, np.ndarray) else o for o in outs)


def simplify(e):
    """``sympy.simplify`` with the named functions kept: each application is simplified inside and held
    as an atom outside, so ``1 − tanh(x)²`` stays (it does not become ``1/cosh(x)²``)."""
    if isinstance(e, sp.MatrixExpr):
        return e.applyfunc(simplify) if _is_explicit(e) else e
    if isinstance(e, sp.NDimArray):
        return e.applyfunc(simplify)
    apps = [a for a in sp.preorder_traversal(e) if isinstance(a, (sigma, relu, sp.tanh))]
    outer = [a for a in apps if not any(a != b and b.has(a) for b in apps)]
    held = {a: sp.Dummy() for a in outer}
    s = sp.simplify(e.xreplace(held))
    return s.xreplace({d: a.func(*map(simplify, a.args)) for a, d in held.items()})


# -- printing ------------------------------------------------------------------------

_SUB = str.maketrans(string.digits + "+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_SUP = str.maketrans(string.digits + "-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
          "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ"}


def symbol_name(name: str) -> str:
    """``x_0`` → ``x₀``, ``W_1_2`` → ``W₁,₂``, ``delta0`` → ``δ₀``: digits after ``_`` (or at the end) as subscripts."""
    head, *idx = name.split("_")
    if idx and not all(i.isdigit() for i in idx):
        return name
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", head)
    if m and not idx:
        head, idx = m.group(1), [m.group(2)]
    head = _GREEK.get(head, head)
    sep = "" if all(len(i) == 1 for i in idx) else ","
    return head + sep.join(i.translate(_SUB) for i in idx)


def _negative(t) -> bool:
    """Whether a term of a sum is written with a minus sign (a matrix product: its scalar coefficient)."""
    if isinstance(t, sp.MatMul):
        return t.as_coeff_matrices()[0].could_extract_minus_sign()
    return t.could_extract_minus_sign()


def _is_cotangent(f, last) -> bool:
    return bool(last) and bool(f.free_symbols) and f.free_symbols <= last


class Unicode(StrPrinter):
    """One line of Unicode mathematics: ``·`` and ``⊙`` for products, ``−``, superscript powers,
    ``ᵀ``, ``Σ``, ``𝟏`` and subscripted symbols; the cotangents (``last``) written last in a product."""

    def __init__(self, last=frozenset()):
        super().__init__()
        self.last = frozenset(last)

    def _atomic(self, e, s: str) -> str:
        if isinstance(e, (sp.Add, sp.MatAdd, sp.HadamardProduct)) or (isinstance(e, sp.Mul) and e.could_extract_minus_sign()):
            return f"({s})"
        if isinstance(e, sp.Rational) and not e.is_Integer:
            return f"({s})"
        return s

    def _print_Symbol(self, e):
        return symbol_name(e.name)

    _print_Dummy = _print_Symbol

    def _print_MatrixSymbol(self, e):
        return symbol_name(e.name)

    def _print_MatrixElement(self, e):
        i, j = e.i, e.j
        idx = [i] if e.parent.shape[1] == 1 else [i, j]
        return symbol_name(self._print(e.parent)) + ("" if all(k < 10 for k in idx) else ",").join(
            str(k).translate(_SUB) for k in idx)

    def _print_Add(self, e, order=None):
        terms = sorted(self._as_ordered_terms(e, order=order), key=_negative)
        out = ""
        for i, t in enumerate(terms):
            neg = t.could_extract_minus_sign()
            s = self._print(-t if neg else t)
            out += (("−" if neg else "") + s) if i == 0 else ((" − " if neg else " + ") + s)
        return out

    def _factors(self, e):
        """``(sign, coefficient, numerator factors, denominator factors)`` of a product, cotangents last."""
        c, rest = e.as_coeff_Mul()
        sign = "−" if c < 0 else ""
        c = abs(c)
        num, den = [], []
        for f in sp.Mul.make_args(rest):
            if f.is_Pow and f.exp.is_number and f.exp < 0:
                den.append(f.base if f.exp == -1 else f.base ** -f.exp)
            else:
                num.append(f)
        if c.is_Rational and not c.is_Integer:
            if c.p != 1:
                num.insert(0, sp.Integer(c.p))
            den.insert(0, sp.Integer(c.q))
        elif c != 1:
            num.insert(0, c)
        num.sort(key=self._rank)
        return sign, num, den

    def _rank(self, f) -> tuple:
        """Where a factor goes in a commutative product: numbers, then functions and powers, then sums,
        then the cotangents."""
        return (_is_cotangent(f, self.last), isinstance(f, (sp.Add, sp.MatAdd)), sp.default_sort_key(f))

    def _join(self, fs) -> str:
        out = ""
        for i, f in enumerate(fs):
            s = self._atomic(f, self._print(f))
            if i and not (s.startswith("(") or (fs[i - 1].is_Number and not _is_cotangent(f, self.last)
                                                and not f.is_Number)):
                out += "·"
            out += s
        return out

    def _print_Mul(self, e):
        sign, num, den = self._factors(e)
        top = self._join(num) if num else "1"
        if not den:
            return sign + top
        bottom = self._join(den)
        if len(den) > 1:
            bottom = f"({bottom})"
        if len(num) > 1 or (num and isinstance(num[0], sp.Add)):
            top = f"({top})" if not top.startswith("(") or len(num) > 1 else top
        return f"{sign}{top}/{bottom}"

    def _print_Pow(self, e, rational=False):
        b, k = e.base, e.exp
        if k == sp.Rational(1, 2):
            return "√" + self._atomic(b, self._print(b)) if b.is_Atom else f"√({self._print(b)})"
        base = self._print(b)
        if not (b.is_Atom or isinstance(b, (sp.Function, MatrixElement))) or (b.is_Number and b < 0):
            base = f"({base})"
        if k.is_Integer and k > 0:
            return base + str(k).translate(_SUP)
        if k.is_Integer and k < 0:
            return f"1/{self._print(b ** -k)}" if k != -1 else f"1/{base}"
        return f"{base}^({self._print(k)})" if not k.is_Atom else f"{base}^{self._print(k)}"

    def _print_Function(self, e):
        name = {"sigma": "σ", "Max": "max", "Min": "min", "total": "Σ"}.get(e.func.__name__, e.func.__name__)
        return f"{name}({', '.join(self._print(a) for a in e.args)})"

    def _print_Heaviside(self, e):
        return f"H({self._print(e.args[0])})"

    def _print_Max(self, e):
        return f"max({', '.join(self._print(a) for a in e.args)})"

    def _print_exp(self, e):
        return f"exp({self._print(e.args[0])})"

    def _print_ElementwiseApplyFunction(self, e):
        body = e.function.expr
        name = self._print(body.func(sp.Symbol("·")))[: -len("(·)")]
        return f"{name}({self._print(e.expr)})"

    def _print_MatMul(self, e):
        c, ms = e.as_coeff_matrices()
        cot = [f for f in sp.Mul.make_args(c) if _is_cotangent(f, self.last)]
        c = sp.Mul(*[f for f in sp.Mul.make_args(c) if not _is_cotangent(f, self.last)])
        body = "·".join(self._atomic(m, self._print(m)) for m in ms)
        if cot:
            body += "·" + self._join(cot)
        if c == 1:
            return body
        if c == -1:
            return "−" + body
        lead = self._atomic(c, self._print(c))
        return lead + ("" if c.is_Number or body.startswith("(") else "·") + body

    def _print_MatAdd(self, e):
        out = ""
        for i, t in enumerate(sorted(e.args, key=_negative)):
            neg = _negative(t)
            s = self._print(-t if neg else t)
            out += (("−" if neg else "") + s) if i == 0 else ((" − " if neg else " + ") + s)
        return out

    def _print_Transpose(self, e):
        s = self._print(e.arg)
        return (f"({s})" if isinstance(e.arg, (sp.MatAdd, sp.MatMul, sp.HadamardProduct)) else s) + "ᵀ"

    def _print_HadamardProduct(self, e):
        args = sorted(e.args, key=self._rank)
        return " ⊙ ".join(f"({self._print(a)})" if isinstance(a, (sp.MatAdd, sp.HadamardProduct)) else self._print(a)
                          for a in args)

    def _print_HadamardPower(self, e):
        return f"{self._atomic(e.base, self._print(e.base))}∘{str(e.exp).translate(_SUP)}"

    def _print_OneMatrix(self, e):
        return "𝟏"

    def _print_ZeroMatrix(self, e):
        return "0"

    def _print_Trace(self, e):  # a 1×1 product read as a scalar
        return self._print(e.arg)

    def _print_softmax(self, e):
        return f"softmax({self._print(e.args[0])})"

    def _print_MatrixBase(self, e):
        if e.cols == 1:
            return "[" + ", ".join(self._print(x) for x in e) + "]"
        return "[" + ", ".join("[" + ", ".join(self._print(x) for x in e.row(i)) + "]" for i in range(e.rows)) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_NDimArray(self, e):
        def nest(x):
            return "[" + ", ".join(nest(y) for y in x) + "]" if isinstance(x, list) else self._print(x)
        return nest(e.tolist())

    _print_ImmutableDenseNDimArray = _print_NDimArray

    def _print_Float(self, e):
        return sp.StrPrinter()._print(e)


class Latex(LatexPrinter):
    """The same notation in LaTeX: ``\\sigma``, ``\\odot``, ``^{\\top}``, ``\\Sigma``, ``\\mathbf{1}``, cotangents last."""

    def __init__(self, last=frozenset()):
        super().__init__({"mul_symbol": "dot"})
        self.last = frozenset(last)
        self._unicode = Unicode(last)

    def _print_Mul(self, e):
        sign, num, den = self._unicode._factors(e)

        def join(fs):
            out = ""
            for i, f in enumerate(fs):
                s = self.parenthesize(f, 50) if isinstance(f, sp.Add) else self._print(f)
                if i and not (s.startswith(r"\left(") or (fs[i - 1].is_Number and not f.is_Number)):
                    out += r" \cdot "
                elif i:
                    out += " "
                out += s
            return out
        top = join(num) if num else "1"
        s = top if not den else rf"\frac{{{top}}}{{{join(den)}}}"
        return ("- " if sign else "") + s

    def _print_Symbol(self, e, style="plain"):
        name = e.name
        if name.startswith("d") and len(name) > 1 and name[1:2].isalpha():
            return r"\mathrm{d}" + super()._print_Symbol(sp.Symbol(name[1:]))
        return super()._print_Symbol(e)

    def _print_ElementwiseApplyFunction(self, e):
        body = e.function.expr
        head = self._print(body.func(sp.Symbol("X")))
        return head.replace("X", self._print(e.expr), 1) if "X" in head else head

    def _print_Transpose(self, e):
        s = self._print(e.arg)
        return (rf"\left({s}\right)" if isinstance(e.arg, (sp.MatAdd, sp.MatMul, sp.HadamardProduct)) else s) + r"^{\top}"

    def _print_HadamardProduct(self, e):
        args = sorted(e.args, key=self._unicode._rank)
        return r" \odot ".join(rf"\left({self._print(a)}\right)" if isinstance(a, sp.MatAdd) else self._print(a)
                               for a in args)

    def _print_MatAdd(self, e):
        terms = sorted(e.args, key=_negative)
        out = ""
        for i, t in enumerate(terms):
            neg = _negative(t)
            s = self._print(-t if neg else t)
            out += (("-" if neg else "") + s) if i == 0 else ((" - " if neg else " + ") + s)
        return out

    def _print_OneMatrix(self, e):
        return r"\mathbf{1}"

    def _print_Trace(self, e):
        return self._print(e.arg)

    def _print_Heaviside(self, e, exp=None):
        return rf"H\left({self._print(e.args[0])}\right)"

    def _print_softmax(self, e):
        return rf"\operatorname{{softmax}}\left({self._print(e.args[0])}\right)"

    def _print_MatMul(self, e):
        c, ms = e.as_coeff_matrices()
        body = r" \cdot ".join(rf"\left({self._print(m)}\right)" if isinstance(m, (sp.MatAdd, sp.HadamardProduct))
                               else self._print(m) for m in ms)
        if c == 1:
            return body
        return ("-" if c == -1 else self._print(c) + " ") + body


def show(e, last=()) -> str:
    """One line of Unicode mathematics for ``e``; the symbols in ``last`` (cotangents) come last in products."""
    return Unicode(last).doprint(e)


def latex(e, last=()) -> str:
    """``e`` in LaTeX, in the notation of ``show``.

    >>> latex(sigma(sp.Symbol("x")))
    '\\\\sigma\\\\left(x\\\\right)'
    """
    return Latex(last).doprint(e)
