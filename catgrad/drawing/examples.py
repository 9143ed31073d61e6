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


def course_pictures() -> dict:
    """``{name: picture}`` of the pictures a course shows, each a function returning its :class:`Drawing` as
    the course shows it: ``catgrad draw iris --what lens --depth 1`` and ``--what learner --depth all``, the
    transformer LM as a notebook shows it, a transformer block, notebook 02's ``R[f]`` (a notebook's view),
    the README's ``R[x ↦ σ(x)²]``, a GRU opened and the MNIST conv learner opened."""
    import catgrad as cg
    from .. import experiments as E
    from .. import nn
    from .draw import notebook
    A, S = cg.Array((3,)), cg.Array(())
    return {
        "iris lens, depth 1": lambda: draw(E.model("iris").lens(), depth=1),
        "iris learner, depth all": lambda: draw(E.learner(E.protocol("iris", "hidden")), depth=None),
        "transformer LM, notebook": lambda: notebook(nn.transformer_lm(vocab=12, context=8, width=16, heads=2,
                                                                       depth=2)),
        "transformer block": lambda: draw(nn.transformer_block(8, 2, 16)(cg.Array((4, 8)))),
        "notebook 02 R[f]": lambda: notebook(cg.rdiff(cg.trace(lambda x, y: (cg.sin(x) * y, cg.exp(x * y)), S, S))),
        "R[x ↦ σ(x)²]": lambda: draw(cg.rdiff(cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A))),
        "gru(2, 3) opened": lambda: draw(nn.gru(2, 3)(cg.Array((5, 2))), depth=None),
        "MNIST conv learner, depth all": lambda: draw(E.learner(E.protocol("mnist", "conv")), depth=None),
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
