"""A GRU trained to the running parity of a bit sequence, through ``scan``.

    python examples/gru.py                 # T = 10 (all 1,024 sequences), H = 16, 40 epochs
    python examples/gru.py --length 12 --epochs 60

Task: for bits ``x₁ … x_T`` predict, at every step ``t``, the parity ``y_t = x₁ ⊕ … ⊕ x_t``. Its known
solution is a flip-flop: a state that flips on each 1, so a model that found it is right on every
step of every sequence, and, since the cell is the same at every step, on sequences longer than any
it was trained on. Model: ``nn.gru(1, H, return_sequences=True)`` (the GRU cell scanned over the
sequence, its parameters the scan's constants) followed by ``nn.pointwise(H, 1)``; loss: binary
cross-entropy on the logits, summed over the steps; Adam.
"""
from __future__ import annotations

import argparse
import itertools
import time

import jax
import numpy as np

from catgrad import Array, learn, nn


def parity_data(length: int, n: int | None = None, seed: int = 0):
    """Bit sequences ``x: (N, T, 1)`` and their running parities ``y: (N, T, 1)`` (float32): all ``2^T``
    sequences, or ``n`` drawn uniformly."""
    if n is None:
        x = np.array(list(itertools.product([0.0, 1.0], repeat=length)), np.float32)
    else:
        x = np.random.default_rng(seed).integers(0, 2, (n, length)).astype(np.float32)
    x = x[:, :, None]
    return x, (np.cumsum(x, axis=1) % 2).astype(np.float32)


def model(length: int, hidden: int):
    """``gru(1, H, return_sequences) ; pointwise(H, 1)`` on sequences of ``length`` bits."""
    return nn.gru(1, hidden, return_sequences=True)(Array((length, 1))) >> nn.pointwise(hidden, 1, name="out")


def bce_logits(B):
    return learn.binary_cross_entropy(B, from_logits=True)


def accuracy(learner, params, x, y) -> tuple:
    """(fraction of steps right, fraction of sequences right at every step)."""
    right = (np.asarray(learner.predict(params, x)) > 0) == (y > 0.5)
    return float(right.mean()), float(right.all(axis=(1, 2)).mean())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--length", type=int, default=10)
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--eta", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    x, y = parity_data(args.length)
    lrn = learn.supervised(model(args.length, args.hidden), bce_logits, 1.0, learn.adam(args.eta))
    state = lrn.init(jax.random.PRNGKey(args.seed))
    print(f"running parity, T = {args.length}: {len(x)} sequences, GRU hidden {args.hidden}")
    t0 = time.perf_counter()
    state, hist = learn.fit(lrn, state, x, y, epochs=args.epochs, batch_size=args.batch,
                            key=jax.random.PRNGKey(args.seed + 1), progress=False)
    print(f"trained {args.epochs} epochs in {time.perf_counter() - t0:.1f} s; loss per sequence "
          f"{hist['loss'][0]:.4f} (epoch 1) → {hist['loss'][-1]:.4f} (epoch {args.epochs})")
    steps, seqs = accuracy(lrn, state.params, x, y)
    print(f"training sequences: {steps:.2%} of steps right, {seqs:.2%} of sequences right at every step")
    for longer in (2 * args.length, 5 * args.length):  # the same parameters on longer sequences
        xl, yl = parity_data(longer, n=1000, seed=1)
        lrn_l = learn.supervised(model(longer, args.hidden), bce_logits, 1.0, learn.adam(args.eta))
        steps, seqs = accuracy(lrn_l, state.params, xl, yl)
        print(f"1,000 random sequences of length {longer} (never trained on): {steps:.2%} of steps right, "
              f"{seqs:.2%} of sequences right at every step")


if __name__ == "__main__":
    main()
