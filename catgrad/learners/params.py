"""The one place where the learners' package reads a Para's parameters.

A Para ``(P, f: P × A → B)`` gives its parameter wires ``P`` (a Ty), its map ``f`` (a diagram whose
domain starts with ``P``) and an initialiser ``key -> list of arrays`` in ``P``'s wire order.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from ..core.diagram import Diagram
from ..core.objects import Ty
from ..lens import Lens
from ..para import Para


def para_parts(para: Para) -> tuple[Ty, Diagram, Optional[Callable[[Any], list]]]:
    """``(P, f, init)`` of a Para(C) morphism: the parameter wires, the map ``P × A → B`` (parameters
    first) and ``key ↦ [arrays in P's wire order]`` (None when the Para has no initialiser).

    >>> from catgrad import nn
    >>> P, f, init = para_parts(nn.dense(2, 1))
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
    return P, para.map, init
