"""Boolean layers against brute force: the one-hot basis, [RDA]'s lookup-table model and
pseudo-linear layer, the gate network; R against boolean differences / formal derivatives; one
step of reverse derivative ascent in closed form (p' = p + R_P) using only rdiff and to_jax."""
from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

import catgrad as cg
from catgrad.boolean import (Z2, gate_layer, gate_network, gf2_polys, lookup_table, one_hot_basis,
                             pseudo_linear, random_bits, table_forest, zeros)
from catgrad.boolean.layers import GATE_NAMES

RNG = np.random.default_rng(0)


def bitvecs(k):
    return np.array(list(itertools.product([0, 1], repeat=k)), dtype=bool).reshape(2 ** k, k)


def as_int(x):
    """Little-endian: bit i of the index is x[i]."""
    return int(sum(int(b) << i for i, b in enumerate(x)))


def rda_step_params(layer, params, x, y):
    """One RDA step by hand: p' = p + π_P R[f]((p, x), f(p, x) + y) (α = identity, loss ŷ + y).

    ``params`` is a tree shaped like ``layer.param``; the map and R take its leaves (the parameter wires)."""
    flat, tree = jax.tree_util.tree_flatten(params)
    f = cg.to_jax(layer.map)
    r = cg.to_jax(cg.rdiff(layer.map))
    (yhat,) = f(*flat, x)
    grads = r(*flat, x, jnp.logical_xor(yhat, y))
    return jax.tree_util.tree_unflatten(tree, [jnp.logical_xor(p, g) for p, g in zip(flat, grads[: len(flat)])])


# -- one-hot basis -----------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 3])
def test_one_hot_basis_against_brute_force(k):
    f = cg.to_jax(one_hot_basis(k))
    for x in bitvecs(k):
        (e,) = f(jnp.asarray(x))
        want = np.zeros(2 ** k, dtype=bool)
        want[as_int(x)] = True
        np.testing.assert_array_equal(e, want)


def test_one_hot_basis_polynomial_is_product_of_literals():
    x = sp.symbols("x0:2")
    (e,) = gf2_polys(one_hot_basis(2), [sp.Matrix(x)])
    lits = lambda b: [(xi if (b >> i) & 1 else xi + 1) for i, xi in enumerate(x)]  # noqa: E731
    for b in range(4):
        want = sp.Poly(sp.expand(lits(b)[0] * lits(b)[1]), *x, modulus=2)
        assert e[b] == want


# -- lookup table ---------------------------------------------------------------------------

@pytest.mark.parametrize("k,m", [(1, 1), (2, 3), (3, 2)])
def test_lookup_table_against_table(k, m):
    layer = lookup_table(k, m)
    assert layer.param == {"lut": {"table": Z2((m, 2 ** k))}} and layer.dom == Z2((k,)) and layer.cod == Z2((m,))
    f = jax.jit(cg.to_jax(layer.map))
    for _ in range(3):
        table = RNG.integers(0, 2, (m, 2 ** k)).astype(bool)
        for x in bitvecs(k):
            (y,) = f(jnp.asarray(table), jnp.asarray(x))
            np.testing.assert_array_equal(y, table[:, as_int(x)])


