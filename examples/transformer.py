"""A character-level transformer language model on Genesis 1–30 (KJV), trained with
``learn.fit`` and Adam, beside the same model hand-written in plain JAX + optax.

    python examples/transformer.py                   # width 64, 2 blocks, 4 heads, context 64, 10 epochs
    python examples/transformer.py --epochs 2 --depth 1 --width 32
    python examples/transformer.py --stack           # the blocks as one nn.stack (a scan over depth)

Model (``catgrad.nn.transformer_lm``): embedding (a gather) ; learned positions ; ``depth`` pre-norm
blocks [causal multi-head attention, GELU MLP of width 4·D, each residual] ; layer norm ; a
position-wise linear head to ``V`` logits. Loss: softmax cross-entropy summed over the ``T``
positions of a window, mean over the batch (printed per character: divided by ``T``).

The hand-written twin (``reference_*`` below, also used by tests/test_transformer.py and
bench/transformer.py) is written directly in ``jax.numpy``; its gradient comes from ``jax.grad``
and its update from ``optax.adam``. Both start from the same parameters (``learner.init``) and see
the same batches (the order ``learn.fit`` documents: per epoch ``key, sub = split(key)``, a
permutation of the windows from ``sub``, ``⌊N / batch⌋`` full batches).
"""
from __future__ import annotations

import argparse
import math
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from catgrad import datasets, learn, nn

# -- the hand-written twin ------------------------------------------------------------------


def _layer_norm(p, x, eps=1e-5):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + eps) * p["gamma"] + p["beta"]


def _attention(p, x, heads):
    n, T, D = x.shape
    d = D // heads

    def split(w):
        return (x @ w.T).reshape(n, T, heads, d).transpose(0, 2, 1, 3)
    q, k, v = split(p["Wq"]), split(p["Wk"]), split(p["Wv"])
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d)
    s = jnp.where(jnp.tril(jnp.ones((T, T), bool)), s, -1e9)
    o = (jax.nn.softmax(s, axis=-1) @ v).transpose(0, 2, 1, 3).reshape(n, T, D)
    return o @ p["Wo"].T


def _block(p, x, heads):
    x = x + _attention(p["attention"], _layer_norm(p["ln1"], x), heads)
    h = jax.nn.gelu(_layer_norm(p["ln2"], x) @ p["ff1"]["W"].T + p["ff1"]["b"], approximate=True)
    return x + h @ p["ff2"]["W"].T + p["ff2"]["b"]


def reference_forward(params, tokens, heads: int):
    """Logits ``(n, T, V)`` of int32 tokens ``(n, T)``, the model of ``nn.transformer_lm`` in plain JAX.

    ``params`` is the tree of ``transformer_lm(...).init`` (blocks under ``block0``, ``block1``, …) or,
    for ``nn.stack``, one tree ``blocks`` whose arrays have a leading depth axis.
    """
    x = params["embedding"]["E"][tokens] + params["positional"]["P"]
    if "blocks" in params:
        x, _ = jax.lax.scan(lambda h, p: (_block(p, h, heads), None), x, params["blocks"])
    k = 0
    while f"block{k}" in params:
        x = _block(params[f"block{k}"], x, heads)
        k += 1
    x = _layer_norm(params["ln_f"], x)
    return x @ params["head"]["W"].T + params["head"]["b"]


def reference_loss(params, tokens, targets, heads: int):
    """Mean over the batch of the summed (over positions) softmax cross-entropy, one-hot targets."""
    logits = reference_forward(params, tokens, heads)
    return jnp.mean(jnp.sum(optax.softmax_cross_entropy(logits, targets), axis=-1))


def reference_step(heads: int, tx):
    """The hand-written training step ``(params, opt_state, x, y) -> (params, opt_state, loss)``."""
    def step(params, state, x, y):
        loss, g = jax.value_and_grad(reference_loss)(params, x, y, heads)
        updates, state = tx.update(g, state, params)
        return optax.apply_updates(params, updates), state, loss
    return step


def reference_fit(params, x, y, *, heads: int, eta: float, epochs: int, batch_size: int, key):
    """Train the twin with ``optax.adam(eta)`` in ``learn.fit``'s batch order; returns
    ``(params, per-epoch mean losses, per-step losses)``."""
    tx = optax.adam(eta)
    state = tx.init(params)
    step = reference_step(heads, tx)
    n = x.shape[0]
    nb = n // batch_size
    x, y = jnp.asarray(x), jnp.asarray(y)

    @jax.jit
    def epoch(params, state, sub):
        perm = jax.random.permutation(sub, n)[: nb * batch_size].reshape(nb, batch_size)

        def body(carry, idx):
            p, s, loss = step(*carry, x[idx], y[idx])
            return (p, s), loss
        (params, state), losses = jax.lax.scan(body, (params, state), perm)
        return params, state, losses

    means, steps = [], []
    for _ in range(epochs):
        key, sub = jax.random.split(key)
        params, state, losses = epoch(params, state, sub)
        means.append(float(jnp.mean(losses)))
        steps.extend(np.asarray(losses).tolist())
    return params, means, steps


# -- data and model -----------------------------------------------------------------------------

