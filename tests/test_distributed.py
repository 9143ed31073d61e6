"""Multi-process training on ``jax.distributed`` (``catgrad.distributed``), with real processes.

Each test starts real Python processes (two CPU processes joined by a coordinator on a free
localhost port, gloo collectives; no mocks), with a timeout, and stops them if anything fails.
The oracle of a two-process ``fit`` is the same ``fit`` in one process: the parameters must
agree to 1e-5 for every optimiser (gd, momentum, nesterov, adagrad, rmsprop, adam and an optax
transformation), the histories likewise, and the evaluation must give the same number on both
processes. The resumed run (one process killed after its second checkpoint) must equal the
uninterrupted two-process run bit for bit.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from catgrad import distributed

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 240

CHILD = r"""
import json, os, signal, sys
from catgrad import distributed
distributed.initialize()
import jax, numpy as np, optax
from catgrad import checkpoint, learn, nn
from catgrad.datasets import iris

mode, out_path, ckpt = sys.argv[1], sys.argv[2], sys.argv[3]
d = iris()
x = (d.x - d.x.mean(0)) / d.x.std(0)
model = nn.dense(4, 8, nn.tanh, name="h") >> nn.dense(8, 3, name="o")
OPTS = {"gd": (0.1, learn.gd), "momentum": (0.05, learn.momentum), "nesterov": (0.05, learn.nesterov),
        "adagrad": (1.0, lambda: learn.adagrad(0.1)), "rmsprop": (1.0, lambda: learn.rmsprop(0.01)),
        "adam": (1.0, lambda: learn.adam(0.01)), "optax": (1.0, lambda: optax.adamw(0.01, weight_decay=0.1))}
out = {"process": jax.process_index(), "count": jax.process_count(), "devices": jax.device_count()}

def leaves(tree):
    return [np.asarray(a).tolist() for a in jax.tree_util.tree_leaves(tree)]

def learner(name, m=model):
    lr, opt = OPTS[name]
    return learn.supervised(m, learn.softmax_cross_entropy, learn.learning_rate(lr), opt())

def checkpointed(**kw):
    lrn = learner("adam")
    st, h = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, d.y, epochs=6, batch_size=30,
                      key=jax.random.PRNGKey(2), progress=False, checkpoint=ckpt, every=1, **kw)
    return {"state": leaves(st), "history": h}

if mode == "train":
    for name in OPTS:
        lrn = learner(name)
        st, h = learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, d.y, epochs=4, batch_size=30,
                          key=jax.random.PRNGKey(1), progress=True, validation=(x, d.y))
        out[name] = {"params": leaves(st.params), "history": h, "eval": lrn.evaluate(st.params, x, d.y)}
    lrn, rows = learner("adam"), np.arange(40, 70)  # one step of learner.step on a global minibatch
    one_hot = np.eye(3, dtype=np.float32)[d.y]
    st = lrn.init(jax.random.PRNGKey(0))
    if out["count"] > 1:
        mesh = distributed.mesh()
        xb, yb, lb = distributed.batches([x, one_hot, d.y], rows, mesh)
        steps = [lrn.step(distributed.replicate(st, mesh), xb, t) for t in (yb, lb)]
        out["step_input_spec"] = str(xb.sharding.spec)
        out["step_devices"] = [len(s.params["h"]["W"].sharding.device_set) for s in steps]
    else:
        steps = [lrn.step(st, x[rows], t) for t in (one_hot[rows], d.y[rows])]
    out["step"] = [leaves(s) for s in steps]
    if out["count"] > 1:
        out["checkpointed"] = checkpointed()
elif mode == "killed":  # process 1 dies right after the second checkpoint is written
    save = checkpoint.save
    def dying_save(path, state, **kw):
        save(path, state, **kw)
        if jax.process_index() == 1 and kw["progress"]["epoch"] == 2:
            os.kill(os.getpid(), signal.SIGKILL)
    checkpoint.save = dying_save
    checkpointed()
elif mode == "resumed":
    out["resumed"] = checkpointed(resume=True)
    errors = {}
    other = nn.dense(4, 8 + jax.process_index(), nn.tanh, name="h") >> nn.dense(8 + jax.process_index(), 3, name="o")
    for what, run in {"model": lambda: learner("gd", other), "batch": lambda: learner("gd")}.items():
        lrn = run()
        try:
            learn.fit(lrn, lrn.init(jax.random.PRNGKey(0)), x, d.y, epochs=1, batch_size=31 if what == "batch" else 30,
                      progress=False)
        except Exception as exc:
            errors[what] = f"{type(exc).__name__}: {exc}"
    out["errors"] = errors
