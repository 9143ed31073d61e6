"""User-facing error messages, and the argument checks of the public API that raise them.

This module holds catgrad's error classes, the messages shared by several modules (composition,
arity, type rules, unknown names) and the checks of the arguments a user passes most often
(sizes, names chosen from a list, real numbers in a range, file paths). A message names the
function and the argument, says what is expected and what was got (with its type), and for the
common mistakes shows the fix. Messages about one module's own objects (a gate, an IDX
header, a CLI option) are written where they are raised. Tests match the text.

>>> positive_int("dense", "n_in", 4)
4
>>> positive_int("dense", "n_in", 2.5)
Traceback (most recent call last):
...
TypeError: dense: n_in must be a positive int, got float 2.5; a whole number is needed, e.g. n_in=2
>>> choice("dense", "activation", "Sigmoid", ["relu", "sigmoid"])
Traceback (most recent call last):
...
ValueError: dense: unknown activation 'Sigmoid'; known: relu, sigmoid (did you mean 'sigmoid'?)
"""
from __future__ import annotations

import difflib
import math
import operator
import os
from typing import Iterable, Optional

import jax
import jax.numpy as jnp
import numpy as np


class NotDifferentiableError(TypeError):
    """Raised by ``rdiff`` when a diagram contains a generator without a reverse derivative.

    >>> import catgrad as cg
    >>> floor = cg.Generator(name="floor", typing=lambda dom: dom, jax=lambda x: x // 1, formula="floor(x) = ⌊x⌋")
    >>> cg.rdiff(floor(cg.Array(())))
    Traceback (most recent call last):
        ...
    catgrad.errors.NotDifferentiableError: ...
    """


class UnknownGeneratorError(LookupError):
    """Raised when a generator name is not declared in the signature.

    >>> import catgrad as cg
    >>> cg.lookup("sigmoyd")
    Traceback (most recent call last):
        ...
    catgrad.errors.UnknownGeneratorError: ...
    """


class SemanticsError(TypeError):
    """Raised when a diagram is sent to a semantics that has no meaning for one of its generators.

    >>> import catgrad as cg
    >>> from catgrad.boolean import to_gf2
    >>> to_gf2(cg.sigmoid(cg.Array(())))
    Traceback (most recent call last):
        ...
    catgrad.errors.SemanticsError: to_gf2: generator 'sigmoid' has no meaning over GF(2) ...
    """


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


# -- the arguments users pass most often: sizes, names, real numbers, paths ------------------

def describe(value) -> str:
    """A value as messages show it: its type and its repr (``float 2.5``, ``str '3'``)."""
    return f"{type(value).__name__} {value!r}"


def expected(where: str, arg: str, what: str, got, fix: str = "") -> str:
    """``"<where>: <arg> must be <what>, got <type> <value>"``, then the fix of a common mistake."""
    return f"{where}: {arg} must be {what}, got {describe(got)}" + (f"; {fix}" if fix else "")


def _whole_number_fix(arg: str, value) -> str:
    if isinstance(value, str):
        return f"write {arg}={value.strip()} (a number, not a string)" if value.strip().isdigit() else ""
    if isinstance(value, float) and math.isfinite(value):
        if value.is_integer():
            return f"write {arg}={int(value)}"
        return f"a whole number is needed, e.g. {arg}={max(1, math.floor(value))}"
    return ""


def integer(where: str, arg: str, value, *, minimum: int = 1, what: Optional[str] = None) -> int:
    """``value`` as an ``int`` if it is an integer (``int``, numpy integer, not ``bool``) ``≥ minimum``.

    Raises ``TypeError`` for a value that is not an integer (a float, even ``2.0``, a string, a
    bool) and ``ValueError`` for an integer below ``minimum``; both messages name ``where`` and ``arg``.

    >>> integer("fit", "epochs", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: fit: epochs must be a positive int, got int 0
    """
    what = what or ("a positive int" if minimum == 1 else
                    "a non-negative int" if minimum == 0 else f"an int ≥ {minimum}")
    if isinstance(value, bool):
        raise TypeError(expected(where, arg, what, value))
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(expected(where, arg, what, value, _whole_number_fix(arg, value))) from None
    if n < minimum:
        raise ValueError(expected(where, arg, what, value))
    return n


