"""``scan`` (a loop whose attribute is its body) and the stacks built on it (``nn.stack``, ``nn.repeat``).

Oracles: ``jax.lax.scan`` of the body written again in plain jax.numpy, ``jax.vjp`` of it (and the vjp
of the vjp for ``R[R[scan]]``), ``jax.vmap`` for batching; the *unrolled* diagram (the body composed
``n`` times by ``trace``, no scan in it) for ``R`` and, exactly in sympy, for small ``n``; random bodies
from the property-test strategies (tests/strategies.py); a hand-written loop over layers for the stacks.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad import Array, Ty, nn
from strategies import body_of, cases, inputs, seeds, sympy_cases

TOL = dict(rtol=1e-5, atol=1e-5)
A, S, M = Array((2,)), Array(()), Array((2, 2))


def _close(got, want, tol=TOL):
    got, want = tuple(got), tuple(jax.tree_util.tree_leaves(want))
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, **tol)


def _rand(seed, *shape):
    return jnp.asarray(np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32))


# -- a hand-picked body with a constant, two carries, two inputs and two outputs -------------------

def _body():
    def fn(w, h, c, x, u):
        h2 = cg.tanh(cg.matmul(w, h) + x * c)
        return h2, c * cg.sigmoid(u), cg.sin(h) * u, cg.sum(h2 * h2)
    return cg.trace(fn, M, A, A, A, A)


def _ref_step(w, carry, xs):
    h, c = carry
    x, u = xs
    h2 = jnp.tanh(w @ h + x * c)
    return (h2, c * jax.nn.sigmoid(u)), (jnp.sin(h) * u, jnp.sum(h2 * h2))


def _ref(n, reverse=False):
    def f(w, h, c, x, u):
        (h, c), (y, z) = jax.lax.scan(lambda cr, xs: _ref_step(w, cr, xs), (h, c), (x, u), length=n, reverse=reverse)
        return h, c, y, z
    return f


def _args(n, seed=0):
    return [_rand(seed, 2, 2), _rand(seed + 1, 2), _rand(seed + 2, 2), _rand(seed + 3, n, 2), _rand(seed + 4, n, 2)]


def unrolled(body: cg.Diagram, n: int, consts: int, carry: int, reverse: bool = False) -> cg.Diagram:
    """The loop written out: ``body`` applied ``n`` times by ``trace``, slicing and stacking with
    reshape/einsum-free generators only (no scan), the oracle for R and the exact checks."""
    K, C, X = body.dom[:consts], body.dom[consts:consts + carry], body.dom[consts + carry:]
    Y = body.cod[carry:]

    def fn(*ws):
        k, c, xs = ws[:consts], ws[consts:consts + carry], ws[consts + carry:]
        ys = [[None] * n for _ in Y]
        for t in (reversed(range(n)) if reverse else range(n)):
            xt = [_slice(x, t, n) for x in xs]
            out = body(*k, *c, *xt)
            out = out if isinstance(out, tuple) else (out,)
            c = out[:carry]
            for j, y in enumerate(out[carry:]):
                ys[j][t] = y
        return (*c, *(_stack(col) for col in ys))

    return cg.trace(fn, K @ C @ Ty(*(Array((n, *x.shape)) for x in X)))


def _basis(like, t, n):
    """The constant basis vector ``e_t`` of ``ℝⁿ``, a wire of the diagram ``like`` is traced in."""
    return cg.apply("constant", into=like.builder, type=Array((n,)), value=np.eye(n, dtype=np.float32)[t])


def _slice(x, t, n):
    """``x[t]`` as a diagram: a one-hot contraction (einsum with a constant basis vector)."""
    letters = "abcdefg"[:x.type.ndim - 1]
    return cg.einsum(f"t{letters},t->{letters}", x, _basis(x, t, n))


def _stack(ys):
    n = len(ys)
    total = None
    for t, y in enumerate(ys):
        letters = "abcdefg"[:y.type.ndim]
        term = cg.einsum(f"t,{letters}->t{letters}", _basis(y, t, n), y)
        total = term if total is None else total + term
    return total


# -- the forward map, R and R[R] against lax.scan ------------------------------------------------------

@pytest.mark.parametrize("reverse", [False, True])
def test_scan_is_lax_scan(reverse):
    n = 4
    s = cg.scan(_body(), n, consts=1, carry=2, reverse=reverse)
    assert s.dom == M @ A @ A @ Array((n, 2)) @ Array((n, 2))
    assert s.cod == A @ A @ Array((n, 2)) @ Array((n,))
    _close(cg.compile(s)(*_args(n)), _ref(n, reverse)(*_args(n)))


@pytest.mark.parametrize("reverse", [False, True])
def test_R_scan_is_the_vjp_of_lax_scan_and_of_the_unrolled_diagram(reverse):
    n = 3
    s = cg.scan(_body(), n, consts=1, carry=2, reverse=reverse)
    args = _args(n)
    primal, vjp = jax.vjp(jax.jit(_ref(n, reverse)), *args)
    dys = [_rand(10 + k, *p.shape) for k, p in enumerate(primal)]
    got = cg.compile(cg.rdiff(s))(*args, *dys)
    _close(got, vjp(tuple(dys)))
    _close(got, cg.compile(cg.rdiff(unrolled(_body(), n, 1, 2, reverse)))(*args, *dys))
    # R is again two scans (forward, keeping the carries; then R[body] the other way), not n copies
    names = [op.gen.name for op in cg.rdiff(s).ops]
    assert names.count("scan") == 2 and len(names) <= 4


def test_R_R_scan_is_the_vjp_of_the_vjp():
    n = 3
    f = _ref(n)
    s = cg.scan(_body(), n, consts=1, carry=2)
    args = _args(n)
    primal = f(*args)
    dys = [_rand(10 + k, *p.shape) for k, p in enumerate(primal)]

    def r(*a):
        return jax.vjp(f, *a[:5])[1](tuple(a[5:]))

    cts = [_rand(20 + k, *a.shape) for k, a in enumerate(args)]
    _, vjp2 = jax.vjp(r, *args, *dys)
    _close(cg.compile(cg.rdiff(cg.rdiff(s)))(*args, *dys, *cts), vjp2(tuple(cts)), dict(rtol=2e-5, atol=2e-5))


def test_scan_with_no_carry_is_a_map_and_no_input_is_an_iteration():
    m = cg.scan(cg.trace(lambda x: cg.exp(x), A), 3, carry=0)
    assert m.dom == Ty(Array((3, 2))) and m.cod == Ty(Array((3, 2)))
    x = _rand(0, 3, 2)
    _close(cg.compile(m)(x), (jnp.exp(x),))
    _close(cg.compile(cg.rdiff(m))(x, x), (x * jnp.exp(x),))
    it = cg.scan(cg.trace(lambda h: cg.sin(h), A), 5)
    assert it.dom == Ty(A) == it.cod
    h = _rand(1, 2)
    want = h
    for _ in range(5):
        want = jnp.sin(want)
    _close(cg.compile(it)(h), (want,))
    _close(cg.compile(cg.rdiff(it))(h, h), jax.vjp(lambda v: jax.lax.fori_loop(0, 5, lambda i, a: jnp.sin(a), v), h)[1](h))


def test_integer_steps_get_no_cotangent():
    """A scan reading int32 indices per step (an embedding lookup): R gives the table's gradient."""
    body = cg.trace(lambda E, h, i: h + cg.gather(E, i), Array((5, 2)), A, Array((), "int32"))
    s = cg.scan(body, 4, consts=1)
    E, h, idx = _rand(0, 5, 2), _rand(1, 2), jnp.array([4, 0, 4, 1], jnp.int32)
    _close(cg.compile(s)(E, h, idx), (h + E[idx].sum(0),))
    dE, dh, didx = cg.compile(cg.rdiff(s))(E, h, idx, jnp.ones(2))
    _close((dE, dh), jax.grad(lambda e, v: jnp.sum(v + e[idx].sum(0)), argnums=(0, 1))(E, h))
    assert didx.dtype == jnp.int32 and not didx.any()


