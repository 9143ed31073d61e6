"""A model out to deployment: ``export(model, params, *input_types, path=...)`` writes StableHLO.

The file at ``path`` holds the bytes of a serialized ``jax.export.Exported``: the model's JAX function
(its diagram's ``to_jax``, the parameters baked in as constants when given) lowered to StableHLO, which
any process with JAX loads and runs without catgrad::

    exported = jax.export.deserialize(open(path, "rb").read())
    (y,) = exported.call(x)

Beside it, ``path + ".json"`` is a manifest: the input and output names, shapes (``"b"`` for the
symbolic batch size) and dtypes, whether the parameters are baked in, and catgrad's version.

The exported function takes a batch of examples ``(b, *shape)`` for each input type and returns a
batch of outputs: the per-example function mapped over the leading axis (``jax.vmap``), with ``b``
a symbolic dimension (``jax.export.symbolic_shape``), so one artifact serves every batch size;
``batch=n`` fixes it, ``batch=None`` exports the per-example function.

>>> import os, tempfile, jax, jax.numpy as jnp
>>> from catgrad import nn
>>> model = nn.dense(4, 3)
>>> params = model.init(jax.random.PRNGKey(0))
>>> path = os.path.join(tempfile.mkdtemp(), "dense.jaxexport")
>>> manifest = export(model, params, path=path)
>>> manifest["inputs"], manifest["outputs"]
([{'name': 'x0', 'shape': ['b', 4], 'dtype': 'float32'}], [{'name': 'y0', 'shape': ['b', 3], 'dtype': 'float32'}])
>>> loaded = jax.export.deserialize(open(path, "rb").read())
>>> loaded.call(jnp.ones((5, 4)))[0].shape
(5, 3)
"""
from __future__ import annotations

import importlib.metadata
import json
import os
from typing import Callable, Optional, Union

import jax
import numpy as np

from .core.diagram import Diagram
from .core.objects import Array, Ty, TyLike, as_ty
from .para import Para
from .record import check_values, leaves, paths
from .semantics.jax import to_jax

Model = Union[Diagram, Para]


def para_function(model: Para, params) -> Callable:
    """The per-example JAX function ``(*inputs) -> tuple`` of a Para at ``params`` (a pytree shaped like the
    model's parameter record). The one place that reads a Para's parameters."""
    check_values(model.param, params)
    params = jax.tree_util.tree_map(jax.numpy.asarray, params)
    f = to_jax(model)
    return lambda *xs: f(params, *xs)


def _function(model: Model, params) -> tuple[Callable, Ty]:
    """The per-example function with the parameters baked in, and its input types."""
    if isinstance(model, Diagram):
        if params is not None:
            raise TypeError("export: a Diagram has no parameters; give params=None (or export a Para)")
        return to_jax(model), model.dom
    if isinstance(model, Para):
        if isinstance(model.dom, tuple):
            raise TypeError("export: a Para(Lens) is a learner's part, not a model; export the model Para")
        if len(model.wires) and params is None:
            raise TypeError(f"export: the model has parameters {model.param}; give them (e.g. "
                            "learner.init(key).params, or the params of learn.load)")
        if params is None:
            return to_jax(model.map), model.dom
        try:
            return para_function(model, params), model.dom
        except (TypeError, ValueError, KeyError) as e:
            raise TypeError(f"export: the params do not fit the model's parameters {model.param}: {e}") from None
    raise TypeError(f"export: expects a Diagram or a Para, got {type(model).__name__} {model!r}")


def _version() -> str:
    try:
        return importlib.metadata.version("catgrad-lens")
    except importlib.metadata.PackageNotFoundError:  # a source tree that is not installed
        return "unknown"


def _dims(shape) -> list:
    return [d if isinstance(d, int) else str(d) for d in shape]


