"""Benchmark of drawing: layout, SVG and TikZ of large diagrams.

Diagrams: ``R[f]`` of the dense tanh chain ``f`` of ``catgrad.experiments.tanh_chain(n)`` (R[f] has 9 operations
per layer plus one, so 111 layers give 1,000 operations), at depth ``None`` (every generator);
the same as a lens ``(f, R[f])``; and the Iris learner at ``depth=None``.

For each it reports the size (operations), the number of boxes, dots and wires drawn, and the median
wall time of ``draw(x)`` (the layout) and of ``to_svg()`` and ``to_tikz()`` over ``--repeats`` runs.

With ``--pictures`` it prints instead, for each picture of the course (``catgrad.drawing.examples.course_pictures``),
its width in px, its labels, how many of them are crossed by a wire or an edge, the overlapping boxes
and the wires painted twice (``catgrad.drawing.measure``).

Run: ``python bench/draw.py`` (``--repeats 5`` by default; ``--layers 10 111 300`` are the defaults: 91, 1,000 and 2,701 operations).
"""
from __future__ import annotations

import argparse

import catgrad as cg
from catgrad import experiments as E

from catgrad.drawing import measure
from catgrad.drawing.examples import course_pictures

from common import machine, markdown
from rdiff import timed


def subjects(layers) -> list:
    out = []
    for n in layers:
        f = E.tanh_chain(n)
        r = cg.rdiff(f)
        out.append((f"R[f], tanh chain of {n} layers", r, r.size))
    f = E.tanh_chain(layers[-1])
    lens = cg.Lens.of(f)
    out.append((f"(f, R[f]) lens, {layers[-1]} layers", lens, lens.fwd.size + lens.bwd.size))
    lrn = E.learner(E.protocol("iris", "hidden"))
    p = lrn.lens(1)
    out.append(("Iris hidden learner, depth=None", lrn, p.map.fwd.size + p.map.bwd.size))
    return out


def pictures() -> list:
    """A row per picture of the course: name, width (px), labels, crossed labels, overlapping boxes, wires painted twice."""
    rows = []
    for name, picture in course_pictures().items():
        d = picture()
        rows.append([name, f"{d.width:.0f}", len(measure.labels(d)), len(measure.crossed_labels(d)),
                     len(measure.overlapping_boxes(d)), len(measure.coincident_wires(d))])
        print(" | ".join(map(str, rows[-1])), flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pictures", action="store_true", help="the course's pictures: width and crossed labels")
    ap.add_argument("--layers", type=int, nargs="+", default=[10, 111, 300])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    if args.pictures:
        rows = pictures()
        print()
        print(markdown(rows, ["picture", "width (px)", "labels", "crossed labels", "overlapping boxes",
                              "wires painted twice"]))
        return
    m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}")
    rows = []
    for name, x, size in subjects(args.layers):
        depth = {"depth": None}
        t_draw, d = timed(lambda: cg.draw(x, **depth), args.repeats)
        t_svg, svg = timed(d.to_svg, args.repeats)
        t_tikz, _ = timed(d.to_tikz, args.repeats)
        rows.append([name, size, f"{len(d.boxes)} / {len(d.dots)} / {len(d.wires)}", f"{t_draw * 1e3:.0f} ms",
                     f"{t_svg * 1e3:.0f} ms", f"{t_tikz * 1e3:.0f} ms", f"{len(svg) / 1e3:.0f} kB"])
        print(" | ".join(map(str, rows[-1])), flush=True)
    print()
    print(markdown(rows, ["diagram", "operations", "boxes / dots / wires", "draw (layout)", "to_svg", "to_tikz",
                          "SVG size"]))


if __name__ == "__main__":
    main()
