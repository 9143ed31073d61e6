"""Layers for sequences, each a Para morphism built from generators.

Per example a sequence is an array ``(T, D)`` (T positions, width D); tokens are int32 ``(T,)``.

- ``embedding(V, D) = (ℝ^{V×D}, (E, i) ↦ E[i])``: a ``gather``; ``R`` is a ``scatter_add``, so the
  gradient of a table row is the sum of the cotangents of the positions that read it;
- ``layer_norm(D) = (ℝ^D × ℝ^D, (γ, β, x) ↦ γ ⊙ (x − μ) / √(σ² + ε) + β)``, ``μ``, ``σ²`` the mean and
  (biased) variance over the last axis [Ba, Kiros & Hinton 2016];
- ``gelu``: ``½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))`` (the tanh form of [Hendrycks & Gimpel 2016],
  ``jax.nn.gelu(approximate=True)``);
- ``pointwise(n, m, σ)``: the same dense layer ``σ(W x + b)`` at every position;
- ``attention(heads, causal)``: multi-head self-attention [Vaswani et al. 2017]: with
  ``q = x W_qᵀ``, ``k = x W_kᵀ``, ``v = x W_vᵀ`` split into ``h`` heads of width ``d = D/h``,
  ``out = concat_h(softmax(q_h k_hᵀ / √d + M) v_h) W_oᵀ`` where the causal mask ``M`` is ``−10⁹``
  above the diagonal (position ``t`` sees ``s ≤ t``) and ``0`` elsewhere (no mask: ``M = 0``);
- ``residual(f) = Δ ; (f ⊗ 1) ; +``: ``x ↦ x + f(x)``, the same parameters as ``f``;
- ``positional("sinusoidal")``: ``x ↦ x + PE`` with ``PE[t, 2j] = sin(t / 10000^{2j/D})``,
  ``PE[t, 2j+1] = cos(t / 10000^{2j/D})`` [Vaswani et al. 2017 §3.5]; ``positional("learned")``:
  ``x ↦ x + P`` with a parameter ``P: (T, D)``;
- ``gru_cell(n, H)``: the GRU cell [Cho et al. 2014]; ``gru(n, H)``: a ``scan`` of it over a sequence;
- ``transformer_block(D, heads)`` (pre-norm, as GPT-2): ``residual(layer_norm ; attention) ;
  residual(layer_norm ; pointwise(D, 4D, gelu) ; pointwise(4D, D))``;
- ``transformer_lm(V, T, D, heads, depth)``: ``embedding ; positional ; block^depth ; layer_norm ;
  pointwise(D, V)``, tokens ``(T,)`` to next-token logits ``(T, V)``.

Layers whose type depends on their input are ``Layer`` objects (applied to a type, or composed after
a typed Para); the parameter record is keyed by layer name, then parameter name.

>>> from catgrad import Array
>>> block = transformer_block(16, heads=4)(Array((8, 16)))
>>> block.dom, block.cod
(Ty(f32[8,16]), Ty(f32[8,16]))
>>> sorted(block.param)
['attention', 'ff1', 'ff2', 'ln1', 'ln2']
"""
from __future__ import annotations

import math
import string

import jax
import jax.numpy as jnp
import numpy as np

from ..core import generators as g
from ..core.diagram import apply, trace
from ..core.indexing import gather
from ..core.scan import scan
from ..core.objects import Array, Ty
from ..para import Para
from . import init as initialisers
from .layers import Layer, one_input
from .stack import LayerLike, stack as stack_layers

MASK = -1e9
"""The additive causal mask value: ``exp(MASK − max)`` is exactly 0 in float32 and float64."""


# -- helpers ---------------------------------------------------------------------------

def ones(key, shape, dtype="float32"):
    """All ones (the key is unused): the initial scale of a normalisation.

    >>> ones(None, (2,)).tolist()
    [1.0, 1.0]
    """
    return jnp.ones(shape, dtype)


def _inits(*triples):
    """An initialiser of several parameters ``(name, init, shape)`` from one key (split in the order given)."""
    fns = [(n, initialisers.get(i), s) for n, i, s in triples]

    def init(key):
        keys = jax.random.split(key, len(fns))
        return {n: fn(k, s) for k, (n, fn, s) in zip(keys, fns)}
    return init


