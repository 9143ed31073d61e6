"""Rendering: SVG as XML, snapshots (SVG and TikZ), identical bytes under two hash seeds, a real
renderer (resvg) finding the boxes where the layout put them, saving by suffix, bad input.

Snapshots live in tests/snapshots/; ``CATGRAD_UPDATE_SNAPSHOTS=1 pytest tests/test_draw_render.py``
rewrites them after an intended change of the pictures.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import catgrad as cg
from catgrad import experiments as E
from catgrad.drawing import draw

SNAPSHOTS = Path(__file__).parent / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"
A = cg.Array((3,))


def small():
    return cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)


SUBJECTS = {
    "sigmoid_squared": lambda: small(),
    "r_sigmoid_squared": lambda: cg.rdiff(small()),
    "iris_hidden": lambda: E.model("iris", "hidden"),
    "lens_sigmoid": lambda: cg.Lens.of(cg.sigmoid(A)),
    "scan_rnn": lambda: cg.scan(cg.trace(lambda h, x: (cg.tanh(h + x), h), A, A), 4),
}


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_svg_parses_as_xml_with_one_rect_per_box(name):
    d = draw(SUBJECTS[name]())
    root = ET.fromstring(d.to_svg())
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width")) == pytest.approx(d.width, abs=0.01)
    rects = root.findall(f"{SVG}rect")
    marks = sum(len(f.marks) for f in d.frames)
    assert len(rects) == 1 + len(d.frames) + marks + len(d.boxes)  # the background, frames, their marks, boxes
    assert len(root.findall(f"{SVG}circle")) == len(d.dots)
    assert len(root.findall(f"{SVG}path")) >= len(d.wires)
    texts = [t.text for t in root.findall(f"{SVG}text")]
    for b in d.boxes:
        assert b.label in texts


@pytest.mark.parametrize("name", sorted(SUBJECTS))
@pytest.mark.parametrize("kind", ["svg", "tex"])
def test_snapshots(name, kind):
    d = draw(SUBJECTS[name]())
    text = d.to_svg() if kind == "svg" else d.to_tikz()
    path = SNAPSHOTS / f"{name}.{kind}"
    if os.environ.get("CATGRAD_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with CATGRAD_UPDATE_SNAPSHOTS=1 to write it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; if intended, rerun with CATGRAD_UPDATE_SNAPSHOTS=1")


_DIGEST = """
import hashlib, catgrad as cg
from catgrad import experiments as E
lrn = E.learner(E.protocol("iris", "hidden"))
parts = [cg.draw(cg.rdiff(E.model("iris", "hidden").map)), cg.draw(E.model("iris", "hidden").lens(), depth=1),
         cg.draw(lrn, depth=None)]
