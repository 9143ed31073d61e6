"""Optimiser lenses against optax (trajectories and states), sympy (update formulas) and Z2 closed forms."""
from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import sympy as sp

from catgrad import Array, Ty, compile, to_jax, to_sympy
from catgrad.core.signature import SIGNATURE
from catgrad.learn.optimisers import Optimiser, adagrad, adam, gd, momentum, nesterov, rda, rmsprop
from catgrad.record import as_record, leaves


def optimiser_lens(opt, P):
    """``U`` for the parameter record ``P`` (a Ty read as the tuple of its arrays)."""
    return opt.lens(as_record(P))


def init_state(opt, params):
    """The initial state's arrays in wire order (the leaves of ``opt.init``)."""
    return tuple(jax.tree_util.tree_leaves(opt.init(tuple(params))))

STEPS = 100
SIZES = (5, 8, 3)  # input, hidden, output of the MLP
BATCH = 16
TOL = {"float32": 1e-5, "float64": 1e-12}
MAX_REL = {}  # max relative errors seen, by (optimiser, dtype): printed with -s


# -- the problem: a 2-layer tanh MLP with MSE on random data; gradients by jax.grad ------------

@functools.lru_cache(maxsize=None)
def _problem(dtype, seed=0):
    """Initial parameters and the jitted gradient of the batch MSE of a tanh MLP (float32 draws, cast)."""
    n, h, m = SIZES
    ks = jax.random.split(jax.random.PRNGKey(seed), 6)
    params = [jax.random.normal(ks[0], (h, n), jnp.float32) / math.sqrt(n), 0.1 * jax.random.normal(ks[1], (h,), jnp.float32),
              jax.random.normal(ks[2], (m, h), jnp.float32) / math.sqrt(h), 0.1 * jax.random.normal(ks[3], (m,), jnp.float32)]
    params = [jnp.asarray(p, dtype) for p in params]
    x = jnp.asarray(jax.random.normal(ks[4], (BATCH, n), jnp.float32), dtype)
    y = jnp.asarray(jax.random.normal(ks[5], (BATCH, m), jnp.float32), dtype)

    def loss(ps):
        W1, b1, W2, b2 = ps
        pred = jnp.tanh(x @ W1.T + b1) @ W2.T + b2
        return jnp.mean(0.5 * jnp.sum((pred - y) ** 2, axis=1))

    return params, jax.jit(jax.grad(loss))


def _catgrad_run(opt: Optimiser, params, grad, alpha: float):
    """Run the compiled get/put maps of ``optimiser_lens``: ``v = −α g`` with ``g`` at the get point.

    Returns the lists of get points, parameters and states after each step.
    """
    P = Ty(*(Array(p.shape, p.dtype.name) for p in params))
    U = optimiser_lens(opt, P)
    get, put = compile(U.fwd), compile(U.bwd)
    s, p = list(init_state(opt, params)), list(params)
    nS = len(s)
    gets, ps, ss = [], [], []
    for _ in range(STEPS):
        q = list(get(*s, *p))
        g = grad(q)
        out = put(*s, *p, *(-alpha * gi for gi in g))
        s, p = list(out[:nS]), list(out[nS:])
        gets.append(q), ps.append(p), ss.append(s)
    return gets, ps, ss


def _optax_run(tx, params, grad):
    """The optax loop; returns the parameters before each step, after each step, and the states."""
    state = tx.init(params)
    update, apply_updates = jax.jit(tx.update), jax.jit(optax.apply_updates)
    before, after, states = [], [], []
    for _ in range(STEPS):
        before.append(params)
        updates, state = update(grad(params), state, params)
        params = apply_updates(params, updates)
        after.append(params), states.append(state)
    return before, after, states


def _compare(name, dtype, ours, theirs):
    """Assert ``ours ≈ theirs`` (lists of steps of lists of arrays) and record the errors.

    Tolerance: ``|a − b| ≤ rtol·|b| + rtol·max|b|`` elementwise, i.e. relative to each entry or,
    for entries passing near 0, to the array's scale (rounding errors are of the order of the
    largest entries' ulp). Recorded: the normwise relative error ``max|a − b| / max|b|``.
    """
    rtol = TOL[dtype]
    worst = 0.0
    for k, (a_step, b_step) in enumerate(zip(ours, theirs)):
        for a, b in zip(a_step, b_step):
            a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
            scale = float(np.max(np.abs(b))) if b.size else 0.0
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale, err_msg=f"{name}: step {k}")
            if scale > 0:
                worst = max(worst, float(np.max(np.abs(a - b))) / scale)
    MAX_REL[(name, dtype)] = max(worst, MAX_REL.get((name, dtype), 0.0))
    print(f"max normwise relative error {name} [{dtype}]: {worst:.2e}")