def _float_seq(A: Ty, name: str, ndim: int | None = None) -> Array:
    x = one_input(A, name)
    if not x.is_float or x.ndim < 1 or (ndim is not None and x.ndim != ndim):
        want = f"rank {ndim}" if ndim is not None else "rank ≥ 1"
        raise TypeError(f"{name}: expects one floating-point input of {want} (e.g. a sequence (T, D)), got {A}")
    return x


def _constant(like, t: Array, value):
    """The constant ``value`` of type ``t`` as a wire of the diagram ``like`` is traced in."""
    return apply("constant", into=like.builder, type=t, value=value)


def _mean_last(x):
    """The mean over the last axis, broadcast back to ``x``'s shape."""
    m = g.scale(g.sum(x, axes=(-1,)), 1.0 / x.shape[-1])
    return g.broadcast(m, shape=x.shape, axes=(-1,))


# -- layers ----------------------------------------------------------------------------

def embedding(vocab: int, width: int, init="normal", name: str = "embedding") -> Layer:
    """``(ℝ^{V×D}, (E, i) ↦ E[i])``: int32 tokens ``(*I)`` to vectors ``(*I, D)``; parameter ``{name: {"E"}}``.

    A ``gather`` whose reverse derivative is a ``scatter_add`` (the row gradients summed over the
    positions reading them). ``init`` defaults to N(0, 1) (as ``torch.nn.Embedding``).

    >>> from catgrad import Array
    >>> embedding(10, 4)(Array((6,), "int32")).cod
    Ty(f32[6,4])
    """
    E = Array((vocab, width))

    def build(A: Ty) -> Para:
        i = one_input(A, name)
        if i.dtype != "int32":
            raise TypeError(f"{name}: expects int32 token indices, got {A}")
        return Para.build({"E": E}, lambda p, j: gather(p["E"], j), i, init=_inits(("E", init, E.shape))).named(name)
    return Layer(build, name)


def layer_norm(width: int, eps: float = 1e-5, name: str = "layer_norm") -> Layer:
    """``(γ, β, x) ↦ γ ⊙ (x − μ) / √(σ² + ε) + β`` over the last axis (``μ``, ``σ²`` its mean and
    biased variance); parameters ``{name: {"gamma": ones, "beta": zeros}}`` of shape ``(width,)``.

    >>> from catgrad import Array
    >>> layer_norm(4)(Array((3, 4))).param
    {'layer_norm': {'gamma': Array((4,), 'float32'), 'beta': Array((4,), 'float32')}}
    """
    D = Array((width,))

    def build(A: Ty) -> Para:
        x = _float_seq(A, name)
        if x.shape[-1] != width:
            raise TypeError(f"{name}: normalises a last axis of width {width}, got an input {x}")

        def fn(p, x_):
            c = x_ - _mean_last(x_)
            var = _mean_last(c * c)
            return g.add(g.mul(c / g.sqrt(var + eps), p["gamma"]), p["beta"])
        return Para.build({"gamma": D, "beta": D}, fn, x,
                          init=_inits(("gamma", ones, D.shape), ("beta", "zeros", D.shape))).named(name)
    return Layer(build, name)


def _gelu(x):
    c = math.sqrt(2.0 / math.pi)
    return 0.5 * x * (1.0 + g.tanh(c * (x + 0.044715 * (x * x * x))))


gelu = Layer(lambda A: Para.of(trace(_gelu, _float_seq(A, "gelu"))).named("gelu"), "gelu")
gelu.__doc__ = """GELU, tanh form: ``½ x (1 + tanh(√(2/π)(x + 0.044715 x³)))`` (``jax.nn.gelu(approximate=True)``).

>>> from catgrad import Array, to_jax
>>> import jax.numpy as jnp
>>> round(float(to_jax(gelu(Array(())).map)(jnp.float32(1.0))[0]), 4)
0.8412
"""


