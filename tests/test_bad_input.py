"""Bad input as a new user would give it, through the public API and the ``catgrad`` command.

Each API entry is (id, thunk, exception type, regex the message must match); each CLI entry is
(id, argv, regex the one-line stderr must match). Every message must name the function or the
option, the argument, and what was got, so no entry matches on a generic word alone. The core's
own cases (composition, generators, semantics) are in tests/test_errors.py.
"""
from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import jax
import numpy as np
import pytest

import catgrad as cg
from catgrad import cli, datasets as D, errors, experiments as E, nn

X8 = cg.Array((1, 8, 8))
Y4 = np.array([0, 0, 1, 1])
Z4 = np.zeros((4, 1))
KEY = jax.random.PRNGKey(0)

OBJECTS = [
    ("array_float_size", lambda: cg.Array((2.5,)), TypeError,
     r"Array shape must be a tuple of ints, got \(2\.5,\): size 0 is float 2\.5, not an int"),
    ("array_whole_float_size", lambda: cg.Array((3, 2.0)), TypeError, r"size 1 is float 2\.0, not an int; write 2"),
    ("array_numpy_float_size", lambda: cg.Array((np.float32(4),)), TypeError, r"size 0 is float32 .*4.*, not an int"),
    ("array_str_size", lambda: cg.Array(("3",)), TypeError, r"size 0 is str '3', not an int"),
    ("array_bool_size", lambda: cg.Array((True, 2)), TypeError, r"size 0 is bool True, not an int"),
    ("array_nested_shape", lambda: cg.Array(((2, 3),)), TypeError, r"size 0 is tuple \(2, 3\), not an int"),
    ("array_negative_size", lambda: cg.Array((-1,)), TypeError, r"Array shape must have non-negative sizes, got \(-1,\)"),
    ("array_float_scalar_shape", lambda: cg.Array(2.5), TypeError, r"Array shape must be a tuple of ints, got 2\.5"),
    ("array_str_shape", lambda: cg.Array("abc"), TypeError, r"Array shape must be a tuple of ints, got 'abc'"),
    ("array_none_shape", lambda: cg.Array(None), TypeError, r"Array shape must be a tuple of ints, got None"),
    ("array_int_dtype", lambda: cg.Array((3,), 5), TypeError, r"Array dtype 5 is not a dtype; use one of"),
    ("array_unknown_dtype", lambda: cg.Array((3,), "int8"), TypeError, r"Array dtype 'int8' is not supported"),
    ("array_float16", lambda: cg.Array((3,), "float16"), TypeError, r"Array dtype 'float16' is not supported"),
]

