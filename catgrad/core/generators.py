"""The smooth generators: one table, one record per generator.

Each entry gives the typing rule, the JAX meaning, the sympy meaning and the reverse
derivative ``R[g](x, dy)`` as a diagram of generators (a function on wires). The public
functions at the bottom take either types (giving a diagram) or wires (inside ``trace``):

>>> from catgrad import Array, sigmoid, mul
>>> A = Array((3,))
>>> sigmoid(A)
<Diagram f32[3] → f32[3]: 1 op>
>>> mul(A).dom
Ty(f32[3], f32[3])

Formulas of the reverse derivatives (``dy`` the cotangent of the output):

=============  =========================================================
generator       R[g](x, dy)
=============  =========================================================
neg             −dy
add(x, y)       (dy, dy)
mul(x, y)       (dy·y, dy·x)
div(x, y)       (dy / y, −dy·x / y²)
scale(c)        c·dy
exp             dy·exp x
log             dy / x
sin, cos        dy·cos x,  −dy·sin x
sqrt            ½·dy / √x
pow(k)          k·dy·x^(k−1)
sigmoid         dy·σ(x)(1 − σ(x))
tanh            dy·(1 − tanh² x)
relu            dy·H(x)          (H = heaviside, R[H] = 0)
sum(axes)       broadcast(dy) over axes
broadcast       sum(dy) over the new axes
reshape         reshape(dy) back
transpose(p)    transpose(dy, p⁻¹)
einsum(a,b→o)   (einsum(o,b→a)(dy, y), einsum(a,o→b)(x, dy))
softmax         s·(dy − Σ s·dy),  s = softmax x
logsumexp       softmax(x)·dy
argmax          0 (not differentiable; a warning is shown)
=============  =========================================================
"""
from __future__ import annotations

import functools
import operator
import string

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .. import errors
from .diagram import Diagram, Wire, apply, trace
from .objects import Array, Ty, as_ty
from .signature import Generator, Literal, declare


# -- typing rules --------------------------------------------------------------

def _fail(name, dom, why):
    raise TypeError(errors.type_rule(name, dom, why))


def _check_arity(name, dom, n):
    if len(dom) != n:
        _fail(name, dom, f"expects {n} input wire(s), got {len(dom)}")


def _float_unary(name):
    def typing(dom):
        _check_arity(name, dom, 1)
        if not dom[0].is_float:
            _fail(name, dom, f"expects a floating-point array (float32 or float64), got dtype {dom[0].dtype}"
                  + (" (a Z2 wire: use the boolean generators in catgrad.boolean)" if dom[0].dtype == "bool" else ""))
        return dom
    return typing


def _same_binary(name, dtypes=("float32", "float64")):
    def typing(dom):
        _check_arity(name, dom, 2)
        a, b = dom
        if a != b:
            _fail(name, dom, f"both inputs must have the same type, got {a} and {b}"
                  " (use catgrad.broadcast_to, or call the public function, which broadcasts)")
        if a.dtype not in dtypes:
            _fail(name, dom, f"expects dtype in {dtypes}, got {a.dtype}")
        return Ty(a)
    return typing


def _neg_axes(axes, ndim, name, dom):
    if isinstance(axes, int):
        axes = (axes,)
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            _fail(name, dom, f"axis {ax} out of range for rank {ndim}")
        out.append(ax - ndim if ax >= 0 else ax)
    if len(set(out)) != len(out):
        _fail(name, dom, f"repeated axis in {axes}")
    return tuple(sorted(out))


# -- sympy helpers -------------------------------------------------------------

def _vec(f):
    v = np.vectorize(f, otypes=[object])
    return lambda x, **_: v(x)


def _sp_pow(k):
    return sp.nsimplify(k) if isinstance(k, float) else k


def _sp_softmax(x, axis):
    e = _vec(sp.exp)(x)
    return e / np.sum(e, axis=axis, keepdims=True)


# -- declarations --------------------------------------------------------------

def _unary(name, jax_fn, sympy_fn, rdiff, param=None, **kw):
    typing = _float_unary(name) if param is None else _float_unary_param(name, param)
    return declare(Generator(name=name, typing=typing, jax=jax_fn, sympy=sympy_fn, rdiff=rdiff, **kw))


