"""The categories Para(C) and Para(Lens(C)) [CFGBL §2.2; MATH.md §4] on hypothesis-generated morphisms.

Oracle: each random Para ``(P, f: P × A → B)`` comes with a jax.numpy reference of ``f``
(``lens_strategies.py``); composites' references follow the textbook formulas on tuples
(``(P, f) ; (Q, g) = (Q × P, (q, p, a) ↦ g(q, f(p, a)))``), and the backward maps of
Para(Lens) morphisms are checked against ``jax.vjp`` of the reference.

Parameters are records (``catgrad.para``): the random Paras here take a Ty, read as the
anonymous (tuple) record of its arrays, so composites have the paper's product records
``(Q, P)`` / ``(P, Q)``; their wires (``leaves``, JAX's tree order) are the textbook order, which
the references take. The named-record tests at the end use dict records (``{"dense": {...}}``).

Laws (both sides evaluated as catgrad diagrams on the same random parameters and inputs):
associativity (parameters ``R × Q × P`` either way), identities, tensor, reparametrisation
(by the identity; ``reparam(reparam(p, r₁), r₂) = reparam(p, r₂ ; r₁)``), and
``R: Para(C) → Para(Lens(C))`` (``.lens()``) preserving composition, tensor and reparametrisation.
Cases per run (derandomized profile): see N_* below.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg
from catgrad import Lens, Para, reparam
from catgrad.record import as_record, check_values, paths
from lens_strategies import para_chain, para_lens_chain, para_lenses, paras, reparam_chain
from strategies import COMPOSITE_TOL, assert_close, inputs, seeds

TOL = COMPOSITE_TOL["float64"]
N_COMPOSE, N_UNIT, N_TENSOR, N_REPARAM, N_LENS, N_LENS_VJP, N_BATCH, N_LENS_TENSOR, N_LENS_COMPOSE = 25, 15, 20, 20, 20, 15, 10, 15, 15
N_NAMED = 15
TOTAL_CASES = (N_COMPOSE + N_UNIT + N_TENSOR + N_REPARAM + N_LENS + N_LENS_VJP + N_BATCH + N_LENS_TENSOR + N_LENS_COMPOSE
               + N_NAMED)


@pytest.fixture(autouse=True)
def _x64():
    with jax.enable_x64(True):
        yield


def _run(d, args):
    return cg.to_jax(d)(*args)


def check_para(p: Para, ref, seed: int, what: str):
    xs = inputs(p.map.dom, seed)
    assert_close(_run(p.map, xs), tuple(ref(*xs)), TOL, what)


def product(first, second):
    """The documented product of two anonymous records: the pair, a record without arrays (``{}``)
    being the unit (``p >> q`` has ``product(Q, P)``, ``p @ q`` has ``product(P, Q)``)."""
    if not jax.tree_util.tree_leaves(second):
        return first
    if not jax.tree_util.tree_leaves(first):
        return second
    return (first, second)


def check_equal(p1: Para, p2: Para, seed: int, what: str, same_record: bool = True):
    """Same parameter object, same types, same map on the same (parameters, inputs).

    ``same_record=False``: the records may differ by the bracketing of a product (associativity:
    ``(R, (Q, P))`` vs ``((R, Q), P)``), the parameter wires ``R × Q × P`` must not."""
    assert p1.wires == p2.wires, f"{what}: parameter wires {p1.wires} vs {p2.wires}"
    if same_record:
        assert p1.param == p2.param, f"{what}: parameters {p1.param} vs {p2.param}"
    assert p1.dom == p2.dom and p1.cod == p2.cod, f"{what}: {p1!r} vs {p2!r}"
    if isinstance(p1.map, Lens):
        assert isinstance(p2.map, Lens)
        xs = inputs(p1.map.fwd.dom, seed)
        dys = inputs(p1.map.cod[1], seed + 1)
        assert_close(_run(p1.map.fwd, xs), _run(p2.map.fwd, xs), TOL, f"{what}: forward")
        assert_close(_run(p1.map.bwd, [*xs, *dys]), _run(p2.map.bwd, [*xs, *dys]), TOL, f"{what}: backward")
    else:
        xs = inputs(p1.map.dom, seed)
        assert_close(_run(p1.map, xs), _run(p2.map, xs), TOL, what)


@settings(max_examples=N_COMPOSE)
@given(para_chain(3), seeds())
def test_composition_matches_reference_and_is_associative(chain, seed):
    p, q, r = chain
    left, right = (p >> q) >> r, p >> (q >> r)
    assert left.para.wires == r.para.wires @ q.para.wires @ p.para.wires
    P, Q, R = p.para.param, q.para.param, r.para.param
    assert left.para.param == product(R, product(Q, P)) and right.para.param == product(product(R, Q), P)
    check_para(left.para, left.ref, seed, f"(p;q);r for {chain}")
    check_para(right.para, right.ref, seed, f"p;(q;r) for {chain}")
    check_equal(left.para, right.para, seed, f"associativity for {chain}", same_record=False)


@settings(max_examples=N_UNIT)
@given(paras(), seeds())
def test_identities_are_units(p, seed):
    check_para(p.para, p.ref, seed, repr(p))
    check_equal(Para.identity(p.para.dom) >> p.para, p.para, seed, "1 ; p")
    check_equal(p.para >> Para.identity(p.para.cod), p.para, seed, "p ; 1")
    check_equal(Para.identity(p.para.dom).lens() >> p.para.lens(), p.para.lens(), seed, "R(1) ; R(p)")


@settings(max_examples=N_TENSOR)
@given(paras(), paras(), seeds())
def test_tensor_matches_reference_and_commutes_with_lens(p, q, seed):
    t = p @ q
    assert t.para.wires == p.para.wires @ q.para.wires
    assert t.para.param == product(p.para.param, q.para.param)
    assert t.para.dom == p.para.dom @ q.para.dom and t.para.cod == p.para.cod @ q.para.cod
    check_para(t.para, t.ref, seed, f"{p} ⊗ {q}")
    check_equal((p.para @ q.para).lens(), p.para.lens() @ q.para.lens(), seed, "R(p ⊗ q) = R(p) ⊗ R(q)")


@settings(max_examples=N_REPARAM)
@given(reparam_chain(), seeds())
def test_reparametrisation(chain, seed):
    r2, r1, p = chain
    P = p.para.wires
    check_equal(reparam(p.para, cg.identity(P)), p.para, seed, "reparam by the identity")
    twice = reparam(reparam(p.para, r1.f), r2.f)
    once = reparam(p.para, r2.f >> r1.f)
    assert twice.wires == r2.f.dom and twice.param == as_record(r2.f.dom)
    check_equal(twice, once, seed, "reparam(reparam(p, r1), r2) = reparam(p, r2 ; r1)")
    nR = len(r2.f.dom)
    check_para(once, lambda *a: p.ref(*r1.ref(*r2.ref(*a[:nR])), *a[nR:]), seed, "reparam reference")
    # reparametrisation in Para(Lens(C)) by the lens R(r), against R of the reparametrised map
    check_equal(reparam(p.para.lens(), Lens.of(r1.f)), reparam(p.para, r1.f).lens(), seed, "R(reparam)")


@settings(max_examples=N_LENS)
@given(para_chain(2), seeds())
def test_lens_preserves_composition(chain, seed):
    """``R((P, f) ; (Q, g)) = R(P, f) ; R(Q, g)`` in Para(Lens(C))."""
    p, q = chain
    check_equal((p.para >> q.para).lens(), p.para.lens() >> q.para.lens(), seed, f"R(p;q) for {chain}")


@settings(max_examples=N_LENS_VJP)
@given(para_chain(2), seeds())
def test_para_lens_backward_is_vjp(chain, seed):
    """The backward map of ``R(p ; q)`` is ``vjp`` of the reference of ``p ; q`` in (params, input)."""
    pq = chain[0] >> chain[1]
    check_equal(pq.para.lens(), Para(pq.para.param, Lens.of(pq.para.map)), seed, "R(P, f) = (P, Lens.of(f))")
    lens = pq.para.lens().map
    assert pq.para.lens().dom == (pq.para.dom, pq.para.dom)
    assert lens.dom == (pq.para.map.dom, pq.para.map.dom)
    xs = inputs(lens.fwd.dom, seed)
    dys = inputs(lens.cod[1], seed + 1)
    _, vjp = jax.vjp(pq.ref, *xs)
    assert_close(_run(lens.fwd, xs), tuple(pq.ref(*xs)), TOL, "forward")
    assert_close(_run(lens.bwd, [*xs, *dys]), vjp(tuple(dys)), TOL, "backward vs jax.vjp")


@settings(max_examples=N_BATCH)
@given(paras(), seeds())
def test_batched_shares_parameters(p, seed):
    """``p.batched(n)`` is ``vmap`` of the reference over the inputs with the parameters shared."""
    n = 3
    b = p.para.batched(n)
    assert b.param == p.para.param
    k = len(p.para.wires)
    ps = inputs(p.para.wires, seed)
    xs = [jnp.asarray(np.random.default_rng(seed + 2).uniform(-1, 1, (n, *t.shape))) for t in p.para.dom]
    expected = jax.vmap(lambda *a: tuple(p.ref(*ps, *a)))(*xs)
    assert_close(_run(b.map, [*ps, *xs]), expected, TOL, f"batched {p}")
    assert k == len(ps)


# -- names, parameters as pytrees ----------------------------------------------------

def test_composite_names_are_unique_and_nested():
    from catgrad import nn
    m = nn.dense(2, 3, name="d") >> nn.dense(3, 1, name="d")
    assert m.param == {"d": {"W": cg.Array((3, 2)), "b": cg.Array((3,))},
                       "d_1": {"W": cg.Array((1, 3)), "b": cg.Array((1,))}}
    assert paths(m.param) == ("d.W", "d.b", "d_1.W", "d_1.b")
    params = m.init(jax.random.PRNGKey(0))
    assert set(params) == {"d", "d_1"}
    assert params["d"]["W"].shape == (3, 2) and params["d_1"]["W"].shape == (1, 3)
    flat = jax.tree_util.tree_leaves(params)
    assert [tuple(a.shape) for a in flat] == [t.shape for t in m.wires]
    again = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(m.param), flat)
    assert jax.tree_util.tree_structure(again) == jax.tree_util.tree_structure(params)
    # right-nested composite: a fresh name must not collide with the other factor's names (was a bug)
    right = nn.dense(2, 2, name="d") >> (nn.dense(2, 2, name="d") >> nn.dense(2, 2, name="d"))
    left = (nn.dense(2, 2, name="d") >> nn.dense(2, 2, name="d")) >> nn.dense(2, 2, name="d")
    assert len(set(paths(right.param))) == len(paths(right.param)) == 6
    assert set(right.param) == set(left.param) == {"d", "d_1", "d_2"}
    # tensor keeps the order P × Q and renames clashes of the second
    t = nn.linear(2, 2, name="a") @ nn.linear(3, 3, name="a")
    assert paths(t.param) == ("a.W", "a_1.W")
    assert t.param["a_1"]["W"] == cg.Array((3, 3))
    assert t.init(jax.random.PRNGKey(1))["a_1"]["W"].shape == (3, 3)


def test_check_values_names_and_shapes():
    from catgrad import nn
    m = nn.dense(2, 3, name="d")
    good = m.init(jax.random.PRNGKey(0))
    check_values(m.param, good)
    with pytest.raises(TypeError, match=r"d\.W"):  # a missing array is named
        check_values(m.param, {"d": {"b": good["d"]["b"]}})
    with pytest.raises(TypeError, match=r"d\.W.*\(3, 2\).*\(2, 3\)"):
        check_values(m.param, {"d": {"b": good["d"]["b"], "W": jnp.zeros((2, 3))}})
    with pytest.raises(TypeError, match=r"parameter d\.W \(f32\[3,2\]\) is missing"):
        check_values(m.param, [good["d"]["b"]])  # a flat list is not the record
    with pytest.raises(TypeError, match="argument 0 should be a tree shaped like"):
        cg.to_jax(m)([good["d"]["W"], good["d"]["b"]], jnp.zeros(2))


def test_init_without_initialiser_raises():
    A = cg.Array((2,))
    p = Para(A, cg.trace(lambda a, x: a * x, A, A))
    with pytest.raises(ValueError, match="no initialiser"):
        p.init(jax.random.PRNGKey(0))


def test_composite_init_is_deterministic_and_uses_both_keys():
    from catgrad import nn
    m = nn.dense(4, 4, name="a") >> nn.dense(4, 4, name="b")
    k = jax.random.PRNGKey(3)
    p1, p2 = m.init(k), m.init(k)
    jax.tree_util.tree_map(np.testing.assert_array_equal, p1, p2)
    assert not np.allclose(p1["a"]["W"], p1["b"]["W"]), "both layers drew the same weights"
    p3 = m.init(jax.random.PRNGKey(4))
    assert not np.allclose(p1["a"]["W"], p3["a"]["W"])


# -- bad input --------------------------------------------------------------------------

A, B = cg.Array((3,)), cg.Array((2,))


def test_para_map_must_take_parameters_first():
    with pytest.raises(TypeError, match="must start with the parameter wires"):
        Para(B, cg.sigmoid(A))
    with pytest.raises(TypeError, match="must start with the parameter wires"):  # W then b (tree order)
        Para({"W": A, "b": B}, cg.identity(B @ A @ A))
    with pytest.raises(TypeError, match="must be a Diagram or a Lens"):
        Para(A, lambda x: x)
    with pytest.raises(TypeError, match="tree of Array types"):
        Para({"w": A, "v": 3}, cg.trace(lambda p, q, x: p * q * x, A, A, A))


def test_compose_mismatch_names_both_types():
    p = Para(A, cg.trace(lambda a, x: a * x, A, A))
    q = Para(B, cg.trace(lambda b, x: b * x, B, B))
    with pytest.raises(TypeError, match=r"f32\[3\].*f32\[2\]"):
        p >> q
    with pytest.raises(TypeError, match="Para.Lens"):
        p >> q.lens()
    with pytest.raises(TypeError, match="cannot tensor"):
        p @ cg.sigmoid(A)


def test_reparam_type_errors():
    p = Para(A, cg.trace(lambda a, x: a * x, A, A))
    with pytest.raises(TypeError, match="codomain"):
        reparam(p, cg.identity(B))
    with pytest.raises(TypeError, match="reparametrised by a lens"):
        reparam(p.lens(), cg.identity(A))
    with pytest.raises(TypeError, match="batch a Para"):
        p.lens().batched(2)


def test_case_count_is_at_least_100():
    assert TOTAL_CASES >= 100


@settings(max_examples=N_LENS_TENSOR)
@given(para_lenses(), para_lenses(), seeds())
def test_tensor_of_general_para_lenses(p, q, seed):
    """``(P, f) ⊗ (Q, g)`` in Para(Lens(C)) with parameter lenses ``(P, P') ≠ (P, P)``: forward
    ``(p, q, a, c) ↦ (f(p, a), g(q, c))``, backward ``↦ (p', q', a', c')`` from ``f*(p, a, b')``
    and ``g*(q, c, d')`` (was a TypeError: the wiring lens assumed ``P' = P``)."""
    (pp, pref, np_, npp), (qp, qref, nq, nqp) = p, q
    t = pp @ qp
    assert t.wires == pp.wires @ qp.wires and t.param == product(pp.param, qp.param)
    na, nc = len(pp.dom[0]), len(qp.dom[0])
    nb = len(pp.map.cod[1])

    def fwd(*args):
        P_, Q_, A_, C_ = args[:np_], args[np_:np_ + nq], args[np_ + nq:np_ + nq + na], args[np_ + nq + na:]
        return tuple(pref.fwd(*P_, *A_)) + tuple(qref.fwd(*Q_, *C_))

    def bwd(*args):
        n = np_ + nq + na + nc
        P_, Q_, A_, C_ = args[:np_], args[np_:np_ + nq], args[np_ + nq:np_ + nq + na], args[np_ + nq + na:n]
        b1, b2 = args[n:n + nb], args[n + nb:]
        u, v = tuple(pref.bwd(*P_, *A_, *b1)), tuple(qref.bwd(*Q_, *C_, *b2))
        return u[:npp] + v[:nqp] + u[npp:] + v[nqp:]

    lens = t.map
    xs = inputs(lens.fwd.dom, seed)
    dys = inputs(lens.cod[1], seed + 1)
    assert_close(_run(lens.fwd, xs), fwd(*xs), TOL, "forward")
    assert_close(_run(lens.bwd, [*xs, *dys]), bwd(*xs, *dys), TOL, "backward")


@settings(max_examples=N_LENS_COMPOSE)
@given(para_lens_chain(2), seeds())
def test_composition_of_general_para_lenses(chain, seed):
    """``(P, f) ; (Q, g)`` in Para(Lens(C)) with parameter lenses ``(Q, Q') ≠ (Q, Q)``: forward
    ``(q, p, a) ↦ g(q, f(p, a))``, backward ``(q, p, a, c') ↦ (q', p', a')`` where
    ``(q', b') = g*(q, f(p, a), c')`` and ``(p', a') = f*(p, a, b')`` (was a TypeError: the identity
    on Q assumed ``Q' = Q``)."""
    (pp, f, n_p), (qp, g, n_q) = chain
    t = pp >> qp
    assert t.wires == qp.wires @ pp.wires and t.param == product(qp.param, pp.param)
    n_in = n_q + len(pp.map.fwd.dom)

    def fwd(*args):
        return tuple(g.fwd(*args[:n_q], *f.fwd(*args[n_q:])))

    def bwd(*args):
        q, pa, cp = args[:n_q], args[n_q:n_in], args[n_in:]
        qb = tuple(g.bwd(*q, *f.fwd(*pa), *cp))
        pa_prime = tuple(f.bwd(*pa, *qb[n_q:]))
        return qb[:n_q] + pa_prime

    lens = t.map
    xs = inputs(lens.fwd.dom, seed)
    dys = inputs(lens.cod[1], seed + 1)
    assert_close(_run(lens.fwd, xs), fwd(*xs), TOL, "forward")
    assert_close(_run(lens.bwd, [*xs, *dys]), bwd(*xs, *dys), TOL, "backward")


# -- parameter records ------------------------------------------------------------------

def test_dense_record_and_init_have_one_structure():
    from catgrad import nn
    layer = nn.dense(4, 3)
    assert layer.param == {"dense": {"W": cg.Array((3, 4)), "b": cg.Array((3,))}}
    assert layer.wires == cg.Array((3, 4)) @ cg.Array((3,))  # W before b: sorted keys
    params = layer.init(jax.random.PRNGKey(0))
    assert jax.tree_util.tree_structure(layer.param) == jax.tree_util.tree_structure(params)
    assert [a.shape for a in jax.tree_util.tree_leaves(params)] == [t.shape for t in layer.wires]


def test_composite_wires_follow_the_tree_order_and_to_jax_is_the_forward():
    """Layers named out of construction order and a clash (``z`` twice): the wires are the record's
    leaves in JAX's order (``a``, ``z``, ``z_1``), and ``to_jax(para)(params, x)`` is the plain forward."""
    from catgrad import nn
    m = nn.dense(4, 3, nn.tanh, name="z") >> nn.linear(3, 2, name="a") >> nn.dense(2, 2, nn.sigmoid, name="z")
    assert m.wires == cg.Ty(*jax.tree_util.tree_leaves(m.param))
    assert paths(m.param) == ("a.W", "z.W", "z.b", "z_1.W", "z_1.b")
    params = m.init(jax.random.PRNGKey(5))
    x = jax.random.normal(jax.random.PRNGKey(6), (4,), jnp.float32)

    def forward(w, x):
        h = jnp.tanh(w["z"]["W"] @ x + w["z"]["b"])
        return jax.nn.sigmoid(w["z_1"]["W"] @ (w["a"]["W"] @ h) + w["z_1"]["b"])

    want = forward(params, x)
    (out,) = cg.to_jax(m)(params, x)
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-7)
    (out,) = cg.to_jax(m.map)(*jax.tree_util.tree_leaves(params), x)  # the map on the leaves, in order
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-7)
    # R(m): the parameter gradients come back in the same order (oracle: jax.vjp of the forward)
    dy = jnp.array([0.3, -0.7], jnp.float32)
    grads = cg.to_jax(m.lens().map.bwd)(*jax.tree_util.tree_leaves(params), x, dy)
    _, vjp = jax.vjp(forward, params, x)
    g_params, g_x = vjp(dy)
    assert_close(grads, [*jax.tree_util.tree_leaves(g_params), g_x], COMPOSITE_TOL["float32"], "R(m) vs jax.vjp")


NAMES = ("a", "b", "a_1")


@st.composite
def named_chain(draw, k: int):
    """``k`` composable random Paras, each named (``{name: P}``, ``P`` a tuple or a dict record),
    names drawn from ``NAMES`` so that clashes (and clashes with a would-be fresh name) occur."""
    out = []
    for rp in draw(para_chain(k)):
        P = rp.para.wires
        if draw(st.booleans()):  # a dict record {"w0": ..., "w1": ...}: tree order is the wire order
            para = Para({f"w{i:02d}": t for i, t in enumerate(P)}, rp.para.map)
        else:
            para = rp.para
        out.append(para.named(draw(st.sampled_from(NAMES))))
    return out


def union(P: dict, Q: dict, q_values=None, p_values=None):
    """The documented union of two named records (and of values shaped like them): ``Q``'s clashing
    top-level names get the smallest ``name_k`` (k ≥ 1) free in both, in sorted order."""
    taken, rename = set(P) | set(Q), {}
    for name in sorted(set(P) & set(Q)):
        k = 1
        while f"{name}_{k}" in taken:
            k += 1
        rename[name] = f"{name}_{k}"
        taken.add(rename[name])
    record = {**P, **{rename.get(k, k): v for k, v in Q.items()}}
    if q_values is None:
        return record
    return record, {**p_values, **{rename.get(k, k): v for k, v in q_values.items()}}


def _random_values(record, seed: int):
    leaves = inputs(cg.Ty(*jax.tree_util.tree_leaves(record)), seed)
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(record), leaves)


@settings(max_examples=N_NAMED)
@given(named_chain(3), seeds())
def test_named_composites_are_unions_and_evaluate_in_sequence(chain, seed):
    """``p >> q`` on named records: the union with ``q``'s clashes renamed, and ``to_jax(p >> q)`` on the
    union's values equals ``to_jax(q)`` after ``to_jax(p)`` on their own values (left-nested chains of 3)."""
    acc, acc_values = chain[0], _random_values(chain[0].param, seed)
    xs = inputs(acc.dom, seed + 1)
    want = cg.to_jax(acc)(acc_values, *xs)
    for i, q in enumerate(chain[1:]):
        q_values = _random_values(q.param, seed + 2 + i)
        want = cg.to_jax(q)(q_values, *want)
        record, values = union(acc.param, q.param, q_values, acc_values)
        acc = acc >> q
        assert acc.param == record, f"{acc.param} vs the union {record}"
        assert acc.wires == cg.Ty(*jax.tree_util.tree_leaves(record))
        acc_values = values
    assert len(set(paths(acc.param))) == len(paths(acc.param))
    got = cg.to_jax(acc)(acc_values, *xs)
    assert_close(got, want, TOL, f"named chain {chain}")