LAYERS = [
    ("dense_float_size", lambda: nn.dense(2.5, 3), TypeError,
     r"dense: n_in must be a positive int, got float 2\.5; a whole number is needed, e.g\. n_in=2"),
    ("dense_whole_float_size", lambda: nn.dense(4.0, 3), TypeError, r"dense: n_in .* got float 4\.0; write n_in=4"),
    ("dense_zero_in", lambda: nn.dense(0, 3), ValueError, r"dense: n_in must be a positive int, got int 0"),
    ("dense_zero_out", lambda: nn.dense(3, 0), ValueError, r"dense: n_out must be a positive int, got int 0"),
    ("dense_negative", lambda: nn.dense(-4, 3), ValueError, r"dense: n_in must be a positive int, got int -4"),
    ("dense_str_size", lambda: nn.dense("4", 3), TypeError, r"dense: n_in .* got str '4'; write n_in=4 \(a number, not a string\)"),
    ("dense_bool_size", lambda: nn.dense(True, 3), TypeError, r"dense: n_in must be a positive int, got bool True"),
    ("dense_none_size", lambda: nn.dense(None, 3), TypeError, r"dense: n_in must be a positive int, got NoneType None"),
    ("dense_unknown_activation", lambda: nn.dense(4, 3, "gelu"), ValueError,
     r"dense: unknown activation 'gelu'; known: relu, sigmoid, softmax, tanh"),
    ("dense_activation_case", lambda: nn.dense(4, 3, "Sigmoid"), ValueError,
     r"unknown activation 'Sigmoid'.*\(did you mean 'sigmoid'\?\)"),
    ("dense_activation_typo", lambda: nn.dense(4, 3, "sigmod"), ValueError, r"\(did you mean 'sigmoid'\?\)"),
    ("dense_activation_int", lambda: nn.dense(4, 3, 5), TypeError,
     r"dense: activation must be a layer \(nn\.sigmoid, …\), one of the names .* or None, got int 5"),
    ("dense_unknown_init", lambda: nn.dense(4, 3, init="xavier"), ValueError,
     r"linear: unknown initialiser 'xavier'; known: glorot, glorot_normal"),
    ("dense_init_typo", lambda: nn.dense(4, 3, init="glorot_unifrom"), ValueError, r"did you mean 'glorot_uniform'"),
    ("dense_init_number", lambda: nn.dense(4, 3, init=0.1), TypeError,
     r"linear: init must be a function \(key, shape, dtype\) -> array .* got float 0\.1; e\.g\. init=nn\.init\.normal\(0\.1\)"),
    ("dense_name_int", lambda: nn.dense(4, 3, name=1), TypeError, r"dense: name must be a non-empty str .* got int 1"),
    ("dense_name_empty", lambda: nn.dense(4, 3, name=""), TypeError, r"dense: name must be a non-empty str .* got str ''"),
    ("linear_zero", lambda: nn.linear(0, 3), ValueError, r"linear: n_in must be a positive int, got int 0"),
    ("linear_float", lambda: nn.linear(3, 1.5), TypeError, r"linear: n_out must be a positive int, got float 1\.5"),
    ("bias_zero", lambda: nn.bias(0), ValueError, r"bias: n must be a positive int, got int 0"),
    ("bias_float", lambda: nn.bias(2.5), TypeError, r"bias: n must be a positive int, got float 2\.5"),
    ("conv_zero_kernel", lambda: nn.conv2d(1, 3, 0), ValueError, r"conv2d: kernel_size must be a positive int, got int 0"),
    ("conv_negative_kernel", lambda: nn.conv2d(1, 3, -3), ValueError, r"conv2d: kernel_size must be a positive int, got int -3"),
    ("conv_zero_in_pair", lambda: nn.conv2d(1, 3, (3, 0)), ValueError, r"conv2d: kernel_size\[1\] must be a positive int, got int 0"),
    ("conv_float_kernel", lambda: nn.conv2d(1, 3, 2.5), TypeError,
     r"conv2d: kernel_size must be a positive int or a pair of positive ints, got float 2\.5"),
    ("conv_str_kernel", lambda: nn.conv2d(1, 3, "3"), TypeError, r"kernel_size .* got str '3'; write kernel_size=3"),
    ("conv_triple_kernel", lambda: nn.conv2d(1, 3, (3, 3, 3)), TypeError,
     r"conv2d: kernel_size must be a positive int or a pair of positive ints, got tuple \(3, 3, 3\)"),
    ("conv_zero_stride", lambda: nn.conv2d(1, 3, 3, stride=0), ValueError, r"conv2d: stride must be a positive int, got int 0"),
    ("conv_float_stride", lambda: nn.conv2d(1, 3, 3, stride=1.5), TypeError, r"conv2d: stride must be .* got float 1\.5"),
    ("conv_zero_channels_in", lambda: nn.conv2d(0, 3, 3), ValueError, r"conv2d: c_in must be a positive int, got int 0"),
    ("conv_zero_channels_out", lambda: nn.conv2d(1, 0, 3), ValueError, r"conv2d: c_out must be a positive int, got int 0"),
    ("conv_negative_channels", lambda: nn.conv2d(1, -2, 3), ValueError, r"conv2d: c_out must be a positive int, got int -2"),
    ("conv_unknown_init", lambda: nn.conv2d(1, 3, 3, init="kaiming"), ValueError, r"conv2d: unknown initialiser 'kaiming'"),
    ("conv_kernel_too_big", lambda: nn.conv2d(1, 3, 10)(X8), TypeError, r"conv2d: .*the kernel \(10, dilation 1\) is larger"),
    ("conv_channel_mismatch", lambda: nn.conv2d(2, 3, 3)(X8), TypeError, r"conv2d: expects an input \(C=2, H, W\), got f32\[1,8,8\]"),
    ("conv_bad_padding", lambda: nn.conv2d(1, 3, 3, padding="FULL")(X8), TypeError,
     r"conv2d: .*padding must be 'VALID', 'SAME', an int or \(lo, hi\) pairs, got 'FULL'"),
    ("pool_zero_window", lambda: nn.max_pool2d(0), ValueError, r"max_pool2d: window must be a positive int, got int 0"),
    ("pool_negative_window", lambda: nn.max_pool2d(-2), ValueError, r"max_pool2d: window must be a positive int, got int -2"),
    ("pool_float_window", lambda: nn.max_pool2d(2.5), TypeError, r"max_pool2d: window must be .* got float 2\.5"),
    ("pool_zero_stride", lambda: nn.max_pool2d(2, stride=0), ValueError, r"max_pool2d: stride must be a positive int, got int 0"),
    ("pool_window_too_big", lambda: nn.max_pool2d(10)(X8), TypeError, r"max_pool2d: the window \(10, 10\) is larger than"),
    ("pool_on_vector", lambda: nn.max_pool2d(2)(cg.Array((8,))), TypeError, r"max_pool2d: expects .* of rank ≥ 2, got f32\[8\]"),
    ("flatten_two_wires", lambda: nn.flatten(cg.Array((2,)) @ cg.Array((2,))), TypeError,
     r"flatten: expects one input wire, got f32\[2\] @ f32\[2\]"),
    ("activation_on_int", lambda: nn.relu(cg.Array((2,), "int32")), TypeError, r"relu: cannot apply to i32\[2\]"),
    ("layer_then_number", lambda: nn.relu >> 3, TypeError, r"relu >> …: the right-hand side must be a layer or a Para, got int 3"),
    ("sequential_number", lambda: nn.sequential(cg.Array((4,)), nn.dense(4, 3), 7), TypeError, r"cannot compose a Para with int 7"),
    ("sequential_mismatch", lambda: nn.sequential(cg.Array((4,)), nn.dense(3, 2)), TypeError,
     r"the codomain f32\[4\] of the first is not the domain f32\[3\] of the second"),
    ("init_normal_negative", lambda: nn.init.normal(-0.1), ValueError,
     r"nn\.init\.normal: stddev must be a finite real number > 0, got float -0\.1"),
    ("init_normal_zero", lambda: nn.init.normal(0), ValueError, r"stddev must be a finite real number > 0, got int 0"),
    ("init_normal_nan", lambda: nn.init.normal(float("nan")), ValueError, r"stddev .* got float nan"),
    ("init_normal_str", lambda: nn.init.normal("0.1"), TypeError, r"stddev .* got str '0\.1'; write stddev=0\.1"),
    ("init_get_number", lambda: nn.init.get(3), TypeError, r"nn\.init\.get: init must be a function .* got int 3"),
    ("init_get_unknown", lambda: nn.init.get("he_uniform"), ValueError, r"nn\.init\.get: unknown initialiser 'he_uniform'"),
]

