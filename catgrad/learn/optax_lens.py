"""optax transformations as optimiser lenses: ``U_tx: (S × P, S × P) → (P, P)``.

Get ``(s, p) ↦ p``; put ``((s, p), v) ↦ (s', p + u)``, ``(u, s') = tx.update(−v, s, p)``: with
``learning_rate(1.0)`` the step is optax's. The put is one opaque generator, ``optax_update`` (no
reverse derivative; drawn ``optax``), on the wires of ``S`` (the record of ``tx.init(P)``), ``P``, ``P``.

>>> import optax
>>> from catgrad import nn, learn
>>> lrn = learn.supervised(nn.dense(3, 2), learn.mse, 1.0, optax.adamw(1e-2))
>>> type(lrn.init(jax.random.PRNGKey(0)).opt_state[0]).__name__
'ScaleByAdamState'
"""
from __future__ import annotations

from typing import Optional

import jax
import numpy as np

from ..core.generators import neg
from ..core.objects import Array, Ty
from ..core.signature import Generator, declare
from ..lens import Lens
from ..record import Record, as_record, leaves, traced
from .optimisers import Optimiser


def is_gradient_transformation(tx) -> bool:
    """Whether ``tx`` looks like an optax ``GradientTransformation`` (``init``/``update`` functions).

    >>> import optax
    >>> is_gradient_transformation(optax.sgd(0.1)), is_gradient_transformation(0.1)
    (True, False)
    """
    return (isinstance(tx, tuple) and callable(getattr(tx, "init", None)) and callable(getattr(tx, "update", None))
            and not hasattr(tx, "lens"))


def _update(*arrays, tx, state_def, param_def):
    """The JAX meaning of ``optax_update``: ``(s…, p…, g…) ↦ (s'…, p'…)``."""
    import optax
    n_s, n_p = state_def.num_leaves, param_def.num_leaves
    s = jax.tree_util.tree_unflatten(state_def, arrays[:n_s])
    p = jax.tree_util.tree_unflatten(param_def, arrays[n_s:n_s + n_p])
    g = jax.tree_util.tree_unflatten(param_def, arrays[n_s + n_p:])
    updates, s_new = tx.update(g, s, p)
    leaves, new_def = jax.tree_util.tree_flatten(s_new)
    if new_def != state_def:
        raise TypeError(f"optax_update: the transformation changed the structure of its state ({state_def} → {new_def})")
    return (*leaves, *jax.tree_util.tree_leaves(optax.apply_updates(p, updates)))


def _typing(dom: Ty, tx, state_def, param_def) -> Ty:
    n_s, n_p = state_def.num_leaves, param_def.num_leaves
    if len(dom) != n_s + 2 * n_p:
        raise TypeError(f"optax_update: expects {n_s} state wires, {n_p} parameter and {n_p} gradient wires, "
                        f"got {len(dom)} wires {dom}")
    if dom[n_s:n_s + n_p] != dom[n_s + n_p:]:
        raise TypeError(f"optax_update: the gradient wires {dom[n_s + n_p:]} must have the parameters' types "
                        f"{dom[n_s:n_s + n_p]}")
    return dom[:n_s + n_p]


optax_update = declare(Generator(
    name="optax_update", typing=_typing, jax=_update, arity=None, label="optax",
    summary="One step of an optax GradientTransformation tx: (s, p, g) ↦ (s', p') (see catgrad.learn.optax_lens).",
    signature="S × P × P → S × P, S the leaves of tx.init(P)",
    formula="(s, p, g) ↦ (s', optax.apply_updates(p, u)) where (u, s') = tx.update(g, s, p)",
    notes="Opaque: the transformation is an attribute (tx and the tree structures of its state and of the "
          "parameters); it has no reverse derivative."))


def optax_optimiser(tx, name: Optional[str] = None) -> Optimiser:
    """An optax ``GradientTransformation`` as an ``Optimiser`` (use ``lr=1.0``), ``name`` (``"optax"``) in messages.

    >>> import optax
    >>> optax_optimiser(optax.sgd(0.1), "sgd").name
    'sgd'
    """
    if not is_gradient_transformation(tx):
        raise TypeError(f"optax_optimiser: expects an optax GradientTransformation (e.g. optax.adam(1e-3)), got "
                        f"{type(tx).__name__} {tx!r:.80}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"optax_optimiser: name must be a str, got {name!r}")
    name = name or "optax"

    def state(P) -> Record:
        P = as_record(P)
        bad = [str(t) for t in leaves(P) if not t.is_float]
        if bad:
            raise TypeError(f"{name}: an optax transformation needs floating-point parameters, got {', '.join(bad)} "
                            "(for Z2 parameters use learn.rda)")
        structs = jax.tree_util.tree_map(lambda t: jax.ShapeDtypeStruct(t.shape, np.dtype(t.dtype)), P)
        try:
            shapes = jax.eval_shape(tx.init, structs)
        except Exception as exc:  # noqa: BLE001 (the transformation's own error, named)
            raise TypeError(f"{name}: tx.init failed on parameters {leaves(P)} ({type(exc).__name__}: {exc})") from None

        def wire(path, leaf):
            try:
                return Array(leaf.shape, leaf.dtype)
            except TypeError:
                raise TypeError(f"{name}: the state leaf {jax.tree_util.keystr(path)} has dtype {leaf.dtype}, which "
                                "catgrad wires do not carry (float32, float64, int32, bool)") from None
        return jax.tree_util.tree_map_with_path(wire, shapes)

    def lens(P) -> Lens:
        P, S = as_record(P), state(P)
        attrs = {"tx": tx, "state_def": jax.tree_util.tree_structure(S), "param_def": jax.tree_util.tree_structure(P)}

        def put(s, p, v):
            ws = [*jax.tree_util.tree_leaves((s, p)), *(neg(x) for x in jax.tree_util.tree_leaves(v))]
            return optax_update(*ws, **attrs)
        return Lens(traced(lambda s, p: p, S, P), traced(put, S, P, P))

    return Optimiser(name, state, tx.init, lens, adaptive=True)


__all__ = ["optax_optimiser", "optax_update", "is_gradient_transformation"]