def test_scan_sympy_meaning_unrolls():
    body = cg.trace(lambda c, x: (c * x + 1.0, c + x), S, S)
    c_n, ys = cg.to_sympy(cg.scan(body, 3))
    c0, x0, x1, x2 = sp.symbols("x0 x1_0 x1_1 x1_2")
    c1 = c0 * x0 + 1
    c2 = c1 * x1 + 1
    assert sp.expand(c_n - (c2 * x2 + 1)) == 0
    assert [sp.expand(a - b) for a, b in zip(ys, [c0 + x0, c1 + x1, c2 + x2])] == [0, 0, 0]


# -- random bodies from the property-test strategies --------------------------------------------------

def ref_loop(case, n):
    def step(c, xs):
        ys = case.ref(c, *xs)
        return jnp.tanh(c + 0.1 * jnp.sum(ys[0])), ys

    def f(c, *xs):
        c, ys = jax.lax.scan(step, c, tuple(xs), length=n)
        return (c, *ys)
    return f


@settings(max_examples=12)
@given(cases(depth=1, max_ops=3), seeds())
def test_random_bodies_against_lax_scan_and_its_vjp(case, seed):
    n = 3
    body = body_of(case.f)
    s = cg.scan(body, n)
    args = inputs(s.dom, seed)
    ref = ref_loop(case, n)
    tol = dict(rtol=2e-4, atol=2e-4)
    ref = jax.jit(ref)
    _close(cg.compile(s)(*args), ref(*args), tol)
    primal, vjp = jax.vjp(ref, *args)
    dys = inputs(s.cod, seed + 1)
    got = cg.compile(cg.rdiff(s))(*args, *dys)
    _close(got, vjp(tuple(dys)), tol)
    _close(got, cg.compile(cg.rdiff(unrolled(body, n, 0, 1)))(*args, *dys), tol)