# -- trajectories against optax -----------------------------------------------------------

def test_gd_matches_optax_sgd(dtype):
    params, grad = _problem(dtype)
    _, ps, ss = _catgrad_run(gd(), params, grad, alpha=0.1)
    _, after, _ = _optax_run(optax.sgd(0.1), params, grad)
    assert all(s == [] for s in ss)
    _compare("gd", dtype, ps, after)


def test_momentum_matches_optax_sgd_momentum(dtype):
    alpha, gamma = 0.05, 0.9
    params, grad = _problem(dtype)
    _, ps, ss = _catgrad_run(momentum(gamma), params, grad, alpha)
    _, after, states = _optax_run(optax.sgd(alpha, momentum=gamma), params, grad)
    _compare("momentum", dtype, ps, after)
    # the state s is −α times optax's trace
    traces = [[-alpha * t for t in optax.tree_utils.tree_get(st, "trace")] for st in states]
    _compare("momentum state", dtype, ss, traces)


def test_nesterov_lookahead_points_match_optax_nesterov(dtype):
    """MATH.md §5: the get points ``p + γ s`` are optax.sgd(α, γ, nesterov=True)'s parameters."""
    alpha, gamma = 0.05, 0.9
    params, grad = _problem(dtype)
    gets, _, ss = _catgrad_run(nesterov(gamma), params, grad, alpha)
    before, _, states = _optax_run(optax.sgd(alpha, momentum=gamma, nesterov=True), params, grad)
    _compare("nesterov", dtype, gets, before)
    traces = [[-alpha * t for t in optax.tree_utils.tree_get(st, "trace")] for st in states]
    _compare("nesterov state", dtype, ss, traces)


def _optax_states(states, fields, n_arrays):
    """Optax's states as flat lists in our wire order: the fields in order, each over the arrays (``count`` one)."""
    out = []
    for st in states:
        per_field = [optax.tree_utils.tree_get(st, f) for f in fields]
        out.append([x for f, v in zip(fields, per_field) for x in ([v] if f == "count" else v[:n_arrays])])
    return out


# name: (ours, optax's, state fields). Closed-loop hyperparameters keep the dynamics non-chaotic:
# with optax.rmsprop(1e-2)'s defaults (ε = 1e-8 inside the root) this problem amplifies rounding
# errors so much that optax jitted and optax eager end 10% apart after 100 float32 steps; those
# defaults are checked in the open-loop test below, where no feedback amplifies anything.
CLOSED_LOOP = {
    "adagrad": (lambda: adagrad(0.1), lambda: optax.adagrad(0.1), ("sum_of_squares",)),
    "adagrad(s0=0)": (lambda: adagrad(0.05, eps=1e-6, initial_accumulator_value=0.0),
                      lambda: optax.adagrad(0.05, eps=1e-6, initial_accumulator_value=0.0), ("sum_of_squares",)),
    "rmsprop": (lambda: rmsprop(1e-3, eps=1e-4), lambda: optax.rmsprop(1e-3, eps=1e-4), ("nu",)),
    "rmsprop(eps outside)": (lambda: rmsprop(3e-3, decay=0.8, eps=1e-2, initial_scale=1.0, eps_in_sqrt=False),
                             lambda: optax.rmsprop(3e-3, decay=0.8, eps=1e-2, initial_scale=1.0, eps_in_sqrt=False),
                             ("nu",)),
    "adam": (lambda: adam(), lambda: optax.adam(1e-3), ("count", "mu", "nu")),
    "adam(b1=0, eps_root)": (lambda: adam(1e-3, b1=0.0, b2=0.99, eps=1e-6, eps_root=1e-8),
                             lambda: optax.adam(1e-3, b1=0.0, b2=0.99, eps=1e-6, eps_root=1e-8), ("count", "mu", "nu")),
}
OPEN_LOOP = {
    **CLOSED_LOOP,
    "rmsprop(optax defaults)": (lambda: rmsprop(1e-2), lambda: optax.rmsprop(1e-2), ("nu",)),
    "rmsprop(eps outside, eta=1e-2)": (
        lambda: rmsprop(0.01, decay=0.8, eps=1e-4, initial_scale=1.0, eps_in_sqrt=False),
        lambda: optax.rmsprop(0.01, decay=0.8, eps=1e-4, initial_scale=1.0, eps_in_sqrt=False), ("nu",)),
    "adam(eta=1e-2)": (lambda: adam(1e-2), lambda: optax.adam(1e-2), ("count", "mu", "nu")),
}


