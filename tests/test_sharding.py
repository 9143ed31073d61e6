"""Data parallelism: ``fit(..., devices=4)`` gives the single-device parameters.

Runs in a subprocess with ``XLA_FLAGS=--xla_force_host_platform_device_count=4`` (the flag
must be set before JAX is imported, so it cannot be set inside this test process). The
oracle is the same fit on one device; the sharded run must agree to 1e-5. The child also
checks that the sharded run really placed the batch on 4 devices, and that ``learner.step``
accepts inputs sharded along the batch axis and gives the unsharded result.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, jax, jax.numpy as jnp, numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from catgrad import learn, nn

assert len(jax.devices()) == 4, jax.devices()
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 5)).astype(np.float32)
labels = np.argmax(x @ rng.normal(size=(5, 3)), axis=1)
model = nn.dense(5, 8, nn.tanh, name="h") >> nn.dense(8, 3, name="o")
out = {}

def leaves(t):
    return [np.asarray(a) for a in jax.tree_util.tree_leaves(t)]

for opt in ("gd", "adam"):
    make = (lambda: (learn.learning_rate(0.3), learn.gd())) if opt == "gd" else (lambda: (learn.learning_rate(1.0), learn.adam(0.02)))
    lr, o = make()
    one = learn.supervised(model, learn.softmax_cross_entropy, lr, o)
    lr, o = make()
    four = learn.supervised(model, learn.softmax_cross_entropy, lr, o)
    st0 = one.init(jax.random.PRNGKey(0))
    s1, h1 = learn.fit(one, st0, x, labels, epochs=5, batch_size=16, key=jax.random.PRNGKey(1), progress=False)
    s4, h4 = learn.fit(four, st0, x, labels, epochs=5, batch_size=16, key=jax.random.PRNGKey(1), progress=False,
                       devices=4)
    out[opt] = {
        "max_abs_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(leaves(s1.params), leaves(s4.params))),
        "max_abs_param": max(float(np.max(np.abs(a))) for a in leaves(s1.params)),
        "moved": max(float(np.max(np.abs(a - b))) for a, b in zip(leaves(s1.params), leaves(st0.params))),
        "loss_diff": max(abs(a - b) for a, b in zip(h1["loss"], h4["loss"])),
        "devices_of_params": len(jax.tree_util.tree_leaves(s4.params)[0].sharding.device_set),
    }

# learner.step with inputs sharded along the batch axis
mesh = Mesh(np.array(jax.devices()), ("batch",))
lrn = learn.supervised(model, learn.softmax_cross_entropy, learn.learning_rate(0.3), learn.gd())
st0 = lrn.init(jax.random.PRNGKey(0))
y1 = jax.nn.one_hot(labels[:16], 3)
xs = jax.device_put(jnp.asarray(x[:16]), NamedSharding(mesh, P("batch")))
ys = jax.device_put(y1, NamedSharding(mesh, P("batch")))
a = lrn.step(st0, x[:16], y1)
b = lrn.step(st0, xs, ys)
out["step"] = {
    "max_abs_diff": max(float(np.max(np.abs(u - v))) for u, v in zip(leaves(a.params), leaves(b.params))),
    "input_devices": len(xs.sharding.device_set),
}
print("RESULT" + json.dumps(out))
"""


def _run_child() -> dict:
    env = dict(os.environ)
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4").strip()
    env["JAX_PLATFORMS"] = "cpu"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("JAX_ENABLE_X64", None)
    proc = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"child failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])


def test_fit_on_four_devices_matches_one_device():
    res = _run_child()
    for opt in ("gd", "adam"):
        r = res[opt]
        assert r["moved"] > 1e-2, f"{opt}: training did not move the parameters"
        assert r["devices_of_params"] == 4, f"{opt}: the sharded run's parameters live on {r['devices_of_params']} devices"
        assert r["max_abs_diff"] <= 1e-5 * max(1.0, r["max_abs_param"]), f"{opt}: {r}"
        assert r["loss_diff"] <= 1e-5, f"{opt}: {r}"
    assert res["step"]["input_devices"] == 4
    assert res["step"]["max_abs_diff"] <= 1e-6, res["step"]
