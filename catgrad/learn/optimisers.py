"""Optimisers as reparametrisation lenses ``U: (S × P, S × P) → (P, P)`` [CFGBL §3.4, §4].

Each is optax-shaped, a lens ``U_A: (S_A × A, S_A × A) → (A, A)`` on ONE array mapped over the record
(``elementwise``): get ``(s, p) ↦ p̃`` (where the gradient is taken), put ``((s, p), v) ↦ (s', p')`` with
``v = −α g`` (``v = −g`` for the adaptive ones, which carry their step ``η``); each optimiser's docstring
gives its ``S_A``, get and put, and the ranges they need are checked. The state is a NamedTuple of records
like the parameters (optax's convention); trajectories equal optax's ``sgd``, ``adagrad``, ``rmsprop``, ``adam``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..core.diagram import Wire, apply
from ..core.generators import broadcast_to, scale, sqrt, tanh
from ..core.objects import Array
from ..lens import Lens
from ..record import Record, as_record, leaves, traced


class EmptyState(NamedTuple):
    """The state of ``gd`` and ``rda``: no fields.

    >>> gd().init({})
    EmptyState()
    """


class MomentumState(NamedTuple):
    """``momentum``'s and ``nesterov``'s state: ``velocity`` ``s = −α·trace`` (optax's trace).

    >>> momentum(0.9).init({"b": jnp.zeros(2)})
    MomentumState(velocity={'b': Array([0., 0.], dtype=float32)})
    """

    velocity: Any


class AdagradState(NamedTuple):
    """``adagrad``'s state: ``sum_of_squares`` ``s = Σ g²``.

    >>> adagrad(0.1).init({})
    AdagradState(sum_of_squares={})
    """

    sum_of_squares: Any


class RmspropState(NamedTuple):
    """``rmsprop``'s state: ``nu``, the moving mean of ``g²``.

    >>> rmsprop(0.01).init({})
    RmspropState(nu={})
    """

    nu: Any


class AdamState(NamedTuple):
    """``adam``'s state, as optax's ``ScaleByAdamState``: ``count`` ``t`` (a scalar), ``mu`` ``m``, ``nu`` ``w``.

    >>> adam().init({"w": jnp.zeros(2)}).mu
    {'w': Array([0., 0.], dtype=float32)}
    """

    count: Any
    mu: Any
    nu: Any


@dataclass(frozen=True, eq=False)
class Optimiser:
    """An optimiser ``U: (S × P, S × P) → (P, P)`` for any record ``P`` (the built-in ones, ``rda``, optax's).

    ``state(P)``: the state record ``S``; ``init(params)``: the initial state; ``lens(P)``: ``U`` on the
    wires ``leaves(S) @ leaves(P)``, get ``(s, p) ↦ p̃``, put ``((s, p), v) ↦ (s', p')``; ``adaptive``: the
    put needs the gradient itself (use ``learning_rate(1.0)``). Example: ``p' = (1 − λ) p + v``:

    >>> from catgrad import to_jax
    >>> decayed = elementwise("decayed_gd", EmptyState, {}, lambda s, p: p, lambda s, p, v: ({}, scale(p, 0.99) + v))
    >>> to_jax(decayed.lens(Array(())).bwd)(jnp.float32(1.0), jnp.float32(-0.5))
    (Array(0.49, dtype=float32),)
    """

    name: str
    state: Callable[[Record], Record]
    init: Callable[[Any], Any]
    lens: Callable[[Record], Lens]
    adaptive: bool = False


def elementwise(name: str, state_class: type, fields: dict, get: Callable, put: Callable, *, shared: dict = {},
                kind: str = "float", adaptive: bool = False) -> Optimiser:
    """An optimiser given on ONE parameter array ``A``, mapped over every array of the record.

    ``fields``/``shared``: ``{field: initial value}`` of the per-array state (arrays like ``A``) and of the
    scalars shared by all arrays (Adam's ``count``, updated from the first array's put). ``get(s, p) -> p̃``
    and ``put(s, p, v) -> (s', p')`` act on wires, ``s`` a dict of the array's state wires. ``kind``: the
    parameters' dtypes, ``"float"``, ``"bool"`` or ``"any"``. Example: a velocity clipped to ``[−1, 1]``:

    >>> from catgrad import relu, to_jax
    >>> clip = lambda u: relu(u + 1.0) - relu(u - 1.0) - 1.0
    >>> opt = elementwise("clipped", MomentumState, {"velocity": 0.0}, lambda s, p: p,
    ...                   lambda s, p, v: ({"velocity": clip(s["velocity"] + v)}, p + clip(s["velocity"] + v)))
    >>> to_jax(opt.lens(Array(())).bwd)(jnp.float32(0.5), jnp.float32(0.0), jnp.float32(2.0))
    (Array(1., dtype=float32), Array(1., dtype=float32))
    """
    def state(P) -> Record:
        P = as_record(P)
        arrays = [_array(name, t, kind) for t in leaves(P)]
        scalar = arrays[0].with_shape(()) if arrays else Array(())
        return state_class(**{f: jax.tree_util.tree_map(lambda t: t, P) for f in fields},
                           **{f: scalar for f in shared})

    def init(params):
        lead = jax.tree_util.tree_leaves(params)
        dtype = jnp.asarray(lead[0]).dtype if lead else jnp.float32
        return state_class(**{f: jax.tree_util.tree_map(lambda a, v=v: jnp.full(jnp.shape(a), v, jnp.asarray(a).dtype),
                                                        params) for f, v in fields.items()},
                           **{f: jnp.full((), v, dtype) for f, v in shared.items()})

    def wires(s, fs) -> dict:  # one array's state: its fields' wires and the shared ones
        return {**dict(zip(fields, fs)), **{f: getattr(s, f) for f in shared}}

    def mapped_get(s, p):
        return jax.tree_util.tree_map(lambda p_, *fs: get(wires(s, fs), p_), p, *(getattr(s, f) for f in fields))

    def mapped_put(s, p, v):
        outs = jax.tree_util.tree_map(lambda p_, v_, *fs: put(wires(s, fs), p_, v_),
                                      p, v, *(getattr(s, f) for f in fields))
        is_out = lambda o: isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], dict)  # noqa: E731
        firsts = jax.tree_util.tree_leaves(outs, is_leaf=is_out)
        new = {f: jax.tree_util.tree_map(lambda o, f=f: o[0][f], outs, is_leaf=is_out) for f in fields}
        new.update({f: firsts[0][0][f] if firsts else getattr(s, f) for f in shared})
        return state_class(**new), jax.tree_util.tree_map(lambda o: o[1], outs, is_leaf=is_out)

    def lens(P) -> Lens:
        S, P = state(P), as_record(P)
        return Lens(traced(mapped_get, S, P), traced(mapped_put, S, P, P))

    return Optimiser(name, state, init, lens, adaptive)


def _array(name: str, A: Array, kind: str) -> Array:
    if kind == "bool" and A.dtype != "bool":
        raise TypeError(f"{name}: reverse derivative ascent works on boolean (Z2) parameters, got {A}"
                        " (for real parameters use gd)")
    if kind != "bool" and not A.is_float and not (kind == "any" and A.dtype == "bool"):
        raise TypeError(f"{name}: needs floating-point parameters, got {A}"
                        + (" (for Z2 parameters use rda)" if A.dtype == "bool" else ""))
    return A


def _real(name: str, what: str, x, lo: float = 0.0, hi=None, lo_open=False, hi_open=False, why: str = "") -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)) or not math.isfinite(x):
        raise TypeError(f"{name}: {what} must be a finite real number, got {type(x).__name__} {x!r}")
    x = float(x)
    if x < lo or (lo_open and x == lo) or (hi is not None and (x > hi or (hi_open and x == hi))):
        rng = (f"lie in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}" if hi is not None
               else f"be {'>' if lo_open else '≥'} {lo:g}")
        raise ValueError(f"{name}: {what} must {rng}{why}, got {x!r}")
    return x


def _rate(name: str, x) -> float:
    return _real(name, "eta", x, lo=0.0, lo_open=True, why=" (the step size η)")


def _get_p(s, p):
    return p


def _one_minus_pow(beta: float, t: Wire) -> Wire:
    """``1 − βᵗ = −expm1(t log β)``, ``expm1(u) = 2 tanh(u/2) / (1 − tanh(u/2))``: accurate for ``βᵗ`` near 1."""
    if beta == 0.0:
        return apply("constant", into=t.builder, type=t.type, value=1.0)
    th = tanh(scale(t, 0.5 * math.log(beta)))
    return scale(th / (1.0 - th), -2.0)


def gd() -> Optimiser:
    """Gradient descent: ``S = 1``, get ``p``, put ``p' = p + v`` (XOR on boolean wires, ``rda``) [CFGBL §3.4].

    >>> from catgrad import to_jax
    >>> to_jax(gd().lens(Array(())).bwd)(jnp.float32(1.0), jnp.float32(-0.5))
    (Array(0.5, dtype=float32),)
    """
    return elementwise("gd", EmptyState, {}, _get_p, lambda s, p, v: ({}, p + v), kind="any")


def momentum(gamma: float = 0.9) -> Optimiser:
    """Momentum ``γ``: ``S_A = A``, get ``p``, put ``s' = γ s + v``, ``p' = p + s'``; ``s₀ = 0`` [CFGBL §3.4].

    >>> from catgrad import to_jax
    >>> to_jax(momentum(0.5).lens(Array(())).bwd)(jnp.float32(1.0), jnp.float32(2.0), jnp.float32(-0.25))
    (Array(0.25, dtype=float32), Array(2.25, dtype=float32))
    """
    return _heavy_ball("momentum", _gamma("momentum", gamma), lookahead=False)


def _gamma(name: str, gamma) -> float:
    return _real(name, "gamma", gamma, lo=0.0, hi=1.0, hi_open=True, why=" (the decay of s' = γ s + v; γ ≥ 1 diverges)")


def _heavy_ball(name: str, gamma: float, lookahead: bool) -> Optimiser:

    def get(s, p):
        return p + scale(s["velocity"], gamma)

    def put(s, p, v):
        s_new = scale(s["velocity"], gamma) + v
        return {"velocity": s_new}, p + s_new

    return elementwise(name, MomentumState, {"velocity": 0.0}, get if lookahead else _get_p, put)


def nesterov(gamma: float = 0.9) -> Optimiser:
    """Nesterov: ``S_A = A``, get ``p + γ s`` (the look-ahead point, optax's parameters), put as ``momentum``.

    >>> from catgrad import to_jax
    >>> to_jax(nesterov(0.5).lens(Array(())).fwd)(jnp.float32(1.0), jnp.float32(2.0))
    (Array(2.5, dtype=float32),)
    """
    return _heavy_ball("nesterov", _gamma("nesterov", gamma), lookahead=True)


def adagrad(eta: float, eps: float = 1e-7, initial_accumulator_value: float = 0.1) -> Optimiser:
    """Adagrad: ``S_A = A``, get ``p``, put ``s' = s + g²``, ``p' = p − η g / √(s' + ε)``, ``g = −v``, ``s₀`` 0.1.

    >>> from catgrad import to_jax
    >>> to_jax(adagrad(0.1, eps=0.0).lens(Array(())).bwd)(jnp.float32(0.0), jnp.float32(1.0), jnp.float32(-2.0))
    (Array(4., dtype=float32), Array(0.9, dtype=float32))
    """
    eta = _rate("adagrad", eta)
    eps = _real("adagrad", "eps", eps, lo=0.0)
    s0 = _real("adagrad", "initial_accumulator_value", initial_accumulator_value, lo=0.0)

    def put(s, p, v):
        s_new = s["sum_of_squares"] + v * v  # g² = v²
        return {"sum_of_squares": s_new}, p + scale(v / sqrt(s_new + eps), eta)

    return elementwise("adagrad", AdagradState, {"sum_of_squares": s0}, _get_p, put, adaptive=True)


def rmsprop(eta: float, decay: float = 0.9, eps: float = 1e-8, initial_scale: float = 0.0,
            eps_in_sqrt: bool = True) -> Optimiser:
    """RMSProp: ``S_A = A``, get ``p``, put ``s' = ρ s + (1 − ρ) g²``, ``p' = p − η g / √(s' + ε)`` (``ρ = decay``).

    ``eps_in_sqrt=False``: ``p' = p − η g / (√s' + ε)`` (PyTorch's placement, optax's option).

    >>> from catgrad import to_jax
    >>> to_jax(rmsprop(0.1, decay=0.75, eps=0.0).lens(Array(())).bwd)(jnp.float32(0.0), jnp.float32(1.0), jnp.float32(-2.0))
    (Array(1., dtype=float32), Array(0.8, dtype=float32))
    """
    eta = _rate("rmsprop", eta)
    decay = _real("rmsprop", "decay", decay, lo=0.0, hi=1.0)
    eps = _real("rmsprop", "eps", eps, lo=0.0)
    s0 = _real("rmsprop", "initial_scale", initial_scale, lo=0.0)
    if not isinstance(eps_in_sqrt, bool):
        raise TypeError(f"rmsprop: eps_in_sqrt must be a bool, got {eps_in_sqrt!r}")

    def put(s, p, v):
        s_new = scale(s["nu"], decay) + scale(v * v, 1.0 - decay)
        denom = sqrt(s_new + eps) if eps_in_sqrt else sqrt(s_new) + eps
        return {"nu": s_new}, p + scale(v / denom, eta)

    return elementwise("rmsprop", RmspropState, {"nu": s0}, _get_p, put, adaptive=True)


def adam(eta: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
         eps_root: float = 0.0) -> Optimiser:
    """Adam (Kingma & Ba 2015): ``S_A = A × A × 1`` holding ``(m, w, t)``; get ``p``; put (``g = −v``, zeros first)::

        m' = β₁ m + (1 − β₁) g,   w' = β₂ w + (1 − β₂) g²,   t' = t + 1,
        p' = p − η m̂ / (√(ŵ + ε_root) + ε),   m̂ = m' / (1 − β₁^{t'}),   ŵ = w' / (1 − β₂^{t'}).

    >>> from catgrad import to_jax
    >>> U = adam(0.1, eps=1e-12).lens(Array(()))
    >>> t, m, w, p = to_jax(U.bwd)(*(jnp.float32(0.0),) * 4, jnp.float32(-3.0))
    >>> float(t), round(float(p), 6)
    (1.0, -0.1)
    """
    eta = _rate("adam", eta)
    b1 = _real("adam", "b1", b1, lo=0.0, hi=1.0, hi_open=True, why=" (the bias correction divides by 1 − β₁ᵗ)")
    b2 = _real("adam", "b2", b2, lo=0.0, hi=1.0, hi_open=True, why=" (the bias correction divides by 1 − β₂ᵗ)")
    eps = _real("adam", "eps", eps, lo=0.0, lo_open=True, why=" (p' = p − η m̂ / (√ŵ + ε) is 0/0 where ŵ = 0)")
    eps_root = _real("adam", "eps_root", eps_root, lo=0.0)

    def put(s, p, v):
        m, w, t, g = s["mu"], s["nu"], s["count"], -v
        m_new = scale(m, b1) + scale(g, 1.0 - b1)
        w_new = scale(w, b2) + scale(g * g, 1.0 - b2)
        t_new = t + 1.0
        m_hat = m_new / broadcast_to(_one_minus_pow(b1, t_new), p.shape)
        w_hat = w_new / broadcast_to(_one_minus_pow(b2, t_new), p.shape)
        if eps_root:
            w_hat = w_hat + eps_root
        return {"mu": m_new, "nu": w_new, "count": t_new}, p - scale(m_hat / (sqrt(w_hat) + eps), eta)

    return elementwise("adam", AdamState, {"mu": 0.0, "nu": 0.0}, _get_p, put, shared={"count": 0.0}, adaptive=True)


def rda() -> Optimiser:
    """Reverse derivative ascent [RDA §4]: ``gd`` on boolean parameters, ``p' = p + v`` (XOR: a bit flips where ``v``).

    >>> from catgrad import to_jax
    >>> U = rda().lens(Array((3,), "bool"))
    >>> to_jax(U.bwd)(jnp.array([True, False, True]), jnp.array([True, True, False]))
    (Array([False,  True,  True], dtype=bool),)
    """
    return elementwise("rda", EmptyState, {}, _get_p, lambda s, p, v: ({}, p + v), kind="bool")


__all__ = ["Optimiser", "elementwise", "EmptyState", "MomentumState", "AdagradState", "RmspropState", "AdamState",
           "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rda"]
