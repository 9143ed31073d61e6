"""``catgrad draw``: the papers' models drawn from the command line.

    catgrad draw iris --model hidden -o hidden.svg                  # the model, parameters on top
    catgrad draw iris --model hidden --what rdiff -o r.svg          # its reverse derivative R[f]
    catgrad draw iris --what lens --depth 1 -o lens.svg             # (f, R[f]) as two bands, one box per layer
    catgrad draw iris --what learner -o learner.pdf                 # U ; R(model) ; R(loss) ; α
    catgrad draw iris --boolean --model table -o table.tex          # [RDA]'s lookup-table circuit, as TikZ
"""
from __future__ import annotations

import argparse

WHAT = ("model", "rdiff", "lens", "learner")


def _boolean_models() -> dict:
    from ..boolean import layers as B
    return {
        "iris": {"table": lambda: B.lookup_table(4, 3), "gates": lambda: B.gate_network([4, 4, 3])},
        "digits": {"gates": lambda: B.gate_network([8, 8, 4])},
        "mnist": {"pseudo-linear": lambda: B.pseudo_linear(784, 1, ratio=4)},
    }


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``draw`` subcommand to ``catgrad``'s parser."""
    dr = subparsers.add_parser("draw", help="draw a model, its reverse derivative, its lens or its learner")
    dr.add_argument("dataset", help="iris, digits or mnist")
    dr.add_argument("--model", help="iris: linear|dense|hidden; digits: dense|hidden; mnist: conv|dense. With "
                                    "--boolean: iris: table|gates; digits: gates; mnist: pseudo-linear")
    dr.add_argument("--what", choices=WHAT, default="model", help="what to draw (default: model)")
    dr.add_argument("--depth", type=_depth, default=None,
                    help="1: one box per layer; a number k: scopes of depth k; all (default): every generator")
    dr.add_argument("--boolean", action="store_true", help="the boolean (Z2, RDA) circuits")
    dr.add_argument("--no-types", action="store_true", help="no type labels on wires")
    dr.add_argument("-o", "--output", required=True, help="the file: .svg, .tex (TikZ), .png or .pdf")
    return dr


def _depth(s: str):
    if s in ("all", "none", "None"):
        return "all"
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0 or 'all', got {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0 or 'all', got {s!r}")
    return v


def subject(args):
    """The object ``args`` asks to draw (a Para, Diagram, Para(Lens) or Learner)."""
    from .. import experiments as E
    from ..rdiff import rdiff
    if args.boolean:
        from ..boolean.experiments import rda_learner
        models = _boolean_models()
        if args.dataset not in models:
            raise ValueError(f"--boolean: dataset must be one of {', '.join(models)}, got {args.dataset!r}")
        name = args.model or next(iter(models[args.dataset]))
        if name not in models[args.dataset]:
            raise ValueError(f"--boolean: model for {args.dataset} must be one of "
                             f"{', '.join(models[args.dataset])}, got {name!r}")
        model = models[args.dataset][name]()
        learner = (lambda: rda_learner(model))
    else:
        model = E.model(args.dataset, args.model)
        learner = (lambda: E.learner(E.protocol(args.dataset, args.model)))
    if args.what == "model":
        return model
    if args.what == "rdiff":
        return rdiff(model.map)
    if args.what == "lens":
        return model.lens()
    return learner()


def run(args) -> int:
    """``catgrad draw``: build the object, draw it, save it to ``args.output``.

    A bad choice raises ``ValueError``, ``TypeError`` or ``ImportError`` (``catgrad``'s ``main`` reports it
    as a usage error)."""
    from .draw import draw
    x = subject(args)
    depth = None if args.depth in (None, "all") else args.depth
    if args.depth is None and args.what == "learner":
        depth = 1
    d = draw(x, args.output, depth=depth, types=not args.no_types)
    print(f"{args.output}: {len(d.boxes)} boxes, {len(d.dots)} dots, {len(d.wires)} wires")
    return 0
