"""Indexing generators: ``gather`` (rows of a table picked by integer indices) and its
reverse, ``scatter_add``.

With ``b = batch_dims`` leading axes ``B`` shared by both operands:

- ``gather(E, i)``: ``E: (*B, V, *S)``, ``i: int32 (*B, *I)`` ↦ ``(*B, *I, *S)``,
  ``gather(E, i)[β, ι] = E[β, i[β, ι]]``;
- ``scatter_add(i, u, rows=V)``: ``i: int32 (*B, *I)``, ``u: (*B, *I, *S)`` ↦ ``(*B, V, *S)``,
  ``scatter_add(i, u)[β, v] = Σ_{ι : i[β, ι] = v} u[β, ι]``.

They are each other's reverse derivative: ``R[gather](E, i, dy) = (scatter_add(i, dy, V), 0)`` and
``R[scatter_add](i, u, dy) = (0, gather(dy, i))`` (an index is an integer wire: its cotangent is
structurally zero). So ``R[R[gather]]`` is again made of the two.

Out-of-range indices, in every meaning (JAX and sympy): an index outside ``0 … V−1``, negative ones
included (there is no wrap-around as in NumPy's ``E[-1]``), makes ``gather`` read NaN (so a bad index
shows up in the loss instead of silently reading another row) and ``scatter_add`` drop its value.

>>> import jax.numpy as jnp
>>> from catgrad import Array, to_jax
>>> f = gather(Array((4, 2)), Array((3,), "int32"))
>>> f.cod
Ty(f32[3,2])
>>> to_jax(f)(jnp.arange(8.0).reshape(4, 2), jnp.array([3, 0, 3], jnp.int32))[0].tolist()
[[6.0, 7.0], [0.0, 1.0], [6.0, 7.0]]
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .. import errors
from .diagram import trace
from .generators import broadcast, reject_typing
from .objects import Ty
from .signature import Generator, declare


def _batch_dims(name, dom, b):
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 0:
        reject_typing(name, dom, f"batch_dims must be a non-negative int, got {b!r}")
    return int(b)


def _type_gather(dom, batch_dims=0):
    if len(dom) != 2:
        reject_typing("gather", dom, f"expects 2 input wires (a table and int32 indices), got {len(dom)}")
    E, i = dom
    b = _batch_dims("gather", dom, batch_dims)
    if not E.is_float:
        reject_typing("gather", dom, f"the table (input 0) must be floating-point, got {E}")
    if i.dtype != "int32":
        reject_typing("gather", dom, f"the indices (input 1) must be int32, got {i}")
    if E.ndim < b + 1 or i.ndim < b:
        reject_typing("gather", dom, f"with batch_dims={b} the table needs rank ≥ {b + 1} and the indices rank ≥ {b}")
    if E.shape[:b] != i.shape[:b]:
        reject_typing("gather", dom, f"the {b} batch axes differ: table {E.shape[:b]}, indices {i.shape[:b]}")
    return Ty(E.with_shape(i.shape + E.shape[b + 1:]))


def _type_scatter_add(dom, rows, batch_dims=0):
    if len(dom) != 2:
        reject_typing("scatter_add", dom, f"expects 2 input wires (int32 indices and values), got {len(dom)}")
    i, u = dom
    b = _batch_dims("scatter_add", dom, batch_dims)
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        reject_typing("scatter_add", dom, f"rows (the number of rows V) must be a positive int, got {rows!r}")
    if i.dtype != "int32":
        reject_typing("scatter_add", dom, f"the indices (input 0) must be int32, got {i}")
    if not u.is_float:
        reject_typing("scatter_add", dom, f"the values (input 1) must be floating-point, got {u}")
    if i.ndim < b or u.shape[:i.ndim] != i.shape:
        reject_typing("scatter_add", dom, f"the values' leading axes {u.shape[:i.ndim]} must be the indices' shape {i.shape}")
    return Ty(u.with_shape(i.shape[:b] + (int(rows),) + u.shape[i.ndim:]))


def _vmapped(fn, b):
    for _ in range(b):
        fn = jax.vmap(fn)
    return fn


def _in_range(j, rows):
    """``j`` with every index outside ``0 … rows−1`` replaced by ``rows`` (JAX's indexing would wrap a
    negative index around; ``rows`` is out of range in both the fill and the drop mode)."""
    return jnp.where((j < 0) | (j >= rows), rows, j)


def _jax_gather(E, i, batch_dims):
    def one(e, j):
        return jnp.take(e, _in_range(j, e.shape[0]), axis=0, mode="fill", fill_value=jnp.nan)
    return _vmapped(one, batch_dims)(E, i)


def _jax_scatter_add(i, u, rows, batch_dims):
    def one(j, v):
        return jnp.zeros((rows, *v.shape[j.ndim:]), v.dtype).at[_in_range(j, rows)].add(v, mode="drop")
    return _vmapped(one, batch_dims)(i, u)


def _concrete(i):
    try:
        return np.vectorize(int, otypes=[np.int64])(i)
    except TypeError:
        raise errors.SemanticsError("gather/scatter_add: the sympy meaning needs concrete integer indices, "
                                    "not symbols") from None


def _sympy_gather(E, i, batch_dims):
    j = _concrete(i)
    if batch_dims == 0:
        out = np.empty(j.shape + E.shape[1:], dtype=object)
        for idx in np.ndindex(*j.shape):
            out[idx] = E[j[idx]] if 0 <= j[idx] < E.shape[0] else sp.nan
        return out
    return np.stack([_sympy_gather(E[k], j[k], batch_dims - 1) for k in range(E.shape[0])])


def _sympy_scatter_add(i, u, rows, batch_dims):
    j = _concrete(i)
    if batch_dims:
        return np.stack([_sympy_scatter_add(j[k], u[k], rows, batch_dims - 1) for k in range(j.shape[0])])
    out = np.zeros((rows, *u.shape[j.ndim:]), dtype=object)
    out[...] = 0
    for idx in np.ndindex(*j.shape):
        if 0 <= j[idx] < rows:
            out[j[idx]] = out[j[idx]] + u[idx]
    return out


def _batch_rule(first_is_table: bool):
    """Batching: both operands batched adds a batch dim; an index batched alone (with no batch dims) joins
    the index axes ``I`` of ``gather``, so a shared table is never copied along the batch; otherwise the
    unbatched operand is broadcast along the batch (for an index, a copy of integers) first."""
    def rule(flags, n, dom, batch_dims, **attrs):
        ft, fi = (flags[0], flags[1]) if first_is_table else (flags[1], flags[0])
        if ft and fi:
            return {**attrs, "batch_dims": batch_dims + 1}
        if fi and not ft and batch_dims == 0 and first_is_table:
            return {**attrs, "batch_dims": 0}
        gen = gather if first_is_table else scatter_add

        def form(*ws):
            ws = [w if f else broadcast(w, shape=(n, *w.shape), axes=(-(w.type.ndim + 1),)) for w, f in zip(ws, flags)]
            return gen(*ws, **attrs, batch_dims=batch_dims + 1)
        return trace(form, Ty(*(t.with_shape((n, *t.shape)) if f else t for t, f in zip(dom, flags)))), (True,)
    return rule


def _rdiff_gather(E, i, dy, batch_dims):
    return [scatter_add(i, dy, rows=E.shape[batch_dims], batch_dims=batch_dims), None]


def _rdiff_scatter_add(i, u, dy, rows, batch_dims):
    return [None, gather(dy, i, batch_dims=batch_dims)]


def _canon_gather(dom, batch_dims=0):
    return {"batch_dims": _batch_dims("gather", dom, batch_dims)}


def _canon_scatter_add(dom, rows=None, batch_dims=0):
    if rows is None:
        reject_typing("scatter_add", dom, "needs the number of rows of its result: scatter_add(i, u, rows=V)")
    return {"rows": rows, "batch_dims": _batch_dims("scatter_add", dom, batch_dims)}


gather = declare(Generator(
    name="gather", typing=_type_gather, jax=_jax_gather, sympy=_sympy_gather, rdiff=_rdiff_gather,
    batch=_batch_rule(True), batch_all=False, canon=_canon_gather, arity=2, label="gather",
    summary="Rows of a table picked by int32 indices: gather(E, i), E: (*B, V, *S), i: (*B, *I) → (*B, *I, *S) "
            "(B: the batch_dims leading axes both share; an index out of 0..V−1 reads NaN).",
    signature="(*B, V, *S) × int32 (*B, *I) → (*B, *I, *S)",
    formula="gather(E, i)[β, ι] = E[β, i[β, ι]]",
    rdiff_formula="R[gather](E, i, dy) = (scatter_add(i, dy, rows=V), 0)",
    example=">>> from catgrad import Array\n>>> gather(Array((10, 4)), Array((6,), 'int32')).cod\nTy(f32[6,4])"))

scatter_add = declare(Generator(
    name="scatter_add", typing=_type_scatter_add, jax=_jax_scatter_add, sympy=_sympy_scatter_add,
    rdiff=_rdiff_scatter_add, batch=_batch_rule(False), batch_all=False, canon=_canon_scatter_add, arity=2,
    label="scatter+",
    summary="The reverse of gather: scatter_add(i, u, rows=V) sums the values u into the V rows their "
            "indices name (an index out of 0..V−1 is dropped).",
    signature="int32 (*B, *I) × (*B, *I, *S) → (*B, V, *S)",
    formula="scatter_add(i, u)[β, v] = Σ_{ι : i[β, ι] = v} u[β, ι]",
    rdiff_formula="R[scatter_add](i, u, dy) = (0, gather(dy, i))",
    example=">>> from catgrad import Array\n>>> scatter_add(Array((3,), 'int32'), Array((3, 2)), rows=5).cod\nTy(f32[5,2])"))

__all__ = ["gather", "scatter_add"]
