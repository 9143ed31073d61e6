"""The character-level transformer LM trained through the learner, against its hand-written twin.

Oracle: examples/transformer.py's ``reference_*`` functions, the same model written in plain
``jax.numpy``, differentiated by ``jax.grad`` and updated by ``optax.adam``, from the same initial
parameters and the same batches. A tiny model for a few steps keeps CI fast; the full run is the
example script. Also the shipped text's loader (``datasets.genesis``) and its encodings.
"""
from __future__ import annotations

import bz2
import importlib.util
import pathlib

import jax
import numpy as np
import pytest

from catgrad import Array, datasets, learn, nn

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def ex():
    spec = importlib.util.spec_from_file_location("catgrad_examples_transformer", EXAMPLES / "transformer.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_genesis_text():
    text = datasets.genesis()
    assert len(text) == 110_319 and text.count("\n") == 874  # Genesis 1–30 has 874 verses
    assert text.startswith("In the beginning God created the heaven and the earth.\n")
    assert text.endswith("and maidservants, and menservants, and camels, and asses.\n")  # Genesis 30:43


def test_genesis_checksum_is_checked(tmp_path, monkeypatch):
    from catgrad.datasets import text as text_mod
    (tmp_path / text_mod.GENESIS_FILE).write_bytes(bz2.compress(b"In the beginning"))
    monkeypatch.setattr(text_mod, "DATA", tmp_path)
    with pytest.raises(datasets.DatasetError, match="genesis_1-30_kjv.txt.bz2: sha256 of the text is"):
        datasets.genesis()
    (tmp_path / text_mod.GENESIS_FILE).write_bytes(b"not bzip2")
    with pytest.raises(datasets.DatasetError, match="not a readable bzip2 file"):
        datasets.genesis()
    (tmp_path / text_mod.GENESIS_FILE).unlink()
    with pytest.raises(datasets.DatasetFileNotFoundError, match="no such file"):
        datasets.genesis()


def test_char_vocab_and_windows():
    v = datasets.CharVocab.of("hello world")
    assert v.decode(v.encode("low")) == "low"
    with pytest.raises(ValueError, match="character 'z' is not in the vocabulary"):
        v.encode("z")
    x, y = datasets.char_windows(np.arange(7), context=3)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]] and y.tolist() == [[1, 2, 3], [4, 5, 6]]
    with pytest.raises(ValueError, match="too short"):
        datasets.char_windows(np.arange(3), context=5)


@pytest.mark.parametrize("stack", [False, True], ids=["unrolled", "stacked"])
def test_transformer_lm_trains_like_its_jax_optax_twin(ex, stack):
    """Same initial parameters and batches: the per-epoch losses agree far within 2%, and so do the
    parameters after the steps (differences at float32 rounding). Stacked: the blocks are one scan
    (R[scan] inside the learner), the twin's blocks a ``lax.scan`` over the stacked parameters."""
    vocab, x, y = ex.data(context=8)
    x, y = x[:64], y[:64]
    heads, eta = 2, 1e-2
    # unrolled: one block keeps the compile short (test_transformer_lm_types builds three); stacked: any
    # depth costs the same, the diagram holds one block
    m = nn.transformer_lm(len(vocab), context=8, width=16, heads=heads, depth=3 if stack else 1, stack=stack)
    if stack:
        assert sum(op.gen.name == "scan" for op in m.map.ops) == 1
    lrn = learn.supervised(m, learn.softmax_cross_entropy, learn.learning_rate(1.0), learn.adam(eta))
    params = jax.jit(m.init)(jax.random.PRNGKey(0))
    st0 = learn.TrainState(params, lrn.optimiser.init(params))
    key = jax.random.PRNGKey(1)
    st, hist = learn.fit(lrn, st0, x, y, epochs=2, batch_size=16, key=key, progress=False)
    ref_params, ref_means, _ = ex.reference_fit(st0.params, x, y, heads=heads, eta=eta, epochs=2, batch_size=16,
                                                key=key)
    np.testing.assert_allclose(hist["loss"], ref_means, rtol=1e-4)
    assert hist["loss"][1] < hist["loss"][0]  # it learns
    diffs = jax.tree_util.tree_leaves(jax.tree_util.tree_map(lambda a, b: float(np.max(np.abs(a - b))),
                                                             st.params, ref_params))
    assert max(diffs) < 1e-4
    # the prediction is the twin's forward map
    ref_forward = jax.jit(ex.reference_forward, static_argnums=2)
    np.testing.assert_allclose(lrn.predict(st.params, x[:16]), ref_forward(st.params, x[:16], heads),
                               rtol=1e-4, atol=1e-4)


def test_transformer_lm_types():
    m = nn.transformer_lm(vocab=7, context=5, width=8, heads=2, depth=3)
    assert m.dom[0] == Array((5,), "int32") and m.cod[0] == Array((5, 7))
    params = jax.eval_shape(m.init, jax.random.PRNGKey(0))
    assert {f"block{k}" for k in range(3)} <= set(params)
    assert params["block2"]["attention"]["Wq"].shape == (8, 8)