def _float_unary_param(name, param):
    """The typing rule of an elementwise generator with one real attribute ``param`` (required)."""
    base = _float_unary(name)

    def typing(dom, **attrs):
        if set(attrs) != {param}:
            _fail(name, dom, f"needs exactly the real attribute {param!r}, got attributes {sorted(attrs)}"
                  f" (e.g. {name}(x, 2.0))")
        v = attrs[param]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            _fail(name, dom, f"the attribute {param!r} must be a finite real number, got {v!r}")
        return base(dom)
    return typing


def _heaviside(x):
    return (x > 0).astype(x.dtype)


_unary("neg", lambda x: -x, lambda x: -x, lambda x, dy: [-dy])
_unary("exp", jnp.exp, _vec(sp.exp), lambda x, dy: [dy * exp(x)])
_unary("log", jnp.log, _vec(sp.log), lambda x, dy: [dy / x])
_unary("sin", jnp.sin, _vec(sp.sin), lambda x, dy: [dy * cos(x)])
_unary("cos", jnp.cos, _vec(sp.cos), lambda x, dy: [-(dy * sin(x))])
_unary("sqrt", jnp.sqrt, _vec(sp.sqrt), lambda x, dy: [scale(dy / sqrt(x), 0.5)])
_unary("sigmoid", jax.nn.sigmoid, _vec(lambda t: 1 / (1 + sp.exp(-t))),
       lambda x, dy: [dy * (sigmoid(x) * (1.0 - sigmoid(x)))])
_unary("tanh", jnp.tanh, _vec(sp.tanh), lambda x, dy: [dy * (1.0 - tanh(x) * tanh(x))])
_unary("relu", jax.nn.relu, _vec(lambda t: sp.Max(t, 0)), lambda x, dy: [dy * heaviside(x)])
_unary("heaviside", _heaviside, _vec(lambda t: sp.Heaviside(t, 0)), lambda x, dy: [None],
       doc="H(x) = 1 if x > 0 else 0; locally constant, so R[H] = 0.")
_unary("scale", lambda x, c: x * jnp.asarray(c, x.dtype), lambda x, c: x * _sp_pow(c),
       lambda x, dy, c: [scale(dy, c)], param="c", label="×c")
_unary("pow", lambda x, k: x ** jnp.asarray(k, x.dtype) if not float(k).is_integer() else x ** int(k),
       lambda x, k: _vec(lambda t: t ** _sp_pow(k))(x),
       lambda x, dy, k: [scale(dy * pow(x, k - 1), k)] if k != 0 else [None], param="k")


def _additive_type(name):
    def typing(dom):
        _check_arity(name, dom, 2)
        if dom[0] != dom[1]:
            _fail(name, dom, f"both inputs must have the same type, got {dom[0]} and {dom[1]}"
                  " (use catgrad.broadcast_to, or call the public function, which broadcasts)")
        if dom[0].dtype not in ("float32", "float64", "bool"):
            _fail(name, dom, f"add is defined on float and bool (Z2) wires, got {dom[0].dtype}")
        return Ty(dom[0])
    return typing


def _jax_add(x, y):
    return jnp.logical_xor(x, y) if x.dtype == jnp.bool_ else x + y


declare(Generator("add", _additive_type("add"), _jax_add, lambda x, y: x + y, lambda x, y, dy: [dy, dy],
                  label="+", doc="The left-additive structure +: A × A → A (XOR on bool wires)."))
declare(Generator("mul", _same_binary("mul"), lambda x, y: x * y, lambda x, y: x * y,
                  lambda x, y, dy: [dy * y, dy * x], label="×"))
declare(Generator("div", _same_binary("div"), lambda x, y: x / y, lambda x, y: x / y,
                  lambda x, y, dy: [dy / y, -(dy * x / (y * y))], label="÷"))


def _nullary_type(name):
    def typing(dom, type, **_):
        _check_arity(name, dom, 0)
        if not isinstance(type, Array):
            _fail(name, dom, f"the attribute type must be an Array, got {type!r}")
        return Ty(type)
    return typing


def _jax_zero(type):
    return jnp.zeros(type.shape, type.dtype)


