"""Checkpoints (``learn.save`` / ``learn.load`` and ``fit(checkpoint=...)``).

Oracles: the uninterrupted run (N + M steps or epochs in one go), compared bitwise with the run
saved after N and resumed; the bytes of the previous file after a write made to fail; the
manifest and arrays read back with plain ``numpy.load(allow_pickle=False)``.
"""
from __future__ import annotations

import json
import os

import jax
import numpy as np
import pytest

from catgrad import learn, nn
from catgrad import checkpoint as ckpt
from catgrad.record import leaves

KEY = jax.random.PRNGKey(0)


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, np.argmax(x @ rng.normal(size=(4, 3)), axis=1)


def _learner(opt=None):
    model = nn.dense(4, 6, nn.tanh, name="h") >> nn.dense(6, 3, name="o")
    return learn.supervised(model, learn.softmax_cross_entropy, 1.0 if opt is None else 0.3,
                            learn.adam(0.05) if opt is None else opt)


def _bitwise_equal(a, b) -> bool:
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    return ta == tb and all(np.asarray(u).dtype == np.asarray(v).dtype and
                            np.asarray(u).tobytes() == np.asarray(v).tobytes() for u, v in zip(la, lb))


@pytest.mark.parametrize("opt", [None, learn.momentum(0.9), learn.gd(), learn.rmsprop(0.01)])
def test_round_trip_is_bitwise(tmp_path, opt):
    lrn = _learner(opt)
    x, y = _data()
    st = lrn.step(lrn.init(KEY), x[:16], y[:16])
    path = tmp_path / "a.ckpt"
    learn.save(path, st)
    back = learn.load(path, lrn)
    assert type(back.opt_state) is type(st.opt_state)
    assert _bitwise_equal(back, st)
    # the file is a plain npz: a manifest and one array per leaf, readable without pickle
    with np.load(path, allow_pickle=False) as f:
        manifest = json.loads(str(f["__manifest__"]))
        assert set(f.files) - {"__manifest__"} == set(manifest["arrays"]) == set(ckpt.leaves_by_path(st))
        np.testing.assert_array_equal(f["params/h/W"], st.params["h"]["W"])
    assert manifest["format"] == "catgrad-checkpoint" and manifest["version"] == 1
    assert manifest["state_class"] == type(st.opt_state).__name__
    assert manifest["arrays"]["params/o/b"] == {"shape": [3], "dtype": "float32"}


def test_boolean_state_round_trip(tmp_path):
    from catgrad.boolean import lookup_table, random_bits
    lrn = learn.supervised(lookup_table(3, 2), learn.xor_loss, learn.identity_rate, learn.rda())
    table = random_bits(KEY, leaves(lrn.model.param))
    params = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(lrn.model.param), list(table))
    st = learn.TrainState(params, lrn.optimiser.init(params))
    learn.save(tmp_path / "b", st)
    back = learn.load(tmp_path / "b", lrn)
    assert back.params["lut"]["table"].dtype == np.bool_ and _bitwise_equal(back, st)


def test_resume_after_n_steps_is_bitwise_the_uninterrupted_run(tmp_path):
    lrn = _learner()
    x, y = _data()
    batches = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 48, 8)]
    st = lrn.init(KEY)
    for xb, yb in batches:  # N + M = 6 steps in one go
        st = lrn.step(st, xb, yb)
    resumed = lrn.init(KEY)
    for xb, yb in batches[:2]:  # N = 2
        resumed = lrn.step(resumed, xb, yb)
    learn.save(tmp_path / "n.ckpt", resumed)
    resumed = learn.load(tmp_path / "n.ckpt", _learner())  # a fresh learner, as in a new process
    for xb, yb in batches[2:]:  # M = 4
        resumed = lrn.step(resumed, xb, yb)
    assert _bitwise_equal(resumed, st)
    assert not _bitwise_equal(st.params, lrn.init(KEY).params)


@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_resumed_from_its_checkpoint_is_bitwise_the_uninterrupted_fit(tmp_path, shuffle):
    lrn = _learner()
    x, y = _data()
    val = _data(20, seed=3)
    kw = dict(batch_size=8, key=jax.random.PRNGKey(7), progress=False, shuffle=shuffle, validation=val)
    full, hist_full = learn.fit(lrn, lrn.init(KEY), x, y, epochs=5, **kw)
    path = tmp_path / "fit.ckpt"
    learn.fit(lrn, lrn.init(KEY), x, y, epochs=2, checkpoint=path, **kw)  # "interrupted" after 2 epochs
    assert learn.read_manifest(path)["fit"]["epoch"] == 2
    resumed, hist = learn.fit(lrn, lrn.init(jax.random.PRNGKey(99)), x, y, epochs=5, checkpoint=path,
                              resume=True, **kw)
    assert _bitwise_equal(resumed, full)
    assert hist == hist_full
    assert learn.read_manifest(path)["fit"]["epoch"] == 5
    # resuming a finished run does nothing more
    again, hist2 = learn.fit(lrn, lrn.init(KEY), x, y, epochs=5, checkpoint=path, resume=True, **kw)
    assert _bitwise_equal(again, full) and hist2 == hist_full