@pytest.mark.parametrize("name", list(CLOSED_LOOP))
def test_adaptive_trajectories_match_optax(name, dtype):
    """Adaptive optimisers get ``v = −g`` (α = 1), ``g`` taken at their own parameters; 100 steps."""
    ours, theirs, fields = CLOSED_LOOP[name]
    opt = ours()
    assert opt.adaptive
    params, grad = _problem(dtype)
    _, ps, _ = _catgrad_run(opt, params, grad, alpha=1.0)
    _, after, _ = _optax_run(theirs(), params, grad)
    _compare(name, dtype, ps, after)


@pytest.mark.parametrize("name", list(OPEN_LOOP))
def test_adaptive_updates_match_optax_on_the_same_gradients(name, dtype):
    """Driven by the same 100 gradients (those of optax's trajectory), parameters and every
    state array (optax's mu/nu/sum_of_squares and count) follow optax's."""
    ours, theirs, fields = OPEN_LOOP[name]
    opt = ours()
    params, grad = _problem(dtype)
    before, after, states = _optax_run(theirs(), params, grad)
    P = Ty(*(Array(p.shape, p.dtype.name) for p in params))
    put = compile(optimiser_lens(opt, P).bwd)
    s, p = list(init_state(opt, params)), list(params)
    nS = len(s)
    ps, ss = [], []
    for q in before:
        out = put(*s, *p, *(-gi for gi in grad(q)))
        s, p = list(out[:nS]), list(out[nS:])
        ps.append(p), ss.append(s)
    _compare(name + " (same g)", dtype, ps, after)
    _compare(name + " state (same g)", dtype, ss, _optax_states(states, fields, len(params)))


def test_adam_float32_is_closer_to_the_float64_trajectory_than_optax():
    """Our bias correction ``1 − βᵗ = −expm1(t log β)`` is accurate in float32, optax's ``1 − β**t`` is
    not (relative error up to 2e-5 for β = 0.999): against the float64 trajectory, catgrad's float32
    Adam is within 2e-6 (optax's float32 Adam: ~9e-6)."""
    params, grad = _problem("float32")
    _, ours32, _ = _catgrad_run(adam(1e-2), params, grad, alpha=1.0)
    _, optax32, _ = _optax_run(optax.adam(1e-2), params, grad)
    with jax.enable_x64(True):
        params64, grad64 = _problem("float64")
        _, truth, _ = _optax_run(optax.adam(1e-2), params64, grad64)
        truth = [[np.asarray(a) for a in step] for step in truth]

    def err(run):
        return max(float(np.max(np.abs(np.asarray(a, np.float64) - b)) / np.max(np.abs(b)))
                   for sa, sb in zip(run, truth) for a, b in zip(sa, sb))

    e_ours, e_optax = err(ours32), err(optax32)
    print(f"adam float32 vs float64 trajectory: catgrad {e_ours:.2e}, optax {e_optax:.2e}")
    assert e_ours < 2e-6
    assert e_ours < e_optax


def test_adaptive_flags():
    assert [o.adaptive for o in (gd(), momentum(), nesterov(), rda())] == [False] * 4
    assert [o.adaptive for o in (adagrad(0.1), rmsprop(0.1), adam())] == [True] * 3


# -- the update formulas, symbolically ------------------------------------------------------

S, P, V = sp.symbols("s p v")
Q = sp.Rational(1, 4)
RMS_S = 3 * Q * S + Q * V ** 2  # ρ s + (1 − ρ) g² with ρ = 3/4, g = −v


