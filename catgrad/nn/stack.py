"""Deep stacks without unrolling: ``n`` layers as one ``scan`` over depth.

For a layer ``(P, f: P × A → A)``:

- ``stack(f, n) = (Pⁿ, (p, a) ↦ f(p_{n−1}, … f(p_1, f(p_0, a))))``: ``n`` copies with separate
  parameters, stacked on a leading axis of size ``n`` (the scan's stacked input), the activation the
  carry. The diagram holds the layer once, so building, compiling and drawing it, and its ``R``, do
  not grow with ``n``; ``R`` gives the ``n`` parameter gradients stacked the same way.
- ``repeat(f, n) = (P, (p, a) ↦ f(p, … f(p, f(p, a))))``: the same parameters, tied: ``p`` is a
  constant of the scan, a copy shared by the ``n`` steps, so its ``R`` sums the ``n`` gradients.

>>> from catgrad import Array, nn
>>> deep = stack(nn.dense(4, 4, nn.tanh), 100)
>>> deep.param["dense"]["W"], deep.map.size
(Array((100, 4, 4), 'float32'), 1)
>>> repeat(nn.dense(4, 4, nn.tanh), 100).param["dense"]["W"]
Array((4, 4), 'float32')
"""
from __future__ import annotations

from typing import Union

import jax

from ..core.diagram import trace
from ..core.scan import scan, stacked
from ..para import Para
from ..record import leaves
from .layers import Layer

LayerLike = Union[Para, Layer]


def _endo(layer: Para, what: str) -> None:
    if not isinstance(layer, Para):
        raise TypeError(f"{what}: expects a Para or a Layer, got {type(layer).__name__} {layer!r}")
    if layer.dom != layer.cod:
        raise TypeError(f"{what}: the layer must map a type to itself to be iterated, got {layer.dom} → {layer.cod}")


def _count(n, what):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise TypeError(f"{what}: the number of layers must be a positive int, got {n!r}")


def stack(layer: LayerLike, n: int, name: str = "stack") -> LayerLike:
    """``n`` copies of ``layer`` with separate parameters, stacked on a leading axis and scanned (see the
    module docstring). Parameter names are the layer's; each array gains the leading axis ``n``, and
    ``init`` draws the ``n`` copies from ``n`` split keys.

    >>> from catgrad import nn
    >>> deep = stack(nn.dense(4, 4, nn.tanh), 3)
    >>> jax.tree_util.tree_map(lambda t: t.shape, deep.param)
    {'dense': {'W': (3, 4, 4), 'b': (3, 4)}}
    """
    _count(n, "stack")
    if isinstance(layer, Layer):
        return Layer(lambda A: stack(layer(A), n, name), f"stack({layer.name}, {n})")
    _endo(layer, "stack")
    P, A = layer.wires, layer.dom
    nP, nA = len(P), len(A)
    body = trace(lambda *ws: layer.map(*ws[nA:], *ws[:nA]), A @ P)  # carry a, step input p_t
    loop = scan(body, n, carry=nA)
    Pn = jax.tree_util.tree_map(lambda t: stacked(t, n), layer.param)
    m = trace(lambda *ws: loop(*ws[nP:], *ws[:nP]), leaves(Pn) @ A)

    def init(key):  # n copies drawn from n split keys
        return jax.vmap(layer.init)(jax.random.split(key, n))
    return Para(Pn, m, None if layer.init_fn is None else init).scoped(name)


def repeat(layer: LayerLike, n: int, name: str = "repeat") -> LayerLike:
    """``layer`` applied ``n`` times with tied parameters (see the module docstring).

    >>> from catgrad import nn
    >>> tied = repeat(nn.dense(4, 4, nn.tanh), 10)
    >>> tied.wires, tied.cod
    (Ty(f32[4,4], f32[4]), Ty(f32[4]))
    """
    _count(n, "repeat")
    if isinstance(layer, Layer):
        return Layer(lambda A: repeat(layer(A), n, name), f"repeat({layer.name}, {n})")
    _endo(layer, "repeat")
    loop = scan(layer.map, n, consts=len(layer.wires), carry=len(layer.dom))
    return Para(layer.param, loop, layer.init_fn).scoped(name)


__all__ = ["stack", "repeat"]
