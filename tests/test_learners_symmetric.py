"""Lenses and learners [LL; MATH.md §9]: Lens → Learn and Learn → SLens (spans of asymmetric lenses).

Exhaustive over Z2 (catgrad.boolean circuits): every map ``Z2ᵏ → Z2`` is a polynomial over GF(2) with
``2ᵏ`` coefficients, so *all* lenses ``Z2 → Z2`` (64: get has 2 coefficients, put 4) and all learners
``Z2 → Z2`` with parameters ``Z2`` (2²⁰: I has 4, U and r 8 each) are one circuit each, evaluated on
*lanes*: a wire ``Z2((N,))`` carries N independent cases, coefficients being constant arrays. Checked:
faithfulness (distinct lenses give distinct learners; distinct learners give distinct spans, all 2²⁰),
functoriality on all 64 × 64 pairs of lenses (against a numpy transcription of the lens composite) and on
all pairs of trivially-parametrised learners and 2¹⁴ random pairs of ``Z2``-parametrised learners, every
input enumerated. On real examples: hypothesis-generated composites (float64).
"""
from __future__ import annotations

import itertools

import jax
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad.boolean import Z2, and_
from catgrad.learners import (L, Learner, Span, constant_complement, learner_to_span, lens_to_learner,
                              span_to_learner)
from lens_strategies import para_chain, paras
from strategies import assert_close, cases, inputs, program, seeds

TOL = dict(rtol=1e-9, atol=1e-12)


# -- Z2 on lanes ------------------------------------------------------------------------------------
def poly(ws, coeffs):
    """``Σ_S c_S Π_{i∈S} w_i`` over GF(2): ``coeffs[m]`` (a bool array, one entry per lane) multiplies the
    monomial whose variables are the set bits of ``m``."""
    w0 = ws[0]
    total = None
    for m, c in enumerate(coeffs):
        term = cg.apply("constant", into=w0.builder, type=w0.type, value=np.asarray(c, bool))
        for i, w in enumerate(ws):
            if m >> i & 1:
                term = and_(term, w)
        total = term if total is None else total + term
    return total


def poly_np(xs, coeffs):
    """The same polynomial in numpy (the oracle)."""
    total = np.zeros_like(np.asarray(coeffs[0], bool))
    for m, c in enumerate(coeffs):
        term = np.asarray(c, bool)
        for i, x in enumerate(xs):
            if m >> i & 1:
                term = term & np.asarray(x, bool)
        total = total ^ term
    return total


def z2_lens(T, get_c, put_c):
    return cg.Lens(cg.trace(lambda a: poly([a], get_c), T), cg.trace(lambda a, b: poly([a, b], put_c), T, T))


def z2_learner(T, i_c, u_c, r_c, with_param=True):
    if not with_param:
        return lens_to_learner(z2_lens(T, i_c, r_c))
    return Learner(T, T, T, cg.trace(lambda p, a: poly([p, a], i_c), T, T),
                   cg.trace(lambda p, a, b: poly([p, a, b], u_c), T, T, T),
                   cg.trace(lambda p, a, b: poly([p, a, b], r_c), T, T, T))


def run(d, args):
    return [np.asarray(o) for o in cg.to_jax(d)(*args)]


def all_bits(k, n):
    """The ``2ᵏ`` assignments of ``k`` bits, each repeated over ``n`` lanes: a list of k-tuples of arrays."""
    return [tuple(np.full(n, bool(v >> i & 1)) for i in range(k)) for v in range(2 ** k)]


def coefficient_grid(k, reps=1, tile=1):
    """All ``2ᵏ`` coefficient vectors: ``k`` arrays over ``2ᵏ · reps · tile`` lanes (each repeated ``reps``
    times in place, the whole pattern tiled ``tile`` times), so two grids enumerate all pairs."""
    idx = np.arange(2 ** k)
    return [np.tile(np.repeat((idx >> m & 1).astype(bool), reps), tile) for m in range(k)]


def test_lens_to_learner_is_faithful_on_all_z2_lenses():
    T = Z2((64,))
    c = coefficient_grid(6)
    l = lens_to_learner(z2_lens(T, c[:2], c[2:]))
    table = [run(l.implement, [a])[0] for (a,) in all_bits(1, 64)] + \
            [run(l.request, [a, b])[0] for a, b in all_bits(2, 64)]
    rows = {tuple(col) for col in np.stack(table, 1)}
    assert len(rows) == 64, f"{len(rows)} distinct learners from 64 lenses"
    assert l.param == cg.Ty() and run(l.update, [np.zeros(64, bool)] * 2) == []


def test_lens_to_learner_is_a_functor_on_all_pairs_of_z2_lenses():
    n = 64 * 64
    T = Z2((n,))
    c1, c2 = coefficient_grid(6, reps=64), coefficient_grid(6, tile=64)
    l1, l2 = z2_lens(T, c1[:2], c1[2:]), z2_lens(T, c2[:2], c2[2:])
    whole, parts = lens_to_learner(l1 >> l2), lens_to_learner(l1) >> lens_to_learner(l2)
    for a, c in all_bits(2, n):
        b = poly_np([a], c1[:2])
        expect_get = poly_np([b], c2[:2])
        expect_put = poly_np([a, poly_np([b, c], c2[2:])], c1[2:])   # put₁(a, put₂(get₁ a, c))
        for lrn in (whole, parts):
            np.testing.assert_array_equal(run(lrn.implement, [a])[0], expect_get)
            np.testing.assert_array_equal(run(lrn.request, [a, c])[0], expect_put)
    # identities
    ident = lens_to_learner(cg.Lens.identity(T))
    a, c = all_bits(2, n)[1]
    assert run(ident.request, [a, c])[0].tolist() == c.tolist()


