"""Loops drawn as loops: an opened ``scan`` is a frame ``scan ×n`` holding its body (issue 19, point 3).

Oracles: the diagram itself (its scans, found by walking the operations and their bodies, with their
lengths, directions and wiring), plane geometry (points inside rectangles, sampled cubic Béziers) and the
types' shapes (outside a sequence port ``dt[n,…]``, inside ``dt[…]``); a real matplotlib render for pixels.
"""
from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from hypothesis import given, settings

import catgrad as cg
from catgrad import Array, nn
from catgrad.drawing import draw
from catgrad.drawing.style import segments
from catgrad.drawing.svg import num

from strategies import loops
from test_draw_layout import expected_counts

EPS = 1e-6
EDGE = 0.5  # a point this close to a frame's edge is on it


# -- what the diagram says ---------------------------------------------------------------------------------

def loop_name(op) -> str:
    a = dict(op.attrs)
    return f"scan ×{a['length']}" + (" ←" if a["reverse"] else "")


def scan_tree(f: cg.Diagram) -> tuple:
    """What ``f`` holds: its boxes and dots counted from its wiring (a loop is one box), and per loop its
    name, its ports (inputs, outputs), its sequence ports (``X`` and ``Y``) and the same for its body."""
    kids = []
    for op in f.ops:
        if op.gen.name == "scan":
            a = dict(op.attrs)
            body = a["body"]
            seq = len(body.dom) - a["consts"] - a["carry"] + len(body.cod) - a["carry"]
            kids.append((loop_name(op), (len(op.ins), len(op.outs)), seq) + scan_tree(body))
    return (tuple(sorted(expected_counts(f).items())), tuple(sorted(kids)))


# -- what the drawing shows --------------------------------------------------------------------------------

def inside(p, r, margin=EDGE) -> bool:
    return r.x + margin < p[0] < r.x + r.width - margin and r.y + margin < p[1] < r.y + r.height - margin


def outside(p, r, margin=EDGE) -> bool:
    return not (r.x - margin <= p[0] <= r.x + r.width + margin and r.y - margin <= p[1] <= r.y + r.height + margin)


def on_edge(p, r) -> bool:
    return not inside(p, r) and not outside(p, r)


def within(a, r) -> bool:
    """Whether the rectangle ``a`` lies inside ``r``."""
    return r.x - EPS <= a.x and a.x + a.width <= r.x + r.width + EPS and r.y - EPS <= a.y and a.y + a.height <= r.y + r.height + EPS


def disjoint(a, r) -> bool:
    return a.x + a.width <= r.x + EPS or r.x + r.width <= a.x + EPS or a.y + a.height <= r.y + EPS or r.y + r.height <= a.y + EPS


def samples(w, k=12) -> list:
    """Points along a painted wire: each step a line or the cubic Bézier of its two control points."""
    out = [w.points[0]]
    for p, q, c in segments(w.points):
        for i in range(1, k + 1):
            t = i / k
            if c is None:
                out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
            else:
                bx = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3]
                pts = (p, c[0], c[1], q)
                out.append((sum(b * s[0] for b, s in zip(bx, pts)), sum(b * s[1] for b, s in zip(bx, pts))))
    return out


def close(p, q) -> bool:
    return abs(p[0] - q[0]) < EPS and abs(p[1] - q[1]) < EPS


def ports(d, fr) -> tuple:
    """The wires meeting at the frame's edge: ``(point, the wire outside, the wire inside)`` per input port
    (left or top edge: the wire outside ends there) and per output port (right edge: it starts there)."""
    ins, outs = [], []
    for w in d.wires:
        a, b = w.points[0], w.points[-1]
        if on_edge(b, fr) and outside(samples(w)[-2], fr):
            inner = [v for v in d.wires if close(v.points[0], b)]
            assert len(inner) == 1, f"the wire entering {fr.label} at {b} goes on as {len(inner)} wires inside"
            ins.append((b, w, inner[0]))
        if on_edge(a, fr) and outside(samples(w)[1], fr):
            inner = [v for v in d.wires if close(v.points[-1], a)]
            assert len(inner) == 1, f"the wire leaving {fr.label} at {a} comes from {len(inner)} wires inside"
            outs.append((a, w, inner[0]))
    return ins, outs


