"""A JAX function as a diagram: ``from_jax(fn, *types)`` reads ``fn``'s jaxpr into catgrad's generators.

``jax.make_jaxpr(fn)`` lowers ``fn`` (jax.numpy, jax.nn, lax) to a list of equations, each a ``lax``
primitive applied to variables. Each primitive is sent to the generator (or small diagram of generators)
with the same meaning, so the diagram's JAX semantics is ``fn`` and its ``R`` is a diagram of generators
whose JAX semantics is ``jax.vjp(fn)``; it draws and has a formula like any diagram:

==================================  ==========================================================
primitive                           diagram
==================================  ==========================================================
add sub mul div neg                 add, sub, mul, div, neg (scalars broadcast)
exp log sin cos tanh sqrt logistic  exp, log, sin, cos, tanh, sqrt, sigmoid
rsqrt integer_pow pow(x, const)     pow
square                              mul(x, x)
log1p expm1 exp2 tan                log(1 + x), exp(x) − 1, exp(x·ln 2), sin / cos
erf erfc                            erf, 1 − erf
abs sign                            x·sign(x), H(x) − H(−x)
max min clamp                       select(compare(x, y), x, y) (a tie sends dy to the second operand)
lt le gt ge eq ne                   compare
is_finite                           compare(x − x, 0, eq)
select_n (bool predicate)           select
dot_general                         einsum
reduce_sum reduce_max reduce_min    sum, reduce_max, −reduce_max(−x)
argmax                              argmax
broadcast_in_dim reshape squeeze    broadcast (after a reshape dropping size-1 axes), reshape
transpose                           transpose
convert_element_type                identity (same dtype), select (bool to float)
stop_gradient                       stop_gradient (R = 0)
conv_general_dilated (no groups)    conv
scan                                scan (its body read the same way)
jit / pjit closed_call core_call    inlined
custom_jvp_call custom_vjp_call     inlined by their primal (catgrad's R replaces the custom rule)
remat / checkpoint                  inlined
copy copy_p                         identity
==================================  ==========================================================

A model in the ``apply(params, x)`` convention (flax, equinox, by hand) comes in as a ``Para``:
``from_jax(apply, params, *types)`` makes ``params``' tree the parameter record and ``params`` the initial
values (see ``from_jax``).

An equation whose inputs are all known constants (literals, closed-over arrays, ``iota``) is evaluated
once by JAX and becomes a ``constant``. Any other primitive raises ``UnsupportedPrimitiveError`` naming
it and the line of user code it came from.

>>> import jax.numpy as jnp
>>> from catgrad import Array, to_jax
>>> d = from_jax(lambda x: jnp.tanh(x) * 2.0, Array((3,)))
>>> [op.gen.name for op in d.ops]
['tanh', 'constant', 'broadcast', 'mul']
>>> to_jax(d)(jnp.zeros(3))[0].tolist()
[0.0, 0.0, 0.0]
"""
from __future__ import annotations

import math
import string
from typing import Callable

import jax
try:  # the jaxpr's variable kinds: public in jax.extend.core since JAX 0.4.36, in jax.core before
    from jax.extend.core import DropVar, Literal
except ImportError:  # pragma: no cover - older JAX
    from jax.core import DropVar, Literal
import jax.numpy as jnp
import numpy as np

from .core import generators as g
from .core.conv import conv
from .core.diagram import Diagram, Wire, apply, trace
from .core.objects import Array, Ty, as_ty
from .core.pool import reduce_max
from .core.scan import scan
from .core.select import compare, select
from .core.special import erf, stop_gradient
from .para import Para
from .record import leaves, paths

DTYPES = ("float32", "float64", "int32", "bool")


class UnsupportedPrimitiveError(TypeError):
    """A primitive of the traced JAX function that ``from_jax`` has no generator for (or cannot map with
    these parameters); the message names it and the user's source line.

    >>> import jax.numpy as jnp
    >>> from catgrad import Array
    >>> try:
    ...     from_jax(jnp.cumsum, Array((3,)))
    ... except UnsupportedPrimitiveError as e:
    ...     print(str(e)[:32])
    from_jax: the primitive 'cumsum'
    """


# -- values: wires, or constants known while reading -----------------------------------------