@settings(max_examples=10)
@given(sympy_cases(max_ops=2, depth=1))
def test_R_scan_equals_R_of_the_unrolled_loop_exactly(case):
    """For small n, R[scan] and R[unrolled] are the same expressions (sympy), so the axioms RD.1–RD.7,
    which tests/test_axioms.py checks on unrolled diagrams, hold for the loop as well."""
    n = 2
    body = body_of(case.f)
    lhs, rhs = cg.rdiff(cg.scan(body, n)), cg.rdiff(unrolled(body, n, 0, 1))
    assert lhs.dom == rhs.dom and lhs.cod == rhs.cod
    xs = cg.symbols(lhs.dom)
    for a, b in zip(cg.to_sympy(lhs, xs), cg.to_sympy(rhs, xs)):
        diff = sp.simplify(sp.Matrix(a) - sp.Matrix(b)) if isinstance(a, sp.MatrixBase) else sp.simplify(a - b)
        assert diff == sp.zeros(*diff.shape) if isinstance(diff, sp.MatrixBase) else diff == 0


@settings(max_examples=6)
@given(cases(depth=1, max_ops=3), seeds(), st.floats(-2, 2), st.floats(-2, 2))
def test_rd2_R_scan_is_linear_in_the_cotangent(case, seed, alpha, beta):
    s = cg.scan(body_of(case.f), 3)
    r = cg.compile(cg.rdiff(s))
    xs, us, vs = inputs(s.dom, seed), inputs(s.cod, seed + 1), inputs(s.cod, seed + 2)
    mixed = [alpha * u + beta * v for u, v in zip(us, vs)]
    want = [alpha * a + beta * b for a, b in zip(r(*xs, *us), r(*xs, *vs))]
    _close(r(*xs, *mixed), want, dict(rtol=1e-4, atol=1e-4))
    _close(r(*xs, *[0 * u for u in us]), [0 * x for x in xs])


# -- batching ---------------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [(False, True, True, True, True), (False, False, False, True, True),
                                   (True, True, True, False, True), (False, True, False, False, False)])
