"""Z2 circuits: generators and random composites against brute force, R against the formal derivative
over GF(2), RD.1–RD.7 as exact GF(2) polynomial identities, the x·x discrepancy, bad input.

Oracles, independent of catgrad: a pure-Python evaluation of each circuit (``&``, ``^`` on ints), and
the circuit's polynomial built alongside it with ``sympy.Poly(..., modulus=2)``, whose formal
derivative (``Poly.diff``) is the oracle for ``R``.
"""
from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings, strategies as st

import catgrad as cg
from catgrad.boolean import (Z2, and_, bits, check_binary, compile_z2, gf2_polys, not_, one, or_, threshold,
                             to_gf2, xor, z2_zero)
from catgrad.errors import NotDifferentiableError, SemanticsError

S = Z2(())
V = Z2((2,))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- helpers -----------------------------------------------------------------------

def all_points(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.int64).reshape(2 ** n, n)


def split_flat(point, ty) -> list:
    """Flat bits → one bool array per wire of ``ty``."""
    out, k = [], 0
    for t in ty:
        out.append(np.asarray(point[k:k + t.size], dtype=bool).reshape(t.shape))
        k += t.size
    return out


def run_all(f: cg.Diagram) -> tuple[np.ndarray, np.ndarray]:
    """Every input point of ``f`` and its JAX outputs, flattened to bits (vmapped)."""
    n = sum(t.size for t in f.dom)
    pts = all_points(n)
    cols, k = [], 0
    for t in f.dom:
        cols.append(jnp.asarray(pts[:, k:k + t.size].astype(bool).reshape((len(pts), *t.shape))))
        k += t.size
    outs = jax.vmap(cg.to_jax(f))(*cols) if cols else tuple(o[None] for o in cg.to_jax(f)())
    flat = np.concatenate([np.asarray(o).reshape(len(pts), -1) for o in outs], axis=1) if outs else np.zeros((len(pts), 0))
    return pts, flat.astype(np.int64)


def flat_syms(prefix: str, ty) -> tuple[list, list]:
    """Symbols for each bit of ``ty``: (flat list of symbols, per-wire sympy objects for to_gf2)."""
    flat, per_wire = [], []
    for i, t in enumerate(ty):
        names = [sp.Symbol(f"{prefix}{i}_{j}") for j in range(t.size)]
        flat += names
        per_wire.append(names[0] if t.shape == () else sp.Matrix(names) if t.ndim == 1 else
                        sp.Array(np.array(names, dtype=object).reshape(t.shape).tolist()))
    return flat, per_wire


def polys_flat(f: cg.Diagram, inputs) -> list:
    return [e for arr in gf2_polys(f, inputs) for e in arr.ravel()]


def same_poly(p, q, gens) -> bool:
    a = p.as_expr() if isinstance(p, sp.Poly) else sp.sympify(p)
    b = q.as_expr() if isinstance(q, sp.Poly) else sp.sympify(q)
    return sp.Poly(sp.expand(a - b), *gens, modulus=2).is_zero


def eval_poly(e, point: dict) -> int:
    return int(sp.Poly(sp.sympify(e), *sorted(point, key=str), modulus=2).eval(point)) % 2 if point else int(e) % 2


# -- a random Z2 circuit, built three ways at once -----------------------------------

