"""optax transformations as optimiser lenses: ``U_tx: (S × P, S × P) → (P, P)``.

For an optax ``GradientTransformation`` ``tx`` (``optax.adamw(...)``, a ``chain`` with clipping,
a schedule, ``inject_hyperparams``, ...) and a parameter object ``P`` with names, the lens is

- get ``(s, p) ↦ p`` (the gradient is taken at the parameters themselves);
- put ``((s, p), v) ↦ (s', p + u)`` with ``(u, s') = tx.update(g, s, p)`` and ``g = −v``,

so with ``learning_rate(1.0)`` (``v = −g``) the learner's step is optax's step: ``tx`` carries
its own learning rate and schedule. (With ``learning_rate(α)`` ``tx`` receives ``α·g``.) The put
map is ONE opaque generator, ``optax_update``, declared once like any other: its inputs are the
leaves of optax's state pytree (``S`` is ``tx.init(P)`` flattened; the tree structure is an
attribute of the operation), the parameters and the gradient; its JAX meaning calls
``tx.update`` and ``optax.apply_updates``. It has no reverse derivative (``rdiff`` raises
``NotDifferentiableError`` naming it) and is drawn as a box labelled ``optax``. The learner's
state is optax's own state pytree.

>>> import optax, jax
>>> from catgrad import nn, learn
>>> lrn = learn.supervised(nn.dense(3, 2), learn.mse, 1.0, optax.adamw(1e-2))
>>> type(lrn.init(jax.random.PRNGKey(0)).opt_state[0]).__name__
'ScaleByAdamState'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import jax
import numpy as np

from ..core.diagram import trace, wiring
from ..core.generators import neg
from ..core.objects import Array, Ty, TyLike, as_ty
from ..core.signature import Generator, declare
from ..lens import Lens
from ..para import nest, pick


def is_gradient_transformation(tx) -> bool:
    """Whether ``tx`` looks like an optax ``GradientTransformation`` (a pair of ``init``/``update`` functions)."""
    return (isinstance(tx, tuple) and callable(getattr(tx, "init", None)) and callable(getattr(tx, "update", None))
            and not hasattr(tx, "lens"))


def _apply_updates(p, u):
    import optax
    return optax.apply_updates(p, u)


def _update(*arrays, tx, state_def, names):
    """The JAX meaning of ``optax_update``: ``(s…, p…, g…) ↦ (s'…, p'…)``."""
    n_s, n_p = state_def.num_leaves, len(names)
    s = jax.tree_util.tree_unflatten(state_def, arrays[:n_s])
    p = nest(names, arrays[n_s:n_s + n_p])
    g = nest(names, arrays[n_s + n_p:])
    updates, s_new = tx.update(g, s, p)
    leaves, new_def = jax.tree_util.tree_flatten(s_new)
    if new_def != state_def:
        raise TypeError(f"optax_update: the transformation changed the structure of its state ({state_def} → {new_def})")
    p_new = _apply_updates(p, updates)
    return (*leaves, *(pick(p_new, path) for path in names))


def _typing(dom: Ty, tx, state_def, names) -> Ty:
    n_s, n_p = state_def.num_leaves, len(names)
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
    notes="Opaque: the transformation is an attribute (tx, the state's tree structure state_def, the parameter "
          "names); it has no reverse derivative."))


@dataclass(frozen=True, eq=False)
class OptaxOptimiser:
    """An optax ``GradientTransformation`` as a catgrad optimiser (see the module docstring).

    Build with ``optax_optimiser(tx)``; ``learn.supervised`` wraps a transformation itself.
    The state is optax's: ``init_tree`` is ``tx.init`` of the parameters.

    >>> import optax
    >>> from catgrad import learn
    >>> learn.optax_optimiser(optax.sgd(0.1)).name
    'optax'
    """

    tx: Any
    name: str = "optax"
    _layouts: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _layout(self, P: Ty, names: Sequence) -> tuple:
        """``(state_def, S)`` for parameters of types ``P`` named ``names`` (from ``tx.init`` on shapes only)."""
        key = (P, tuple(names))
        if key not in self._layouts:
            for t in P:
                if not t.is_float:
                    raise TypeError(f"{self.name}: an optax transformation needs floating-point parameters, got {t} "
                                    "(for Z2 parameters use learn.rda)")
            structs = nest(names, [jax.ShapeDtypeStruct(t.shape, np.dtype(t.dtype)) for t in P])
            try:
                shapes = jax.eval_shape(self.tx.init, structs)
            except Exception as exc:  # noqa: BLE001 (the transformation's own error, named)
                raise TypeError(f"{self.name}: tx.init failed on parameters {P} ({type(exc).__name__}: {exc})") from None
            leaves, state_def = jax.tree_util.tree_flatten(shapes)
            S = Ty()
            for path, leaf in jax.tree_util.tree_flatten_with_path(shapes)[0]:
                try:
                    S = S @ Array(leaf.shape, leaf.dtype)
                except TypeError:
                    raise TypeError(f"{self.name}: the state leaf {jax.tree_util.keystr(path)} has dtype {leaf.dtype}, "
                                    "which catgrad wires do not carry (float32, float64, int32, bool)") from None
            self._layouts[key] = (state_def, S)
        return self._layouts[key]

    def parameter_lens(self, P: TyLike, names: Sequence) -> Lens:
        """``U_tx: (S × P, S × P) → (P, P)``: get ``(s, p) ↦ p``, put ``(s, p, v) ↦ optax_update(s, p, −v)``."""
        P = as_ty(P)
        state_def, S = self._layout(P, names)
        n_s, n_p = len(S), len(P)
        get = wiring(S @ P, list(range(n_s, n_s + n_p)))
        attrs = {"tx": self.tx, "state_def": state_def, "names": tuple(tuple(n) for n in names)}

        def put(*ws):
            g = [neg(v) for v in ws[n_s + n_p:]]
            return optax_update(*ws[:n_s + n_p], *g, **attrs)
        return Lens(get, trace(put, S @ P @ P))

    def state_type(self, P: TyLike, names: Sequence) -> Ty:
        """``S``: the wires of optax's state for these parameters."""
        return self._layout(as_ty(P), names)[1]

    def init_tree(self, flat_params: Sequence, names: Sequence) -> Any:
        """``tx.init`` of the parameters (as the nested dict named by ``names``)."""
        return self.tx.init(nest(names, list(flat_params)))

    def state_tree(self, flat: Sequence, names: Sequence) -> Any:
        """The state wires → optax's state pytree (its structure from ``tx.init``)."""
        for key, (state_def, S) in self._layouts.items():
            if key[1] == tuple(names) and state_def.num_leaves == len(flat):
                return jax.tree_util.tree_unflatten(state_def, list(flat))
        raise TypeError(f"{self.name}: no state layout for parameters named {list(names)} with {len(flat)} state wires")

    def state_leaves(self, state, names: Sequence, P: TyLike = None) -> list:
        """optax's state pytree → the state wires, checked against the structure ``tx.init`` gives."""
        leaves, got = jax.tree_util.tree_flatten(state)
        if P is None:
            return leaves
        state_def, S = self._layout(as_ty(P), names)
        if got != state_def:
            raise TypeError(f"{self.name}: the optimiser state does not have the structure of tx.init(params): "
                            f"expected {state_def}, got {got}")
        for i, (a, t) in enumerate(zip(leaves, S)):
            if tuple(np.shape(a)) != t.shape:
                raise TypeError(f"{self.name}: optimiser state leaf {i} should have shape {t.shape} ({t}), "
                                f"got {np.shape(a)}")
        return leaves


def optax_optimiser(tx, name: Optional[str] = None) -> OptaxOptimiser:
    """An optax ``GradientTransformation`` as an optimiser of ``learn.supervised`` (use ``lr=1.0``).

    ``name`` (default ``"optax"``) names it in messages and checkpoints.

    >>> import optax
    >>> optax_optimiser(optax.sgd(0.1), "sgd").name
    'sgd'
    """
    if not is_gradient_transformation(tx):
        raise TypeError(f"optax_optimiser: expects an optax GradientTransformation (e.g. optax.adam(1e-3)), got "
                        f"{type(tx).__name__} {tx!r:.80}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"optax_optimiser: name must be a str, got {name!r}")
    return OptaxOptimiser(tx, name or "optax")


__all__ = ["OptaxOptimiser", "optax_optimiser", "optax_update", "is_gradient_transformation"]
