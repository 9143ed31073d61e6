"""The smooth generators: one table, one record per generator.

Each record gives the typing rule, the JAX meaning, the sympy meaning, the Z2 meaning where the
generator also acts on bool wires (``add`` is XOR there, ``sum`` an XOR-reduction), and the reverse
derivative ``R[g](x, dy)`` as a diagram of generators (a function on wires). The record *is* the
public function: on types it gives a diagram, on wires (inside ``trace``) a wire:

>>> from catgrad import Array, sigmoid, mul
>>> A = Array((3,))
>>> sigmoid(A)
<Diagram f32[3] → f32[3]: 1 op>
>>> mul(A).dom
Ty(f32[3], f32[3])

The formulas below are read off the records (each written once, in its record); ``dy`` is the
cotangent of the output and ``y`` the forward output, which rules such as ``R[σ]`` reuse:

"""
from __future__ import annotations

import operator
import string

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .. import errors
from .diagram import composite
from .labels import constant_label, einsum_label, number, power
from .objects import Array, Ty
from .signature import Generator, Literal, declare, doctests, table


# -- typing rules --------------------------------------------------------------

def reject_typing(name, dom, why):
    """Raise the ``TypeError`` of a typing rule: generator ``name`` cannot take ``dom`` because ``why``.

    >>> from catgrad import Array, Ty
    >>> reject_typing("exp", Ty(Array((2,))), "an example")
    Traceback (most recent call last):
        ...
    TypeError: exp: cannot apply to f32[2]: an example
    """
    raise TypeError(errors.type_rule(name, dom, why))


def check_arity(name, dom, n):
    """Raise the typing ``TypeError`` of generator ``name`` unless ``dom`` has ``n`` wires."""
    if len(dom) != n:
        reject_typing(name, dom, f"expects {n} input wire(s), got {len(dom)}")


def _float_unary(name):
    def typing(dom):
        check_arity(name, dom, 1)
        if not dom[0].is_float:
            reject_typing(name, dom, f"expects a floating-point array (float32 or float64), got dtype {dom[0].dtype}"
                  + (" (a Z2 wire: use the boolean generators in catgrad.boolean)" if dom[0].dtype == "bool" else ""))
        return dom
    return typing


def _same_binary(name, dtypes=("float32", "float64")):
    def typing(dom):
        check_arity(name, dom, 2)
        a, b = dom
        if a != b:
            reject_typing(name, dom, f"both inputs must have the same type, got {a} and {b}"
                  " (use catgrad.broadcast_to, or call the public function, which broadcasts)")
        if a.dtype not in dtypes:
            reject_typing(name, dom, f"expects dtype in {dtypes}, got {a.dtype}")
        return Ty(a)
    return typing


def negative_axes(axes, ndim, name, dom):
    """``axes`` (an int or a tuple) of a rank-``ndim`` array as sorted negative axes; a typing ``TypeError`` of
    ``name`` on ``dom`` for an axis out of range or repeated.

    >>> negative_axes((0, -1), 3, "sum", None)
    (-3, -1)
    """
    if isinstance(axes, int):
        axes = (axes,)
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            reject_typing(name, dom, f"axis {ax} out of range for rank {ndim}")
        out.append(ax - ndim if ax >= 0 else ax)
    if len(set(out)) != len(out):
        reject_typing(name, dom, f"repeated axis in {axes}")
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

def _float_unary_param(name, param):
    """The typing rule of an elementwise generator with one real attribute ``param`` (required)."""
    base = _float_unary(name)

    def typing(dom, **attrs):
        if set(attrs) != {param}:
            reject_typing(name, dom, f"needs exactly the real attribute {param!r}, got attributes {sorted(attrs)}"
                  f" (e.g. {name}(x, 2.0))")
        v = attrs[param]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            reject_typing(name, dom, f"the attribute {param!r} must be a finite real number, got {v!r}")
        return base(dom)
    return typing


def _unary(name, jax_fn, sympy_fn, rdiff, *, summary, formula, rdiff_formula, param=None, **kw):
    typing = _float_unary(name) if param is None else _float_unary_param(name, param)
    example = kw.pop("example", f">>> {name}(Array((3,)){', 2.0' if param else ''}).cod\nTy(f32[3])")
    return declare(Generator(name=name, typing=typing, jax=jax_fn, sympy=sympy_fn, rdiff=rdiff,
                             params=(param,) if param else (), summary=summary, formula=formula,
                             signature="A → A, elementwise, A a float array",
                             rdiff_formula=rdiff_formula, example=">>> from catgrad import Array\n" + example, **kw))