json.dump(out, open(f"{out_path}.{jax.process_index()}", "w"))
"""


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["JAX_PLATFORMS"] = "cpu"
    for k in ("XLA_FLAGS", "JAX_ENABLE_X64", distributed.ADDRESS, distributed.COUNT, distributed.ID):
        env.pop(k, None)
    env.update(extra)
    return env


def _start(tmp_path: Path, args: list, processes: int, name: str) -> list:
    """``processes`` real processes running the child (joined by a coordinator if more than one)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    extra = {distributed.ADDRESS: f"127.0.0.1:{distributed.free_port()}", distributed.COUNT: str(processes)} \
        if processes > 1 else {}
    procs = []
    for i in range(processes):
        env = _env(**extra, **({distributed.ID: str(i)} if processes > 1 else {}))
        log = open(tmp_path / f"{name}.{i}.log", "w")
        procs.append(subprocess.Popen([sys.executable, str(script), *args], env=env, cwd=tmp_path, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
        log.close()
    return procs


def _finish(tmp_path: Path, procs: list, name: str, out: str, timeout: float = TIMEOUT) -> list:
    """Wait for the processes (stopping them all on failure or timeout); their results, one dict each."""
    deadline = time.monotonic() + timeout
    try:
        while any(p.poll() is None for p in procs):
            failed = [p for p in procs if p.poll() not in (None, 0)]
            if failed or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        distributed.stop(procs)
    logs = [(tmp_path / f"{name}.{i}.log").read_text() for i in range(len(procs))]
    for i, p in enumerate(procs):
        assert p.returncode == 0, f"process {i} of {name} ended with {p.returncode}:\n{logs[i][-4000:]}"
    return [json.loads(Path(f"{out}.{i}").read_text()) for i in range(len(procs))]


def _max_diff(a: list, b: list) -> float:
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(a, b))


OPTIMISERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "optax")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The two-process training run and its one-process oracle (run at the same time), then the kill and resume."""
    tmp = tmp_path_factory.mktemp("distributed")
    ckpt = str(tmp / "run.ckpt")
    one = _start(tmp, ["train", str(tmp / "one"), str(tmp / "unused.ckpt")], 1, "one")
    two = _start(tmp, ["train", str(tmp / "two"), ckpt], 2, "two")
    try:
        two_out = _finish(tmp, two, "two", str(tmp / "two"))
    finally:
        one_out = _finish(tmp, one, "one", str(tmp / "one"))
    os.unlink(ckpt)
    killed = _start(tmp, ["killed", str(tmp / "killed"), ckpt], 2, "killed")
    deadline = time.monotonic() + TIMEOUT
    try:
        while killed[1].poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert killed[1].returncode == -9, (tmp / "killed.1.log").read_text()[-3000:]
        killed_at = __import__("catgrad").learn.read_manifest(ckpt)["fit"]["epoch"]
    finally:
        distributed.stop(killed)
    resumed = _finish(tmp, _start(tmp, ["resumed", str(tmp / "resumed"), ckpt], 2, "resumed"), "resumed",
                      str(tmp / "resumed"))
    logs = [(tmp / f"two.{i}.log").read_text() for i in range(2)]
    return {"one": one_out[0], "two": two_out, "logs": logs, "killed_at": killed_at, "resumed": resumed}


@pytest.mark.parametrize("name", OPTIMISERS)
def test_two_processes_give_the_one_process_parameters(runs, name):
    one, (p0, p1) = runs["one"], runs["two"]
    assert (p0["count"], p0["devices"], p1["process"]) == (2, 2, 1)
    assert _max_diff(one[name]["params"], p0[name]["params"]) <= 1e-5
    assert _max_diff(p0[name]["params"], p1[name]["params"]) == 0.0  # replicated: the same on both
    moved = max(float(np.max(np.abs(np.asarray(a)))) for a in one[name]["params"])
    assert moved > 0.1
    for k in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert np.allclose(one[name]["history"][k], p0[name]["history"][k], atol=1e-5), k
        assert p0[name]["history"][k] == p1[name]["history"][k], k
    assert p0[name]["eval"] == p1[name]["eval"]  # the same number on every process
    assert abs(p0[name]["eval"]["loss"] - one[name]["eval"]["loss"]) <= 1e-5


def test_learner_step_on_a_global_minibatch_is_the_one_process_step(runs):
    one, (p0, p1) = runs["one"], runs["two"]
    assert p0["step_input_spec"] == "P('batch',)" and p0["step_devices"] == [2, 2]
    for targets in (0, 1):  # one-hot targets, integer labels
        assert _max_diff(one["step"][targets], p0["step"][targets]) <= 1e-6
        assert p0["step"][targets] == p1["step"][targets]


def test_only_process_0_shows_progress(runs):
    log0, log1 = runs["logs"]
    assert "epochs:" in log0 and "epochs:" not in log1


def test_a_run_killed_mid_way_resumes_bit_for_bit(runs):
    assert runs["killed_at"] == 2  # process 1 was killed after the second of six epochs
    full = runs["two"][0]["checkpointed"]
    for out in runs["resumed"]:
        assert out["resumed"]["state"] == full["state"]  # bit for bit (the JSON floats are exact)
        assert out["resumed"]["history"] == full["history"]


def test_processes_that_disagree_are_told_not_left_waiting(runs):
    for out in runs["resumed"]:
        assert out["errors"]["model"].startswith("DistributedError: fit: the processes disagree on the model")
        assert out["errors"]["batch"] == ("ValueError: fit: batch_size 31 must be divisible by the 2 devices of "
                                          "the 2 processes")


def test_an_unreachable_coordinator_is_a_clear_error(tmp_path):
    env = _env(**{distributed.ADDRESS: f"127.0.0.1:{distributed.free_port()}", distributed.COUNT: "2",
                  distributed.ID: "1"})
    code = "from catgrad import distributed; distributed.initialize(timeout=1)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "DistributedError: the coordinator 127.0.0.1:" in proc.stderr
    assert "could not be reached within 1 s" in proc.stderr


def test_settings_read_the_environment():
    assert distributed.settings({"CATGRAD_COORDINATOR_ADDRESS": "a:1", "JAX_COORDINATOR_ADDRESS": "b:2",
                                 "JAX_NUM_PROCESSES": "3", "JAX_PROCESS_ID": "1"}) == \
        {"coordinator_address": "a:1", "num_processes": 3, "process_id": 1}


def test_the_launcher_trains_on_two_processes(tmp_path):
    from catgrad import cli
    from catgrad import experiments as E
    args = ["train", "iris", "--epochs", "3", "--quiet", "--optimiser", "adam", "--batch-size", "10"]
    proc = subprocess.run([sys.executable, "-m", "catgrad", *args, "--processes", "2", "--save",
                           str(tmp_path / "two.npz")], env=_env(), cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.count("final parameters") == 1  # printed by process 0 only
    assert cli.main([*args, "--save", str(tmp_path / "one.npz")]) == 0
    _, one, _ = E.load_params(str(tmp_path / "one.npz"))
    _, two, _ = E.load_params(str(tmp_path / "two.npz"))
    import jax
    assert _max_diff(jax.tree_util.tree_leaves(one), jax.tree_util.tree_leaves(two)) <= 1e-5
    assert _max_diff(jax.tree_util.tree_leaves(one), jax.tree_util.tree_leaves(E.model("iris").init(
        jax.random.PRNGKey(0)))) > 1e-3  # trained


SHARDED = r"""
import json, jax, numpy as np
from jax.sharding import Mesh, PartitionSpec as P
from catgrad import learn, nn, sharding

