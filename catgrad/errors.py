"""Every user-facing error message of catgrad, in one place.

Messages name the types on both sides (with shapes and dtypes) and, for common
mistakes, say how to fix them. Tests match their text.
"""
from __future__ import annotations


class NotDifferentiableError(TypeError):
    """Raised by ``rdiff`` when a diagram contains a generator without a reverse derivative."""


class UnknownGeneratorError(LookupError):
    """Raised when a generator name is not declared in the signature."""


class SemanticsError(TypeError):
    """Raised when a diagram is sent to a semantics that has no meaning for one of its generators."""


def compose_mismatch(f, g) -> str:
    return (
        f"cannot compose f: {f.dom} → {f.cod} with g: {g.dom} → {g.cod}: "
        f"the codomain of f ({f.cod}) is not the domain of g ({g.dom})"
        + _first_difference(f.cod, g.dom)
    )


def _first_difference(a, b) -> str:
    if len(a) != len(b):
        return f"; f has {len(a)} output wire(s) and g has {len(b)} input wire(s)"
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"; wire {i} differs: {x} (shape {x.shape}, dtype {x.dtype}) vs {y} (shape {y.shape}, dtype {y.dtype})"
    return ""


def arity(what: str, expected: int, got: int, detail: str = "") -> str:
    return f"{what} expects {expected} argument(s), got {got}{detail}"


def bad_argument(fn: str, i: int, wire, value_desc: str) -> str:
    return (
        f"{fn}: argument {i} (wire {i} of the domain, type {wire}: shape {wire.shape}, "
        f"dtype {wire.dtype}) got {value_desc}"
    )


def not_differentiable(name: str) -> str:
    return (
        f"rdiff: generator {name!r} has no reverse derivative; "
        "remove it from the diagram or declare its rdiff rule"
    )


def unknown_generator(name: str, known) -> str:
    return f"unknown generator {name!r}; declared generators are: {', '.join(sorted(known))}"


def type_rule(name: str, dom, why: str) -> str:
    return f"{name}: cannot apply to {dom}: {why}"


def mixed_arguments(name: str, args) -> str:
    return (f"{name}: mixes wires and types in its arguments {args!r}; call it on types (Array/Ty) to get a "
            "diagram, or on wires inside catgrad.trace to get wires")


def too_many_arguments(name: str, rest, params) -> str:
    if not params:
        return f"{name}: takes no positional attributes, got {list(rest)!r} (pass attributes by keyword)"
    return f"{name}: too many arguments {list(rest)!r}; its positional attributes are {tuple(params)}"
