"""The one place where the learners' package meets how a Para holds its parameters, and an optimiser its state.

The learners' constructions work with parameter *wires*: a Ty ``P`` and lists of arrays in its wire
order. ``para_parts`` reads them off a Para (its parameter wires, its map, an initialiser and the
flattening of a parameter pytree such as ``learn``'s ``TrainState.params``), ``para_of`` builds a
Para from them, and ``optimiser_parts`` gives an optimiser's parameter lens and initial state.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional, Sequence

import jax

from ..core.diagram import Diagram
from ..core.objects import Ty
from ..lens import Lens
from ..para import Para
from ..record import as_record, check_values


class ParaParts(NamedTuple):
    """``(param, map, init, flatten)`` of a Para(C) morphism (see ``para_parts``).

    >>> from catgrad import nn
    >>> sorted(t.shape for t in para_parts(nn.dense(2, 1)).param)
    [(1,), (1, 2)]
    """

    param: Ty
    map: Diagram
    init: Optional[Callable[[Any], list]]
    flatten: Callable[[Any], list]


def para_parts(para: Para, lens: bool = False) -> ParaParts:
    """The parameter wires ``P``, the map ``P × A → B`` (parameters first), ``key ↦ [arrays in P's wire
    order]`` (None when the Para has no initialiser) and ``params ↦ [arrays in P's wire order]`` for a
    parameter pytree such as ``learner.init(key).params``. With ``lens=True`` a Para(Lens) morphism is
    accepted too (its ``map`` is then the lens).

    >>> from catgrad import Array, nn
    >>> P, f, init, flatten = para_parts(nn.dense(2, 1))
    >>> f.dom == P @ Ty(Array((2,)))
    True
    """
    if not isinstance(para, Para):
        raise TypeError(f"expected a Para morphism (P, f), got {type(para).__name__}")
    if isinstance(para.map, Lens) and not lens:
        raise TypeError("expected a Para(C) morphism, got a Para(Lens(C)) one (take the model before .lens())")
    P = para.wires
    if para.init_fn is None:
        init = None if len(P) else (lambda key: [])
    else:
        def init(key):
            return jax.tree_util.tree_leaves(para.init(key))

    def flatten(params) -> list:
        check_values(para.param, params)
        return jax.tree_util.tree_leaves(params)
    return ParaParts(P, para.map, init, flatten)


def para_of(P: Ty, map, init: Optional[Callable[[Any], list]] = None) -> Para:
    """The Para ``(P, map)`` with parameter wires ``P`` and ``init: key ↦ [arrays in P's wire order]``.

    >>> from catgrad import Array, mul
    >>> para_of(Ty(Array(())), mul(Array(()))).dom
    Ty(f32[])
    """
    record = as_record(P)
    tree = jax.tree_util.tree_structure(record)
    return Para(record, map, None if init is None else (lambda key: jax.tree_util.tree_unflatten(tree, list(init(key)))))


def optimiser_parts(optimiser, P: Ty, params: Sequence) -> tuple:
    """``(U, s₀)``: the optimiser's parameter lens ``U: (S × P, S × P) → (P, P)`` and its initial state (a list of
    arrays in ``S``'s wire order) for the parameters ``params`` (in ``P``'s wire order).

    >>> import jax.numpy as jnp
    >>> from catgrad import Array, learn
    >>> U, s0 = optimiser_parts(learn.momentum(0.9), Ty(Array((2,))), [jnp.zeros(2)])
    >>> U.fwd.dom, [s.shape for s in s0]
    (Ty(f32[2], f32[2]), [(2,)])
    """
    record = as_record(P)
    if not len(params):  # the lens alone
        return optimiser.lens(record), []
    values = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(record), list(params))
    return optimiser.lens(record), jax.tree_util.tree_leaves(optimiser.init(values))