def positive_int(where: str, arg: str, value) -> int:
    """``integer(where, arg, value, minimum=1)``: a size, a count, a number of channels."""
    return integer(where, arg, value, minimum=1)


def positive_pair(where: str, arg: str, value) -> tuple:
    """A positive int ``n`` as ``(n, n)``, or a pair of positive ints as a tuple (a kernel size, a window)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise TypeError(expected(where, arg, "a positive int or a pair of positive ints", value))
        return tuple(positive_int(where, f"{arg}[{i}]", v) for i, v in enumerate(value))
    try:
        n = positive_int(where, arg, value)
    except TypeError:
        raise TypeError(expected(where, arg, "a positive int or a pair of positive ints", value,
                                 _whole_number_fix(arg, value))) from None
    return n, n


def real(where: str, arg: str, value, *, low: Optional[float] = None, high: Optional[float] = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite ``float`` in the interval given by ``low``/``high`` (closed unless ``*_open``).

    ``TypeError`` for a value that is not a real number (a string, a bool, None), ``ValueError`` for a
    NaN, an infinity or a number outside the interval.

    >>> real("normal", "stddev", -1.0, low=0.0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: normal: stddev must be a finite real number > 0, got float -1.0
    """
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if low_open else '≥'} {low:g}")
    if high is not None:
        bounds.append(f"{'<' if high_open else '≤'} {high:g}")
    what = "a finite real number" + (" " + " and ".join(bounds) if bounds else "")
    if isinstance(value, (bool, str, bytes)) or value is None:
        quoted_number = isinstance(value, str) and _is_number(value)
        fix = f"write {arg}={value.strip()} (a number, not a string)" if quoted_number else ""
        raise TypeError(expected(where, arg, what, value, fix))
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(expected(where, arg, what, value)) from None
    if (not math.isfinite(x) or (low is not None and (x < low or (low_open and x == low)))
            or (high is not None and (x > high or (high_open and x == high)))):
        raise ValueError(expected(where, arg, what, value))
    return x


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def choice(where: str, what: str, value, known: Iterable[str]) -> str:
    """``value`` if it is one of the names ``known`` (of a ``what``); otherwise a ``ValueError`` listing them.

    A near miss (a different case, a typo) is answered with the name meant.
    """
    known = list(known)
    if value in known:
        return value
    if not isinstance(value, str):
        raise TypeError(expected(where, what, f"one of {', '.join(map(repr, known))}", value))
    raise ValueError(unknown_name(where, what, value, known))


def unknown_name(where: str, what: str, name: str, known: Iterable[str]) -> str:
    """``"<where>: unknown <what> 'x'; known: a, b (did you mean 'a'?)"``."""
    known = list(known)
    close = [k for k in known if k.lower() == str(name).lower()] or difflib.get_close_matches(str(name), known, 1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where}: unknown {what} {name!r}; known: {', '.join(known)}{hint}"


def path(where: str, arg: str, value) -> str:
    """``value`` as a ``str`` path if it is a ``str`` or ``os.PathLike`` (never an int: ``open(5)`` opens fd 5)."""
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes):
        p = os.fspath(value)
        if p:
            return p
    raise TypeError(expected(where, arg, "a file path (str or pathlib.Path)", value))


def prng_key(where: str, key):
    """``key`` if it is a PRNG key (``jax.random.PRNGKey(seed)`` or ``jax.random.key(seed)``), else a ``TypeError``.

    >>> prng_key("init", 0)
    Traceback (most recent call last):
    ...
    TypeError: init: key must be a JAX PRNG key such as jax.random.PRNGKey(0) or jax.random.key(0), got int 0
    """
    ok = isinstance(key, (jax.Array, np.ndarray)) and (
        jnp.issubdtype(key.dtype, jax.dtypes.prng_key) or (key.dtype == np.uint32 and key.shape == (2,)))
    if not ok:
        got = f"{type(key).__name__} {key!r:.40}" if not hasattr(key, "shape") else \
            f"an array of shape {tuple(key.shape)} and dtype {key.dtype}"
        raise TypeError(f"{where}: key must be a JAX PRNG key such as jax.random.PRNGKey(0) or jax.random.key(0), "
                        f"got {got}")
    return key
