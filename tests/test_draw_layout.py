"""The layout as data: properties over random diagrams (hypothesis), counted against the diagram itself.

Oracles: the diagram's own wiring (how often each wire is used, which operations are additions),
plane geometry (rectangles that overlap, points on a rectangle's edges), never the layout code.
"""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings

import catgrad as cg
from catgrad import experiments as E
from catgrad.drawing import draw

from strategies import cases

EPS = 1e-6
DOT_GENERATORS = {"add", "zero", "one"}


def overlap(a, b) -> bool:
    """Whether two boxes share interior points."""
    return (a.x < b.x + b.width - EPS and b.x < a.x + a.width - EPS and
            a.y < b.y + b.height - EPS and b.y < a.y + a.height - EPS)


def on_left_or_top_edge(p, b) -> bool:
    x, y = p
    left = abs(x - b.x) < EPS and b.y - EPS <= y <= b.y + b.height + EPS
    top = abs(y - b.y) < EPS and b.x - EPS <= x <= b.x + b.width + EPS
    return left or top


def on_right_edge(p, b) -> bool:
    x, y = p
    return abs(x - (b.x + b.width)) < EPS and b.y - EPS <= y <= b.y + b.height + EPS


def is_dot(p, d) -> bool:
    return any(abs(p[0] - q.x) < EPS and abs(p[1] - q.y) < EPS for q in d.dots)


def is_one_of(p, points) -> bool:
    return any(abs(p[0] - q[0]) < EPS and abs(p[1] - q[1]) < EPS for q in points)


def check_layout(f: cg.Diagram, d, params: int = 0):
    # no two boxes overlap
    for i, a in enumerate(d.boxes):
        for b in d.boxes[i + 1:]:
            assert not overlap(a, b), f"boxes {a} and {b} overlap"
    # every wire starts on an output port of a box, a dot or the boundary, and ends on an input port
    for w in d.wires:
        start, end = w.points[0], w.points[-1]
        assert (any(on_right_edge(start, b) for b in d.boxes) or is_dot(start, d)
                or is_one_of(start, d.inputs) or is_one_of(start, d.params)), f"wire {w} starts nowhere"
        assert (any(on_left_or_top_edge(end, b) for b in d.boxes) or is_dot(end, d)
                or is_one_of(end, d.outputs)), f"wire {w} ends nowhere"
        # forward wires run left to right
        xs = [p[0] for p in w.points]
        assert all(x1 >= x0 - EPS for x0, x1 in zip(xs, xs[1:])), f"wire {w} runs right to left"
    # the boundary keeps its order, top to bottom, on the left and right edges
    assert len(d.inputs) == len(f.dom) - params and len(d.outputs) == len(f.cod)
    for side in (d.inputs, d.outputs):
        ys = [p[1] for p in side]
        assert all(y1 > y0 for y0, y1 in zip(ys, ys[1:])), f"boundary order lost: {ys}"
        assert len({round(p[0], 6) for p in side}) <= 1
    if d.inputs and d.boxes:
        assert d.inputs[0][0] <= min(b.x for b in d.boxes)
    if d.outputs and d.boxes:
        assert d.outputs[0][0] >= max(b.x + b.width for b in d.boxes)
    # everything inside the picture
    for b in d.boxes:
        assert 0 <= b.x and b.x + b.width <= d.width + EPS and 0 <= b.y and b.y + b.height <= d.height + EPS


def expected_counts(f: cg.Diagram) -> Counter:
    """Boxes and dots as the diagram's wiring says: a dot per addition, zero and one, a box per other
    operation, a copy dot per wire used twice or more, a discard dot per wire never used."""
    uses = Counter(f.cod_wires)
    for op in f.ops:
        uses.update(op.ins)
    c = Counter()
    for op in f.ops:
        c["dot" if op.gen.name in DOT_GENERATORS else "box"] += 1
    produced = list(f.dom_wires) + [o for op in f.ops for o in op.outs]
    for w in produced:
        if uses[w] >= 2:
            c["copy"] += 1
        elif uses[w] == 0:
            c["discard"] += 1
    return c


def actual_counts(d) -> Counter:
    c = Counter(box=len(d.boxes))
    for p in d.dots:
        c["copy" if p.kind == "copy" else "discard" if p.kind == "discard" else "dot"] += 1
    return +c


def check_drawing(f: cg.Diagram, **options):
    """``draw(f, **options)``, its layout checked and its boxes and dots counted against ``f``'s wiring."""
    d = draw(f, **options)
    check_layout(f, d)
    assert actual_counts(d) == +expected_counts(f)
    return d


@settings(max_examples=40)
@given(cases(max_ops=4, depth=2))
def test_random_diagrams_are_laid_out_cleanly(case):
    check_drawing(case.f)


@settings(max_examples=15)
@given(cases(max_ops=3, depth=1))
def test_reverse_derivatives_of_random_diagrams(case):
    check_drawing(cg.rdiff(case.f))


@settings(max_examples=15)
@given(cases(max_ops=3, depth=1))
def test_no_type_labels_and_no_sweeps(case):
    d = check_drawing(case.f, types=False, sweeps=0)
    assert all(w.label == "" for w in d.wires)


def test_boxes_are_sized_to_their_labels():
    d = draw(cg.einsum("ijk,kl->ijl", cg.Array((2, 3, 4)), cg.Array((4, 5))))
    (b,) = d.boxes
    assert b.label == "einsum ijk,kl→ijl"  # not a matrix product: drawn as its spec
    assert b.width >= len(b.label) * 7.2


