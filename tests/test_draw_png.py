"""One real render per kind of picture (issue 19, point 9): model, R, lens, learner, scan, boolean
circuit, equation, each saved to PNG through matplotlib (``Drawing.save("x.png")``, one pixel per unit)
and read back as pixels. Oracle: the layout data. Every box's edges are found dark where the layout
put them, its label's area holds ink and its corners inside stay the box's fill; every dot is ink.
"""
from __future__ import annotations

import numpy as np
import pytest

import catgrad as cg
from catgrad import Array, experiments as E
from catgrad.drawing import draw, draw_equation
from catgrad.drawing.style import text_width

matplotlib = pytest.importorskip("matplotlib")
from matplotlib import image  # noqa: E402

A = Array((3,))


def _boolean():
    from catgrad.boolean import layers as B
    return B.lookup_table(4, 3)


PICTURES = {
    "model": lambda: draw(E.model("iris", "hidden")),
    "R": lambda: draw(cg.rdiff(E.model("iris", "hidden").map)),
    "lens": lambda: draw(cg.Lens.of(cg.sigmoid(A) >> cg.exp(A))),
    "learner": lambda: draw(E.learner(E.protocol("iris", "hidden")), depth=1),
    "scan": lambda: draw(cg.nn.gru(2, 3)(Array((5, 2)))),
    "boolean": lambda: draw(_boolean()),
    "equation": lambda: draw_equation(cg.rdiff(cg.sigmoid(A) >> cg.exp(A)), cg.rdiff(cg.sigmoid(A))),
}


def _luminance(png) -> np.ndarray:
    img = image.imread(png)
    return img[..., :3].mean(axis=-1)


def _darkest(lum, x, y, r=1) -> float:
    """The darkest pixel within ``r`` of ``(x, y)`` (drawing units are pixels)."""
    H, W = lum.shape
    i, j = int(round(y)), int(round(x))
    return float(lum[max(i - r, 0):min(i + r + 1, H), max(j - r, 0):min(j + r + 1, W)].min())


@pytest.mark.parametrize("kind", sorted(PICTURES))
def test_rendered_png_has_boxes_labels_and_dots_where_the_layout_put_them(kind, tmp_path):
    d = PICTURES[kind]()
    assert d.boxes, kind
    path = d.save(str(tmp_path / f"{kind}.png"))
    lum = _luminance(path)
    assert abs(lum.shape[0] - d.height) <= 1 and abs(lum.shape[1] - d.width) <= 1  # one pixel per unit
    assert lum.max() > 0.95  # a white page
    for b in d.boxes:
        where = f"{kind}: box {b.label!r} at ({b.x:g}, {b.y:g})"
        for x, y in [(b.x + 6, b.y), (b.x + 6, b.y + b.height), (b.x, b.y + b.height / 2),
                     (b.x + b.width, b.y + b.height / 2)]:
            assert _darkest(lum, x, y) < 0.75, f"{where}: no edge at ({x:g}, {y:g})"
        half = text_width(b.label) / 2
        cx = b.x + b.width / 2
        ink = lum[int(b.label_y) - 4:int(b.label_y) + 5, int(cx - half):int(cx + half) + 1]
        assert ink.min() < 0.5, f"{where}: no label ink"
        assert _darkest(lum, b.x + 4, b.y + 4, r=0) > 0.8, f"{where}: the inside is not the box's fill"
    for p in d.dots:
        assert _darkest(lum, p.x, p.y, r=3) < 0.5, f"{kind}: no dot at ({p.x:g}, {p.y:g})"
    if kind == "equation":
        (eq,) = [t for t in d.texts if t.text == "="]
        assert lum[int(eq.y) - 10:int(eq.y) + 1, int(eq.x) - 4:int(eq.x) + 5].min() < 0.5, "no '=' drawn"
