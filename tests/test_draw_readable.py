"""Pictures that read: no label crossed, no boxes overlapping, no wire painted twice, width bounded.

Oracles: hand-made drawings whose geometry is worked out by hand (a label box and a line through it or
beside it) for the measure (``catgrad.drawing.measure``); then that measure, on random diagrams and their
``R`` (hypothesis) and on the course's pictures; the PNG's own header for ``save(scale=)``.
"""
from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings

import catgrad as cg
from catgrad.drawing import draw
from catgrad.drawing.data import Box, Dot, Drawing, Frame, Text, WirePath
from catgrad.drawing.draw import DISPLAY_WIDTH, notebook
from catgrad.drawing.examples import course_pictures
from catgrad.drawing.measure import coincident_wires, crossed_labels, labels, overlapping_boxes

from strategies import cases

A = cg.Array((3,))


def texts(labs) -> list:
    return sorted(lab.text for lab in labs)


# -- the measure, on drawings made by hand --------------------------------------------------------
# a 9 px label "x" at baseline y = 50 covers y in [50 - 6.75, 50 + 2.25] and x in [100, 105.4]
X = Text("x", 100, 50)


@pytest.mark.parametrize("points, crossed", [
    (((90, 48), (120, 48)), True),                  # a horizontal wire through the letter
    (((90, 60), (120, 60)), False),                 # below it
    (((102, 0), (102, 100)), True),                 # a vertical wire through it
    (((110, 0), (110, 100)), False),                # right of it
    (((80, 80), (90, 80), (116, 20)), True),        # a Bézier rising through it (its middle is (103, 50))
    (((80, 80), (90, 80), (116, 75)), False),       # a Bézier staying below
])
def test_a_free_text_crossed_by_a_wire(points, crossed):
    d = Drawing(wires=(WirePath(points, ""),), texts=(X,), width=200, height=100)
    assert texts(crossed_labels(d)) == (["x"] if crossed else [])


def test_box_frame_and_dot_edges_cross_labels():
    assert texts(crossed_labels(Drawing(boxes=(Box("σ", 103, 30, 20, 20),), texts=(X,)))) == ["x"]
    assert texts(crossed_labels(Drawing(boxes=(Box("σ", 110, 30, 20, 20),), texts=(X,)))) == []
    assert texts(crossed_labels(Drawing(frames=(Frame("", 90, 47, 40, 40),), texts=(X,)))) == ["x"]
    assert texts(crossed_labels(Drawing(dots=(Dot(101, 46, "copy"),), texts=(X,)))) == ["x"]
    # a box too narrow for its own label: its edges strike it
    assert texts(crossed_labels(Drawing(boxes=(Box("einsum", 0, 0, 20, 20),)))) == ["einsum"]
    assert texts(crossed_labels(Drawing(boxes=(Box("einsum", 0, 0, 60, 20),)))) == []


def test_a_type_label_and_its_own_wire():
    """Its own wire may start at its port beside the label; running on through the label is a crossing."""
    flat = WirePath(((10, 20), (80, 20)), "f32[3]", "f32[3]", (13, 17))
    up = WirePath(((10, 20), (14, 20), (50, 0)), "f32[3]", "f32[3]", (13, 17))
    assert crossed_labels(Drawing(wires=(flat,))) == []
    assert texts(crossed_labels(Drawing(wires=(up,)))) == ["f32[3]"]
    # another wire starting at the same port is not its own
    other = WirePath(((10, 20), (13, 17.5), (50, 17.5)), "")
    assert texts(crossed_labels(Drawing(wires=(flat, other)))) == ["f32[3]"]


def test_every_text_is_a_label():
    d = Drawing(boxes=(Box("σ", 0, 0, 28, 20),), dots=(Dot(50, 10, "zero", "0"),), frames=(Frame("U", 0, 0, 90, 40),),
                texts=(Text("dense.W", 5, 5),), wires=(WirePath(((28, 10), (90, 10)), "t", "t", (31, 7)),),
                title="collapsed")
    assert sorted((lab.kind, lab.text) for lab in labels(d)) == [
        ("box", "σ"), ("dot", "0"), ("frame", "U"), ("text", "dense.W"), ("title", "collapsed"), ("type", "t")]


def test_overlapping_boxes_and_coincident_wires():
    boxes = (Box("a", 0, 0, 20, 20), Box("b", 10, 10, 20, 20), Box("c", 20, 0, 10, 10), Box("d", 0, 20, 5, 5))
    assert overlapping_boxes(Drawing(boxes=boxes)) == [(0, 1)]
    w = WirePath(((0, 0), (10, 0), (30, 20)), "")
    same = WirePath(((0, 0), (5, 0), (10, 0), (30, 20)), "")     # the same curve through one more point
    other = WirePath(((0, 0), (10, 0), (20, 10), (30, 20)), "")  # two Béziers: another curve
    assert coincident_wires(Drawing(wires=(w, same, other))) == [(0, 1)]


# -- the layout: random diagrams and their R --------------------------------------------------------
def check_reads(d):
    assert crossed_labels(d) == [], [lab.text for lab in crossed_labels(d)]
    assert overlapping_boxes(d) == []
    assert coincident_wires(d) == []


