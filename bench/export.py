"""The exported artifact (catgrad.export) against jax.jit of the same function, in one run.

Model: the Iris MLP (4 → 16 tanh → 3) and a small causal transformer LM (vocab 64, context 32, width 64,
4 heads, 2 blocks, GPT-2 options), parameters from ``init``. Baseline: ``jax.jit`` of the model's per-example
function mapped over the batch (``jax.vmap``) with the same parameters closed over. Exported side: the file
written by ``catgrad.export`` (symbolic batch), read back with ``jax.export.deserialize`` and run with
``exported.call`` under ``jax.jit``. Run = median of 200 interleaved calls on one batch of 256 examples (after
a warm-up); ratio = exported / jit. Size = bytes of the serialized artifact.

    python bench/export.py
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np

import catgrad as cg
from catgrad import nn


def _median_interleaved(fa, fb, n=200):
    ta, tb = [], []
    for _ in range(n):
        for f, t in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            jax.block_until_ready(f())
            t.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def run(name, model, x):
    params = model.init(jax.random.PRNGKey(0))
    path = os.path.join(tempfile.mkdtemp(), f"{name}.jaxexport")
    manifest = cg.export(model, params, path=path)
    with open(path, "rb") as f:
        exported = jax.export.deserialize(bytearray(f.read()))
    call = jax.jit(exported.call)
    f = cg.to_jax(model)
    base = jax.jit(jax.vmap(lambda xi: f(params, xi)))
    x = jax.device_put(x)
    diff = float(np.max(np.abs(np.asarray(call(x)[0]) - np.asarray(base(x)[0]))))
    t_exp, t_jit = _median_interleaved(lambda: call(x), lambda: base(x))
    print(f"| {name} | {manifest['bytes']:,} B | {t_exp * 1e3:.3f} ms | {t_jit * 1e3:.3f} ms | "
          f"{t_exp / t_jit:.2f} | {diff:.1e} |")


if __name__ == "__main__":
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}")
    print("| model | artifact | exported run | jax.jit run | ratio | max abs diff |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    run("iris MLP", nn.dense(4, 16, cg.tanh) >> nn.dense(16, 3), rng.normal(size=(256, 4)).astype(np.float32))
    lm = nn.transformer_lm(vocab=64, context=32, width=64, heads=4, depth=2, bias=True, tied=True)
    run("transformer LM", lm, rng.integers(0, 64, (256, 32)).astype(np.int32))