def _span_table(s: Span, n: int) -> np.ndarray:
    """Both legs' gets and puts on every input, lanes as rows."""
    X, A, B = s.apex, s.dom, s.cod
    cols = []
    for leg, C in ((s.left, A), (s.right, B)):
        for x in all_bits(len(X), n):
            cols += run(leg.fwd, list(x))
            for y in all_bits(len(C), n):
                cols += run(leg.bwd, [*x, *y])
    return np.stack(cols, 1)


def test_learner_to_span_is_faithful_on_all_z2_learners():
    """All 2²⁰ learners ``Z2 → Z2`` with parameters ``Z2`` give 2²⁰ distinct spans."""
    n = 2 ** 20
    T = Z2((n,))
    c = coefficient_grid(20)
    s = learner_to_span(z2_learner(T, c[:4], c[4:12], c[12:]))
    table = _span_table(s, n)
    packed = np.packbits(table, axis=1)
    assert len(np.unique(packed, axis=0)) == n


def _check_spans_equal(s1: Span, s2: Span, n: int):
    assert (s1.apex, s1.dom, s1.cod) == (s2.apex, s2.dom, s2.cod)
    np.testing.assert_array_equal(_span_table(s1, n), _span_table(s2, n))


@pytest.mark.parametrize("with_param", [False, True])
def test_learner_to_span_is_a_functor_on_z2(with_param):
    """``S(f ; g) = S(f) ; S(g)`` and ``S(f ⊗ g) = S(f) ⊗ S(g)``: all pairs of learners with trivial
    parameters; 2¹⁴ random pairs with parameters Z2; every input."""
    T = Z2((2 ** 14 if with_param else 4096,))
    n = T.shape[0]
    if with_param:
        rng = np.random.default_rng(0)
        c1, c2 = list(rng.integers(0, 2, (20, n)).astype(bool)), list(rng.integers(0, 2, (20, n)).astype(bool))
        f, g = z2_learner(T, c1[:4], c1[4:12], c1[12:]), z2_learner(T, c2[:4], c2[4:12], c2[12:])
    else:
        c1, c2 = coefficient_grid(6, reps=64), coefficient_grid(6, tile=64)
        f, g = z2_learner(T, c1[:2], None, c1[2:], False), z2_learner(T, c2[:2], None, c2[2:], False)
    _check_spans_equal(learner_to_span(f >> g), learner_to_span(f) >> learner_to_span(g), n)
    _check_spans_equal(learner_to_span(f @ g), learner_to_span(f) @ learner_to_span(g), n)
    # the composite's left leg is the constant-complement lens the span declares
    composite = learner_to_span(f) >> learner_to_span(g)
    _check_spans_equal(Span(constant_complement(composite.complement, composite.dom), composite.right,
                            composite.complement), composite, n)


# -- real examples ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _x64():
    with jax.enable_x64(True):
        yield


def _same(d1, d2, seed, what):
    assert d1.dom == d2.dom and d1.cod == d2.cod, what
    xs = inputs(d1.dom, seed)
    assert_close(cg.to_jax(d1)(*xs), cg.to_jax(d2)(*xs), TOL, what)


def _same_span(s1, s2, seed):
    for leg in ("left", "right"):
        _same(getattr(s1, leg).fwd, getattr(s2, leg).fwd, seed, f"{leg} get")
        _same(getattr(s1, leg).bwd, getattr(s2, leg).bwd, seed, f"{leg} put")


@settings(max_examples=10, deadline=None)
@given(data=st.data(), seed=seeds())
def test_lens_to_learner_is_a_functor_on_real_lenses(data, seed):
    f = data.draw(cases("float64", max_ops=3, depth=1))
    g = data.draw(program(f.f.cod, tuple(max(1.0, b) for b in f.out_bounds), dtype="float64"))
    l1, l2 = cg.Lens.of(f.f), cg.Lens.of(g.f)
    whole, parts = lens_to_learner(l1 >> l2), lens_to_learner(l1) >> lens_to_learner(l2)
    _same(whole.implement, parts.implement, seed, "I")
    _same(whole.request, parts.request, seed, "r")


@settings(max_examples=10, deadline=None)
@given(chain=para_chain(2), seed=seeds())
def test_learner_to_span_is_a_functor_on_real_learners(chain, seed):
    f, g = (L(x.para, 0.1) for x in chain)
    _same_span(learner_to_span(f >> g), learner_to_span(f) >> learner_to_span(g), seed)
    l = span_to_learner(learner_to_span(f))
    for name in ("implement", "update", "request"):
        _same(getattr(l, name), getattr(f, name), seed, f"span_to_learner ∘ learner_to_span: {name}")


@settings(max_examples=8, deadline=None)
@given(f=paras(), g=paras(), seed=seeds())
def test_learner_to_span_is_monoidal_on_real_learners(f, g, seed):
    lf, lg = L(f.para, 0.1), L(g.para, 0.1)
    _same_span(learner_to_span(lf @ lg), learner_to_span(lf) @ learner_to_span(lg), seed)


def test_bad_input_is_named():
    R = cg.Array(())
    with pytest.raises(TypeError, match="asymmetric lens"):
        lens_to_learner(cg.Lens(cg.exp(R), cg.trace(lambda a, b: (a, b), R, R)))
    s = learner_to_span(Learner.identity(R))
    with pytest.raises(TypeError, match="constant-complement"):
        s >> Span(cg.Lens.of(cg.exp(R)), cg.Lens.of(cg.exp(R)))
    with pytest.raises(TypeError, match="codomain"):
        s >> learner_to_span(Learner.identity(cg.Array((2,))))
