"""Two generators that JAX programs use and catgrad's own layers did not: the error function and
``stop_gradient``.

- ``erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt`` (``jax.nn.gelu(approximate=False)`` is ``½x(1 + erf(x/√2))``);
  ``R[erf](x, dy) = (2/√π) e^(−x²)·dy``;
- ``stop_gradient(x) = x``, whose reverse derivative is zero by definition: ``R[stop_gradient](x, dy) = 0``
  (it is not the derivative of the identity; it marks a value as a constant for ``R``, as
  ``jax.lax.stop_gradient`` does, e.g. the shift by the maximum inside ``jax.nn.softmax``).

>>> import jax.numpy as jnp
>>> from catgrad import Array, to_jax, rdiff
>>> round(float(to_jax(erf(Array(())))(jnp.float32(1.0))[0]), 4)
0.8427
>>> to_jax(rdiff(stop_gradient(Array((2,)))))(jnp.ones(2), jnp.ones(2))[0].tolist()
[0.0, 0.0]
"""
from __future__ import annotations

import math

import jax
import numpy as np
import sympy as sp

from .. import errors
from .generators import exp, scale
from .signature import Generator, declare, doctests


def _float_unary(name):
    def typing(dom):
        if len(dom) != 1 or not dom[0].is_float:
            raise TypeError(errors.type_rule(name, dom, "expects one floating-point array (float32 or float64)"))
        return dom
    return typing


def _vec(f):
    v = np.vectorize(f, otypes=[object])
    return lambda x: v(x)


erf = declare(Generator(
    name="erf", typing=_float_unary("erf"), jax=jax.lax.erf, sympy=_vec(sp.erf),
    rdiff=lambda x, dy: [scale(dy * exp(-(x * x)), 2.0 / math.sqrt(math.pi))],
    summary="The error function, elementwise.", signature="A → A, elementwise, A a float array",
    formula="erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt", rdiff_formula="R[erf](x, dy) = (2/√π)·e^(−x²)·dy",
    example=">>> from catgrad import Array\n>>> erf(Array((3,))).cod\nTy(f32[3])"))

stop_gradient = declare(Generator(
    name="stop_gradient", typing=_float_unary("stop_gradient"), jax=jax.lax.stop_gradient, sympy=lambda x: x,
    rdiff=lambda x, dy: [None], label="sg",
    summary="The identity on values whose reverse derivative is zero (jax.lax.stop_gradient).",
    signature="A → A, A a float array", formula="stop_gradient(x) = x",
    rdiff_formula="R[stop_gradient](x, dy) = 0 (by definition: the value is a constant for R)",
    example=">>> from catgrad import Array\n>>> stop_gradient(Array((3,))).cod\nTy(f32[3])"))

__test__ = doctests((erf, stop_gradient))
__all__ = ["erf", "stop_gradient"]