DATA = [
    ("split_fraction_zero", lambda: D.stratified_split(Z4, Y4, 0, 0), ValueError,
     r"test_fraction must lie strictly between 0 and 1, got 0; to train on everything, do not split"),
    ("split_fraction_one", lambda: D.stratified_split(Z4, Y4, 1.0, 0), ValueError, r"strictly between 0 and 1, got 1\.0"),
    ("split_fraction_nan", lambda: D.stratified_split(Z4, Y4, float("nan"), 0), ValueError, r"strictly between 0 and 1, got nan"),
    ("split_fraction_str", lambda: D.stratified_split(Z4, Y4, "0.5", 0), TypeError,
     r"stratified_split: test_fraction must be a finite real number > 0 and < 1, got str '0\.5'; write test_fraction=0\.5"),
    ("split_fraction_none", lambda: D.stratified_split(Z4, Y4, None, 0), TypeError, r"test_fraction .* got NoneType None"),
    ("split_leaves_no_training", lambda: D.stratified_split(np.zeros((2, 1)), np.array([0, 1]), 0.9, 0), ValueError,
     r"test_fraction=0\.9 leaves the training part empty \(2 rows, classes of 1 to 1 rows"),
    ("split_leaves_no_test", lambda: D.stratified_split(Z4, Y4, 0.01, 0), ValueError,
     r"test_fraction=0\.01 leaves the test part empty"),
    ("split_negative_seed", lambda: D.stratified_split(Z4, Y4, 0.5, -1), ValueError,
     r"stratified_split: seed must be a non-negative int, got int -1"),
    ("split_float_seed", lambda: D.stratified_split(Z4, Y4, 0.5, 1.5), TypeError, r"seed must be a non-negative int, got float 1\.5"),
    ("split_str_seed", lambda: D.stratified_split(Z4, Y4, 0.5, "a"), TypeError, r"seed must be a non-negative int, got str 'a'"),
    ("split_float_labels", lambda: D.stratified_split(Z4, Y4.astype(float), 0.5, 0), TypeError,
     r"stratified_split: labels y must be integers, got dtype float64 \(convert with y\.astype\(int\)\)"),
    ("split_no_rows", lambda: D.stratified_split(np.zeros((0, 1)), np.zeros(0, int), 0.5, 0), ValueError,
     r"stratified_split: no examples to split \(x of shape \(0, 1\)"),
    ("split_misaligned", lambda: D.stratified_split(np.zeros((3, 1)), Y4, 0.5, 0), ValueError,
     r"x has 3 row\(s\) .* but y has 4 label"),
    ("split_2d_labels", lambda: D.stratified_split(Z4, Y4[:, None], 0.5, 0), ValueError, r"labels y must be 1-d, got shape \(4, 1\)"),
    ("per_class_float", lambda: D.per_class_split(Z4, Y4, 1.5), TypeError,
     r"per_class_split: n_train must be a non-negative int, got float 1\.5"),
    ("per_class_negative", lambda: D.per_class_split(Z4, Y4, -1), ValueError, r"n_train must be a non-negative int, got int -1"),
    ("per_class_str", lambda: D.per_class_split(Z4, Y4, "2"), TypeError, r"n_train .* got str '2'; write n_train=2"),
    ("per_class_too_many", lambda: D.per_class_split(Z4, Y4, 3), ValueError, r"class 0 has 2 row\(s\), fewer than n_train=3"),
    ("one_hot_zero_classes", lambda: D.one_hot(Y4, 0), ValueError, r"one_hot: k must be a positive int, got int 0"),
    ("one_hot_float_classes", lambda: D.one_hot(Y4, 2.5), TypeError, r"one_hot: k must be a positive int, got float 2\.5"),
    ("one_hot_float_labels", lambda: D.one_hot(np.array([0.0, 1.0]), 2), ValueError,
     r"one_hot: labels must be a 1-d integer array, got dtype float64"),
    ("one_hot_label_range", lambda: D.one_hot(np.array([0, 3]), 3), ValueError, r"labels must lie in 0\.\.2, got values from 0 to 3"),
    ("minmax_strings", lambda: D.minmax(np.array(["a", "b"])), TypeError, r"minmax: x must be an array of numbers, got dtype <U1"),
    ("minmax_reference_shape", lambda: D.minmax(np.zeros((2, 3)), np.zeros((2, 4))), ValueError,
     r"minmax: reference of shape \(2, 4\) does not match x of shape \(2, 3\)"),
    ("binarize_str_threshold", lambda: D.binarize(np.ones(3), "0.5"), TypeError,
     r"binarize: threshold must be a finite real number, got str '0\.5'; write threshold=0\.5"),
    ("binarize_nan_threshold", lambda: D.binarize(np.ones(3), float("nan")), ValueError,
     r"binarize: threshold must be a finite real number, got float nan"),
    ("binarize_strings", lambda: D.binarize(np.array(["x"]), 0.5), TypeError, r"binarize: x must be an array of numbers"),
    ("read_idx_int_path", lambda: D.read_idx(5), TypeError, r"read_idx: path must be a file path \(str or pathlib\.Path\), got int 5"),
    ("read_idx_none_path", lambda: D.read_idx(None), TypeError, r"read_idx: path must be a file path .* got NoneType None"),
    ("read_idx_missing", lambda: D.read_idx("/no/such/file-idx1-ubyte"), D.DatasetFileNotFoundError,
     r"/no/such/file-idx1-ubyte: no such file"),
    ("write_idx_int_path", lambda: D.write_idx(3, np.zeros(2, np.uint8)), TypeError, r"write_idx: path must be a file path .* got int 3"),
    ("write_idx_strings", lambda: D.write_idx("/tmp/never-written.idx", np.array(["a"])), TypeError,
     r"write_idx: IDX has no type for dtype <U1"),
    ("write_idx_scalar", lambda: D.write_idx("/tmp/never-written.idx", np.uint8(3)), ValueError,
     r"write_idx: IDX stores 1 to 255 dimensions, got an array of shape \(\)"),
    ("mnist_int_path", lambda: D.mnist(5), TypeError, r"mnist: path must be a file path .* got int 5"),
    ("mnist_missing_folder", lambda: D.mnist("/no/such/folder"), D.DatasetFileNotFoundError,
     r"/no/such/folder: no such directory \(expected the MNIST IDX files in it\)"),
    ("mnist_kind", lambda: D.mnist("/tmp", kind="validation"), ValueError, r"mnist: kind must be 'train' or 'test', got 'validation'"),
    ("experiments_dataset", lambda: E.load("cifar10"), ValueError, r"unknown dataset 'cifar10'; known: iris, digits, mnist"),
    ("experiments_model", lambda: E.model("iris", "conv"), ValueError, r"unknown model 'conv' for iris; known: linear, dense, hidden"),
    ("experiments_fraction", lambda: E.load("iris", test_fraction=1.0), ValueError, r"test_fraction must lie in \[0, 1\), got 1\.0"),
    ("experiments_optimiser", lambda: E.optimiser("sgd", 0.1), ValueError, r"unknown optimiser 'sgd'; known: gd, momentum"),
]