class Known:
    """A value known while reading the jaxpr (a literal, a closed-over array, or computed from them)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = np.asarray(value)


def _type_of(aval) -> Array:
    dt = np.dtype(aval.dtype).name
    if dt not in DTYPES:
        raise UnsupportedPrimitiveError(f"from_jax: a value of dtype {dt} has no catgrad wire type "
                                        f"(wires are {', '.join(DTYPES)})")
    return Array(tuple(int(n) for n in aval.shape), dt)


class _Reader:
    """Reads one jaxpr into wires of one builder (``like``: any wire of it, for constants)."""

    def __init__(self, like: Wire):
        self.like = like
        self.outer = []  # the source lines of the calls being inlined (an inner equation may have none)

    def wire(self, v, t: Array | None = None) -> Wire:
        if isinstance(v, Wire):
            return v
        a = v.value
        t = t or Array(a.shape, np.dtype(a.dtype).name)
        if np.dtype(a.dtype).name not in DTYPES:
            raise UnsupportedPrimitiveError(f"from_jax: a constant of dtype {a.dtype} has no catgrad wire type")
        return apply("constant", into=self.like.builder, type=t, value=a.astype(t.dtype) if a.ndim else a.item())

    def where(self, eqn) -> str:
        """The user's line of ``eqn``, or of the innermost call around it that has one."""
        return _where(eqn) or next((w for w in reversed(self.outer) if w), "an unknown line")

    def run(self, jaxpr, consts, args) -> list:
        env = {}

        def read(v):
            if isinstance(v, Literal):
                return Known(v.val)
            return env[v]

        for var, c in zip(jaxpr.constvars, consts):
            env[var] = Known(c)
        for var, a in zip(jaxpr.invars, args):
            env[var] = a
        for eqn in jaxpr.eqns:
            if all(isinstance(o, DropVar) for o in eqn.outvars):
                continue
            ins = [read(v) for v in eqn.invars]
            outs = self.equation(eqn, ins)
            for var, o in zip(eqn.outvars, outs):
                env[var] = o
        return [read(v) for v in jaxpr.outvars]

    def equation(self, eqn, ins) -> list:
        name = eqn.primitive.name
        body = _body(eqn)
        if body is not None:  # a call: inlined
            self.outer.append(self.where(eqn))
            try:
                return self.run(*body, ins)
            finally:
                self.outer.pop()
        if all(isinstance(x, Known) for x in ins) and name != "scan":
            out = eqn.primitive.bind(*[jnp.asarray(x.value) for x in ins], **eqn.params)
            out = out if eqn.primitive.multiple_results else [out]
            return [Known(np.asarray(o)) for o in out]
        rule = RULES.get(name)
        if rule is None:
            raise UnsupportedPrimitiveError(
                f"from_jax: the primitive {name!r} (at {self.where(eqn)}) has no catgrad generator; "
                f"supported: {', '.join(sorted(RULES))} and calls ({', '.join(sorted(CALLS))})")
        try:
            out = rule(self, eqn, *ins, **eqn.params)
        except UnsupportedPrimitiveError as e:
            raise UnsupportedPrimitiveError(f"{e} (the primitive {name!r} at {self.where(eqn)})") from None
        except TypeError as e:
            raise UnsupportedPrimitiveError(f"from_jax: the primitive {name!r} at {self.where(eqn)} could not be read "
                                            f"as generators: {e}") from None
        out = out if isinstance(out, (list, tuple)) else [out]
        for o, var in zip(out, eqn.outvars):
            if isinstance(o, Wire) and o.type != _type_of(var.aval):
                raise UnsupportedPrimitiveError(f"from_jax: the primitive {name!r} at {self.where(eqn)} gave {o.type}, "
                                                f"JAX says {_type_of(var.aval)}")
        return list(out)


CALLS = ("jit", "pjit", "closed_call", "core_call", "custom_jvp_call", "custom_vjp_call", "custom_vjp_call_jaxpr",
         "remat", "checkpoint", "custom_lin")


def _body(eqn):
    """``(jaxpr, consts)`` of a call primitive (inlined by its primal), else None."""
    if eqn.primitive.name not in CALLS:
        return None
    for key in ("jaxpr", "call_jaxpr", "fun_jaxpr"):
        j = eqn.params.get(key)
        if j is None:
            continue
        if hasattr(j, "jaxpr") and hasattr(j, "consts"):
            return j.jaxpr, j.consts
        if hasattr(j, "eqns"):
            return j, []
    raise UnsupportedPrimitiveError(f"from_jax: the call {eqn.primitive.name!r} (at {_where(eqn)}) carries no "
                                    "jaxpr to inline")


