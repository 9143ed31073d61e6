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
from ..core.select import select
from ..core.objects import Array, Ty
from ..para import Para
from . import init as initialisers
from .layers import Layer, one_input
from .stack import LayerLike, stack as stack_layers

MASK = -np.inf
"""The score a causal mask selects above the diagonal: ``exp(−∞ − max) = 0`` exactly, at any score."""


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
    >>> sorted(attention(2, causal=True)(Array((5, 8))).param["attention"])
    ['Wk', 'Wo', 'Wq', 'Wv']
    >>> sorted(attention(2, bias=True)(Array((5, 8))).param["attention"])
    ['Wk', 'Wo', 'Wq', 'Wv', 'bk', 'bo', 'bq', 'bv']
    """
    def build(A: Ty) -> Para:
        x = _float_seq(A, name, ndim=2)
        T, D = x.shape
        d = check_heads(D, heads, name)
        Wt, bt = Array((D, D), x.dtype), Array((D,), x.dtype)

        def fn(p, x_):
            wq, wk, wv, wo = p["Wq"], p["Wk"], p["Wv"], p["Wo"]
            bq, bk, bv, bo = (p["bq"], p["bk"], p["bv"], p["bo"]) if bias else (None,) * 4

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

        weights = [(w, init, Wt) for w in ("Wq", "Wk", "Wv", "Wo")]
        biases = [(b, "zeros", bt) for b in ("bq", "bk", "bv", "bo")] if bias else []
        triples = weights + biases
        return Para.build({n: t for n, _, t in triples}, fn, x,
                          init=_inits(*((n, i, t.shape) for n, i, t in triples))).named(name)
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


def transformer_block(width: int, heads: int, hidden: int | None = None, causal: bool = True,
                      bias: bool = False) -> Layer:
    """A pre-norm transformer block on ``(T, width)``:
    ``residual(layer_norm ; attention) ; residual(layer_norm ; pointwise(width, hidden, gelu) ; pointwise(hidden, width))``.

    ``hidden`` defaults to ``4·width``; parameters are named ``ln1``, ``attention``, ``ln2``, ``ff1``, ``ff2``.
    With ``bias=True`` the attention has biases (``attention(heads, causal, bias=True)``) and the block is
    GPT-2's [Radford et al. 2019]: layer norms with ε = 10⁻⁵, the tanh form of GELU, biased projections.

    >>> from catgrad import Array
    >>> transformer_block(8, heads=2, hidden=16)(Array((3, 8))).param["ln2"]["gamma"]
    Array((8,), 'float32')
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
    >>> sorted(gpt2.param)
    ['block0', 'embedding', 'ln_f', 'positional']
    """
    check_heads(width, heads)
    A = Array((context,), "int32")
    X = Array((context, width))
    p = positional(pos)(X)
    block = transformer_block(width, heads, hidden, bias=bias)
    if stack:
        p = p >> stack_layers(block(X), depth, name="stack").named("blocks")
    else:
        for k in range(depth):
            p = p >> block(X).named(f"block{k}")
    p = p >> layer_norm(width, name="ln_f")
    if tied:
        return _tied_head(embedding(vocab, width)(A), p)
    return embedding(vocab, width)(A) >> p >> pointwise(width, vocab, name="head")


def _tied_head(emb: Para, body: Para) -> Para:
    """``(E, θ, i) ↦ body(θ, E[i]) Eᵀ``: the embedding table read again as the output head (weight tying)."""
    def fn(r, i):
        e = r["embedding"]["E"]
        h = body({k: v for k, v in r.items() if k != "embedding"}, gather(e, i))
        return g.einsum("td,vd->tv", h, e)

    def init(key):
        k1, k2 = jax.random.split(key)
        return {**emb.init(k1), **body.init(k2)}
    return Para.build({**emb.param, **body.param}, fn, *emb.dom, init=init)


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
    and ``"bhn"`` (H,) with ``reset_after=True``.

    >>> gru_cell(3, 5).dom
    Ty(f32[5], f32[3])
    >>> "bhn" in gru_cell(3, 5, reset_after=True).param["gru"]
    True
    """
    H = n_hidden
    W, U, b = Array((H, n_in)), Array((H, H)), Array((H,))

    def fn(p, h, x):
        def gate(k, h_):
            return g.matmul(p[f"W{k}"], x) + g.matmul(p[f"U{k}"], h_) + p[f"b{k}"]
        z = g.sigmoid(gate("z", h))
        r = g.sigmoid(gate("r", h))
        if reset_after:
            h_new = g.tanh(g.matmul(p["Wh"], x) + p["bh"] + r * (g.matmul(p["Uh"], h) + p["bhn"]))
            return z * h + (1.0 - z) * h_new
        h_new = g.tanh(gate("h", r * h))
        return (1.0 - z) * h + z * h_new

    inits = [q for k in GRU_GATES for q in ((f"W{k}", init, W), (f"U{k}", init, U), (f"b{k}", "zeros", b))]
    inits += [("bhn", "zeros", b)] if reset_after else []
    return Para.build({n: t for n, _, t in inits}, fn, b, Array((n_in,)),
                      init=_inits(*((n, i, t.shape) for n, i, t in inits))).named(name)


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
