"""The one interpreter: a meaning of the generators extends to a functor out of the syntax.

A *meaning* assigns to each operation ``g: A → B`` of a diagram a function from values of
``A`` to values of ``B`` (JAX arrays, sympy expressions, GF(2) polynomials, graph nodes, ...).
``interpret`` folds a diagram with it: wires are mapped to values in an environment, the
operations run in order, and the values of the codomain wires are returned. Identities, swaps,
copies and discards are wiring, so every meaning preserves them; composition and tensor are
preserved because the fold follows the wires [DisCoPy's ``Functor(ob, ar)`` plays this role]::

    interpret(f >> g, M, x) == interpret(g, M, interpret(f, M, x))
    interpret(f @ g, M, x + y) == interpret(f, M, x) + interpret(g, M, y)

This is the only loop over a diagram's operations that gives it a meaning; ``rdiff`` and
``batch`` build syntax and keep their own sweeps.

>>> from catgrad import Array, sigmoid, copy, mul
>>> f = sigmoid(Array(())) >> copy(Array(())) >> mul(Array(()))
>>> depth = lambda op, args, types: [max(args, default=0) + 1] * len(op.outs)
>>> interpret(f, depth, [0])
(2,)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import errors
from ..core.diagram import Diagram, Op, bodies, expect_diagram
from ..core.objects import Ty

Meaning = Callable[[Op, list, "OpTypes"], Sequence[Any]]
"""``meaning(op, args, types) -> outputs``: the values of ``op``'s output wires from those of its inputs."""


class OpTypes:
    """The types of one operation's input and output wires (what a meaning may dispatch on)."""

    __slots__ = ("dom", "cod", "meaning")

    def __init__(self, f: Diagram, op: Op, meaning: "Meaning | None" = None):
        self.dom = Ty(*(f.wires[i] for i in op.ins))
        self.cod = Ty(*(f.wires[o] for o in op.outs))
        self.meaning = meaning  # the meaning being folded (a higher-order generator folds its body with it)

    @property
    def z2(self) -> bool:
        """Whether the operation acts on Z2 (bool) wires."""
        return any(t.dtype == "bool" for t in self.dom) or any(t.dtype == "bool" for t in self.cod)


def interpret(f: Diagram, meaning: Meaning, args: Sequence) -> tuple:
    """The value of ``f`` at ``args`` (one value per domain wire) under ``meaning``: a tuple, one per codomain wire.

    >>> from catgrad import Array, exp, sin
    >>> names = lambda op, args, types: [f"{op.gen.name}({', '.join(args)})"]
    >>> interpret(exp(Array(())) >> sin(Array(())), names, ["x"])
    ('sin(exp(x))',)
    """
    expect_diagram("interpret", f)
    if len(args) != len(f.dom_wires):
        raise TypeError(errors.arity("interpret", len(f.dom_wires), len(args), f" (the domain is {f.dom})"))
    env = dict(zip(f.dom_wires, args))
    for op in f.ops:
        outs = meaning(op, [env[i] for i in op.ins], OpTypes(f, op, meaning))
        if len(outs) != len(op.outs):
            raise errors.SemanticsError(f"the meaning of {op.gen.name!r} gave {len(outs)} values for "
                                        f"{len(op.outs)} output wire(s)")
        env.update(zip(op.outs, outs))
    return tuple(env[w] for w in f.cod_wires)


def field_meaning(*fields: str, what: str | None = None) -> Meaning:
    """The meaning read off the generator records: the first of ``fields`` that the record has
    (e.g. ``"z2", "sympy"``), called with the input values and the attributes.

    A generator without any of them raises ``SemanticsError`` naming it and the meaning.
    """
    what = what or " / ".join(fields)

    def meaning(op, args, types):
        for name in fields:
            fn = getattr(op.gen, name)
            if fn is not None:
                return as_outputs(fn(*args, **attributes(op, types)), len(op.outs))
        raise errors.SemanticsError(
            f"generator {op.gen.name!r} has no {what} meaning, so this diagram has no {what} semantics")
    return meaning


def attributes(op: Op, types: OpTypes) -> dict:
    """The keyword arguments of a record's meaning for ``op``: its attributes, and for a higher-order
    generator (a diagram among them, e.g. ``scan``'s body) ``interpret``, the fold of a diagram under the
    meaning being run, so that the generator's meaning is built from its body's."""
    kw = dict(op.attrs)
    if bodies(op.attrs):
        kw["interpret"] = lambda d, args: interpret(d, types.meaning, args)
    return kw


def as_outputs(res, n: int) -> tuple:
    """A generator meaning's result as a tuple of ``n`` output values (one output may come bare)."""
    return (res,) if n == 1 else tuple(res)