class Circuit:
    """A random circuit: the catgrad diagram, its GF(2) polynomials and a Python evaluator."""

    def __init__(self, n_in: int, ops: list, outs: list):
        self.n_in = n_in
        self.syms = [sp.Symbol(f"x{i}") for i in range(n_in)]
        self.ops, self.outs = ops, outs
        # each pool entry: (kind 's' or 'v', polys: list of sympy Poly, eval: fn(bits) -> list of ints)
        pool = [("s", [self._poly(s)], (lambda i: lambda b: [b[i]])(i)) for i, s in enumerate(self.syms)]
        for op in ops:
            pool.append(self._apply_spec(pool, op))
        self.pool = pool
        self.out_entries = [pool[o] for o in outs]
        self.diagram = cg.trace(self._build, *([S] * n_in))

    def _poly(self, e):
        return sp.Poly(e, *self.syms, modulus=2) if self.syms else sp.Poly(e, sp.Symbol("_d"), modulus=2)

    def _apply_spec(self, pool, op):
        kind = op[0]
        P = self._poly
        if kind in ("and", "xor", "or"):
            (ka, pa, ea), (_, pb, eb) = pool[op[1]], pool[op[2]]
            g = {"and": lambda a, b: a * b, "xor": lambda a, b: a + b, "or": lambda a, b: a + b + a * b}[kind]
            h = {"and": lambda a, b: a & b, "xor": lambda a, b: a ^ b, "or": lambda a, b: a | b}[kind]
            return (ka, [g(a, b) for a, b in zip(pa, pb)], lambda bb: [h(a, b) for a, b in zip(ea(bb), eb(bb))])
        if kind == "not":
            ka, pa, ea = pool[op[1]]
            return (ka, [a + P(1) for a in pa], lambda bb: [1 - a for a in ea(bb)])
        if kind in ("one", "zero"):
            v = 1 if kind == "one" else 0
            return ("s", [P(v)], lambda bb: [v])
        if kind == "bcast":
            _, pa, ea = pool[op[1]]
            return ("v", pa * 2, lambda bb: ea(bb) * 2)
        if kind == "sum":
            _, pa, ea = pool[op[1]]
            return ("s", [pa[0] + pa[1]], lambda bb: [ea(bb)[0] ^ ea(bb)[1]])
        if kind == "vconst":
            c = list(op[1])
            return ("v", [P(c[0]), P(c[1])], lambda bb: list(c))
        raise AssertionError(kind)

    def _build(self, *xs):
        ws = list(xs)
        for op in self.ops:
            kind = op[0]
            if kind == "and":
                ws.append(and_(ws[op[1]], ws[op[2]]))
            elif kind == "xor":
                ws.append(xor(ws[op[1]], ws[op[2]]))
            elif kind == "or":
                ws.append(or_(ws[op[1]], ws[op[2]]))
            elif kind == "not":
                ws.append(not_(ws[op[1]]))
            elif kind in ("one", "zero"):
                ws.append(cg.apply(kind, into=xs[0].builder, type=S))
            elif kind == "bcast":
                ws.append(cg.broadcast(ws[op[1]], shape=(2,), axes=(0,)))
            elif kind == "sum":
                ws.append(cg.sum(ws[op[1]], axes=(0,)))
            elif kind == "vconst":
                ws.append(cg.apply("constant", into=xs[0].builder, type=V, value=np.array(op[1], dtype=bool)))
        return tuple(ws[o] for o in self.outs)

    # flattened views
    @property
    def out_polys(self) -> list:
        return [p for e in self.out_entries for p in e[1]]

    def evaluate(self, b) -> list:
        return [v for e in self.out_entries for v in e[2](list(b))]


