"""Convolution: one generator, closed under R and batching (pooling is in ``catgrad.core.pool``).

One generator ``conv`` covers every convolution that appears: the per-example
``conv2d``, its batched form, both of its reverse derivatives, theirs, and so on. Its
attribute ``spec`` is an einsum-like string ``"lhs,rhs->out"`` whose digits ``0, 1, …``
are the spatial axes and whose letters play the roles of ``jax.lax.conv_general_dilated``'s
dimensions, read off from where they occur (as in ``einsum``):

===========  =================  =====================================================
letter in     role               e.g. in ``conv2d`` = ``"c01,oc01->o01"``
===========  =================  =====================================================
lhs, out      batch (N)          the batch axis ``z`` added by ``catgrad.batch``
lhs, rhs      contracted (C)     the input channels ``c``
rhs, out      output feature (O) the output channels ``o``
all three     grouped (G)        a batch axis of both operands (vmapped, one group each)
===========  =================  =====================================================

A role may hold zero, one or several letters (zero: a size-1 axis, several: merged).
With ``s`` the window strides, ``(lo, hi)`` the padding, ``a`` the lhs dilation and
``d`` the rhs dilation, along each spatial axis (``x̃`` is ``x`` dilated by ``a``, i.e.
``x̃[a·i] = x[i]`` and 0 between, then padded by ``lo`` zeros in front)::

    out[n, o, j] = Σ_c Σ_i  w[o, c, i] · x̃[n, c, j·s + i·d − lo]        (correlation, no flip)

Output size ``m = ⌊((n−1)a + 1 + lo + hi − (k−1)d − 1) / s⌋ + 1``.
Reverse derivatives (derived from the formula above; ``rev`` flips the kernel's spatial axes)::

    R[conv]_x (x, w, dy) = conv[spec "out,rhs->lhs"](dy, rev w;  strides a, lhs_dilation s, rhs_dilation d,
                                                    padding ((k−1)d − lo, (n−1)a − (m−1)s + lo))
    R[conv]_w (x, w, dy) = conv[spec "lhs,out->rhs"](x, dy;      strides d, lhs_dilation a, rhs_dilation s,
                                                    padding (lo, (k−1)d + (m−1)s − (n−1)a − lo))

Both are again ``conv``s (the letters change role: in ``R_w`` the batch axis becomes the
contracted one, so a kernel shared across a batch gets its gradient from one convolution
that sums over the batch). Batching prepends a fresh letter to the spec of the batched
operands and of the output. Negative padding crops.

>>> from catgrad import Array
>>> conv2d(Array((3, 8, 8)), Array((4, 3, 3, 3)), stride=2, padding="SAME").cod
Ty(f32[4,4,4])
"""
from __future__ import annotations

import itertools
import string

import jax
import jax.numpy as jnp
import numpy as np

from .diagram import composite
from .generators import check_arity, reject_typing, negative_axes
from .objects import Ty
from .signature import Generator, declare, doctests

__all__ = ["conv", "reverse", "conv2d", "conv_output_size", "pair", "canon_axes"]


# -- the spec: roles of the letters ------------------------------------------------

class _Spec:
    """A parsed conv spec: the three terms and the letters of each role."""

    __slots__ = ("lhs", "rhs", "out", "spatial", "N", "C", "O", "G")

    def __init__(self, spec: str):
        try:
            ins, out = spec.replace(" ", "").split("->")
            lhs, rhs = ins.split(",")
        except ValueError:
            raise TypeError(f"conv: spec {spec!r} must look like 'c01,oc01->o01'") from None
        self.lhs, self.rhs, self.out = lhs, rhs, out
        for term in (lhs, rhs, out):
            if len(set(term)) != len(term):
                raise TypeError(f"conv: spec {spec!r} repeats an index within one term")
            if not all(ch.isalpha() or ch.isdigit() for ch in term):
                raise TypeError(f"conv: spec {spec!r} may only use letters and digits")
        digits = sorted(ch for ch in lhs if ch.isdigit())
        self.spatial = "".join(digits)
        if [int(d) for d in digits] != list(range(len(digits))):
            raise TypeError(f"conv: spec {spec!r}: the spatial axes must be the digits 0..k-1")
        for term in (rhs, out):
            if sorted(ch for ch in term if ch.isdigit()) != digits:
                raise TypeError(f"conv: spec {spec!r}: every term must have the same spatial digits")
        letters = lambda t: [ch for ch in t if ch.isalpha()]
        L, K, Y = set(lhs), set(rhs), set(out)
        self.G = [ch for ch in letters(out) if ch in L and ch in K]
        self.N = [ch for ch in letters(out) if ch in L and ch not in K]
        self.O = [ch for ch in letters(out) if ch in K and ch not in L]
        self.C = [ch for ch in letters(lhs) if ch in K and ch not in Y]
        for ch in set(letters(lhs + rhs + out)):
            if sum(ch in t for t in (lhs, rhs, out)) == 1:
                raise TypeError(f"conv: index {ch!r} of spec {spec!r} appears in one term only")


