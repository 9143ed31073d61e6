"""``scan``: a loop as one operation whose attribute is a diagram, its body.

For a body ``b: K × C × X → C × Y`` (``K`` constants, ``C`` the carry, ``X`` one step's input, ``Y``
one step's output) and a length ``n``, ``scan(b, n): K × C × Xⁿ → C × Yⁿ`` runs ``b`` along the
leading axis of the stacked inputs, as ``jax.lax.scan`` does::

    c₀ = c,   (c_{t+1}, y_t) = b(k, c_t, x_t)   for t = 0 … n−1,   scan(b, n)(k, c, x) = (c_n, y)

(``reverse=True`` runs ``t = n−1 … 0``; ``y_t`` is stored at ``t`` either way).

Its meanings come from its body's, through the one interpreter: JAX is ``lax.scan`` of the body's
JAX function, sympy unrolls the loop (small ``n``). Its reverse derivative is again a diagram made
of two scans, built from ``R[b]: K × C × X × C × Y → K × C × X``:

1. a forward scan of ``b`` that also emits each step's incoming carry, ``c_t`` (what ``R[b]`` needs
   besides the inputs it is given again): ``cs = (c₀, …, c_{n−1})``;
2. a scan in the opposite direction of ``R[b]``, carrying ``(dk, dc)`` from ``(0, dc_n)``:
   ``(dk_t, dc_t, dx_t) = R[b](k, c_t, x_t, dc_{t+1}, dy_t)``, ``dk ← dk + dk_t``; it returns
   ``(dk, dc₀, dx)``, where ``dk = Σ_t dk_t`` (a constant is a copy shared by the steps, so its R sums).

So ``R[scan]``, ``R[R[scan]]``, batching and the learner work on it unchanged; integer wires
(indices) get no cotangent. Batching batches the body: the carries and step outputs always carry the
batch axis, batched stacked inputs are transposed to put the loop axis first, constants stay shared.

>>> from catgrad import Array, trace, tanh, to_jax
>>> import jax.numpy as jnp
>>> A = Array((2,))
>>> rnn = trace(lambda h, x: (tanh(h + x), h), A, A)          # carry h, input x, output the old h
>>> s = scan(rnn, 3)
>>> s.dom, s.cod
(Ty(f32[2], f32[3,2]), Ty(f32[2], f32[3,2]))
>>> h, hs = to_jax(s)(jnp.zeros(2), jnp.ones((3, 2)))
>>> hs[:, 0].tolist() == [0.0, float(jnp.tanh(1.0)), float(jnp.tanh(1 + jnp.tanh(1.0)))]
True
"""
from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np

from .. import errors
from .diagram import Diagram, Wire, apply, trace, wiring
from .generators import transpose, zero
from .objects import Array, Ty
from .signature import Generator, declare


def stacked(t: Array, n: int) -> Array:
    """``t`` with a leading axis of ``n`` (one entry per step)."""
    return t.with_shape((n, *t.shape))


def _fail(dom, why):
    raise TypeError(errors.type_rule("scan", dom, why))


def _parts(body: Diagram, consts: int, carry: int) -> tuple:
    """``(K, C, X, Y)``: the body's constants, carry, step input and step output types."""
    d, c = body.dom, body.cod
    return d[:consts], d[consts:consts + carry], d[consts + carry:], c[carry:]


def _count(name, v, lo, dom):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        _fail(dom, f"{name} must be an int ≥ {lo}, got {v!r}")
    return int(v)


def _canon(dom, body, length, consts=0, carry=1, reverse=False):
    if not isinstance(body, Diagram):
        _fail(dom, f"the body must be a Diagram (C × X → C × Y), got {type(body).__name__} {body!r}")
    length = _count("the length", length, 1, dom)
    consts, carry = _count("consts", consts, 0, dom), _count("carry", carry, 0, dom)
    if not isinstance(reverse, bool):
        _fail(dom, f"reverse must be a bool, got {reverse!r}")
    return {"body": body, "length": length, "consts": consts, "carry": carry, "reverse": reverse}


def _typing(dom, body, length, consts, carry, reverse):
    if consts + carry > len(body.dom) or carry > len(body.cod):
        _fail(dom, f"the body {body.dom} → {body.cod} has too few wires for {consts} constant(s) and a carry of "
                   f"{carry} wire(s)")
    K, C, X, Y = _parts(body, consts, carry)
    C_out = body.cod[:carry]
    if C_out != C:
        _fail(dom, f"the body's carry types do not match: it takes the carry {C} and returns {C_out} in its "
                   f"place (its first {carry} output(s)); a scan needs a body C × X → C × Y")
    want = K @ C @ Ty(*(stacked(x, length) for x in X))
    if len(dom) != len(want):
        _fail(dom, f"expects {len(want)} input wire(s) ({want}), got {len(dom)}")
    for i, (got, w) in enumerate(zip(dom, want)):
        if got == w:
            continue
        if i >= consts + carry and got.ndim >= 1 and got.with_shape(got.shape[1:]) == X[i - consts - carry]:
            _fail(dom, f"the scan length is {length} but the stacked input {i} ({got}) has {got.shape[0]} steps")
        _fail(dom, f"input {i} should have type {w}, got {got}")
    return C @ Ty(*(stacked(y, length) for y in Y))