def _writable(path) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"export: path must be a file path, got {type(path).__name__} {path!r}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OSError(f"export: cannot write {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise OSError(f"export: cannot write {path}: it is a folder")
    return path


def export(model: Model, params=None, *input_types: TyLike, path, batch: Optional[Union[str, int]] = "b") -> dict:
    """Write ``model`` (a Diagram, or a Para with ``params`` baked in) at ``path`` as a serialized
    ``jax.export.Exported`` (StableHLO), and its manifest at ``path + ".json"``; return the manifest.

    ``input_types`` are the per-example input types (default: the model's domain; given, they must equal
    it). ``batch``: the name of a symbolic leading batch axis (default ``"b"``), an int for a fixed one,
    or None for the per-example function. Raises ``TypeError`` for a model without its parameters, or
    input types that do not match, ``OSError`` for a path that cannot be written.

    A learner (``learn.supervised(...)``) is exported as its training step for batches of ``batch`` (an
    int; ``params=None``): inputs the state's arrays (named by their paths, ``params/dense/W``), the batch
    ``x0`` and the targets ``y0``; outputs the new state's arrays, the loss and the prediction.

    >>> import os, tempfile, jax
    >>> from catgrad import nn
    >>> model = nn.dense(4, 3, nn.sigmoid)
    >>> path = os.path.join(tempfile.mkdtemp(), "dense.jaxexport")
    >>> manifest = export(model, model.init(jax.random.PRNGKey(0)), path=path)
    >>> manifest["inputs"], manifest["outputs"][0]["shape"]
    ([{'name': 'x0', 'shape': ['b', 4], 'dtype': 'float32'}], ['b', 3])
    """
    try:
        import jax.export  # noqa: F401 (a submodule older JAX does not import by itself)
    except ImportError as e:
        raise ImportError(f"export needs jax.export (JAX ≥ 0.4.30, with absl-py on the oldest releases): {e}") from None
    if hasattr(model, "compiled_step"):  # a learner: its training step, the state an input (not baked in)
        run, specs, ins, outs = _learner_step(model, params, batch)
        return _write(_writable(path), jax.export.export(jax.jit(run))(*specs), ins, outs, params, batch)
    fn, dom = _function(model, params)
    if input_types:
        given = Ty()
        for t in input_types:
            given = given @ as_ty(t)
        if given != dom:
            raise TypeError(f"export: the input types {given} do not match the model's domain {dom}")
    path = _writable(path)
    if batch is None:
        specs = [jax.ShapeDtypeStruct(t.shape, np.dtype(t.dtype)) for t in dom]
        run = fn
    else:
        if isinstance(batch, str):
            if not batch.isidentifier():
                raise TypeError(f"export: batch must be a symbolic dimension name, an int or None, got {batch!r}")
            (b,) = jax.export.symbolic_shape(batch)
        elif isinstance(batch, int) and not isinstance(batch, bool) and batch > 0:
            b = batch
        else:
            raise TypeError(f"export: batch must be a symbolic dimension name, a positive int or None, got {batch!r}")
        specs = [jax.ShapeDtypeStruct((b, *t.shape), np.dtype(t.dtype)) for t in dom]
        run = jax.vmap(fn)
    exported = jax.export.export(jax.jit(run))(*specs)
    return _write(path, exported, [f"x{i}" for i in range(len(exported.in_avals))],
                  [f"y{i}" for i in range(len(exported.out_avals))], params, batch)


def _learner_step(learner, params, batch) -> tuple:
    """``(run, specs, input names, output names)`` of a learner's training step on batches of ``batch``: the
    inputs are the state's arrays (named by their paths, ``params/dense/W``), the batch ``x0…`` and the
    targets ``y0…``; the outputs the new state's arrays, the loss and the prediction."""
    if params is not None:
        raise TypeError("export: a learner's step takes its state as an input; give params=None")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise TypeError(f"export: a learner's step has a fixed batch size: give batch=n (a positive int), got {batch!r}")
    step, record = learner.compiled_step(batch), learner.state_record
    tree = jax.tree_util.tree_structure(record)
    xs = [Array((batch, *t.shape), t.dtype) for t in learner.model.dom]
    ys = [Array((batch, *t.shape), t.dtype) for t in leaves(learner.loss.param)]

    def run(*args):
        k, nx = tree.num_leaves, len(xs)
        new, loss, pred = step.apply(jax.tree_util.tree_unflatten(tree, args[:k]), args[k:k + nx], args[k + nx:])
        return (*jax.tree_util.tree_leaves(new), loss, pred)
    specs = [jax.ShapeDtypeStruct(t.shape, np.dtype(t.dtype)) for t in (*leaves(record), *xs, *ys)]
    names = list(paths(record, "/"))
    return run, specs, [*names, *(f"x{i}" for i in range(len(xs))), *(f"y{i}" for i in range(len(ys)))], \
        [*names, "loss", "prediction"]


def _write(path: str, exported, ins: list, outs: list, params, batch) -> dict:
    """Write the serialized ``exported`` at ``path`` and its manifest at ``path + ".json"``; return the manifest."""
    data = exported.serialize()
    manifest = {
        "format": "jax.export.Exported (serialized; load with jax.export.deserialize)",
        "inputs": [{"name": n, "shape": _dims(a.shape), "dtype": str(a.dtype)} for n, a in zip(ins, exported.in_avals)],
        "outputs": [{"name": n, "shape": _dims(a.shape), "dtype": str(a.dtype)}
                    for n, a in zip(outs, exported.out_avals)],
        "params_baked_in": params is not None,
        "batch": batch,
        "catgrad_version": _version(),
        "jax_version": jax.__version__,
        "bytes": len(data),
    }
    try:
        with open(path, "wb") as f:
            f.write(data)
        with open(path + ".json", "w") as f:
            json.dump(manifest, f, indent=2)
    except OSError as e:
        raise OSError(f"export: cannot write {path}: {e.strerror or e}") from None
    return manifest


__all__ = ["export", "para_function"]
