"""``formula``: a diagram's equation in mathematical notation, checked against sympy expressions
written by hand, sympy's own differentiation (the oracle for ``R[f](x, dy) = J_f(x)ᵀ dy``), the
elementary expressions of ``to_sympy`` and, for matrix expressions, JAX at random points."""
from __future__ import annotations

import jax
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

import catgrad as cg
from catgrad import Formula, formula
from catgrad.boolean import Z2, and_, xor
from catgrad.semantics.formula import LensFormula
from catgrad.semantics.notation import elementwise, expand, explicit as written_out, sigma, total

from strategies import sympy_cases

S = cg.Array(())
x, dy = sp.symbols("x dy")


def same(a, b) -> bool:
    return sp.simplify(a - b) == 0


def entries(values) -> list:
    """The entries of sympy scalars, vectors and matrices, one after the other (row by row)."""
    return [e for v in values for e in (list(sp.Matrix(v)) if hasattr(v, "shape") else [v])]


def explicit(F: Formula, values) -> list:
    """The outputs of ``F`` entry by entry with the named functions written out: each matrix symbol
    replaced by its value (a matrix of symbols or of numbers), then evaluated."""
    subs = {s: sp.ImmutableMatrix(v).reshape(*s.shape) for s, v in zip(F.inputs, values) if isinstance(s, sp.MatrixSymbol)}
    out = []
    for o in F.outputs:
        o = written_out(o.applyfunc(lambda e: e.xreplace(subs)) if isinstance(o, sp.MatrixBase) else o.xreplace(subs))
        out.append(expand(o.as_explicit() if isinstance(o, sp.MatrixExpr) else o))
    return out


def test_str_reads_f_of_x_equals_in_mathematical_notation():
    f = cg.sigmoid(S) >> cg.copy(S) >> cg.mul(S)
    F = formula(f)
    assert isinstance(F, Formula) and F.name == "f" and F.args == ("x",)
    assert str(F) == "f(x) = σ(x)²"
    assert F.rhs == sigma(x) ** 2
    assert same(expand(F.rhs), (1 / (1 + sp.exp(-x))) ** 2)
    assert str(formula(f, expand=True)) == "f(x) = 1/(1 + exp(−x))²"
    assert formula(f, expand=True).rhs == expand(F.rhs)


def test_R_of_sigma_squared_reads_as_the_papers_write_it():
    F = formula(cg.sigmoid(S) >> cg.copy(S) >> cg.mul(S), rdiff=True)
    assert str(F) == "R[f](x, dy) = 2σ(x)²(1 − σ(x))·dy"
    assert F.rhs == 2 * sigma(x) ** 2 * (1 - sigma(x)) * dy                      # written by hand
    s = 1 / (1 + sp.exp(-x))
    assert same(expand(F.rhs), sp.diff(s ** 2, x) * dy)                        # sympy's derivative
    assert same(expand(F.rhs), formula(cg.sigmoid(S) >> cg.copy(S) >> cg.mul(S), rdiff=True, expand=True).rhs)
    assert F._repr_latex_() == (r"$$R[f](x, \mathrm{d}y) = 2 \sigma\left(x\right)^{2} "
                                r"\left(1 - \sigma\left(x\right)\right) \cdot \mathrm{d}y$$")


def test_reverse_derivative_reads_R_f_of_x_dy_and_is_the_transposed_jacobian():
    f = cg.trace(lambda x, y: cg.sin(x) * cg.exp(y), S, S)
    F = formula(f, rdiff=True)
    assert str(F).startswith("R[f](x₀, x₁, dy) = (")
    x0, x1, d = sp.symbols("x0 x1 dy")
    g = sp.sin(x0) * sp.exp(x1)
    assert same(F.outputs[0], d * sp.diff(g, x0)) and same(F.outputs[1], d * sp.diff(g, x1))


@settings(max_examples=10, deadline=None)
@given(sympy_cases(max_ops=2, depth=1))
def test_rdiff_formula_of_random_scalar_and_vector_diagrams_against_sympy_diff(case):
    f = case.f
    F, R = formula(f, expand=True), formula(f, rdiff=True, expand=True)
    # oracle: J_f(x)ᵀ dy with sympy's derivatives of the forward formula, entry by entry
    n = len(f.dom)
    xs, ys = entries(F.inputs), entries(F.outputs)
    dys, at_R = entries(R.inputs[n:]), dict(zip(xs, entries(R.inputs[:n])))
    expected = [sum(dy * sp.diff(y, x) for dy, y in zip(dys, ys)).subs(at_R, simultaneous=True) for x in xs]
    got = entries(R.outputs)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert same(a, b)


