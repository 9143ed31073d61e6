"""The ``catgrad`` command: train/eval output, --plot, --save, bad input (one line, exit status 2)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from catgrad import cli


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_train_iris_prints_epochs_and_accuracies(capsys):
    status, out, err = run(capsys, "train", "iris", "--model", "dense", "--epochs", "4", "--quiet", "--every", "1")
    assert status == 0, err
    lines = out.splitlines()
    assert sum(line.startswith("epoch") for line in lines) == 4
    assert "train accuracy" in out and "test accuracy" in out
    assert "120 train / 30 test" in lines[0]


def test_train_on_all_has_no_test_accuracy(capsys):
    status, out, _ = run(capsys, "train", "iris", "--model", "linear", "--epochs", "2", "--quiet",
                         "--test-fraction", "0")
    assert status == 0 and "150 train / 0 test" in out and "test accuracy" not in out


def test_plot_and_save_then_eval(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png, npz = tmp_path / "c.png", tmp_path / "p.npz"
    status, out, _ = run(capsys, "train", "iris", "--model", "dense", "--optimiser", "adam", "--lr", "0.01",
                         "--epochs", "3", "--batch-size", "8", "--quiet", "--plot", str(png), "--save", str(npz))
    assert status == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    train_acc = [line for line in out.splitlines() if line.startswith("train accuracy")][0].split()[-1]
    status, out, _ = run(capsys, "eval", "iris", "--params", str(npz))
    assert status == 0
    assert out.splitlines()[1].split()[2] == train_acc  # the same parameters, the same split


@pytest.mark.parametrize("argv, message", [
    (["train", "cifar"], "unknown dataset 'cifar'"),
    (["train", "iris", "--model", "conv"], "unknown model 'conv' for iris"),
    (["train", "mnist", "--data", "/no/such/folder"], "no such folder"),
    (["train", "iris", "--data", "."], "mnist only"),
    (["eval", "iris", "--params", "/no/such/file.npz"], "no such file"),
])
def test_bad_input_is_one_line_and_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_eval_of_a_file_for_another_dataset(capsys, tmp_path):
    npz = tmp_path / "p.npz"
    assert run(capsys, "train", "iris", "--epochs", "1", "--quiet", "--save", str(npz))[0] == 0
    status, _, err = run(capsys, "eval", "digits", "--params", str(npz))
    assert status == 2 and "holds a iris model" in err


def test_eval_of_a_file_that_is_not_catgrad(capsys, tmp_path):
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a zip")
    status, _, err = run(capsys, "eval", "iris", "--params", str(bad))
    assert status == 2 and "not a catgrad parameter file" in err


@pytest.mark.parametrize("argv", [["train", "iris", "--epochs", "0"], ["train", "iris", "--lr", "-1"],
                                  ["train", "iris", "--test-fraction", "1.5"], ["train", "iris", "--optimiser", "sgdx"]])
def test_bad_numbers_are_argparse_errors(capsys, argv):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_boolean_flag_dispatches_to_the_rda_experiments(capsys):
    status, out, _ = run(capsys, "train", "iris", "--boolean", "--model", "table")
    assert status == 0 and "paper 73.3%" in out
    status, _, err = run(capsys, "train", "iris", "--boolean", "--model", "dense")
    assert status == 2 and "model for iris must be one of" in err and "Traceback" not in err


def test_python_dash_m_catgrad():
    r = subprocess.run([sys.executable, "-m", "catgrad", "train", "nope"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown dataset 'nope'" in r.stderr and "Traceback" not in r.stderr