def parent(item, frames):
    """The smallest frame holding ``item`` (a box, a frame, or a dot's centre), ``None`` at the top."""
    holders = [f for f in frames if f is not item and (within(item, f) if hasattr(item, "width") else inside((item.x, item.y), f))]
    return min(holders, key=lambda f: f.width * f.height, default=None)


def drawn_tree(d) -> tuple:
    """The drawing's frames as a tree, each with what it holds directly counted as ``scan_tree`` counts."""
    counts = {None: Counter()}
    for f in d.frames:
        counts[id(f)] = Counter()
    for b in d.boxes:
        counts[id(parent(b, d.frames)) if parent(b, d.frames) else None]["box"] += 1
    for p in d.dots:
        kind = p.kind if p.kind in ("copy", "discard") else "dot"
        counts[id(parent(p, d.frames)) if parent(p, d.frames) else None][kind] += 1
    kids = {None: []}
    for f in d.frames:
        kids.setdefault(id(f), [])
    for f in d.frames:
        pf = parent(f, d.frames)
        counts[id(pf) if pf else None]["box"] += 1
        kids[id(pf) if pf else None].append(f)

    def form(f):
        ins, outs = ports(d, f)
        return (f.label, (len(ins), len(outs)), len(f.marks)) + tree(id(f))

    def tree(key):
        return (tuple(sorted((+counts[key]).items())), tuple(sorted(form(f) for f in kids[key])))
    return tree(None)


def stacked(inner: str, n: int) -> str:
    """``f32[2]`` stacked ``n`` times: ``f32[n,2]`` (``f32[]``: ``f32[n]``)."""
    m = re.fullmatch(r"(\w+)\[(.*)\]", inner)
    return f"{m[1]}[{n}{',' if m[2] else ''}{m[2]}]"


def check_loops(f: cg.Diagram, d) -> None:
    """Every loop of ``f`` is one frame holding exactly its body; nothing else meets a frame but its ports;
    sequence ports are marked and carry the stacked type outside, one step's inside."""
    assert drawn_tree(d) == scan_tree(f)
    for fr in d.frames:
        for b in d.boxes:
            assert within(b, fr) or disjoint(b, fr), f"box {b.label!r} straddles the frame {fr.label!r}"
        for g in d.frames:
            assert g is fr or within(g, fr) or within(fr, g) or disjoint(g, fr), "two frames overlap"
        for w in d.wires:
            pts = samples(w)
            assert not (any(inside(p, fr) for p in pts) and any(outside(p, fr) for p in pts)), \
                f"a wire crosses the frame {fr.label!r} elsewhere than at a port: {w.points}"
        n = int(re.match(r"scan ×(\d+)", fr.label)[1])
        ins, outs = ports(d, fr)
        at = {m: False for m in fr.marks}
        for p, outer, inner in ins + outs:
            marked = any(close(p, m) for m in fr.marks)
            for m in fr.marks:
                at[m] = at[m] or close(p, m)
            if outer.type and inner.type:
                assert outer.type == (stacked(inner.type, n) if marked else inner.type), (fr.label, p, outer.type, inner.type)
            if inner.label:  # the type, after the wire's name if it has one (``h: f32[3]``)
                shown = inner.label.split(": ")[-1].rstrip("…")
                assert inner.type.startswith(shown), (inner.label, inner.type)
        assert all(at.values()), f"a mark of {fr.label!r} is at no port"


@settings(max_examples=25, deadline=None)
@given(loops())
def test_every_loop_is_a_frame_holding_its_body(f):
    check_loops(f, draw(f))


