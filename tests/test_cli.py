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


# ---------------------------------------------------------------- issue 13: what a run says and does

def _first_line(out):
    return out.splitlines()[0]


@pytest.mark.parametrize("optimiser, says", [
    ("adam", "optimiser adam (step η = 0.001, adam's default step; --lr to change)"),
    ("adagrad", "optimiser adagrad (step η = 0.01, adagrad's default step; --lr to change)"),
    ("rmsprop", "optimiser rmsprop (step η = 0.01, rmsprop's default step; --lr to change)"),
    ("momentum", "optimiser momentum (rate α = 0.01, the protocol's)"),
    ("nesterov", "optimiser nesterov (rate α = 0.01, the protocol's)"),
])
def test_each_optimiser_has_its_default_rate_and_the_run_says_which(capsys, optimiser, says):
    status, out, err = run(capsys, "train", "iris", "--model", "linear", "--optimiser", optimiser, "--epochs", "1",
                           "--quiet", "--batch-size", "30")
    assert status == 0, err
    assert says in _first_line(out)


def test_an_explicit_lr_is_used_and_named(capsys):
    status, out, _ = run(capsys, "train", "iris", "--model", "linear", "--optimiser", "adam", "--lr", "0.02",
                         "--epochs", "1", "--quiet", "--batch-size", "30")
    assert status == 0 and "optimiser adam (step η = 0.02, --lr)" in _first_line(out)


def test_adam_without_lr_does_not_take_the_protocols_gd_rate_as_its_step(capsys):
    """Digits' protocol is momentum with α = 0.1; Adam took η = 0.1 from it (0.29 test accuracy after the
    protocol's 30 epochs, 0.42 after 3). With η = 0.001: 0.78 after 6 epochs, 0.91 after 30."""
    status, out, _ = run(capsys, "train", "digits", "--model", "dense", "--optimiser", "adam", "--epochs", "6",
                         "--quiet")
    assert status == 0 and "step η = 0.001" in _first_line(out)
    acc = float([line for line in out.splitlines() if line.startswith("test accuracy")][0].split()[-1])
    assert acc > 0.7, out


def test_epoch_lines_say_their_accuracy_is_a_running_mean(capsys):
    status, out, _ = run(capsys, "train", "iris", "--model", "linear", "--epochs", "2", "--quiet", "--batch-size", "30")
    assert status == 0
    lines = out.splitlines()
    assert any(line.startswith("per epoch: running train loss and accuracy are means over the epoch's steps")
               for line in lines)
    epochs = [line for line in lines if line.startswith("epoch")]
    assert all("running train loss" in line and "running train acc" in line and "test acc" in line for line in epochs)
    final = lines.index("final parameters:")
    assert lines[final + 1].startswith("train accuracy") and lines[final + 2].startswith("test accuracy")


def test_a_run_stopped_on_non_finite_values_exits_3(capsys, tmp_path):
    npz = tmp_path / "diverged.npz"
    status, out, err = run(capsys, "train", "iris", "--model", "linear", "--lr", "1e30", "--epochs", "3", "--quiet",
                           "--save", str(npz))
    assert status == cli.EXIT_NONFINITE == 3
    assert "training stopped: a NaN or inf appeared at epoch 1" in out
    assert "final parameters (the last finite ones):" in out
    assert err.strip().splitlines()[-1] == ("catgrad: training stopped on a NaN or inf at epoch 1 (exit status 3); "
                                            "try a smaller --lr than 1e+30")
    assert npz.is_file()  # the last finite parameters are saved, and eval reads them
    assert run(capsys, "eval", "iris", "--params", str(npz))[0] == 0


def test_save_reports_the_file_actually_written(capsys, tmp_path):
    stem = tmp_path / "params"
    status, out, _ = run(capsys, "train", "iris", "--model", "linear", "--epochs", "1", "--quiet", "--save", str(stem))
    assert status == 0 and f"parameters saved to {stem}.npz" in out
    assert (tmp_path / "params.npz").is_file() and not stem.exists()
    assert run(capsys, "eval", "iris", "--params", f"{stem}.npz")[0] == 0


def test_plot_without_extension_is_a_png_and_reported(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    stem = tmp_path / "curves"
    status, out, _ = run(capsys, "train", "iris", "--model", "linear", "--epochs", "1", "--quiet", "--plot", str(stem))
    assert status == 0 and f"curves saved to {stem}.png" in out
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unwritable_save_path_fails_before_training(capsys):
    status, out, err = run(capsys, "train", "iris", "--save", "/no/such/folder/p.npz")
    assert status == 2 and out == "" and err == "catgrad: error: --save /no/such/folder/p.npz: no such folder /no/such/folder\n"


def test_help_shows_defaults_and_exit_statuses(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["train", "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    flat = " ".join(out.split())
    assert "PRNG seed of the initial parameters and shuffling (default: 0)" in flat
    assert "--epochs EPOCHS default: the protocol's" in flat
    assert "adagrad 0.01, rmsprop 0.01, adam 0.001" in flat
    assert "exit status: 0 done, 2 bad input (one line on stderr), 3 training stopped on a NaN or inf" in flat


def test_version(capsys):
    import catgrad
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out == f"catgrad {catgrad.__version__}\n"


def test_argparse_error_through_a_subprocess_is_one_line():
    r = subprocess.run([sys.executable, "-m", "catgrad", "train", "iris", "--optimiser", "sgd"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "usage:" not in r.stderr
    assert r.stderr.startswith("catgrad: error: argument --optimiser/--optimizer: invalid choice: 'sgd'")
    assert r.stderr.rstrip().endswith("(see `catgrad train --help`)")


def test_non_finite_exit_status_through_a_subprocess(tmp_path):
    r = subprocess.run([sys.executable, "-m", "catgrad", "train", "iris", "--model", "linear", "--lr", "1e30",
                        "--epochs", "1", "--quiet"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "Traceback" not in r.stderr and "RuntimeWarning" not in r.stderr


def test_plot_without_matplotlib_names_the_extra_before_training(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    status, out, err = run(capsys, "train", "iris", "--plot", "c.png", "--quiet")
    assert status == 2 and out == ""
    assert err == 'catgrad: error: --plot needs matplotlib, which is not installed: pip install "catgrad-lens[plot]"\n'