def _heaviside(x):
    return (x > 0).astype(x.dtype)


neg = _unary("neg", lambda x: -x, lambda x: -x, lambda x, dy: [-dy], label="−x",
             summary="Negation.", formula="neg(x) = −x", rdiff_formula="R[neg](x, dy) = −dy")
exp = _unary("exp", jnp.exp, _vec(sp.exp), lambda x, y, dy: [dy * y], rdiff_uses_output=True,
             summary="Elementwise exponential.", formula="exp(x) = eˣ", rdiff_formula="R[exp](x, dy) = dy·y,  y = eˣ")
log = _unary("log", jnp.log, _vec(sp.log), lambda x, dy: [dy / x],
             summary="Elementwise natural logarithm.", formula="log(x) = ln x", rdiff_formula="R[log](x, dy) = dy / x")
sin = _unary("sin", jnp.sin, _vec(sp.sin), lambda x, dy: [dy * cos(x)],
             summary="Elementwise sine.", formula="sin(x)", rdiff_formula="R[sin](x, dy) = dy·cos x")
cos = _unary("cos", jnp.cos, _vec(sp.cos), lambda x, dy: [-(dy * sin(x))],
             summary="Elementwise cosine.", formula="cos(x)", rdiff_formula="R[cos](x, dy) = −dy·sin x")
sqrt = _unary("sqrt", jnp.sqrt, _vec(sp.sqrt), lambda x, y, dy: [scale(dy / y, 0.5)], rdiff_uses_output=True, label="√x",
              summary="Elementwise square root.", formula="sqrt(x) = √x", rdiff_formula="R[sqrt](x, dy) = ½·dy / y,  y = √x")
sigmoid = _unary("sigmoid", jax.nn.sigmoid, _vec(lambda t: 1 / (1 + sp.exp(-t))),
                 lambda x, y, dy: [dy * (y * (1.0 - y))], rdiff_uses_output=True, label="σ",
                 summary="The logistic function.", formula="σ(x) = 1 / (1 + e^(−x))",
                 rdiff_formula="R[σ](x, dy) = dy·y·(1 − y),  y = σ(x)")
tanh = _unary("tanh", jnp.tanh, _vec(sp.tanh), lambda x, y, dy: [dy * (1.0 - y * y)], rdiff_uses_output=True,
              summary="Elementwise hyperbolic tangent.", formula="tanh(x)",
              rdiff_formula="R[tanh](x, dy) = dy·(1 − y²),  y = tanh x")
heaviside = _unary("heaviside", _heaviside, _vec(lambda t: sp.Heaviside(t, 0)), lambda x, dy: [None], label="H",
                   summary="The Heaviside step.", formula="H(x) = 1 if x > 0 else 0",
                   rdiff_formula="R[H](x, dy) = 0 (H is locally constant)")
relu = _unary("relu", jax.nn.relu, _vec(lambda t: sp.Max(t, 0)), lambda x, dy: [dy * heaviside(x)],
              summary="The rectified linear unit.", formula="relu(x) = max(x, 0)",
              rdiff_formula="R[relu](x, dy) = dy·H(x)  (H = heaviside, H(0) = 0)")
scale = _unary("scale", lambda x, c: x * jnp.asarray(c, x.dtype), lambda x, c: x * _sp_pow(c),
               lambda x, dy, c: [scale(dy, c)], param="c", label=lambda dom, c: f"×{number(c)}",
               summary="Scaling by a constant: scale(A, c).", formula="scale_c(x) = c·x",
               rdiff_formula="R[scale_c](x, dy) = c·dy")
pow = _unary("pow", lambda x, k: x ** jnp.asarray(k, x.dtype) if not float(k).is_integer() else x ** int(k),
             lambda x, k: _vec(lambda t: t ** _sp_pow(k))(x),
             lambda x, dy, k: [scale(dy * pow(x, k - 1), k)] if k != 0 else [None], param="k",
             label=lambda dom, k: power(k),
             summary="Elementwise power by a constant: pow(A, k).", formula="pow_k(x) = xᵏ",
             rdiff_formula="R[pow_k](x, dy) = k·dy·x^(k−1)  (0 for k = 0)")


