"""Optimisers as reparametrisation lenses ``U: (S × P, S × P) → (P, P)`` [CFGBL §3.4, §4].

An optimiser is optax-shaped: each built-in one is given on ONE parameter array ``A`` by a
state ``S_A`` and a lens ``U_A: (S_A × A, S_A × A) → (A, A)`` whose get ``(s, p) ↦ p̃`` is the
point where the gradient is taken and whose put ``((s, p), v) ↦ (s', p')`` is the update,
and mapped over every array of the parameter record (``elementwise``). ``v`` is the signal
sent back by the learning rate: ``v = −α g`` for the plain optimisers, ``v = −g`` (``α = 1``)
for the adaptive ones, which carry their own step ``η``.

============  =====  ==============================================================
optimiser      S_A    get; put (g = −v for the adaptive ones)
============  =====  ==============================================================
gd             1      p;  p' = p + v
momentum(γ)    A      p;  s' = γ s + v,  p' = p + s'
nesterov(γ)    A      p + γ s;  s' = γ s + v,  p' = p + s'
adagrad(η)     A      p;  s' = s + g²,  p' = p − η g / √(s' + ε)
rmsprop(η)     A      p;  s' = ρ s + (1 − ρ) g²,  p' = p − η g / √(s' + ε)
adam(η)        A²×1   p;  m' = β₁m + (1−β₁)g, w' = β₂w + (1−β₂)g², t' = t + 1,
                          p' = p − η m̂ / (√ŵ + ε),  m̂ = m'/(1 − β₁^{t'}), ŵ = w'/(1 − β₂^{t'})
rda            1      p;  p' = p + v  (+ is XOR on boolean wires)
============  =====  ==============================================================

Every lens is a diagram of catgrad generators; the JAX semantics interprets it. Ranges the
formulas need are checked: ``0 ≤ γ < 1``, ``β₁, β₂ ∈ [0, 1)``, Adam's ``ε > 0``, ``η > 0``.

The state of a whole parameter record is a record in optax's convention: a NamedTuple per
optimiser (``EmptyState()`` for gd and rda, ``MomentumState(velocity)``,
``AdagradState(sum_of_squares)``, ``RmspropState(nu)``, ``AdamState(count, mu, nu)``) whose
fields are records shaped like the parameters (Adam's ``count`` one scalar). Any optax
``GradientTransformation`` is an optimiser of the same protocol (``catgrad.learn.optax_lens``).

>>> from catgrad import Array, to_jax
>>> import jax.numpy as jnp
>>> U = momentum(0.5).lens(Array(()))
>>> to_jax(U.bwd)(jnp.float32(1.0), jnp.float32(2.0), jnp.float32(-0.25))
(Array(0.25, dtype=float32), Array(2.25, dtype=float32))
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
from ..core.objects import Array, Ty
from ..lens import Lens
from ..para import Record, as_record, leaves, traced


class EmptyState(NamedTuple):
    """The state of a stateless optimiser (``gd``, ``rda``): no fields (optax's ``EmptyState``).

    >>> import jax.numpy as jnp
    >>> gd().init({"w": jnp.zeros(2)})
    EmptyState()
    """


class MomentumState(NamedTuple):
    """The state of ``momentum`` and ``nesterov``: ``velocity`` ``s`` (``= −α·trace`` of optax), a tree like the parameters.

    >>> import jax.numpy as jnp
    >>> momentum(0.9).init({"dense": {"b": jnp.zeros(2)}})
    MomentumState(velocity={'dense': {'b': Array([0., 0.], dtype=float32)}})
    """

    velocity: Any


class AdagradState(NamedTuple):
    """The state of ``adagrad``: the accumulated squares ``s = Σ g²`` (optax's ``sum_of_squares``), like the parameters.

    >>> import jax.numpy as jnp
    >>> adagrad(0.1).init({"w": jnp.zeros(2)})
    AdagradState(sum_of_squares={'w': Array([0.1, 0.1], dtype=float32)})
    """

    sum_of_squares: Any


class RmspropState(NamedTuple):
    """The state of ``rmsprop``: the moving mean of squares ``nu`` (optax's ``nu``), like the parameters.

    >>> import jax.numpy as jnp
    >>> rmsprop(0.01).init({"w": jnp.zeros(2)})
    RmspropState(nu={'w': Array([0., 0.], dtype=float32)})
    """

    nu: Any


class AdamState(NamedTuple):
    """The state of ``adam``: ``count`` ``t`` (one scalar), ``mu`` ``m`` and ``nu`` ``w`` (trees like the
    parameters), as optax's ``ScaleByAdamState``.

    >>> import jax.numpy as jnp
    >>> st = adam().init({"w": jnp.zeros(2)})
    >>> st._fields, st.mu
    (('count', 'mu', 'nu'), {'w': Array([0., 0.], dtype=float32)})
    """

    count: Any
    mu: Any
    nu: Any


@dataclass(frozen=True, eq=False)
class Optimiser:
    """An optimiser: a reparametrisation lens ``U: (S × P, S × P) → (P, P)`` for any parameter record ``P``.

    One protocol for the built-in optimisers, ``rda`` and optax transformations (optax's shape):

    - ``state(P)``: the state record ``S`` (a NamedTuple whose fields are records shaped like ``P``,
      or scalars such as Adam's ``count``);
    - ``init(params)``: the initial state, a tree shaped like ``state(P)``;
    - ``lens(P)``: the lens ``U`` on the wires ``leaves(S) @ leaves(P)``: get ``(s, p) ↦ p̃`` (where the
      gradient is taken), put ``((s, p), v) ↦ (s', p')`` (the update);
    - ``adaptive``: ``True`` when the put needs the gradient itself (use ``learning_rate(1.0)``).

    The built-in ones are lenses on one parameter array mapped over the record (``elementwise``).

    Example: gradient descent with weight decay, ``p' = (1 − λ) p + v``, as a stateless optimiser:

    >>> from catgrad import Array, scale, to_jax
    >>> import jax.numpy as jnp
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

    ``fields``: per-array state fields, ``{field: initial value}`` (a number, the state then an array
    like ``A``); ``shared``: scalar fields shared by all arrays (Adam's ``count``), ``{field: initial
    value}``. ``get(s, p) -> p̃`` and ``put(s, p, v) -> (s', p')`` act on wires, ``s`` a dict of the
    array's state wires (shared ones included); the shared fields' new values are read from the first
    array's put. ``kind``: the parameters' dtypes accepted, ``"float"``, ``"bool"`` or ``"any"``.

    Example: gradient descent with a velocity clipped to ``[−1, 1]`` (a state field like the parameters):

    >>> from catgrad import Array, relu, to_jax
    >>> import jax.numpy as jnp
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

    def mapped_get(s, p):
        return jax.tree_util.tree_map(lambda p_, *fs: get({**dict(zip(fields, fs)), **_shared(s)}, p_),
                                      p, *(getattr(s, f) for f in fields))

    def mapped_put(s, p, v):
        outs = jax.tree_util.tree_map(lambda p_, v_, *fs: put({**dict(zip(fields, fs)), **_shared(s)}, p_, v_),
                                      p, v, *(getattr(s, f) for f in fields))
        is_out = lambda o: isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], dict)  # noqa: E731
        firsts = jax.tree_util.tree_leaves(outs, is_leaf=is_out)
        new = {f: jax.tree_util.tree_map(lambda o, f=f: o[0][f], outs, is_leaf=is_out) for f in fields}
        new.update({f: firsts[0][0][f] if firsts else getattr(s, f) for f in shared})
        return state_class(**new), jax.tree_util.tree_map(lambda o: o[1], outs, is_leaf=is_out)

    def _shared(s) -> dict:
        return {f: getattr(s, f) for f in shared}

    def lens(P) -> Lens:
        S, P = state(P), as_record(P)
        return Lens(traced(mapped_get, S, P), traced(mapped_put, S, P, P))

    return Optimiser(name, state, init, lens, adaptive)


# -- helpers ---------------------------------------------------------------------

def _array(name: str, A, kind: str) -> Array:
    """The parameter array type, checked: ``kind`` is ``"float"``, ``"bool"`` or ``"any"``."""
    if isinstance(A, Ty) and len(A) == 1:
        A = A[0]
    if not isinstance(A, Array):
        raise TypeError(f"{name}: expects one parameter array type (an Array), got {A!r}; "
                        "for a whole parameter object use optimiser_lens(opt, P)")
    if kind == "float" and not A.is_float:
        raise TypeError(f"{name}: needs floating-point parameters, got {A}"
                        + (" (for Z2 parameters use rda)" if A.dtype == "bool" else ""))
    if kind == "bool" and A.dtype != "bool":
        raise TypeError(f"{name}: reverse derivative ascent works on boolean (Z2) parameters, got {A}"
                        " (for real parameters use gd)")
    if kind == "any" and A.dtype not in ("float32", "float64", "bool"):
        raise TypeError(f"{name}: needs float or bool parameters, got {A}")
    return A


def _real(name: str, what: str, x, lo=None, hi=None, lo_open=False, hi_open=False, why: str = "") -> float:
    """``x`` as a float, checked to be a finite real in the range the formula needs (``why`` says which)."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)) or not math.isfinite(x):
        raise TypeError(f"{name}: {what} must be a finite real number, got {type(x).__name__} {x!r}")
    x = float(x)
    bad_lo = lo is not None and (x < lo or (lo_open and x == lo))
    bad_hi = hi is not None and (x > hi or (hi_open and x == hi))
    if bad_lo or bad_hi:
        if lo is not None and hi is not None:
            rng = f"lie in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        elif lo is not None:
            rng = f"be {'>' if lo_open else '≥'} {lo:g}"
        else:
            rng = f"be {'<' if hi_open else '≤'} {hi:g}"
        raise ValueError(f"{name}: {what} must {rng}{why}, got {x!r}")
    return x


def _rate(name: str, x) -> float:
    """A step size ``η > 0``."""
    return _real(name, "eta", x, lo=0.0, lo_open=True, why=" (the step size η)")


def _get_p(s, p):
    return p


def _one_minus_pow(beta: float, t: Wire) -> Wire:
    """``1 − βᵗ`` for a scalar wire ``t ≥ 1``, accurate for ``βᵗ`` near 1.

    ``1 − βᵗ = −expm1(u)`` with ``u = t log β``, and ``expm1(u) = 2 tanh(u/2) / (1 − tanh(u/2))``
    (exact; ``tanh`` keeps its relative accuracy near 0, so no cancellation).
    """
    if beta == 0.0:
        return apply("constant", into=t.builder, type=t.type, value=1.0)
    th = tanh(scale(t, 0.5 * math.log(beta)))
    return scale(th / (1.0 - th), -2.0)


# -- the per-array optimisers ------------------------------------------------------------

def gd() -> Optimiser:
    """Gradient descent: ``S = 1``, get ``p``, put ``p' = p + v`` (``= p − α g`` with ``v = −α g``).

    With ``learning_rate(α)`` its trajectory is ``optax.sgd(α)``'s. On boolean wires ``+`` is
    XOR, so ``gd`` there is ``rda``.

    Reference: [CFGBL §3.4]; ``optax.sgd``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(gd().lens(Array(())).bwd)(jnp.float32(1.0), jnp.float32(-0.5))
    (Array(0.5, dtype=float32),)
    """
    return elementwise("gd", EmptyState, {}, _get_p, lambda s, p, v: ({}, p + v), kind="any")


def momentum(gamma: float = 0.9) -> Optimiser:
    """Momentum ``γ``: ``S_A = A``, get ``p``, put ``s' = γ s + v``, ``p' = p + s'``; ``s₀ = 0``.

    With ``learning_rate(α)`` (``v = −α g``) its trajectory is ``optax.sgd(α, momentum=γ)``'s,
    and ``s = −α · trace`` where ``trace`` is optax's momentum state.

    Reference: [CFGBL §3.4]; ``optax.sgd``, ``optax.trace``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(momentum(0.5).lens(Array(())).bwd)(jnp.float32(1.0), jnp.float32(2.0), jnp.float32(-0.25))
    (Array(0.25, dtype=float32), Array(2.25, dtype=float32))
    """
    return _heavy_ball("momentum", _gamma("momentum", gamma), lookahead=False)


def _gamma(name: str, gamma) -> float:
    return _real(name, "gamma", gamma, lo=0.0, hi=1.0, hi_open=True, why=" (the decay of s' = γ s + v; γ ≥ 1 diverges)")


def _heavy_ball(name: str, gamma: float, lookahead: bool) -> Optimiser:
    """Momentum and Nesterov share the put ``s' = γ s + v, p' = p + s'``; Nesterov's get looks ahead."""

    def get(s, p):
        return p + scale(s["velocity"], gamma)

    def put(s, p, v):
        s_new = scale(s["velocity"], gamma) + v
        return {"velocity": s_new}, p + s_new

    return elementwise(name, MomentumState, {"velocity": 0.0}, get if lookahead else _get_p, put)


def nesterov(gamma: float = 0.9) -> Optimiser:
    """Nesterov momentum: ``S_A = A``, get ``p + γ s``, put ``s' = γ s + v``, ``p' = p + s'``; ``s₀ = 0``.

    The get map is the look-ahead point where the gradient is taken. With
    ``learning_rate(α)`` the sequence of look-ahead points ``p + γ s`` is the parameter
    sequence of ``optax.sgd(α, momentum=γ, nesterov=True)`` (and ``s = −α · trace``).

    Reference: [CFGBL §3.4]; Sutskever et al. 2013; ``optax.sgd(nesterov=True)``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(nesterov(0.5).lens(Array(())).fwd)(jnp.float32(1.0), jnp.float32(2.0))
    (Array(2.5, dtype=float32),)
    """
    return _heavy_ball("nesterov", _gamma("nesterov", gamma), lookahead=True)


def adagrad(eta: float, eps: float = 1e-7, initial_accumulator_value: float = 0.1) -> Optimiser:
    """Adagrad: ``S_A = A``, get ``p``, put ``s' = s + g²``, ``p' = p − η g / √(s' + ε)``, ``g = −v``.

    Conventions of the installed ``optax.adagrad``: ``s₀ = initial_accumulator_value``
    (0.1) and ``ε`` (1e-7) *inside* the square root. (Where ``s' = 0`` optax's update is 0;
    here it is ``0 / √ε = 0`` as well, for ``ε > 0``.) Adaptive: use ``learning_rate(1.0)``.

    Reference: Duchi, Hazan & Singer 2011; [CFGBL §3.4]; ``optax.adagrad``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
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
    """RMSProp: ``S_A = A``, get ``p``, put ``s' = ρ s + (1 − ρ) g²``, ``p' = p − η g / √(s' + ε)``.

    ``g = −v``; ``ρ = decay``. Conventions of the installed ``optax.rmsprop``: ``s₀ =
    initial_scale`` (0) and ``ε`` inside the square root; ``eps_in_sqrt=False`` gives
    ``p' = p − η g / (√s' + ε)`` (PyTorch's placement, optax's option of the same name).
    Adaptive: use ``learning_rate(1.0)``.

    Reference: Tieleman & Hinton 2012; [CFGBL §3.4]; ``optax.rmsprop``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
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
    """Adam: ``S_A = A × A × 1`` holding ``(m, w, t)``; get ``p``; put, with ``g = −v``::

        m' = β₁ m + (1 − β₁) g,   w' = β₂ w + (1 − β₂) g²,   t' = t + 1,
        m̂ = m' / (1 − β₁^{t'}),   ŵ = w' / (1 − β₂^{t'}),
        p' = p − η m̂ / (√(ŵ + ε_root) + ε).

    ``m₀ = w₀ = 0``, ``t₀ = 0`` (a scalar of ``A``'s dtype: optax's ``count``). The bias
    corrections ``1 − βᵗ`` are built from generators as ``−expm1(t log β)``, with
    ``expm1(u) = 2 tanh(u/2) / (1 − tanh(u/2))``. Conventions (``ε`` outside the root,
    ``ε_root`` inside) of the installed ``optax.adam``. Adaptive: use ``learning_rate(1.0)``.

    Reference: Kingma & Ba 2015, Algorithm 1; [CFGBL §3.4]; ``optax.adam``.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
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
    """Reverse derivative ascent [RDA]: gradient descent over Z2.

    ``S = 1``, get ``p``, put ``p' = p + v`` where ``+`` is XOR on boolean wires: a parameter
    bit flips exactly where the signal ``v = π_P R[f]((p, x), f(p, x) + y)`` is 1 (with the
    identity learning rate). It is ``gd`` restricted to boolean parameters.

    Reference: Wilson & Zanasi, Reverse Derivative Ascent [RDA §4]; [CFGBL §5].

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> U = rda().lens(Array((3,), "bool"))
    >>> to_jax(U.bwd)(jnp.array([True, False, True]), jnp.array([True, True, False]))
    (Array([False,  True,  True], dtype=bool),)
    """
    return elementwise("rda", EmptyState, {}, _get_p, lambda s, p, v: ({}, p + v), kind="bool")


__all__ = ["Optimiser", "elementwise", "EmptyState", "MomentumState", "AdagradState", "RmspropState", "AdamState",
           "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rda"]