def _jax_constant(type, value):
    v = value.value if isinstance(value, Literal) else value
    return jnp.broadcast_to(jnp.asarray(v, type.dtype), type.shape)


def _sympy_constant(type, value):
    v = value.value if isinstance(value, Literal) else np.asarray(value)
    out = np.empty(type.shape, dtype=object)
    out[...] = np.vectorize(lambda t: sp.nsimplify(float(t)) if np.asarray(t).dtype.kind == "f" else sp.Integer(int(t)),
                            otypes=[object])(np.broadcast_to(v, type.shape))
    return out


def _canon_constant(dom, type, value):
    if not isinstance(value, (int, float, np.number, np.ndarray, list, tuple)) or isinstance(value, str):
        raise TypeError(errors.type_rule("constant", dom, f"value must be a number or an array, got {type_name(value)}"))
    if isinstance(value, (np.ndarray, list, tuple)):
        value = np.asarray(value)
        if value.shape not in ((), type.shape):
            raise TypeError(errors.type_rule("constant", dom, f"value of shape {value.shape} does not fit {type}"))
        if value.shape != ():
            return {"type": type, "value": Literal(value)}
        value = value.item()
    return {"type": type, "value": float(value) if type.dtype != "bool" else int(bool(value))}


declare(Generator("zero", _nullary_type("zero"), _jax_zero,
                  lambda type: np.full(type.shape, sp.Integer(0), dtype=object), lambda dy, type: [], label="0",
                  doc="The left-additive unit 0: 1 → A."))
declare(Generator("constant", _nullary_type("constant"), _jax_constant, _sympy_constant,
                  lambda dy, type, value: [], canon=_canon_constant, label="c"))


def type_name(v) -> str:
    return f"{type(v).__name__} {v!r}"


# -- shape generators ----------------------------------------------------------

def _canon_sum(dom, axes=None):
    _check_arity("sum", dom, 1)
    nd = dom[0].ndim
    return {"axes": _neg_axes(tuple(range(nd)) if axes is None else axes, nd, "sum", dom)}


def _type_sum(dom, axes):
    a = dom[0]
    if a.dtype not in ("float32", "float64", "bool"):
        _fail("sum", dom, f"expects a float or bool (Z2, where the sum is XOR) array, got dtype {a.dtype}")
    keep = [n for i, n in enumerate(a.shape) if i - a.ndim not in axes]
    return Ty(a.with_shape(keep))


def _jax_sum(x, axes):
    if x.dtype == jnp.bool_:  # the sum over Z2 is XOR
        return jax.lax.reduce(x, False, jnp.logical_xor, tuple(a % x.ndim for a in axes))
    return jnp.sum(x, axis=axes)


declare(Generator("sum", _type_sum, _jax_sum,
                  lambda x, axes: np.sum(x, axis=axes) if axes else x,
                  lambda x, dy, axes: [broadcast(dy, shape=x.shape, axes=axes)], canon=_canon_sum, label="Σ"))


def _canon_broadcast(dom, shape, axes):
    _check_arity("broadcast", dom, 1)
    shape = tuple(int(n) for n in shape)
    return {"shape": shape, "axes": _neg_axes(axes, len(shape), "broadcast", dom)}


def _type_broadcast(dom, shape, axes):
    kept = tuple(n for i, n in enumerate(shape) if i - len(shape) not in axes)
    if kept != dom[0].shape:
        _fail("broadcast", dom, f"removing axes {axes} from {shape} leaves {kept}, not the input shape {dom[0].shape}")
    return Ty(dom[0].with_shape(shape))


def _jax_broadcast(x, shape, axes):
    nd = len(shape)
    dims = tuple(i for i in range(nd) if i - nd not in axes)
    return jax.lax.broadcast_in_dim(x, shape, dims)


def _sympy_broadcast(x, shape, axes):
    nd = len(shape)
    return np.broadcast_to(np.expand_dims(x, tuple(a + nd for a in axes)), shape).copy()


declare(Generator("broadcast", _type_broadcast, _jax_broadcast, _sympy_broadcast,
                  lambda x, dy, shape, axes: [sum(dy, axes=axes)], canon=_canon_broadcast,
                  batch=lambda flags, size, dom, shape, axes: {"shape": (size, *shape), "axes": axes},
                  doc="broadcast(shape, axes): copies the input along the new axes `axes` of `shape`."))