def _where(eqn) -> str:
    """The user's source line of an equation (``file:line (function)``), as JAX's own errors name it, or ''."""
    try:
        from jax._src import source_info_util
        return source_info_util.summarize(eqn.source_info)
    except Exception:  # pragma: no cover - the location is a courtesy; never fail on it
        return ""


# -- rules: primitive ↦ generators ----------------------------------------------------------

def _common(r: _Reader, *xs) -> list[Wire]:
    """Wires of one shape: known constants made wires, scalars broadcast (NumPy rules)."""
    ws = [x for x in xs if isinstance(x, Wire)]
    shape = np.broadcast_shapes(*[w.shape for w in ws], *[x.value.shape for x in xs if isinstance(x, Known)])
    dtype = next(w.dtype for w in ws if w.dtype != "bool") if any(w.dtype != "bool" for w in ws) else ws[0].dtype
    out = []
    for x in xs:
        w = r.wire(x, Array(x.value.shape, dtype if x.value.dtype.kind != "b" else "bool")) if isinstance(x, Known) else x
        out.append(w if w.shape == tuple(shape) else g.broadcast_to(w, tuple(shape)))
    return out


def _binary(fn):
    def rule(r, eqn, x, y, **_):
        return fn(*_common(r, x, y))
    return rule


def _unary(fn):
    def rule(r, eqn, x, **_):
        return fn(r.wire(x))
    return rule


def _sign(x):
    return g.heaviside(x) - g.heaviside(-x)


def _const_like(w: Wire, value) -> Wire:
    return apply("constant", into=w.builder, type=w.type, value=value)


def _pick(op):
    """max / min: ``select(compare(x, y, op), x, y)``."""
    def rule(r, eqn, x, y, **_):
        a, b = _common(r, x, y)
        return select(compare(a, b, op), a, b)
    return rule


def _pow(r, eqn, x, y, **_):
    if isinstance(y, Known) and y.value.ndim == 0:
        return g.pow(r.wire(x), float(y.value))
    a, b = _common(r, x, y)
    return g.exp(b * g.log(a))


def _select_n(r, eqn, pred, *cases, **_):
    if len(cases) != 2:
        raise UnsupportedPrimitiveError(f"from_jax: select_n with {len(cases)} cases (an integer predicate)")
    p, on_false, on_true = _common(r, pred, *cases)
    if p.dtype != "bool":
        raise UnsupportedPrimitiveError(f"from_jax: select_n with a {p.dtype} predicate")
    return select(p, on_true, on_false)


def _clamp(r, eqn, lo, x, hi, **_):
    lo_, x_, hi_ = _common(r, lo, x, hi)
    y = select(compare(x_, lo_, "lt"), lo_, x_)
    return select(compare(y, hi_, "gt"), hi_, y)


def _dot_general(r, eqn, x, y, dimension_numbers, **_):
    a, b = r.wire(x), r.wire(y)
    (lc, rc), (lb, rb) = dimension_numbers
    letters = iter(string.ascii_letters)
    la, lb_ = [None] * a.type.ndim, [None] * b.type.ndim
    for i, j in zip(lb, rb):
        la[i] = lb_[j] = next(letters)
    for i, j in zip(lc, rc):
        la[i] = lb_[j] = next(letters)
    for s in (la, lb_):
        for k, c in enumerate(s):
            if c is None:
                s[k] = next(letters)
    out = [la[i] for i in lb] + [c for i, c in enumerate(la) if i not in lb and i not in lc] + \
        [c for i, c in enumerate(lb_) if i not in rb and i not in rc]
    return g.einsum(f"{''.join(la)},{''.join(lb_)}->{''.join(out)}", a, b)


def _reduce_sum(r, eqn, x, axes, **_):
    return g.sum(r.wire(x), axes=tuple(axes)) if axes else r.wire(x)


def _reduce_max(r, eqn, x, axes, **_):
    return reduce_max(r.wire(x), axes=tuple(axes)) if axes else r.wire(x)


def _reduce_min(r, eqn, x, axes, **_):
    return -reduce_max(-r.wire(x), axes=tuple(axes)) if axes else r.wire(x)


def _argmax(r, eqn, x, axes, index_dtype, **_):
    if len(axes) != 1 or np.dtype(index_dtype) != np.int32:
        raise UnsupportedPrimitiveError(f"from_jax: argmax over axes {axes} with indices {index_dtype} (catgrad's "
                                        "argmax takes one axis, int32)")
    return g.argmax(r.wire(x), axis=axes[0])