def _additive_type(name):
    def typing(dom):
        check_arity(name, dom, 2)
        if dom[0] != dom[1]:
            reject_typing(name, dom, f"both inputs must have the same type, got {dom[0]} and {dom[1]}"
                  " (use catgrad.broadcast_to, or call the public function, which broadcasts)")
        if dom[0].dtype not in ("float32", "float64", "bool"):
            reject_typing(name, dom, f"add is defined on float and bool (Z2) wires, got {dom[0].dtype}")
        return Ty(dom[0])
    return typing


def _broadcasting(name):
    """Wires of different shapes are broadcast to a common shape (NumPy rules) before the operation."""
    def prepare(*ws):
        if len(ws) != 2 or ws[0].type == ws[1].type:
            return ws
        x, y = ws
        if x.dtype != y.dtype:
            reject_typing(name, Ty(x.type, y.type), f"both inputs must have the same dtype, got {x.dtype} and {y.dtype}")
        try:
            shape = np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            reject_typing(name, Ty(x.type, y.type), f"shapes {x.shape} and {y.shape} do not broadcast together"
                  " (NumPy rules: trailing axes must be equal or 1)")
        return broadcast_to(x, shape), broadcast_to(y, shape)
    return prepare


def _binary(name, typing, jax_fn, sympy_fn, rdiff, **kw):
    return declare(Generator(name=name, typing=typing, jax=jax_fn, sympy=sympy_fn, rdiff=rdiff, arity=2,
                             prepare=_broadcasting(name), signature="A × A → A, elementwise (different shapes are "
                             "broadcast first)", **kw))


add = _binary("add", _additive_type("add"), lambda x, y: x + y, lambda x, y: x + y, lambda x, y, dy: [dy, dy],
              z2_jax=jnp.logical_xor, z2=lambda x, y: x + y, label="+",
              summary="Addition +: A × A → A, the left-additive structure (XOR on Z2 wires); "
                      "given two different shapes it broadcasts them (NumPy rules) first.",
              formula="add(x, y) = x + y", rdiff_formula="R[add](x, y, dy) = (dy, dy)",
              example=">>> from catgrad import Array\n>>> add(Array((3,))).dom\nTy(f32[3], f32[3])")
mul = _binary("mul", _same_binary("mul"), lambda x, y: x * y, lambda x, y: x * y, lambda x, y, dy: [dy * y, dy * x],
              label="×", summary="Elementwise product ×: A × A → A, broadcasting different shapes (NumPy rules).",
              formula="mul(x, y) = x·y", rdiff_formula="R[mul](x, y, dy) = (dy·y, dy·x)",
              example=">>> from catgrad import Array\n>>> mul(Array((3,)), Array(())).cod\nTy(f32[3])")
div = _binary("div", _same_binary("div"), lambda x, y: x / y, lambda x, y: x / y,
              lambda x, y, dy: [dy / y, -(dy * x / (y * y))], label="÷",
              summary="Elementwise quotient, broadcasting different shapes.", formula="div(x, y) = x / y",
              rdiff_formula="R[div](x, y, dy) = (dy / y, −dy·x / y²)",
              example=">>> from catgrad import Array\n>>> div(Array((2,))).cod\nTy(f32[2])")


def _nullary_type(name):
    def typing(dom, type, **_):
        check_arity(name, dom, 0)
        if not isinstance(type, Array):
            reject_typing(name, dom, f"the attribute type must be an Array, got {type!r}")
        return Ty(type)
    return typing


def _jax_zero(type):
    return jnp.zeros(type.shape, type.dtype)


def _sympy_zero(type):
    return np.full(type.shape, sp.Integer(0), dtype=object)


def _jax_constant(type, value):
    v = value.value if isinstance(value, Literal) else value
    return jnp.broadcast_to(jnp.asarray(v, type.dtype), type.shape)


def _sympy_constant(type, value):
    v = value.value if isinstance(value, Literal) else np.asarray(value)
    out = np.empty(type.shape, dtype=object)
    out[...] = np.vectorize(lambda t: sp.nsimplify(float(t)) if np.asarray(t).dtype.kind == "f" else sp.Integer(int(t)),
                            otypes=[object])(np.broadcast_to(v, type.shape))
    return out


def type_name(v) -> str:
    return f"{type(v).__name__} {v!r}"


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