@st.composite
def circuits(draw, n_in=None, n_out=None, scalar_out=False, max_ops=6):
    n_in = draw(st.integers(1, 3)) if n_in is None else n_in
    kinds = ["s"] * n_in
    ops = []
    for _ in range(draw(st.integers(1, max_ops))):
        s_idx = [i for i, k in enumerate(kinds) if k == "s"]
        v_idx = [i for i, k in enumerate(kinds) if k == "v"]
        choices = ["and"] * 4 + ["xor"] * 2 + ["or", "not", "one", "zero", "bcast", "vconst"] + (["sum"] * 2 if v_idx else [])
        kind = draw(st.sampled_from(choices))
        if kind in ("and", "xor", "or"):
            pool = draw(st.sampled_from([s_idx, v_idx] if v_idx else [s_idx]))
            a, b = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))
            ops.append((kind, a, b))
            kinds.append(kinds[a])
        elif kind == "not":
            a = draw(st.integers(0, len(kinds) - 1))
            ops.append((kind, a))
            kinds.append(kinds[a])
        elif kind in ("one", "zero"):
            ops.append((kind,))
            kinds.append("s")
        elif kind == "bcast":
            ops.append((kind, draw(st.sampled_from(s_idx))))
            kinds.append("v")
        elif kind == "sum":
            ops.append((kind, draw(st.sampled_from(v_idx))))
            kinds.append("s")
        else:
            ops.append((kind, tuple(draw(st.lists(st.integers(0, 1), min_size=2, max_size=2)))))
            kinds.append("v")
    allowed = [i for i, k in enumerate(kinds) if k == "s"] if scalar_out else list(range(len(kinds)))
    n_out = draw(st.integers(1, 2)) if n_out is None else n_out
    # the first output is the newest allowed wire (so the circuit is rarely trivial), the others any
    outs = [allowed[-1]] + [draw(st.sampled_from(allowed)) for _ in range(n_out - 1)]
    return Circuit(n_in, ops, outs)


def formal_rdiff(polys: list, xs: list, dys: list) -> list:
    """``R[f](x, dy)ᵢ = Σⱼ ∂fⱼ/∂xᵢ · dyⱼ`` over GF(2), from the polynomials (the oracle)."""
    gens = list(xs) + list(dys)
    return [sum((sp.Poly(p.as_expr(), *gens, modulus=2).diff(x) * sp.Poly(d, *gens, modulus=2)
                 for p, d in zip(polys, dys)), sp.Poly(0, *gens, modulus=2)) for x in xs]


def is_multilinear(polys) -> bool:
    return all(max((max(m) for m in p.monoms()), default=0) <= 1 for p in polys)


# -- every generator against brute force -------------------------------------------------

GATES = [
    ("and", lambda: and_(S), lambda x, y: [x & y]),
    ("xor", lambda: xor(S), lambda x, y: [x ^ y]),
    ("or", lambda: or_(S), lambda x, y: [x | y]),
    ("not", lambda: not_(S), lambda x: [1 - x]),
    ("one", lambda: one(S), lambda: [1]),
    ("zero", lambda: z2_zero(S), lambda: [0]),
    ("bits", lambda: bits(2, [1, 0]), lambda: [1, 0]),
    ("sum", lambda: cg.sum(Z2((3,)), axes=(0,)), lambda a, b, c: [a ^ b ^ c]),
    ("copy", lambda: cg.copy(S), lambda x: [x, x]),
    ("discard", lambda: cg.discard(S), lambda x: []),
    ("vector and", lambda: and_(Z2((2,))), lambda a, b, c, d: [a & c, b & d]),
]


@pytest.mark.parametrize("name,make,truth", GATES, ids=[g[0] for g in GATES])
def test_generator_jax_and_gf2_against_truth_table(name, make, truth):
    f = make()
    pts, out = run_all(f)
    want = np.array([truth(*p) for p in pts], dtype=np.int64).reshape(len(pts), -1)
    np.testing.assert_array_equal(out, want)
    xs, per_wire = flat_syms("x", f.dom)
    polys = polys_flat(f, per_wire)
    for p, o in zip(pts, want):
        point = dict(zip(xs, (int(v) for v in p)))
        assert [eval_poly(q.as_expr(), point) if xs else int(q.as_expr()) % 2 for q in polys] == list(o)


@pytest.mark.parametrize("name,make,truth", [g for g in GATES if g[0] not in ("one", "zero", "bits")],
                         ids=[g[0] for g in GATES if g[0] not in ("one", "zero", "bits")])
def test_generator_rdiff_is_the_formal_derivative(name, make, truth):
    f = make()
    xs, xw = flat_syms("x", f.dom)
    ds, dw = flat_syms("d", f.cod)
    want = formal_rdiff(polys_flat(f, xw), xs, ds)
    got = polys_flat(cg.rdiff(f), xw + dw)
    assert len(got) == len(want)
    assert all(same_poly(a, b, xs + ds) for a, b in zip(got, want))


