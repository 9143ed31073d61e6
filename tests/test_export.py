"""``catgrad.export``: a model written as StableHLO (a serialized ``jax.export.Exported``) and its manifest,
loaded and run by a process that imports only JAX (issue 20, point 3).

Oracle: catgrad's own ``to_jax`` of the model at the same parameters; the loading process is a separate
Python that never imports catgrad (checked in ``sys.modules``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.export  # noqa: F401
import jax.numpy as jnp
import numpy as np
import pytest

import catgrad as cg
from catgrad import Array, learn, nn

LOADER = textwrap.dedent("""
    import sys, json
    import numpy as np
    import jax
    import jax.export
    path, data, out = sys.argv[1:4]
    exported = jax.export.deserialize(bytearray(open(path, "rb").read()))
    manifest = json.load(open(path + ".json"))
    xs = np.load(data)
    args = [xs[m["name"]] for m in manifest["inputs"]]
    ys = exported.call(*args)
    np.savez(out, **{m["name"]: np.asarray(y) for m, y in zip(manifest["outputs"], ys)})
    assert not any(name == "catgrad" or name.startswith("catgrad.") for name in sys.modules), "catgrad imported"
    print("ok")
""")


def _run_without_catgrad(tmp_path, path, **inputs) -> dict:
    script = tmp_path / "load.py"
    script.write_text(LOADER)
    np.savez(tmp_path / "in.npz", **inputs)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([sys.executable, str(script), str(path), str(tmp_path / "in.npz"), str(tmp_path / "out.npz")],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
    return dict(np.load(tmp_path / "out.npz"))


def _model():
    return (nn.dense(4, 8) >> nn.pointwise(8, 8, nn.gelu) >> nn.dense(8, 3))


def test_exported_para_runs_in_a_process_without_catgrad(tmp_path):
    model = _model()
    params = model.init(jax.random.PRNGKey(0))
    path = tmp_path / "model.jaxexport"
    manifest = cg.export(model, params, Array((4,)), path=str(path))
    assert manifest["inputs"] == [{"name": "x0", "shape": ["b", 4], "dtype": "float32"}]
    assert manifest["outputs"] == [{"name": "y0", "shape": ["b", 3], "dtype": "float32"}]
    assert json.loads((tmp_path / "model.jaxexport.json").read_text()) == json.loads(json.dumps(manifest))
    assert path.stat().st_size == manifest["bytes"] > 0
    f = cg.to_jax(model)
    for n in (1, 7):  # one artifact, any batch size (b is symbolic)
        x = np.random.default_rng(n).normal(size=(n, 4)).astype(np.float32)
        got = _run_without_catgrad(tmp_path, path, x0=x)["y0"]
        want = np.stack([np.asarray(f(params, jnp.asarray(xi))[0]) for xi in x])
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_exported_diagram_with_a_fixed_batch_and_per_example(tmp_path):
    d = cg.from_jax(lambda x, y: (jnp.tanh(x) * y, jnp.sum(x)), Array((3,)), Array((3,)))
    path = tmp_path / "d.jaxexport"
    m = cg.export(d, None, path=str(path), batch=2)
    assert [i["shape"] for i in m["inputs"]] == [[2, 3], [2, 3]] and m["outputs"][1]["shape"] == [2]
    x, y = np.ones((2, 3), np.float32), np.full((2, 3), 2.0, np.float32)
    out = _run_without_catgrad(tmp_path, path, x0=x, x1=y)
    np.testing.assert_allclose(out["y0"], np.tanh(x) * y, rtol=1e-6)
    np.testing.assert_allclose(out["y1"], [3.0, 3.0], rtol=1e-6)
    m = cg.export(d, None, path=str(path), batch=None)
    assert m["inputs"][0]["shape"] == [3] and m["outputs"][1]["shape"] == []
    exported = jax.export.deserialize(bytearray(path.read_bytes()))
    np.testing.assert_allclose(exported.call(x[0], y[0])[0], np.tanh(x[0]) * y[0], rtol=1e-6)


def test_an_exported_sequence_model_matches(tmp_path):
    """A causal transformer LM (gather, select, softmax, layer norm) exported with a symbolic batch."""
    m = nn.transformer_lm(vocab=7, context=5, width=8, heads=2, depth=1, bias=True, tied=True)
    params = m.init(jax.random.PRNGKey(3))
    path = tmp_path / "lm.jaxexport"
    cg.export(m, params, path=str(path))
    tokens = np.array([[1, 2, 3, 4, 5], [6, 0, 6, 0, 1]], np.int32)
    got = _run_without_catgrad(tmp_path, path, x0=tokens)["y0"]
    want = np.stack([np.asarray(cg.to_jax(m)(params, t)[0]) for t in tokens])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_bad_input(tmp_path):
    model = _model()
    params = model.init(jax.random.PRNGKey(0))
    with pytest.raises(TypeError, match="the model has parameters .*give them"):
        cg.export(model, None, path=str(tmp_path / "m"))
    with pytest.raises(OSError, match="cannot write .*does not exist"):
        cg.export(model, params, path=str(tmp_path / "no" / "such" / "m"))
    with pytest.raises(OSError, match="cannot write .*it is a folder"):
        cg.export(model, params, path=str(tmp_path))
    with pytest.raises(TypeError, match=r"input types f32\[5\] do not match the model's domain f32\[4\]"):
        cg.export(model, params, Array((5,)), path=str(tmp_path / "m"))
    with pytest.raises(TypeError, match="params do not fit"):
        cg.export(model, {"dense": {}}, path=str(tmp_path / "m"))
    with pytest.raises(TypeError, match="expects a Diagram or a Para"):
        cg.export("iris", params, path=str(tmp_path / "m"))
    with pytest.raises(TypeError, match="batch must be"):
        cg.export(model, params, path=str(tmp_path / "m"), batch=0)


def test_cli_export_iris(tmp_path):
    """``catgrad train iris --save p.npz`` then ``catgrad export iris --params p.npz -o iris.jaxexport``."""
    from catgrad.cli import main
    p = tmp_path / "p.npz"
    assert main(["train", "iris", "--epochs", "2", "--quiet", "--save", str(p)]) == 0
    out = tmp_path / "iris.jaxexport"
    assert main(["export", "iris", "--params", str(p), "-o", str(out)]) == 0
    manifest = json.loads((tmp_path / "iris.jaxexport.json").read_text())
    assert manifest["inputs"][0]["shape"] == ["b", 4] and manifest["params_baked_in"] is True
    assert main(["export", "iris", "--params", str(tmp_path / "missing.npz"), "-o", str(out)]) == 2
    assert main(["export", "iris", "--params", str(p), "-o", str(tmp_path / "no" / "x")]) == 2


def test_a_learners_step_exports_and_runs_without_catgrad(tmp_path):
    """The training step of a learner (state an input): run in a process that imports only jax, one step equals
    ``learner.step`` on the same state and batch."""
    lrn = learn.supervised(nn.dense(4, 3, nn.sigmoid), learn.mse, 1.0, learn.adam(0.1))
    state = lrn.init(jax.random.PRNGKey(0))
    path = tmp_path / "step.jaxexport"
    manifest = cg.export(lrn, path=str(path), batch=8)
    names = [m["name"] for m in manifest["inputs"]]
    assert names[:3] == ["params/dense/W", "params/dense/b", "opt_state/count"] and names[-2:] == ["x0", "y0"]
    assert [m["name"] for m in manifest["outputs"]][-2:] == ["loss", "prediction"]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    flat = dict(zip(names, [*jax.tree_util.tree_leaves(state), x, y]))
    got = _run_without_catgrad(tmp_path, path, **{k: np.asarray(v) for k, v in flat.items()})
    want = lrn.step(state, x, y)
    for name, a in zip(names, jax.tree_util.tree_leaves(want)):
        np.testing.assert_allclose(got[name], a, rtol=1e-6, atol=1e-7)
    with pytest.raises(TypeError, match="fixed batch size"):
        cg.export(lrn, path=str(tmp_path / "x.jaxexport"))