zero = declare(Generator(
    name="zero", signature="1 → A", typing=_nullary_type("zero"), jax=_jax_zero, z2_jax=_jax_zero, sympy=_sympy_zero, z2=_sympy_zero,
    rdiff=lambda dy, type: [], arity=0, label="0",
    summary="The additive unit 0: 1 → A (for a product of arrays, the pairing of zeros; False on Z2 wires).",
    formula="zero() = 0", rdiff_formula="R[0](dy) = ! (no inputs)",
    example=">>> from catgrad import Array\n>>> zero(Array((2,))).cod\nTy(f32[2])"))
constant = declare(Generator(
    name="constant", signature="1 → A", typing=_nullary_type("constant"), jax=_jax_constant, z2_jax=_jax_constant, sympy=_sympy_constant,
    z2=_sympy_constant, rdiff=lambda dy, type, value: [], canon=_canon_constant, arity=0, params=("value",),
    label=lambda dom, type, value: constant_label(type, value),
    summary="The constant map c: 1 → A: constant(A, value), value a number or an array of A's shape.",
    formula="constant() = c", rdiff_formula="R[c](dy) = ! (no inputs)",
    example=">>> from catgrad import Array\n>>> constant(Array((2,)), 1.5).cod\nTy(f32[2])"))


# -- shape generators ----------------------------------------------------------

def _canon_sum(dom, axes=None):
    check_arity("sum", dom, 1)
    nd = dom[0].ndim
    return {"axes": negative_axes(tuple(range(nd)) if axes is None else axes, nd, "sum", dom)}


def _type_sum(dom, axes):
    a = dom[0]
    if a.dtype not in ("float32", "float64", "bool"):
        reject_typing("sum", dom, f"expects a float or bool (Z2, where the sum is XOR) array, got dtype {a.dtype}")
    keep = [n for i, n in enumerate(a.shape) if i - a.ndim not in axes]
    return Ty(a.with_shape(keep))


def _xor_reduce(x, axes):
    return jax.lax.reduce(x, False, jnp.logical_xor, tuple(a % x.ndim for a in axes))


def _sympy_sum(x, axes):
    return np.sum(x, axis=axes) if axes else x


sum = declare(Generator(
    name="sum", signature="A → A with the summed axes removed", typing=_type_sum, jax=lambda x, axes: jnp.sum(x, axis=axes), z2_jax=_xor_reduce,
    sympy=_sympy_sum, z2=_sympy_sum, rdiff=lambda x, dy, axes: [broadcast(dy, shape=x.shape, axes=axes)],
    canon=_canon_sum, params=("axes",), label="Σ",
    summary="Sum over axes (all by default): sum(A, axes=(0,)); over Z2 an XOR-reduction.",
    formula="sum(x)_j = Σ_{i over axes} x_{i,j}", rdiff_formula="R[sum](x, dy) = broadcast(dy) over the summed axes",
    example=">>> from catgrad import Array\n>>> sum(Array((2, 3)), axes=(0,)).cod\nTy(f32[3])"))


def _canon_broadcast(dom, shape, axes):
    check_arity("broadcast", dom, 1)
    shape = tuple(int(n) for n in shape)
    return {"shape": shape, "axes": negative_axes(axes, len(shape), "broadcast", dom)}


def _type_broadcast(dom, shape, axes):
    kept = tuple(n for i, n in enumerate(shape) if i - len(shape) not in axes)
    if kept != dom[0].shape:
        reject_typing("broadcast", dom, f"removing axes {axes} from {shape} leaves {kept}, not the input shape {dom[0].shape}")
    return Ty(dom[0].with_shape(shape))


def _jax_broadcast(x, shape, axes):
    nd = len(shape)
    dims = tuple(i for i in range(nd) if i - nd not in axes)
    return jax.lax.broadcast_in_dim(x, shape, dims)


def _sympy_broadcast(x, shape, axes):
    nd = len(shape)
    return np.broadcast_to(np.expand_dims(x, tuple(a + nd for a in axes)), shape).copy()


broadcast = declare(Generator(
    name="broadcast", signature="A → A with the new axes inserted", typing=_type_broadcast, jax=_jax_broadcast, z2_jax=_jax_broadcast, sympy=_sympy_broadcast,
    z2=_sympy_broadcast, rdiff=lambda x, dy, shape, axes: [sum(dy, axes=axes)], canon=_canon_broadcast,
    batch=lambda flags, size, dom, shape, axes: {"shape": (size, *shape), "axes": axes},
    params=("shape", "axes"), label="⇉",
    summary="broadcast(A, shape, axes): copies the input along the new axes `axes` of `shape`.",
    formula="broadcast(x)_{i,j} = x_j  (i over the new axes)", rdiff_formula="R[broadcast](x, dy) = sum(dy) over the new axes",
    example=">>> from catgrad import Array\n>>> broadcast(Array((3,)), (2, 3), (0,)).cod\nTy(f32[2,3])"))


