"""The two ways to compose, written once for every kind of morphism (diagrams, lenses, Para, learners).

``f >> g`` is sequential composition in diagrammatic order (``f ; g``, first ``f`` then ``g``) and
``f @ g`` the monoidal product (``f ⊗ g``, side by side); a class says what they are by its ``then``
and ``tensor`` methods.

>>> from catgrad import Array, exp, sigmoid
>>> A = Array((2,))
>>> (exp(A) >> sigmoid(A)).size, (exp(A) @ sigmoid(A)).dom
(2, Ty(f32[2], f32[2]))
"""
from __future__ import annotations


class Composable:
    """A morphism of a monoidal category: ``f >> g = f.then(g)`` (``f ; g``) and ``f @ g = f.tensor(g)`` (``f ⊗ g``)."""

    __slots__ = ()

    def __rshift__(self, other):
        return self.then(other)

    def __matmul__(self, other):
        return self.tensor(other)
