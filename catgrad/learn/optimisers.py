"""Optimisers as reparametrisation lenses ``U: (S × P, S × P) → (P, P)`` [CFGBL §3.4, §4].

An optimiser is optax-shaped: for ONE parameter array ``A`` it gives a state object
``S_A``, the initial state arrays, and a lens ``U_A: (S_A × A, S_A × A) → (A, A)`` whose
get ``(s, p) ↦ p̃`` is the point where the gradient is taken and whose put
``((s, p), v) ↦ (s', p')`` is the update. ``v`` is the signal sent back by the learning
rate: ``v = −α g`` for the plain optimisers, ``v = −g`` (``α = 1``) for the adaptive ones,
which carry their own step ``η``. ``optimiser_lens`` tensors the per-array lenses for a
whole parameter object.

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

The state of a whole parameter object is a pytree in optax's convention: a NamedTuple per
optimiser (``EmptyState()`` for gd and rda, ``MomentumState(velocity)``,
``AdagradState(sum_of_squares)``, ``RmspropState(nu)``, ``AdamState(count, mu, nu)``) whose
fields are nested dicts with the parameters' names and shapes (Adam's ``count`` one scalar);
``Optimiser.state_tree`` / ``state_leaves`` convert it from and to the wires of ``S``. Any optax
``GradientTransformation`` is an optimiser too (``catgrad.learn.optax_lens``).

>>> from catgrad import Array, to_jax
>>> import jax.numpy as jnp
>>> U = momentum(0.5).lens(Array(()))
>>> to_jax(U.bwd)(jnp.float32(1.0), jnp.float32(2.0), jnp.float32(-0.25))
(Array(0.25, dtype=float32), Array(2.25, dtype=float32))
"""
from __future__ import annotations

import math
from functools import reduce
from typing import Any, Callable, NamedTuple, Sequence

import jax.numpy as jnp
import numpy as np

from ..core.diagram import Wire, apply, trace, wiring
from ..core.generators import broadcast_to, scale, sqrt, tanh
from ..core.objects import Array, Ty, TyLike, as_ty
from ..lens import Lens
from ..para import nest, pick


class EmptyState(NamedTuple):
    """The state of a stateless optimiser (``gd``, ``rda``): no fields (optax's ``EmptyState``).

    >>> import jax.numpy as jnp
    >>> gd().init_tree([jnp.zeros(2)], [("w",)])
    EmptyState()
    """


class MomentumState(NamedTuple):
    """The state of ``momentum`` and ``nesterov``: ``velocity`` ``s`` (``= −α·trace`` of optax), a pytree like the parameters.

    >>> import jax.numpy as jnp
    >>> momentum(0.9).init_tree([jnp.zeros(2)], [("dense", "b")])
    MomentumState(velocity={'dense': {'b': Array([0., 0.], dtype=float32)}})
    """

    velocity: Any


class AdagradState(NamedTuple):
    """The state of ``adagrad``: the accumulated squares ``s = Σ g²`` (optax's ``sum_of_squares``), like the parameters.

    >>> import jax.numpy as jnp
    >>> adagrad(0.1).init_tree([jnp.zeros(2)], [("w",)])
    AdagradState(sum_of_squares={'w': Array([0.1, 0.1], dtype=float32)})
    """

    sum_of_squares: Any


class RmspropState(NamedTuple):
    """The state of ``rmsprop``: the moving mean of squares ``nu`` (optax's ``nu``), like the parameters.

    >>> import jax.numpy as jnp
    >>> rmsprop(0.01).init_tree([jnp.zeros(2)], [("w",)])
    RmspropState(nu={'w': Array([0., 0.], dtype=float32)})
    """

    nu: Any


class AdamState(NamedTuple):
    """The state of ``adam``: ``count`` ``t`` (one scalar), ``mu`` ``m`` and ``nu`` ``w`` (pytrees like the
    parameters), as optax's ``ScaleByAdamState``.

    >>> import jax.numpy as jnp
    >>> st = adam().init_tree([jnp.zeros(2)], [("w",)])
    >>> st._fields, st.mu
    (('count', 'mu', 'nu'), {'w': Array([0., 0.], dtype=float32)})
    """

    count: Any
    mu: Any
    nu: Any


