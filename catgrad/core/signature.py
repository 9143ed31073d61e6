"""The signature: every generator of the syntax, each declared once as one record.

A ``Generator`` holds, in one place, everything catgrad knows about a primitive:
its typing rule, its JAX meaning, its symbolic (sympy) meaning, its Z2 meaning where
it has one, its reverse derivative *as a diagram of generators*, and how it acts on a
batch axis. ``declare`` checks that a record is complete and adds it to the registry.

A reverse-derivative rule is written as a function on wires (see ``catgrad.core.diagram.trace``):
given input wires ``x₁…xₙ`` and cotangent wires ``dy₁…dyₘ`` it returns the input cotangents,
``None`` standing for a structural zero. For ``f: A → B`` this is ``R[f]: A × B → A``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from .. import errors
from .objects import Ty, as_ty


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


@dataclass(frozen=True, eq=False)
class Generator:
    """One generator of the syntax, declared once.

    Fields:
        name: unique name, e.g. ``"sigmoid"``.
        typing: ``(dom: Ty, **attrs) -> Ty``, the codomain, raising ``TypeError`` on bad input.
        jax: ``(*arrays, **attrs) -> array | tuple``, the JAX meaning (per example).
        sympy: ``(*object_arrays, **attrs) -> object_array | tuple``, the symbolic meaning.
        rdiff: ``(*xs, *dys, **attrs) -> list[Wire | None]``, R as a diagram; ``None`` if undefined.
        batch: ``(flags, size, dom, **attrs) -> dict`` of attributes for the op on a leading batch
            axis (``flags[i]``: input ``i`` is batched), or ``None`` when every input must be batched
            and the attributes do not change (the default, right for elementwise generators).
        batch_all: whether unbatched inputs are broadcast along the batch axis first.
        canon: ``(dom, **attrs) -> dict``, puts attributes in canonical form (optional).
        z2: the GF(2) polynomial meaning on object arrays (boolean generators), optional.
        zero_rdiff_warning: if set, ``rdiff`` is zero by convention and this warning is shown.
        label: the name drawn in string diagrams.
    """

    name: str
    typing: Callable[..., Ty]
    jax: Callable[..., Any]
    sympy: Optional[Callable[..., Any]]
    rdiff: Optional[Callable[..., Any]]
    batch: Optional[Callable[..., dict]] = None
    batch_all: bool = True
    canon: Optional[Callable[..., dict]] = None
    z2: Optional[Callable[..., Any]] = None
    zero_rdiff_warning: Optional[str] = None
    label: Optional[str] = None
    doc: str = field(default="", repr=False)

    def __repr__(self):
        return f"Generator({self.name!r})"

    def cod(self, dom: Ty, attrs: dict) -> Ty:
        return as_ty(self.typing(dom, **attrs))


SIGNATURE: dict[str, Generator] = {}


def declare(gen: Generator, *, replace: bool = False) -> Generator:
    """Add a generator to the signature, checking that its record is complete.

    A generator must have a name, a typing rule and a JAX meaning; a missing reverse
    derivative is allowed (``rdiff`` then raises ``NotDifferentiableError``).
    """
    if not isinstance(gen.name, str) or not gen.name.isidentifier():
        raise ValueError(f"a generator needs an identifier as name, got {gen.name!r}")
    for fld in ("typing", "jax"):
        if not callable(getattr(gen, fld)):
            raise ValueError(f"generator {gen.name!r} is incomplete: {fld} must be callable")
    if gen.name in SIGNATURE and not replace:
        raise ValueError(f"generator {gen.name!r} is already declared")
    SIGNATURE[gen.name] = gen
    return gen


def lookup(name: str) -> Generator:
    """The generator declared under ``name``."""
    try:
        return SIGNATURE[name]
    except KeyError:
        raise errors.UnknownGeneratorError(errors.unknown_generator(name, SIGNATURE)) from None