def _int_tuple(name, dom, what, v):
    try:
        return tuple(operator.index(n) for n in ((v,) if isinstance(v, (int, np.integer)) else v))
    except TypeError:
        _fail(name, dom, f"{what} must be a tuple of ints, got {v!r}")


def _type_reshape(dom, shape):
    _check_arity("reshape", dom, 1)
    shape = tuple(int(n) for n in shape)
    if int(np.prod(shape, dtype=np.int64)) != dom[0].size:
        _fail("reshape", dom, f"cannot reshape {dom[0].size} elements into shape {shape}")
    return Ty(dom[0].with_shape(shape))


declare(Generator("reshape", _type_reshape, lambda x, shape: jnp.reshape(x, shape),
                  lambda x, shape: x.reshape(shape), lambda x, dy, shape: [reshape(dy, x.shape)],
                  canon=lambda dom, shape: {"shape": _int_tuple("reshape", dom, "shape", shape)},
                  batch=lambda flags, size, dom, shape: {"shape": (size, *shape)}))


def _type_transpose(dom, perm):
    _check_arity("transpose", dom, 1)
    if sorted(perm) != list(range(dom[0].ndim)):
        _fail("transpose", dom, f"{perm} is not a permutation of the {dom[0].ndim} axes")
    return Ty(dom[0].with_shape([dom[0].shape[p] for p in perm]))


def _canon_transpose(dom, perm=None):
    _check_arity("transpose", dom, 1)
    return {"perm": tuple(reversed(range(dom[0].ndim))) if perm is None else tuple(int(p) for p in perm)}


declare(Generator("transpose", _type_transpose, lambda x, perm: jnp.transpose(x, perm),
                  lambda x, perm: np.transpose(x, perm),
                  lambda x, dy, perm: [transpose(dy, perm=tuple(int(i) for i in np.argsort(perm)))],
                  canon=_canon_transpose,
                  batch=lambda flags, size, dom, perm: {"perm": (0, *(p + 1 for p in perm))}))


# einsum: every index of an operand appears in exactly one or both of the other two terms,
# so both partial derivatives are again such einsums.

def _parse_spec(spec):
    try:
        ins, out = spec.replace(" ", "").split("->")
        a, b = ins.split(",")
    except ValueError:
        raise TypeError(f"einsum: spec {spec!r} must look like 'ij,j->i'") from None
    return a, b, out


def _type_einsum(dom, spec):
    _check_arity("einsum", dom, 2)
    a, b, out = _parse_spec(spec)
    sizes = {}
    for letters, t in ((a, dom[0]), (b, dom[1])):
        if len(letters) != t.ndim:
            _fail("einsum", dom, f"spec {spec!r} gives {len(letters)} indices to an input of rank {t.ndim} ({t})")
        if len(set(letters)) != len(letters):
            _fail("einsum", dom, f"spec {spec!r} repeats an index within one operand")
        for c, n in zip(letters, t.shape):
            if sizes.setdefault(c, n) != n:
                _fail("einsum", dom, f"index {c!r} has sizes {sizes[c]} and {n}")
    if dom[0].dtype != dom[1].dtype or not dom[0].is_float:
        _fail("einsum", dom, "expects two floating-point arrays of the same dtype")
    terms = (a, b, out)
    for k, letters in enumerate(terms):
        for c in letters:
            if c not in terms[(k + 1) % 3] and c not in terms[(k + 2) % 3]:
                _fail("einsum", dom, f"index {c!r} of {spec!r} appears in one term only (sum it with catgrad.sum)")
    if len(set(out)) != len(out):
        _fail("einsum", dom, f"spec {spec!r} repeats an output index")
    return Ty(dom[0].with_shape([sizes[c] for c in out]))


def _batch_einsum(flags, size, dom, spec):
    a, b, out = _parse_spec(spec)
    z = next(c for c in string.ascii_letters if c not in a + b + out)
    return {"spec": f"{z + a if flags[0] else a},{z + b if flags[1] else b}->{z + out}"}


def _rdiff_einsum(x, y, dy, spec):
    a, b, out = _parse_spec(spec)
    return [einsum(f"{out},{b}->{a}", dy, y), einsum(f"{a},{out}->{b}", x, dy)]


