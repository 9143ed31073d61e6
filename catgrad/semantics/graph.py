"""The diagram's own data as a networkx graph (what ``draw`` renders).

Nodes: ``("wire", i)`` (attribute ``type``), ``("op", k)`` (attributes ``gen``, ``attrs``,
``label``), and the boundary ports ``("dom", i)`` and ``("cod", j)``. Edges run in the
direction data flows, with the port number as the ``port`` attribute.
"""
from __future__ import annotations

import networkx as nx

from ..core.diagram import Diagram


def to_networkx(f: Diagram) -> nx.MultiDiGraph:
    """The bipartite graph of wires and operations of ``f``, with its boundary ports.

    >>> from catgrad import Array, sigmoid
    >>> g = to_networkx(sigmoid(Array((3,))))
    >>> sorted(n[0] for n in g.nodes)
    ['cod', 'dom', 'op', 'wire', 'wire']
    """
    if not isinstance(f, Diagram):
        raise TypeError(f"to_networkx expects a Diagram, got {type(f).__name__} {f!r}")
    g = nx.MultiDiGraph()
    for i, t in enumerate(f.wires):
        g.add_node(("wire", i), kind="wire", type=t)
    for k, op in enumerate(f.ops):
        g.add_node(("op", k), kind="op", gen=op.gen.name, attrs=dict(op.attrs), label=op.gen.label or op.gen.name)
        for p, i in enumerate(op.ins):
            g.add_edge(("wire", i), ("op", k), port=p)
        for p, o in enumerate(op.outs):
            g.add_edge(("op", k), ("wire", o), port=p)
    for p, w in enumerate(f.dom_wires):
        g.add_node(("dom", p), kind="dom")
        g.add_edge(("dom", p), ("wire", w), port=p)
    for p, w in enumerate(f.cod_wires):
        g.add_node(("cod", p), kind="cod")
        g.add_edge(("wire", w), ("cod", p), port=p)
    return g
