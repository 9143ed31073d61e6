"""Every generator of the smooth signature: its JAX meaning and its reverse derivative.

Oracle: a function written directly in jax.numpy for each generator, differentiated by
``jax.vjp`` (first order) and by ``jax.vjp`` of the vjp (second order). Random points, float32
and float64 (the ``dtype`` fixture enables x64 for the float64 run and restores it).

Tolerances (``GEN_TOL`` in strategies.py): float32 rtol 1e-5 / atol 1e-6; float64 rtol 1e-12 / atol 1e-14.
Domain care: log, sqrt, fractional/negative pow and div's denominator get inputs in [0.5, 2].
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import catgrad as cg
from catgrad.core.signature import SIGNATURE
from strategies import GEN_TOL, assert_close

M = (2, 3)
V = (3,)


def _softmax(x, axis):
    e = jnp.exp(x - jnp.max(x, axis=axis, keepdims=True))
    return e / jnp.sum(e, axis=axis, keepdims=True)


# name: (generator of the signature it exercises, diagram builder on a dtype, reference, domain shapes, positive?)
CASES = {
    "neg": ("neg", lambda d: cg.neg(cg.Array(M, d)), lambda x: -x, [M], False),
    "exp": ("exp", lambda d: cg.exp(cg.Array(M, d)), jnp.exp, [M], False),
    "log": ("log", lambda d: cg.log(cg.Array(M, d)), jnp.log, [M], True),
    "sin": ("sin", lambda d: cg.sin(cg.Array(M, d)), jnp.sin, [M], False),
    "cos": ("cos", lambda d: cg.cos(cg.Array(M, d)), jnp.cos, [M], False),
    "sqrt": ("sqrt", lambda d: cg.sqrt(cg.Array(M, d)), jnp.sqrt, [M], True),
    "sigmoid": ("sigmoid", lambda d: cg.sigmoid(cg.Array(M, d)), lambda x: 1 / (1 + jnp.exp(-x)), [M], False),
    "tanh": ("tanh", lambda d: cg.tanh(cg.Array(M, d)), jnp.tanh, [M], False),
    "relu": ("relu", lambda d: cg.relu(cg.Array(M, d)), lambda x: jnp.where(x > 0, x, 0), [M], False),
    "heaviside": ("heaviside", lambda d: cg.heaviside(cg.Array(M, d)),
                  lambda x: jax.lax.stop_gradient(jnp.where(x > 0, 1.0, 0.0).astype(x.dtype)), [M], False),
    "scale": ("scale", lambda d: cg.scale(cg.Array(M, d), -1.75), lambda x: -1.75 * x, [M], False),
    "pow_int": ("pow", lambda d: cg.pow(cg.Array(M, d), 3), lambda x: x * x * x, [M], False),
    "pow_frac": ("pow", lambda d: cg.pow(cg.Array(M, d), 2.5), lambda x: x ** 2.5, [M], True),
    "pow_neg": ("pow", lambda d: cg.pow(cg.Array(M, d), -1.0), lambda x: 1 / x, [M], True),
    "add": ("add", lambda d: cg.add(cg.Array(M, d)), lambda x, y: x + y, [M, M], False),
    "mul": ("mul", lambda d: cg.mul(cg.Array(M, d)), lambda x, y: x * y, [M, M], False),
    "div": ("div", lambda d: cg.div(cg.Array(M, d)), lambda x, y: x / y, [M, M], True),
    "sub": ("add", lambda d: cg.sub(cg.Array(M, d), cg.Array(M, d)), lambda x, y: x - y, [M, M], False),
    "mul_bcast": ("mul", lambda d: cg.mul(cg.Array(M, d), cg.Array(V, d)), lambda x, y: x * y, [M, V], False),
    "add_scalar": ("add", lambda d: cg.add(cg.Array((), d), cg.Array(M, d)), lambda x, y: x + y, [(), M], False),
    "zero": ("zero", lambda d: cg.zero(cg.Array(M, d)), lambda: jnp.zeros(M), [], False),
    "constant": ("constant", lambda d: cg.constant(cg.Array(M, d), np.arange(6.0).reshape(M)),
                 lambda: jnp.arange(6.0).reshape(M), [], False),
    "sum_all": ("sum", lambda d: cg.sum(cg.Array(M, d)), jnp.sum, [M], False),
    "sum_axis0": ("sum", lambda d: cg.sum(cg.Array(M, d), axes=(0,)), lambda x: jnp.sum(x, 0), [M], False),
    "sum_axis_neg": ("sum", lambda d: cg.sum(cg.Array((2, 3, 2), d), axes=(-1, 0)),
                     lambda x: jnp.sum(x, (0, 2)), [(2, 3, 2)], False),
    "broadcast": ("broadcast", lambda d: cg.broadcast(cg.Array(V, d), shape=(2, 3, 4), axes=(0, 2)),
                  lambda x: jnp.broadcast_to(x[None, :, None], (2, 3, 4)), [V], False),
    "broadcast_to": ("broadcast", lambda d: cg.broadcast_to(cg.Array((2, 1), d), (4, 2, 3)),
                     lambda x: jnp.broadcast_to(x, (4, 2, 3)), [(2, 1)], False),
    "reshape": ("reshape", lambda d: cg.reshape(cg.Array(M, d), (3, 1, 2)), lambda x: x.reshape(3, 1, 2), [M], False),
    "transpose": ("transpose", lambda d: cg.transpose(cg.Array((2, 3, 4), d), (1, 2, 0)),
                  lambda x: jnp.transpose(x, (1, 2, 0)), [(2, 3, 4)], False),
    "transpose_default": ("transpose", lambda d: cg.transpose(cg.Array(M, d)), lambda x: x.T, [M], False),
    "matmul_mv": ("einsum", lambda d: cg.matmul(cg.Array(M, d), cg.Array(V, d)), jnp.matmul, [M, V], False),
    "matmul_mm": ("einsum", lambda d: cg.matmul(cg.Array(M, d), cg.Array((3, 4), d)), jnp.matmul, [M, (3, 4)], False),
    "dot": ("einsum", lambda d: cg.matmul(cg.Array(V, d), cg.Array(V, d)), jnp.dot, [V, V], False),
    "einsum_batch": ("einsum", lambda d: cg.einsum("bij,bjk->bik", cg.Array((2, 3, 4), d), cg.Array((2, 4, 2), d)),
                     lambda x, y: jnp.einsum("bij,bjk->bik", x, y), [(2, 3, 4), (2, 4, 2)], False),
    "einsum_outer": ("einsum", lambda d: cg.einsum("i,j->ji", cg.Array(V, d), cg.Array((2,), d)),
                     lambda x, y: jnp.outer(y, x), [V, (2,)], False),
    "softmax": ("softmax", lambda d: cg.softmax(cg.Array(M, d)), lambda x: _softmax(x, -1), [M], False),
    "softmax_axis0": ("softmax", lambda d: cg.softmax(cg.Array(M, d), axis=0), lambda x: _softmax(x, 0), [M], False),
    "logsumexp": ("logsumexp", lambda d: cg.logsumexp(cg.Array(M, d)),
                  lambda x: jnp.log(jnp.sum(jnp.exp(x), -1)), [M], False),
    "logsumexp_axis0": ("logsumexp", lambda d: cg.logsumexp(cg.Array(M, d), axis=0),
                        lambda x: jnp.log(jnp.sum(jnp.exp(x), 0)), [M], False),
}

SMOOTH_GENERATORS = {name for name, g in SIGNATURE.items()
                     if g.typing.__module__ == "catgrad.core.generators" and name != "argmax"}


def test_every_smooth_generator_is_covered():
    """The table above exercises every generator declared in catgrad/core/generators.py."""
    covered = {v[0] for v in CASES.values()}
    assert SMOOTH_GENERATORS <= covered, f"untested generators: {SMOOTH_GENERATORS - covered}"


def _args(shapes, dtype, positive, seed):
    rng = np.random.default_rng(seed)
    lo, hi = (0.5, 2.0) if positive else (-2.0, 2.0)
    return [jnp.asarray(rng.uniform(lo, hi, s).astype(dtype)) for s in shapes]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("case", sorted(CASES))
def test_generator_forward_and_rdiff(case, dtype, seed):
    """``to_jax(g) = ref`` and ``to_jax(R[g])(x, dy) = jax.vjp(ref, x)[1](dy)``."""
    _, build, ref, shapes, positive = CASES[case]
    f = build(dtype)
    assert f.dom == cg.Ty(*(cg.Array(s, dtype) for s in shapes))
    xs = _args(shapes, dtype, positive, seed)
    tol = GEN_TOL[dtype]
    y = ref(*xs)
    assert_close(cg.to_jax(f)(*xs), (y.astype(dtype),), tol, f"{case} forward")
    (dy,) = _args([f.cod[0].shape], dtype, False, seed + 100)
    r = cg.rdiff(f)
    assert r.dom == f.dom @ f.cod and r.cod == f.dom
    _, vjp = jax.vjp(ref, *xs)
    assert_close(cg.to_jax(r)(*xs, dy), vjp(dy), tol, f"R[{case}]")


@pytest.mark.parametrize("case", sorted(CASES))
def test_generator_second_order(case, dtype):
    """``R[R[g]]((x, dy), ddx) = jax.vjp((x, dy) ↦ vjp(ref, x)(dy))((x, dy))[1](ddx)``."""
    _, build, ref, shapes, positive = CASES[case]
    f = build(dtype)
    xs = _args(shapes, dtype, positive, 7)
    (dy,) = _args([f.cod[0].shape], dtype, False, 8)
    ddx = _args(shapes, dtype, False, 9)

    def first(*xdy):
        return jax.vjp(ref, *xdy[:-1])[1](xdy[-1])

    _, vjp2 = jax.vjp(first, *xs, dy)
    rr = cg.rdiff(cg.rdiff(f))
    assert rr.dom == f.dom @ f.cod @ f.dom and rr.cod == f.dom @ f.cod
    assert_close(cg.to_jax(rr)(*xs, dy, *ddx), vjp2(tuple(ddx)), GEN_TOL[dtype], f"R[R[{case}]]")


def test_nullary_generators_have_empty_rdiff():
    """``zero, constant: 1 → A`` have ``R: 1 × A → 1``, the unique map to the unit."""
    for f in (cg.zero(cg.Array(M)), cg.constant(cg.Array(M), 2.0)):
        r = cg.rdiff(f)
        assert r.dom == cg.Ty(cg.Array(M)) and r.cod == cg.Ty()
        assert cg.to_jax(r)(jnp.ones(M)) == ()


def test_argmax_rdiff_is_zero_and_warns(dtype):
    """R[argmax] is 0 (argmax is locally constant) and rdiff warns each time it meets it."""
    A = cg.Array(M, dtype)
    f = cg.argmax(A)
    assert f.cod == cg.Ty(cg.Array((2,), "int32"))
    x = _args([M], dtype, False, 3)[0]
    np.testing.assert_array_equal(cg.to_jax(f)(x)[0], jnp.argmax(x, axis=-1))
    for _ in range(2):  # the rule is cached: the warning must still be shown every time
        with pytest.warns(UserWarning, match="argmax is not differentiable: its reverse derivative is taken to be 0"):
            r = cg.rdiff(f)
    (dx,) = cg.to_jax(r)(x, jnp.array([1, 0], jnp.int32))
    assert dx.dtype == jnp.dtype(dtype)
    np.testing.assert_array_equal(dx, np.zeros(M))


def test_argmax_inside_a_composite_contributes_zero():
    """x ↦ (argmax(x), tanh(x)): R is the vjp of tanh alone; the argmax branch adds nothing."""
    A = cg.Array(V)
    f = cg.copy(A) >> (cg.argmax(A) @ cg.tanh(A))
    x = jnp.array([0.3, -1.2, 0.8])
    dy = jnp.array([0.5, 2.0, -1.0])
    with pytest.warns(UserWarning, match="argmax"):
        r = cg.rdiff(f)
    (dx,) = cg.to_jax(r)(x, jnp.int32(2), dy)
    np.testing.assert_allclose(dx, jax.vjp(jnp.tanh, x)[1](dy)[0], rtol=1e-6)
