"""The character-level transformer's training step: catgrad against the same model hand-written in
JAX + optax (examples/transformer.py's twin).

    python bench/transformer.py                  # width 64, 4 heads, 2 blocks, context 64, batch 32
    python bench/transformer.py --depth 4 --rounds 5

Both take one Adam step (η = 3·10⁻³) on a batch of windows of the shipped text (Genesis 1–30, KJV), from
the same initial parameters. catgrad: the learner's public step ``jax.jit(learner.compiled_step(B).apply)``, for
the blocks unrolled (``nn.transformer_lm``) and as one ``nn.stack`` (a scan over depth); hand:
``jax.jit`` of ``value_and_grad`` + ``optax.adam`` (its blocks a Python loop, or ``lax.scan`` for the
stacked parameters). *build* = constructing the model and the training-step diagram (catgrad);
*compile* = the first call of the jitted step (trace + XLA compile); *step* = median of blocked
calls, the implementations interleaved in rounds. Checked first: after 2 steps the parameters agree
(the largest difference is printed).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from catgrad import learn  # noqa: E402
from common import fmt_time, interleaved, machine, markdown, median  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "catgrad_examples_transformer", pathlib.Path(__file__).resolve().parent.parent / "examples" / "transformer.py")
ex = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ex)


def main(argv=None):
    ap = ex.model_arguments(argparse.ArgumentParser(description=__doc__,
                                                    formatter_class=argparse.RawDescriptionHelpFormatter))
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args(argv)
    print(machine())
    vocab, x, y = ex.data(args.context)
    xb, yb = jnp.asarray(x[:args.batch]), jnp.asarray(y[:args.batch])
    impls, rows, state, diffs = {}, [], {}, {}

    for stack in (False, True):
        kind = "stack" if stack else "unrolled"
        t0 = time.perf_counter()
        m = ex.model(len(vocab), args.context, args.width, args.heads, args.depth, stack)
        lrn = learn.supervised(m, learn.softmax_cross_entropy, learn.learning_rate(1.0), learn.adam(args.eta))
        size = lrn.step_diagram(args.batch).simplify().size
        build = time.perf_counter() - t0
        params = jax.jit(m.init)(jax.random.PRNGKey(0))
        step = jax.jit(lrn.compiled_step(args.batch).apply)  # the public step on checked data
        st0 = learn.TrainState(params, lrn.optimiser.init(params))
        t0 = time.perf_counter()
        jax.block_until_ready(step(st0, [xb], [yb]))
        compile_cg = time.perf_counter() - t0

        tx = optax.adam(args.eta)
        hand = jax.jit(ex.reference_step(args.heads, tx))
        h0 = (params, tx.init(params))
        t0 = time.perf_counter()
        jax.block_until_ready(hand(*h0, xb, yb))
        compile_hand = time.perf_counter() - t0

        sc, ph = st0, h0
        for _ in range(2):
            sc = step(sc, [xb], [yb])[0]
            ph = hand(*ph, xb, yb)[:2]
        diffs[kind] = max(float(jnp.max(jnp.abs(a - b))) for a, b in
                          zip(jax.tree_util.tree_leaves(sc.params), jax.tree_util.tree_leaves(ph[0])))

        state[f"cg-{kind}"], state[f"hand-{kind}"] = st0, h0

        def call_cg(key=f"cg-{kind}", step=step):
            state[key], loss, _ = step(state[key], [xb], [yb])
            return loss

        def call_hand(key=f"hand-{kind}", hand=hand):
            p_, s_, loss = hand(*state[key], xb, yb)
            state[key] = (p_, s_)
            return loss

        impls[f"cg-{kind}"], impls[f"hand-{kind}"] = call_cg, call_hand
        rows.append({"kind": kind, "model ops": m.map.size, "step ops": size, "build": build,
                     "compile cg": compile_cg, "compile hand": compile_hand})
        print(rows[-1], "max |Δ| after 2 steps:", diffs[kind], flush=True)

    times = interleaved(impls, args.rounds, args.steps, warmup=2)
    table = []
    for r in rows:
        k = r["kind"]
        cg_t, h_t = median(times[f"cg-{k}"]), median(times[f"hand-{k}"])
        table.append([k, f"{r['model ops']} / {r['step ops']}", fmt_time(r["build"]), fmt_time(r["compile cg"]),
                      fmt_time(r["compile hand"]), f"{r['compile cg'] / r['compile hand']:.2f}",
                      fmt_time(cg_t), fmt_time(h_t), f"{cg_t / h_t:.2f}", f"{diffs[k]:.1e}"])
    print(f"width {args.width}, {args.heads} heads, {args.depth} blocks, context {args.context}, batch {args.batch}")
    print(markdown(table, ["blocks", "ops model / step", "build", "compile catgrad", "compile hand",
                           "compile ratio", "step catgrad", "step hand", "step ratio", "max |Δ| after 2 steps"]))


if __name__ == "__main__":
    main()