def pointwise(n_in: int, n_out: int, activation=None, init="glorot_uniform", name: str = "pointwise") -> Layer:
    """The dense layer ``x ↦ σ(W x + b)`` applied at every position: ``(*L, n) → (*L, m)``;
    parameters ``{name: {"W": (m, n), "b": (m,)}}`` (W as in ``nn.linear``).

    >>> from catgrad import Array
    >>> pointwise(4, 3)(Array((5, 4))).cod
    Ty(f32[5,3])
    """
    W, b = Array((n_out, n_in)), Array((n_out,))

    def build(A: Ty) -> Para:
        x = _float_seq(A, name)
        if x.shape[-1] != n_in:
            raise TypeError(f"{name}: expects a last axis of width {n_in}, got an input {x}")
        lead = string.ascii_lowercase[:x.ndim - 1]
        spec = f"{lead}i,oi->{lead}o"
        p = Para.build({"W": W, "b": b}, lambda q, x_: g.add(g.einsum(spec, x_, q["W"]), q["b"]), x,
                       init=_inits(("W", init, W.shape), ("b", "zeros", b.shape)))
        if activation is not None:
            p = p >> activation
        return p.named(name)
    return Layer(build, name)


def check_heads(width: int, heads: int, name: str = "attention") -> int:
    """The width of one head, ``width / heads``, or a ``TypeError`` naming both when it does not divide.

    >>> check_heads(64, 4)
    16
    >>> check_heads(64, 3)
    Traceback (most recent call last):
    ...
    TypeError: attention: 3 heads do not divide the width 64 (width % heads = 1); choose heads among the divisors of 64
    """
    if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
        raise TypeError(f"{name}: heads must be a positive int, got {heads!r}")
    if width % heads:
        raise TypeError(f"{name}: {heads} heads do not divide the width {width} (width % heads = {width % heads}); "
                        f"choose heads among the divisors of {width}")
    return width // heads


