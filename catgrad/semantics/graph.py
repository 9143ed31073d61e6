"""The diagram's own data as a networkx graph (what ``draw`` renders).

A functor into graphs, through the one interpreter: each operation adds its node. Nodes:
``("wire", i)`` (attribute ``type``), ``("op", k)`` (attributes ``gen``, ``attrs``, ``label``, ``scope``), and the boundary ports ``("dom", i)`` and ``("cod", j)``. Edges run in the
direction data flows, with the port number as the ``port`` attribute.
"""
from __future__ import annotations

import itertools

import networkx as nx

from ..core.diagram import Diagram, expect_diagram
from .functor import interpret


def to_networkx(f: Diagram) -> nx.MultiDiGraph:
    """The bipartite graph of wires and operations of ``f``, with its boundary ports.

    >>> from catgrad import Array, sigmoid
    >>> g = to_networkx(sigmoid(Array((3,))))
    >>> sorted(n[0] for n in g.nodes)
    ['cod', 'dom', 'op', 'wire', 'wire']
    """
    expect_diagram("to_networkx", f)
    g = nx.MultiDiGraph()
    for i, w in enumerate(f.dom_wires):
        g.add_node(("wire", w), kind="wire", type=f.wires[w])
    count = itertools.count()

    def meaning(op, args, types):  # an operation becomes a node, its output wires nodes fed by it
        k = ("op", next(count))
        g.add_node(k, kind="op", gen=op.gen.name, attrs=dict(op.attrs), label=op.gen.drawing_label(types.dom, op.attrs),
                   scope=op.scope)
        for p, w in enumerate(args):
            g.add_edge(w, k, port=p)
        outs = [("wire", o) for o in op.outs]
        for p, (w, t) in enumerate(zip(outs, types.cod)):
            g.add_node(w, kind="wire", type=t)
            g.add_edge(k, w, port=p)
        return outs

    doms = [("wire", w) for w in f.dom_wires]
    cods = interpret(f, meaning, doms)
    for p, w in enumerate(doms):
        g.add_node(("dom", p), kind="dom")
        g.add_edge(("dom", p), w, port=p)
    for p, w in enumerate(cods):
        g.add_node(("cod", p), kind="cod")
        g.add_edge(w, ("cod", p), port=p)
    return g
