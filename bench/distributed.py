"""Multi-process training throughput: ``learn.fit`` in 1 and 2 (or more) CPU processes on ``jax.distributed``,
against the same fit in one plain process (with one CPU device, and with two: ``fit(devices=2)``).

    python bench/distributed.py                     # MLP and transformer, 1 and 2 processes, and one plain process
    python bench/distributed.py --processes 1 2 4 --epochs 5

Each configuration is a fresh set of processes started by ``catgrad.distributed.launch`` (a coordinator on
localhost, gloo CPU collectives); "plain" is one process that never calls ``jax.distributed``. In every
process: one warm-up ``fit`` of one epoch (tracing and compiling), then a timed ``fit`` of ``--epochs``
epochs; process 0 reports examples per second (epochs · ⌊N / B⌋ · B / wall seconds, B the global batch) and
the final loss, which must agree across the configurations (the same minibatches in every configuration).

Models: the MLP 64-128-10 on 8,192 synthetic examples, batch 128 (gd); the character transformer of
``examples/transformer.py`` (width 32, 2 heads, 1 block, context 32, batch 32; Adam) on the shipped text.
On a machine with fewer cores than processes, the processes share the cores: expect no speed-up there.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _transformer_example():
    spec = importlib.util.spec_from_file_location("catgrad_examples_transformer", ROOT / "examples" / "transformer.py")
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    return ex


def problem(name: str):
    """``(learner, x, y, batch size)`` of a benchmark model."""
    import numpy as np
    from catgrad import learn, nn
    if name == "mlp":
        rng = np.random.default_rng(0)
        x = rng.normal(size=(8192, 64)).astype(np.float32)
        y = np.argmax(x @ rng.normal(size=(64, 10)), axis=1).astype(np.int32)
        model = nn.dense(64, 128, nn.relu, name="h") >> nn.dense(128, 10, name="o")
        return learn.supervised(model, learn.softmax_cross_entropy, learn.learning_rate(0.1), learn.gd()), x, y, 128
    ex = _transformer_example()
    vocab, x, y = ex.data(32)
    model = ex.model(len(vocab), 32, 32, 2, 1)
    return learn.supervised(model, learn.softmax_cross_entropy, learn.learning_rate(1.0), learn.adam(3e-3)), x, y, 32


def worker(name: str, epochs: int, out: str, devices: int) -> None:
    """One process of a configuration (after ``catgrad.distributed.initialize()``): warm up, then time ``fit``."""
    from catgrad import distributed
    distributed.initialize()
    import jax
    from catgrad import learn
    lrn, x, y, b = problem(name)
    state = lrn.init(jax.random.PRNGKey(0))
    on = {"devices": devices} if devices > 1 else {}
    learn.fit(lrn, state, x, y, epochs=1, batch_size=b, key=jax.random.PRNGKey(1), progress=False, **on)  # compile
    t0 = time.perf_counter()
    _, history = learn.fit(lrn, state, x, y, epochs=epochs, batch_size=b, key=jax.random.PRNGKey(1), progress=False,
                           **on)
    seconds = time.perf_counter() - t0
    if jax.process_index() == 0:
        n = x.shape[0] // b * b
        json.dump({"examples_per_s": epochs * n / seconds, "seconds": seconds, "loss": history["loss"][-1],
                   "devices": jax.device_count(), "processes": jax.process_count()}, open(out, "w"))


def run(name: str, processes: int, epochs: int, devices: int = 1) -> dict:
    """One configuration: ``processes`` launched processes (0: one plain process, with ``devices`` CPU devices)."""
    from catgrad import distributed
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        argv = [os.path.abspath(__file__), "--worker", name, "--epochs", str(epochs), "--out", out,
                "--devices", str(devices)]
        env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
        if devices > 1:
            env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        if processes == 0:
            import subprocess
            code = subprocess.run([sys.executable, *argv], env=dict(env, JAX_PLATFORMS="cpu")).returncode
        else:
            code = distributed.launch(argv, processes, timeout=1800, logs=tmp, environ=env)
        if code != 0:
            logs = "".join(pathlib.Path(tmp, f).read_text()[-2000:] for f in sorted(os.listdir(tmp)) if f.endswith(".log"))
            raise RuntimeError(f"{name}, {processes} processes: exit status {code}\n{logs}")
        return json.loads(pathlib.Path(out).read_text())


MEMORY = r"""
import json, sys, jax, numpy as np
from jax.sharding import Mesh
from catgrad import learn, nn, sharding

