"""Benchmark of the reverse derivative R on deep chains of dense layers.

Model: ``f(W₁, b₁, …, Wₙ, bₙ, x) = tanh(Wₙ ⋯ tanh(W₁ x + b₁) ⋯ + bₙ)``, width 32, n = 10, 100,
1,000 layers. The weights are *domain wires* (as in training, where R must return their
gradients), so ``R[f]: (W, b, x, dy) ↦ (dW, db, dx)`` and ``R[R[f]]`` is a Hessian-vector map.

For each depth it reports
- the time to build ``f`` (trace), ``R[f]``, ``R[R[f]]`` and their sizes (operation counts);
- for ``compile(rdiff(f))`` against ``jax.jit`` of a ``jax.vjp``-based function of the same model
  written directly in jax.numpy: the trace+compile time and the run time (median of repeats),
  and their ratios (catgrad / JAX, < 1 means catgrad is faster), measured in the same run;
- the same for ``R[R[f]]`` against ``jax.jit`` of ``jax.vjp`` of the vjp (skipped at 1,000 layers
  with ``--quick``).

Run: ``python bench/rdiff.py`` (``--quick``: fewer repeats, no second order at 1,000 layers).
"""
from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import time

import jax
import jax.numpy as jnp
import numpy as np

import catgrad as cg
from catgrad.experiments import tanh_chain

WIDTH = 32


def reference(n: int):
    def f(*a):
        x = a[-1]
        for i in range(n):
            x = jnp.tanh(a[2 * i] @ x + a[2 * i + 1])
        return x
    return f


def timed(fn, repeats=1):
    ts, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def compile_pair(jit_a, jit_b, args, repeats):
    """Trace+compile times and median run times of two jax.jit functions on the same arguments.

    The runs are interleaved (a, b, a, b, ...) so that load on the machine affects both alike.
    """
    t = time.perf_counter()
    ca = jit_a.lower(*args).compile()
    t_ca = time.perf_counter() - t
    t = time.perf_counter()
    cb = jit_b.lower(*args).compile()
    t_cb = time.perf_counter() - t
    jax.block_until_ready(ca(*args))  # warm up
    jax.block_until_ready(cb(*args))
    ra, rb = [], []
    for _ in range(repeats):
        for c, acc in ((ca, ra), (cb, rb)):
            t = time.perf_counter()
            jax.block_until_ready(c(*args))
            acc.append(time.perf_counter() - t)
    return t_ca, t_cb, statistics.median(ra), statistics.median(rb), ca(*args), cb(*args)


def args_for(types, seed):
    rng = np.random.default_rng(seed)
    return [jnp.asarray(rng.normal(size=t.shape) / np.sqrt(max(t.shape[-1] if t.shape else 1, 1)), jnp.float32)
            for t in types]


def run(depths, quick):
    rows = []
    for n in depths:
        reps_build = 1 if n >= 1000 else 3
        reps_run = 20 if quick else 200
        t_f, f = timed(lambda: tanh_chain(n, WIDTH), reps_build)
        t_r, r = timed(lambda: cg.rdiff(f), reps_build)
        t_rr, rr = timed(lambda: cg.rdiff(r), reps_build)
        ref = reference(n)
        args = args_for(r.dom, 0)
        k = len(f.dom)
        cg_c, jx_c, cg_r, jx_r, got, want = compile_pair(
            cg.compile(r), jax.jit(lambda *a: jax.vjp(ref, *a[:k])[1](a[k])), args, reps_run)
        # correctness check of the benchmarked functions against each other
        err = max(float(jnp.max(jnp.abs(a - b))) for a, b in zip(got, want))
        row = dict(n=n, size_f=f.size, size_r=r.size, size_rr=rr.size, t_f=t_f, t_r=t_r, t_rr=t_rr,
                   cg_c=cg_c, cg_r=cg_r, jx_c=jx_c, jx_r=jx_r, err=err)
        print_row(row, header=not rows)  # first order now; the second order (slow to compile) follows
        if not (quick and n >= 1000):
            args2 = args_for(rr.dom, 1)

            def vjp2(*a):
                x, dy, ddx = a[:k], a[k], a[k + 1:]
                return jax.vjp(lambda *xdy: jax.vjp(ref, *xdy[:k])[1](xdy[k]), *x, dy)[1](tuple(ddx))

            row.update(zip(("cg2_c", "jx2_c", "cg2_r", "jx2_r", "got2", "want2"),
                           compile_pair(cg.compile(rr), jax.jit(vjp2), args2, reps_run)))
            row["err2"] = max(float(jnp.max(jnp.abs(a - b))) for a, b in zip(row.pop("got2"), row.pop("want2")))
            print_row(row, header=False)
        rows.append(row)
    return rows


def fmt(t):
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def print_row(r, header):
    if header:
        print("| layers | size f / R[f] / R[R[f]] | build f / R[f] / R[R[f]] | R[f] compile cg / jax (ratio) "
              "| R[f] run cg / jax (ratio) | R[R[f]] compile cg / jax (ratio) | R[R[f]] run cg / jax (ratio) | max |Δ| |")
        print("|---|---|---|---|---|---|---|---|")
    second_c = second_r = "not measured"
    if "cg2_c" in r:
        second_c = f"{fmt(r['cg2_c'])} / {fmt(r['jx2_c'])} ({r['cg2_c'] / r['jx2_c']:.2f})"
        second_r = f"{fmt(r['cg2_r'])} / {fmt(r['jx2_r'])} ({r['cg2_r'] / r['jx2_r']:.2f})"
    print(f"| {r['n']} | {r['size_f']} / {r['size_r']} / {r['size_rr']} | {fmt(r['t_f'])} / {fmt(r['t_r'])} / "
          f"{fmt(r['t_rr'])} | {fmt(r['cg_c'])} / {fmt(r['jx_c'])} ({r['cg_c'] / r['jx_c']:.2f}) | "
          f"{fmt(r['cg_r'])} / {fmt(r['jx_r'])} ({r['cg_r'] / r['jx_r']:.2f}) | {second_c} | {second_r} | {r['err']:.1e} |",
          flush=True)


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model_name = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except Exception:
        model_name = platform.processor() or "unknown"
    import os
    return f"{model_name}, {os.cpu_count()} CPU(s), jax {jax.__version__} on {jax.devices()[0].platform}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats; no R[R[f]] compile at 1,000 layers")
    p.add_argument("--depths", type=int, nargs="*", default=[10, 100, 1000])
    a = p.parse_args()
    print(f"machine: {machine()}; width {WIDTH}; float32; run times are medians of "
          f"{20 if a.quick else 200} interleaved runs; ratios are catgrad / jax (same run)")
    run(a.depths, a.quick)


if __name__ == "__main__":
    main()
