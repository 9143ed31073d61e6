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
from .style import shorten, text_width

OPTIONS = ("depth", "types", "sweeps", "width")
DISPLAY_WIDTH = 1200.0
"""The widest picture a notebook shows (px): a wider one is collapsed to the deepest depth that fits, so that
its smallest text (``SMALL_FONT_SIZE``, 9 px) is not shrunk when shown."""
DEEPEST = 32      # the depths ``draw(x, width=)`` tries at most
TITLE_ROOM = 16.0  # the band on top that holds a collapsed drawing's title


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
    width = options.get("width", None)
    if width is not None and (isinstance(width, bool) or not isinstance(width, (int, float)) or not 0 < width < 1e9):
        raise ValueError(errors.expected("draw", "width", "None (no limit) or a number of px > 0, e.g. 1200", width))
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
        """What a notebook shows: the picture, collapsed to fit ``DISPLAY_WIDTH`` px (``notebook``)."""
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
        width: ``None`` (default) draws at any width; a number of px collapses scopes to the deepest depth
            (at most ``depth``) whose drawing is at most that wide, and says so in the drawing's ``title``
            (one line on top); if even ``depth=0`` is wider, that is drawn, and said.

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
    width = options.pop("width", None)
    d = x.to_drawing(**options) if width is None else fitted(x, width, options)
    if path is not None:
        d.save(path)
    return d


def _short(x) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def fitted(x, width: float, options: dict) -> Drawing:
    """The drawing of ``x`` at the deepest depth (at most ``options["depth"]``, ``None`` for no bound) that is
    at most ``width`` px wide, titled with a line saying so when it is collapsed.

    Depths are tried from ``None`` (or the given one), then ``0, 1, 2, …`` until one is too wide or draws
    the same as the one before (no scope left to open): a picture grows as it opens, so the last that fits
    is the deepest that fits.

    >>> from catgrad import nn, Array
    >>> d = fitted(nn.transformer_block(8, 2, 16)(Array((4, 8))), 1200, {})
    >>> d.width <= 1200, d.title.split(":")[0]
    (True, 'collapsed to depth 2 to fit 1200 px')
    """
    options = dict(options)
    deepest = options.pop("depth", None)
    full = x.to_drawing(depth=deepest, **options)
    if full.width <= width:
        return full
    chosen = None
    for k in range(DEEPEST if deepest is None else deepest):
        d = x.to_drawing(depth=k, **options)
        if chosen is not None and (d.width > width or d == chosen[1]):  # too wide, or no scope left to open
            break
        chosen = (k, d)
        if d.width > width:
            break
    if chosen is None:
        return full
    k, d = chosen
    opened = "draw(x, depth=None) shows every generator" if deepest is None else f"draw(x, depth={deepest}) shows it"
    fits = f"to fit {width:g} px" if d.width <= width else f"and still wider than {width:g} px"
    note = f"collapsed to depth {k} {fits}: {opened} ({full.width:,.0f} px wide)"
    return titled(d, note, width)


def titled(d: Drawing, note: str, width: float = DISPLAY_WIDTH) -> Drawing:
    """``d`` moved down by a band holding ``note`` as its title (shortened to ``width``)."""
    room = max(d.width, min(width, 8 + text_width(note, small=True)))
    note = shorten(note, room - 8, small=True)
    return d.shifted(0, TITLE_ROOM).with_(title=note, width=room)


def notebook(x) -> Drawing:
    """What a notebook cell shows: the drawing of ``x`` at most ``DISPLAY_WIDTH`` px wide (``draw(x, width=)``),
    so that no text is shown smaller than it is drawn (9 px)."""
    return draw(x, width=DISPLAY_WIDTH)
