"""The one place where the learners' package reads a Para's parameters.

A Para ``(P, f: P × A → B)`` gives its parameter wires ``P`` (a Ty), its map ``f`` (a diagram whose
domain starts with ``P``), an initialiser ``key -> list of arrays`` in ``P``'s wire order, and the
flattening of a parameter pytree (as ``learn``'s ``TrainState.params`` holds it) to that wire order.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from ..core.diagram import Diagram
from ..core.objects import Ty
from ..lens import Lens
from ..para import Para


class ParaParts(NamedTuple):
    """``(param, map, init, flatten)`` of a Para(C) morphism (see ``para_parts``).

    >>> from catgrad import nn
    >>> para_parts(nn.dense(2, 1)).param
    Ty(f32[1], f32[1,2])
    """

    param: Ty
    map: Diagram
    init: Optional[Callable[[Any], list]]
    flatten: Callable[[Any], list]


def para_parts(para: Para) -> ParaParts:
    """The parameter wires ``P``, the map ``P × A → B`` (parameters first), ``key ↦ [arrays in P's wire
    order]`` (None when the Para has no initialiser) and ``params ↦ [arrays in P's wire order]`` for a
    parameter pytree such as ``learner.init(key).params``.

    >>> from catgrad import nn
    >>> P, f, init, flatten = para_parts(nn.dense(2, 1))
    >>> P, f.dom
    (Ty(f32[1], f32[1,2]), Ty(f32[1], f32[1,2], f32[2]))
    """
    if not isinstance(para, Para):
        raise TypeError(f"expected a Para morphism (P, f), got {type(para).__name__}")
    if isinstance(para.map, Lens):
        raise TypeError("expected a Para(C) morphism, got a Para(Lens(C)) one (take the model before .lens())")
    P = para.param
    if para.init_fn is None:
        init = None if len(P) else (lambda key: [])
    else:
        def init(key):
            return list(para.flat(para.init(key)))
    return ParaParts(P, para.map, init, lambda params: list(para.flat(params)))