def test_copy_discard_add_zero_are_dots_and_swap_crosses():
    A = cg.Array((3,))
    f = cg.copy(A) >> cg.add(A)
    d = draw(f)
    assert sorted(p.kind for p in d.dots) == ["add", "copy"] and not d.boxes
    d = draw(cg.discard(A) >> cg.zero(A))
    assert sorted(p.kind for p in d.dots) == ["discard", "zero"]
    d = draw(cg.swap(A, A))
    (w0, w1) = d.wires
    # the first input ends at the second output and vice versa: the wires cross
    assert w0.points[0][1] < w1.points[0][1] and w0.points[-1][1] > w1.points[-1][1]


def test_wires_carry_their_types():
    f = cg.sigmoid(cg.Array((3,))) >> cg.sum(cg.Array((3,)), axes=(0,))
    labels = sorted(w.label for w in draw(f).wires)
    assert labels == ["f32[3]", "f32[3]", "f32[]"]


def test_crossing_reduction_untangles_a_swapped_pair():
    """Two independent chains fed crosswise: the sweeps place each box by its input, so no wire crosses
    between the boxes (with no sweep the boxes stay in the order they were built)."""
    A = cg.Array(())
    f = cg.swap(A, A) >> (cg.exp(A) @ cg.sin(A)) >> cg.swap(A, A)
    d = draw(f)
    exp_box = next(b for b in d.boxes if b.label == "exp")
    sin_box = next(b for b in d.boxes if b.label == "sin")
    assert sin_box.y < exp_box.y  # sin reads the first input, on top
    assert d.inputs[0][1] < d.inputs[1][1]


def test_long_wires_run_below_and_stay_left_to_right():
    check_drawing(cg.rdiff(E.tanh_chain(5, 3)))


def test_parameters_enter_from_the_top():
    p = E.model("iris", "hidden")
    d = draw(p)
    check_layout(p.map, d, params=len(p.wires))
    assert len(d.params) == len(p.wires)
    top = min(b.y for b in d.boxes)
    for w in d.wires:
        if any(abs(w.points[0][0] - q[0]) < EPS and abs(w.points[0][1] - q[1]) < EPS for q in d.params):
            assert w.points[0][1] < top
            ys = [q[1] for q in w.points]
            assert ys == sorted(ys), "a parameter wire goes down"
    assert sorted(t.text for t in d.texts) == ["dense.W", "dense.b", "dense_1.W", "dense_1.b"]


def test_layout_is_deterministic():
    f = cg.rdiff(E.model("iris", "hidden").map)
    assert draw(f) == draw(f)


def test_group_that_would_make_a_cycle_is_expanded():
    """Collapsing a non-convex group (an outside operation both reads it and feeds it) would be a cycle."""
    from catgrad.drawing import graph
    A = cg.Array(())
    f = cg.trace(lambda x: cg.exp(cg.sin(cg.exp(x))), A)

    def scoped(*scopes):
        return tuple(op._replace(scope=s) for op, s in zip(f.ops, scopes))
    ops = scoped(("g",), (), ("g",))
    g = cg.Diagram(f.wires, ops, f.dom_wires, f.cod_wires)
    ns = graph.nodes(g.hypergraph(), depth=1)
    assert [n.label for n in ns] == ["exp", "sin", "exp"]
    ops = scoped(("g",), ("g",), ())
    ns = graph.nodes(cg.Diagram(f.wires, ops, f.dom_wires, f.cod_wires).hypergraph(), depth=1)
    assert [(n.label, n.kind) for n in ns] == [("g", "layer"), ("exp", "generator")]
    assert [(n.label, n.kind) for n in graph.nodes(cg.Diagram(f.wires, ops, f.dom_wires, f.cod_wires).hypergraph(), depth=0)] \
        == [("f", "layer")]


@pytest.mark.parametrize("what", ["model", "rdiff"])
def test_depth_one_draws_one_box_per_layer(what):
    p = E.model("iris", "hidden")
    f = p.map if what == "model" else cg.rdiff(p.map)
    scopes = {op.scope[:1] for op in f.ops}
    assert any(scopes), "the operations carry their layers' scopes"
    d = draw(f, depth=1)
    names = sorted(b.label for b in d.boxes if b.kind == "layer")
    assert names == sorted(s[0] for s in scopes if s)


def test_a_scan_is_a_box_holding_its_body_opened_by_depth():
    """A loop is drawn as one box ``scan ×n`` at depth 1 and opened as a frame ``scan ×n`` holding its body's
    generators; the stacked input keeps its stacked type on the picture; its R is drawable the same way
    (tests/test_draw_loops.py checks the frames)."""
    A = cg.Array((2,))
    s = cg.scan(cg.trace(lambda h, x: (cg.tanh(h + x), h), A, A), 3)
    assert [b.label for b in draw(s, depth=1).boxes] == ["scan ×3"]
    opened = draw(s)
    assert [b.label for b in opened.boxes] == ["tanh"]  # the body: add (a dot) and tanh
    assert [f.label for f in opened.frames] == ["scan ×3"]
    assert "f32[3,2]" in [w.label for w in opened.wires]
    assert all(b.label.startswith("scan ×3") for b in draw(cg.rdiff(s), depth=1).boxes)
    assert "tanh" in [b.label for b in draw(cg.rdiff(s)).boxes]