@pytest.mark.parametrize("opt, point, expected", [
    (gd(), P, [P + V]),
    (momentum(0.75), P, [3 * Q * S + V, P + 3 * Q * S + V]),
    (nesterov(0.75), P + 3 * Q * S, [3 * Q * S + V, P + 3 * Q * S + V]),
    (adagrad(0.5, eps=0.25), P, [S + V ** 2, P - (-V) / (2 * sp.sqrt(S + V ** 2 + Q))]),
    (rmsprop(0.5, decay=0.75, eps=0.25), P, [RMS_S, P - (-V) / (2 * sp.sqrt(RMS_S + Q))]),
    (rmsprop(0.5, decay=0.75, eps=0.25, eps_in_sqrt=False), P, [RMS_S, P - (-V) / (2 * (sp.sqrt(RMS_S) + Q))]),
], ids=["gd", "momentum", "nesterov", "adagrad", "rmsprop", "rmsprop-eps-outside"])
def test_update_formulas_symbolically(opt, point, expected):
    """The scalar get/put maps, read by the sympy semantics, equal the formulas of MATH.md §5 / optax."""
    A = Array(())
    U = opt.lens(A)
    ins = [S] * len(opt.state(A)) + [P]
    assert sp.simplify(to_sympy(U.fwd, ins)[0] - point) == 0
    out = to_sympy(U.bwd, ins + [V])
    assert len(out) == len(expected)
    for got, want in zip(out, expected):
        assert sp.simplify(got - want) == 0 or all(
            float(got.subs(vals)) == pytest.approx(float(want.subs(vals)), rel=1e-14)
            for vals in ({S: 0.5, P: -1.25, V: 0.75}, {S: 2.0, P: 0.5, V: -3.0}))


def test_adam_update_formula():
    """Adam's scalar put map at high precision against Kingma & Ba's formula, over many counts ``t``."""
    b1, b2, eta, eps = 0.9, 0.999, 0.1, 1e-3
    U = adam(eta, b1, b2, eps).lens(Array(()))
    M, W, T = sp.symbols("m w t")
    t_new, m_new, w_new, p_new = to_sympy(U.bwd, [T, M, W, P, V])
    for t in (0, 1, 7, 99, 1000, 20000):
        vals = {M: 0.3, W: 0.02, T: t, P: 1.5, V: -0.7}
        g = 0.7
        m1, w1 = b1 * 0.3 + (1 - b1) * g, b2 * 0.02 + (1 - b2) * g * g
        mh, wh = m1 / (1 - b1 ** (t + 1)), w1 / (1 - b2 ** (t + 1))
        want = 1.5 - eta * mh / (math.sqrt(wh) + eps)
        assert float(m_new.evalf(30, subs=vals)) == pytest.approx(m1, rel=1e-13)
        assert float(w_new.evalf(30, subs=vals)) == pytest.approx(w1, rel=1e-13)
        assert float(t_new.evalf(30, subs=vals)) == t + 1
        assert float(p_new.evalf(30, subs=vals)) == pytest.approx(want, rel=1e-12)


def test_adam_bias_correction_is_accurate_in_float32():
    """``1 − βᵗ`` is built without cancellation: relative error ≲ 1e-6 in float32, for small and large t."""
    U = adam(1.0, b1=0.9, b2=0.999, eps=1e-30).lens(Array(()))  # (ε > 0 is required; 1e-30 ≪ √ŵ)
    put = to_jax(U.bwd)
    for t in (0, 1, 9, 99, 999, 99999):
        # with m = w = 0 and g = 1: p' = −m̂/√ŵ = −(1 − b2^t')^{1/2} / (1 − b1^t')
        _, _, _, p = put(jnp.float32(t), jnp.float32(0), jnp.float32(0), jnp.float32(0), jnp.float32(-1))
        n = t + 1
        want = -math.sqrt(1 - 0.999 ** n) / (1 - 0.9 ** n) * ((1 - 0.9) / math.sqrt(1 - 0.999))
        assert float(p) == pytest.approx(want, rel=2e-6)


def test_lenses_are_diagrams_of_generators():
    """No JAX inside: every operation of every lens is a declared catgrad generator."""
    A = Array((2, 3))
    for opt in (gd(), momentum(), nesterov(), adagrad(0.1), rmsprop(0.1), adam()):
        U = optimiser_lens(opt, A @ Array((3,)))
        for d in (U.fwd, U.bwd):
            assert all(SIGNATURE.get(op.gen.name) is op.gen for op in d.ops)


# -- whole parameter objects ------------------------------------------------------------------