def _broadcast_in_dim(r, eqn, x, shape, broadcast_dimensions, **_):
    w = r.wire(x)
    shape = tuple(int(n) for n in shape)
    kept = [i for i, d in zip(range(w.type.ndim), broadcast_dimensions) if w.shape[i] == shape[d]]
    if len(kept) != w.type.ndim:  # size-1 axes that are expanded: dropped first
        w = g.reshape(w, tuple(w.shape[i] for i in kept))
    dims = [broadcast_dimensions[i] for i in kept]
    new = tuple(d - len(shape) for d in range(len(shape)) if d not in dims)
    return g.broadcast(w, shape=shape, axes=new) if new else w


def _reshape(r, eqn, x, new_sizes, dimensions=None, **_):
    if dimensions is not None:
        raise UnsupportedPrimitiveError("from_jax: reshape with a dimensions permutation")
    w = r.wire(x)
    return w if w.shape == tuple(new_sizes) else g.reshape(w, tuple(int(n) for n in new_sizes))


def _squeeze(r, eqn, x, dimensions, **_):
    w = r.wire(x)
    return g.reshape(w, tuple(n for i, n in enumerate(w.shape) if i not in dimensions))


def _transpose(r, eqn, x, permutation, **_):
    return g.transpose(r.wire(x), perm=tuple(permutation))


def _convert(r, eqn, x, new_dtype, **_):
    w = r.wire(x)
    dt = np.dtype(new_dtype).name
    if dt == w.dtype:
        return w
    if w.dtype == "bool" and dt in ("float32", "float64"):
        one = apply("constant", into=w.builder, type=Array(w.shape, dt), value=1.0)
        zero = apply("zero", into=w.builder, type=Array(w.shape, dt))
        return select(w, one, zero)
    raise UnsupportedPrimitiveError(f"from_jax: converting a {w.dtype} wire to {dt} (only bool to float, on wires)")


def _is_finite(r, eqn, x, **_):
    w = r.wire(x)
    d = w - w
    return compare(d, apply("zero", into=w.builder, type=w.type), "eq")


def _compare(op):
    def rule(r, eqn, x, y, **_):
        return compare(*_common(r, x, y), op)
    return rule


def _conv(r, eqn, x, w, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
          feature_group_count, batch_group_count, **_):
    if feature_group_count != 1 or batch_group_count != 1:
        raise UnsupportedPrimitiveError("from_jax: grouped convolutions (feature_group_count or batch_group_count "
                                        "> 1)")
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    nsp = len(lhs_spec) - 2

    def term(spec, first, second):
        s = [""] * len(spec)
        s[spec[0]], s[spec[1]] = first, second
        for i, d in enumerate(spec[2:]):
            s[d] = str(i)
        return "".join(s)
    spec = f"{term(lhs_spec, 'n', 'c')},{term(rhs_spec, 'o', 'c')}->{term(out_spec, 'n', 'o')}"
    return conv(r.wire(x), r.wire(w), spec=spec, window_strides=tuple(window_strides),
                padding=tuple(tuple(int(v) for v in p) for p in padding), lhs_dilation=tuple(lhs_dilation or (1,) * nsp),
                rhs_dilation=tuple(rhs_dilation or (1,) * nsp))


def _scan(r, eqn, *ins, jaxpr, length, num_consts, num_carry, reverse, **_):
    ws = [r.wire(x, _type_of(v.aval)) for x, v in zip(ins, eqn.invars)]
    body = _diagram(jaxpr.jaxpr, jaxpr.consts, [_type_of(v.aval) for v in jaxpr.jaxpr.invars])
    out = scan(body, *ws, consts=num_consts, carry=num_carry, reverse=bool(reverse), length=int(length))
    return list(out) if isinstance(out, tuple) else [out]


def _identity(r, eqn, x, **_):
    return r.wire(x)