assert jax.device_count() == 4, jax.devices()
rng = np.random.default_rng(0)
V, T = 13, 8
x = rng.integers(0, V, size=(64, T)).astype(np.int32)
y = np.eye(V, dtype=np.float32)[np.roll(x, -1, axis=1)]
lrn = learn.supervised(nn.transformer_lm(V, T, 16, 2, 1), learn.softmax_cross_entropy, learn.learning_rate(1.0),
                       learn.adam(0.01))
st0 = lrn.init(jax.random.PRNGKey(0))
kw = dict(epochs=3, batch_size=16, key=jax.random.PRNGKey(1), progress=False, validation=(x[:16], y[:16]))
s1, h1 = learn.fit(lrn, st0, x, y, **kw)
mesh = Mesh(np.array(jax.devices()).reshape(2, 2), ("data", "model"))
s4, h4 = learn.fit(lrn, st0, x, y, mesh=mesh, param_sharding=sharding.TRANSFORMER, **kw)
leaves = lambda t: [np.asarray(a) for a in jax.tree_util.tree_leaves(t)]
out = {"diff": max(float(np.max(np.abs(a - b))) for a, b in zip(leaves(s1), leaves(s4))),
       "moved": max(float(np.max(np.abs(a - b))) for a, b in zip(leaves(s1.params), leaves(st0.params))),
       "val_loss": [h1["val_loss"], h4["val_loss"]]}
