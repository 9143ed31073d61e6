"""Parameters sharded per array: one ``PartitionSpec`` per parameter of the record, by name or by name pattern.

A parameter object is a named record (``{"block0": {"attention": {"Wq": ...}}}``), so a sharding
can be given per parameter: ``learn.fit(..., mesh=Mesh(devices, ("data", "model")),
param_sharding=rule)`` places each parameter, and each optimiser-state array of the same name
and shape (Adam's ``mu`` and ``nu``, a momentum), on the mesh as its ``PartitionSpec`` says; the
minibatches are sharded on the mesh's first axis (``"data"``). The rule is

- a nested dict shaped like (a part of) the record, ``{"block0": {"attention": {"Wq": P("model", None)}}}``;
- a sequence of ``(pattern, spec)``: the first regular expression found (``re.search``) in the
  parameter's name ``"block0/attention/Wq"`` gives its spec;
- or a function ``(name, shape) -> spec``.

A parameter no rule names is replicated (``P()``). JAX (GSPMD) partitions the compiled step
accordingly: a matrix product with a sharded weight runs on the shards, with the collectives it needs.

>>> from jax.sharding import PartitionSpec as P
>>> spec("block0/attention/Wq", (16, 16), TRANSFORMER)
P('model', None)
>>> spec("head/W", (20, 16), TRANSFORMER)
P()
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence, Union

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

Rule = Union[None, Mapping, Sequence, Callable]

#: The transformer's attention heads and feed-forward hidden width split on the ``"model"`` axis
#: (``W`` is ``(out, in)``): ``Wq, Wk, Wv`` by output rows (the heads), ``Wo`` by input columns
#: (the heads), ``ff1`` by its hidden outputs, ``ff2`` by its hidden inputs.
TRANSFORMER = ((r"attention/W[qkv]$", PartitionSpec("model", None)), (r"attention/Wo$", PartitionSpec(None, "model")),
               (r"ff1/W$", PartitionSpec("model", None)), (r"ff1/b$", PartitionSpec("model")),
               (r"ff2/W$", PartitionSpec(None, "model")))


def spec(name: str, shape: tuple, rule: Rule) -> PartitionSpec:
    """The ``PartitionSpec`` that ``rule`` gives the parameter ``name`` (``"layer/W"``) of ``shape``.

    >>> spec("h/W", (3, 2), {"h": {"W": PartitionSpec(None, "model")}})
    P(None, 'model')
    >>> spec("h/b", (3,), [(r"/b$", PartitionSpec("model"))])
    P('model',)
    """
    if rule is None:
        return PartitionSpec()
    if isinstance(rule, Mapping):
        node = rule
        for part in name.split("/"):
            if not isinstance(node, Mapping) or part not in node:
                return PartitionSpec()
            node = node[part]
        return node if isinstance(node, PartitionSpec) else PartitionSpec()
    if callable(rule):
        return rule(name, tuple(shape)) or PartitionSpec()
    for pattern, s in rule:
        if re.search(pattern, name):
            return s
    return PartitionSpec()


def _name(path) -> list:
    return [str(e.key) for e in path if isinstance(e, jax.tree_util.DictKey)]


def shardings(state, mesh, rule: Rule):
    """A ``NamedSharding`` per array of a ``TrainState``: each parameter's from ``rule``, each optimiser-state
    array of the same name and shape as a parameter the parameter's, the others (a step count) replicated.

    Raises ``ValueError`` naming the parameter if its spec does not fit it (more axes than it has, an
    axis not in the mesh, a length not divisible by the mesh axis).

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(4, 6, name="h"), learn.mse, 1.0, learn.adam())
    >>> mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]).reshape(1, 1), ("data", "model"))
    >>> sh = shardings(lrn.init(jax.random.PRNGKey(0)), mesh, {"h": {"W": PartitionSpec("model", None)}})
    >>> sh.opt_state.mu["h"]["W"].spec, sh.opt_state.count.spec
    (P('model', None), P())
    """
    params = {"/".join(_name(p)): np.shape(a) for p, a in jax.tree_util.tree_flatten_with_path(state.params)[0]}
    specs = {name: _checked(name, shape, spec(name, shape, rule), mesh) for name, shape in params.items()}

    def one(path, a):
        name = "/".join(_name(path))
        same = name in specs and params[name] == np.shape(a)
        return NamedSharding(mesh, specs[name] if same else PartitionSpec())
    return jax.tree_util.tree_map_with_path(one, state)


def _checked(name: str, shape: tuple, s: PartitionSpec, mesh) -> PartitionSpec:
    if len(s) > len(shape):
        raise ValueError(f"param_sharding: {name} has shape {shape}, but its spec {s} names {len(s)} axes")
    for axis, names in zip(shape, s):
        for n in (names,) if isinstance(names, str) else (names or ()):
            if n not in mesh.shape:
                raise ValueError(f"param_sharding: the spec {s} of {name} names the axis {n!r}, not one of the "
                                 f"mesh's {tuple(mesh.axis_names)}")
            if axis % mesh.shape[n]:
                raise ValueError(f"param_sharding: {name} has shape {shape}; its length {axis} is not divisible by "
                                 f"the {mesh.shape[n]} devices of the mesh axis {n!r} ({s})")
    return s


def place(state, mesh, rule: Rule):
    """``state`` (the same on every process) as global arrays placed by :func:`shardings`: each device gets
    its slice only (``jax.make_array_from_callback``).

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(4, 6, name="h"), learn.mse, 1.0, learn.gd())
    >>> mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]).reshape(1, 1), ("data", "model"))
    >>> place(lrn.init(jax.random.PRNGKey(0)), mesh, None).params["h"]["W"].sharding.spec
    P()
    """
    def one(a, sharding):
        a = np.asarray(a)
        return jax.make_array_from_callback(a.shape, sharding, lambda index: a[index])
    return jax.tree_util.tree_map(one, state, shardings(state, mesh, rule))


def replicated(tree, mesh):
    """``tree``'s arrays gathered whole onto every device of ``mesh`` (e.g. to save or evaluate a sharded state).

    >>> import jax, jax.numpy as jnp, numpy as np
    >>> mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]).reshape(1, 1), ("data", "model"))
    >>> replicated({"W": jnp.ones((2, 2))}, mesh)["W"].sharding.is_fully_replicated
    True
    """
    return jax.jit(lambda t: t, out_shardings=NamedSharding(mesh, PartitionSpec()))(tree)


__all__ = ["spec", "shardings", "place", "replicated", "TRANSFORMER"]
