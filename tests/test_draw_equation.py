"""Equations as pictures (issue 19, point 5): ``draw_equation`` sets drawings side by side with ``=``.

Oracle: each side drawn on its own by ``draw``; in the equation its elements must be the same, moved
by one shift per side, the sides left to right without overlap, each centred on the middle line,
the symbol strictly between neighbouring sides.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import catgrad as cg
from catgrad import Array
from catgrad.drawing import Drawing, draw, draw_equation, equation
from catgrad.drawing.style import text_width
from strategies import cases


def _extent(d: Drawing) -> tuple:
    """The horizontal extent of everything drawn in ``d``: boxes, wire points, dots."""
    xs = [b.x for b in d.boxes] + [b.x + b.width for b in d.boxes]
    xs += [p[0] for w in d.wires for p in w.points] + [p.x for p in d.dots]
    return (min(xs), max(xs)) if xs else (0.0, 0.0)


def check_equation(sides, symbol="="):
    drawn = [draw(s) for s in sides]
    e = draw_equation(*sides, symbol=symbol)
    assert e.height == pytest.approx(max(d.height for d in drawn))
    symbols = [t for t in e.texts if t.text == symbol and not t.small]
    assert len(symbols) == len(sides) - 1
    nb = nw = 0
    right_edge = None
    for k, d in enumerate(drawn):
        boxes, wires = e.boxes[nb:nb + len(d.boxes)], e.wires[nw:nw + len(d.wires)]
        nb, nw = nb + len(d.boxes), nw + len(d.wires)
        assert d.wires, "every side here draws something"
        ref = d.boxes[0] if d.boxes else None
        moved = boxes[0] if boxes else None
        if ref is not None:
            dx, dy = moved.x - ref.x, moved.y - ref.y
        else:
            dx = wires[0].points[0][0] - d.wires[0].points[0][0]
            dy = wires[0].points[0][1] - d.wires[0].points[0][1]
        # the same picture, moved once
        assert [b.label for b in d.boxes] == [b.label for b in boxes]
        assert [c for b in d.boxes for c in (b.x + dx, b.y + dy)] == pytest.approx([c for b in boxes for c in (b.x, b.y)])
        assert [c for w in d.wires for p in w.points for c in p] == pytest.approx(
            [c for w in wires for p in w.points for c in (p[0] - dx, p[1] - dy)])
        # centred on the middle line
        assert dy + d.height / 2 == pytest.approx(e.height / 2)
        # left to right, no overlap, the symbol between the sides
        if k:
            assert dx >= right_edge
            sym = symbols[k - 1]
            half = text_width(symbol) / 2
            assert right_edge < sym.x - half and sym.x + half < dx
            assert sym.y - 12 < e.height / 2 < sym.y + 4  # the symbol's glyph covers the middle line
        right_edge = dx + d.width
    assert e.width == pytest.approx(right_edge)
    return e


@settings(max_examples=25)
@given(st.lists(cases(max_ops=3, depth=1), min_size=2, max_size=3))
def test_random_diagrams_side_by_side_centred_with_equals_between(cs):
    check_equation([c.f for c in cs])


def test_rd_axiom_sides_and_another_symbol():
    A = Array((3,))
    f = cg.sigmoid(A)
    check_equation([cg.rdiff(f >> cg.exp(A)), cg.rdiff(f), cg.Lens.of(f)], symbol="≠")


def test_the_equation_of_drawings_and_its_saving(tmp_path):
    a, b = draw(cg.exp(Array((2,)))), draw(cg.sigmoid(Array((2,))))
    assert equation(a, b).boxes == draw_equation(a, b).boxes
    path = tmp_path / "eq.svg"
    draw_equation(a, b, path=path)
    assert path.read_text().count(">=</text>") == 1


@pytest.mark.parametrize("call, error, message", [
    (lambda: draw_equation(cg.exp(Array(())), 3), TypeError, "side 2 is int"),
    (lambda: equation(draw(cg.exp(Array(())))), ValueError, "at least two sides"),
    (lambda: equation(draw(cg.exp(Array(()))), "x"), TypeError, "side 2 is str, not a Drawing"),
    (lambda: draw_equation(cg.exp(Array(())), cg.exp(Array(())), symbol=""), ValueError, "symbol must be"),
    (lambda: draw_equation(cg.exp(Array(())), cg.exp(Array(())), colour=1), TypeError, "unknown option 'colour'"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
