"""Initialisers: ``(key, shape, dtype) -> array``, each taking an explicit PRNG key.

Fan-in/fan-out of a shape: a matrix ``(n_out, n_in)`` has fan-in ``n_in`` and fan-out
``n_out``; a kernel ``(O, C, kh, kw)`` has fan-in ``C·kh·kw`` and fan-out ``O·kh·kw``.

- ``normal(σ)``: N(0, σ²);
- ``glorot_uniform``: U(−l, l), ``l = √(6 / (fan_in + fan_out))`` [Glorot & Bengio 2010];
- ``glorot_normal``: N(0, 2 / (fan_in + fan_out));
- ``he_normal``: N(0, 2 / fan_in) [He et al. 2015];
- ``zeros``.

>>> import jax
>>> glorot_uniform(jax.random.PRNGKey(0), (3, 4)).shape
(3, 4)
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .. import errors

Initialiser = Callable[..., jax.Array]


def fans(shape) -> tuple:
    """``(fan_in, fan_out)`` of a parameter shape (vectors: both the length).

    >>> fans((3, 4)), fans((8, 3, 5, 5))
    ((4, 3), (75, 200))
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def normal(stddev: float = 1.0) -> Initialiser:
    """N(0, stddev²); ``stddev`` a finite real number > 0.

    >>> import jax
    >>> normal(0.1)(jax.random.PRNGKey(0), (2,)).shape
    (2,)
    """
    stddev = errors.real("nn.init.normal", "stddev", stddev, low=0.0, low_open=True)

    def init(key, shape, dtype="float32"):
        return stddev * jax.random.normal(key, shape, dtype)
    return init


def glorot_uniform(key, shape, dtype="float32"):
    """U(−l, l) with ``l = √(6 / (fan_in + fan_out))``.

    >>> import jax
    >>> w = glorot_uniform(jax.random.PRNGKey(0), (3, 4))
    >>> bool(abs(w).max() <= (6 / 7) ** 0.5)
    True
    """
    fi, fo = fans(shape)
    lim = np.sqrt(6.0 / (fi + fo))
    return jax.random.uniform(key, shape, dtype, -lim, lim)


def glorot_normal(key, shape, dtype="float32"):
    """N(0, 2 / (fan_in + fan_out)).

    >>> import jax
    >>> glorot_normal(jax.random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    fi, fo = fans(shape)
    return np.sqrt(2.0 / (fi + fo)) * jax.random.normal(key, shape, dtype)


def he_normal(key, shape, dtype="float32"):
    """N(0, 2 / fan_in).

    >>> import jax
    >>> he_normal(jax.random.PRNGKey(0), (8, 3, 3, 3)).shape
    (8, 3, 3, 3)
    """
    fi, _ = fans(shape)
    return np.sqrt(2.0 / fi) * jax.random.normal(key, shape, dtype)


def zeros(key, shape, dtype="float32"):
    """All zeros (the key is unused).

    >>> zeros(None, (2,))
    Array([0., 0.], dtype=float32)
    """
    return jnp.zeros(shape, dtype)


#: The initialisers by name, for ``init="..."`` arguments of the layers (see :func:`get`).
INITIALISERS = {"glorot_uniform": glorot_uniform, "glorot": glorot_uniform, "glorot_normal": glorot_normal,
                "he_normal": he_normal, "he": he_normal, "zeros": zeros, "normal": normal(1.0)}


def get(init, where: str = "nn.init.get") -> Initialiser:
    """An initialiser by name (one of :data:`INITIALISERS`) or as given (a function ``(key, shape, dtype)``).

    >>> get("glorot") is glorot_uniform
    True
    """
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(errors.expected(
            where, "init", f"a function (key, shape, dtype) -> array or one of the names {sorted(INITIALISERS)}",
            init, "e.g. init=nn.init.normal(0.1)" if isinstance(init, (int, float)) else ""))
    return INITIALISERS[errors.choice(where, "initialiser", init, sorted(INITIALISERS))]