@settings(max_examples=12, deadline=None)
@given(loops(nesting=1))
def test_R_of_a_loop_is_framed_the_same_way(f):
    r = cg.rdiff(f)
    d = draw(r)
    check_loops(r, d)
    assert any(fr.label.endswith("←") for fr in d.frames), "R[scan] runs a loop backwards"


@settings(max_examples=10, deadline=None)
@given(loops(nesting=1))
def test_parameters_enter_a_frame_from_the_top(f):
    """With its first input a parameter (a Para's), that wire comes down onto the frame's top edge."""
    d = f.to_drawing(params=1)
    check_loops(f, d)
    if f.ops[0].gen.name == "scan":  # the parameter goes straight into the loop
        (fr,) = [g for g in d.frames if parent(g, d.frames) is None]
        tops = [w for w in d.wires if abs(w.points[-1][1] - fr.y) < EPS and close(w.points[0], d.params[0])]
        assert len(tops) == 1 and fr.x < tops[0].points[-1][0] < fr.x + fr.width


# -- the named pictures ------------------------------------------------------------------------------------

def port_types(d, fr) -> list:
    """``(marked, outer type, inner type)`` per port of ``fr`` on its left and right edges."""
    ins, outs = ports(d, fr)
    return [(any(close(p, m) for m in fr.marks), o.type, i.type) for p, o, i in ins + outs
            if abs(p[1] - fr.y) > EPS]


def test_gru_is_a_frame_scan_5_with_its_sequence_marked():
    p = nn.gru(2, 3)(Array((5, 2)))
    d = draw(p)
    check_loops(p.map, d)
    (fr,) = d.frames
    assert fr.label == "scan ×5"
    assert sorted(port_types(d, fr)) == [(False, "f32[3]", "f32[3]"), (False, "f32[3]", "f32[3]"),
                                         (True, "f32[5,2]", "f32[2]")]
    labels = [w.label.split(": ")[-1] for w in d.wires]  # the type, after the name (`xs: f32[5,2]`)
    assert "f32[5,2]" in labels and "f32[2]" in labels
    # the nine parameters come down onto the frame's top edge, the cell's boxes all inside it
    ins, _ = ports(d, fr)
    assert sum(abs(q[1] - fr.y) < EPS for q, _, _ in ins) == 9
    assert all(within(b, fr) for b in d.boxes if b.label != "0")


def test_rnn_style_model_returns_its_sequence_through_a_marked_port():
    """A GRU returning every state, and an Elman RNN ``h' = tanh(W·h + x)`` with its weight a constant."""
    p = nn.gru(2, 3, return_sequences=True)(Array((5, 2)))
    d = draw(p)
    check_loops(p.map, d)
    (fr,) = d.frames
    # the new state is both the carry and the step's output: a copy inside (whose branches are not typed)
    assert sorted(port_types(d, fr)) == [(False, "f32[3]", ""), (False, "f32[3]", "f32[3]"),
                                         (True, "f32[5,2]", "f32[2]"), (True, "f32[5,3]", "")]
    W, H = Array((3, 3)), Array((3,))
    cell = cg.trace(lambda w, h, x: (lambda h2: (h2, h2))(cg.tanh(cg.matmul(w, h) + x)), W, H, H)
    rnn = cg.scan(cell, 4, consts=1)
    d = rnn.to_drawing(params=1)
    check_loops(rnn, d)
    (fr,) = d.frames
    assert fr.label == "scan ×4" and len(fr.marks) == 2
    assert sorted(port_types(d, fr)) == [(False, "f32[3]", ""), (False, "f32[3]", "f32[3]"),
                                         (True, "f32[4,3]", ""), (True, "f32[4,3]", "f32[3]")]