declare(Generator("einsum", _type_einsum, lambda x, y, spec: jnp.einsum(spec, x, y),
                  lambda x, y, spec: np.einsum(spec, x, y) if spec.split("->")[1] else np.asarray(np.einsum(spec, x, y), dtype=object),
                  _rdiff_einsum, batch=_batch_einsum, batch_all=False,
                  canon=lambda dom, spec: {"spec": spec.replace(" ", "")}))


# -- softmax family --------------------------------------------------------------

def _canon_axis(name):
    def canon(dom, axis=-1):
        _check_arity(name, dom, 1)
        return {"axis": _neg_axes(axis, dom[0].ndim, name, dom)[0]}
    return canon


def _drop_axis(name, dtype=None):
    def typing(dom, axis):
        a = _float_unary(name)(dom)[0]
        return Ty(Array([n for i, n in enumerate(a.shape) if i - a.ndim != axis], dtype or a.dtype))
    return typing


declare(Generator("softmax", lambda dom, axis: _float_unary("softmax")(dom), lambda x, axis: jax.nn.softmax(x, axis=axis),
                  lambda x, axis: _sp_softmax(x, axis), canon=_canon_axis("softmax"),
                  rdiff=lambda x, dy, axis: [_rdiff_softmax(x, dy, axis)]))


def _rdiff_softmax(x, dy, axis):
    s = softmax(x, axis=axis)
    return s * (dy - broadcast(sum(s * dy, axes=axis), shape=x.shape, axes=axis))


declare(Generator("logsumexp", _drop_axis("logsumexp"), lambda x, axis: jax.nn.logsumexp(x, axis=axis),
                  lambda x, axis: _vec(sp.log)(np.sum(_vec(sp.exp)(x), axis=axis)),
                  lambda x, dy, axis: [softmax(x, axis=axis) * broadcast(dy, shape=x.shape, axes=axis)],
                  canon=_canon_axis("logsumexp")))

_ARGMAX_WARNING = "argmax is not differentiable: its reverse derivative is taken to be 0"


def _rdiff_argmax(x, dy, axis):
    return [None]  # rdiff shows _ARGMAX_WARNING (the zero_rdiff_warning) each time it meets argmax


declare(Generator("argmax", _drop_axis("argmax", "int32"), lambda x, axis: jnp.argmax(x, axis=axis).astype(jnp.int32),
                  lambda x, axis: np.vectorize(sp.Integer, otypes=[object])(np.argmax(x.astype(float), axis=axis)),
                  _rdiff_argmax, canon=_canon_axis("argmax"), zero_rdiff_warning=_ARGMAX_WARNING))


# -- public functions -------------------------------------------------------------

def _dom_of(args, n_in):
    dom = Ty()
    for a in args:
        dom = dom @ as_ty(a)
    if n_in == 2 and len(dom) == 1:
        dom = dom @ dom
    return dom


def polymorphic(n_in: int):
    """Make a function on wires also accept types: on types it returns the traced diagram."""
    def wrap(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kw):
            k = 0
            while k < len(args) and isinstance(args[k], (Wire, Array, Ty)):
                k += 1
            objs, rest = args[:k], args[k:]
            if objs and all(isinstance(a, Wire) for a in objs):
                return fn(*args, **kw)
            return trace(lambda *ws: fn(*ws, *rest, **kw), _dom_of(objs, n_in))
        return wrapper
    return wrap


