"""The graph a layout draws: a diagram's operations as plain data, grouped by scope up to a depth.

A diagram hands itself to drawing as a :class:`Hypergraph` (``Diagram.hypergraph()``): its wires'
type labels, its boundary wires and one :class:`Edge` per operation (the generator's name and drawing
label, the attributes, the input and output wires, the scope); a loop's edge carries its :class:`Body`,
the body's own hypergraph with the loop's length and which wires are constants, carry or sequences.
Drawing knows nothing more of the syntax: it sits below it, as DisCoPy's drawings do.

A :class:`Node` is one operation (depth ``None``), or all the operations of one scope
(``depth=1``: one node per layer, e.g. ``dense``; ``R(dense)`` inside ``R[f]``), with its
input and output wires. Addition, zero and the boolean one become dots; every other
generator a box. Copies, discards and swaps are not operations of a diagram: the layout
draws them where a wire is used several times, not at all, or out of order.

A loop (``scan``) counts as the scope ``scan ×n`` (``scan ×n ←`` when it runs backwards) inside its own:
``depth`` up to its own scope's length draws it inside its layer's box, one more draws it as one box
``scan ×n``, and deeper (or ``None``) opens it: a node of kind ``loop``, drawn as a frame holding its body
(:mod:`catgrad.drawing.loops`), the body at the depth that is left.

A group whose operations are not contiguous in the data flow (an operation outside it
both uses one of its results and feeds it) cannot be one box without a cycle; it is then
drawn expanded.
"""
from __future__ import annotations

import heapq
from typing import NamedTuple


# The generators drawn as dots: the monoid (add, zero) and the boolean constant one [RDA].
DOTS = {"add": "add", "zero": "zero", "one": "one"}


class Body(NamedTuple):
    """The body of a loop ``scan(b, n): K × C × Xⁿ → C × Yⁿ`` as drawing sees it: ``graph``, the body
    ``b: K × C × X → C × Y`` as a :class:`Hypergraph` (its wires carry one step's types), the ``length``
    ``n``, how many inputs are constants ``K`` (``consts``) and carry ``C`` (``carry``; the rest are the
    sequences ``X``, and the outputs after the carry the sequences ``Y``), and whether it runs backwards
    (``reverse``: ``t = n−1 … 0``)."""

    graph: "Hypergraph"
    length: int
    consts: int = 0
    carry: int = 0
    reverse: bool = False

    @property
    def name(self) -> str:
        """The loop's name on the picture: ``scan ×n``, ``scan ×n ←`` when it runs backwards.

        >>> Body(Hypergraph((), (), (), ()), 5, reverse=True).name
        'scan ×5 ←'
        """
        return f"scan ×{self.length}" + (" ←" if self.reverse else "")

    def sequence_ins(self) -> tuple:
        """The indices of the inputs that are sequences (``X``: stacked outside, one step inside)."""
        return tuple(range(self.consts + self.carry, len(self.graph.dom)))

    def sequence_outs(self) -> tuple:
        """The indices of the outputs that are sequences (``Y``, after the carry)."""
        return tuple(range(self.carry, len(self.graph.cod)))


class Edge(NamedTuple):
    """One operation as drawing sees it: the generator's ``name``, its drawing ``label`` as the record states it
    for this operation (``W·x``, ``conv 3×3``; ``None``: the name), the attributes ``attrs`` (pairs), the
    ``ins`` and ``outs`` wire ids, the ``scope``, and for a loop its ``body`` (a :class:`Body`; ``None`` for
    any other operation)."""

    name: str
    label: "str | None"
    attrs: tuple
    ins: tuple
    outs: tuple
    scope: tuple = ()
    body: "Body | None" = None

    @property
    def path(self) -> tuple:
        """The scope the operation is drawn in: its ``scope``, a loop's followed by its name (``scan ×n``)."""
        return self.scope + (self.body.name,) if self.body else self.scope


class Hypergraph(NamedTuple):
    """A diagram as plain data: ``wires`` (one type label per wire id), the ``dom`` and ``cod`` wire ids,
    the ``edges`` (operations) in order, and the names of the boundary wires, ``dom_names`` and
    ``cod_names`` (``()`` for none, ``""`` for an unnamed wire)."""

    wires: tuple
    dom: tuple
    cod: tuple
    edges: tuple
    dom_names: tuple = ()
    cod_names: tuple = ()

    def names(self) -> dict:
        """``{wire id: name}`` of the named boundary wires; a wire both in the domain and the codomain
        keeps its domain name.

        >>> Hypergraph(("f32[3]", "f32[3]"), (0,), (1,), (), ("x",), ("y",)).names()
        {0: 'x', 1: 'y'}
        """
        out = {}
        for ws, ns in ((self.dom, self.dom_names), (self.cod, self.cod_names)):
            for w, n in zip(ws, ns):
                if n and w not in out:
                    out[w] = n
        return out


class Node(NamedTuple):
    """One box, dot or loop: ``label``, input and output wire ids, ``kind`` (``generator``, ``layer``,
    ``loop`` or a dot kind), ``name`` (the generator's or scope's name, shown as a tooltip); an opened
    loop's ``body`` (a :class:`Body`) and the ``depth`` its body is drawn at."""

    label: str
    ins: tuple
    outs: tuple
    kind: str
    name: str
    body: "Body | None" = None
    depth: "int | None" = None


def op_label(op: Edge) -> str:
    """The drawn label of one operation: its record's drawing label (the generator's name if it has none).

    The label is mathematics stated by the generator's record (``Generator.drawing_label``: ``W·x`` for the
    einsum ``ij,j->i``, ``conv 3×3``, a constant's value); drawing only shows it.

    >>> op_label(Edge("einsum", "W·x", (("spec", "ij,j->i"),), (0, 1), (2,)))
    'W·x'
    >>> op_label(Edge("mystery", None, (), (0,), (1,)))
    'mystery'
    """
    return op.label or op.name


def _key(scope: tuple, depth):
    """The group of an operation: ``None`` (drawn alone) or the first ``depth`` names of its scope."""
    if depth is None or (not scope and depth > 0):
        return None
    return scope[:depth] if depth > 0 else ()


def nodes(f: Hypergraph, depth=None) -> list:
    """The nodes of ``f`` in a topological order (operations, or groups of them up to ``depth``)."""
    ops = list(f.edges)
    keys = [None if op.body and depth is not None and depth > len(op.path) else _key(op.path, depth)
            for op in ops]
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
    cod = set(f.cod)
    return [_node(ops, members[i], keys[members[i][0]], users, cod, depth) for i in order]


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


def _node(ops: list, ks: list, key, users: dict, cod: set, depth) -> Node:
    if key is None:
        op = ops[ks[0]]
        if op.body and depth is not None and depth <= len(op.path):  # a loop kept closed (a cycle's group)
            return Node(op.body.name, tuple(op.ins), tuple(op.outs), "layer", "/".join(op.path))
        if op.body:
            inner = None if depth is None else depth - len(op.path)
            return Node(op.body.name, tuple(op.ins), tuple(op.outs), "loop", op.body.name, op.body, inner)
        kind = DOTS.get(op.name, "generator")
        return Node(op_label(op), tuple(op.ins), tuple(op.outs), kind, op.name)
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