def _spec(spec: str) -> _Spec:
    return _Spec(spec)


def conv_output_size(n: int, k: int, stride: int = 1, padding: tuple = (0, 0), lhs_dilation: int = 1,
                     rhs_dilation: int = 1) -> int:
    """Output length of a convolution along one axis: ``⌊((n−1)a + 1 + lo + hi − (k−1)d − 1)/s⌋ + 1``.

    >>> conv_output_size(28, 3), conv_output_size(8, 3, stride=2, padding=(1, 1))
    (26, 4)
    """
    span = (n - 1) * lhs_dilation + 1 + padding[0] + padding[1] - (k - 1) * rhs_dilation - 1
    return span // stride + 1 if span >= 0 else 0


def _pairs(v, nsp, what, name, dom):
    if isinstance(v, (int, np.integer)):
        v = (int(v),) * nsp
    v = tuple(v)
    if len(v) != nsp:
        reject_typing(name, dom, f"{what} {v} must have one entry per spatial axis ({nsp})")
    return v


def _positive(v, nsp, what, name, dom):
    v = _pairs(1 if v is None else v, nsp, what, name, dom)
    for s in v:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            reject_typing(name, dom, f"{what} must be positive ints, got {v}")
    return tuple(int(s) for s in v)


def _explicit_padding(padding, nsp, sizes, kernel, strides, lhs_dil, rhs_dil, name, dom):
    """``"VALID"``, ``"SAME"``, an int, or one ``(lo, hi)`` pair (or int) per spatial axis."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return ((0, 0),) * nsp
        if mode == "SAME":
            out = []
            for n, k, s, a, d in zip(sizes, kernel, strides, lhs_dil, rhs_dil):
                nd = (n - 1) * a + 1
                m = -(-nd // s)
                total = max((m - 1) * s + (k - 1) * d + 1 - nd, 0)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        reject_typing(name, dom, f"padding must be 'VALID', 'SAME', an int or (lo, hi) pairs, got {padding!r}")
    if isinstance(padding, (int, np.integer)):
        return ((int(padding), int(padding)),) * nsp
    padding = tuple(padding)
    if len(padding) != nsp:
        reject_typing(name, dom, f"padding {padding} must have one (lo, hi) pair per spatial axis ({nsp})")
    out = []
    for p in padding:
        if isinstance(p, (int, np.integer)):
            p = (p, p)
        p = tuple(p)
        if len(p) != 2 or not all(isinstance(q, (int, np.integer)) and not isinstance(q, bool) for q in p):
            reject_typing(name, dom, f"padding {padding} must be (lo, hi) pairs of ints")
        out.append((int(p[0]), int(p[1])))
    return tuple(out)


def _canon_conv(dom, spec, window_strides=None, padding="VALID", lhs_dilation=None, rhs_dilation=None,
                precision=None):
    check_arity("conv", dom, 2)
    sp_ = _spec(spec)
    nsp = len(sp_.spatial)
    for t, term, what in ((dom[0], sp_.lhs, "lhs"), (dom[1], sp_.rhs, "rhs")):
        if t.ndim != len(term):
            reject_typing("conv", dom, f"spec {spec!r} gives {len(term)} indices to the {what} of rank {t.ndim} ({t})")
    strides = _positive(window_strides, nsp, "window strides", "conv", dom)
    lhs_dil = _positive(lhs_dilation, nsp, "lhs dilation", "conv", dom)
    rhs_dil = _positive(rhs_dilation, nsp, "rhs dilation", "conv", dom)
    sizes = [dom[0].shape[sp_.lhs.index(str(i))] for i in range(nsp)]
    kernel = [dom[1].shape[sp_.rhs.index(str(i))] for i in range(nsp)]
    pad = _explicit_padding(padding, nsp, sizes, kernel, strides, lhs_dil, rhs_dil, "conv", dom)
    if precision not in (None, "highest"):
        reject_typing("conv", dom, f"precision must be None (the default) or 'highest', got {precision!r}")
    return {"spec": spec.replace(" ", ""), "window_strides": strides, "padding": pad,
            "lhs_dilation": lhs_dil, "rhs_dilation": rhs_dil, "precision": precision}


def _type_conv(dom, spec, window_strides, padding, lhs_dilation, rhs_dilation, precision):
    s = _spec(spec)
    x, w = dom
    if not x.is_float or x.dtype != w.dtype:
        reject_typing("conv", dom, f"expects two floating-point arrays of the same dtype, got {x.dtype} and {w.dtype}")
    size = {}
    for ch, n in zip(s.lhs, x.shape):
        size[ch] = n
    for ch, n in zip(s.rhs, w.shape):
        if ch.isalpha() and size.setdefault(ch, n) != n:
            role = "contracted (channel)" if ch in s.C else "grouped"
            reject_typing("conv", dom, f"{role} index {ch!r} has size {size[ch]} in the input {x} and {n} in the kernel {w}"
                  " (channel mismatch)")
    out = []
    for ch in s.out:
        if ch.isdigit():
            i = int(ch)
            n, k = x.shape[s.lhs.index(ch)], w.shape[s.rhs.index(ch)]
            m = conv_output_size(n, k, window_strides[i], padding[i], lhs_dilation[i], rhs_dilation[i])
            if m < 1:
                reject_typing("conv", dom, f"along spatial axis {i} the kernel ({k}, dilation {rhs_dilation[i]}) is larger than "
                      f"the padded input ({n}, dilation {lhs_dilation[i]}, padding {padding[i]}): no output position")
            out.append(m)
        else:
            out.append(size[ch])
    return Ty(x.with_shape(out))


def _perm(src: str, dst: str) -> tuple:
    return tuple(src.index(ch) for ch in dst)


def _transpose(x, src, dst, np_=jnp):
    p = _perm(src, dst)
    return x if p == tuple(range(len(p))) else np_.transpose(x, p)


def _jax_conv(x, w, spec, window_strides, padding, lhs_dilation, rhs_dilation, precision):
    s = _spec(spec)
    prec = jax.lax.Precision.HIGHEST if precision == "highest" else None
    conv = lambda lhs, rhs, dn, groups=1: jax.lax.conv_general_dilated(
        lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers=dn,
        feature_group_count=groups, precision=prec)
    if not s.G and all(len(r) <= 1 for r in (s.N, s.C, s.O)):
        # Direct lowering: missing roles become trailing size-1 axes ("!", "?", "^").
        n, c, o = (s.N or ["!"])[0], (s.C or ["?"])[0], (s.O or ["^"])[0]
        L = s.lhs + ("!" if not s.N else "") + ("?" if not s.C else "")
        K = s.rhs + ("?" if not s.C else "") + ("^" if not s.O else "")
        Y = s.out + ("!" if not s.N else "") + ("^" if not s.O else "")
        x = jnp.reshape(x, x.shape + (1,) * (len(L) - x.ndim))
        w = jnp.reshape(w, w.shape + (1,) * (len(K) - w.ndim))
        sp_ = s.spatial
        dn = jax.lax.ConvDimensionNumbers(_perm(L, n + c + sp_), _perm(K, o + c + sp_), _perm(Y, n + o + sp_))
        y = conv(x, w, dn)
        return jnp.reshape(y, y.shape[:len(s.out)])
    # General lowering: merge each role into one axis; grouped letters become feature groups.
    size = dict(zip(s.lhs, x.shape)) | dict(zip(s.rhs, w.shape))
    prod = lambda letters: int(np.prod([size[ch] for ch in letters], dtype=np.int64))
    g, nn, c, o = prod(s.G), prod(s.N), prod(s.C), prod(s.O)
    G, N, C, O, S = "".join(s.G), "".join(s.N), "".join(s.C), "".join(s.O), s.spatial
    xs = [x.shape[s.lhs.index(d)] for d in S]
    ks = [w.shape[s.rhs.index(d)] for d in S]
    x = jnp.reshape(_transpose(x, s.lhs, N + G + C + S), (nn, g * c, *xs))
    w = jnp.reshape(_transpose(w, s.rhs, G + O + C + S), (g * o, c, *ks))
    nsp = len(S)
    dn = jax.lax.ConvDimensionNumbers(tuple(range(nsp + 2)), tuple(range(nsp + 2)), tuple(range(nsp + 2)))
    y = conv(x, w, dn, groups=g)
    y = jnp.reshape(y, [size[ch] for ch in N + G + O] + list(y.shape[2:]))
    return _transpose(y, N + G + O + S, s.out)


def conv_reference(x, w, spec, window_strides, padding, lhs_dilation, rhs_dilation, precision=None):
    """The ``conv`` formula by explicit loops over the kernel offsets, on NumPy arrays.

    Works on float arrays and on object arrays of sympy expressions (the sympy meaning); it
    shares no code with the JAX lowering, so tests use it as an independent check.
    """
    s = _spec(spec)
    x, w = np.asarray(x), np.asarray(w)
    size = dict(zip(s.lhs, x.shape)) | dict(zip(s.rhs, w.shape))
    G, N, C, O, S = "".join(s.G), "".join(s.N), "".join(s.C), "".join(s.O), s.spatial
    prod = lambda letters: int(np.prod([size[ch] for ch in letters], dtype=np.int64))
    g, nn, c, o = prod(G), prod(N), prod(C), prod(O)
    xs = [x.shape[s.lhs.index(d)] for d in S]
    ks = [w.shape[s.rhs.index(d)] for d in S]
    X = np.transpose(x, _perm(s.lhs, G + N + C + S)).reshape(g, nn, c, *xs)
    W = np.transpose(w, _perm(s.rhs, G + O + C + S)).reshape(g, o, c, *ks)
    # dilate then pad (negative padding crops)
    dil = [(n - 1) * a + 1 for n, a in zip(xs, lhs_dilation)]
    Xd = np.zeros((g, nn, c, *dil), dtype=X.dtype)
    Xd[(slice(None),) * 3 + tuple(slice(None, None, a) for a in lhs_dilation)] = X
    for i, (lo, hi) in enumerate(padding):
        ax = 3 + i
        if lo < 0:
            Xd = np.take(Xd, range(-lo, Xd.shape[ax]), axis=ax)
        if hi < 0:
            Xd = np.take(Xd, range(0, Xd.shape[ax] + hi), axis=ax)
        shp = list(Xd.shape)
        shp[ax] = max(lo, 0)
        before = np.zeros(shp, dtype=Xd.dtype)
        shp[ax] = max(hi, 0)
        after = np.zeros(shp, dtype=Xd.dtype)
        Xd = np.concatenate([before, Xd, after], axis=ax)
    ms = [conv_output_size(n, k, st, p, a, d) for n, k, st, p, a, d in
          zip(xs, ks, window_strides, padding, lhs_dilation, rhs_dilation)]
    Y = np.zeros((g, nn, o, *ms), dtype=np.result_type(X, W))
    for offs in itertools.product(*(range(k) for k in ks)):
        sl = tuple(slice(i * d, i * d + (m - 1) * st + 1, st)
                   for i, d, m, st in zip(offs, rhs_dilation, ms, window_strides))
        patch = Xd[(slice(None),) * 3 + sl]  # (g, n, c, *ms)
        kern = W[(slice(None),) * 3 + offs]  # (g, o, c)
        for gi in range(g):
            Y[gi] += np.moveaxis(np.tensordot(patch[gi], kern[gi], axes=([1], [1])), -1, 1)
    Y = Y.reshape([size[ch] for ch in G + N + O] + ms)
    return np.transpose(Y, _perm(G + N + O + S, s.out))


def _rdiff_conv(x, w, dy, spec, window_strides, padding, lhs_dilation, rhs_dilation, precision):
    s = _spec(spec)
    S = s.spatial
    nsp = len(S)
    ns = [x.shape[s.lhs.index(d)] for d in S]
    ks = [w.shape[s.rhs.index(d)] for d in S]
    ms = [dy.shape[s.out.index(d)] for d in S]
    st, a, d = window_strides, lhs_dilation, rhs_dilation
    pad_x, pad_w = [], []
    for i in range(nsp):
        lo = padding[i][0]
        before = (ks[i] - 1) * d[i] - lo
        pad_x.append((before, (ns[i] - 1) * a[i] + (ks[i] - 1) * d[i] - (ms[i] - 1) * st[i] - before))
        pad_w.append((lo, (ks[i] - 1) * d[i] + (ms[i] - 1) * st[i] - (ns[i] - 1) * a[i] - lo))
    flipped = reverse(w, axes=tuple(s.rhs.index(dg) - len(s.rhs) for dg in S))
    dx = conv(dy, flipped, spec=f"{s.out},{s.rhs}->{s.lhs}", window_strides=a, padding=tuple(pad_x),
              lhs_dilation=st, rhs_dilation=d, precision=precision)
    dw = conv(x, dy, spec=f"{s.lhs},{s.out}->{s.rhs}", window_strides=d, padding=tuple(pad_w),
              lhs_dilation=a, rhs_dilation=st, precision=precision)
    return [dx, dw]


def _batch_conv(flags, size, dom, spec, **attrs):
    s = _spec(spec)
    z = next(ch for ch in string.ascii_letters if ch not in s.lhs + s.rhs + s.out)
    lhs = z + s.lhs if flags[0] else s.lhs
    rhs = z + s.rhs if flags[1] else s.rhs
    return {"spec": f"{lhs},{rhs}->{z + s.out}", **attrs}


def _label_conv(dom, spec, window_strides, **_):
    """``conv 3×3``: the kernel's spatial sizes (its shape along the digits of ``spec``), and a stride other
    than 1 as ``/2``."""
    s = _spec(spec)
    kernel = "×".join(str(dom[1].shape[s.rhs.index(str(i))]) for i in range(len(s.spatial)))
    strides = set(window_strides)
    return f"conv {kernel}" + ("" if strides == {1} else f" /{'×'.join(map(str, window_strides))}")


conv = declare(Generator(
    name="conv", signature="x × w → y, the roles of the axes given by spec", typing=_type_conv, jax=_jax_conv, sympy=conv_reference, rdiff=_rdiff_conv, batch=_batch_conv,
    batch_all=False, canon=_canon_conv, arity=2, label=_label_conv,
    summary="The general dilated convolution (correlation) conv(x, w, spec=..., window_strides=..., padding=..., "
            "lhs_dilation=..., rhs_dilation=...), its letters' roles read off the einsum-like spec "
            "(see catgrad.core.conv).",
    formula="out[n, o, j] = Σ_c Σ_i w[o, c, i]·x̃[n, c, j·s + i·d − lo]  (x̃: x dilated by a, padded)",
    rdiff_formula="R[conv](x, w, dy) = (conv[out,rhs→lhs](dy, rev w), conv[lhs,out→rhs](x, dy)), strides and "
                  "dilations exchanged (see catgrad.core.conv)",
    example=">>> from catgrad import Array\n>>> conv(Array((1, 5, 5)), Array((2, 1, 3, 3)), spec='c01,oc01->o01').cod\n"
            "Ty(f32[2,3,3])"))


# -- reverse: flip along axes (linear, its own transpose) -------------------------------

def canon_axes(name):
    """The canonical form of an ``axes`` attribute (negative, sorted) for the generator ``name``."""
    def canon(dom, axes):
        check_arity(name, dom, 1)
        return {"axes": negative_axes(axes, dom[0].ndim, name, dom)}
    return canon


reverse = declare(Generator(
    name="reverse", signature="A → A", typing=lambda dom, axes: dom, jax=lambda x, axes: jnp.flip(x, axes) if axes else x,
    sympy=lambda x, axes: np.flip(x, axes) if axes else x, rdiff=lambda x, dy, axes: [reverse(dy, axes=axes)],
    canon=canon_axes("reverse"), params=("axes",), label="rev",
    summary="reverse(A, axes): the array flipped along axes (linear and self-inverse).",
    formula="reverse(x)_i = x_{n−1−i} along axes", rdiff_formula="R[reverse](x, dy) = reverse(dy)",
    example=">>> from catgrad import Array\n>>> reverse(Array((2, 3)), axes=(1,)).cod\nTy(f32[2,3])"))


# -- the per-example convolution (a composite) ---------------------------------------------

def pair(v, what, name):
    """``v`` as a pair of positive ints (an int ``k`` is ``(k, k)``), or a ``TypeError`` naming ``what``."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = (int(v), int(v))
    try:
        v = tuple(v)
    except TypeError:
        raise TypeError(f"{name}: {what} must be a positive int or a pair of positive ints, got {v!r}") from None
    if len(v) != 2 or not all(isinstance(q, (int, np.integer)) and not isinstance(q, bool) and q >= 1 for q in v):
        raise TypeError(f"{name}: {what} must be a positive int or a pair of positive ints, got {v!r}")
    return tuple(int(q) for q in v)