def _int_tuple(name, dom, what, v):
    try:
        return tuple(operator.index(n) for n in ((v,) if isinstance(v, (int, np.integer)) else v))
    except TypeError:
        reject_typing(name, dom, f"{what} must be a tuple of ints, got {v!r}")


def _type_reshape(dom, shape):
    check_arity("reshape", dom, 1)
    shape = tuple(int(n) for n in shape)
    if int(np.prod(shape, dtype=np.int64)) != dom[0].size:
        reject_typing("reshape", dom, f"cannot reshape {dom[0].size} elements into shape {shape}")
    return Ty(dom[0].with_shape(shape))


def _jax_reshape(x, shape):
    return jnp.reshape(x, shape)


def _sympy_reshape(x, shape):
    return x.reshape(shape)


reshape = declare(Generator(
    name="reshape", signature="A → A of another shape, same size", typing=_type_reshape, jax=_jax_reshape, z2_jax=_jax_reshape, sympy=_sympy_reshape,
    z2=_sympy_reshape, rdiff=lambda x, dy, shape: [reshape(dy, x.shape)],
    canon=lambda dom, shape: {"shape": _int_tuple("reshape", dom, "shape", shape)},
    batch=lambda flags, size, dom, shape: {"shape": (size, *shape)}, params=("shape",),
    summary="reshape(A, shape): the same entries in row-major order, another shape.",
    formula="reshape(x) = x read in another shape", rdiff_formula="R[reshape](x, dy) = reshape(dy) back to x's shape",
    example=">>> from catgrad import Array\n>>> reshape(Array((2, 3)), (6,)).cod\nTy(f32[6])"))


def _type_transpose(dom, perm):
    check_arity("transpose", dom, 1)
    if sorted(perm) != list(range(dom[0].ndim)):
        reject_typing("transpose", dom, f"{perm} is not a permutation of the {dom[0].ndim} axes")
    return Ty(dom[0].with_shape([dom[0].shape[p] for p in perm]))


def _canon_transpose(dom, perm=None):
    check_arity("transpose", dom, 1)
    return {"perm": tuple(reversed(range(dom[0].ndim))) if perm is None else tuple(int(p) for p in perm)}


def _jax_transpose(x, perm):
    return jnp.transpose(x, perm)


def _sympy_transpose(x, perm):
    return np.transpose(x, perm)


transpose = declare(Generator(
    name="transpose", signature="A → A with permuted axes", typing=_type_transpose, jax=_jax_transpose, z2_jax=_jax_transpose, sympy=_sympy_transpose,
    z2=_sympy_transpose, rdiff=lambda x, dy, perm: [transpose(dy, perm=tuple(int(i) for i in np.argsort(perm)))],
    canon=_canon_transpose, batch=lambda flags, size, dom, perm: {"perm": (0, *(p + 1 for p in perm))},
    params=("perm",), label=lambda dom, perm: "ᵀ" if list(perm) == sorted(perm, reverse=True) else f"ᵀ{perm}",
    summary="transpose(A, perm): the axes permuted (reversed by default).",
    formula="transpose(x)_{i_perm(0)…} = x_{i_0…}", rdiff_formula="R[transpose](x, dy) = transpose(dy, perm⁻¹)",
    example=">>> from catgrad import Array\n>>> transpose(Array((2, 3))).cod\nTy(f32[3,2])"))


# einsum: every index of an operand appears in exactly one or both of the other two terms,
# so both partial derivatives are again such einsums.

def _parse_spec(spec):
    try:
        ins, out = spec.replace(" ", "").split("->")
        a, b = ins.split(",")
    except (ValueError, AttributeError):
        raise TypeError(f"einsum: spec {spec!r} must look like 'ij,j->i'") from None
    return a, b, out


