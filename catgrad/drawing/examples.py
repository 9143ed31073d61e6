"""The drawings embedded in the docs: ``python -m catgrad.drawing.examples [DIR]`` (default ``docs``).

Writes the Iris hidden model ``dense(4, 20, σ) ; dense(20, 3, σ)`` with its parameters on top, its
reverse derivative ``R[f]``, its lens ``(f, R[f])`` (one box per layer), its supervised learner
``U ; R(model) ; R(loss) ; α`` (one box per part, and every generator), and [RDA]'s lookup-table
circuit for Iris, each as an SVG file.
"""
from __future__ import annotations

import os
import sys

from .draw import draw


def drawings() -> dict:
    """``{file name: (object, depth)}`` of the docs' drawings."""
    from .. import experiments as E
    from ..boolean import layers as B
    from ..rdiff import rdiff
    model = E.model("iris", "hidden")
    learner = E.learner(E.protocol("iris", "hidden"))
    return {
        "iris_hidden.svg": (model, None),
        "iris_hidden_R.svg": (rdiff(model.map), None),
        "iris_hidden_R_layers.svg": (rdiff(model.map), 1),
        "iris_hidden_lens.svg": (model.lens(), 1),
        "iris_hidden_learner.svg": (learner, 1),
        "iris_hidden_learner_generators.svg": (learner, None),
        "boolean_lookup_table.svg": (B.lookup_table(4, 3), None),
    }


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else "docs"
    os.makedirs(folder, exist_ok=True)
    for name, (x, depth) in drawings().items():
        path = os.path.join(folder, name)
        d = draw(x, path, depth=depth)
        print(f"{path}: {len(d.boxes)} boxes, {len(d.dots)} dots, {len(d.wires)} wires")
    return 0


if __name__ == "__main__":
    sys.exit(main())