where = {}
for name, a in [("Wq", s4.params["block0"]["attention"]["Wq"]), ("Wo", s4.params["block0"]["attention"]["Wo"]),
                ("ff1/b", s4.params["block0"]["ff1"]["b"]), ("mu ff2/W", s4.opt_state.mu["block0"]["ff2"]["W"]),
                ("nu Wk", s4.opt_state.nu["block0"]["attention"]["Wk"]), ("head/W", s4.params["head"]["W"]),
                ("count", s4.opt_state.count)]:
    where[name] = [str(a.sharding.spec), list(a.shape), list(a.addressable_shards[0].data.shape),
                   len(a.sharding.device_set)]
out["where"] = where
errors = {}
for what, call in {
        "indivisible": lambda: learn.fit(lrn, st0, x, y, mesh=mesh, param_sharding=[("head/b$", P("model"))], **kw),
        "unknown axis": lambda: learn.fit(lrn, st0, x, y, mesh=mesh, param_sharding=[("head/W$", P("heads"))], **kw),
        "no mesh": lambda: learn.fit(lrn, st0, x, y, param_sharding=sharding.TRANSFORMER, **kw),
        "batch": lambda: learn.fit(lrn, st0, x, y, mesh=mesh, **dict(kw, batch_size=15))}.items():
    try:
        call()
    except Exception as exc:
        errors[what] = f"{type(exc).__name__}: {exc}"
out["errors"] = errors
print("RESULT" + json.dumps(out))
"""


def test_parameters_sharded_per_array_on_a_2x2_mesh_give_the_unsharded_result(tmp_path):
    """The transformer's heads and feed-forward width split on "model", the batch on "data" (4 simulated CPU
    devices as 2 × 2): each parameter and its Adam moments live in halves, and the run equals the unsharded one."""
    env = _env(XLA_FLAGS="--xla_force_host_platform_device_count=4")
    proc = subprocess.run([sys.executable, "-c", SHARDED], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    out = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1][len("RESULT"):])
    assert out["diff"] <= 1e-5 and out["moved"] > 1e-2
    assert np.allclose(*out["val_loss"], atol=1e-5)
    w = out["where"]
    assert w["Wq"] == ["P('model', None)", [16, 16], [8, 16], 4]  # the heads' rows split in two
    assert w["Wo"] == ["P(None, 'model')", [16, 16], [16, 8], 4]
    assert w["ff1/b"] == ["P('model',)", [64], [32], 4]  # the feed-forward width split
    assert w["mu ff2/W"] == ["P(None, 'model')", [16, 64], [16, 32], 4]  # the optimiser state likewise
    assert w["nu Wk"] == ["P('model', None)", [16, 16], [8, 16], 4]
    assert w["head/W"] == ["P()", [13, 16], [13, 16], 4] and w["count"][0] == "P()"  # the rest replicated
    e = out["errors"]
    assert e["indivisible"] == ("ValueError: param_sharding: head/b has shape (13,); its length 13 is not divisible "
                                "by the 2 devices of the mesh axis 'model' (P('model',))")
    assert "names the axis 'heads', not one of the mesh's ('data', 'model')" in e["unknown axis"]
    assert e["no mesh"].startswith("ValueError: fit: param_sharding= needs mesh=")
    assert e["batch"] == ("ValueError: fit: batch_size 15 must be divisible by the 2 devices of the mesh axis "
                          "'data'")


def test_bad_settings_are_one_line_errors(capsys):
    import jax
    from jax.sharding import Mesh, PartitionSpec as P
    from catgrad import cli, learn, nn, sharding
    assert cli.main(["train", "iris", "--boolean", "--processes", "2"]) == 2
    assert "--processes does not apply with --boolean" in capsys.readouterr().err
    lrn = learn.supervised(nn.dense(2, 1, name="h"), learn.mse, 0.1, learn.gd())
    st, x = lrn.init(jax.random.PRNGKey(0)), np.ones((4, 2), np.float32)
    mesh = Mesh(np.array(jax.devices()[:1]).reshape(1, 1), ("data", "model"))
    with pytest.raises(ValueError, match=r"^fit: give devices= or mesh=, not both$"):
        learn.fit(lrn, st, x, x[:, :1], mesh=mesh, devices=1, progress=False)
    with pytest.raises(TypeError, match=r"^fit: mesh must be a jax.sharding.Mesh, got list$"):
        learn.fit(lrn, st, x, x[:, :1], mesh=[0], progress=False)
    with pytest.raises(ValueError, match=r"^param_sharding: h/W has shape \(1, 2\), but its spec .* names 3 axes$"):
        sharding.shardings(st, mesh, {"h": {"W": P("model", None, None)}})
    with pytest.raises(distributed.DistributedError, match="CATGRAD_PROCESS_ID='x' is not a whole number"):
        distributed.settings({"CATGRAD_PROCESS_ID": "x"})
