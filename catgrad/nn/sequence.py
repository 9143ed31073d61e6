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
  ``out = concat_h(softmax(mask(q_h k_hᵀ / √d)) v_h) W_oᵀ`` where the causal ``mask`` is a selection
  keeping the scores at ``s ≤ t`` and putting ``−∞`` above the diagonal (so position ``t`` gives weight
  exactly 0 to every ``s > t``, at any score); with ``bias=True`` each projection has a bias
  (``x W_qᵀ + b_q``, …, as GPT-2's ``c_attn`` and ``c_proj``);
- ``residual(f) = Δ ; (f ⊗ 1) ; +``: ``x ↦ x + f(x)``, the same parameters as ``f``;
- ``positional("sinusoidal")``: ``x ↦ x + PE`` with ``PE[t, 2j] = sin(t / 10000^{2j/D})``,
  ``PE[t, 2j+1] = cos(t / 10000^{2j/D})`` [Vaswani et al. 2017 §3.5]; ``positional("learned")``:
  ``x ↦ x + P`` with a parameter ``P: (T, D)``;
- ``gru_cell(n, H, reset_after)``: the GRU cell, with the reset gate applied before ``U_h`` [Cho et al.
  2014] or after it (PyTorch, cuDNN, flax); ``gru(n, H)``: a ``scan`` of it over a sequence;
- ``transformer_block(D, heads)`` (pre-norm, GPT-2's layout [Radford et al. 2019]): ``residual(layer_norm ;
  attention) ; residual(layer_norm ; pointwise(D, 4D, gelu) ; pointwise(4D, D))``; ``bias=True`` gives
  the attention its biases, which makes it GPT-2's block;
- ``transformer_lm(V, T, D, heads, depth)``: ``embedding ; positional ; block^depth ; layer_norm ;
  pointwise(D, V)``, tokens ``(T,)`` to next-token logits ``(T, V)``; ``tied=True`` reads the logits off
  the embedding table instead (``h Eᵀ``, no bias, GPT-2's tied output head).

Layers whose type depends on their input are ``Layer`` objects (applied to a type, or composed after
a typed Para); every parameter is named ``(layer name, parameter)``.

>>> from catgrad import Array
>>> block = transformer_block(16, heads=4)(Array((8, 16)))
>>> block.dom, block.cod
(Ty(f32[8,16]), Ty(f32[8,16]))
>>> sorted({n[0] for n in block.names})
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
from ..core.select import select
from ..core.objects import Array, Ty
from ..para import Para
from . import init as initialisers
from .layers import Layer, _one
from .stack import LayerLike, stack as stack_layers

MASK = -np.inf
"""The score a causal mask selects above the diagonal: ``exp(−∞ − max) = 0`` exactly, at any score."""


# -- helpers ---------------------------------------------------------------------------

def rename(p: Para, name: str) -> Para:
    """``p`` as one layer ``name``: every parameter path prefixed by ``name``, its operations in the scope ``name``.

    >>> from catgrad import Array
    >>> rename(layer_norm(4)(Array((2, 4))), "block0").names
    (('block0', 'layer_norm', 'gamma'), ('block0', 'layer_norm', 'beta'))
    """
    return Para(p.param, p.map, [(name, *n) for n in p.names], p.init_fn).named(name)


def _named(p: Para, names) -> Para:
    return Para(p.param, p.map, names, p.init_fn)


def ones(key, shape, dtype="float32"):
    """All ones (the key is unused): the initial scale of a normalisation.

    >>> ones(None, (2,)).tolist()
    [1.0, 1.0]
    """
    return jnp.ones(shape, dtype)


def _inits(*pairs):
    """An initialiser of several parameters ``(init, shape)`` from one key."""
    fns = [(initialisers.get(i), s) for i, s in pairs]

    def init(key):
        keys = jax.random.split(key, len(fns))
        return tuple(fn(k, s) for k, (fn, s) in zip(keys, fns))
    return init


def _float_seq(A: Ty, name: str, ndim: int | None = None) -> Array:
    x = _one(A, name)
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
        i = _one(A, name)
        if i.dtype != "int32":
            raise TypeError(f"{name}: expects int32 token indices, got {A}")
        return Para(E, trace(lambda e, j: gather(e, j), E, i), [(name, "E")], _inits((init, E.shape))).named(name)
    return Layer(build, name)


def layer_norm(width: int, eps: float = 1e-5, name: str = "layer_norm") -> Layer:
    """``(γ, β, x) ↦ γ ⊙ (x − μ) / √(σ² + ε) + β`` over the last axis (``μ``, ``σ²`` its mean and
    biased variance); parameters ``{name: {"gamma": ones, "beta": zeros}}`` of shape ``(width,)``.

    >>> from catgrad import Array
    >>> layer_norm(4)(Array((3, 4))).param
    Ty(f32[4], f32[4])
    """
    D = Array((width,))

    def build(A: Ty) -> Para:
        x = _float_seq(A, name)
        if x.shape[-1] != width:
            raise TypeError(f"{name}: normalises a last axis of width {width}, got an input {x}")

        def fn(gamma, beta, x_):
            c = x_ - _mean_last(x_)
            var = _mean_last(c * c)
            return g.add(g.mul(c / g.sqrt(var + eps), gamma), beta)
        return Para(D @ D, trace(fn, D, D, x), [(name, "gamma"), (name, "beta")],
                    _inits((ones, D.shape), ("zeros", D.shape))).named(name)
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
        p = Para(W @ b, trace(lambda w, b_, x_: g.add(g.einsum(spec, x_, w), b_), W, b, x), [(name, "W"), (name, "b")],
                 _inits((init, W.shape), ("zeros", b.shape)))
        if activation is not None:
            p = _named(p >> activation, p.names)
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
    """``C[t, s] = (s ≤ t)``: the bool mask of the positions ``s`` that position ``t`` attends to.

    >>> causal_mask(3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    return np.tril(np.ones((T, T), bool))


def attention(heads: int, causal: bool = False, init="glorot_uniform", name: str = "attention",
              bias: bool = False) -> Layer:
    """Multi-head self-attention on ``(T, D)`` (see the module docstring); parameters
    ``{name: {"Wq", "Wk", "Wv", "Wo"}}``, each ``(D, D)``, and with ``bias=True`` also ``"bq", "bk", "bv", "bo"``,
    each ``(D,)`` and zero at initialisation (wire order ``Wq, Wk, Wv, Wo, bq, bk, bv, bo``).

    ``heads`` must divide ``D``; ``causal=True`` lets position ``t`` attend to positions ``s ≤ t`` only:
    the other scores are replaced by ``MASK = −∞`` by a ``select`` (not added to a finite mask), so their
    weight is exactly 0 whatever the scores.

    >>> from catgrad import Array
    >>> attention(2, causal=True)(Array((5, 8))).param
    Ty(f32[8,8], f32[8,8], f32[8,8], f32[8,8])
    >>> attention(2, bias=True)(Array((5, 8))).param[4:]
    Ty(f32[8], f32[8], f32[8], f32[8])
    """
    def build(A: Ty) -> Para:
        x = _float_seq(A, name, ndim=2)
        T, D = x.shape
        d = check_heads(D, heads, name)
        Wt, bt = Array((D, D), x.dtype), Array((D,), x.dtype)

        def fn(*ws):
            (wq, wk, wv, wo), bs, x_ = ws[:4], ws[4:-1], ws[-1]
            bq, bk, bv, bo = bs if bias else (None,) * 4

            def project(y, w, b):
                z = g.einsum("ti,oi->to", y, w)
                return z if b is None else g.add(z, b)

            def heads_of(w, b):
                return g.reshape(project(x_, w, b), (T, heads, d))
            q, k, v = heads_of(wq, bq), heads_of(wk, bk), heads_of(wv, bv)
            s = g.scale(g.einsum("thd,shd->hts", q, k), 1.0 / math.sqrt(d))
            if causal:
                keep = _constant(s, Array((T, T), "bool"), causal_mask(T))
                s = select(g.broadcast(keep, shape=(heads, T, T), axes=(0,)), s,
                           _constant(s, s.type, MASK))
            a = g.softmax(s, axis=-1)
            o = g.reshape(g.einsum("hts,shd->thd", a, v), (T, D))
            return project(o, wo, bo)

        weights = ("Wq", "Wk", "Wv", "Wo") + (("bq", "bk", "bv", "bo") if bias else ())
        types = Ty(Wt, Wt, Wt, Wt, *([bt] * 4 if bias else []))
        inits = [(init, Wt.shape)] * 4 + [("zeros", bt.shape)] * (4 if bias else 0)
        return Para(types, trace(fn, types @ x), [(name, w) for w in weights], _inits(*inits)).named(name)
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
    nP = len(layer.param)

    def fn(*ws):
        ps, xs = ws[:nP], ws[nP:]
        ys = layer.map(*ps, *xs)
        ys = ys if isinstance(ys, tuple) else (ys,)
        out = tuple(x + y for x, y in zip(xs, ys))
        return out[0] if len(out) == 1 else out

    return Para(layer.param, trace(fn, layer.param @ layer.dom), layer.names, layer.init_fn)


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
    Ty(f32[6,4])
    """
    if kind not in ("sinusoidal", "learned"):
        raise ValueError(f"positional: kind must be 'sinusoidal' or 'learned', got {kind!r}")

    def build(A: Ty) -> Para:
        x = _float_seq(A, name, ndim=2)
        if kind == "sinusoidal":
            pe = sinusoids(*x.shape).astype(x.dtype)
            return Para.of(trace(lambda x_: x_ + _constant(x_, x, pe), x)).named(name)
        return Para(x, trace(lambda p, x_: x_ + p, x, x), [(name, "P")], _inits((init, x.shape))).named(name)
    return Layer(build, name)


def transformer_block(width: int, heads: int, hidden: int | None = None, causal: bool = True,
                      bias: bool = False) -> Layer:
    """A pre-norm transformer block on ``(T, width)``:
    ``residual(layer_norm ; attention) ; residual(layer_norm ; pointwise(width, hidden, gelu) ; pointwise(hidden, width))``.

    ``hidden`` defaults to ``4·width``; parameters are named ``ln1``, ``attention``, ``ln2``, ``ff1``, ``ff2``.
    With ``bias=True`` the attention has biases (``attention(heads, causal, bias=True)``) and the block is
    GPT-2's [Radford et al. 2019]: layer norms with ε = 10⁻⁵, the tanh form of GELU, biased projections.

    >>> from catgrad import Array
    >>> transformer_block(8, heads=2, hidden=16)(Array((3, 8))).param[-2:]
    Ty(f32[8], f32[8])
    """
    check_heads(width, heads)
    hidden = 4 * width if hidden is None else hidden
    attn = residual(layer_norm(width, name="ln1") >> attention(heads, causal, bias=bias))
    mlp = residual(layer_norm(width, name="ln2") >> pointwise(width, hidden, gelu, name="ff1")
                   >> pointwise(hidden, width, name="ff2"))
    return attn >> mlp


def transformer_lm(vocab: int, context: int, width: int, heads: int, depth: int, hidden: int | None = None,
                   pos: str = "learned", stack: bool = False, bias: bool = False, tied: bool = False) -> Para:
    """A decoder-only character (or token) language model: int32 tokens ``(context,)`` to next-token
    logits ``(context, vocab)``:
    ``embedding ; positional ; block₀ ; … ; block_{depth−1} ; layer_norm ; pointwise(width, vocab)``.

    Blocks are ``transformer_block(width, heads, hidden, causal=True, bias=bias)``, their parameters under
    ``block0``, ``block1``, …; with ``stack=True`` they are one ``nn.stack`` (a scan over depth, the
    diagram holding one block), their parameters under ``blocks`` with a leading axis ``depth``.
    With ``tied=True`` the output head is the embedding table itself, ``logits = h Eᵀ`` (no head
    parameters, no bias); ``bias=True, tied=True, pos="learned"`` is GPT-2 [Radford et al. 2019].

    >>> m = transformer_lm(vocab=12, context=8, width=16, heads=2, depth=2)
    >>> m.dom, m.cod
    (Ty(i32[8]), Ty(f32[8,12]))
    >>> gpt2 = transformer_lm(12, 8, 16, 2, 1, bias=True, tied=True)
    >>> gpt2.names[:2]
    (('embedding', 'E'), ('ln_f', 'gamma'))
    """
    check_heads(width, heads)
    A = Array((context,), "int32")
    X = Array((context, width))
    p = positional(pos)(X)
    block = transformer_block(width, heads, hidden, bias=bias)
    if stack:
        p = p >> rename(stack_layers(block(X), depth, name="stack"), "blocks")
    else:
        for k in range(depth):
            p = p >> rename(block(X), f"block{k}")
    p = p >> layer_norm(width, name="ln_f")
    if tied:
        return _tied_head(embedding(vocab, width)(A), p)
    return embedding(vocab, width)(A) >> p >> pointwise(width, vocab, name="head")


def _tied_head(emb: Para, body: Para) -> Para:
    """``(E, θ, i) ↦ body(θ, E[i]) Eᵀ``: the embedding table read again as the output head (weight tying)."""
    nB = len(body.param)

    def fn(e, *ws):
        h = body.map(*ws[:nB], gather(e, ws[nB]))
        return g.einsum("td,vd->tv", h, e)

    def init(key):
        k1, k2 = jax.random.split(key)
        return tuple(emb.init_fn(k1)) + tuple(body.init_fn(k2))
    return Para(emb.param @ body.param, trace(fn, emb.param @ body.param @ emb.dom),
                [*emb.names, *body.names], init)


GRU_GATES = ("z", "r", "h")


def gru_cell(n_in: int, n_hidden: int, init="glorot_uniform", name: str = "gru", reset_after: bool = False) -> Para:
    """The GRU cell as a Para ``(P, (p, h, x) ↦ h')`` on a hidden state ``h: (H,)`` and an input ``x: (n,)``.

    Two published cells differ in where the reset gate acts. ``reset_after=False`` (the default) applies it
    *before* ``U_h``, as in [Cho et al. 2014, eq. 8]::

        z = σ(W_z x + U_z h + b_z),   r = σ(W_r x + U_r h + b_r),
        ĥ = tanh(W_h x + U_h (r ⊙ h) + b_h),   h' = (1 − z) ⊙ h + z ⊙ ĥ

    with the update written as in [Chung et al. 2014, eq. 5] (Cho et al.'s eq. 7 is ``h' = z ⊙ h + (1 − z) ⊙ ĥ``:
    the same cell with ``W_z, U_z, b_z`` negated, as ``σ(−a) = 1 − σ(a)``). ``reset_after=True`` is the cell
    of PyTorch's ``nn.GRU``, cuDNN, flax's ``GRUCell`` and Keras's default: the reset gate *after* ``U_h``,
    which has its own bias ``b_hn``, and their update convention::

        ĥ = tanh(W_h x + b_h + r ⊙ (U_h h + b_hn)),   h' = z ⊙ h + (1 − z) ⊙ ĥ

    so PyTorch's weights load as they are: ``W_z, W_r, W_h = W_iz, W_ir, W_in``, ``U_z, U_r, U_h = W_hz, W_hr,
    W_hn``, ``b_z = b_iz + b_hz``, ``b_r = b_ir + b_hr``, ``b_h = b_in``, ``b_hn = b_hn``.

    Parameters ``{name: {"Wz", "Uz", "bz", "Wr", "Ur", "br", "Wh", "Uh", "bh"}}`` (W: (H, n), U: (H, H), b: (H,)),
    and ``"bhn"`` (H,) last with ``reset_after=True``.

    >>> gru_cell(3, 5).dom
    Ty(f32[5], f32[3])
    >>> gru_cell(3, 5, reset_after=True).names[-1]
    ('gru', 'bhn')
    """
    H = n_hidden
    W, U, b = Array((H, n_in)), Array((H, H)), Array((H,))
    types = Ty(*[t for _ in GRU_GATES for t in (W, U, b)], *([b] if reset_after else []))
    nP = len(types)

    def fn(*ws):
        (wz, uz, bz, wr, ur, br, wh, uh, bh), h, x = ws[:9], ws[nP], ws[nP + 1]
        z = g.sigmoid(g.matmul(wz, x) + g.matmul(uz, h) + bz)
        r = g.sigmoid(g.matmul(wr, x) + g.matmul(ur, h) + br)
        if reset_after:
            h_new = g.tanh(g.matmul(wh, x) + bh + r * (g.matmul(uh, h) + ws[9]))
            return z * h + (1.0 - z) * h_new
        h_new = g.tanh(g.matmul(wh, x) + g.matmul(uh, r * h) + bh)
        return (1.0 - z) * h + z * h_new

    names = [(name, f"{m}{k}") for k in GRU_GATES for m in ("W", "U", "b")] + ([(name, "bhn")] if reset_after else [])
    inits = [p for _ in GRU_GATES for p in ((init, W.shape), (init, U.shape), ("zeros", b.shape))]
    inits += [("zeros", b.shape)] if reset_after else []
    return Para(types, trace(fn, types @ b @ Array((n_in,))), names, _inits(*inits)).named(name)


def gru(n_in: int, n_hidden: int, return_sequences: bool = False, init="glorot_uniform", name: str = "gru",
        reset_after: bool = False) -> Layer:
    """A GRU over a sequence ``(T, n_in)``: ``scan`` of ``gru_cell`` (``reset_after`` as there) from ``h₀ = 0`` with the parameters as
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
        cell = gru_cell(n_in, n_hidden, init, name, reset_after)
        nP = len(cell.param)

        def step(*ws):  # (k, h_t, x_t) ↦ h_{t+1}, also the step's output with return_sequences
            h = cell.map(*ws)
            return (h, h) if return_sequences else h
        body = trace(step, cell.map.dom)
        loop = scan(body, x.shape[0], consts=nP)
        H = Array((n_hidden,), x.dtype)

        def fn(*ws):
            h0 = _constant(ws[-1], H, 0.0)
            out = loop(*ws[:nP], h0, ws[-1])
            return out[1] if return_sequences else out
        return Para(cell.param, trace(fn, cell.param @ x), cell.names, cell.init_fn).named(name)
    return Layer(build, name)


__all__ = ["embedding", "layer_norm", "gelu", "pointwise", "attention", "residual", "positional", "sinusoids",
           "causal_mask", "check_heads", "transformer_block", "transformer_lm", "rename", "MASK", "gru_cell", "gru"]