def causal_mask(T: int) -> np.ndarray:
    """``M[t, s] = 0`` if ``s ≤ t`` else ``MASK`` (position ``t`` attends to ``s ≤ t`` only).

    >>> (causal_mask(3) == 0).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    return np.where(np.tril(np.ones((T, T), bool)), 0.0, MASK).astype(np.float32)


def attention(heads: int, causal: bool = False, init="glorot_uniform", name: str = "attention") -> Layer:
    """Multi-head self-attention on ``(T, D)`` (see the module docstring); parameters
    ``{name: {"Wq", "Wk", "Wv", "Wo"}}``, each ``(D, D)``, no biases.

    ``heads`` must divide ``D``; ``causal=True`` lets position ``t`` attend to positions ``s ≤ t`` only.

    >>> from catgrad import Array
    >>> sorted(attention(2, causal=True)(Array((5, 8))).param["attention"])
    ['Wk', 'Wo', 'Wq', 'Wv']
    """
    def build(A: Ty) -> Para:
        x = _float_seq(A, name, ndim=2)
        T, D = x.shape
        d = check_heads(D, heads, name)
        Wt = Array((D, D), x.dtype)

        def fn(p, x_):
            wq, wk, wv, wo = p["Wq"], p["Wk"], p["Wv"], p["Wo"]

            def heads_of(w):
                return g.reshape(g.einsum("ti,oi->to", x_, w), (T, heads, d))
            q, k, v = heads_of(wq), heads_of(wk), heads_of(wv)
            s = g.scale(g.einsum("thd,shd->hts", q, k), 1.0 / math.sqrt(d))
            if causal:
                m = _constant(s, Array((T, T), x.dtype), causal_mask(T))
                s = s + g.broadcast(m, shape=(heads, T, T), axes=(0,))
            a = g.softmax(s, axis=-1)
            o = g.reshape(g.einsum("hts,shd->thd", a, v), (T, D))
            return g.einsum("ti,oi->to", o, wo)

        names = ("Wq", "Wk", "Wv", "Wo")
        return Para.build({w: Wt for w in names}, fn, x, init=_inits(*[(w, init, Wt.shape) for w in names])).named(name)
    return Layer(build, name)


def residual(layer: LayerLike) -> LayerLike:
    """``residual(f) = Δ ; (f ⊗ 1) ; +``: ``(p, x) ↦ x + f(p, x)``, the parameters of ``f``.

    ``f`` must map a type to itself (a Para, or a Layer, giving a Layer).

    >>> from catgrad import Array
    >>> residual(gelu)(Array((3, 4))).cod
    Ty(f32[3,4])
    """
    if isinstance(layer, Layer):
        return Layer(lambda A: residual(layer(A)), f"residual({layer.name})")
    if not isinstance(layer, Para):
        raise TypeError(f"residual: expects a Para or a Layer, got {type(layer).__name__} {layer!r}")
    if layer.dom != layer.cod:
        raise TypeError(f"residual: x + f(x) needs f with equal domain and codomain, got {layer.dom} → {layer.cod}")

    def fn(p, *xs):
        ys = layer(p, *xs)
        ys = ys if isinstance(ys, tuple) else (ys,)
        return tuple(x + y for x, y in zip(xs, ys))

    return Para.build(layer.param, fn, *layer.dom, init=layer.init_fn)


def sinusoids(T: int, D: int) -> np.ndarray:
    """``PE[t, 2j] = sin(t / 10000^{2j/D})``, ``PE[t, 2j+1] = cos(t / 10000^{2j/D})`` (float32 ``(T, D)``).

    >>> sinusoids(2, 2).astype(float).round(4).tolist()
    [[0.0, 1.0], [0.8415, 0.5403]]
    """
    t = np.arange(T)[:, None]
    j = np.arange(D)[None, :]
    angle = t / np.power(10000.0, (j - j % 2) / D)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32)


def positional(kind: str = "sinusoidal", init=initialisers.normal(0.02), name: str = "positional") -> Layer:
    """Positional encodings added to a sequence ``(T, D)``: ``x ↦ x + PE`` (``"sinusoidal"``, no parameter)
    or ``x ↦ x + P`` (``"learned"``, parameter ``{name: {"P": (T, D)}}``, N(0, 0.02²) by default).

    >>> from catgrad import Array
    >>> positional("learned")(Array((6, 4))).param
    {'positional': {'P': Array((6, 4), 'float32')}}
    """
    if kind not in ("sinusoidal", "learned"):
        raise ValueError(f"positional: kind must be 'sinusoidal' or 'learned', got {kind!r}")

    def build(A: Ty) -> Para:
        x = _float_seq(A, name, ndim=2)
        if kind == "sinusoidal":
            pe = sinusoids(*x.shape).astype(x.dtype)
            return Para.of(trace(lambda x_: x_ + _constant(x_, x, pe), x)).named(name)
        return Para.build({"P": x}, lambda p, x_: x_ + p["P"], x, init=_inits(("P", init, x.shape))).named(name)
    return Layer(build, name)


def transformer_block(width: int, heads: int, hidden: int | None = None, causal: bool = True) -> Layer:
    """A pre-norm transformer block on ``(T, width)``:
    ``residual(layer_norm ; attention) ; residual(layer_norm ; pointwise(width, hidden, gelu) ; pointwise(hidden, width))``.

    ``hidden`` defaults to ``4·width``; parameters are named ``ln1``, ``attention``, ``ln2``, ``ff1``, ``ff2``.

    >>> from catgrad import Array
    >>> transformer_block(8, heads=2, hidden=16)(Array((3, 8))).param["ln2"]["gamma"]
    Array((8,), 'float32')
    """
    check_heads(width, heads)
    hidden = 4 * width if hidden is None else hidden
    attn = residual(layer_norm(width, name="ln1") >> attention(heads, causal))
    mlp = residual(layer_norm(width, name="ln2") >> pointwise(width, hidden, gelu, name="ff1")
                   >> pointwise(hidden, width, name="ff2"))
    return attn >> mlp


def transformer_lm(vocab: int, context: int, width: int, heads: int, depth: int, hidden: int | None = None,
                   pos: str = "learned", stack: bool = False) -> Para:
    """A decoder-only character (or token) language model: int32 tokens ``(context,)`` to next-token
    logits ``(context, vocab)``:
    ``embedding ; positional ; block₀ ; … ; block_{depth−1} ; layer_norm ; pointwise(width, vocab)``.

    Blocks are ``transformer_block(width, heads, hidden, causal=True)``, their parameters under
    ``block0``, ``block1``, …; with ``stack=True`` they are one ``nn.stack`` (a scan over depth, the
    diagram holding one block), their parameters under ``blocks`` with a leading axis ``depth``.

    >>> m = transformer_lm(vocab=12, context=8, width=16, heads=2, depth=2)
    >>> m.dom, m.cod
    (Ty(i32[8]), Ty(f32[8,12]))
    """
    check_heads(width, heads)
    A = Array((context,), "int32")
    X = Array((context, width))
    p = (embedding(vocab, width) >> positional(pos))(A)
    if stack:
        p = p >> stack_layers(transformer_block(width, heads, hidden)(X), depth, name="stack").named("blocks")
    else:
        for k in range(depth):
            p = p >> transformer_block(width, heads, hidden)(X).named(f"block{k}")
    return p >> layer_norm(width, name="ln_f") >> pointwise(width, vocab, name="head")


GRU_GATES = ("z", "r", "h")


def gru_cell(n_in: int, n_hidden: int, init="glorot_uniform", name: str = "gru") -> Para:
    """The GRU cell [Cho et al. 2014] as a Para ``(P, (p, h, x) ↦ h')`` on a hidden state ``h: (H,)`` and an
    input ``x: (n,)``::

        z = σ(W_z x + U_z h + b_z),   r = σ(W_r x + U_r h + b_r),
        ĥ = tanh(W_h x + U_h (r ⊙ h) + b_h),   h' = (1 − z) ⊙ h + z ⊙ ĥ

    parameters ``{name: {"Wz", "Uz", "bz", "Wr", "Ur", "br", "Wh", "Uh", "bh"}}`` (W: (H, n), U: (H, H), b: (H,)).

    >>> gru_cell(3, 5).dom
    Ty(f32[5], f32[3])
    """
    H = n_hidden
    W, U, b = Array((H, n_in)), Array((H, H)), Array((H,))

    def fn(p, h, x):
        def gate(k, h_):
            return g.matmul(p[f"W{k}"], x) + g.matmul(p[f"U{k}"], h_) + p[f"b{k}"]
        z = g.sigmoid(gate("z", h))
        r = g.sigmoid(gate("r", h))
        h_new = g.tanh(gate("h", r * h))
        return (1.0 - z) * h + z * h_new

    inits = [q for k in GRU_GATES for q in ((f"W{k}", init, W), (f"U{k}", init, U), (f"b{k}", "zeros", b))]
    return Para.build({n: t for n, _, t in inits}, fn, b, Array((n_in,)),
                      init=_inits(*((n, i, t.shape) for n, i, t in inits))).named(name)


def gru(n_in: int, n_hidden: int, return_sequences: bool = False, init="glorot_uniform", name: str = "gru") -> Layer:
    """A GRU over a sequence ``(T, n_in)``: ``scan`` of ``gru_cell`` from ``h₀ = 0`` with the parameters as
    the scan's constants (so ``R`` sums their gradients over time); the last state ``h_T: (H,)``, or all
    states ``(T, H)`` with ``return_sequences``.

    >>> from catgrad import Array
    >>> gru(1, 8)(Array((10, 1))).cod
    Ty(f32[8])
    """
    def build(A: Ty) -> Para:
        x = _float_seq(A, name, ndim=2)
        if x.shape[1] != n_in:
            raise TypeError(f"{name}: expects steps of width {n_in}, got an input {x}")
        cell = gru_cell(n_in, n_hidden, init, name)

        def step(*ws):  # (k, h_t, x_t) ↦ h_{t+1}, also the step's output with return_sequences
            h = cell.map(*ws)
            return (h, h) if return_sequences else h
        loop = Para(cell.param, scan(trace(step, cell.map.dom), x.shape[0], consts=len(cell.wires)))
        H = Array((n_hidden,), x.dtype)

        def fn(p, xs):
            out = loop(p, _constant(xs, H, 0.0), xs)
            return out[1] if return_sequences else out
        return Para.build(cell.param, fn, x, init=cell.init_fn).scoped(name)
    return Layer(build, name)


__all__ = ["embedding", "layer_norm", "gelu", "pointwise", "attention", "residual", "positional", "sinusoids",
           "causal_mask", "check_heads", "transformer_block", "transformer_lm", "MASK", "gru_cell", "gru"]