def _type_einsum(dom, spec):
    check_arity("einsum", dom, 2)
    a, b, out = _parse_spec(spec)
    sizes = {}
    for letters, t in ((a, dom[0]), (b, dom[1])):
        if len(letters) != t.ndim:
            reject_typing("einsum", dom, f"spec {spec!r} gives {len(letters)} indices to an input of rank {t.ndim} ({t})")
        if len(set(letters)) != len(letters):
            reject_typing("einsum", dom, f"spec {spec!r} repeats an index within one operand")
        for c, n in zip(letters, t.shape):
            if sizes.setdefault(c, n) != n:
                reject_typing("einsum", dom, f"index {c!r} has sizes {sizes[c]} and {n}")
    if dom[0].dtype != dom[1].dtype or not dom[0].is_float:
        reject_typing("einsum", dom, "expects two floating-point arrays of the same dtype")
    terms = (a, b, out)
    for k, letters in enumerate(terms):
        for c in letters:
            if c not in terms[(k + 1) % 3] and c not in terms[(k + 2) % 3]:
                reject_typing("einsum", dom, f"index {c!r} of {spec!r} appears in one term only (sum it with catgrad.sum)")
    if len(set(out)) != len(out):
        reject_typing("einsum", dom, f"spec {spec!r} repeats an output index")
    return Ty(dom[0].with_shape([sizes[c] for c in out]))


def _batch_einsum(flags, size, dom, spec):
    a, b, out = _parse_spec(spec)
    z = next(c for c in string.ascii_letters if c not in a + b + out)
    return {"spec": f"{z + a if flags[0] else a},{z + b if flags[1] else b}->{z + out}"}


def _rdiff_einsum(x, y, dy, spec):
    a, b, out = _parse_spec(spec)
    return [einsum(f"{out},{b}->{a}", dy, y), einsum(f"{a},{out}->{b}", x, dy)]


def _sympy_einsum(x, y, spec):
    return np.einsum(spec, x, y) if spec.split("->")[1] else np.asarray(np.einsum(spec, x, y), dtype=object)


def _canon_einsum(dom, spec):
    if not isinstance(spec, str):
        raise TypeError(errors.type_rule("einsum", dom, f"spec must be a str such as 'ij,j->i', got {type_name(spec)}"))
    return {"spec": spec.replace(" ", "")}


einsum = declare(Generator(
    name="einsum", signature="A × B → C, C's shape from the spec", typing=_type_einsum, jax=lambda x, y, spec: jnp.einsum(spec, x, y), sympy=_sympy_einsum,
    rdiff=_rdiff_einsum, batch=_batch_einsum, batch_all=False, canon=_canon_einsum, arity=2, params=("spec",),
    label=lambda dom, spec: einsum_label(spec),
    summary="Bilinear contraction einsum(spec, A, B) (jnp.einsum semantics, e.g. 'ij,j->i'); every index of an "
            "operand must also appear in the other operand or the output.",
    formula="einsum[a,b→o](x, y)_o = Σ x_a·y_b",
    rdiff_formula="R[einsum[a,b→o]](x, y, dy) = (einsum[o,b→a](dy, y), einsum[a,o→b](x, dy))",
    example=">>> from catgrad import Array\n>>> einsum('ij,j->i', Array((2, 3)), Array((3,))).cod\nTy(f32[2])"))


# -- softmax family --------------------------------------------------------------

def _canon_axis(name):
    def canon(dom, axis=-1):
        check_arity(name, dom, 1)
        return {"axis": negative_axes(axis, dom[0].ndim, name, dom)[0]}
    return canon


def _drop_axis(name, dtype=None):
    def typing(dom, axis):
        a = _float_unary(name)(dom)[0]
        return Ty(Array([n for i, n in enumerate(a.shape) if i - a.ndim != axis], dtype or a.dtype))
    return typing


def _rdiff_softmax(x, s, dy, axis):
    return [s * (dy - broadcast(sum(s * dy, axes=axis), shape=x.shape, axes=axis))]


softmax = declare(Generator(
    name="softmax", signature="A → A, A a float array", typing=lambda dom, axis: _float_unary("softmax")(dom), jax=lambda x, axis: jax.nn.softmax(x, axis=axis),
    sympy=lambda x, axis: _sp_softmax(x, axis), canon=_canon_axis("softmax"), rdiff=_rdiff_softmax,
    rdiff_uses_output=True, params=("axis",),
    summary="Softmax along axis (the last by default).", formula="softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)",
    rdiff_formula="R[softmax](x, dy) = s·(dy − Σ s·dy),  s = softmax(x)",
    example=">>> from catgrad import Array\n>>> softmax(Array((2, 3))).cod\nTy(f32[2,3])"))