def _split(seq, sizes):
    out, k = [], 0
    for s in sizes:
        out.append(tuple(seq[k:k + s]))
        k += s
    return out


def _jax_scan(*arrays, body, length, consts, carry, reverse, interpret):
    k, c, xs = _split(arrays, [consts, carry, len(arrays) - consts - carry])

    def step(c_, x_):
        out = interpret(body, [*k, *c_, *x_])
        return tuple(out[:carry]), tuple(out[carry:])

    c, ys = jax.lax.scan(step, c, xs, length=length, reverse=reverse)
    return _result((*c, *ys))


def _unrolled(*arrays, body, length, consts, carry, reverse, interpret):
    """The loop unrolled on object arrays (the sympy meaning)."""
    k, c, xs = _split(arrays, [consts, carry, len(arrays) - consts - carry])
    steps = [None] * length
    for t in (reversed(range(length)) if reverse else range(length)):
        out = interpret(body, [*k, *c, *(np.asarray(x, dtype=object)[t] for x in xs)])
        c, steps[t] = tuple(out[:carry]), tuple(out[carry:])
    ys = [np.stack([np.asarray(steps[t][j], dtype=object) for t in range(length)]) for j in range(len(body.cod) - carry)]
    return _result((*c, *ys))


def _result(outs: tuple):
    """A meaning's result: one output bare, several as a tuple (as the interpreter reads them)."""
    return outs[0] if len(outs) == 1 else outs


def _outputs(res) -> tuple:
    return res if isinstance(res, tuple) else (res,)


def _rdiff_scan(*ws, body, length, consts, carry, reverse, rdiff):
    K, C, X, Y = _parts(body, consts, carry)
    nK, nC, nX, nY = len(K), len(C), len(X), len(Y)
    k, c0, xs, dcn, dys = _split(ws, [nK, nC, nX, nC, nY])
    fk = [i for i, t in enumerate(K) if t.is_float]  # constants with a cotangent (integers have none)

    # 1. the forward scan, emitting each step's incoming carry
    cs = ()
    if nC:
        store = trace(lambda *a: (*_outputs(body(*a))[:nC], *a[nK:nK + nC]), body.dom).simplify()
        cs = _outputs(apply(scan, *k, *c0, *xs, body=store, length=length, consts=nK, carry=nC, reverse=reverse))[nC:]

    # 2. the scan of R[body] the other way, carrying (dk, dc)
    rb = rdiff(body)

    def back(*a):
        kk, acc, dc, ct, xt, dyt = _split(a, [nK, len(fk), nC, nC, nX, nY])
        g = _outputs(rb(*kk, *ct, *xt, *dc, *dyt))
        dk, dc_prev, dx = _split(g, [nK, nC, nX])
        return (*(a_ + dk[i] for a_, i in zip(acc, fk)), *dc_prev, *(dx[i] for i, t in enumerate(X) if t.is_float))

    back_body = trace(back, K @ Ty(*(K[i] for i in fk)) @ C @ C @ X @ Y).simplify()
    anchor = ws[0]
    zeros = [apply(zero, into=anchor.builder, type=K[i]) for i in fk]
    outs = _outputs(apply(scan, *k, *zeros, *dcn, *cs, *xs, *dys, body=back_body, length=length, consts=nK,
                          carry=len(fk) + nC, reverse=not reverse))
    dk, dc0, dxs = _split(outs, [len(fk), nC, len(outs) - len(fk) - nC])
    dk, dxs = iter(dk), iter(dxs)
    return ([next(dk) if t.is_float else None for t in K] + [d if t.is_float else None for d, t in zip(dc0, C)]
            + [next(dxs) if t.is_float else None for t in X])


def _swap01(w: Wire) -> Wire:
    return transpose(w, perm=(1, 0, *range(2, w.type.ndim)))


def _batch_scan(flags, n, dom, body, length, consts, carry, reverse, batch):
    """``batch(scan(b)) = (transpose the batched stacked inputs) ; scan(batch(b)) ; (transpose the outputs)``,
    the carry broadcast where it comes unbatched (the batched body's outputs are all batched)."""
    K, C, X, Y = _parts(body, consts, carry)
    kf, cf, xf = _split(flags, [len(K), len(C), len(X)])
    bb = batch(body, n, [*kf, *([True] * len(C)), *xf])

    def form(*ws):
        k, c, xs = _split(ws, [len(K), len(C), len(X)])
        c = [w if f else apply("broadcast", w, shape=(n, *w.shape), axes=(-(w.type.ndim + 1),))
             for w, f in zip(c, cf)]
        xs = [_swap01(w) if f else w for w, f in zip(xs, xf)]
        outs = _outputs(apply(scan, *k, *c, *xs, body=bb, length=length, consts=len(K), carry=len(C),
                              reverse=reverse))
        return (*outs[:len(C)], *(_swap01(y) for y in outs[len(C):]))

    in_types = Ty(*(stacked(t, n) if f else t for t, f in zip(dom, flags)))
    return trace(form, in_types), (True,) * (len(C) + len(Y))