ERRORS_MODULE = [
    ("integer_bool", lambda: errors.integer("f", "n", False, minimum=0), TypeError, r"f: n must be a non-negative int, got bool False"),
    ("integer_minimum", lambda: errors.integer("f", "n", 2, minimum=3), ValueError, r"f: n must be an int ≥ 3, got int 2"),
    ("real_interval", lambda: errors.real("f", "p", 1.0, low=0.0, high=1.0, high_open=True), ValueError,
     r"f: p must be a finite real number ≥ 0 and < 1, got float 1\.0"),
    ("real_bool", lambda: errors.real("f", "p", True), TypeError, r"f: p must be a finite real number, got bool True"),
    ("choice_not_str", lambda: errors.choice("f", "mode", 3, ["a", "b"]), TypeError, r"f: mode must be one of 'a', 'b', got int 3"),
    ("path_empty", lambda: errors.path("f", "path", ""), TypeError, r"f: path must be a file path .* got str ''"),
]

API = OBJECTS + LAYERS + DATA + ERRORS_MODULE


@pytest.mark.parametrize("name,thunk,exc,pattern", API, ids=[b[0] for b in API])
def test_api_bad_input(name, thunk, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        thunk()
    origin = str(info.traceback[-1].path)  # raised by catgrad, never deep inside jax or numpy
    assert "/jax/" not in origin and "/numpy/" not in origin, origin


# ---------------------------------------------------------------- the command line

ARGPARSE = [  # argparse's own errors: one line, exit status 2, a pointer to --help
    ("no_command", [], r"the following arguments are required: \{train,eval,draw,export\} \(see `catgrad --help`\)"),
    ("unknown_command", ["fit", "iris"], r"argument \{train,eval,draw,export\}: invalid choice: 'fit'"),
    ("unknown_option", ["train", "iris", "--epocs", "3"], r"unrecognized arguments: --epocs 3 \(see `catgrad --help`\)"),
    ("epochs_zero", ["train", "iris", "--epochs", "0"], r"argument --epochs: expected a positive integer, got '0' \(see `catgrad train --help`\)"),
    ("epochs_float", ["train", "iris", "--epochs", "2.5"], r"argument --epochs: expected a positive integer, got '2\.5'"),
    ("epochs_word", ["train", "iris", "--epochs", "ten"], r"argument --epochs: expected a positive integer, got 'ten'"),
    ("batch_zero", ["train", "iris", "--batch-size", "0"], r"argument --batch-size: expected a positive integer, got '0'"),
    ("lr_negative", ["train", "iris", "--lr", "-1"], r"argument --lr: expected a positive number, got '-1'"),
    ("lr_zero", ["train", "iris", "--lr", "0"], r"argument --lr: expected a positive number, got '0'"),
    ("lr_nan", ["train", "iris", "--lr", "nan"], r"argument --lr: expected a positive number, got 'nan'"),
    ("lr_inf", ["train", "iris", "--lr", "inf"], r"argument --lr: expected a positive number, got 'inf'"),
    ("lr_word", ["train", "iris", "--lr", "fast"], r"argument --lr: expected a positive number, got 'fast'"),
    ("fraction_one", ["train", "iris", "--test-fraction", "1"], r"argument --test-fraction: expected a fraction in \[0, 1\), got '1'"),
    ("fraction_negative", ["train", "iris", "--test-fraction", "-0.1"], r"expected a fraction in \[0, 1\), got '-0\.1'"),
    ("seed_negative", ["train", "iris", "--seed", "-1"], r"argument --seed: expected a seed in 0 \.\. 4294967295 .* got '-1'"),
    ("seed_huge", ["train", "iris", "--seed", str(2**64)], r"argument --seed: expected a seed in 0 \.\. 4294967295"),
    ("seed_float", ["train", "iris", "--seed", "1.5"], r"argument --seed: expected a seed .* got '1\.5'"),
    ("split_seed_huge", ["train", "iris", "--split-seed", "99999999999"], r"argument --split-seed: expected a seed"),
    ("every_zero", ["train", "iris", "--every", "0"], r"argument --every: expected a positive integer, got '0'"),
    ("optimiser_unknown", ["train", "iris", "--optimiser", "sgd"], r"argument --optimiser/--optimizer: invalid choice: 'sgd'"),
    ("optimiser_missing_value", ["train", "iris", "--optimiser"], r"argument --optimiser/--optimizer: expected one argument"),
    ("eval_without_params", ["eval", "iris"], r"the following arguments are required: --params \(see `catgrad eval --help`\)"),
]


@pytest.mark.parametrize("name,argv,pattern", ARGPARSE, ids=[a[0] for a in ARGPARSE])
def test_argparse_errors_are_one_line(capsys, name, argv, pattern):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith("catgrad: error: ") and err.count("\n") == 1 and "usage:" not in err, err
    assert re.search(pattern, err), err


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A parameter file of the Iris dense model (one epoch), and a folder to write variants of it in."""
    folder = tmp_path_factory.mktemp("params")
    path = folder / "p.npz"
    assert cli.main(["train", "iris", "--model", "dense", "--epochs", "1", "--quiet", "--save", str(path)]) == 0
    return path


def _variant(saved, name, manifest=True, **changes):
    """A copy of the saved checkpoint with some arrays changed (``None`` removes one; keys are the
    parameter paths, e.g. ``dense/W``); ``manifest=True`` keeps the manifest describing the arrays."""
    with np.load(saved) as f:
        entries = {k: f[k] for k in f.files}
    meta = json.loads(str(entries["__manifest__"]))
    for key, value in changes.items():
        if key == "protocol":
            meta["metadata"]["protocol"] = value
            continue
        path = f"params/{key}"
        entries[path] = value
        if value is None:
            meta["arrays"].pop(path, None)
        elif manifest:
            meta["arrays"][path] = {"shape": list(value.shape), "dtype": value.dtype.name}
    entries["__manifest__"] = np.array(json.dumps(meta))
    path = saved.parent / f"{name}.npz"
    np.savez(path, **{k: v for k, v in entries.items() if v is not None})
    return path


def _protocol(saved, **changes):
    with np.load(saved) as f:
        meta = json.loads(str(f["__manifest__"]))["metadata"]["protocol"]
    return {**meta, **changes}


def _bad_manifest(saved):
    with np.load(saved) as f:
        entries = {k: f[k] for k in f.files}
    entries["__manifest__"] = np.array("{oops")
    path = saved.parent / "json.npz"
    np.savez(path, **entries)
    return path


def _truncated(saved):
    path = saved.parent / "truncated.npz"
    raw = saved.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


def _empty(saved):
    path = saved.parent / "empty.npz"
    path.write_bytes(b"")
    return path


EVAL = [  # (id, how to make the file from the saved one, the message)
    ("truncated", _truncated, r"is not a readable catgrad checkpoint \(truncated, or not an \.npz file"),
    ("empty", _empty, r"is not a readable catgrad checkpoint"),
    ("wrong_shape", lambda s: _variant(s, "shape", **{"dense/W": np.zeros((3, 5), np.float32)}),
     r"params/dense/W.*\(3, 5\).*\(3, 4\)"),
    ("wrong_dtype", lambda s: _variant(s, "dtype", **{"dense/W": np.zeros((3, 4), np.float64)}),
     r"params/dense/W.*float64.*float32"),
    ("unlisted_array", lambda s: _variant(s, "unlisted", manifest=False, **{"dense/W": np.zeros((3, 5), np.float32)}),
     r"params/dense/W"),
    ("nan_values", lambda s: _variant(s, "nan", **{"dense/b": np.full(3, np.nan, np.float32)}), r"dense\.b holds NaN or inf values"),
    ("missing_array", lambda s: _variant(s, "missing", **{"dense/W": None}), r"params/dense/W"),
    ("extra_array", lambda s: _variant(s, "extra", **{"other/K": np.zeros(2, np.float32)}), r"params/other/K"),
    ("no_protocol", lambda s: _variant(s, "noproto", protocol=None), r"no protocol in its metadata"),
    ("bad_json", _bad_manifest, r"not a catgrad parameter file"),
    ("unknown_field", lambda s: _variant(s, "field", protocol=_protocol(s, foo=1)), r"unexpected keyword argument 'foo'"),
    ("protocol_unknown_model", lambda s: _variant(s, "model", protocol=_protocol(s, model="conv")),
     r"unknown model 'conv' for iris"),
    ("other_dataset", lambda s: _variant(s, "digits", protocol=_protocol(s, dataset="digits")),
     r"(holds a digits model, not iris|digits)"),
    ("a_folder", lambda s: s.parent, r"is a folder, not a file"),
]


@pytest.mark.parametrize("name,make,pattern", EVAL, ids=[e[0] for e in EVAL])
def test_eval_of_an_odd_parameter_file_is_one_line(capsys, saved, name, make, pattern):
    path = make(saved)
    status = cli.main(["eval", "iris", "--params", str(path)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert re.search(pattern, err), err


TRAIN = [  # (id, extra argv after `train`, the message): each stops before training
    ("save_missing_folder", ["iris", "--save", "/no/such/folder/p.npz"], r"--save /no/such/folder/p\.npz: no such folder /no/such/folder"),
    ("save_unwritable", ["iris", "--save", "/proc/p.npz"], r"--save /proc/p\.npz: cannot write in /proc"),
    ("save_is_folder", ["iris", "--save", "/tmp"], r"--save /tmp: is a folder; give a file name, e\.g\. /tmp/out\.npz"),
    ("plot_missing_folder", ["iris", "--plot", "/no/such/c.png"], r"--plot /no/such/c\.png: no such folder"),
    ("plot_unwritable", ["iris", "--plot", "/proc/c.png"], r"--plot /proc/c\.png: cannot write in /proc"),
    ("plot_unknown_format", ["iris", "--plot", "curves.xyz"], r"--plot curves\.xyz: matplotlib cannot write \.xyz files; use one of .*\.png"),
    ("unknown_dataset", ["cifar"], r"unknown dataset 'cifar'; choose one of iris, digits, mnist"),
    ("unknown_model", ["iris", "--model", "conv"], r"unknown model 'conv' for iris"),
    ("data_not_mnist", ["iris", "--data", "."], r"--data applies to mnist only"),
    ("data_missing", ["mnist", "--data", "/no/such/folder"], r"--data /no/such/folder: no such folder"),
    ("data_with_fraction", ["mnist", "--data", ".", "--test-fraction", "0.1"], r"--test-fraction does not apply with --data"),
    ("fraction_no_training", ["iris", "--test-fraction", "0.99"],
     r"--test-fraction 0\.99: stratified_split: test_fraction=0\.99 leaves the training part empty"),
    ("fraction_no_test", ["iris", "--test-fraction", "0.001"], r"--test-fraction 0\.001: .* leaves the test part empty"),
    ("batch_larger_than_data", ["iris", "--batch-size", "500"], r"--batch-size 500 is larger than the 120 training examples"),
    ("boolean_optimiser", ["iris", "--boolean", "--optimiser", "adam"], r"--optimiser does not apply with --boolean"),
    ("boolean_lr", ["iris", "--boolean", "--lr", "0.1"], r"--lr does not apply with --boolean"),
    ("boolean_batch", ["iris", "--boolean", "--batch-size", "4"], r"--batch-size does not apply with --boolean"),
    ("boolean_plot", ["iris", "--boolean", "--plot", "c.png"], r"--plot does not apply with --boolean"),
    ("boolean_save", ["iris", "--boolean", "--save", "p.npz"], r"--save does not apply with --boolean"),
    ("boolean_several", ["iris", "--boolean", "--lr", "0.1", "--save", "p"], r"--lr, --save do not apply with --boolean .* they take --model"),
    ("boolean_model", ["iris", "--boolean", "--model", "dense"], r"model for iris must be one of"),
]


@pytest.mark.parametrize("name,argv,pattern", TRAIN, ids=[t[0] for t in TRAIN])
def test_train_bad_input_stops_before_training(capsys, name, argv, pattern):
    if name.startswith("plot_"):
        pytest.importorskip("matplotlib")  # without it, --plot says to install it (tests/test_cli.py)
    status = cli.main(["train", *argv, "--quiet"])
    out, err = capsys.readouterr()
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert re.search(pattern, err), err
    assert "epoch" not in out  # no training happened


def test_mnist_directory_with_a_truncated_idx_file(capsys, tmp_path):
    D.write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    D.write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.uint8))
    D.write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8))
    raw = pathlib.Path(tmp_path / "train-images-idx3-ubyte").read_bytes()
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05\x01")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(raw[:-7])
    status = cli.main(["train", "mnist", "--model", "dense", "--data", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "train-images-idx3-ubyte: truncated IDX data" in err and "needs 2352 bytes of data, got 2345" in err


def test_at_least_110_bad_inputs_with_the_core_table():
    from test_errors import BAD
    n = len(API) + len(ARGPARSE) + len(EVAL) + len(TRAIN) + 1 + len(BAD)
    assert n >= 110, n
    ids = [b[0] for b in API] + [a[0] for a in ARGPARSE] + [e[0] for e in EVAL] + [t[0] for t in TRAIN]
    assert len(ids) == len(set(ids))


def test_bad_input_through_a_subprocess_is_one_line():
    r = subprocess.run([sys.executable, "-m", "catgrad", "train", "iris", "--epochs", "-3"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == ("catgrad: error: argument --epochs: expected a positive integer, got '-3' "
                        "(see `catgrad train --help`)\n")