def test_fit_saves_every_k_epochs_and_at_the_end(tmp_path, monkeypatch):
    lrn = _learner()
    x, y = _data()
    saved = []
    real_save = ckpt.save
    monkeypatch.setattr(ckpt, "save", lambda path, state, **kw: (saved.append(kw["progress"]["epoch"]),
                                                                 real_save(path, state, **kw)))
    st, _ = learn.fit(lrn, lrn.init(KEY), x, y, epochs=5, batch_size=8, progress=False,
                      checkpoint=tmp_path / "e.ckpt", every=2)
    assert saved == [2, 4, 5]
    assert _bitwise_equal(learn.load(tmp_path / "e.ckpt", lrn), st)


def test_resume_refuses_another_run(tmp_path):
    lrn = _learner()
    x, y = _data()
    path = tmp_path / "r.ckpt"
    learn.fit(lrn, lrn.init(KEY), x, y, epochs=1, batch_size=8, progress=False, checkpoint=path)
    with pytest.raises(learn.CheckpointError, match=r"batch_size 8 \(now 16\)"):
        learn.fit(lrn, lrn.init(KEY), x, y, epochs=2, batch_size=16, progress=False, checkpoint=path, resume=True)
    learn.save(tmp_path / "plain", lrn.init(KEY))
    with pytest.raises(learn.CheckpointError, match="not written by fit"):
        learn.fit(lrn, lrn.init(KEY), x, y, epochs=2, batch_size=8, progress=False, checkpoint=tmp_path / "plain",
                  resume=True)


# -- atomic writes -------------------------------------------------------------------------

def _failing(where):
    def fail(*args, **kwargs):
        if where == "savez":  # write part of an archive, then fail
            args[0].write(b"PK\x03\x04 partial")
        raise OSError(f"disk full ({where})")
    return fail


@pytest.mark.parametrize("where", ["savez", "fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch, where):
    lrn = _learner()
    path = tmp_path / "keep.ckpt"
    old = lrn.init(KEY)
    learn.save(path, old)
    before = path.read_bytes()
    target = {"savez": (ckpt.np, "savez"), "fsync": (ckpt.os, "fsync"), "replace": (ckpt.os, "replace")}[where]
    monkeypatch.setattr(*target, _failing(where))
    new = lrn.step(old, *_data(8))
    with pytest.raises(OSError, match="disk full"):
        learn.save(path, new)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.ckpt"], "the temporary file was left behind"
    assert _bitwise_equal(learn.load(path, lrn), old)


def test_save_writes_exactly_the_path_given(tmp_path):
    learn.save(tmp_path / "params", _learner().init(KEY))
    assert os.listdir(tmp_path) == ["params"]


# -- checks on load --------------------------------------------------------------------------

def _rewrite(path, edit):
    """Rewrite a checkpoint with ``edit(manifest, arrays)`` applied (plain numpy, no catgrad)."""
    with np.load(path, allow_pickle=False) as f:
        manifest = json.loads(str(f["__manifest__"]))
        arrays = {k: f[k] for k in f.files if k != "__manifest__"}
    edit(manifest, arrays)
    with open(path, "wb") as fh:  # (np.savez would append .npz to a path)
        np.savez(fh, __manifest__=np.array(json.dumps(manifest)), **arrays)


BAD_FILES = {
    "missing": (lambda m, a: a.pop("opt_state/mu/o/W"), r"missing the array opt_state/mu/o/W \(shape \(3, 6\)"),
    "extra": (lambda m, a: a.update({"params/o/c": np.zeros(3, np.float32)}), r"holds an array params/o/c .* does not have"),
    "shape": (lambda m, a: a.update({"params/h/b": np.zeros(5, np.float32)}),
              r"params/h/b is shape \(5,\), dtype float32; the learner expects shape \(6,\), dtype float32"),
    "dtype": (lambda m, a: a.update({"params/h/b": np.zeros(6, np.int32)}), r"params/h/b is .*dtype int32.*float32"),
    "version": (lambda m, a: m.update(version=99), r"format version 99; this catgrad reads version 1"),
    "format": (lambda m, a: m.update(format="other"), r"not a catgrad checkpoint \(format 'other'\)"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_file_that_does_not_fit_is_named(tmp_path, case):
    lrn = _learner()
    path = tmp_path / "x.ckpt"
    learn.save(path, lrn.init(KEY))
    edit, message = BAD_FILES[case]
    _rewrite(path, edit)
    with pytest.raises(learn.CheckpointError, match=message):
        learn.load(path, lrn)


def test_unreadable_files(tmp_path):
    lrn = _learner()
    path = tmp_path / "t.ckpt"
    learn.save(path, lrn.init(KEY))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(learn.CheckpointError, match="truncated"):
        learn.load(path, lrn)
    (tmp_path / "text").write_text("hello")
    with pytest.raises(learn.CheckpointError, match="not a readable catgrad checkpoint"):
        learn.load(tmp_path / "text", lrn)
    np.savez(tmp_path / "plain.npz", a=np.zeros(2))
    with pytest.raises(learn.CheckpointError, match="no __manifest__ entry"):
        learn.load(tmp_path / "plain.npz", lrn)
    with pytest.raises(FileNotFoundError, match="no checkpoint file"):
        learn.load(tmp_path / "none", lrn)


def test_another_optimiser_is_named(tmp_path):
    learn.save(tmp_path / "m", _learner(learn.momentum(0.5)).init(KEY))
    with pytest.raises(learn.CheckpointError, match=r"holds a MomentumState optimiser state; the learner's optimiser "
                                                    r"\(adam\) uses AdamState"):
        learn.load(tmp_path / "m", _learner())