@dataclass(frozen=True, eq=False, kw_only=True)
class Loop(Generator):
    """The record of a higher-order generator whose attribute is a diagram: called with the body first
    (``scan(body, n)``, or ``scan(body, *wires)`` inside ``trace``) instead of with types."""

    def __call__(self, body: Diagram, *args, carry: int = 1, consts: int = 0, reverse: bool = False,
                 length: int | None = None):
        return _apply_scan(self, body, args, carry, consts, reverse, length)

    def fuse(self, a: dict, b: dict):
        """The attributes of one loop doing what the loops ``a`` and ``b`` on the same inputs do, or None: their
        bodies must update the carry alike (after ``simplify``); the fused body returns ``(C, Y_a, Y_b)``."""
        if {**a, "body": None} != {**b, "body": None} or a["body"].dom != b["body"].dom:
            return None
        nC = a["carry"]

        def both(*w):
            ya, yb = _outputs(a["body"](*w)), _outputs(b["body"](*w))
            return (*ya, *yb[nC:], *yb[:nC])
        d = trace(both, a["body"].dom).simplify()
        n = len(d.cod_wires) - nC
        if d.cod_wires[:nC] != d.cod_wires[n:]:
            return None
        return {**a, "body": (d >> wiring(d.cod, list(range(n)))).simplify()}


def _apply_scan(gen, body, args, carry, consts, reverse, length):
    """``scan(body, n)`` (the one-operation diagram) or ``scan(body, *wires)`` (on wires, the length read
    off the stacked inputs unless given)."""
    if not isinstance(body, Diagram):
        raise TypeError(f"scan: the body must be a Diagram K × C × X → C × Y, got {type(body).__name__} {body!r}")
    if args and all(isinstance(a, Wire) for a in args):
        if length is None:
            if len(args) - consts - carry < 1:
                raise TypeError("scan: with no stacked inputs the length cannot be read off the wires; "
                                "give it: scan(body, *wires, length=n)")
            first = args[consts + carry]
            if first.type.ndim < 1:
                raise TypeError(f"scan: the stacked input {consts + carry} ({first.type}) has no leading axis to scan")
            length = first.type.shape[0]
        return apply(gen, *args, body=body, length=length, consts=consts, carry=carry, reverse=reverse)
    if len(args) == 1 and isinstance(args[0], (int, np.integer)) and not isinstance(args[0], bool):
        if length is not None and length != args[0]:
            raise TypeError(f"scan: two lengths given, {args[0]} and length={length}")
        length = int(args[0])
    elif args or length is None:
        raise TypeError(f"scan: expects scan(body, n) or, inside trace, scan(body, *wires); got {args!r}")
    if consts + carry > len(body.dom):
        raise TypeError(errors.type_rule("scan", body.dom, f"the body has {len(body.dom)} input(s), fewer than "
                                         f"{consts} constant(s) and a carry of {carry}"))
    K, C, X, _ = _parts(body, consts, carry)
    return apply(gen, K @ C @ Ty(*(stacked(x, length) for x in X)), body=body, length=length, consts=consts,
                 carry=carry, reverse=reverse)


scan = declare(Loop(
    name="scan", typing=_typing, jax=_jax_scan, sympy=_unrolled, rdiff=_rdiff_scan, batch=_batch_scan,
    batch_all=False, canon=_canon, arity=None, label="scan",
    summary="A loop: scan(body, n) runs body: K × C × X → C × Y (K constants, C the carry, X a step's input, "
            "Y a step's output) along the leading axis of the stacked inputs, as jax.lax.scan. Called with "
            "the body: scan(body, n) is the one-operation diagram; inside trace, scan(body, *wires) applies it "
            "(the length read off the stacked inputs, or given as length=). carry and consts count the body's "
            "carry wires (after the constants) and constants; reverse=True runs t = n−1 … 0. A body whose carry "
            "outputs differ from its carry inputs, or a length that disagrees with a stacked input, raises a "
            "TypeError naming both.",
    signature="K × C × Xⁿ → C × Yⁿ for a body K × C × X → C × Y",
    formula="(c_{t+1}, y_t) = body(k, c_t, x_t), t = 0…n−1; scan(k, c_0, x) = (c_n, y)",
    rdiff_formula="R[scan] = a forward scan emitting the carries c_t ; a reverse scan of R[body] carrying "
                  "(Σ dk, dc) from (0, dc_n)",
    example=">>> from catgrad import Array, trace\n>>> A = Array((3,))\n"
            ">>> cumsum = trace(lambda c, x: (c + x, c + x), A, A)\n>>> scan(cumsum, 5).dom\nTy(f32[3], f32[5,3])",
    notes="scan is higher-order: its meanings, R and batching are built from its body's (the functors hand "
          "themselves to its rules).",
))


__all__ = ["scan", "Loop", "stacked"]