RULES: dict[str, Callable] = {
    "add": _binary(lambda a, b: a + b), "add_any": _binary(lambda a, b: a + b), "sub": _binary(lambda a, b: a - b),
    "mul": _binary(lambda a, b: a * b), "div": _binary(lambda a, b: a / b), "neg": _unary(lambda a: -a),
    "exp": _unary(g.exp), "log": _unary(g.log), "sin": _unary(g.sin), "cos": _unary(g.cos),
    "tanh": _unary(g.tanh), "sqrt": _unary(g.sqrt), "logistic": _unary(g.sigmoid),
    "rsqrt": _unary(lambda a: g.pow(a, -0.5)), "square": _unary(lambda a: a * a),
    "integer_pow": lambda r, eqn, x, y: g.pow(r.wire(x), int(y)), "pow": _pow,
    "log1p": _unary(lambda a: g.log(1.0 + a)), "expm1": _unary(lambda a: g.exp(a) - 1.0),
    "exp2": _unary(lambda a: g.exp(g.scale(a, math.log(2.0)))), "tan": _unary(lambda a: g.sin(a) / g.cos(a)),
    "erf": _unary(erf), "erfc": _unary(lambda a: 1.0 - erf(a)),
    "abs": _unary(lambda a: a * _sign(a)), "sign": _unary(_sign),
    "max": _pick("gt"), "min": _pick("lt"), "clamp": _clamp,
    **{op: _compare(op) for op in ("lt", "le", "gt", "ge", "eq", "ne")},
    "is_finite": _is_finite, "select_n": _select_n, "dot_general": _dot_general,
    "reduce_sum": _reduce_sum, "reduce_max": _reduce_max, "reduce_min": _reduce_min, "argmax": _argmax,
    "broadcast_in_dim": _broadcast_in_dim, "reshape": _reshape, "squeeze": _squeeze, "transpose": _transpose,
    "convert_element_type": _convert, "stop_gradient": _unary(stop_gradient),
    "conv_general_dilated": _conv, "scan": _scan, "copy": _identity, "copy_p": _identity,
}


def _diagram(jaxpr, consts, types) -> Diagram:
    """The diagram of a jaxpr (its constants closed over) on input wires of ``types``."""
    def build(*ws):
        if not ws:
            raise TypeError("from_jax: a function with no inputs is a constant, not a diagram")
        r = _Reader(ws[0])
        outs = r.run(jaxpr, consts, list(ws))
        return tuple(r.wire(o, _type_of(v.aval)) for o, v in zip(outs, jaxpr.outvars))
    return trace(build, *types)


def _is_types(x) -> bool:
    """Whether ``x`` is a catgrad type (an Array, a Ty, or a list/tuple of Arrays), not a tree of values."""
    if isinstance(x, (Array, Ty)):
        return True
    return isinstance(x, (tuple, list)) and len(x) > 0 and all(isinstance(a, Array) for a in x)


def _trace(fn: Callable, dom: Ty, what: str = "fn"):
    try:
        return jax.make_jaxpr(fn)(*[jax.ShapeDtypeStruct(t.shape, np.dtype(t.dtype)) for t in dom])
    except (TypeError, ValueError) as e:
        raise TypeError(f"from_jax: {what} could not be traced on inputs {dom}: {e}") from None


def _as_dom(types, what: str) -> Ty:
    dom = Ty()
    for t in types:
        try:
            dom = dom @ as_ty(t)
        except TypeError:
            raise TypeError(f"from_jax: {what} should be catgrad types (Array((3,)), Ty(...)), "
                            f"got {type(t).__name__} {t!r:.80}") from None
    return dom


def _record_of(params) -> tuple:
    """The record (a tree of Array types) of the parameter values ``params``, and the values as JAX arrays."""
    leaves_, treedef = jax.tree_util.tree_flatten(params)
    names = paths(params)
    types, values = [], []
    for name, a in zip(names, leaves_):
        where = f"params leaf {name!r}" if name else "params"
        if isinstance(a, Array):
            raise TypeError(f"from_jax(apply, params, *input_types): {where} is the type {a}, not an array: "
                            "params are the initial values (e.g. jnp.zeros((3, 4)))")
        if not isinstance(a, (jax.Array, np.ndarray, np.generic)):
            raise TypeError(f"from_jax(apply, params, *input_types): {where} is a {type(a).__name__} "
                            f"({a!r:.60}), not an array: every leaf of params must be a JAX or numpy array")
        dt = np.dtype(jax.dtypes.canonicalize_dtype(a.dtype)).name
        if dt not in DTYPES:
            raise TypeError(f"from_jax(apply, params, *input_types): {where} has dtype {dt}; catgrad's wires are "
                            f"{', '.join(DTYPES)} (convert it, e.g. a.astype(jnp.float32))")
        types.append(Array(tuple(int(n) for n in a.shape), dt))
        values.append(jnp.asarray(a, dt))
    return (jax.tree_util.tree_unflatten(treedef, types), jax.tree_util.tree_unflatten(treedef, values),
            treedef, len(types))