def test_batch_scan_is_vmap(flags):
    n, b = 3, 4
    s = cg.scan(_body(), n, consts=1, carry=2)
    args = [jnp.stack([a * (1 + 0.1 * i) for i in range(b)]) if f else a for a, f in zip(_args(n), flags)]
    want = jax.vmap(_ref(n), in_axes=tuple(0 if f else None for f in flags))(*args)
    bs = cg.batch(s, b, flags)
    _close(cg.compile(bs)(*args), want)
    # R of the batched loop: the shared constant's gradient sums over the batch
    dys = [_rand(30 + k, *t.shape) for k, t in enumerate(bs.cod)]
    got = cg.compile(cg.rdiff(bs))(*args, *dys)
    f = jax.vmap(_ref(n), in_axes=tuple(0 if f_ else None for f_ in flags))
    _close(got, jax.vjp(f, *args)[1](tuple(dys)))


def test_batch_of_R_scan():
    n, b = 3, 2
    r = cg.rdiff(cg.scan(_body(), n, consts=1, carry=2))
    args = [jnp.stack([a + 0.1 * i for i in range(b)]) for a in _args(n)]
    dys = [jnp.stack([_rand(40 + k, *t.shape)] * b) for k, t in enumerate(r.dom[5:])]
    got = cg.compile(cg.batch(r, b))(*args, *dys)
    want = jax.vmap(lambda *a: jax.vjp(_ref(n), *a[:5])[1](tuple(a[5:])))(*args, *dys)
    _close(got, want)


# -- bad input ------------------------------------------------------------------------------------

def test_a_body_whose_carry_types_do_not_match():
    bad = cg.trace(lambda h, x: (cg.sum(h), h + x), Array((3,)), Array((3,)))
    with pytest.raises(TypeError, match=r"carry types do not match: it takes the carry f32\[3\] and returns f32\[\]"):
        cg.scan(bad, 4)


def test_a_length_that_disagrees_with_the_data():
    body = cg.trace(lambda h, x: (h + x, h), A, A)

    def fn(h, xs, ys):
        return cg.scan(body, h, xs, length=5)
    with pytest.raises(TypeError, match=r"the scan length is 5 but the stacked input 1 \(f32\[7,2\]\) has 7 steps"):
        cg.trace(fn, A, Array((7, 2)), Array((7, 2)))
    with pytest.raises(TypeError, match="the scan length is 5 but the stacked input 1"):
        cg.trace(lambda h, xs: cg.apply(cg.scan, h, xs, body=body, length=5), A, Array((7, 2)))
    with pytest.raises(TypeError, match=r"expects 2 input wire\(s\)"):
        cg.trace(lambda h: cg.scan(body, h, length=5), A)
    with pytest.raises(TypeError, match="the body must be a Diagram"):
        cg.scan(lambda h, x: h, 3)
    with pytest.raises(TypeError, match="the length must be an int ≥ 1, got 0"):
        cg.scan(body, 0)


def test_on_wires_the_length_is_read_off_the_stacked_input():
    body = cg.trace(lambda h, x: (h + x, h), A, A)
    ok = cg.trace(lambda h, xs: cg.scan(body, h, xs), A, Array((6, 2)))
    assert ok.cod == A @ Array((6, 2))


# -- stacks ---------------------------------------------------------------------------------------

def _dense_ref(p, x):
    return jnp.tanh(p["dense"]["W"] @ x + p["dense"]["b"])


def test_stack_is_the_loop_over_separate_layers():
    n = 5
    deep = nn.stack(nn.dense(3, 3, nn.tanh), n)
    assert deep.map.size == 1 and cg.record.paths(deep.param) == ("dense.W", "dense.b")
    params = deep.init(jax.random.PRNGKey(0))
    assert params["dense"]["W"].shape == (n, 3, 3)
    assert not np.allclose(params["dense"]["W"][0], params["dense"]["W"][1])  # separate draws
    x = _rand(0, 3)

    def ref(p, v):
        for k in range(n):
            v = _dense_ref(jax.tree_util.tree_map(lambda a: a[k], p), v)
        return v

    flat = jax.tree_util.tree_leaves(params)  # the parameter wires, in the record's order
    _close(cg.compile(deep.map)(*flat, x), (ref(params, x),))
    dy = _rand(1, 3)
    got = cg.compile(cg.rdiff(deep.map))(*flat, x, dy)
    gp, gx = jax.vjp(ref, params, x)[1](dy)
    _close(got, (*jax.tree_util.tree_leaves(gp), gx))