class Optimiser(NamedTuple):
    """An optimiser, given per parameter array ``A`` (see the module docstring).

    Fields:
        name: e.g. ``"adam"``.
        state: ``A ↦ S_A``, the state object for one parameter array.
        init: ``p ↦ tuple`` of initial state arrays for one parameter value ``p``.
        lens: ``A ↦ U_A: (S_A × A, S_A × A) → (A, A)``.
        adaptive: ``True`` when the put map needs ``g`` itself (use ``learning_rate(1.0)``).
        fields: the name of each wire of ``S_A``, in wire order (e.g. ``("mu", "nu", "count")``).
        state_class: the NamedTuple holding the state of a whole parameter object: one field per
            name in ``fields``, each a pytree with the parameters' names (optax's convention).
        shared: the fields that hold the same scalar for every parameter array (Adam's step count
            ``t``): one value in the state pytree, copied to every array's wire (cast to its dtype)
            when flattened and read from the first array's wire when unflattened.

    For a whole parameter object (``P`` with names ``names``, e.g. a model's ``param`` and
    ``names``), ``parameter_lens`` is ``optimiser_lens``, and ``state_tree`` / ``state_leaves``
    convert the state between the wires of ``S = S_{A₁} × … × S_{Aₙ}`` and the pytree.

    Example: gradient descent with weight decay, ``p' = (1 − λ) p + v``, as a stateless optimiser:

    >>> from catgrad import Array, Lens, identity, scale, to_jax, trace
    >>> import jax.numpy as jnp
    >>> lens = lambda A: Lens(identity(A), trace(lambda p, v: scale(p, 0.99) + v, A, A))
    >>> decayed = Optimiser("decayed_gd", lambda A: (), lambda p: (), lens, adaptive=False)
    >>> to_jax(decayed.lens(Array(())).bwd)(jnp.float32(1.0), jnp.float32(-0.5))
    (Array(0.49, dtype=float32),)
    """

    name: str
    state: Callable[[Array], Ty]
    init: Callable[[Any], tuple]
    lens: Callable[[Array], Lens]
    adaptive: bool
    fields: tuple = ()
    state_class: type = EmptyState
    shared: tuple = ()

    # -- the optimiser on a whole parameter object --------------------------------------
    def parameter_lens(self, P: TyLike, names: Sequence = ()) -> Lens:
        """``U: (S × P, S × P) → (P, P)``: ``optimiser_lens(self, P)``."""
        return optimiser_lens(self, P)

    def state_type(self, P: TyLike, names: Sequence = ()) -> Ty:
        """``S = S_{A₁} × … × S_{Aₙ}``, the state wires of ``parameter_lens(P)``."""
        return reduce(lambda a, b: a @ b, (as_ty(self.state(A)) for A in as_ty(P)), Ty())

    def init_tree(self, flat_params: Sequence, names: Sequence) -> tuple:
        """The initial state of the parameters ``flat_params`` (in wire order, named ``names``) as a pytree."""
        return self.state_tree(init_state(self, flat_params), names)

    def state_tree(self, flat: Sequence, names: Sequence) -> tuple:
        """State wires ``S_{A₁} … S_{Aₙ}`` (each ``len(fields)`` arrays) → ``state_class`` of nested dicts.

        >>> st = adam().state_tree([0, 1, 2, 3, 4, 5], [("w",), ("layer", "b")])
        >>> st.count, st.mu
        (2, {'w': 0, 'layer': {'b': 3}})
        """
        k = len(self.fields)
        if len(flat) != k * len(names):
            raise TypeError(f"{self.name}: expected {k * len(names)} state arrays for {len(names)} parameter "
                            f"arrays, got {len(flat)}")
        per_field = {f: (flat[i] if names else None) if f in self.shared else nest(names, list(flat[i::k]))
                     for i, f in enumerate(self.fields)}
        return self.state_class(**per_field)

    def state_leaves(self, state, names: Sequence, P: TyLike = None) -> list:
        """The inverse of ``state_tree``: the state wires in order, checked against the parameter types ``P``."""
        if not isinstance(state, self.state_class):
            if isinstance(state, tuple) and len(state) == len(self.state_class._fields):
                state = self.state_class(*state)
            else:
                raise TypeError(f"{self.name}: the optimiser state must be a {self.state_class.__name__}"
                                f"{self.state_class._fields}, got {type(state).__name__}")
        P = None if P is None else as_ty(P)
        out = []
        for i, path in enumerate(names):
            types = as_ty(self.state(P[i])) if P is not None else None
            for j, f in enumerate(self.fields):
                if f in self.shared:
                    v = getattr(state, f)
                    if types is not None:
                        v = jnp.asarray(v, types[j].dtype)
                else:
                    v = pick(getattr(state, f), path, f"optimiser state {f}")
                if types is not None and tuple(getattr(v, "shape", ())) != types[j].shape:
                    where = f if f in self.shared else f"{f}/{'/'.join(path)}"
                    raise TypeError(f"optimiser state {where} should have shape {types[j].shape} "
                                    f"({types[j]}), got {getattr(v, 'shape', v)}")
                out.append(v)
        return out


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