print(hashlib.sha256("".join(d.to_svg() + d.to_tikz() for d in parts).encode()).hexdigest())
"""


def test_bytes_identical_under_two_hash_seeds():
    digests = []
    for seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, JAX_PLATFORMS="cpu")
        out = subprocess.run([sys.executable, "-c", _DIGEST], capture_output=True, text=True, env=env, check=True)
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_a_real_renderer_finds_the_boxes_where_the_layout_put_them():
    """resvg (a Rust SVG renderer, a wheel from pip) paints the SVG; every box's border is dark
    at the middle of each side, a layer box is filled with its colour inside, and the background
    is white far from any box."""
    resvg = pytest.importorskip("resvg_py")
    Image = pytest.importorskip("PIL.Image")
    f = cg.rdiff(E.model("iris", "hidden").map)
    d = draw(f)
    png = bytes(resvg.svg_to_bytes(svg_string=d.to_svg()))
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == (round(d.width), round(d.height))

    def dark(x, y):
        # the stroke is 1.3 px wide and anti-aliased: look at the darkest pixel within one pixel
        vals = [sum(img.getpixel((min(max(int(round(x)) + i, 0), img.size[0] - 1),
                                  min(max(int(round(y)) + j, 0), img.size[1] - 1)))) / 3
                for i in (-1, 0, 1) for j in (-1, 0, 1)]
        return min(vals) < 110
    assert d.boxes
    for b in d.boxes:
        mx, my = b.x + b.width / 2, b.y + b.height / 2
        for (x, y) in ((b.x, my), (b.x + b.width, my), (mx, b.y), (mx, b.y + b.height)):
            assert dark(x, y), f"no border of box {b.label!r} at ({x:.1f}, {y:.1f})"
    # a point inside a box, away from its label and border, is the box's (white) fill, not a wire
    for b in d.boxes:
        assert img.getpixel((int(b.x + 3), int(b.y + 3))) == (255, 255, 255)
    # a layer box (a collapsed scope) has its fill colour
    g = cg.trace(lambda x: cg.exp(x), A)
    layer = draw(g, depth=0)
    (lb,) = layer.boxes
    png = bytes(resvg.svg_to_bytes(svg_string=layer.to_svg()))
    img2 = Image.open(io.BytesIO(png)).convert("RGB")
    assert img2.getpixel((int(lb.x + 4), int(lb.y + 4))) == (0xee, 0xf3, 0xfb)
    assert img2.getpixel((1, 1)) == (255, 255, 255)


def test_tikz_is_a_tikzpicture_with_every_box():
    d = draw(cg.rdiff(small()))
    t = d.to_tikz()
    assert t.startswith(r"\begin{tikzpicture}") and t.rstrip().endswith(r"\end{tikzpicture}")
    assert t.count("rectangle") == len(d.boxes) + len(d.frames)
    assert t.count("circle[radius") == len(d.dots)
    assert "σ" not in t and r"$\sigma$" in t  # symbols set as math


@pytest.mark.parametrize("suffix", [".svg", ".tex", ".png", ".pdf"])
def test_save_by_suffix(tmp_path, suffix):
    if suffix in (".png", ".pdf"):
        pytest.importorskip("matplotlib")
    path = tmp_path / f"f{suffix}"
    d = draw(small(), path)
    data = path.read_bytes()
    head = {".svg": b"<svg", ".tex": b"\\begin{tikzpicture}", ".png": b"\x89PNG", ".pdf": b"%PDF"}[suffix]
    assert data.startswith(head)
    if suffix == ".svg":
        assert data.decode() == d.to_svg()


def test_png_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"catgrad-lens\[plot\]"):
        draw(small(), tmp_path / "f.png")


def test_bad_input_gets_one_line_errors(tmp_path):
    cases = [
        (lambda: draw(3), TypeError, "cannot draw int 3; expected a Diagram, Lens, Para or Learner"),
        (lambda: draw(small(), colour="red"), TypeError, "unknown option 'colour'; the options are depth, types, sweeps"),
        (lambda: draw(small(), depth=-1), ValueError, "depth must be None"),
        (lambda: draw(small(), depth="1"), ValueError, "depth must be None"),
        (lambda: draw(small(), types="yes"), TypeError, "types must be True or False"),
        (lambda: draw(small(), tmp_path / "no" / "such" / "dir" / "f.svg"), ValueError, "cannot write the drawing to"),
        (lambda: draw(small(), tmp_path / "f.jpg"), ValueError, r"suffix must be one of \.svg, \.tex, \.png, \.pdf"),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc, match=msg) as info:
            fn()
        assert "\n" not in str(info.value)


def test_notebook_display():
    f = small()
    svg = f._repr_svg_()
    assert svg == draw(f).to_svg()
    assert cg.Lens.of(f)._repr_svg_().startswith("<svg")
    assert E.model("iris", "dense")._repr_svg_().startswith("<svg")
    assert draw(f)._repr_svg_() == svg


def test_wide_diagrams_show_collapsed_with_a_note():
    """A notebook shows a picture at most ``DISPLAY_WIDTH`` px wide: wider, its layers (then one box), with a
    line saying how to open it."""
    from catgrad import nn
    from catgrad.drawing.draw import DISPLAY_WIDTH
    p = nn.dense(2, 2, nn.sigmoid)
    for _ in range(24):
        p = p >> nn.dense(2, 2, nn.sigmoid)
    r = cg.rdiff(p.map)
    assert draw(r).width > DISPLAY_WIDTH
    svg = r._repr_svg_()
    root = ET.fromstring(svg)
    assert float(root.get("width")) <= DISPLAY_WIDTH
    assert "collapsed to depth" in svg and "depth=None" in svg
    # without scopes, one box
    big = cg.rdiff(E.tanh_chain(40, 2))
    assert draw(big).width > DISPLAY_WIDTH and "collapsed to depth 0" in big._repr_svg_()


def test_lens_draws_forward_on_top_and_backward_below_right_to_left():
    f = small()
    d = draw(cg.Lens.of(f))
    fwd = [w for w in d.wires if not w.backward]
    bwd = [w for w in d.wires if w.backward]
    assert bwd
    for w in bwd:
        xs = [p[0] for p in w.points]
        assert all(x1 <= x0 + 1e-6 for x0, x1 in zip(xs, xs[1:])), "a backward wire runs left to right"
    # the forward map's boxes sit above the backward map's
    n_fwd = f.size
    top = sorted(d.boxes, key=lambda b: b.y)
    assert max(b.y + b.height for b in top[:n_fwd]) < min(b.y for b in top[n_fwd:])
    assert {b.label for b in top[:n_fwd]} == {"σ", "×"}
    assert len(d.extra["fwd_in"]) == 1 and len(d.extra["bwd_out"]) == 1 and len(d.extra["bwd_in"]) == 1
    # the forward input enters at the left edge, the input's cotangent leaves at the left edge
    assert d.extra["fwd_in"][0][0] == 0 and d.extra["bwd_out"][0][0] == 0
    assert d.extra["fwd_in"][0][1] < d.extra["bwd_out"][0][1]
    assert fwd


def test_learner_parts_are_framed_and_named():
    lrn = E.learner(E.protocol("iris", "hidden"))
    d1 = lrn.draw()
    assert [b.label for b in d1.boxes] == ["U = gd", "R(model)", "R(loss)", "α = 0.01"]
    assert all(b.kind == "lens" for b in d1.boxes)
    u, model, loss, alpha = d1.boxes
    assert u.y + u.height < model.y  # U sits on top of the model
    assert model.x + model.width < loss.x < alpha.x  # then the loss and α to the right
    for i, a in enumerate(d1.boxes):
        for b in d1.boxes[i + 1:]:
            assert not (a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height)
    dn = draw(lrn, depth=None)
    assert [f.label for f in dn.frames] == ["U = gd", "R(model)", "R(loss)", "α = 0.01"]
    assert len(dn.boxes) > 20


def test_para_composite_keeps_each_parameter_on_top_of_its_box():
    p = E.model("iris", "hidden")
    d = draw(p)
    einsums = sorted((b for b in d.boxes if b.label.startswith("einsum")), key=lambda b: b.x)
    ws = {t.text: t.x for t in d.texts}
    # the weights enter the top of their own layer's einsum box
    for name, box in zip(["dense.W", "dense_1.W"], einsums):
        assert box.x <= ws[name] <= box.x + box.width