def test_repeat_ties_the_parameters_and_R_sums_their_gradients():
    n = 4
    tied = nn.repeat(nn.dense(3, 3, nn.tanh), n)
    assert tied.param == nn.dense(3, 3).param
    params = tied.init(jax.random.PRNGKey(0))
    x = _rand(0, 3)

    def ref(p, v):
        for _ in range(n):
            v = _dense_ref(p, v)
        return v

    flat = jax.tree_util.tree_leaves(params)  # the parameter wires, in the record's order
    _close(cg.compile(tied.map)(*flat, x), (ref(params, x),))
    dy = _rand(1, 3)
    gp, gx = jax.vjp(ref, params, x)[1](dy)
    _close(cg.compile(cg.rdiff(tied.map))(*flat, x, dy), (*jax.tree_util.tree_leaves(gp), gx))


def test_stack_trains_through_the_learner():
    from catgrad import learn
    model = nn.dense(4, 3, nn.tanh) >> nn.stack(nn.dense(3, 3, nn.tanh, name="hidden"), 6) >> nn.dense(3, 1)
    lrn = learn.supervised(model, learn.mse, 0.1, learn.gd())
    x = _rand(0, 16, 4)
    y = jnp.sum(x, axis=1, keepdims=True) * 0.3
    state = lrn.init(jax.random.PRNGKey(0))
    before = lrn.evaluate(state.params, x, y)["loss"]
    for _ in range(30):
        state = lrn.step(state, x, y)
    assert lrn.evaluate(state.params, x, y)["loss"] < 0.5 * before


def test_stack_errors():
    with pytest.raises(TypeError, match=r"map a type to itself to be iterated, got f32\[3\] → f32\[2\]"):
        nn.stack(nn.dense(3, 2), 4)
    with pytest.raises(TypeError, match="positive int, got 0"):
        nn.repeat(nn.dense(3, 3), 0)


def test_scan_is_its_declared_record():
    from catgrad.core.signature import SIGNATURE
    assert isinstance(cg.scan, cg.Generator) and SIGNATURE["scan"] is cg.scan
    assert cg.scan.formula in cg.scan.__doc__ and cg.scan.rdiff_formula in cg.scan.__doc__
    assert cg.scan.__doc__.startswith(cg.scan.summary)


def test_nested_scans():
    """A body that is itself a loop: forward, R, batching and R[R] against nested lax.scan."""
    inner = cg.trace(lambda h, x: (cg.tanh(h * x), cg.sin(h)), A, A)

    def outer_fn(h, xs):
        hn, ys = cg.scan(inner, h, xs)
        return hn + cg.sum(ys, axes=(0,)), hn

    s = cg.scan(cg.trace(outer_fn, A, Array((3, 2))), 4)

    def ref(h, xss):
        def step(h_, xs):
            hn, ys = jax.lax.scan(lambda a, x: (jnp.tanh(a * x), jnp.sin(a)), h_, xs)
            return hn + ys.sum(0), hn
        return jax.lax.scan(step, h, xss)

    h, xss = _rand(0, 2), _rand(1, 4, 3, 2)
    _close(cg.compile(s)(h, xss), ref(h, xss))
    dy = (_rand(2, 2), _rand(3, 4, 2))
    _close(cg.compile(cg.rdiff(s))(h, xss, *dy), jax.vjp(ref, h, xss)[1](dy))
    hb, xb = jnp.stack([h, 2 * h, 3 * h]), jnp.stack([xss] * 3)
    _close(cg.compile(cg.batch(s, 3))(hb, xb), jax.vmap(ref)(hb, xb))
    cts = (_rand(4, 2), _rand(5, 4, 3, 2))
    r1 = jax.jit(lambda *a: jax.vjp(ref, *a[:2])[1](tuple(a[2:])))
    _close(cg.compile(cg.rdiff(cg.rdiff(s)))(h, xss, *dy, *cts), jax.vjp(r1, h, xss, *dy)[1](cts),
           dict(rtol=2e-5, atol=2e-5))


