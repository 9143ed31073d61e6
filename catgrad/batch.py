"""Batching: a functor from per-example diagrams to diagrams over a leading batch axis.

Models are written per example, as in the papers. ``batch(f, n, batched)`` gives the
diagram that runs ``f`` on ``n`` examples at once: a batched wire of type ``A`` becomes
``Aⁿ`` (shape ``(n, *A.shape)``), an unbatched one (a parameter) stays ``A``, and each
operation is replaced by its batched form (each generator declares it). Where an unbatched
wire meets a batched one it is broadcast along the batch axis: a parameter shared across
the batch is a copy, and since ``R[broadcast] = sum``, its reverse derivative sums over the
batch. So ``R[batch(f)]`` computes a weight gradient of ``linear`` as one matrix product,
never as per-example outer products.

>>> from catgrad import Array, matmul
>>> f = batch(matmul(Array((2, 3)), Array((3,))), 5, (False, True))
>>> f.dom, f.cod
(Ty(f32[2,3], f32[5,3]), Ty(f32[5,2]))
"""
from __future__ import annotations

from typing import Sequence

from .core.diagram import Builder, Diagram, Wire, apply, bodies, wires
from .core.objects import Array, Ty


def _batched(t: Array, n: int) -> Array:
    return t.with_shape((n, *t.shape))


def _spread(b: Builder, w: int, n: int, scope: tuple = ()) -> int:
    """Broadcast an unbatched wire along a new leading batch axis of size ``n``."""
    t = b.wires[w]
    return apply("broadcast", Wire(b, w), scope=scope, shape=(n, *t.shape), axes=(-(t.ndim + 1),)).id


def batch(f: Diagram, n: int, batched: Sequence[bool] | None = None) -> Diagram:
    """``f`` over a leading batch axis of size ``n``.

    ``batched[i]`` says whether domain wire ``i`` carries the batch axis (default: all);
    every codomain wire is batched (an unbatched result is broadcast), as with ``jax.vmap``.

    >>> from catgrad import Array, sigmoid
    >>> batch(sigmoid(Array((3,))), 8).dom
    Ty(f32[8,3])
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"batch: the batch size must be a positive int, got {n!r}")
    batched = [True] * len(f.dom) if batched is None else list(batched)
    if len(batched) != len(f.dom):
        raise TypeError(f"batch: got {len(batched)} batched flags for a domain of {len(f.dom)} wires ({f.dom})")
    b = Builder()
    m, flag = {}, {}
    for w, fl in zip(f.dom_wires, batched):
        m[w] = b.new_wire(_batched(f.wires[w], n) if fl else f.wires[w])
        flag[w] = bool(fl)
    for op in f.ops:
        fl = [flag[i] for i in op.ins]
        ins = [m[i] for i in op.ins]
        if not any(fl):
            outs = b.append(op.gen, ins, op.attrs, [f.wires[o] for o in op.outs], op.scope)
            for o, new in zip(op.outs, outs):
                m[o], flag[o] = new, False
            continue
        attrs = dict(op.attrs)
        if op.gen.batch_all:
            ins = [w if f_ else _spread(b, w, n, op.scope) for w, f_ in zip(ins, fl)]
            fl = [True] * len(fl)
        if op.gen.batch is not None:
            hook = {"batch": batch} if bodies(op.attrs) else {}  # a higher-order generator batches its body
            attrs = op.gen.batch(tuple(fl), n, Ty(*(f.wires[i] for i in op.ins)), **attrs, **hook)
            if isinstance(attrs, tuple):  # the batched form as a diagram on the batched inputs, and its output flags
                form, out_flags = attrs
                spliced = [w.id for w in wires(apply(form, *(Wire(b, i) for i in ins), into=b, scope=op.scope))]
                for o, new, fo in zip(op.outs, spliced, out_flags):
                    expected = _batched(f.wires[o], n) if fo else f.wires[o]
                    if b.wires[new] != expected:
                        raise TypeError(f"batch: the batched form of {op.gen.name!r} has type {b.wires[new]}, "
                                        f"expected {expected}")
                    m[o], flag[o] = new, bool(fo)
                continue
        outs = [w.id for w in wires(apply(op.gen, *(Wire(b, i) for i in ins), into=b, scope=op.scope, **attrs))]
        for o, new in zip(op.outs, outs):
            expected = _batched(f.wires[o], n)
            if b.wires[new] != expected:
                raise TypeError(f"batch: the batched form of {op.gen.name!r} has type {b.wires[new]}, expected {expected}")
            m[o], flag[o] = new, True
    cod = [m[w] if flag[w] else _spread(b, m[w], n) for w in f.cod_wires]
    return b.build([m[w] for w in f.dom_wires], cod)