def test_R_gru_frames_a_forward_and_a_reverse_scan():
    r = cg.rdiff(nn.gru(2, 3)(Array((5, 2))).map)
    d = draw(r)
    check_loops(r, d)
    assert sorted(f.label for f in d.frames) == ["scan ×5", "scan ×5 ←"]


def test_depth_closes_a_loop_into_one_box_and_opens_it_one_level_deeper():
    """A loop counts as the scope ``scan ×n`` inside its own: ``gru`` at depth 1, the box ``scan ×5`` at
    depth 2, the frame at depth 3 with the cell (scope ``gru``) inside as one box, every generator at None."""
    f = nn.gru(2, 3)(Array((5, 2))).map
    d1, d2, d3 = (draw(f, depth=k) for k in (1, 2, 3))
    assert [b.label for b in d1.boxes] == ["gru"] and not d1.frames
    assert "scan ×5" in [b.label for b in d2.boxes] and not d2.frames
    (fr,) = d3.frames
    assert fr.label == "scan ×5" and [b.label for b in d3.boxes if within(b, fr)] == ["gru"]
    A = Array((2,))
    inner = cg.scan(cg.trace(lambda h, x: (cg.tanh(h + x), h), A, A), 3)
    nested = cg.scan(inner, 2)
    assert [b.label for b in draw(nested, depth=1).boxes] == ["scan ×2"]
    d = draw(nested, depth=2)
    assert [f.label for f in d.frames] == ["scan ×2"] and [b.label for b in d.boxes] == ["scan ×3"]
    d = draw(nested)
    assert sorted(f.label for f in d.frames) == ["scan ×2", "scan ×3"]
    check_loops(nested, d)
    assert "f32[2,3,2]" in [w.label for w in d.wires] and "f32[3,2]" in [w.label for w in d.wires]


def test_marks_are_painted_in_svg_and_tikz():
    A = Array((2,))
    s = cg.scan(cg.trace(lambda h, x: (cg.tanh(h + x), h), A, A), 3)
    d = draw(s)
    (fr,) = d.frames
    svg = d.to_svg()
    for x, y, w, h in fr.mark_rects():
        assert f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" fill="#222222"/>' in svg
    assert d.to_tikz().count(r"\fill ") == len(fr.marks) == 2
    assert r"scan $\times$3 $\leftarrow$" in draw(cg.rdiff(s)).to_tikz()


def test_a_png_shows_the_frame_and_its_marks_where_the_layout_put_them(tmp_path):
    """matplotlib paints the PNG; the frame's dashed edge is grey along its bottom, each mark is dark."""
    Image = pytest.importorskip("PIL.Image")
    A = Array((2,))
    s = cg.scan(cg.trace(lambda h, x: (cg.tanh(h + x), h), A, A), 3)
    d = draw(s)
    path = d.save(tmp_path / "scan.png")
    img = Image.open(path).convert("RGB")
    assert img.size == (int(d.width), int(d.height))
    (fr,) = d.frames

    def grey(p):
        return all(abs(c - 0x7a) < 70 for c in p) and max(p) - min(p) < 20 and max(p) < 235

    y = int(fr.y + fr.height)
    row = [max((img.getpixel((x, y + j)) for j in (-1, 0, 1)), key=lambda p: -sum(p)) for x in range(int(fr.x) + 4, int(fr.x + fr.width) - 4)]
    share = sum(map(grey, row)) / len(row)
    assert 0.3 < share < 0.95, f"the dashed bottom edge: {share:.0%} grey"
    far = [img.getpixel((x, y + 5)) for x in range(int(fr.x) + 4, int(fr.x + fr.width) - 4)]
    assert all(p == (255, 255, 255) for p in far), "below the frame is white"
    for x, y, w, h in fr.mark_rects():
        for j in (-h / 2 + 2, 0, h / 2 - 2):
            assert sum(img.getpixel((int(x + w / 2), int(y + h / 2 + j)))) / 3 < 90, "a mark is dark"
