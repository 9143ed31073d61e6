"""Backpropagation as a functor ``L_{ε,e}: Para → Learn`` [BaF §III, Theorem III.2].

Fix a step ``ε > 0`` and an error ``e(x, y)`` such that ``∂e/∂x(x₀, –): ℝ → ℝ`` is invertible
for every ``x₀``. A parametrised map ``(P, I: P × A → B)`` goes to the learner ``(P, I, U_I, r_I)``:

- total error ``E_I(p, a, b) = Σⱼ e(Iⱼ(p, a), bⱼ)`` (a sum over every component of every wire of B);
- update ``U_I(p, a, b) = p − ε ∇_p E_I(p, a, b)`` (one step of gradient descent);
- request ``r_I(p, a, b) = f_a(∇_a E_I(p, a, b))``, ``f_a`` applying componentwise the inverse of
  ``∂e/∂x(aᵢ, –)``: the input that, taken as a target for ``a``, would send back the same gradient.

The gradients are ``R[E_I](p, a, b, 1)``: catgrad's reverse derivative, as a diagram. ``L`` is a
symmetric monoidal functor: ``L(f ; g) = L(f) ; L(g)`` and ``L(f ⊗ g) = L(f) ⊗ L(g)`` up to the
parameter bijection ``Q × P ≅ P × Q`` (Para composes parameters as ``Q × P``, Learn as ``P × Q``).

Errors (records :class:`Error`): ``quadratic(c)``: ``e = (c/2)(x − y)²``, inverse ``y = x − z/c``
(``c = 1`` is [BaF]'s choice, with ``r_I = a − ∇_a E_I``); ``cosh_error``: ``e = cosh(x − y) − 1``,
``∂e/∂x = sinh(x − y)``, inverse ``y = x − asinh z``.

>>> from catgrad import nn
>>> learner = L(nn.dense(2, 1), step=0.1, error=quadratic())
>>> sorted(t.shape for t in learner.param), learner.dom, learner.cod   # the parameters W and b
([(1,), (1, 2)], Ty(f32[2]), Ty(f32[1]))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.diagram import Diagram, identity, trace
from ..core.generators import constant, exp, heaviside, log, scale, sqrt
from ..core.generators import sum as cg_sum
from ..para import Para
from ..rdiff import rdiff
from .learn_category import Learner, call
from .params import para_parts


@dataclass(frozen=True)
class Error:
    """An error function ``e(x, y)`` with the inverse of ``∂e/∂x(x, –)`` [BaF §III].

    Args:
        name: a name for printing.
        value: on wires, ``(x, y) ↦ e(x, y)`` elementwise (an array of the wires' shape).
        inverse: on wires, ``(x, z) ↦ y`` with ``∂e/∂x(x, y) = z``.

    >>> quadratic().name
    'quadratic'
    """

    name: str
    value: Callable
    inverse: Callable

    def __repr__(self):
        return f"<Error {self.name}>"


def quadratic(c: float = 1.0) -> Error:
    """The quadratic error ``e(x, y) = (c/2)(x − y)²``: ``∂e/∂x = c(x − y)``, inverse ``y = x − z/c``.

    With ``c = 1`` the request is ``r_I(p, a, b) = a − ∇_a E_I(p, a, b)`` [BaF §III].

    >>> quadratic(2.0).name
    'quadratic(2.0)'
    """
    c = float(c)
    if not c > 0:
        raise ValueError(f"quadratic: the scale c must be positive, got {c}")
    name = "quadratic" if c == 1.0 else f"quadratic({c})"
    return Error(name, lambda x, y: scale((x - y) * (x - y), c / 2), lambda x, z: x - scale(z, 1 / c))


def _cosh_value(x, y):
    d = x - y
    return scale(exp(d) + exp(-d), 0.5) - 1.0


def _cosh_inverse(x, z):
    sign = scale(heaviside(z), 2.0) - 1.0  # asinh z = sign(z)·log(|z| + √(z² + 1)), stable for z ≪ 0
    return x - sign * log(sign * z + sqrt(z * z + 1.0))


#: The error ``e(x, y) = cosh(x − y) − 1``: ``∂e/∂x(x, y) = sinh(x − y)`` is a bijection of ℝ for each
#: ``x``, with inverse ``z ↦ x − asinh z`` (another error satisfying [BaF]'s condition).
cosh_error = Error("cosh", _cosh_value, _cosh_inverse)


def total_error(model: Para, error: Error) -> Diagram:
    """``E_I: P × A × B → ℝ``, ``E_I(p, a, b) = Σⱼ e(Iⱼ(p, a), bⱼ)``.

    >>> from catgrad import nn
    >>> total_error(nn.dense(2, 1), quadratic()).cod
    Ty(f32[])
    """
    P, I = para_parts(model)[:2]
    A, B = I.dom[len(P):], I.cod
    nP, nA = len(P), len(A)
    if not B or any(not t.is_float for t in B) or len({t.dtype for t in B}) > 1:
        raise TypeError(f"L: the model's codomain must be nonempty floating-point wires of one dtype, got {B}")

    def E(*ws):
        p, a, b = ws[:nP], ws[nP:nP + nA], ws[nP + nA:]
        terms = [cg_sum(error.value(x, y)) for x, y in zip(call(I, *p, *a), b)]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    return trace(E, P @ A @ B)


def L(model: Para, step: float, error: Error = None) -> Learner:
    """The learner ``L_{ε,e}(P, I) = (P, I, U_I, r_I)`` of [BaF, Theorem III.2] (see the module docstring).

    Args:
        model: a Para morphism ``(P, I: P × A → B)``.
        step: the step size ``ε > 0``.
        error: an :class:`Error` (default ``quadratic()``).

    >>> import jax.numpy as jnp
    >>> from catgrad import Array, Para, mul, to_jax
    >>> R = Array(())
    >>> l = L(Para(R, mul(R)), step=0.5)
    >>> to_jax(l.update)(2.0, 3.0, 0.0)   # p − ε·(p·a − b)·a = 2 − 0.5·6·3
    (Array(-7., dtype=float32),)
    """
    error = quadratic() if error is None else error
    if not isinstance(model, Para):
        raise TypeError(f"L: expects a Para morphism (P, I), got {type(model).__name__}")
    if not isinstance(error, Error):
        raise TypeError(f"L: error must be an Error (quadratic(), cosh_error, ...), got {type(error).__name__}")
    eps = float(step)
    if not eps > 0:
        raise ValueError(f"L: the step ε must be positive, got {step}")
    P, I, init, _ = para_parts(model)
    A, B = I.dom[len(P):], I.cod
    for t in A:
        if not t.is_float:
            raise TypeError(f"L: the model's input wires must be floating point (the request is a gradient), got {A}")
    E = total_error(model, error)
    scalar = E.cod
    grad = (identity(P @ A @ B) @ constant(scalar[0], 1.0)) >> rdiff(E)   # (p, a, b) ↦ (∇_p, ∇_a, ∇_b) E_I
    nP, nA = len(P), len(A)

    def update(*ws):
        g = call(grad, *ws)
        return tuple(p - scale(gp, eps) for p, gp in zip(ws[:nP], g[:nP]))

    def request(*ws):
        g = call(grad, *ws)
        return tuple(error.inverse(a, ga) for a, ga in zip(ws[nP:nP + nA], g[nP:nP + nA]))

    dom = P @ A @ B
    return Learner(P, A, B, I, trace(update, dom).simplify(), trace(request, dom).simplify(),
                   init)


