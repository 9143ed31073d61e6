"""``formula``: a diagram's equation, checked against sympy expressions written by hand and
sympy's own differentiation (the oracle for ``R[f](x, dy) = J_f(x)ᵀ dy``)."""
from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings

import catgrad as cg
from catgrad import Formula, formula
from catgrad.boolean import Z2, and_, xor

from strategies import sympy_cases

S = cg.Array(())


def same(a, b) -> bool:
    return sp.simplify(a - b) == 0


def entries(values) -> list:
    """The entries of sympy scalars, vectors and matrices, one after the other (row by row)."""
    return [e for v in values for e in (list(sp.Matrix(v)) if hasattr(v, "shape") else [v])]


def test_str_reads_f_of_x_equals():
    f = cg.sigmoid(S) >> cg.copy(S) >> cg.mul(S)
    F = formula(f)
    x = sp.Symbol("x")
    assert isinstance(F, Formula) and F.name == "f" and F.args == ("x",)
    assert str(F).startswith("f(x) = ")
    assert same(F.rhs, (1 / (1 + sp.exp(-x))) ** 2)


def test_reverse_derivative_reads_R_f_of_x_dy_and_is_the_transposed_jacobian():
    f = cg.trace(lambda x, y: cg.sin(x) * cg.exp(y), S, S)
    F = formula(f, rdiff=True)
    assert str(F).startswith("R[f](x0, x1, dy) = (")
    x0, x1, dy = sp.symbols("x0 x1 dy")
    g = sp.sin(x0) * sp.exp(x1)
    assert same(F.outputs[0], dy * sp.diff(g, x0)) and same(F.outputs[1], dy * sp.diff(g, x1))


@settings(max_examples=10)
@given(sympy_cases(max_ops=2, depth=1))
def test_rdiff_formula_of_random_scalar_and_vector_diagrams_against_sympy_diff(case):
    f = case.f
    F, R = formula(f), formula(f, rdiff=True)
    # oracle: J_f(x)ᵀ dy with sympy's derivatives of the forward formula, entry by entry
    n = len(f.dom)
    xs, ys = entries(F.inputs), entries(F.outputs)
    dys, at_R = entries(R.inputs[n:]), dict(zip(xs, entries(R.inputs[:n])))
    expected = [sum(dy * sp.diff(y, x) for dy, y in zip(dys, ys)).subs(at_R, simultaneous=True) for x in xs]
    got = entries(R.outputs)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert same(a, b)


def test_names_and_vectors():
    A = cg.Array((2,))
    F = formula(cg.trace(lambda w, x: w * x, A, A), names=["w", "x"])
    assert str(F) == "f(w, x) = [w_0*x_0, w_1*x_1]"
    with pytest.raises(TypeError, match=r"got 1 name\(s\) \['w'\] for a domain of 2 wire\(s\)"):
        formula(cg.mul(A), names=["w"])
    with pytest.raises(TypeError, match="formula expects a Diagram or a Para, got int"):
        formula(3)


def test_simplify():
    f = cg.trace(lambda x: cg.sin(x) * cg.sin(x) + cg.cos(x) * cg.cos(x), S)
    assert str(formula(f, simplify=True)) == "f(x) = 1"
    assert str(formula(f)) != "f(x) = 1"


def test_latex_for_notebooks():
    F = formula(cg.sigmoid(S), rdiff=True)
    tex = F._repr_latex_()
    assert tex.startswith("$$R[f](x, dy) = ") and tex.endswith("$$")
    assert sp.latex(F.outputs[0]) in tex


def test_para_names_its_parameters():
    from catgrad import nn
    p = nn.dense(1, 1, nn.sigmoid)
    F = formula(p)
    assert F.args == ("W", "b", "x")  # the record's order (sorted keys)
    b, W, x = (sp.Symbol(s) for s in ("b_0", "W_0_0", "x_0"))
    assert same(sp.Matrix(F.rhs)[0], 1 / (1 + sp.exp(-(W * x + b))))


def test_boolean_circuits_read_as_gf2_polynomials():
    F = formula(cg.trace(lambda x, y: xor(and_(x, y), x), Z2(()), Z2(())))
    x0, x1 = sp.symbols("x0 x1")
    assert sp.Poly(F.rhs - (x0 * x1 + x0), x0, x1, modulus=2).is_zero