@settings(max_examples=30, deadline=None)
@given(sympy_cases(max_ops=3, depth=2))
def test_the_notation_denotes_the_sympy_meaning_on_random_diagrams(case):
    """Matrix symbols and named functions, written out entry by entry, are ``to_sympy``'s expressions."""
    for rdiff in (False, True):
        E = formula(case.f, rdiff=rdiff, expand=True)
        for matrices in (False, True):
            N = formula(case.f, rdiff=rdiff, matrices=matrices)
            got = entries(explicit(N, E.inputs))
            assert len(got) == len(entries(E.outputs))
            for a, b in zip(got, entries(E.outputs)):
                assert same(a, b), (str(N), a, b)


def _iris_hidden():
    from catgrad.experiments import model
    return model("iris", "hidden")


def test_the_iris_model_is_one_line_of_matrix_algebra_and_agrees_with_jax():
    p = _iris_hidden()
    F = formula(p)
    assert str(F).endswith(" = σ(W₂·σ(W₁·x + b₁) + b₂)"), str(F)
    sym = {s.name: s for s in F.inputs}
    W1, b1, W2, b2, xv = (sym[n] for n in ("W_1", "b_1", "W_2", "b_2", "x"))
    assert F.rhs == elementwise(sigma, W2 * elementwise(sigma, W1 * xv + b1) + b2)
    assert (W1.shape, W2.shape, xv.shape) == ((20, 4), (3, 20), (4, 1))
    assert F._repr_latex_().endswith(r"= \sigma\left(W_{2} \cdot \sigma\left(W_{1} \cdot x + b_{1}\right) + b_{2}\right)$$")
    # at random parameters, the formula's numbers are JAX's
    rng = np.random.default_rng(0)
    values = [rng.uniform(-1, 1, t.shape) for t in [*p.wires, *p.dom]]
    got = np.array(explicit(F, values)[0].evalf(), dtype=float).ravel()
    want = cg.to_jax(p.map)(*values)[0]
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_matrix_rules_agree_with_jax_at_random_points():
    """Products of matrices and their transposes, sums over one axis, broadcasts and softmax, with R."""
    A, B = cg.Array((2, 3)), cg.Array((3, 3))
    f = cg.trace(lambda a, b: cg.softmax(cg.sum(cg.transpose(cg.matmul(a, b)) * 2.0, axes=(0,)) + 1.0), A, B)
    rng = np.random.default_rng(1)
    for rdiff in (False, True):
        d = cg.rdiff(f) if rdiff else f
        F = formula(f, rdiff=rdiff)
        assert all(isinstance(s, sp.MatrixSymbol) for s in F.inputs)
        values = [rng.uniform(-1, 1, t.shape) for t in d.dom]
        for got, want in zip(explicit(F, values), cg.to_jax(d)(*values)):
            np.testing.assert_allclose(np.array(sp.Matrix(got).evalf(), dtype=float).ravel(),
                                       np.asarray(want).ravel(), rtol=1e-5)
    assert str(formula(f)) == "f(x₀, x₁) = softmax(2x₀·x₁·𝟏 + 𝟏)"   # Σ over the rows of (2x₀·x₁)ᵀ


def test_known_functions_stay_named_and_simplify_keeps_them():
    F = formula(cg.tanh(S), rdiff=True, simplify=True)
    assert str(F) == "R[f](x, dy) = (1 − tanh(x)²)·dy"
    assert "cosh" not in str(F) and same(F.rhs, sp.diff(sp.tanh(x), x) * dy)
    assert str(formula(cg.relu(cg.Array((6,))))) == "f(x) = relu(x)"
    assert str(formula(cg.sigmoid(S), expand=True)) == "f(x) = 1/(1 + exp(−x))"


def test_softmax_sum_and_transpose_read_as_mathematics():
    V = cg.Array((6,))
    assert str(formula(cg.softmax(V), rdiff=True)) == "R[f](x, dy) = softmax(x) ⊙ (dy − Σ(softmax(x) ⊙ dy)·𝟏)"
    assert str(formula(cg.trace(lambda v: cg.sum(v * v), V), rdiff=True)) == "R[f](x, dy) = 2x·dy"
    M = cg.Array((3, 4))
    assert str(formula(cg.trace(lambda m, v: cg.matmul(cg.transpose(m), v), M, cg.Array((3,))))) == "f(x₀, x₁) = x₀ᵀ·x₁"


def test_R_of_R_of_f_is_named_so():
    h = cg.sin(S) >> cg.exp(S)
    F = formula(h, rdiff=2)
    assert F.name == "R[R[f]]" and F.args == ("x", "dy", "ddx")
    assert str(F).startswith("R[R[f]](x, dy, ddx) = (")
    X, D, E = sp.symbols("x dy ddx")
    H = sp.exp(sp.sin(X))
    assert same(F.outputs[0], sp.diff(H, X, 2) * D * E) and same(F.outputs[1], sp.diff(H, X) * E)


