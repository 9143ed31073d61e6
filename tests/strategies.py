"""Hypothesis strategies: random well-typed composite diagrams, each with an independent reference.

A ``Case`` is a catgrad diagram ``f`` together with ``ref``, the *same random program written
directly in jax.numpy* (not through catgrad's semantics), so tests can compare ``to_jax(f)``
with ``ref`` and ``to_jax(rdiff(f))`` with ``jax.vjp(ref, ...)``.

Diagrams are built by:
- ``program``: a random straight-line program on wires (``trace``) over elementwise maps,
  ``sum``, ``broadcast``, ``reshape``, ``transpose``, ``softmax``, ``logsumexp``, ``einsum``/``matmul``,
  and broadcasting ``add``/``mul``/``sub``/``div``; unused wires are discarded, reused ones copied;
- and then combined with ``>>`` (``f >> program(f.cod)``), ``@``, ``swap``, ``copy``, ``discard``,
  ``copy ; add`` and random ``wiring``.

Every wire carries a bound on its magnitude (inputs lie in [-1, 1]); an operation is only drawn
when its result stays below ``BOUND`` (so ``exp`` never overflows), and ``log``, ``sqrt`` and ``div``
are applied to positive, bounded-away-from-zero arguments (``log(x² + 1)``, ``x / (y² + 1)``).

Other test modules may import ``cases``, ``sympy_cases``, ``inputs`` and ``Case``; ``body_of`` makes a loop
body of a random diagram, ``loops`` random diagrams holding (nested) scans.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st

import catgrad as cg

BOUND = 30.0

# Tolerances: one generator against jax.vjp, and random composites (float64 is the tight check;
# float32 composites accumulate rounding in sums of up to ~20 terms, hence the looser bound).
GEN_TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-14)}
COMPOSITE_TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-10, atol=1e-12)}


@dataclass
class Case:
    f: cg.Diagram
    ref: Callable  # jax.numpy reference: arrays in f.dom's order -> tuple in f.cod's order
    out_bounds: tuple
    dtype: str
    description: str

    def __repr__(self):
        return f"Case({self.description}: {self.f!r})\n{self.f}"


def _ref_softmax(x, axis):
    e = jnp.exp(x - jnp.max(x, axis=axis, keepdims=True))
    return e / jnp.sum(e, axis=axis, keepdims=True)


# name -> (catgrad on wires, jax.numpy reference); `p` holds the drawn parameters.
UNARY = {
    "neg": (lambda p, x: cg.neg(x), lambda p, x: -x),
    "sin": (lambda p, x: cg.sin(x), lambda p, x: jnp.sin(x)),
    "cos": (lambda p, x: cg.cos(x), lambda p, x: jnp.cos(x)),
    "tanh": (lambda p, x: cg.tanh(x), lambda p, x: jnp.tanh(x)),
    "sigmoid": (lambda p, x: cg.sigmoid(x), lambda p, x: 1 / (1 + jnp.exp(-x))),
    "exp": (lambda p, x: cg.exp(x), lambda p, x: jnp.exp(x)),
    "scale": (lambda p, x: cg.scale(x, p["c"]), lambda p, x: x * p["c"]),
    "pow": (lambda p, x: cg.pow(x, p["k"]), lambda p, x: x ** p["k"]),
    "log1p2": (lambda p, x: cg.log(x * x + 1.0), lambda p, x: jnp.log(x * x + 1)),
    "sqrt1p2": (lambda p, x: cg.sqrt(x * x + 1.0), lambda p, x: jnp.sqrt(x * x + 1)),
    "divp": (lambda p, x: x / (x * x + 1.0), lambda p, x: x / (x * x + 1)),
    "relu": (lambda p, x: cg.relu(x), lambda p, x: jnp.maximum(x, 0)),
    "softmax": (lambda p, x: cg.softmax(x, axis=p["axis"]), lambda p, x: _ref_softmax(x, p["axis"])),
    "logsumexp": (lambda p, x: cg.logsumexp(x, axis=p["axis"]),
                  lambda p, x: jnp.log(jnp.sum(jnp.exp(x), axis=p["axis"]))),
    "sum": (lambda p, x: cg.sum(x, axes=p["axes"]), lambda p, x: jnp.sum(x, axis=p["axes"])),
    "transpose": (lambda p, x: cg.transpose(x), lambda p, x: x.T),
    "reshape": (lambda p, x: cg.reshape(x, shape=p["shape"]), lambda p, x: jnp.reshape(x, p["shape"])),
    "broadcast": (lambda p, x: cg.broadcast(x, shape=p["shape"], axes=(0,)),
                  lambda p, x: jnp.broadcast_to(x, p["shape"])),
}
BINARY = {
    "add": (lambda p, x, y: cg.add(x, y), lambda p, x, y: x + y),
    "sub": (lambda p, x, y: cg.sub(x, y), lambda p, x, y: x - y),
    "mul": (lambda p, x, y: cg.mul(x, y), lambda p, x, y: x * y),
    "div": (lambda p, x, y: cg.div(x, y * y + 1.0), lambda p, x, y: x / (y * y + 1)),
    "matmul": (lambda p, x, y: cg.matmul(x, y), lambda p, x, y: jnp.matmul(x, y)),
    "einsum": (lambda p, x, y: cg.einsum(p["spec"], x, y), lambda p, x, y: jnp.einsum(p["spec"], x, y)),
}
SMOOTH_OPS = tuple(UNARY) + tuple(BINARY)
SMOOTH_OPS = tuple(o for o in SMOOTH_OPS if o != "relu")
ALL_OPS = tuple(UNARY) + tuple(BINARY)
# The fragment used for the exact (sympy) axiom checks: small and quick to simplify.
SYMPY_OPS = ("neg", "sin", "cos", "exp", "scale", "pow", "log1p2", "mul", "add", "sub", "sum", "broadcast",
             "einsum", "matmul", "sigmoid")


def _unary_candidates(t: cg.Array, b: float, ops) -> list:
    """(name, params-drawer, out_bound) for each unary op applicable to a wire of type t, bound b."""
    out = []
    n = t.size
    for name in ops:
        if name not in UNARY:
            continue
        if name in ("neg", "relu", "transpose", "reshape", "broadcast", "divp"):
            if name == "transpose" and t.ndim != 2:
                continue
            if name == "reshape" and t.ndim == 0:
                continue
            if name == "broadcast" and t.ndim > 1:
                continue
            out.append((name, b))
        elif name in ("sin", "cos", "tanh", "sigmoid", "softmax"):
            if name == "softmax" and t.ndim == 0:
                continue
            out.append((name, 1.0))
        elif name == "exp" and b <= 3:
            out.append((name, math.exp(b)))
        elif name == "scale" and 2 * b <= BOUND:
            out.append((name, 2 * b))
        elif name == "pow" and b ** 3 <= BOUND:
            out.append((name, max(b ** 3, b * b)))
        elif name == "log1p2":
            out.append((name, math.log1p(b * b)))
        elif name == "sqrt1p2" and b <= BOUND:
            out.append((name, math.sqrt(1 + b * b)))
        elif name == "logsumexp" and t.ndim >= 1:
            out.append((name, b + math.log(max(t.shape))))
        elif name == "sum" and t.ndim >= 1 and n * b <= BOUND:
            out.append((name, n * b))
    return out


def _binary_candidates(t1, b1, t2, b2, ops) -> list:
    out = []
    try:
        np.broadcast_shapes(t1.shape, t2.shape)
        bc = True
    except ValueError:
        bc = False
    if bc:
        for name, bound in (("add", b1 + b2), ("sub", b1 + b2), ("mul", b1 * b2), ("div", b1)):
            if name in ops and bound <= BOUND:
                out.append((name, bound))
    s1, s2 = t1.shape, t2.shape
    if "matmul" in ops and len(s1) in (1, 2) and len(s2) in (1, 2):
        inner1 = s1[-1]
        inner2 = s2[0]
        if inner1 == inner2 and inner1 * b1 * b2 <= BOUND:
            out.append(("matmul", inner1 * b1 * b2))
    if "einsum" in ops:
        if len(s1) == 1 and len(s2) == 1 and b1 * b2 <= BOUND:
            out.append(("einsum", b1 * b2))  # outer product i,j->ij
        if len(s1) == 2 and s1 == s2 and s1[1] * b1 * b2 <= BOUND:
            out.append(("einsum", s1[1] * b1 * b2))  # row-wise dot ij,ij->i
    return out


@st.composite
def _params(draw, name, t):
    if name == "scale":
        return {"c": draw(st.sampled_from([0.5, -2.0, 1.5]))}
    if name == "pow":
        return {"k": draw(st.sampled_from([2, 3]))}
    if name in ("softmax", "logsumexp"):
        return {"axis": draw(st.integers(0, t.ndim - 1))}
    if name == "sum":
        axes = draw(st.lists(st.integers(0, t.ndim - 1), min_size=1, max_size=t.ndim, unique=True))
        return {"axes": tuple(sorted(axes))}
    if name == "reshape":
        opts = {(2, 3): [(3, 2), (6,)], (6,): [(2, 3)], (3,): [(1, 3)], (2,): [(2, 1)]}.get(t.shape, [(t.size,)])
        return {"shape": draw(st.sampled_from(opts))}
    if name == "broadcast":
        return {"shape": (2, *t.shape)}
    return {}


@st.composite
def program(draw, dom: cg.Ty, bounds: tuple, ops=SMOOTH_OPS, max_ops: int = 5, dtype="float32"):
    """A random straight-line program on the wires of ``dom``: a ``Case``."""
    types = list(dom)
    bnds = list(bounds)
    steps = []
    n_ops = draw(st.integers(1, max_ops))
    for _ in range(n_ops):
        cands = []
        for i, (t, b) in enumerate(zip(types, bnds)):
            cands += [("u", (i,), name, ob) for name, ob in _unary_candidates(t, b, ops)]
        for i, (t1, b1) in enumerate(zip(types, bnds)):
            for j, (t2, b2) in enumerate(zip(types, bnds)):
                cands += [("b", (i, j), name, ob) for name, ob in _binary_candidates(t1, b1, t2, b2, ops)]
        if not cands:
            break
        kind, idx, name, ob = draw(st.sampled_from(cands))
        if name == "einsum":
            spec = "i,j->ij" if types[idx[0]].ndim == 1 else "ij,ij->i"
            params = {"spec": spec}
        else:
            params = draw(_params(name, types[idx[0]]))
        steps.append((kind, idx, name, params))
        out_t = _out_type(kind, name, params, [types[i] for i in idx])
        types.append(out_t)
        bnds.append(ob)
    # outputs: a nonempty list of wires, the last one always included, repeats allowed (copies)
    n = len(types)
    extra = draw(st.lists(st.integers(0, n - 1), max_size=2))
    outs = [n - 1, *extra]
    outs = draw(st.permutations(outs))

    def run(vals, impl):
        vals = list(vals)
        for kind, idx, name, params in steps:
            fn = (UNARY if kind == "u" else BINARY)[name][impl]
            vals.append(fn(params, *(vals[i] for i in idx)))
        return tuple(vals[o] for o in outs)

    f = cg.trace(lambda *ws: run(ws, 0), dom)
    desc = "; ".join(f"{name}{list(idx)}{params or ''}" for _, idx, name, params in steps) + f" -> {list(outs)}"
    return Case(f, lambda *xs: run(xs, 1), tuple(bnds[o] for o in outs), dtype, f"prog[{desc}]")


def _out_type(kind, name, params, ts):
    """The codomain type of one step, computed from NumPy's own shape rules (not catgrad's)."""
    dummy = [np.zeros(t.shape) for t in ts]
    fn = (UNARY if kind == "u" else BINARY)[name][1]
    with jax.default_device(jax.devices("cpu")[0]):
        shape = jax.eval_shape(lambda *a: fn(params, *a), *dummy).shape
    return cg.Array(shape, ts[0].dtype)


SHAPES = ((), (3,), (2, 3), (2,))


@st.composite
def dom_types(draw, dtype="float32", shapes=SHAPES, max_wires=2):
    k = draw(st.integers(1, max_wires))
    return cg.Ty(*(cg.Array(draw(st.sampled_from(shapes)), dtype) for _ in range(k)))


@st.composite
def cases(draw, dtype="float32", ops=SMOOTH_OPS, shapes=SHAPES, max_ops=4, depth=2):
    """A random composite diagram (see the module docstring) with its jax.numpy reference."""
    kinds = ["program"] if depth <= 0 else ["program", "then", "tensor", "structure", "then"]
    kind = draw(st.sampled_from(kinds))
    if kind == "program":
        dom = draw(dom_types(dtype, shapes))
        return draw(program(dom, (1.0,) * len(dom), ops, max_ops, dtype))
    if kind == "then":
        f = draw(cases(dtype, ops, shapes, max_ops, depth - 1))
        g = draw(program(f.f.cod, f.out_bounds, ops, max_ops, dtype))
        return Case(f.f >> g.f, lambda *x: g.ref(*f.ref(*x)), g.out_bounds, dtype,
                    f"({f.description} >> {g.description})")
    if kind == "tensor":
        f = draw(cases(dtype, ops, shapes, max_ops, depth - 1))
        g = draw(cases(dtype, ops, shapes, max_ops, depth - 1))
        k = len(f.f.dom)
        return Case(f.f @ g.f, lambda *x: f.ref(*x[:k]) + g.ref(*x[k:]), f.out_bounds + g.out_bounds, dtype,
                    f"({f.description} @ {g.description})")
    f = draw(cases(dtype, ops, shapes, max_ops, depth - 1))
    cod = f.f.cod
    n = len(cod)
    structs = ["copy", "wiring", "copy_add"] + (["swap", "discard"] if n >= 2 else [])
    s = draw(st.sampled_from(structs))
    if s == "copy":
        w, outs = cg.copy(cod), list(range(n)) * 2
    elif s == "swap":
        w, outs = cg.swap(cod[:1], cod[1:]), list(range(1, n)) + [0]
    elif s == "discard":
        w, outs = cg.discard(cod[:1]) @ cg.identity(cod[1:]), list(range(1, n))
    elif s == "copy_add":
        a = cod[0]
        w = (cg.copy(a) >> cg.add(a)) @ cg.identity(cod[1:])
        out_b = (2 * f.out_bounds[0],) + f.out_bounds[1:]
        return Case(f.f >> w, lambda *x: (lambda y: (y[0] + y[0], *y[1:]))(f.ref(*x)), out_b, dtype,
                    f"({f.description} >> copy;add)")
    else:
        outs = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n + 1))
        w = cg.wiring(cod, outs)
    return Case(f.f >> w, lambda *x: (lambda y: tuple(y[i] for i in outs))(f.ref(*x)),
                tuple(f.out_bounds[i] for i in outs), dtype, f"({f.description} >> {s}{outs})")


def body_of(f: cg.Diagram) -> cg.Diagram:
    """A loop body from a random diagram ``f: A₀ × … → B₀ × …``: the carry is ``A₀``, the step inputs
    the other wires, the outputs ``f``'s, and the next carry ``tanh(c + 0.1·Σ B₀)`` (bounded, and it
    depends on ``f``, so R of the loop goes through ``f`` at every step)."""
    c_type = f.dom[0]

    def fn(c, *xs):
        ys = f(c, *xs)
        ys = ys if isinstance(ys, tuple) else (ys,)
        s = cg.sum(ys[0]) if ys[0].type.ndim else ys[0]
        s = cg.broadcast_to(s, c_type.shape) if c_type.ndim else s
        return (cg.tanh(c + cg.scale(s, 0.1)), *ys)

    return cg.trace(fn, f.dom)


@st.composite
def loops(draw, max_ops=3, nesting=2):
    """A random diagram holding loops: ``scan(body_of(f), n)`` of a random ``f`` (with a constant or not,
    run forwards or backwards), the loop scanned again up to ``nesting`` times (a scan is itself a body
    ``K × C × Xⁿ → C × Yⁿ``), and operations before and after it or not."""
    f = draw(cases(depth=1, max_ops=max_ops)).f
    body, consts = body_of(f), draw(st.integers(0, 1))
    if consts:
        step = body
        body = cg.trace(lambda k, c, *xs: step(c + k, *xs), cg.Ty(f.dom[0]) @ f.dom)
    for _ in range(draw(st.integers(1, nesting))):
        body = cg.scan(body, draw(st.integers(1, 4)), consts=consts, reverse=draw(st.booleans()))
    if not draw(st.booleans()):
        return body
    loop = body

    def around(*ws):
        outs = loop(*ws[:consts], cg.sin(ws[consts]), *ws[consts + 1:])
        outs = outs if isinstance(outs, tuple) else (outs,)
        return (cg.tanh(outs[0]), *outs[1:])
    return cg.trace(around, loop.dom)


def sympy_cases(max_ops=2, depth=1):
    """Small composites of scalar and vector generators, for the exact (sympy) checks."""
    return cases("float32", SYMPY_OPS, ((), (2,)), max_ops, depth)


@st.composite
def seeds(draw):
    return draw(st.integers(0, 2 ** 31 - 1))


def inputs(types, seed: int, dtype=None, scale=1.0) -> list:
    """Random arrays uniform in [-scale, scale] for each wire type (float wires only)."""
    rng = np.random.default_rng(seed)
    out = []
    for t in types:
        dt = dtype or t.dtype
        out.append(jnp.asarray(rng.uniform(-scale, scale, t.shape).astype(dt)))
    return out


def assert_close(actual, expected, tol, what=""):
    """Compare two tuples of arrays elementwise with ``np.testing.assert_allclose``."""
    actual, expected = tuple(actual), tuple(expected)
    assert len(actual) == len(expected), f"{what}: {len(actual)} outputs vs {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected)):
        a, e = np.asarray(a), np.asarray(e)
        assert a.shape == e.shape, f"{what}: output {i} has shape {a.shape}, expected {e.shape}"
        assert a.dtype == e.dtype, f"{what}: output {i} has dtype {a.dtype}, expected {e.dtype}"
        np.testing.assert_allclose(a, e, err_msg=f"{what}: output {i}", **tol)
