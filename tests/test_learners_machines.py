"""Learners' languages [LLang; MATH.md §9]: ``Learn ≅ Para(SLens)`` and learners as Moore machines.

Round trips ``from_para_lens ∘ to_para_lens`` and ``to_para_lens ∘ from_para_lens`` are identities
(values on random inputs, on learners ``L(f)`` of random Para morphisms and on random simple lenses);
``to_para_lens`` turns Learn's composition into catgrad's Para(Lens) composition (up to ``Q × P ≅ P × Q``).
The machine of ``L(model, ε, quadratic)`` run over Iris in data order ends where
``learn.fit(supervised(model, mse, learning_rate(ε), gd()), batch_size=1, shuffle=False)`` does after an epoch.
"""
from __future__ import annotations

import jax
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad import learn, nn
from catgrad.learners import L, as_machine, from_para_lens, para_parts, quadratic, to_para_lens
from lens_strategies import para_chain, paras
from learners_common import check_learners_equal, run, x64  # noqa: F401  (x64: autouse)
from strategies import assert_close, inputs, program, seeds, dom_types

TOL = dict(rtol=1e-9, atol=1e-12)

_run = run


def _same_para_lens(p1, p2, seed, what):
    P1, P2 = para_parts(p1, lens=True).param, para_parts(p2, lens=True).param
    assert P1 == P2 and p1.dom == p2.dom and p1.cod == p2.cod, what
    xs = inputs(p1.map.fwd.dom, seed)
    ys = inputs(p1.map.bwd.dom, seed + 1)
    assert_close(_run(p1.map.fwd, xs), _run(p2.map.fwd, xs), TOL, f"{what}: get")
    assert_close(_run(p1.map.bwd, ys), _run(p2.map.bwd, ys), TOL, f"{what}: put")


@settings(max_examples=10, deadline=None)
@given(p=paras(), seed=seeds())
def test_round_trip_from_learn(p, seed):
    l = L(p.para, 0.1)
    pl = to_para_lens(l)
    # the put is ⟨U, r⟩, checked against the learner's own maps
    pab = inputs(l.param @ l.dom @ l.cod, seed)
    assert_close(_run(pl.map.bwd, pab), (*_run(l.update, pab), *_run(l.request, pab)), TOL, "put = ⟨U, r⟩")
    check_learners_equal(from_para_lens(pl), l, seed, "from ∘ to", TOL)


@settings(max_examples=10, deadline=None)
@given(P=dom_types("float64"), A=dom_types("float64"), data=st.data(),
       seed=seeds())
def test_round_trip_from_para_slens(P, A, data, seed):
    get = data.draw(program(P @ A, (1.0,) * len(P @ A), dtype="float64"))
    B = get.f.cod
    put = data.draw(program(P @ A @ B, (1.0,) * len(P @ A) + tuple(max(1.0, b) for b in get.out_bounds),
                            dtype="float64"))
    outs = [i % len(put.f.cod) for i in range(len(P @ A))]
    fit = put.f >> cg.wiring(put.f.cod, outs)        # a put P × A × B → P × A from the random program
    if fit.cod != P @ A:
        return
    para = cg.Para(P, cg.Lens(get.f, fit))
    _same_para_lens(to_para_lens(from_para_lens(para)), para, seed, "to ∘ from")


@settings(max_examples=10, deadline=None)
@given(chain=para_chain(2), seed=seeds())
def test_to_para_lens_preserves_composition(chain, seed):
    f, g = (L(x.para, 0.1) for x in chain)
    Q, P = g.param, f.param
    swapped = (f >> g).transport(cg.swap(P, Q), cg.swap(Q, P))   # parameters Q × P, as Para composes
    _same_para_lens(to_para_lens(swapped), to_para_lens(f) >> to_para_lens(g), seed, "to(f;g) vs to(f);to(g)")


def test_machine_run_on_iris_equals_fit_with_batch_size_one():
    """One epoch of ``fit`` (batch size 1, data order) = the machine's run over the stream of examples."""
    d = cg.datasets.iris()
    x = (d.x - d.x.mean(0)) / d.x.std(0)
    y = np.eye(3, dtype=np.float32)[d.y]
    eps = 0.05
    model = nn.dense(4, 8, nn.sigmoid) >> nn.dense(8, 3)
    lens_learner = learn.supervised(model, learn.mse, learn.learning_rate(eps), learn.gd())
    flat = para_parts(model).flatten   # the parameter pytree → P's wires
    with jax.enable_x64(False):
        state = lens_learner.init(jax.random.PRNGKey(0))
        fitted, _ = learn.fit(lens_learner, state, x, y, epochs=1, batch_size=1, shuffle=False, progress=False)
        machine = as_machine(L(model, step=eps, error=quadratic()))
        p = machine.run(flat(state.params), [x, y])
    diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(p, flat(fitted.params)))
    moved = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
                for a, b in zip(p, flat(state.params)))
    assert moved > 0.1, "the epoch should move the parameters"
    print(f"machine vs fit after one Iris epoch: largest parameter difference {diff:.2e}")
    assert diff < 1e-5, f"machine vs fit: largest parameter difference {diff}"


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="Learner"):
        to_para_lens(nn.dense(2, 1))
    with pytest.raises(TypeError, match="Para\\(Lens\\)"):
        from_para_lens(nn.dense(2, 1))
    with pytest.raises(TypeError, match="input streams"):
        as_machine(L(nn.dense(2, 1), 0.1)).run([np.zeros((1, 2)), np.zeros(1)], [np.zeros((3, 2))])