def _const(anchor: Wire, t: Array, value: float) -> Wire:
    """The constant ``value`` of type ``t`` in the diagram that ``anchor`` belongs to."""
    return apply("constant", into=anchor.builder, type=t, value=value)


def _update_lens(A: Array, S: Ty, get: Callable, put: Callable) -> Lens:
    """``U_A`` from functions on wires: ``get(*s, p) -> p̃``, ``put(*s, p, v) -> (*s', p')``."""
    return Lens(trace(get, S @ A), trace(put, S @ A @ A))


def _get_p(*ws):
    return ws[-1]


def _one_minus_pow(beta: float, t: Wire) -> Wire:
    """``1 − βᵗ`` for a scalar wire ``t ≥ 1``, accurate for ``βᵗ`` near 1.

    ``1 − βᵗ = −expm1(u)`` with ``u = t log β``, and ``expm1(u) = 2 tanh(u/2) / (1 − tanh(u/2))``
    (exact; ``tanh`` keeps its relative accuracy near 0, so no cancellation).
    """
    if beta == 0.0:
        return _const(t, t.type, 1.0)
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
    def lens(A) -> Lens:
        A = _array("gd", A, "any")
        return _update_lens(A, Ty(), lambda p: p, lambda p, v: p + v)

    return Optimiser("gd", lambda A: Ty(), lambda p: (), lens, adaptive=False)


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
        return p + scale(s, gamma)

    def put(s, p, v):
        s_new = scale(s, gamma) + v
        return s_new, p + s_new

    def lens(A) -> Lens:
        A = _array(name, A, "float")
        return _update_lens(A, Ty(A), get if lookahead else _get_p, put)

    return Optimiser(name, lambda A: Ty(A), lambda p: (jnp.zeros_like(p),), lens, adaptive=False,
                     fields=("velocity",), state_class=MomentumState)


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
        s_new = s + v * v  # g² = v²
        return s_new, p + scale(v / sqrt(s_new + eps), eta)

    def lens(A) -> Lens:
        A = _array("adagrad", A, "float")
        return _update_lens(A, Ty(A), _get_p, put)

    return Optimiser("adagrad", lambda A: Ty(A), lambda p: (jnp.full_like(p, s0),), lens, adaptive=True,
                     fields=("sum_of_squares",), state_class=AdagradState)


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
        s_new = scale(s, decay) + scale(v * v, 1.0 - decay)
        denom = sqrt(s_new + eps) if eps_in_sqrt else sqrt(s_new) + eps
        return s_new, p + scale(v / denom, eta)

    def lens(A) -> Lens:
        A = _array("rmsprop", A, "float")
        return _update_lens(A, Ty(A), _get_p, put)

    return Optimiser("rmsprop", lambda A: Ty(A), lambda p: (jnp.full_like(p, s0),), lens, adaptive=True,
                     fields=("nu",), state_class=RmspropState)


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
    >>> m, w, t, p = to_jax(U.bwd)(*(jnp.float32(0.0),) * 4, jnp.float32(-3.0))
    >>> float(t), round(float(p), 6)
    (1.0, -0.1)
    """
    eta = _rate("adam", eta)
    b1 = _real("adam", "b1", b1, lo=0.0, hi=1.0, hi_open=True, why=" (the bias correction divides by 1 − β₁ᵗ)")
    b2 = _real("adam", "b2", b2, lo=0.0, hi=1.0, hi_open=True, why=" (the bias correction divides by 1 − β₂ᵗ)")
    eps = _real("adam", "eps", eps, lo=0.0, lo_open=True, why=" (p' = p − η m̂ / (√ŵ + ε) is 0/0 where ŵ = 0)")
    eps_root = _real("adam", "eps_root", eps_root, lo=0.0)

    def put(m, w, t, p, v):
        g = -v
        m_new = scale(m, b1) + scale(g, 1.0 - b1)
        w_new = scale(w, b2) + scale(g * g, 1.0 - b2)
        t_new = t + 1.0
        m_hat = m_new / broadcast_to(_one_minus_pow(b1, t_new), p.shape)
        w_hat = w_new / broadcast_to(_one_minus_pow(b2, t_new), p.shape)
        if eps_root:
            w_hat = w_hat + eps_root
        return m_new, w_new, t_new, p - scale(m_hat / (sqrt(w_hat) + eps), eta)

    def state(A) -> Ty:
        A = _array("adam", A, "float")
        return A @ A @ A.with_shape(())

    def init(p) -> tuple:
        return jnp.zeros_like(p), jnp.zeros_like(p), jnp.zeros((), p.dtype)

    def lens(A) -> Lens:
        A = _array("adam", A, "float")
        return _update_lens(A, state(A), _get_p, put)

    return Optimiser("adam", state, init, lens, adaptive=True, fields=("mu", "nu", "count"), state_class=AdamState,
                     shared=("count",))


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
    def lens(A) -> Lens:
        A = _array("rda", A, "bool")
        return _update_lens(A, Ty(), lambda p: p, lambda p, v: p + v)

    return Optimiser("rda", lambda A: Ty(), lambda p: (), lens, adaptive=False)


# -- whole parameter objects ---------------------------------------------------------------

def optimiser_lens(opt: Optimiser, P: TyLike) -> Lens:
    """``U: (S × P, S × P) → (P, P)`` for ``P = A₁ × … × Aₙ`` and ``S = S_{A₁} × … × S_{Aₙ}``.

    The domain lists all the states, then all the parameters. Built as the wiring lens
    ``S₁ … Sₙ A₁ … Aₙ → S₁ A₁ … Sₙ Aₙ`` followed by the tensor ``U_{A₁} ⊗ … ⊗ U_{Aₙ}``.

    >>> from catgrad import Array
    >>> optimiser_lens(momentum(), Array((2,)) @ Array(())).fwd.dom
    Ty(f32[2], f32[], f32[2], f32[])
    """
    if not isinstance(opt, Optimiser):
        raise TypeError(f"optimiser_lens: expects an Optimiser (e.g. learn.adam()), got {type(opt).__name__} {opt!r}")
    P = as_ty(P)
    if len(P) == 0:
        return Lens.identity(Ty())
    states = [as_ty(opt.state(A)) for A in P]
    lenses = [opt.lens(A) for A in P]
    S = reduce(lambda a, b: a @ b, states, Ty())
    nS = len(S)
    order, k = [], 0
    for i, s in enumerate(states):
        order.extend(range(k, k + len(s)))
        order.append(nS + i)
        k += len(s)
    return Lens.of(wiring(S @ P, order)) >> reduce(lambda a, b: a @ b, lenses)


def init_state(opt: Optimiser, flat_params: Sequence) -> tuple:
    """The initial state of ``optimiser_lens(opt, P)``: ``opt.init(pᵢ)`` for each array, concatenated.

    >>> import jax.numpy as jnp
    >>> [s.shape for s in init_state(adam(), [jnp.zeros((2, 3)), jnp.zeros(3)])]
    [(2, 3), (2, 3), (), (3,), (3,), ()]
    """
    if not isinstance(opt, Optimiser):
        raise TypeError(f"init_state: expects an Optimiser (e.g. learn.adam()), got {type(opt).__name__} {opt!r}")
    return tuple(x for p in flat_params for x in opt.init(p))


__all__ = ["Optimiser", "EmptyState", "MomentumState", "AdagradState", "RmspropState", "AdamState", "nest", "pick",
           "optimiser_lens", "init_state", "gd", "momentum", "nesterov", "adagrad", "rmsprop",
           "adam", "rda"]