logsumexp = declare(Generator(
    name="logsumexp", signature="A → A without axis", typing=_drop_axis("logsumexp"), jax=lambda x, axis: jax.nn.logsumexp(x, axis=axis),
    sympy=lambda x, axis: _vec(sp.log)(np.sum(_vec(sp.exp)(x), axis=axis)),
    rdiff=lambda x, dy, axis: [softmax(x, axis=axis) * broadcast(dy, shape=x.shape, axes=axis)],
    canon=_canon_axis("logsumexp"), params=("axis",),
    summary="log Σ exp along axis (the last by default).", formula="logsumexp(x) = log Σⱼ e^(xⱼ)",
    rdiff_formula="R[logsumexp](x, dy) = softmax(x)·dy",
    example=">>> from catgrad import Array\n>>> logsumexp(Array((2, 3))).cod\nTy(f32[2])"))

def _sympy_argmax(x, axis):
    """The index of the largest entry, for numeric entries only: the argmax of symbols is not an expression."""
    try:
        values = x.astype(float)
    except TypeError:
        raise errors.SemanticsError("argmax has no symbolic meaning: the index of the largest of symbolic entries "
                                    "is not a sympy expression (give numeric inputs to to_sympy, or use to_jax)") from None
    return np.vectorize(sp.Integer, otypes=[object])(np.argmax(values, axis=axis))


_ARGMAX_WARNING = "argmax is not differentiable: its reverse derivative is taken to be 0"

argmax = declare(Generator(
    name="argmax", signature="A → int32 A without axis", typing=_drop_axis("argmax", "int32"), jax=lambda x, axis: jnp.argmax(x, axis=axis).astype(jnp.int32),
    sympy=_sympy_argmax,
    rdiff=lambda x, dy, axis: [None], canon=_canon_axis("argmax"), zero_rdiff_warning=_ARGMAX_WARNING,
    params=("axis",),
    summary="Index of the largest entry along axis (int32).", formula="argmax(x) = the i maximising xᵢ",
    rdiff_formula="R[argmax](x, dy) = 0 (not differentiable; rdiff warns)",
    example=">>> from catgrad import Array\n>>> argmax(Array((2, 3))).cod\nTy(i32[2])"))


# -- composites: functions on wires that also take types ----------------------------

def _matmul_spec(a_nd, b_nd):
    specs = {(2, 1): "ij,j->i", (2, 2): "ij,jk->ik", (1, 1): "i,i->", (1, 2): "j,jk->k"}
    try:
        return specs[(a_nd, b_nd)]
    except KeyError:
        raise TypeError(f"matmul: expects operands of rank 1 or 2, got ranks {a_nd} and {b_nd}") from None


@composite(2)
def matmul(a, b):
    """Matrix product ``(A, B) ↦ A·B`` (``(m,n)·(n,) → (m,)``, ``(m,n)·(n,k) → (m,k)``, ...).

    An ``einsum``; ``R[matmul](A, B, dY) = (dY·Bᵀ, Aᵀ·dY)``.

    >>> from catgrad import Array
    >>> matmul(Array((2, 3)), Array((3,))).cod
    Ty(f32[2])
    """
    return einsum(_matmul_spec(a.type.ndim, b.type.ndim), a, b)


@composite(1)
def broadcast_to(x, shape):
    """NumPy-style ``broadcast_to(x, shape)``: size-1 and missing leading axes are copied.

    It is ``reshape`` (dropping size-1 axes) then ``broadcast`` (adding axes); R sums them back.

    >>> from catgrad import Array
    >>> broadcast_to(Array((1, 3)), (2, 3)).cod
    Ty(f32[2,3])
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


@composite(2)
def sub(x, y):
    """Difference ``x − y = x + (−y)``, broadcasting; ``R[sub](x, y, dy) = (dy, −dy)``.

    >>> from catgrad import Array
    >>> sub(Array((3,))).cod
    Ty(f32[3])
    """
    return add(x, neg(y))


SMOOTH = (neg, exp, log, sin, cos, sqrt, sigmoid, tanh, relu, heaviside, scale, pow, add, mul, div, zero, constant,
          sum, broadcast, reshape, transpose, einsum, softmax, logsumexp, argmax)
__doc__ += table(SMOOTH)
__test__ = doctests(SMOOTH)