def test_generator_rules_as_stated():
    x, y, d = sp.symbols("x y d")
    assert to_gf2(cg.rdiff(and_(S)), [x, y, d]) == (y * d, x * d)
    assert to_gf2(cg.rdiff(xor(S)), [x, y, d]) == (d, d)
    assert to_gf2(cg.rdiff(cg.copy(S)), [x, y, d]) == (y + d,)
    assert cg.rdiff(one(S)).cod == cg.Ty() and cg.rdiff(z2_zero(S)).cod == cg.Ty()
    assert to_gf2(cg.rdiff(cg.discard(S)), [x]) == (0,)
    assert to_gf2(or_(S), [x, y]) == (x * y + x + y,)
    assert to_gf2(not_(S), [x]) == (x + 1,)


def test_nullary_rdiff_is_discard():
    for g in (one(S), z2_zero(S), bits(2, [0, 1])):
        r = cg.rdiff(g)
        assert r.dom == g.cod and r.cod == cg.Ty() and r.size == 0


def test_xor_is_add():
    assert xor(S).ops[0].gen is cg.lookup("add")
    assert cg.to_jax(cg.add(S))(True, True) == (False,)


def test_jax_meaning_on_uint8_data_via_check_binary():
    f = compile_z2(and_(Z2((3,))))
    a = np.array([1, 1, 0], np.uint8)
    b = np.array([1, 0, 1], np.uint8)
    np.testing.assert_array_equal(f(a, b)[0], [True, False, False])


def test_jax_meaning_on_uint8_data_in_to_jax():
    """Outside jit, to_jax reads 0/1 integer arrays (uint8, int) on Z2 wires as bool, for a circuit and its
    reverse derivative; the bitwise results agree with numpy's on every input pair."""
    f = cg.to_jax(and_(Z2((4,))))
    r = cg.to_jax(cg.rdiff(and_(Z2((4,)))))
    a = np.array([0, 0, 1, 1], np.uint8)
    b = np.array([0, 1, 0, 1], np.uint8)
    (y,) = f(a, b)
    assert y.dtype == np.bool_
    np.testing.assert_array_equal(y, (a & b).astype(bool))
    d = np.array([1, 1, 1, 0], np.int32)
    da, db = r(a, b, d)
    np.testing.assert_array_equal(da, (b & d).astype(bool))  # R[and](x, y, d) = (y·d, x·d)
    np.testing.assert_array_equal(db, (a & d).astype(bool))


def test_uint8_data_that_is_not_binary_or_is_traced_is_refused():
    f = cg.to_jax(and_(Z2((3,))))
    with pytest.raises(ValueError, match=r"argument 1 \(bool\[3\]\) is not binary data: entry \(2,\) is 7"):
        f(np.ones(3, np.uint8), np.array([1, 0, 7], np.uint8))
    with pytest.raises(ValueError, match=r"argument 0 \(bool\[\]\) is not binary data: entry \(\) is 2"):
        cg.to_jax(and_(S))(2, 1)
    with pytest.raises(TypeError, match=r"argument 0 \(bool\[3\]\): check_binary needs concrete data, got a "
                                        r"traced value of dtype uint8"):
        cg.compile(and_(Z2((3,))))(np.ones(3, np.uint8), np.ones(3, np.uint8))


# -- random circuits -------------------------------------------------------------------

@SETTINGS
@given(circuits())
def test_random_circuit_jax_and_polynomial_against_enumeration(c):
    pts, out = run_all(c.diagram)
    for p, o in zip(pts, out):
        point = dict(zip(c.syms, (int(v) for v in p)))
        assert list(o) == c.evaluate(p)
        assert list(o) == [int(q.eval(point)) % 2 if q.gens != (sp.Symbol("_d"),) else int(q.as_expr()) % 2
                           for q in c.out_polys]
    got = polys_flat(c.diagram, c.syms)
    assert all(same_poly(a, b, c.syms) for a, b in zip(got, c.out_polys))


