"""Timing helpers shared by the benchmarks.

- ``blocked(fn)``: a call that waits for its JAX results (``jax.block_until_ready``);
- ``interleaved(impls, rounds, steps)``: per-call times of several implementations, run in
  alternating rounds (the order rotating each round) so that drifts in machine load fall on
  all of them alike; report the median of each;
- ``timed(fn)``: wall time of one call (e.g. the first, which traces and compiles);
- ``machine()``: the CPU model, core count, Python, JAX and optax versions;
- ``markdown(rows, headers)``: a Markdown table.
"""
from __future__ import annotations

import os
import platform
import subprocess
import time
from typing import Callable, Sequence

import jax
import numpy as np


def blocked(fn: Callable) -> Callable:
    """``fn`` followed by ``jax.block_until_ready`` of its result."""
    def call(*args, **kw):
        return jax.block_until_ready(fn(*args, **kw))
    return call


def timed(fn: Callable, *args, **kw) -> tuple:
    """``(seconds, result)`` of one blocked call (wall time)."""
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(*args, **kw))
    return time.perf_counter() - t0, out


def cpu_timed(fn: Callable, *args, **kw) -> tuple:
    """``(wall seconds, process CPU seconds, result)`` of one blocked call."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = jax.block_until_ready(fn(*args, **kw))
    t1, c1 = time.perf_counter(), time.process_time()
    return t1 - t0, c1 - c0, out


def interleaved(impls: dict, rounds: int, steps: int, warmup: int = 5, cpu: bool = False) -> dict:
    """Per-call seconds of each ``impls[name]()`` (a closure that advances its own state).

    Each of ``rounds`` rounds runs ``steps`` blocked calls of every implementation, in an order
    rotated by one each round; ``warmup`` untimed calls of each come first. Returns
    ``{name: np.ndarray of rounds·steps wall times}``, and with ``cpu=True`` a second dict of
    the process CPU times of the same calls (all threads: robust to other processes sharing
    the cores, which inflate wall times but not the work done).
    """
    names = list(impls)
    for name in names:
        for _ in range(warmup):
            jax.block_until_ready(impls[name]())
    times = {name: [] for name in names}
    cpus = {name: [] for name in names}
    wall, proc = time.perf_counter, time.process_time
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            fn, out, out_cpu = impls[name], times[name], cpus[name]
            for _ in range(steps):
                c0, t0 = proc(), wall()
                jax.block_until_ready(fn())
                t1, c1 = wall(), proc()
                out.append(t1 - t0)
                out_cpu.append(c1 - c0)
    walls = {name: np.asarray(v) for name, v in times.items()}
    return (walls, {name: np.asarray(v) for name, v in cpus.items()}) if cpu else walls


def median(a) -> float:
    return float(np.median(np.asarray(a)))


def iqr(a) -> tuple:
    a = np.asarray(a)
    return float(np.percentile(a, 25)), float(np.percentile(a, 75))


def fmt_time(seconds: float) -> str:
    """Seconds in the most readable unit (µs, ms or s)."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def machine() -> dict:
    """The machine and software the figures were taken on."""
    model = platform.processor() or "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import optax
    return {
        "cpu": model,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "jaxlib": getattr(jax.lib, "__version__", None) or _jaxlib_version(),
        "optax": optax.__version__,
        "backend": jax.default_backend(),
    }


def _jaxlib_version() -> str:
    try:
        import jaxlib
        return jaxlib.__version__
    except Exception:  # pragma: no cover
        return "?"


def markdown(rows: Sequence[Sequence], headers: Sequence[str]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
