"""``draw``: the one entry point, from a Diagram, Lens, Para or Learner to a :class:`Drawing`.

Each construction draws itself: it is a :class:`Drawable` whose ``to_drawing(**options)`` builds its
picture from drawing's primitives (a diagram hands its :class:`~catgrad.drawing.graph.Hypergraph` to
``layout``; a lens puts the pictures of its two maps in two bands; a learner places its parts). ``draw``
calls that method, so drawing knows nothing of the constructions above it (DisCoPy's ``to_drawing``).
"""
from __future__ import annotations

from .. import errors
from .data import Drawing
from .layout import SWEEPS

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


class Drawable:
    """What draws itself: ``to_drawing(depth=, types=, sweeps=)`` is its picture as data; ``draw`` and the
    notebook's ``_repr_svg_`` are written here once for every construction."""

    __slots__ = ()

    def to_drawing(self, *, depth=None, types: bool = True, sweeps: int = SWEEPS) -> Drawing:
        """The picture of ``self`` (see ``catgrad.draw`` for the options)."""
        raise NotImplementedError(f"{type(self).__name__} does not say how to draw itself (to_drawing)")

    def draw(self, path=None, **options) -> Drawing:
        """The picture of ``self`` as data (see ``catgrad.draw``), saved to ``path`` if given."""
        return draw(self, path, **options)

    def _repr_svg_(self) -> str:
        """What a notebook shows: the picture, collapsed to layers above ``COLLAPSE_ABOVE`` operations."""
        return notebook(self).to_svg()


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
    ['1', '×', '×', 'σ', '−x']
    >>> len(d.inputs), len(d.outputs)
    (2, 1)
    """
    _check(options)
    if not isinstance(x, Drawable):
        raise TypeError(f"draw: cannot draw {type(x).__name__} {_short(x)}; expected a Diagram, Lens, Para or Learner")
    d = x.to_drawing(**options)
    if path is not None:
        d.save(path)
    return d


def _short(x) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def size(x) -> int:
    """The number of operations ``x`` holds: its ``size`` (a lens: both maps), or its map's (a Para); 0 if none."""
    return getattr(getattr(x, "map", x), "size", 0)


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