@SETTINGS
@given(circuits())
def test_random_circuit_rdiff_is_formal_derivative(c):
    f = c.diagram
    ds, dw = flat_syms("d", f.cod)
    want = formal_rdiff(c.out_polys, c.syms, ds)
    r = cg.rdiff(f)
    got = polys_flat(r, list(c.syms) + dw)
    assert all(same_poly(a, b, list(c.syms) + ds) for a, b in zip(got, want))
    # the JAX meaning of R[f] at every point is the formal derivative's value there
    pts, out = run_all(r)
    for p, o in zip(pts, out):
        point = dict(zip(list(c.syms) + ds, (int(v) for v in p)))
        assert list(o) == [int(w.eval(point)) % 2 for w in want]


@SETTINGS
@given(circuits())
def test_random_multilinear_circuit_rdiff_is_boolean_difference(c):
    """Where the polynomial is multilinear, R[f](x, dy)ᵢ = Σⱼ (fⱼ(x) + fⱼ(x + eᵢ))·dyⱼ (brute force)."""
    if not is_multilinear(c.out_polys):
        return
    pts, out = run_all(cg.rdiff(c.diagram))
    n = c.n_in
    for p, o in zip(pts, out):
        x, dy = list(p[:n]), list(p[n:])
        fx = c.evaluate(x)
        want = []
        for i in range(n):
            xi = list(x)
            xi[i] ^= 1
            want.append(sum((a ^ b) & d for a, b, d in zip(fx, c.evaluate(xi), dy)) % 2)
        assert list(o) == want


def test_square_formal_derivative_differs_from_boolean_difference():
    """x·x: the polynomial is x², whose formal derivative 2x = 0, so R[x·x](x, dy) = 0; the boolean
    difference of the *function* x ↦ x·x = x is 1, which would give dy. rdiff is the formal derivative."""
    sq = cg.copy(S) >> and_(S)
    x, d = sp.symbols("x d")
    assert to_gf2(sq, [x]) == (x ** 2,)
    assert to_gf2(cg.rdiff(sq), [x, d]) == (0,)
    pts, out = run_all(cg.rdiff(sq))
    assert (out == 0).all()
    boolean_difference = [((xv & xv) ^ ((1 - xv) & (1 - xv))) & dv for xv, dv in pts]
    assert boolean_difference == [dv for _, dv in pts]  # = dy
    assert boolean_difference != list(out[:, 0])


# -- RD.1–RD.7 as polynomial identities over GF(2) -----------------------------------------

def check_same(lhs: cg.Diagram, rhs: cg.Diagram):
    assert lhs.dom == rhs.dom and lhs.cod == rhs.cod, (lhs.dom, rhs.dom, lhs.cod, rhs.cod)
    xs, xw = flat_syms("v", lhs.dom)
    a, b = polys_flat(lhs, xw), polys_flat(rhs, xw)
    gens = xs or [sp.Symbol("_d")]
    assert len(a) == len(b)
    for p, q in zip(a, b):
        assert same_poly(p, q, gens), (p, q)


def _call(d, *ws):
    r = d(*ws)
    return (r,) if isinstance(r, cg.Wire) else tuple(r)


def plus(f, g):
    return cg.trace(lambda *xs: tuple(a + b for a, b in zip(_call(f, *xs), _call(g, *xs))), f.dom)


def zero_map(A, B):
    return cg.discard(A) >> z2_zero(B)


def zeros_in(w, ty):
    return [cg.apply("zero", into=w.builder, type=t) for t in ty]


@SETTINGS
@given(st.data())
def test_RD1_additivity(data):
    n_in, n_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2))
    f = data.draw(circuits(n_in, n_out, scalar_out=True)).diagram
    g = data.draw(circuits(n_in, n_out, scalar_out=True)).diagram
    check_same(cg.rdiff(plus(f, g)), plus(cg.rdiff(f), cg.rdiff(g)))
    check_same(cg.rdiff(zero_map(f.dom, f.cod)), zero_map(f.dom @ f.cod, f.dom))