@pytest.mark.parametrize("opt", [gd(), momentum(), nesterov(), adagrad(0.1), rmsprop(0.1), adam()])
def test_optimiser_lens_types_and_init_state(opt):
    """The state record is shaped like the parameters (each field a record like P, Adam's count a scalar),
    as optax's states are, and the lens acts on its wires then the parameters'."""
    P = {"dense": {"W": Array((2, 3)), "b": Array((3,))}, "scale": Array(())}
    U, S = opt.lens(P), opt.state(P)
    for f in S._fields:
        if f != "count":
            assert getattr(S, f) == P
    assert U.dom == (leaves(S) @ leaves(P), leaves(S) @ leaves(P))
    assert U.cod == (leaves(P), leaves(P))
    params = jax.tree_util.tree_map(lambda t: jnp.ones(t.shape, t.dtype), P)
    s0 = opt.init(params)
    assert jax.tree_util.tree_structure(s0) == jax.tree_util.tree_structure(S)
    assert [(x.shape, x.dtype.name) for x in jax.tree_util.tree_leaves(s0)] == [(t.shape, t.dtype) for t in leaves(S)]


def test_optimiser_lens_of_the_unit():
    U = optimiser_lens(adam(), Ty())
    assert U.cod == (Ty(), Ty())
    assert init_state(adam(), []) == (0.0,)  # Adam's count alone


def test_initial_states_follow_optax():
    p = jnp.arange(3.0)
    np.testing.assert_array_equal(adagrad(0.1).init(p)[0], optax.adagrad(0.1).init(p)[0].sum_of_squares)
    np.testing.assert_array_equal(rmsprop(0.1, initial_scale=1.0).init(p)[0],
                                  optax.rmsprop(0.1, initial_scale=1.0).init(p)[0].nu)
    t, m, w = adam().init(p)
    st = optax.adam(1e-3).init(p)[0]
    np.testing.assert_array_equal(m, st.mu), np.testing.assert_array_equal(w, st.nu)
    assert float(t) == int(st.count) == 0


# -- Z2: reverse derivative ascent --------------------------------------------------------------

def test_rda_is_xor_on_random_bool_arrays():
    """``p' = p XOR v`` for 100 steps on a bool parameter object (closed form over Z2)."""
    P = Array((4, 5), "bool") @ Array((7,), "bool") @ Array((), "bool")
    U = optimiser_lens(rda(), P)
    assert U.dom == (P, P) and init_state(rda(), []) == ()
    get, put = compile(U.fwd), compile(U.bwd)
    rng = np.random.default_rng(0)
    p = [rng.integers(0, 2, t.shape).astype(bool) for t in P]
    expected = [x.copy() for x in p]
    for _ in range(STEPS):
        v = [rng.integers(0, 2, t.shape).astype(bool) for t in P]
        assert all(np.array_equal(a, b) for a, b in zip(get(*p), p))
        p = [np.asarray(x) for x in put(*p, *v)]
        expected = [np.logical_xor(e, w) for e, w in zip(expected, v)]
        assert all(x.dtype == np.bool_ and np.array_equal(x, e) for x, e in zip(p, expected))


def test_gd_on_bool_wires_is_rda():
    A = Array((6,), "bool")
    rng = np.random.default_rng(1)
    p, v = rng.integers(0, 2, (2, 6)).astype(bool)
    np.testing.assert_array_equal(to_jax(gd().lens(A).bwd)(p, v)[0], p ^ v)
    np.testing.assert_array_equal(to_jax(rda().lens(A).bwd)(p, v)[0], p ^ v)


# -- errors ------------------------------------------------------------------------------------

def test_type_errors():
    with pytest.raises(TypeError, match=r"rda: .*boolean \(Z2\) parameters, got f32\[3\].*use gd"):
        rda().lens(Array((3,)))
    for opt in (momentum(), nesterov(), adagrad(0.1), rmsprop(0.1), adam()):
        with pytest.raises(TypeError, match=rf"{opt.name}: needs floating-point parameters, got bool\[3\].*use rda"):
            opt.lens(Array((3,), "bool"))


@pytest.mark.parametrize("make", [
    lambda: adam(b1=1.0), lambda: adam(b2=-0.1), lambda: rmsprop(0.1, decay=1.5), lambda: adagrad(0.1, eps=-1.0),
])
def test_bad_hyperparameters(make):
    with pytest.raises(ValueError):
        make()


def test_non_numeric_hyperparameters():
    with pytest.raises(TypeError, match="gamma must be a finite real number"):
        momentum(float("nan"))
    with pytest.raises(TypeError, match="eta must be a finite real number"):
        adam("fast")