V, T, width, heads, depth, batch = 64, 64, 256, 8, 2, 32
lrn = learn.supervised(nn.transformer_lm(V, T, width, heads, depth), learn.softmax_cross_entropy,
                       learn.learning_rate(1.0), learn.adam(3e-3))
state = lrn.init(jax.random.PRNGKey(0))
x = np.zeros((batch, T), np.int32)
y = np.zeros((batch, T, V), np.float32)
step = lrn.compiled_step(batch)
rows = []
for model_axis, rule in ((1, None), (2, None), (2, sharding.TRANSFORMER), (4, None), (4, sharding.TRANSFORMER)):
    mesh = Mesh(np.array(jax.devices()).reshape(4 // model_axis, model_axis), ("data", "model"))
    placed = sharding.place(state, mesh, rule)
    xs, ys = (jax.device_put(a, jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))) for a in (x, y))
    on_device0 = sum(sh.data.nbytes for a in jax.tree_util.tree_leaves(placed) for sh in a.addressable_shards
                     if sh.device == jax.devices()[0])
    compiled = jax.jit(lambda st, a, b: step.apply(st, [a], [b])[0]).lower(placed, xs, ys).compile()
    m = compiled.memory_analysis()
    rows.append({"model": model_axis, "sharded": rule is not None, "state": on_device0, "arguments": m.argument_size_in_bytes,
                 "temp": m.temp_size_in_bytes, "output": m.output_size_in_bytes})
print("RESULT" + json.dumps(rows))
"""


def memory() -> list:
    """Per-device bytes of the transformer's training step on 4 CPU devices, meshes (data, model) = (4, 1), (2, 2),
    (1, 4), the parameters replicated or with the heads and feed-forward width split on ``"model"``
    (``sharding.TRANSFORMER``). At a given mesh the per-device batch is the same, so the two rows compare
    the parameters' placement alone."""
    import subprocess
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", MEMORY], env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1][len("RESULT"):])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--models", nargs="+", default=["mlp", "transformer"])
    ap.add_argument("--rounds", type=int, default=3, help="each configuration this many times, in rotated order; "
                    "the median is reported")
    ap.add_argument("--memory", action="store_true", help="only the per-device memory of the sharded transformer")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--devices", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.epochs, args.out, args.devices)
        return
    from common import machine, markdown, median
    print(machine())
    if args.memory:
        mib = 2 ** 20
        rows = [[f"{4 // r['model']} x {r['model']}", "heads and ff width on model" if r["sharded"] else "replicated",
                 f"{r['state'] / mib:.2f}", f"{r['arguments'] / mib:.2f}",
                 f"{r['temp'] / mib:.2f}", f"{r['output'] / mib:.2f}"] for r in memory()]
        print(markdown(rows, ["mesh data x model", "parameters", "state on device 0 (MiB)", "step arguments (MiB)",
                              "step temporaries (MiB)", "step outputs (MiB)"]))
        return
    configs = [("plain (no jax.distributed)", 0, 1), ("plain, 2 CPU devices (fit devices=2)", 0, 2)]
    configs += [(f"{p} process{'es' if p > 1 else ''} (jax.distributed)", p, 1) for p in args.processes]
    rows = []
    for name in args.models:
        epochs = args.epochs * (5 if name == "mlp" else 1)
        got = {c[0]: [] for c in configs}
        for r in range(args.rounds):
            for label, p, d in configs[r % len(configs):] + configs[:r % len(configs)]:
                got[label].append(run(name, p, epochs, devices=d))
                print(name, label, got[label][-1], flush=True)
        base = median([g["examples_per_s"] for g in got[configs[0][0]]])
        for label, p, d in configs:
            speed = median([g["examples_per_s"] for g in got[label]])
            rows.append([name, label, got[label][0]["devices"], f"{speed:,.0f}", f"{speed / base:.2f}",
                         f"{got[label][0]['loss']:.6f}"])
    print(markdown(rows, ["model", "configuration", "devices", "examples/s (median)", "/ plain",
                          "last epoch's loss"]))


if __name__ == "__main__":
    main()