@SETTINGS
@given(circuits(scalar_out=True))
def test_RD2_linearity_in_the_cotangent(c):
    f = c.diagram
    R = cg.rdiff(f)
    A, B = f.dom, f.cod
    na, nb = len(A), len(B)
    lhs = cg.trace(lambda *w: _call(R, *w[:na], *(b + cc for b, cc in zip(w[na:na + nb], w[na + nb:]))), A @ B @ B)
    rhs = cg.trace(lambda *w: tuple(p + q for p, q in zip(_call(R, *w[:na + nb]), _call(R, *w[:na], *w[na + nb:]))),
                   A @ B @ B)
    check_same(lhs, rhs)
    check_same(cg.trace(lambda *w: _call(R, *w, *zeros_in(w[0], B)), A), zero_map(A, A))


@pytest.mark.parametrize("A,B", [(S, S), (S @ V, S), (V, S @ S)])
def test_RD3_structure(A, B):
    A, B = cg.Ty() @ A, cg.Ty() @ B
    na, nb = len(A), len(B)
    check_same(cg.rdiff(cg.identity(A)), cg.proj(A, A, 1))
    iota0 = lambda w, tys: (*w, *zeros_in(w[0], tys))  # noqa: E731
    check_same(cg.rdiff(cg.proj(A, B, 0)), cg.trace(lambda *w: iota0(w[na + nb:], B), A @ B @ A))
    check_same(cg.rdiff(cg.proj(A, B, 1)),
               cg.trace(lambda *w: (*zeros_in(w[0], A), *w[na + nb:]), A @ B @ B))


@SETTINGS
@given(st.data())
def test_RD4_pairing_and_discard(data):
    n_in = data.draw(st.integers(1, 3))
    f = data.draw(circuits(n_in, scalar_out=True)).diagram
    g = data.draw(circuits(n_in, scalar_out=True)).diagram
    A, nf = f.dom, len(f.cod)
    na = len(A)
    Rf, Rg = cg.rdiff(f), cg.rdiff(g)
    rhs = cg.trace(lambda *w: tuple(p + q for p, q in zip(_call(Rf, *w[:na], *w[na:na + nf]),
                                                            _call(Rg, *w[:na], *w[na + nf:]))), A @ f.cod @ g.cod)
    check_same(cg.rdiff(cg.pair(f, g)), rhs)
    check_same(cg.rdiff(cg.discard(A)), zero_map(A, A))


@SETTINGS
@given(st.data())
def test_RD5_chain_rule(data):
    mid = data.draw(st.integers(1, 2))
    f = data.draw(circuits(n_out=mid, scalar_out=True)).diagram
    g = data.draw(circuits(n_in=mid)).diagram
    Rf, Rg = cg.rdiff(f), cg.rdiff(g)
    na = len(f.dom)
    rhs = cg.trace(lambda *w: _call(Rf, *w[:na], *_call(Rg, *_call(f, *w[:na]), *w[na:])), f.dom @ g.cod)
    check_same(cg.rdiff(f >> g), rhs)


@SETTINGS
@given(circuits(max_ops=4, scalar_out=True))
def test_RD6_derivative_linear_in_second_argument(c):
    """⟨1 × π₀, 0 × π₁⟩ ; (ι₀ × 1) ; R[R[R[f]]] ; π₁ = (1 × π₁) ; R[f]: domain A × (B × B)."""
    f = c.diagram
    A, B = f.dom, f.cod
    na, nb = len(A), len(B)
    R3 = cg.rdiff(cg.rdiff(cg.rdiff(f)))

    def lhs(*w):
        a, b, cc = w[:na], w[na:na + nb], w[na + nb:]
        out = _call(R3, *a, *b, *zeros_in(w[0], A), *zeros_in(w[0], A), *cc)  # (((a, b), 0), (0, c))
        return out[na + nb:]  # π₁: the A component

    rhs = cg.trace(lambda *w: _call(cg.rdiff(f), *w[:na], *w[na + nb:]), A @ B @ B)
    check_same(cg.trace(lhs, A @ B @ B), rhs)