def _from_apply(model: Callable, params, input_types) -> Para:
    """``from_jax(apply, params, *input_types)``: the Para of a JAX model ``apply(params, *xs)``."""
    record, values, treedef, n = _record_of(params)
    dom = _as_dom(input_types, "the input types after params")
    if len(dom) == 0:
        raise TypeError("from_jax(apply, params, *input_types): give the types of apply's inputs after params, "
                        "e.g. from_jax(apply, params, Array((4,)))")

    def flat(*ws):
        return model(jax.tree_util.tree_unflatten(treedef, ws[:n]), *ws[n:])
    closed = _trace(flat, leaves(record) @ dom, "apply(params, *inputs)")
    for v in closed.jaxpr.outvars:
        _type_of(v.aval)
    d = _diagram(closed.jaxpr, closed.consts, list(leaves(record) @ dom))
    return Para(record, d, lambda key: values)


def from_jax(fn: Callable, *types) -> Diagram | Para:
    """A JAX function as a diagram, or a JAX model as a Para (see the module docstring for the primitives it
    reads and the generators they become). Two forms:

    - ``from_jax(fn, *types)``: ``fn`` takes one array per wire of ``types`` (catgrad ``Array``/``Ty``) and
      returns an array or a tuple of arrays. The result is a ``Diagram`` whose ``to_jax`` is ``fn`` (up to
      floating-point reassociation) and whose ``rdiff`` is ``jax.vjp(fn)``.
    - ``from_jax(apply, params, *input_types)``: ``apply(params, *xs)`` is a model in the flax
      ``Module.apply`` / equinox / hand-written convention and ``params`` a pytree of arrays (its initial
      values, e.g. ``model.init(key, x)`` in flax). The result is a ``Para`` whose parameter record is
      ``params``' tree with each array replaced by its type, whose map takes the parameter wires first (in
      JAX's tree order, dict keys sorted) and then the inputs, and whose initialiser returns ``params``; it
      trains through ``learn.supervised`` like any catgrad model. Parameter dtypes: float32, float64, int32,
      bool.

    The form is chosen by the second argument: a catgrad type (``Array``, ``Ty``, or a list of ``Array``)
    gives a diagram; anything else is read as ``params``. Raises ``UnsupportedPrimitiveError`` naming a
    primitive it cannot read and the line it came from, and ``TypeError`` for inputs that do not fit.

    A function as a diagram; its ``R`` is ``jax.vjp``:

    >>> import jax, jax.numpy as jnp
    >>> from catgrad import Array, rdiff, to_jax
    >>> d = from_jax(jax.nn.softmax, Array((3,)))
    >>> x, dy = jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 0.0, 0.0])
    >>> bool(jnp.allclose(to_jax(rdiff(d))(x, dy)[0], jax.vjp(jax.nn.softmax, x)[1](dy)[0]))
    True

    A model and its parameters as a Para:

    >>> def apply(params, x):
    ...     return jnp.tanh(params["W"] @ x + params["b"])
    >>> params = {"b": jnp.zeros(2), "W": jnp.ones((2, 3))}
    >>> model = from_jax(apply, params, Array((3,)))
    >>> model.param
    {'W': Array((2, 3), 'float32'), 'b': Array((2,), 'float32')}
    >>> model.dom, model.cod
    (Ty(f32[3]), Ty(f32[2]))
    >>> p = model.init(jax.random.PRNGKey(0))
    >>> to_jax(model)(p, jnp.array([0.1, 0.2, 0.3]))[0].tolist() == apply(params, jnp.array([0.1, 0.2, 0.3])).tolist()
    True
    """
    if not callable(fn):
        raise TypeError(f"from_jax: expects a JAX function, got {type(fn).__name__} {fn!r}")
    if types and not _is_types(types[0]):
        return _from_apply(fn, types[0], types[1:])
    dom = _as_dom(types, "the input types")
    if len(dom) == 0:
        raise TypeError("from_jax: give the types of fn's inputs, e.g. from_jax(fn, Array((3,)))")
    closed = _trace(fn, dom)
    for v in closed.jaxpr.outvars:
        _type_of(v.aval)
    return _diagram(closed.jaxpr, closed.consts, list(dom))


__all__ = ["from_jax", "UnsupportedPrimitiveError", "RULES", "CALLS"]
