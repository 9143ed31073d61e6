"""Objects of the syntax: array types and their finite products.

An object is a finite product ``A₁ × … × Aₙ`` of array types ``Array(shape, dtype)``,
written ``A1 @ A2 @ ... @ An`` in code. The unit ``1`` is the empty product ``Ty()``.
Products form a strict monoid: ``(A @ B) @ C == A @ (B @ C)`` and ``Ty() @ A == A``.

>>> from catgrad import Array
>>> Array((3,)) @ Array((2, 3))
Ty(f32[3], f32[2,3])
>>> (Array(()) @ Ty()) == Array(())
True
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Iterable, Iterator, Union

import numpy as np

DTYPES = {"float32": "f32", "float64": "f64", "bool": "bool", "int32": "i32"}
FLOATS = ("float32", "float64")


def _canonical_dtype(dtype) -> str:
    try:
        name = np.dtype(dtype).name
    except TypeError as exc:
        raise TypeError(f"Array dtype {dtype!r} is not a dtype; use one of {sorted(DTYPES)}") from exc
    if name not in DTYPES:
        raise TypeError(f"Array dtype {name!r} is not supported; use one of {sorted(DTYPES)}")
    return name


def _canonical_shape(shape) -> tuple:
    """A shape as a tuple of Python ints ≥ 0; sizes that are not integers (``2.5``, ``"3"``, ``True``) are refused."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        if isinstance(shape, (str, bytes)):
            raise TypeError
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"Array shape must be a tuple of ints, got {shape!r}") from None
    sizes = []
    for i, n in enumerate(shape):
        try:
            if isinstance(n, (bool, np.bool_)):
                raise TypeError
            sizes.append(operator.index(n))
        except TypeError:
            fix = f"; write {int(n)}" if isinstance(n, (float, np.floating)) and float(n).is_integer() else ""
            raise TypeError(f"Array shape must be a tuple of ints, got {shape!r}: size {i} is "
                            f"{type(n).__name__} {n!r}, not an int{fix}") from None
    if any(n < 0 for n in sizes):
        raise TypeError(f"Array shape must have non-negative sizes, got {shape!r}")
    return tuple(sizes)


@dataclass(frozen=True, init=False)
class Array:
    """The type of one wire: an array of a fixed ``shape`` and ``dtype``.

    A scalar is ``Array(())``. The default dtype is ``float32``; ``bool`` wires carry Z2
    (boolean-circuit) values, ``int32`` wires carry indices (e.g. the output of ``argmax``).

    >>> Array((2, 3))
    Array((2, 3), 'float32')
    >>> str(Array((2, 3), "bool"))
    'bool[2,3]'
    """

    shape: tuple
    dtype: str

    def __init__(self, shape: Iterable[int] | int = (), dtype="float32"):
        object.__setattr__(self, "shape", _canonical_shape(shape))
        object.__setattr__(self, "dtype", _canonical_dtype(dtype))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def is_float(self) -> bool:
        return self.dtype in FLOATS

    def with_shape(self, shape) -> "Array":
        """The same dtype with another shape."""
        return Array(shape, self.dtype)

    def __matmul__(self, other: "Array | Ty") -> "Ty":
        return Ty(self) @ other

    def __rmatmul__(self, other):
        return as_ty(other) @ Ty(self)

    def __eq__(self, other):
        if isinstance(other, Ty):
            return len(other) == 1 and other[0] == self
        if not isinstance(other, Array):
            return NotImplemented
        return self.shape == other.shape and self.dtype == other.dtype

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"Array({self.shape!r}, {self.dtype!r})"

    def __str__(self):
        return f"{DTYPES[self.dtype]}[{','.join(map(str, self.shape))}]"


class Ty:
    """A finite product of array types, ``A₁ × … × Aₙ``; ``Ty()`` is the unit ``1``.

    >>> Ty(Array((3,)), Array(())) @ Ty()
    Ty(f32[3], f32[])
    >>> len(Array((3,)) @ Array((3,)))
    2
    """

    __slots__ = ("_arrays",)

    def __init__(self, *arrays: Array):
        for a in arrays:
            if not isinstance(a, Array):
                raise TypeError(f"Ty is a product of Array types, got {a!r}")
        self._arrays = tuple(arrays)

    def __matmul__(self, other) -> "Ty":
        return Ty(*self._arrays, *as_ty(other)._arrays)

    def __rmatmul__(self, other) -> "Ty":
        return as_ty(other) @ self

    def __iter__(self) -> Iterator[Array]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return Ty(*self._arrays[key])
        return self._arrays[key]

    def __eq__(self, other):
        if isinstance(other, Array):
            return len(self) == 1 and self._arrays[0] == other
        if not isinstance(other, Ty):
            return NotImplemented
        return self._arrays == other._arrays

    def __hash__(self):
        return hash(self._arrays)

    def __repr__(self):
        return f"Ty({', '.join(map(str, self._arrays))})"

    def __str__(self):
        return " @ ".join(map(str, self._arrays)) if self._arrays else "1"


TyLike = Union[Array, Ty, Iterable[Array]]


def as_ty(x: TyLike) -> Ty:
    """Coerce an ``Array``, a ``Ty`` or an iterable of arrays to a ``Ty``."""
    if isinstance(x, Ty):
        return x
    if isinstance(x, Array):
        return Ty(x)
    if isinstance(x, (tuple, list)):
        return Ty(*x)
    raise TypeError(f"expected an object (Array or Ty), got {x!r} of type {type(x).__name__}")