@SETTINGS
@given(circuits(max_ops=4, scalar_out=True))
def test_RD7_symmetry_of_mixed_partials(c):
    """(ι₀ × 1) ; R[R[g]] ; π₁ = ex ; (ι₀ × 1) ; R[R[g]] ; π₁ with g = (ι₀ × 1) ; R[R[f]] ; π₁: A × A → B."""
    f = c.diagram
    A, B = f.dom, f.cod
    na = len(A)
    RRf = cg.rdiff(cg.rdiff(f))
    g = cg.trace(lambda *w: _call(RRf, *w[:na], *zeros_in(w[0], B), *w[na:])[na:], A @ A)
    RRg = cg.rdiff(cg.rdiff(g))

    def side(order):
        def fn(*w):
            a, b, cc, d = (w[i * na:(i + 1) * na] for i in range(4))
            (p, q), (r, s) = order((a, b), (cc, d))
            return _call(RRg, *p, *q, *zeros_in(w[0], B), *r, *s)[2 * na:]
        return cg.trace(fn, A @ A @ A @ A)

    check_same(side(lambda ab, cd: (ab, cd)), side(lambda ab, cd: ((ab[0], cd[0]), (ab[1], cd[1]))))


def test_RD7_meaning_forward_derivative_from_R_twice():
    """g = (ι₀ × 1) ; R[R[f]] ; π₁ is the forward derivative Σᵢ ∂f/∂aᵢ·bᵢ (formal), whose own mixed
    second derivative is then symmetric (RD.7 above)."""
    f = cg.trace(lambda x, y, z: (and_(and_(x, y), z) + and_(x, x),), S, S, S)
    A, B = f.dom, f.cod
    RRf = cg.rdiff(cg.rdiff(f))
    g = cg.trace(lambda *w: _call(RRf, *w[:3], *zeros_in(w[0], B), *w[3:])[3:], A @ A)
    a = sp.symbols("a0:3")
    b = sp.symbols("b0:3")
    fa = sp.Poly(a[0] * a[1] * a[2] + a[0] ** 2, *a, *b, modulus=2)
    want = sum((fa.diff(ai) * sp.Poly(bi, *a, *b, modulus=2) for ai, bi in zip(a, b)), sp.Poly(0, *a, *b, modulus=2))
    (got,) = polys_flat(g, list(a) + list(b))
    assert same_poly(got, want, list(a) + list(b))


# -- the pseudo-linear unit ------------------------------------------------------------