@composite(2)
def conv2d(x, w, *, stride=1, padding="VALID", dilation=1):
    """2-D convolution (cross-correlation, no kernel flip) of one example.

    ``x: (C, H, W)``, ``w: (O, C, kh, kw)`` ↦ ``y: (O, H', W')`` with (``s`` the stride, ``d`` the
    dilation, ``lo`` the low padding; ``x`` is zero outside its bounds)::

        y[o, i, j] = Σ_c Σ_{p<kh} Σ_{q<kw} w[o, c, p, q] · x[c, i·s₀ + p·d₀ − lo₀, j·s₁ + q·d₁ − lo₁]

    ``H' = ⌊(H + lo + hi − (kh−1)d − 1)/s⌋ + 1``. ``padding`` is ``"VALID"`` (none), ``"SAME"``
    (``H' = ⌈H/s⌉``, as in ``jax.lax``), an int, or ``((lo₀, hi₀), (lo₁, hi₁))``. Lowered to
    ``jax.lax.conv_general_dilated``. An input of rank 4 ``(N, C, H, W)`` is a batch. Use
    ``catgrad.batch`` to batch a per-example model (the kernel stays unbatched and
    ``R`` sums its gradient over the batch inside one convolution).

    ``R[conv2d](x, w, dy) = (dx, dw)``: ``dx`` is the convolution of ``dy`` dilated by ``s`` with
    the spatially flipped kernel (in/out channels swapped), ``dw`` the convolution of ``x`` with
    ``dy`` (dilated by ``s``) as kernel; both are again ``conv`` generators.

    >>> from catgrad import Array, to_jax
    >>> import jax.numpy as jnp
    >>> f = conv2d(Array((1, 3, 3)), Array((1, 1, 2, 2)))
    >>> f.cod
    Ty(f32[1,2,2])
    >>> to_jax(f)(jnp.arange(9.0).reshape(1, 3, 3), jnp.ones((1, 1, 2, 2)))[0]
    Array([[[ 8., 12.],
            [20., 24.]]], dtype=float32)
    """
    name = "conv2d"
    if x.type.ndim not in (3, 4) or w.type.ndim != 4:
        raise TypeError(f"{name}: expects an input (C, H, W) (or a batch (N, C, H, W)) and a kernel (O, C, kh, kw), "
                        f"got {x.type} and {w.type}")
    c_in = x.shape[-3]
    if w.shape[1] != c_in:
        raise TypeError(f"{name}: the input {x.type} has {c_in} channel(s) but the kernel {w.type} (layout O, C, kh, kw) "
                        f"expects {w.shape[1]} (channel mismatch)")
    stride = pair(stride, "stride", name)
    dilation = pair(dilation, "dilation", name)
    spec = "c01,oc01->o01" if x.type.ndim == 3 else "nc01,oc01->no01"
    try:
        return conv(x, w, spec=spec, window_strides=stride, padding=padding, rhs_dilation=dilation)
    except TypeError as e:
        raise TypeError(f"{name}: {e}") from None

__test__ = doctests((conv, reverse))