@pytest.mark.parametrize("k,m", [(2, 1), (2, 2)])
def test_lookup_table_rdiff_is_boolean_difference(k, m):
    """The circuit's polynomial is multilinear, so R equals the brute-force boolean difference in every
    input bit (the table bits and the x bits)."""
    layer = lookup_table(k, m)
    n_p = m * 2 ** k
    r = jax.jit(cg.to_jax(cg.rdiff(layer.map)))

    def f(pv, xv):
        return pv.reshape(m, 2 ** k)[:, as_int(xv)]

    for pv in bitvecs(n_p)[:: max(1, 2 ** n_p // 24)]:
        for xv in bitvecs(k):
            for dy in bitvecs(m):
                dp, dx = r(jnp.asarray(pv.reshape(m, 2 ** k)), jnp.asarray(xv), jnp.asarray(dy))
                y0 = f(pv, xv)
                want_p, want_x = [], []
                for i in range(n_p):
                    q = pv.copy()
                    q[i] ^= True
                    want_p.append(bool((np.logical_xor(y0, f(q, xv)) & dy).sum() % 2))
                for i in range(k):
                    z = xv.copy()
                    z[i] ^= True
                    want_x.append(bool((np.logical_xor(y0, f(pv, z)) & dy).sum() % 2))
                np.testing.assert_array_equal(np.asarray(dp).ravel(), want_p)
                np.testing.assert_array_equal(np.asarray(dx), want_x)


def test_lookup_table_rda_learns_any_function_in_one_pass():
    """From the zero table, an RDA step on (x, y) flips P[:, x] exactly where the prediction is wrong,
    so one pass over all inputs recovers any target table (closed form of [RDA] for this model)."""
    k, m = 3, 2
    layer = lookup_table(k, m)
    target = RNG.integers(0, 2, (m, 2 ** k)).astype(bool)
    params = layer.init(jax.random.PRNGKey(0))
    assert not np.asarray(params["lut"]["table"]).any()
    for x in bitvecs(k):
        params = rda_step_params(layer, params, jnp.asarray(x), jnp.asarray(target[:, as_int(x)]))
    np.testing.assert_array_equal(params["lut"]["table"], target)


def test_lookup_table_batched_update_is_xor_of_per_example_updates():
    k, m, n = 2, 2, 5
    layer = lookup_table(k, m)
    table = jnp.asarray(RNG.integers(0, 2, (m, 4)).astype(bool))
    xs = jnp.asarray(RNG.integers(0, 2, (n, k)).astype(bool))
    dys = jnp.asarray(RNG.integers(0, 2, (n, m)).astype(bool))
    rb = cg.to_jax(cg.rdiff(layer.batched(n).map))
    (dp_batch, _) = rb(table, xs, dys)
    r1 = cg.to_jax(cg.rdiff(layer.map))
    want = np.zeros((m, 4), dtype=bool)
    for i in range(n):
        want ^= np.asarray(r1(table, xs[i], dys[i])[0])
    np.testing.assert_array_equal(dp_batch, want)


# -- pseudo-linear layer ---------------------------------------------------------------------

def theta(p, x, ratio):
    return int((p & x).sum() <= p.sum() // ratio)


def test_pseudo_linear_against_brute_force():
    a, m, ratio = 6, 3, 2
    layer = pseudo_linear(a, m, ratio)
    f = jax.jit(cg.to_jax(layer.map))
    for _ in range(20):
        P = RNG.integers(0, 2, (m, a)).astype(bool)
        x = RNG.integers(0, 2, a).astype(bool)
        (y,) = f(jnp.asarray(P), jnp.asarray(x))
        np.testing.assert_array_equal(y, [theta(P[j], x, ratio) for j in range(m)])


def test_pseudo_linear_rdiff_is_boolean_difference():
    a, m, ratio = 5, 2, 4
    layer = pseudo_linear(a, m, ratio)
    r = jax.jit(cg.to_jax(cg.rdiff(layer.map)))
    for _ in range(20):
        P = RNG.integers(0, 2, (m, a)).astype(bool)
        x = RNG.integers(0, 2, a).astype(bool)
        dy = RNG.integers(0, 2, m).astype(bool)
        dP, dx = r(jnp.asarray(P), jnp.asarray(x), jnp.asarray(dy))
        y0 = np.array([theta(P[j], x, ratio) for j in range(m)])
        want_P = np.zeros((m, a), dtype=bool)
        want_x = np.zeros(a, dtype=int)
        for j in range(m):
            for i in range(a):
                q = P[j].copy()
                q[i] ^= True
                want_P[j, i] = (y0[j] ^ theta(q, x, ratio)) & dy[j]
                z = x.copy()
                z[i] ^= True
                want_x[i] ^= (y0[j] ^ theta(P[j], z, ratio)) & dy[j]
        np.testing.assert_array_equal(dP, want_P)
        np.testing.assert_array_equal(dx, want_x.astype(bool))


def test_pseudo_linear_zero_mask_outputs_one_and_first_rda_step_copies_the_input():
    """With mask 0 every unit outputs 1; flipping pᵢ gives [xᵢ ≤ 0], so the boolean difference is x and
    an RDA step on a wrong prediction (y = 0) sets the mask to x."""
    a = 8
    layer = pseudo_linear(a, 1, 4)
    params = layer.init(jax.random.PRNGKey(0))
    x = jnp.asarray(RNG.integers(0, 2, a).astype(bool))
    assert bool(cg.to_jax(layer)(params, x)[0][0])
    mask = rda_step_params(layer, params, x, jnp.array([False]))["pseudo_linear"]["mask"]
    np.testing.assert_array_equal(mask[0], x)


# -- gate layers -----------------------------------------------------------------------------

def gate_ref(A, B, c, x):
    u = (A.astype(int) @ x.astype(int)) % 2
    v = (B.astype(int) @ x.astype(int)) % 2
    c0, c1, c2, c3 = (ci.astype(int) for ci in c)
    return ((c0 + c1 * u + c2 * v + c3 * u * v) % 2).astype(bool)


def test_gate_layer_against_reference():
    a, h = 4, 3
    layer = gate_layer(a, h)
    assert cg.record.paths(layer.param) == tuple(f"gates.{n}" for n in GATE_NAMES)
    f = jax.jit(cg.to_jax(layer))
    for s in range(10):
        params = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(layer.param),
                                              random_bits(jax.random.PRNGKey(s), layer.wires))
        for x in bitvecs(a)[::3]:
            (y,) = f(params, jnp.asarray(x))
            p = {n: np.asarray(t) for n, t in params["gates"].items()}
            np.testing.assert_array_equal(y, gate_ref(p["A"], p["B"], [p[c] for c in GATE_NAMES[2:]], x))


def test_gate_layer_realises_all_sixteen_gates():
    layer = gate_layer(2, 1)
    f = cg.to_jax(layer.map)
    A, B = jnp.array([[True, False]]), jnp.array([[False, True]])
    tables = set()
    for c in bitvecs(4):
        cs = [jnp.array([ci]) for ci in c]
        tables.add(tuple(bool(f(A, B, *cs, jnp.asarray(x))[0][0]) for x in bitvecs(2)))
    assert len(tables) == 16


def test_gate_layer_rdiff_is_formal_derivative():
    """Not multilinear in general (u·v shares x), so the oracle is the formal derivative over GF(2)."""
    layer = gate_layer(2, 1)
    f = layer.map
    names = [sp.symbols("a0:2"), sp.symbols("b0:2"), *[sp.Symbol(f"c{i}") for i in range(4)], sp.symbols("x0:2")]
    A, B, (x0, x1) = names[0], names[1], names[-1]
    c0, c1, c2, c3 = names[2:6]
    u, v = A[0] * x0 + A[1] * x1, B[0] * x0 + B[1] * x1
    d = sp.Symbol("d")
    flat = [*A, *B, c0, c1, c2, c3, x0, x1]
    gens = flat + [d]
    poly = sp.Poly(sp.expand(c0 + c1 * u + c2 * v + c3 * u * v), *gens, modulus=2)
    inputs = [sp.Matrix([A]), sp.Matrix([B]), sp.Matrix([c0]), sp.Matrix([c1]), sp.Matrix([c2]), sp.Matrix([c3]),
              sp.Matrix([x0, x1])]
    (got_f,) = gf2_polys(f, inputs)
    assert sp.Poly(got_f.ravel()[0].as_expr(), *gens, modulus=2) == poly
    got = [e for arr in gf2_polys(cg.rdiff(f), inputs + [sp.Matrix([d])]) for e in arr.ravel()]
    want = [poly.diff(s) * sp.Poly(d, *gens, modulus=2) for s in flat]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert sp.Poly(g.as_expr(), *gens, modulus=2) == w


def test_gate_layer_init_masks_are_one_hot_and_distinct():
    layer = gate_layer(5, 7)
    p = layer.init(jax.random.PRNGKey(3))["gates"]
    A, B = p["A"], p["B"]
    np.testing.assert_array_equal(np.asarray(A).sum(1), 1)
    np.testing.assert_array_equal(np.asarray(B).sum(1), 1)
    assert not (np.asarray(A) & np.asarray(B)).any()


def test_gate_network_composes_layers():
    net = gate_network([4, 3, 2])
    assert net.dom == Z2((4,)) and net.cod == Z2((2,))
    assert len(net.wires) == 12 and len(set(cg.record.paths(net.param))) == 12
    assert set(net.param) == {"gates1", "gates2"}
    params = net.init(jax.random.PRNGKey(1))
    flat = jax.tree_util.tree_leaves(params)  # the parameter wires, in the record's order
    l1, l2 = params["gates1"], params["gates2"]
    f = jax.jit(cg.to_jax(net))
    for x in bitvecs(4):
        (y,) = f(params, jnp.asarray(x))
        h = gate_ref(np.asarray(l1["A"]), np.asarray(l1["B"]), [np.asarray(l1[c]) for c in GATE_NAMES[2:]], x)
        want = gate_ref(np.asarray(l2["A"]), np.asarray(l2["B"]), [np.asarray(l2[c]) for c in GATE_NAMES[2:]], h)
        np.testing.assert_array_equal(y, want)
    # R of the whole network is a diagram of the same generators, compiled once
    r = cg.compile(cg.rdiff(net.map))
    out = r(*flat, jnp.ones(4, bool), jnp.ones(2, bool))
    assert [o.shape for o in out] == [t.shape for t in net.map.dom]


# -- table forest -------------------------------------------------------------------------

FOREST_TUPLES = np.array([[0, 1], [1, 2], [2, 0], [0, 2]])  # 4 leaves on 3 input bits, 2 trees of 2 leaves


def forest_ref(leaves, roots, x, tuples=FOREST_TUPLES, fan_in=2):
    """By hand: leaf i looks up entry (little-endian index of x[tuples[i]]), root t entry of its leaves' bits."""
    h = np.array([leaves[i, as_int(x[t])] for i, t in enumerate(tuples)])
    groups = h.reshape(-1, fan_in)
    return np.stack([roots[t, :, as_int(g)] for t, g in enumerate(groups)])


def test_table_forest_against_reference_and_brute_force_derivative():
    """The forest's map against a by-hand evaluation; its reverse derivative in the parameters against the
    brute-force boolean difference (exact: each parameter bit enters the polynomial at most linearly)."""
    forest = table_forest(3, FOREST_TUPLES, fan_in=2, c=2)
    assert cg.record.paths(forest.param) == ("forest.leaves", "forest.roots")
    assert forest.param == {"forest": {"leaves": Z2((4, 4)), "roots": Z2((2, 2, 4))}} and forest.cod == Z2((2, 2))
    f = jax.jit(cg.to_jax(forest))
    r = jax.jit(cg.to_jax(cg.rdiff(forest.map)))  # wires: leaves, roots (the paths' order), x, d
    for s in range(4):
        leaves, roots = (np.asarray(a) for a in random_bits(jax.random.PRNGKey(s), forest.wires))
        for x in bitvecs(3):
            (y,) = f({"forest": {"leaves": leaves, "roots": roots}}, x)
            want = forest_ref(leaves, roots, x)
            np.testing.assert_array_equal(y, want)
            d = RNG.integers(0, 2, want.shape).astype(bool)
            got_l, got_r = r(leaves, roots, x, d)[:2]
            for got, which in ((got_l, 0), (got_r, 1)):
                diff = np.zeros(got.shape, bool)
                for idx in np.ndindex(got.shape):
                    ps = [leaves.copy(), roots.copy()]
                    ps[which][idx] ^= True
                    diff[idx] = np.logical_xor(forest_ref(*ps, x), want)[d].sum() % 2
                np.testing.assert_array_equal(got, diff)


def test_table_forest_init_and_bad_fan_in():
    forest = table_forest(3, FOREST_TUPLES, fan_in=2, c=1)
    p = forest.init(jax.random.PRNGKey(0))["forest"]
    leaves, roots = p["leaves"], p["roots"]
    assert np.asarray(leaves).any() and not np.asarray(roots).any()  # random leaves, zero roots
    with pytest.raises(ValueError, match="fan_in must be a positive int dividing the 4 leaves"):
        table_forest(3, FOREST_TUPLES, fan_in=3)
    with pytest.raises(ValueError, match=r"tuple entries must lie in 0\.\.2"):
        table_forest(3, FOREST_TUPLES + 1, fan_in=2)


def test_zeros_and_bad_sizes():
    z = zeros(lookup_table(2, 2).param)
    assert jax.tree_util.tree_structure(z) == jax.tree_util.tree_structure({"lut": {"table": 0}})
    assert all(not np.asarray(t).any() for t in jax.tree_util.tree_leaves(z))
    with pytest.raises(TypeError, match="positive int"):
        lookup_table(0)
    with pytest.raises(TypeError, match="positive int"):
        pseudo_linear(3, 1, ratio=0)
    with pytest.raises(TypeError, match="at least"):
        gate_network([3])
    with pytest.raises(TypeError, match="Z2 vector"):
        cg.trace(lambda x: one_hot_basis(x), cg.Array((2,)))
