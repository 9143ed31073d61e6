"""Drawing string diagrams: ``draw(x)`` lays out a Diagram, Lens, Para or Learner as the papers draw it.

>>> from catgrad import Array, sigmoid, copy, mul
>>> A = Array((3,))
>>> d = draw(sigmoid(A) >> copy(A) >> mul(A))
>>> [b.label for b in d.boxes], [p.kind for p in d.dots]
(['σ', '×'], ['copy'])
>>> d.to_svg().startswith("<svg")
True
"""
from .data import Box, Dot, Drawing, Frame, Text, WirePath
from .draw import draw
from .equation import draw_equation, equation
from .legend import Symbol, legend

__all__ = ["draw", "draw_equation", "equation", "legend", "Symbol", "Drawing", "Box", "Dot", "WirePath", "Frame", "Text"]