def _gen_fn(name, n_in, doc, params=()):
    def fn(*args, **attrs):
        k = 0
        while k < len(args) and isinstance(args[k], (Wire, Array, Ty)):
            k += 1
        if len(args) - k > len(params):
            raise TypeError(f"{name}: too many arguments {args[k:]!r}; its parameters are {params}")
        for p, v in zip(params, args[k:]):
            attrs[p] = v
        args = args[:k]
        if args and all(isinstance(a, Wire) for a in args):
            return apply(name, *args, **attrs)
        return apply(name, _dom_of(args, n_in), **attrs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


neg = _gen_fn("neg", 1, "Negation ``x ↦ −x``; ``R[neg](x, dy) = −dy``. Example: ``neg(Array((3,)))``.")
exp = _gen_fn("exp", 1, "Elementwise ``exp``; ``R[exp](x, dy) = dy·exp x``. Example: ``exp(Array((3,)))``.")
log = _gen_fn("log", 1, "Elementwise natural ``log``; ``R[log](x, dy) = dy / x``.")
sin = _gen_fn("sin", 1, "Elementwise ``sin``; ``R[sin](x, dy) = dy·cos x``.")
cos = _gen_fn("cos", 1, "Elementwise ``cos``; ``R[cos](x, dy) = −dy·sin x``.")
sqrt = _gen_fn("sqrt", 1, "Elementwise ``√x``; ``R[sqrt](x, dy) = ½·dy/√x``.")
sigmoid = _gen_fn("sigmoid", 1, "Logistic ``σ(x) = 1/(1+e^{−x})``; ``R[σ](x, dy) = dy·σ(x)(1−σ(x))``.\n\n"
                  ">>> from catgrad import Array\n>>> sigmoid(Array((3,))).cod\nTy(f32[3])")
tanh = _gen_fn("tanh", 1, "Elementwise ``tanh``; ``R[tanh](x, dy) = dy·(1 − tanh² x)``.")
relu = _gen_fn("relu", 1, "``relu(x) = max(x, 0)``; ``R[relu](x, dy) = dy·H(x)`` (H = heaviside, H(0) = 0).")
heaviside = _gen_fn("heaviside", 1, "Step ``H(x) = [x > 0]``; locally constant, so ``R[H] = 0``.")
scale = _gen_fn("scale", 1, "Scaling by a constant ``x ↦ c·x``: ``scale(A, c)``; ``R = c·dy``.", params=("c",))
pow = _gen_fn("pow", 1, "Elementwise power ``x ↦ x^k``: ``pow(A, k)``; ``R = k·dy·x^(k−1)``.", params=("k",))
sum = _gen_fn("sum", 1, "Sum over ``axes`` (all by default): ``sum(A, axes=(0,))``; R broadcasts ``dy`` back.", params=("axes",))
broadcast = _gen_fn("broadcast", 1, "``broadcast(A, shape, axes)``: copy along the new ``axes`` of ``shape``; R sums them.", params=("shape", "axes"))
reshape = _gen_fn("reshape", 1, "``reshape(A, shape)``; R reshapes back.", params=("shape",))
transpose = _gen_fn("transpose", 1, "``transpose(A, perm)`` (reverse order by default); R applies ``perm⁻¹``.", params=("perm",))
softmax = _gen_fn("softmax", 1, "``softmax(x)ᵢ = e^{xᵢ}/Σⱼ e^{xⱼ}`` along ``axis`` (last); ``R = s·(dy − Σ s·dy)``.", params=("axis",))
logsumexp = _gen_fn("logsumexp", 1, "``log Σⱼ e^{xⱼ}`` along ``axis`` (last); ``R = softmax(x)·dy``.", params=("axis",))
argmax = _gen_fn("argmax", 1, "Index of the largest entry along ``axis`` (int32); not differentiable (R = 0, warns).", params=("axis",))


def einsum(spec: str, *args):
    """Bilinear contraction ``einsum(spec, A, B)`` (``jnp.einsum`` semantics, e.g. ``"ij,j->i"``).

    Every index of an operand must also appear in the other operand or the output, so both
    partial reverse derivatives are einsums: ``R(x, y, dy) = (einsum(o,b→a)(dy, y), einsum(a,o→b)(x, dy))``.
    """
    if args and all(isinstance(a, Wire) for a in args):
        return apply("einsum", *args, spec=spec)
    return apply("einsum", _dom_of(args, 2), spec=spec)


def _matmul_spec(a_nd, b_nd):
    specs = {(2, 1): "ij,j->i", (2, 2): "ij,jk->ik", (1, 1): "i,i->", (1, 2): "j,jk->k"}
    try:
        return specs[(a_nd, b_nd)]
    except KeyError:
        raise TypeError(f"matmul: expects operands of rank 1 or 2, got ranks {a_nd} and {b_nd}") from None


def matmul(A, B=None):
    """Matrix product ``(A, B) ↦ A·B`` (``(m,n)·(n,) → (m,)``, ``(m,n)·(n,k) → (m,k)``, ...).

    An ``einsum``; ``R[matmul](A, B, dY) = (dY·Bᵀ, Aᵀ·dY)``.

    >>> from catgrad import Array
    >>> matmul(Array((2, 3)), Array((3,))).cod
    Ty(f32[2])
    """
    if isinstance(A, Wire):
        return einsum(_matmul_spec(A.type.ndim, B.type.ndim), A, B)
    dom = _dom_of([A] if B is None else [A, B], 2)
    _check_arity("matmul", dom, 2)
    return einsum(_matmul_spec(dom[0].ndim, dom[1].ndim), dom)


@polymorphic(1)
def broadcast_to(x, shape):
    """NumPy-style ``broadcast_to(x, shape)``: size-1 and missing leading axes are copied.

    It is ``reshape`` (dropping size-1 axes) then ``broadcast`` (adding axes); R sums them back.
    """
    shape = tuple(shape)
    xs = x.shape
    if xs == shape:
        return x
    if len(xs) > len(shape):
        raise TypeError(f"broadcast_to: cannot broadcast {x.type} to shape {shape}")
    offset = len(shape) - len(xs)
    new_axes = list(range(offset))
    kept = []
    for i, n in enumerate(xs):
        if n == shape[offset + i]:
            kept.append(n)
        elif n == 1:
            new_axes.append(offset + i)
        else:
            raise TypeError(f"broadcast_to: cannot broadcast {x.type} to shape {shape}")
    if tuple(kept) != xs:
        x = reshape(x, shape=tuple(kept))
    return broadcast(x, shape=shape, axes=tuple(new_axes))


def _broadcasting(name, doc):
    gen = _gen_fn(name, 2, doc)

    @polymorphic(2)
    def binary(x, y):
        if x.type != y.type:
            if x.dtype != y.dtype:
                _fail(name, Ty(x.type, y.type), f"both inputs must have the same dtype, got {x.dtype} and {y.dtype}")
            try:
                shape = np.broadcast_shapes(x.shape, y.shape)
            except ValueError:
                _fail(name, Ty(x.type, y.type), f"shapes {x.shape} and {y.shape} do not broadcast together"
                      " (NumPy rules: trailing axes must be equal or 1)")
            x, y = broadcast_to(x, shape), broadcast_to(y, shape)
        return gen(x, y)

    def fn(*args, **attrs):
        dom = None if args and all(isinstance(a, Wire) for a in args) else _dom_of(args, 2)
        if dom is not None and len(dom) == 2 and dom[0] == dom[1]:
            return gen(dom)
        return binary(*args)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


add = _broadcasting("add", "Addition ``+: A × A → A`` (the left-additive structure; XOR on bool wires).\n\n"
                    "Given two different shapes it broadcasts them (NumPy rules) first. ``R[add](x, y, dy) = (dy, dy)``.\n\n"
                    ">>> from catgrad import Array\n>>> add(Array((3,))).dom\nTy(f32[3], f32[3])")
mul = _broadcasting("mul", "Elementwise product ``×: A × A → A``, broadcasting different shapes (NumPy rules).\n\n"
                    "``R[mul](x, y, dy) = (dy·y, dy·x)``.\n\n>>> from catgrad import Array\n>>> mul(Array((3,)), Array(())).cod\nTy(f32[3])")
div = _broadcasting("div", "Elementwise quotient ``x / y``, broadcasting; ``R = (dy/y, −dy·x/y²)``.")


def zero(A) -> Diagram:
    """The additive unit ``0: 1 → A`` (for a product, the pairing of zeros).

    >>> from catgrad import Array
    >>> zero(Array((2,))).cod
    Ty(f32[2])
    """
    from .diagram import identity
    d = identity(Ty())
    for a in as_ty(A):
        d = d @ apply("zero", type=a)
    return d


def constant(A, value) -> Diagram:
    """The constant map ``c: 1 → A`` (``value`` a number or an array of ``A``'s shape)."""
    return apply("constant", type=A, value=value)


def sub(*args):
    """Difference ``x − y = x + (−y)``, broadcasting."""
    @polymorphic(2)
    def _sub(x, y):
        return add(x, neg(y))
    return _sub(*args)
