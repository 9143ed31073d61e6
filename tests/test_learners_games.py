"""Open games and the functor from learners [OLOG; MATH.md §9].

Functoriality on hypothesis-generated composites: ``G(f ; g) = G(f) ; G(g)`` and ``G(f ⊗ g) = G(f) ⊗ G(g)``
(play, coplay, and the best response to a random continuation ``k: K × Y → R``, a random program reading
extra wires K), up to ``Q × P ≅ P × Q`` where the parameters of the Para composite come in that order;
the composite's best response is also checked against the definition written here in jax.numpy on the
reference maps. Equilibria: for least-squares regression the game played on a data set (the batched model,
the constant continuation at the targets) has an equilibrium exactly at numpy's least-squares solution,
and at no random parameter (where the update moves it).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad import Array, Para
from catgrad.learners import L, Learner, OpenGame, learner_to_game
from lens_strategies import para_chain, paras
from learners_common import run, x64  # noqa: F401  (x64: autouse)
from strategies import assert_close, dom_types, inputs, program, seeds

TOL = dict(rtol=1e-9, atol=1e-12)

_run = run


def _continuation(data, K, Y, R):
    """A random continuation ``k: K × Y → R``: a random program, its outputs wired onto R's types when they fit."""
    prog = data.draw(program(K @ Y, (1.0,) * len(K @ Y), max_ops=3, dtype="float64"))
    outs = []
    for t in R:
        match = [i for i, u in enumerate(prog.f.cod) if u == t]
        if not match:   # fall back to the continuation (κ, y) ↦ y (here Y = R)
            return cg.proj(K, Y, 1)
        outs.append(match[len(outs) % len(match)])
    return prog.f >> cg.wiring(prog.f.cod, outs)


def _same_game(g1: OpenGame, g2: OpenGame, k, K, seed, what):
    assert g1.strategies == g2.strategies and (g1.X, g1.S, g1.Y, g1.R) == (g2.X, g2.S, g2.Y, g2.R), what
    for name in ("play", "coplay"):
        xs = inputs(getattr(g1, name).dom, seed)
        assert_close(_run(getattr(g1, name), xs), _run(getattr(g2, name), xs), TOL, f"{what}: {name}")
    b1, b2 = g1.respond(k, K), g2.respond(k, K)
    xs = inputs(b1.dom, seed + 1)
    assert_close(_run(b1, xs), _run(b2, xs), TOL, f"{what}: best response")




@settings(max_examples=10, deadline=None)
@given(chain=para_chain(2), data=st.data(), seed=seeds())
def test_games_functor_preserves_sequential_composition(chain, data, seed):
    f, g = (L(x.para, 0.1) for x in chain)
    whole = (f >> g)
    K = data.draw(dom_types("float64"))
    k = _continuation(data, K, g.cod, g.cod)
    _same_game(learner_to_game(whole), learner_to_game(f) >> learner_to_game(g), k, K, seed, "G(f;g) vs G(f);G(g)")
    # and against the definition, on the learners' maps evaluated here
    beta = (learner_to_game(f) >> learner_to_game(g)).respond(k, K)
    args = inputs(beta.dom, seed + 2)
    nK, nP, nQ = len(K), len(f.param), len(g.param)
    kappa, p, q, a = args[:nK], args[nK:nK + nP], args[nK + nP:nK + nP + nQ], args[nK + nP + nQ:]
    b = _run(f.implement, [*p, *a])
    c = _run(k, [*kappa, *_run(g.implement, [*q, *b])])
    target_b = _run(g.request, [*q, *b, *c])
    expect = (*_run(f.update, [*p, *a, *target_b]), *_run(g.update, [*q, *b, *c]))
    assert_close(_run(beta, args), expect, TOL, "best response of G(f);G(g)")


@settings(max_examples=8, deadline=None)
@given(f=paras(), g=paras(), data=st.data(), seed=seeds())
def test_games_functor_preserves_parallel_composition(f, g, data, seed):
    lf, lg = L(f.para, 0.1), L(g.para, 0.1)
    K = data.draw(dom_types("float64"))
    Y = lf.cod @ lg.cod
    k = _continuation(data, K, Y, Y)
    _same_game(learner_to_game(lf @ lg), learner_to_game(lf) @ learner_to_game(lg), k, K, seed, "G(f⊗g) vs G(f)⊗G(g)")


def test_equilibria_are_the_fixed_points_of_the_update():
    """Least squares: on a data set (the batched model, the constant continuation at the targets) the
    equilibrium is where the gradient vanishes, i.e. numpy's least-squares solution."""
    rng = np.random.default_rng(0)
    n, d = 20, 3
    x = rng.normal(size=(n, d))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.1 * rng.normal(size=(n, 1))
    F = lambda *shape: Array(shape, "float64")  # noqa: E731
    affine = Para(F(1) @ F(1, d), cg.trace(lambda b, W, v: cg.matmul(W, v) + b, F(1), F(1, d), F(d)))
    game = learner_to_game(L(affine.batched(n), step=0.01))  # the data set's errors summed
    sol, *_ = np.linalg.lstsq(np.hstack([x, np.ones((n, 1))]), y, rcond=None)
    W, b = sol[:d].T, sol[d]
    assert game.is_equilibrium([b, W], [x], [y], atol=1e-10)
    for seed in range(5):
        r = np.random.default_rng(seed + 1)
        p = [b + 0.1 * r.normal(size=b.shape), W + 0.1 * r.normal(size=W.shape)]
        assert not game.is_equilibrium(p, [x], [y], atol=1e-6)


def test_bad_input_is_named():
    g = learner_to_game(Learner.identity(Array(())))
    with pytest.raises(TypeError, match="continuation"):
        g.respond(cg.exp(Array((2,))))
    with pytest.raises(TypeError, match="cannot compose open games"):
        g >> learner_to_game(Learner.identity(Array((2,))))
