"""``draw``: the one entry point, from a Diagram, Lens, Para or Learner to a :class:`Drawing`."""
from __future__ import annotations

from .. import errors
from .data import Drawing
from .layout import SWEEPS, layout

OPTIONS = ("depth", "types", "sweeps")
COLLAPSE_ABOVE = 200
"""Notebooks show diagrams of more operations collapsed to layers (``depth=1``)."""


def _check(options: dict) -> dict:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise TypeError(f"draw: unknown option {unknown[0]!r}; the options are {', '.join(OPTIONS)}")
    depth = options.get("depth", None)
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
        raise ValueError(errors.expected("draw", "depth", "None (every generator) or an int ≥ 0 (scopes kept)",
                                         depth))
    if not isinstance(options.get("types", True), bool):
        raise TypeError(errors.expected("draw", "types", "True or False", options["types"]))
    sweeps = options.get("sweeps", SWEEPS)
    if isinstance(sweeps, bool) or not isinstance(sweeps, int) or sweeps < 0:
        raise ValueError(errors.expected("draw", "sweeps", "an int ≥ 0", sweeps))
    return options


def draw(x, path=None, **options) -> Drawing:
    """The drawing of a ``Diagram``, ``Lens``, ``Para`` or ``Learner``, left to right as in [CFGBL].

    A Diagram is drawn as its string diagram; a Para with its parameter wires entering from the top;
    a Lens as two bands, the forward map on top (left to right) and the backward map below (right
    to left); a Learner as ``U ; R(model) ; R(loss) ; α``, each part framed and named.

    Args:
        x: what to draw.
        path: if given, the drawing is also saved there (``.svg``, ``.tex``, ``.png``, ``.pdf``).
        depth: ``None`` (default; ``1`` for a Learner) draws every generator; ``k`` one box per
            scope of depth ``k`` (``depth=1``: one box per layer, ``R(dense)`` in ``R[f]``).
        types: label wires with their types (default ``True``).
        sweeps: the number of barycentre sweeps of the crossing reduction (default 4).

    Raises ``TypeError`` for something that is not drawable or an unknown option, ``ValueError``
    for a bad option value or an unwritable path.

    >>> from catgrad import Array, sigmoid, rdiff
    >>> d = draw(rdiff(sigmoid(Array((3,)))))
    >>> sorted(b.label for b in d.boxes)
    ['1', '×', '×', 'σ', '−']
    >>> len(d.inputs), len(d.outputs)
    (2, 1)
    """
    from ..core.diagram import Diagram
    from ..lens import Lens
    from ..para import Para
    from ..learn.learner import Learner
    from . import pictures
    _check(options)
    depth, types, sweeps = options.get("depth"), options.get("types", True), options.get("sweeps", SWEEPS)
    if isinstance(x, Diagram):
        d = layout(x, depth=depth, types=types, sweeps=sweeps)
    elif isinstance(x, Para):
        d = pictures.para(x, depth=depth, types=types)
    elif isinstance(x, Lens):
        d = pictures.lens(x, depth=depth, types=types)
    elif isinstance(x, Learner):
        d = pictures.learner(x, depth=options.get("depth", 1), types=types)
    else:
        raise TypeError(f"draw: cannot draw {type(x).__name__} {_short(x)}; expected a Diagram, Lens, Para or Learner")
    if path is not None:
        d.save(path)
    return d


def _short(x) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def size(x) -> int:
    """The number of operations ``x`` holds (the forward and backward maps of a lens together)."""
    from ..core.diagram import Diagram
    from ..lens import Lens
    m = getattr(x, "map", x)
    if isinstance(m, Diagram):
        return m.size
    if isinstance(m, Lens):
        return m.fwd.size + m.bwd.size
    return 0


def notebook(x) -> Drawing:
    """What a notebook cell shows: the drawing, collapsed to layers above ``COLLAPSE_ABOVE`` operations."""
    n = size(x)
    if n <= COLLAPSE_ABOVE:
        return draw(x)
    d = draw(x, depth=1)
    note = f"{n} operations, collapsed to layers: draw(x, depth=None) shows every generator"
    if len(d.boxes) + len(d.dots) > COLLAPSE_ABOVE:
        d = draw(x, depth=0)
        note = f"{n} operations, collapsed to one box: draw(x, depth=1) shows layers, depth=None every generator"
    return d.shifted(0, 16).with_(title=note, width=d.width)


def repr_svg(x) -> str:
    """``_repr_svg_`` of a Diagram, Lens, Para or Learner (see ``notebook``)."""
    return notebook(x).to_svg()
