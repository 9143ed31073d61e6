"""Max pooling: ``reduce_max`` and its locally constant mask ``max_hit``, and ``max_pool2d``.

Max pooling with ``stride == window`` dividing the spatial sizes is a ``reshape`` into
windows followed by ``reduce_max``; any other ``window``/``stride`` (overlapping windows,
sizes not divisible; windows that do not fit are dropped, as in ``VALID`` pooling) first
extracts the windows with a ``conv`` against a constant one-hot kernel (computed at the
highest precision, so values are copied exactly; an input containing ±inf or NaN then
gives NaN, since ``0·inf = NaN``).

``R[reduce_max](x, dy) = h · broadcast(dy / Σh)`` with ``h = max_hit(x)`` (1 at the ``t`` entries
equal to the maximum of their window, 0 elsewhere), so each of the ``t`` tied maxima gets ``dy/t``,
the division done at the pooled size: **ties share the cotangent equally** (as the gradient of
``jax.numpy.max``; ``jax.lax.reduce_window`` pooling gives all of it to one entry instead).
``max_hit`` is locally constant, ``R = 0``, so ``R[R[max_pool2d]]`` exists.

>>> from catgrad import Array
>>> max_pool2d(Array((4, 26, 26))).cod
Ty(f32[4,13,13])
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import sympy as sp

from .conv import canon_axes, conv, pair
from .diagram import apply, composite, trace
from .generators import reject_typing, broadcast, reshape
from .labels import window
from .generators import sum as sum_
from .objects import Array, Ty
from .signature import Generator, declare, doctests

__all__ = ["reduce_max", "max_hit", "max_pool2d"]


# -- reduce_max and its locally constant mask --------------------------------------------

def _type_reduce(name):
    def typing(dom, axes):
        a = dom[0]
        if not a.is_float:
            reject_typing(name, dom, f"expects a floating-point array, got dtype {a.dtype}")
        if name == "max_hit":
            return Ty(a)
        return Ty(a.with_shape([n for i, n in enumerate(a.shape) if i - a.ndim not in axes]))
    return typing


def _to_rows(x, axes):
    """Move ``axes`` last and flatten them: an array of shape ``(…kept, window)``."""
    nd = x.ndim
    pos = [a % nd for a in axes]
    kept = [i for i in range(nd) if i not in pos]
    y = np.transpose(x, kept + pos)
    return y.reshape(y.shape[:len(kept)] + (-1,)), kept, pos


def _sympy_reduce_max(x, axes):
    rows, _, _ = _to_rows(x, axes)
    out = np.empty(rows.shape[:-1], dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = sp.Max(*rows[idx])
    return out


reduce_max = declare(Generator(
    name="reduce_max", signature="A → A without axes, A a float array", typing=_type_reduce("reduce_max"), jax=lambda x, axes: jnp.max(x, axis=axes),
    sympy=_sympy_reduce_max, rdiff=lambda x, dy, axes: [_rdiff_reduce_max(x, dy, axes)],
    canon=canon_axes("reduce_max"), params=("axes",),
    label=lambda dom, axes: f"max {window(dom, axes)}",
    summary="reduce_max(A, axes): the maximum over axes.", formula="reduce_max(x)_j = max_{i over axes} x_{i,j}",
    rdiff_formula="R[reduce_max](x, dy) = h·broadcast(dy / Σh),  h = max_hit(x)  (ties share dy equally)",
    example=">>> from catgrad import Array\n>>> reduce_max(Array((2, 3)), axes=(1,)).cod\nTy(f32[2])"))


def _rdiff_reduce_max(x, dy, axes):
    """``R[reduce_max](x, dy) = h · broadcast(dy / Σ_axes h)`` with ``h = max_hit(x)``: the division
    happens at the pooled size (cheaper than dividing ``h`` by the tie count at the input's size)."""
    h = max_hit(x, axes=axes)
    return h * broadcast(dy / sum_(h, axes=axes), shape=x.shape, axes=axes)


def _sympy_max_hit(x, axes):
    rows, kept, pos = _to_rows(x, axes)
    out = np.empty(rows.shape, dtype=object)
    for idx in np.ndindex(*rows.shape[:-1]):
        r = rows[idx]
        for i in range(len(r)):
            out[idx + (i,)] = sp.Mul(*(sp.Heaviside(r[i] - r[j], 1) for j in range(len(r)) if j != i))
    shape_t = [x.shape[i] for i in kept + pos]
    return np.transpose(out.reshape(shape_t), np.argsort(kept + pos))


max_hit = declare(Generator(
    name="max_hit", signature="A → A, A a float array", typing=_type_reduce("max_hit"),
    jax=lambda x, axes: (x == jnp.max(x, axis=axes, keepdims=True)).astype(x.dtype), sympy=_sympy_max_hit,
    rdiff=lambda x, dy, axes: [None], canon=canon_axes("max_hit"), params=("axes",),
    label="[x = max]",
    summary="max_hit(A, axes): 1 at the entries of each window (over axes) equal to its maximum, else 0.",
    formula="max_hit(x)_i = [x_i = max of its window]", rdiff_formula="R[max_hit](x, dy) = 0 (locally constant)",
    example=">>> from catgrad import Array\n>>> max_hit(Array((2, 3)), axes=(1,)).cod\nTy(f32[2,3])"))





def _one_hot_windows(kh, kw, dtype):
    eye = np.eye(kh * kw, dtype=dtype)
    return eye.reshape(kh * kw, kh, kw)


@composite(1)
def max_pool2d(x, window=2, stride=None):
    """2-D max pooling over the last two axes: ``x: (…, H, W)`` ↦ ``(…, H', W')``.

    ``y[…, i, j] = max_{p<k₀, q<k₁} x[…, i·s₀ + p, j·s₁ + q]`` with ``H' = ⌊(H − k₀)/s₀⌋ + 1``
    (``stride`` defaults to ``window``; windows that do not fit are dropped, no padding).
    With ``stride == window`` dividing ``H`` and ``W`` this is a reshape into windows and
    ``reduce_max``; otherwise the windows are gathered by a ``conv`` with a constant one-hot kernel. Its
    operations are in the scope ``max-pool k₀×k₁`` (drawn as one box of that name when collapsed).

    ``R[max_pool2d](x, dy)`` sends ``dy`` to the maximum of each window; **ties share it equally**
    (like ``jax.numpy.max``; ``jax.lax.reduce_window`` gives it to one entry). It is a diagram of
    generators whose own ``R`` exists (the mask is locally constant).

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> f = max_pool2d(Array((1, 4, 4)))
    >>> to_jax(f)(jnp.arange(16.0).reshape(1, 4, 4))[0]
    Array([[[ 5.,  7.],
            [13., 15.]]], dtype=float32)
    """
    name = "max_pool2d"
    k = pair(window, "window", name)
    s = k if stride is None else pair(stride, "stride", name)
    t = x.type
    if t.ndim < 2 or not t.is_float:
        raise TypeError(f"{name}: expects a floating-point array (…, H, W) of rank ≥ 2, got {t}")
    H, W = t.shape[-2:]
    if H < k[0] or W < k[1]:
        raise TypeError(f"{name}: the window {k} is larger than the input's spatial size {(H, W)} ({t})")
    return apply(trace(lambda w: _pool(w, k, s), t), x, scope=(f"max-pool {k[0]}×{k[1]}",))


def _pool(x, k, s):
    """The windows' maxima of ``x`` (the body of ``max_pool2d``, drawn inside its scope ``max-pool k₀×k₁``)."""
    t = x.type
    H, W = t.shape[-2:]
    lead = t.shape[:-2]
    if s == k and H % k[0] == 0 and W % k[1] == 0:
        y = reshape(x, (*lead, H // k[0], k[0], W // k[1], k[1]))
        return reduce_max(y, axes=(-3, -1))
    c = int(np.prod(lead, dtype=np.int64))
    flat = x if len(lead) == 1 else reshape(x, (c, H, W))
    kern = apply("constant", into=x.builder, type=Array((k[0] * k[1], *k), t.dtype),
                 value=_one_hot_windows(k[0], k[1], t.dtype))
    windows = conv(flat, kern, spec="c01,p01->cp01", window_strides=s, precision="highest")
    y = reduce_max(windows, axes=(-3,))
    return y if len(lead) == 1 else reshape(y, (*lead, *y.shape[-2:]))

__test__ = doctests((reduce_max, max_hit))
