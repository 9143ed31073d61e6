"""The JAX semantics: a functor from diagrams to JAX functions (the compiler).

``to_jax(f)`` interprets ``f`` generator by generator in ``jax.numpy``: an environment maps
wires to arrays and one loop runs the operations in order. The result is a plain function
of arrays, in the order of ``f.dom``'s wires, returning a tuple in the order of ``f.cod``'s;
it composes with ``jax.jit``, ``jax.vmap`` and ``jax.grad``. ``compile(f)`` is its ``jax.jit``.

Functoriality: ``to_jax(f >> g)(*x) == to_jax(g)(*to_jax(f)(*x))`` and
``to_jax(f @ g)(*x, *y) == to_jax(f)(*x) + to_jax(g)(*y)``.
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .. import errors
from ..core.diagram import Diagram, expect_diagram
from ..errors import SemanticsError
from . import functor
from .functor import as_outputs, attributes


def _check_args(name: str, f: Diagram, args) -> list:
    dom = f.dom
    if len(args) != len(dom):
        raise TypeError(errors.arity(name, len(dom), len(args), f" (its domain is {dom})"))
    out = []
    for i, (x, t) in enumerate(zip(args, dom)):
        if t.dtype == "float64" and not jax.config.jax_enable_x64:
            raise TypeError(f"{name}: wire {i} has type {t}, which needs float64: enable it with "
                            "jax.config.update('jax_enable_x64', True)")
        if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
            x = np.asarray(x) if t.dtype == "bool" and not isinstance(x, bool) else jnp.asarray(x, t.dtype)
        if t.dtype == "bool" and getattr(x, "dtype", None) is not None and np.dtype(x.dtype).kind in "iu":
            x = jnp.asarray(check_binary(x, f"{name}: argument {i} ({t})"))
        shape = getattr(x, "shape", None)
        dtype = getattr(x, "dtype", None)
        if shape is None or dtype is None:
            raise TypeError(errors.bad_argument(name, i, t, f"{type(x).__name__} {x!r}, not an array"))
        if tuple(shape) != t.shape:
            raise TypeError(errors.bad_argument(name, i, t, f"an array of shape {tuple(shape)}"))
        if (np.dtype(dtype) == np.bool_) != (t.dtype == "bool") or not np.can_cast(
                np.dtype(dtype), np.dtype(t.dtype), "same_kind"):
            raise TypeError(errors.bad_argument(name, i, t, f"an array of dtype {np.dtype(dtype).name}"))
        if np.dtype(dtype) != np.dtype(t.dtype):
            x = jnp.asarray(x, t.dtype)
        out.append(x)
    return out


def check_binary(x, name: str = "input"):
    """``x`` as a bool array, raising ``ValueError`` unless every entry is 0 or 1 (or a bool).

    Z2 models take bool data; ``check_binary`` accepts 0/1 data of any numeric dtype (e.g. uint8
    images already thresholded) and rejects anything else with the first offending entry.

    >>> check_binary([0, 1, 1])
    array([False,  True,  True])
    >>> check_binary([0.0, 0.5])
    Traceback (most recent call last):
    ...
    ValueError: input is not binary data: entry (1,) is 0.5; a Z2 (boolean) model takes 0/1 or bool values: binarise it first (e.g. x > threshold)
    """
    dtype = getattr(x, "dtype", None)
    if dtype is not None and np.dtype(dtype) == np.bool_:
        return x
    if isinstance(x, jax.core.Tracer):
        raise TypeError(f"{name}: check_binary needs concrete data, got a traced value of dtype {dtype}; "
                        "check (or convert to bool) outside jax.jit")
    a = np.asarray(x)
    if a.dtype == np.bool_:
        return a
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected numeric 0/1 or bool data for a Z2 model, got dtype {a.dtype}")
    bad = ~((a == 0) | (a == 1))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} is not binary data: entry {idx} is {a[idx].item()!r}; a Z2 (boolean) model "
                         "takes 0/1 or bool values: binarise it first (e.g. x > threshold)")
    return a.astype(bool)


def jax_meaning(op, args, types) -> tuple:
    """The JAX meaning of one operation: the record's ``z2_jax`` on Z2 (bool) wires, else its ``jax`` (also
    for a generator with real inputs and a bool output, such as ``compare``, which has no ``z2_jax``)."""
    fn = op.gen.z2_jax if types.z2 and op.gen.z2_jax is not None else op.gen.jax
    if fn is None:
        kind = "Z2 (bool)" if types.z2 else "real"
        raise SemanticsError(f"generator {op.gen.name!r} has no JAX meaning on {kind} wires ({types.dom} → {types.cod})")
    return as_outputs(fn(*args, **attributes(op, types)), len(op.outs))


def interpret(f: Diagram, args) -> tuple:
    """Run ``f`` on JAX arrays (already checked): the one interpreter with the JAX meaning."""
    return functor.interpret(f, jax_meaning, args)


def to_jax(f, *, dom=None, cod=None, name: str | None = None) -> Callable:
    """The JAX function of ``f``: arrays in ``f.dom``'s order to a tuple in ``f.cod``'s order.

    Arguments are checked against the domain (shape and dtype, naming the wire); Python
    numbers and arrays of a castable dtype of the same kind are converted. A Z2 (bool) wire also
    takes integer 0/1 arrays such as uint8 outside ``jax.jit``: ``check_binary`` reads them as bool
    (any other value raises ``ValueError``; a traced integer array, ``TypeError``); the outputs are bool.

    Records (trees of Array types, the parameters of a Para): ``dom`` is a tuple with one record
    per argument and ``cod`` a record, and the function takes and returns trees of that shape;
    this is the one place where trees of arrays are flattened onto wires (JAX's tree order). A
    Para ``(P, f)`` (anything with a record ``param`` and a diagram ``map``) gives the function
    ``(params, *inputs)``, ``params`` a tree shaped like ``P`` (flax's ``apply`` convention).

    >>> from catgrad import Array, sigmoid, nn
    >>> import jax, jax.numpy as jnp
    >>> to_jax(sigmoid(Array(())))(jnp.float32(0.0))
    (Array(0.5, dtype=float32),)
    >>> layer = nn.dense(2, 1)
    >>> to_jax(layer)(layer.init(jax.random.PRNGKey(0)), jnp.ones(2))[0].shape
    (1,)
    """
    if not isinstance(f, Diagram) and isinstance(getattr(f, "map", None), Diagram) and hasattr(f, "param"):
        return to_jax(f.map, dom=(f.param, *f.map.dom[len(jax.tree_util.tree_leaves(f.param)):]),
                      cod=cod, name=name or f"the function of {f!r}")
    expect_diagram("to_jax", f)
    label = name or f"the function of {f!r}"
    if dom is None and cod is None:
        def fn(*args):
            return interpret(f, _check_args(label, f, args))
    else:
        flatten, unflatten = _on_records(label, f, dom, cod)

        def fn(*args):
            return unflatten(interpret(f, _check_args(label, f, flatten(args))))

    fn.__name__ = "catgrad_diagram"  # short: jax.jit names the compiled module after it
    fn.__doc__ = f"JAX semantics of {f!r}"
    return fn


def _on_records(label: str, f: Diagram, dom, cod) -> tuple:
    """``(flatten, unflatten)``: arguments shaped like the records ``dom`` to ``f``'s wires, and ``f``'s
    outputs to a tree shaped like ``cod`` (a tuple when ``cod`` is None)."""
    tu = jax.tree_util
    defs = None if dom is None else [tu.tree_structure(r) for r in dom]
    if defs is not None and sum(d.num_leaves for d in defs) != len(f.dom):
        raise TypeError(f"{label}: the records {dom!r:.200} have {sum(d.num_leaves for d in defs)} arrays, "
                        f"the diagram's domain {len(f.dom)} wires")
    out_def = None if cod is None else tu.tree_structure(cod)

    def flatten(args) -> list:
        if defs is None:
            return list(args)
        if len(args) != len(defs):
            raise TypeError(errors.arity(label, len(defs), len(args)))
        flat = []
        for i, (a, d) in enumerate(zip(args, defs)):
            leaves, got = tu.tree_flatten(a)
            if got != d:
                raise TypeError(f"{label}: argument {i} should be a tree shaped like {dom[i]!r:.300}, got one of "
                                f"structure {got}")
            flat.extend(leaves)
        return flat

    def unflatten(outs: tuple):
        return outs if out_def is None else tu.tree_unflatten(out_def, list(outs))
    return flatten, unflatten


def compile(f: Diagram, *, simplify: bool = True, **jit_kwargs) -> Callable:
    """``jax.jit(to_jax(f))``, after common-subexpression elimination (``simplify``).

    >>> from catgrad import Array, exp
    >>> import jax.numpy as jnp
    >>> compile(exp(Array(())))(jnp.float32(0.0))
    (Array(1., dtype=float32),)
    """
    expect_diagram("compile", f)
    g = f.simplify() if simplify else f
    return jax.jit(to_jax(g, name=f"compiled {f!r}"), **jit_kwargs)
