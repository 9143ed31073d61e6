"""The signature: every generator of the syntax, each declared once as one record.

A ``Generator`` holds, in one place, everything catgrad knows about a primitive: its typing
rule, each of its meanings (JAX on real wires, JAX on Z2 wires, sympy, GF(2) polynomials), its
reverse derivative *as a diagram of generators*, how it acts on a batch axis, the formulas of
its meaning and of its reverse derivative, and its drawing label. ``declare`` checks that a
record is complete for the meanings it claims and adds it to the signature.

The record is the public function: ``catgrad.sigmoid`` *is* the record, and calling it on
types gives a one-operation diagram, on wires (inside ``trace``) gives wires:

>>> import catgrad as cg
>>> isinstance(cg.sigmoid, cg.Generator)
True
>>> cg.sigmoid(cg.Array((3,)))
<Diagram f32[3] → f32[3]: 1 op>

A reverse-derivative rule is a function on wires: given input wires ``x₁…xₙ`` and cotangent
wires ``dy₁…dyₘ`` (and, when ``rdiff_uses_output`` is set, the forward outputs ``y₁…yₘ`` between
them, as JAX's ``defjvp2`` rules receive the primal output) it returns the input cotangents,
``None`` standing for a structural zero. For ``f: A → B`` this is ``R[f]: A × B → A``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from .diagram import call
from .objects import Ty, as_ty
from .registry import SIGNATURE, Literal, freeze, lookup  # noqa: F401 (the signature's table, re-exported)


Meaning = Optional[Callable[..., Any]]


@dataclass(frozen=True, eq=False, kw_only=True)
class Generator:
    """One generator of the syntax, declared once; calling it applies it (see the module docstring).

    All fields are keyword-only.

    Fields:
        name: unique identifier, e.g. ``"sigmoid"``.
        typing: ``(dom: Ty, **attrs) -> Ty``, the codomain, raising ``TypeError`` on bad input.
        jax: ``(*arrays, **attrs) -> array | tuple``, the JAX meaning on real (float/int) wires.
        z2_jax: the JAX meaning on Z2 (bool) wires, for generators that act on them.
        sympy: ``(*object_arrays, **attrs)``, the symbolic meaning (sympy expressions).
        z2: the meaning over GF(2): on object arrays of polynomials (reduced mod 2 by the semantics).
        rdiff: ``(*xs, [*ys,] *dys, **attrs) -> list[Wire | None]``: R as a diagram; ``None``: not differentiable.
        rdiff_uses_output: the rule also receives the forward outputs ``ys`` (e.g. ``R[σ]`` reuses ``σ(x)``).
        zero_rdiff_warning: if set, ``R`` is zero by convention and this warning is shown.
        batch: ``(flags, size, dom, **attrs) -> dict``, the attributes on a leading batch axis
            (``flags[i]``: input ``i`` is batched); ``None``: unchanged (elementwise generators). It may
            instead return ``(diagram, out_flags)``: the batched operation as a diagram on the batched
            inputs (no broadcasting first when ``batch_all`` is false) and which outputs it batches.
        batch_all: whether unbatched inputs are broadcast along the batch axis first.
        canon: ``(dom, **attrs) -> dict``, the attributes in canonical form.
        arity: the number of input wires; a call with one type ``A`` on a binary generator means ``A × A``.
        params: names of the attributes that a call may pass positionally (``scale(A, 2.0)``).
        prepare: ``(*wires, **attrs) -> wires``, applied to wire arguments first (e.g. broadcasting).
        shape_dtype: if set, a shape (``int`` or tuple of ints) in a call means ``Array(shape, shape_dtype)``.
        summary: the first line of the docstring (``help(g)``); signature, formula, rdiff_formula,
            example, notes: its other parts (``signature`` is the typing in words, e.g.
            ``"A → A, A a float array"``).
        label: what a box of the generator reads in string diagrams, as mathematics: a string (``"σ"``) or a
            function ``(dom, **attrs) -> str`` of the input types and attributes (``W·x``, ``x²``, a constant's
            value; see ``catgrad.core.labels``); ``None``: the name. ``drawing_label`` reads it.

    Example:

    >>> import jax.numpy as jnp
    >>> from catgrad import Array, Generator
    >>> cube = Generator(name="cube", typing=lambda dom: dom, jax=lambda x: x ** 3,
    ...                  rdiff=lambda x, dy: [3.0 * x * x * dy], formula="cube(x) = x³",
    ...                  rdiff_formula="R[cube](x, dy) = 3x²·dy")
    >>> cube(Array((2,)))
    <Diagram f32[2] → f32[2]: 1 op>
    """

    name: str
    typing: Callable[..., Ty]
    jax: Meaning = None
    z2_jax: Meaning = None
    sympy: Meaning = None
    z2: Meaning = None
    rdiff: Meaning = None
    rdiff_uses_output: bool = False
    zero_rdiff_warning: Optional[str] = None
    batch: Optional[Callable[..., dict]] = None
    batch_all: bool = True
    canon: Optional[Callable[..., dict]] = None
    arity: Optional[int] = 1
    params: tuple = ()
    prepare: Optional[Callable[..., Any]] = None
    shape_dtype: Optional[str] = None
    summary: str = ""
    signature: str = ""
    formula: str = ""
    rdiff_formula: str = ""
    example: str = ""
    notes: str = ""
    label: "str | Callable[..., str] | None" = None

    def __post_init__(self):
        object.__setattr__(self, "__doc__", self._docstring())

    def __repr__(self):
        return f"Generator({self.name!r})"

    def __call__(self, *args, **attrs):
        """Apply the generator: to types (a one-operation ``Diagram``) or to wires (inside ``trace``)."""
        return call(self, args, attrs)

    @property
    def __name__(self) -> str:  # so the record reads as the function it stands for
        return self.name

    @property
    def nullary(self) -> bool:
        return self.arity == 0

    def cod(self, dom: Ty, attrs: dict) -> Ty:
        return as_ty(self.typing(dom, **attrs))

    def drawing_label(self, dom: Ty, attrs) -> str:
        """The label of one operation of this generator, on inputs of types ``dom`` with attributes ``attrs``
        (a dict or pairs): the record's ``label`` (called with them when it is a function), else the name.

        >>> from catgrad import Ty, Array, pow, sigmoid, exp
        >>> pow.drawing_label(Ty(Array((3,))), {"k": 2}), sigmoid.drawing_label(Ty(Array((3,))), {})
        ('x²', 'σ')
        >>> exp.drawing_label(Ty(Array((3,))), {})
        'exp'
        """
        if callable(self.label):
            return self.label(as_ty(dom), **dict(attrs))
        return self.label or self.name

    def _docstring(self) -> str:
        lines = [self.summary or f"The generator {self.name!r}."]
        if self.signature:
            lines += ["", f"Typing: {self.name}: {self.signature}"]
        if self.formula:
            lines += ["", f"Meaning: {self.formula}"]
        if self.rdiff is not None:
            lines += ["", f"Reverse derivative: {self.rdiff_formula}"]
        elif self.zero_rdiff_warning is None:
            lines += ["", "Reverse derivative: none (rdiff raises NotDifferentiableError)."]
        if self.z2_jax is not None or self.z2 is not None:
            lines += ["", "Acts on Z2 (bool) wires" + (" too." if self.jax is not None else ".")]
        if self.params:
            lines += ["", f"Attributes passed positionally: {', '.join(self.params)}."]
        if self.notes:
            lines += ["", self.notes]
        if self.example:
            lines += ["", "Example:", "", self.example]
        return "\n".join(lines)


def declare(gen: Generator, *, replace: bool = False) -> Generator:
    """Add a generator to the signature, checking that its record is complete for what it claims.

    A generator needs an identifier as name, a typing rule, a JAX meaning (on real or on Z2
    wires) and the formula of its meaning; each meaning it gives must be callable; one with a
    reverse-derivative rule must state its formula. A missing rule is allowed (``rdiff`` then
    raises ``NotDifferentiableError``).

    >>> from catgrad import Generator
    >>> declare(Generator(name="half", typing=lambda dom: dom, jax=lambda x: x / 2))
    Traceback (most recent call last):
        ...
    ValueError: generator 'half' is incomplete: state the formula of its meaning (formula=...)
    """
    if not isinstance(gen, Generator):
        raise TypeError(f"declare expects a Generator record, got {type(gen).__name__} {gen!r}")
    if not isinstance(gen.name, str) or not gen.name.isidentifier():
        raise ValueError(f"a generator needs an identifier as name, got {gen.name!r}")
    if not callable(gen.typing):
        raise ValueError(f"generator {gen.name!r} is incomplete: typing must be callable")
    if gen.jax is None and gen.z2_jax is None:
        raise ValueError(f"generator {gen.name!r} is incomplete: it needs a JAX meaning (jax= or z2_jax=)")
    for fld in ("jax", "z2_jax", "sympy", "z2", "rdiff", "batch", "canon", "prepare"):
        v = getattr(gen, fld)
        if v is not None and not callable(v):
            raise ValueError(f"generator {gen.name!r} is incomplete: {fld} must be callable, got {v!r}")
    if not gen.formula:
        raise ValueError(f"generator {gen.name!r} is incomplete: state the formula of its meaning (formula=...)")
    if gen.rdiff is not None and not gen.rdiff_formula:
        raise ValueError(f"generator {gen.name!r} is incomplete: state the formula of its reverse derivative "
                         "(rdiff_formula=...)")
    if (gen.z2_jax is None) != (gen.z2 is None):
        raise ValueError(f"generator {gen.name!r} is incomplete: a Z2 generator needs both its JAX meaning on "
                         "bool wires (z2_jax=) and its GF(2) meaning (z2=)")
    if gen.label is not None and not (isinstance(gen.label, str) or callable(gen.label)):
        raise ValueError(f"generator {gen.name!r}: label must be a str or a function (dom, **attrs) -> str, "
                         f"got {gen.label!r}")
    if not all(isinstance(p, str) for p in gen.params):
        raise ValueError(f"generator {gen.name!r}: params must be attribute names, got {gen.params!r}")
    if gen.name in SIGNATURE and not replace:
        raise ValueError(f"generator {gen.name!r} is already declared")
    SIGNATURE[gen.name] = gen
    return gen


def doctests(gens) -> dict:
    """``{name: docstring}`` of generator records, for a module's ``__test__`` (so doctest runs their examples)."""
    return {g.name: g.__doc__ for g in gens if g.example}


def table(gens, columns=("name", "formula", "rdiff_formula")) -> str:
    """A reStructuredText table of generator records (for module docstrings): each formula written once."""
    rows = [[str(getattr(g, c) or "") for c in columns] for g in gens]
    head = [c.replace("rdiff_formula", "R[g](x, dy)").replace("formula", "meaning") for c in columns]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(columns))]
    rule = "  ".join("=" * w for w in widths)
    fmt = lambda r: "  ".join(s.ljust(w) for s, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([rule, fmt(head), rule, *map(fmt, rows), rule])