# -- simplify fuses a forward scan with R's scan keeping the carries ----------------------------------

def _value_and_R(s: cg.Diagram) -> cg.Diagram:
    """``(x, dy) ↦ (s(x), R[s](x, dy))``: the forward map beside its reverse derivative (a training step's shape)."""
    r, n = cg.rdiff(s), len(s.dom)

    def fn(*ws):
        out, back = cg.apply(s, *ws[:n]), cg.apply(r, *ws)
        return (*(out if isinstance(out, tuple) else (out,)), *(back if isinstance(back, tuple) else (back,)))
    return cg.trace(fn, r.dom)


def _scans(d: cg.Diagram) -> int:
    return [op.gen.name for op in d.ops].count("scan")


@settings(max_examples=10)
@given(cases(depth=1, max_ops=3), seeds())
def test_simplify_runs_the_forward_scan_once_with_R(case, seed):
    """The forward scan and R[scan]'s scan keeping the carries update the carry alike: ``simplify`` makes
    them one scan (two in all, as ``jax.value_and_grad`` of ``lax.scan``), the values unchanged (``jax.vjp``)."""
    s = cg.scan(body_of(case.f), 3)
    both = _value_and_R(s)
    fused = both.simplify()
    assert _scans(both) == 3 and _scans(fused) == 2
    xs, dys = inputs(s.dom, seed), inputs(s.cod, seed + 1)
    primal, vjp = jax.vjp(jax.jit(ref_loop(case, 3)), *xs)
    tol = dict(rtol=2e-4, atol=2e-4)
    _close(cg.compile(fused)(*xs, *dys), (*primal, *vjp(tuple(dys))), tol)
    _close(cg.compile(fused)(*xs, *dys), cg.compile(both)(*xs, *dys), dict(rtol=1e-6, atol=1e-6))


@pytest.mark.parametrize("reverse", [False, True])
def test_simplify_keeps_scans_whose_carries_differ(reverse):
    """Two scans on the same inputs are fused only if their bodies update the carry alike."""
    tanh_body = cg.trace(lambda h, x: (cg.tanh(h + x), h * x), A, A)
    sin_body = cg.trace(lambda h, x: (cg.sin(h + x), h * x), A, A)
    same_carry = cg.trace(lambda h, x: (cg.tanh(h + x), cg.sin(x)), A, A)

    def two(b1, b2):
        return cg.trace(lambda h, xs: (*cg.scan(b1, h, xs, reverse=reverse), *cg.scan(b2, h, xs, reverse=reverse)),
                        A, Array((4, 2)))
    h, xs = _rand(0, 2), _rand(1, 4, 2)
    for b2, scans in [(sin_body, 2), (same_carry, 1)]:
        d = two(tanh_body, b2)
        assert _scans(d.simplify()) == scans
        _close(cg.compile(d.simplify())(h, xs), cg.compile(d)(h, xs), dict(rtol=0, atol=0))
    other_way = two(tanh_body, tanh_body)
    assert _scans(other_way.simplify()) == 1
    flipped = cg.trace(lambda h, xs: (*cg.scan(tanh_body, h, xs), *cg.scan(same_carry, h, xs, reverse=True)),
                       A, Array((4, 2)))
    assert _scans(flipped.simplify()) == 2  # the direction differs


def test_the_training_step_of_a_stack_has_two_scans():
    from catgrad import learn
    lrn = learn.supervised(nn.stack(nn.dense(3, 3, nn.tanh), 5), learn.mse, 0.1, learn.gd())
    assert _scans(lrn.compiled_step(8).diagram) == 2