def test_a_lens_gives_both_maps():
    L = cg.Lens.of(cg.sigmoid(S))
    F = formula(L)
    assert isinstance(F, LensFormula)
    assert str(F) == "f(x) = σ(x)\nf*(x, dy) = σ(x)(1 − σ(x))·dy"
    assert F.put.rhs == formula(cg.sigmoid(S), rdiff=True).rhs
    assert F._repr_latex_().startswith(r"$$\begin{aligned} f(x) = \sigma\left(x\right) \\ f^*(x, \mathrm{d}y) = ")
    P = formula(_iris_hidden().lens())
    assert str(P.get) == str(formula(_iris_hidden())) and str(P.put).startswith("f*(W₁, b₁, W₂, b₂, x, dy) = (")


def test_names_and_vectors():
    A = cg.Array((2,))
    F = formula(cg.trace(lambda w, x: w * x, A, A), names=["w", "x"])
    assert str(F) == "f(w, x) = [w₀·x₀, w₁·x₁]"
    with pytest.raises(TypeError, match=r"got 1 name\(s\) \['w'\] for a domain of 2 wire\(s\)"):
        formula(cg.mul(A), names=["w"])
    with pytest.raises(TypeError, match="formula expects a Diagram, a Para or a Lens, got int"):
        formula(3)


def test_simplify():
    f = cg.trace(lambda x: cg.sin(x) * cg.sin(x) + cg.cos(x) * cg.cos(x), S)
    assert str(formula(f, simplify=True)) == "f(x) = 1"
    assert str(formula(f)) != "f(x) = 1"


def test_latex_for_notebooks():
    F = formula(cg.exp(S) >> cg.sin(S), rdiff=True)
    assert F._repr_latex_() == r"$$R[f](x, \mathrm{d}y) = e^{x} \cdot \cos{\left(e^{x} \right)} \cdot \mathrm{d}y$$"
    assert str(F) == "R[f](x, dy) = exp(x)·cos(exp(x))·dy"


def test_para_names_its_parameters():
    from catgrad import nn
    p = nn.dense(1, 1, nn.sigmoid)
    F = formula(p)
    assert F.args == ("W", "b", "x")  # the record's order (sorted keys)
    b, W, x = (sp.Symbol(s) for s in ("b_0", "W_0_0", "x_0"))
    assert sp.Matrix(F.rhs)[0] == sigma(W * x + b)
    assert same(expand(sp.Matrix(F.rhs)[0]), 1 / (1 + sp.exp(-(W * x + b))))


def test_sum_of_entries_evaluates():
    X = sp.MatrixSymbol("X", 2, 1)
    assert total(X).xreplace({X: sp.ImmutableMatrix([1, 2])}).doit() == 3


def test_boolean_circuits_read_as_gf2_polynomials():
    F = formula(cg.trace(lambda x, y: xor(and_(x, y), x), Z2(()), Z2(())))
    x0, x1 = sp.symbols("x0 x1")
    assert sp.Poly(F.rhs - (x0 * x1 + x0), x0, x1, modulus=2).is_zero


@pytest.mark.parametrize("spec", ["ij,j->i", "ij,jk->ik", "ij,jk->ki", "j,jk->k", "ji,j->i", "ij,kj->ik", "i,j->ij",
                                  "i,j->ji", "i,i->", "ij,ij->"])
def test_each_einsum_as_a_matrix_product_agrees_with_numpy(spec):
    sizes = {"i": 2, "j": 3, "k": 4}
    ins, out = spec.split("->")
    A, B = (cg.Array(tuple(sizes[c] for c in s)) for s in ins.split(","))
    F = formula(cg.einsum(spec, A, B), matrices=True)
    if len(out) == 1:  # a vector is a column
        assert F.rhs.shape == (sizes[out], 1)
    elif len(out) == 2:
        assert F.rhs.shape == (sizes[out[0]], sizes[out[1]])
    rng = np.random.default_rng(2)
    values = [rng.uniform(-1, 1, t.shape) for t in (A, B)]
    (got,) = explicit(F, values)
    np.testing.assert_allclose(np.array(sp.Matrix(got) if hasattr(got, "shape") else [got], dtype=float).ravel(),
                               np.einsum(spec, *values).ravel(), rtol=1e-12)


def test_a_product_with_a_column_of_ones_is_not_a_scalar_multiple():
    """``(dyᵀ·𝟏) ⊙ sin(x)`` (R of a broadcast vector under cos) is not ``dyᵀ·sin(x)``: found by the random
    diagrams with matrices=True."""
    h = cg.trace(lambda a, m: a + cg.cos(m), cg.Array((2, 2)), cg.Array((2,)))
    E, N = formula(h, rdiff=True, expand=True), formula(h, rdiff=True, matrices=True)
    for a, b in zip(entries(explicit(N, E.inputs)), entries(E.outputs)):
        assert same(a, b)