@settings(max_examples=30, deadline=None)
@given(cases(max_ops=4, depth=2))
def test_random_diagrams_read(case):
    f = case.f
    for g in (f, f.named("layer")):
        for depth in (None, 1):
            check_reads(draw(g, depth=depth))


@settings(max_examples=15, deadline=None)
@given(cases(max_ops=3, depth=1))
def test_reverse_derivatives_of_random_diagrams_read(case):
    r = cg.rdiff(case.f.named("layer"))
    for depth in (None, 1):
        check_reads(draw(r, depth=depth))


def test_copy_then_add_is_two_curves():
    """``copy ; add`` (the factor 2 of ``R[σ²]``): the two wires from the copy to the addition differ."""
    for f in (cg.copy(A) >> cg.add(A), cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A), cg.rdiff(cg.sigmoid(A) >> cg.copy(A)
                                                                                         >> cg.mul(A))):
        d = draw(f)
        check_reads(d)
    d = draw(cg.copy(A) >> cg.add(A))
    (copy,) = [p for p in d.dots if p.kind == "copy"]
    (add,) = [p for p in d.dots if p.kind == "add"]
    between = [w for w in d.wires if w.points[0] == (copy.x, copy.y) and w.points[-1] == (add.x, add.y)]
    assert len(between) == 2 and between[0].points != between[1].points


def test_parameter_names_beside_their_wires_in_a_lens_and_learner():
    from catgrad import experiments as E
    p = E.model("iris", "hidden")
    d = draw(p)
    check_reads(d)
    for t in d.texts:  # each name starts right of a parameter wire's top end
        assert any(abs(t.x - q[0] - 3) < 1e-6 for q in d.params), t
    check_reads(draw(p.lens()))
    check_reads(draw(p.lens(), depth=1))


@pytest.mark.parametrize("name", sorted(course_pictures()))
def test_the_course_pictures_read(name):
    check_reads(course_pictures()[name]())


# -- width -----------------------------------------------------------------------------------------
def test_width_collapses_to_the_deepest_depth_that_fits():
    """Against every depth drawn: the deepest whose width fits (its scopes are at most 2 deep)."""
    from catgrad import nn
    block = nn.transformer_block(8, 2, 16)(cg.Array((4, 8)))
    assert max(len(op.scope) for op in block.map.ops) == 2
    full = draw(block)
    widths = {k: draw(block, depth=k).width for k in (0, 1, 2)}
    assert full.width > DISPLAY_WIDTH >= widths[0]
    deepest = max(k for k, w in widths.items() if w <= DISPLAY_WIDTH)
    d = draw(block, width=DISPLAY_WIDTH)
    assert d.width <= DISPLAY_WIDTH and len(d.boxes) == len(draw(block, depth=deepest).boxes)
    assert d.title.startswith(f"collapsed to depth {deepest} to fit 1200 px") and "depth=None" in d.title
    narrow = min(widths.values()) + 1
    assert draw(block, width=narrow).title.startswith(f"collapsed to depth {min(widths, key=widths.get)} ")
    assert draw(block, width=10).title.startswith("collapsed to depth 0 and still wider than 10 px")
    assert draw(block, width=None) == full and draw(block, width=full.width) == full
    assert draw(block, width=DISPLAY_WIDTH, depth=1) == draw(block, depth=1)  # depth bounds the search
    assert "draw(x, depth=1) shows it" in draw(block, width=widths[0] + 1, depth=1).title
    assert notebook(block) == d and block._repr_svg_() == d.to_svg()
    small = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)
    assert notebook(small) == draw(small) and not draw(small).title
    # the smallest text of a notebook's picture is 9 px, shown at its size
    assert min(lab.height for lab in labels(d)) >= 9
    check_reads(d)


@pytest.mark.parametrize("bad", [0, -5, "wide", True, float("nan")])
def test_bad_width(bad):
    with pytest.raises(ValueError, match="draw: width must be None .no limit. or a number of px > 0"):
        draw(cg.sigmoid(A), width=bad)


def png_size(path) -> tuple:
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_save_png_at_a_scale(tmp_path):
    pytest.importorskip("matplotlib")
    d = draw(cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A))
    w1, h1 = png_size(d.save(tmp_path / "one.png"))
    w2, h2 = png_size(d.save(tmp_path / "two.png", scale=2.0))
    assert (w1, h1) == (round(d.width), round(d.height))
    assert (w2, h2) == (round(2 * d.width), round(2 * d.height))
    with pytest.raises(ValueError, match="save: scale must be a number > 0"):
        d.save(tmp_path / "bad.png", scale=0)


def test_a_bundled_P_fits_the_transformer_lm_in_a_notebook_at_depth_one():
    """The notebook view of a small transformer LM (30 parameters) fits the display width at depth 1: its
    parameters are one wire P fanning into ports a lane apart, with no room kept for names."""
    m = cg.nn.transformer_lm(vocab=12, context=8, width=16, heads=2, depth=2)
    d = notebook(m)
    assert d.width <= DISPLAY_WIDTH and "depth 1" in d.title
    assert [b.label for b in d.boxes] == [b.label for b in draw(m, depth=1).boxes]
    assert crossed_labels(d) == []