def _theta(p, x, ratio):
    return int(sum(a & b for a, b in zip(p, x)) <= sum(p) // ratio)


@pytest.mark.parametrize("a,ratio", [(1, 1), (2, 2), (3, 4), (3, 1)])
def test_threshold_against_brute_force(a, ratio):
    f = threshold(Z2((a,)), ratio=ratio)
    pts, out = run_all(f)
    assert list(out[:, 0]) == [_theta(p[:a], p[a:], ratio) for p in pts]
    xs, xw = flat_syms("x", f.dom)
    (poly,) = polys_flat(f, xw)
    assert is_multilinear([poly])
    for p in pts[:: max(1, len(pts) // 16)]:
        assert int(poly.eval(dict(zip(xs, (int(v) for v in p))))) % 2 == _theta(p[:a], p[a:], ratio)
    # R is the boolean difference (the polynomial is multilinear)
    pts, out = run_all(cg.rdiff(f))
    for p, o in zip(pts, out):
        v, d = list(p[:2 * a]), p[-1]
        want = []
        for i in range(2 * a):
            w = list(v)
            w[i] ^= 1
            want.append((_theta(v[:a], v[a:], ratio) ^ _theta(w[:a], w[a:], ratio)) & d)
        assert list(o) == want
    # and the formal derivative of its polynomial
    ds, dw = flat_syms("d", f.cod)
    want = formal_rdiff([poly], xs, ds)
    got = polys_flat(cg.rdiff(f), xw + dw)
    assert all(same_poly(g_, w_, xs + ds) for g_, w_ in zip(got, want))


def test_threshold_leading_axes_are_independent_units():
    f = cg.to_jax(threshold(Z2((2, 3)), ratio=2))
    p = jnp.array([[1, 1, 0], [0, 0, 0]], bool)
    x = jnp.array([[1, 1, 1], [1, 1, 1]], bool)
    # unit 0: #(p∧x) = 2 > #p // 2 = 1; unit 1: 0 ≤ 0
    np.testing.assert_array_equal(f(p, x)[0], [False, True])


# -- bad input ---------------------------------------------------------------------------

def test_smooth_generator_rejects_z2_wires():
    with pytest.raises(TypeError, match="catgrad.boolean"):
        cg.exp(S)
    with pytest.raises(TypeError, match="bool"):
        cg.mul(S)


def test_z2_gates_reject_float_wires():
    F = cg.Array(())
    with pytest.raises(TypeError, match="Z2 wires"):
        and_(F)
    with pytest.raises(TypeError, match="Z2 wires"):
        xor(F)
    with pytest.raises(TypeError, match="Z2 wires"):
        one(F)
    with pytest.raises(TypeError, match="Z2 wires"):
        threshold(cg.Array((3,)))
    with pytest.raises(TypeError, match="same type"):
        and_(S, V)


def test_smooth_generator_inside_z2_circuit_has_no_gf2_meaning():
    F = cg.Array(())
    mixed = and_(S) @ cg.exp(F)
    with pytest.raises(SemanticsError, match="'exp' has no meaning over GF\\(2\\)"):
        to_gf2(mixed)
    with pytest.raises(SemanticsError, match="only bool wires"):
        to_gf2(cg.identity(F))


def test_z2_circuit_to_smooth_semantics():
    with pytest.raises(SemanticsError, match="to_gf2"):
        cg.to_sympy(and_(S))
    with pytest.raises(SemanticsError, match="to_gf2"):
        cg.to_sympy(xor(S))


@pytest.mark.parametrize("bad,match", [(np.array([0.0, 0.5]), "entry \\(1,\\) is 0.5"),
                                       (np.array([2, 1]), "entry \\(0,\\) is 2"),
                                       (np.array([-1, 0], np.int8), "is -1")])
def test_non_binary_data_raises(bad, match):
    f = compile_z2(and_(Z2((2,))))
    with pytest.raises(ValueError, match=match):
        f(bad, np.array([1, 1]))
    with pytest.raises(ValueError, match="not binary"):
        check_binary(bad)


def test_check_binary_rejects_tracers_and_strings():
    with pytest.raises(TypeError, match="numeric"):
        check_binary(np.array(["a"]))
    with pytest.raises(TypeError, match="outside jax.jit"):
        jax.jit(lambda x: check_binary(x))(jnp.zeros(2))


def test_float_data_on_bool_wire_is_rejected_by_the_core_compiler():
    with pytest.raises(TypeError):
        cg.compile(and_(S))(jnp.float32(0.5), jnp.float32(1.0))


def test_bits_rejects_non_binary_constant():
    with pytest.raises(ValueError, match="0 or 1"):
        bits(2, [0, 2])


def test_threshold_second_derivative_not_available():
    with pytest.raises(NotDifferentiableError, match="threshold_flips"):
        cg.rdiff(cg.rdiff(threshold(Z2((2,)))))


def test_threshold_polynomial_too_large():
    with pytest.raises(SemanticsError, match="at most"):
        to_gf2(threshold(Z2((7,))))