def data(context: int, stride: int | None = None):
    """``(vocab, x int32 (N, T), y one-hot float32 (N, T, V))`` from the shipped text."""
    text = datasets.genesis()
    vocab = datasets.CharVocab.of(text)
    x, y = datasets.char_windows(vocab.encode(text), context, stride)
    return vocab, x, np.eye(len(vocab), dtype=np.float32)[y]


def model(vocab_size: int, context: int, width: int, heads: int, depth: int, stack: bool = False):
    """The catgrad model (``nn.transformer_lm``; with ``stack``, its blocks as one ``nn.stack``)."""
    if stack:
        return nn.transformer_lm(vocab_size, context, width, heads, depth, stack=True)
    return nn.transformer_lm(vocab_size, context, width, heads, depth)


def sample(learner, params, vocab, prompt: str, length: int, context: int, key, temperature: float = 0.8) -> str:
    """Characters drawn one at a time from the model's next-character distribution (a window of the
    last ``context`` characters; causal attention lets a short prompt be padded on the right)."""
    ids = list(vocab.encode(prompt))
    for _ in range(length):
        window = ids[-context:]
        pos = len(window) - 1
        x = np.zeros((1, context), np.int32)
        x[0, :len(window)] = window
        logits = np.asarray(learner.predict(params, x))[0, pos]
        key, sub = jax.random.split(key)
        ids.append(int(jax.random.categorical(sub, jnp.asarray(logits) / temperature)))
    return vocab.decode(ids)


def model_arguments(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The model's and the optimiser's command-line options (shared with bench/transformer.py)."""
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--eta", type=float, default=3e-3)
    return ap


def draw_model(m, folder: str) -> None:
    """The model and its reverse derivative drawn with one box per layer (``depth=1``: the blocks,
    ``R(block0)``, …), as SVG files in ``folder``."""
    import pathlib

    from catgrad import rdiff
    from catgrad.drawing import draw
    out = pathlib.Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    draw(m, out / "transformer.svg", depth=1)
    draw(rdiff(m.map), out / "R_transformer.svg", depth=1)
    print(f"drawn: {out / 'transformer.svg'}, {out / 'R_transformer.svg'}")


def main(argv=None):
    ap = model_arguments(argparse.ArgumentParser(description=__doc__,
                                                 formatter_class=argparse.RawDescriptionHelpFormatter))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--stack", action="store_true", help="the blocks as one nn.stack (scanned over depth)")
    ap.add_argument("--no-twin", action="store_true", help="skip the hand-written JAX + optax twin")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draw", metavar="DIR", help="also draw the model and its R at depth 1 (one box per block) "
                                                  "into DIR/transformer.svg and DIR/R_transformer.svg")
    args = ap.parse_args(argv)

    vocab, x, y = data(args.context)
    T, V = args.context, len(vocab)
    print(f"text: Genesis 1–30 (KJV), {len(datasets.genesis()):,} characters, vocabulary {V}; {x.shape[0]:,} windows of {T}")
    m = model(V, T, args.width, args.heads, args.depth, args.stack)
    n_params = sum(int(np.prod(t.shape)) for t in m.wires)
    print(f"model: width {args.width}, {args.heads} heads, {args.depth} blocks{' (stacked)' if args.stack else ''}, "
          f"{n_params:,} parameters; the per-example diagram has {m.map.size} operations")
    if args.draw:
        draw_model(m, args.draw)
    learner = learn.supervised(m, learn.softmax_cross_entropy, learn.learning_rate(1.0), learn.adam(args.eta))
    state0 = learner.init(jax.random.PRNGKey(args.seed))
    fit_key = jax.random.PRNGKey(args.seed + 1)

    t0 = time.perf_counter()
    state, hist = learn.fit(learner, state0, x, y, epochs=args.epochs, batch_size=args.batch, key=fit_key, progress=False)
    t_cg = time.perf_counter() - t0
    cg_loss = [v / T for v in hist["loss"]]
    print(f"catgrad: {args.epochs} epochs in {t_cg:.1f} s (including building and compiling)")

    if not args.no_twin:
        t0 = time.perf_counter()
        _, ref_means, _ = reference_fit(state0.params, x, y, heads=args.heads, eta=args.eta, epochs=args.epochs,
                                        batch_size=args.batch, key=fit_key)
        t_ref = time.perf_counter() - t0
        ref_loss = [v / T for v in ref_means]
        print(f"JAX + optax twin: {args.epochs} epochs in {t_ref:.1f} s")
        print("epoch  loss/char catgrad  loss/char twin  relative difference")
        for e, (a, b) in enumerate(zip(cg_loss, ref_loss)):
            print(f"{e + 1:5d}  {a:17.4f}  {b:14.4f}  {abs(a - b) / b:19.2e}")
        worst = max(abs(a - b) / b for a, b in zip(cg_loss, ref_loss))
        print(f"largest relative difference of the loss curves: {worst:.2e} ({'within' if worst <= 0.02 else 'OUTSIDE'} 2%)")
    else:
        for e, a in enumerate(cg_loss):
            print(f"epoch {e + 1}: loss/char {a:.4f}")
    print(f"uniform guess: {math.log(V):.4f} nats/char")
    print("sample (temperature 0.8):")
    print(sample(learner, state.params, vocab, "And God said", 300, T, jax.random.PRNGKey(7)))


if __name__ == "__main__":
    main()
