"""The graph a layout draws: a diagram's operations, grouped by scope up to a depth.

A :class:`Node` is one operation (depth ``None``), or all the operations of one scope
(``depth=1``: one node per layer, e.g. ``dense``; ``R(dense)`` inside ``R[f]``), with its
input and output wires. Addition, zero and the boolean one become dots; every other
generator a box. Copies, discards and swaps are not operations of a diagram: the layout
draws them where a wire is used several times, not at all, or out of order.

Drawing is one more meaning of a diagram: through the one interpreter, each operation
becomes a node, its wires the wires of the picture.

A group whose operations are not contiguous in the data flow (an operation outside it
both uses one of its results and feeds it) cannot be one box without a cycle; it is then
drawn expanded.
"""
from __future__ import annotations

import heapq
from typing import NamedTuple

from ..core.diagram import Builder, Diagram, bodies
from ..semantics.functor import interpret

# The generators drawn as dots: the monoid (add, zero) and the boolean constant one [RDA].
DOTS = {"add": "add", "zero": "zero", "one": "one"}

# Drawing labels of generators whose record has none (the record's ``label`` wins).
LABELS = {"neg": "−", "sqrt": "√"}


class Node(NamedTuple):
    """One box or dot: ``label``, input and output wire ids, ``kind`` (``generator``, ``layer`` or a dot
    kind), ``name`` (the generator's or scope's name, shown as a tooltip)."""

    label: str
    ins: tuple
    outs: tuple
    kind: str
    name: str


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def op_label(op) -> str:
    """The drawn label of one operation: the record's label with its defining attribute.

    >>> from catgrad import Array, einsum, scale
    >>> op_label(einsum("ij,j->i", Array((2, 3)), Array((3,))).ops[0])
    'einsum ij,j→i'
    >>> op_label(scale(Array(()), 0.5).ops[0])
    '×0.5'
    """
    gen, attrs = op.gen, dict(op.attrs)
    name = gen.name
    label = gen.label or LABELS.get(name, name)
    if name == "einsum":
        return f"einsum {attrs.get('spec', '')}".replace("->", "→")
    if name == "scale" and "c" in attrs:
        return f"×{_short(attrs['c'])}"
    if name == "pow" and "k" in attrs:
        return f"^{_short(attrs['k'])}"
    if name == "constant" and isinstance(attrs.get("value"), (int, float)):
        return _short(attrs["value"])
    if name == "conv" and "kernel" in attrs:
        return f"conv {'×'.join(map(str, attrs['kernel']))}"
    return label


def _key(scope: tuple, depth):
    """The group of an operation: ``None`` (drawn alone) or the first ``depth`` names of its scope."""
    if depth is None or (not scope and depth > 0):
        return None
    return scope[:depth] if depth > 0 else ()


def operations(f: Diagram) -> list:
    """``f``'s operations in order, as the drawing meaning sees them: each operation is a node
    whose output wires are the values of its outputs (``semantics.functor.interpret``)."""
    seen = []

    def meaning(op, args, types):
        seen.append(op)
        return op.outs
    interpret(f, meaning, list(f.dom_wires))
    return seen


def open_loops(f: Diagram) -> Diagram:
    """``f`` with each loop (an operation with a diagram among its attributes, its body: ``scan``) replaced by its
    body, inside the scope ``"scan ×n"``: so ``depth`` opens it, as every layer. At the scope's depth the loop
    is one box holding its body; below it, the body's generators. The loop's outputs keep their stacked types
    where the body's output wire is used nowhere else. A diagram without loops is returned as it is.

    >>> from catgrad import Array, trace, tanh, scan
    >>> A = Array((2,))
    >>> g = open_loops(scan(trace(lambda h, x: (tanh(h + x), h), A, A), 3))
    >>> [(op.gen.name, op.scope) for op in operations(g)]
    [('add', ('scan ×3',)), ('tanh', ('scan ×3',))]
    """
    ops = operations(f)
    if not any(bodies(op.attrs) for op in ops):
        return f
    b = Builder()
    dom = [b.new_wire(t) for t in f.dom]

    def meaning(op, args, types):
        loop = bodies(op.attrs)
        if not loop:
            return b.apply(op.gen, args, op.attrs, types.cod, op.scope)
        inner = open_loops(loop[0])
        n = len(b.wires)
        outs = b.splice(inner, args, (*op.scope, f"{op.gen.name} ×{dict(op.attrs).get('length', '?')}"))
        used = {i for inner_op in operations(inner) for i in inner_op.ins}
        for w, o, t in zip(inner.cod_wires, outs, types.cod):
            if o >= n and outs.count(o) == 1 and w not in used:
                b.wires[o] = t  # a step output leaves the loop stacked
        return outs

    return b.build(dom, interpret(f, meaning, dom))


def nodes(f: Diagram, depth=None) -> list:
    """The nodes of ``f`` in a topological order (operations, or groups of them up to ``depth``)."""
    ops = operations(f)
    keys = [_key(op.scope, depth) for op in ops]
    while True:
        groups: dict = {}
        members = []
        for k, key in enumerate(keys):
            if key is None:
                members.append([k])
            elif key in groups:
                members[groups[key]].append(k)
            else:
                groups[key] = len(members)
                members.append([k])
        order, cyclic = _quotient_order(ops, members)
        if not cyclic:
            break
        keys = [None if k in cyclic else key for k, key in enumerate(keys)]
    users: dict = {}
    for k, op in enumerate(ops):
        for i in op.ins:
            users.setdefault(i, []).append(k)
    cod = set(f.cod_wires)
    return [_node(ops, members[i], keys[members[i][0]], users, cod) for i in order]


def _quotient_order(ops: list, members: list) -> tuple:
    """A topological order of the groups (smallest first operation first), and the operations of
    groups caught in a cycle (an empty set when there is none)."""
    group_of = {}
    for g, ks in enumerate(members):
        for k in ks:
            group_of[k] = g
    producer = {}
    for k, op in enumerate(ops):
        for o in op.outs:
            producer[o] = group_of[k]
    succ = [set() for _ in members]
    indeg = [0] * len(members)
    for k, op in enumerate(ops):
        g = group_of[k]
        for i in op.ins:
            p = producer.get(i)
            if p is not None and p != g and g not in succ[p]:
                succ[p].add(g)
                indeg[g] += 1
    heap = [(members[g][0], g) for g in range(len(members)) if indeg[g] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, g = heapq.heappop(heap)
        order.append(g)
        for h in succ[g]:
            indeg[h] -= 1
            if indeg[h] == 0:
                heapq.heappush(heap, (members[h][0], h))
    if len(order) == len(members):
        return order, set()
    done = set(order)
    return order, {k for g, ks in enumerate(members) if g not in done and len(ks) > 1 for k in ks}


def _node(ops: list, ks: list, key, users: dict, cod: set) -> Node:
    if key is None:
        op = ops[ks[0]]
        kind = DOTS.get(op.gen.name, "generator")
        return Node(op_label(op), tuple(op.ins), tuple(op.outs), kind, op.gen.name)
    inside = set()
    for k in ks:
        inside.update(ops[k].outs)
    ins, seen = [], set()
    for k in ks:
        for i in ops[k].ins:
            if i not in inside and i not in seen:
                seen.add(i)
                ins.append(i)
    members = set(ks)
    outs = [o for k in ks for o in ops[k].outs
            if o in cod or any(u not in members for u in users.get(o, ()))]
    name = key[-1] if key else "f"
    return Node(name, tuple(ins), tuple(outs), "layer", "/".join(key) or "f")
