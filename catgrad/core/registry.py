"""The signature's table: every declared generator by name, and operations' attributes in canonical form.

``catgrad.core.signature.declare`` adds a record here; the syntax looks generators up by name (``x + y`` is
``lookup("add")``) and freezes the attributes of each operation it builds. This module sits below both
the records and the diagrams, so that neither imports the other in a circle.
"""
from __future__ import annotations

import numpy as np

from .. import errors


class Literal:
    """A constant array used as a generator attribute: hashable, compared by value."""

    __slots__ = ("value", "_key")

    def __init__(self, value):
        self.value = np.asarray(value)
        self._key = (self.value.dtype.str, self.value.shape, self.value.tobytes())

    def __eq__(self, other):
        return isinstance(other, Literal) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __repr__(self):
        v = self.value
        return repr(v.item()) if v.ndim == 0 else f"array{v.shape}"


def freeze(attrs: dict) -> tuple:
    """Attributes as a hashable, ordered tuple of (name, value) pairs."""
    out = []
    for k in sorted(attrs):
        v = attrs[k]
        if isinstance(v, list):
            v = tuple(v)
        if isinstance(v, np.ndarray):
            v = Literal(v)
        if isinstance(v, (np.floating, np.integer)):
            v = v.item()
        hash(v)
        out.append((k, v))
    return tuple(out)


SIGNATURE: dict = {}
"""The declared generators, ``{name: Generator}`` (filled by ``declare``)."""


def lookup(name: str) -> "Generator":
    """The generator declared under ``name``.

    >>> lookup("sigmoid")
    Generator('sigmoid')
    """
    try:
        return SIGNATURE[name]
    except KeyError:
        raise errors.UnknownGeneratorError(errors.unknown_generator(name, SIGNATURE)) from None
