"""Depth scaling: a stack of n layers as one scan (``nn.stack``) against the unrolled diagram and
against the same model hand-written in JAX with ``lax.scan``.

    python bench/scan.py                         # n = 10, 100, 1000
    python bench/scan.py --depths 10 100 --rounds 5

Model: ``x ↦ tanh(W_n ⋯ tanh(W_1 x + b_1) ⋯ + b_n)``, width 32, MSE against a target, plain gradient
descent (α = 0.01), batch 64, the same initial parameters for all three (catgrad's ``init``, unstacked
for the unrolled model). Implementations:

- **stack**: ``nn.stack(nn.dense(32, 32, nn.tanh), n)``: the per-example diagram holds the layer once;
- **unrolled**: ``nn.sequential`` of ``n`` ``nn.dense`` layers: a diagram ``n`` layers long;
- **hand**: ``jax.jit`` of ``value_and_grad`` of the loss with ``lax.scan`` over the stacked
  parameters, then the update, written directly in JAX.

Figures: *build* = Python construction of the model and of the learner's training-step diagram
(batching, R, lenses, simplify; catgrad only); *compile* = the first call of the jitted step (trace +
XLA compile; catgrad: of the step built above); *step* = median of blocked calls, the three
implementations interleaved in rounds. *ops* = operations in the per-example model diagram and in
the training-step diagram. Checked first (untimed): after 2 steps all three give the same
parameters (the largest difference is printed).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from catgrad import Array, learn, nn  # noqa: E402
from common import fmt_time, interleaved, machine, markdown, median  # noqa: E402

WIDTH, BATCH, LR = 32, 64, 0.01


def stacked_model(n):
    return nn.stack(nn.dense(WIDTH, WIDTH, nn.tanh), n)


def unrolled_model(n):
    return nn.sequential(Array((WIDTH,)), *[nn.dense(WIDTH, WIDTH, nn.tanh, name=f"d{k}") for k in range(n)])


def unstack(params, n):
    """The stacked parameters as the unrolled model's tree (``d0``, ``d1``, …)."""
    return {f"d{k}": jax.tree_util.tree_map(lambda a: a[k], params["dense"]) for k in range(n)}


def hand_step():
    def loss(p, x, y):
        def layer(h, q):
            return jnp.tanh(h @ q["W"].T + q["b"]), None
        h, _ = jax.lax.scan(layer, x, p["dense"])
        return jnp.mean(0.5 * jnp.sum((h - y) ** 2, axis=1))

    @jax.jit
    def step(p, x, y):
        val, g = jax.value_and_grad(loss)(p, x, y)
        return jax.tree_util.tree_map(lambda a, b: a - LR * b, p, g), val
    return step


def catgrad_step(model):
    """``(learner, build seconds, jitted step on checked data, step ops)``: the learner's compiled step, built
    and timed; the step is the public ``compiled_step(n).apply`` (state, xs, ys) → (state, loss, prediction)."""
    t0 = time.perf_counter()
    lrn = learn.supervised(model, learn.mse, LR, learn.gd())
    step = lrn.compiled_step(BATCH)
    build = time.perf_counter() - t0
    return lrn, build, jax.jit(step.apply), step.diagram.size


def run(n, rounds, steps, do_unrolled):
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.uniform(-1, 1, (BATCH, WIDTH)).astype(np.float32))
    y = jnp.asarray(rng.uniform(-0.5, 0.5, (BATCH, WIDTH)).astype(np.float32))
    row = {"n": n}

    t0 = time.perf_counter()
    m_stack = stacked_model(n)
    t_model = time.perf_counter() - t0
    params = jax.jit(m_stack.init)(jax.random.PRNGKey(0))
    lrn_s, build_s, step_s, size_s = catgrad_step(m_stack)
    row["stack"] = {"ops": (m_stack.map.size, size_s), "build": t_model + build_s}
    p_s = lrn_s.init(jax.random.PRNGKey(0))._replace(params=params)
    t0 = time.perf_counter()
    jax.block_until_ready(step_s(p_s, [x], [y]))
    row["stack"]["compile"] = time.perf_counter() - t0

    hand = hand_step()
    t0 = time.perf_counter()
    jax.block_until_ready(hand(params, x, y))
    row["hand"] = {"compile": time.perf_counter() - t0}

    impls = {}
    state = {"stack": p_s, "hand": params}

    def call_stack():
        state["stack"], loss, _ = step_s(state["stack"], [x], [y])
        return loss

    def call_hand():
        state["hand"], loss = hand(state["hand"], x, y)
        return loss

    impls["stack"], impls["hand"] = call_stack, call_hand
    # agreement after 2 steps (from the same parameters)
    p1, ph = p_s, params
    for _ in range(2):
        p1, _, _ = step_s(p1, [x], [y])
        ph, _ = hand(ph, x, y)
    diffs = [float(jnp.max(jnp.abs(a - b))) for a, b in
             zip(jax.tree_util.tree_leaves(p1.params), jax.tree_util.tree_leaves(ph))]

    if do_unrolled:
        t0 = time.perf_counter()
        m_unr = unrolled_model(n)
        t_model = time.perf_counter() - t0
        lrn_u, build_u, step_u, size_u = catgrad_step(m_unr)
        row["unrolled"] = {"ops": (m_unr.map.size, size_u), "build": t_model + build_u}
        p_u = learn.TrainState(unstack(params, n), lrn_u.optimiser.init(unstack(params, n)))
        t0 = time.perf_counter()
        jax.block_until_ready(step_u(p_u, [x], [y]))
        row["unrolled"]["compile"] = time.perf_counter() - t0
        state["unrolled"] = p_u

        def call_unrolled():
            state["unrolled"], loss, _ = step_u(state["unrolled"], [x], [y])
            return loss
        impls["unrolled"] = call_unrolled
        pu = p_u
        for _ in range(2):
            pu, _, _ = step_u(pu, [x], [y])
        ref = unstack(ph, n)
        diffs += [float(jnp.max(jnp.abs(a - b))) for a, b in
                  zip(jax.tree_util.tree_leaves(pu.params), jax.tree_util.tree_leaves(ref))]

    times = interleaved(impls, rounds, steps, warmup=2)
    for name, t in times.items():
        row[name]["step"] = median(t)
    row["max_diff"] = max(diffs)
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--depths", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--max-unrolled", type=int, default=1000, help="skip the unrolled model above this depth")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args(argv)
    print(machine())
    rows = []
    for n in args.depths:
        r = run(n, args.rounds, args.steps, n <= args.max_unrolled)
        print(r, flush=True)
        rows.append(r)
    table = []
    for r in rows:
        u = r.get("unrolled")
        s, h = r["stack"], r["hand"]
        table.append([
            r["n"], f"{s['ops'][0]} / {s['ops'][1]}", f"{u['ops'][0]} / {u['ops'][1]}" if u else "–",
            fmt_time(s["build"]), fmt_time(u["build"]) if u else "–",
            fmt_time(s["compile"]), fmt_time(u["compile"]) if u else "–", fmt_time(h["compile"]),
            fmt_time(s["step"]), fmt_time(u["step"]) if u else "–", fmt_time(h["step"]),
            f"{s['step'] / h['step']:.2f}", f"{r['max_diff']:.1e}",
        ])
    print(markdown(table, ["n", "ops model / step: stack", "unrolled", "build stack", "build unrolled",
                           "compile stack", "compile unrolled", "compile hand", "step stack", "step unrolled",
                           "step hand", "step stack / hand", "max |Δ| after 2 steps"]))


if __name__ == "__main__":
    main()
