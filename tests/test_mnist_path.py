"""The full-MNIST paths (``--data DIR``) end to end, on a small MNIST-format directory generated here.

No copy of MNIST is on the test machines, so the IDX files are written by hand (struct, big-endian) from
synthetic digit-like images: class k lights up a class-specific block of pixels, plus noise.
"""
import gzip
import struct

import numpy as np
import pytest

from catgrad import datasets
from catgrad.cli import main


def _write_idx(path, array, gz):
    a = np.asarray(array, np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, a.ndim) + b"".join(struct.pack(">i", n) for n in a.shape)
    data = header + a.tobytes()
    with (gzip.open if gz else open)(path, "wb") as fh:
        fh.write(data)


def _synthetic(n, rng):
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = rng.integers(0, 20, (n, 28, 28)).astype(np.uint8)
    for i, k in enumerate(y):
        r, c = divmod(int(k), 4)
        x[i, 2 + 8 * r:8 + 8 * r, 2 + 6 * c:7 + 6 * c] = 250
    return x, y


@pytest.fixture(scope="module")
def mnist_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("mnist")
    rng = np.random.default_rng(0)
    for kind, n, gz in (("train", 600, True), ("t10k", 200, False)):
        x, y = _synthetic(n, rng)
        suffix = ".gz" if gz else ""
        _write_idx(d / f"{kind}-images-idx3-ubyte{suffix}", x, gz)
        _write_idx(d / f"{kind}-labels-idx1-ubyte{suffix}", y, gz)
    return d


def test_mnist_reads_the_directory(mnist_dir):
    tr, te = datasets.mnist(str(mnist_dir)), datasets.mnist(str(mnist_dir), kind="test")
    assert tr.x.shape == (600, 28, 28) and te.x.shape == (200, 28, 28)
    assert tr.x.max() <= 1.0 and tr.y.max() <= 9


def test_cli_trains_the_dense_model_on_a_mnist_directory(mnist_dir, capsys):
    status = main(["train", "mnist", "--model", "dense", "--data", str(mnist_dir), "--epochs", "2",
                   "--batch-size", "16", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    line = [l for l in out.splitlines() if l.startswith("test accuracy")][-1]
    assert float(line.split()[-1]) > 0.8, out


def test_boolean_cli_runs_the_rda_mnist_protocol_on_a_mnist_directory(mnist_dir, capsys):
    status = main(["train", "mnist", "--boolean", "--model", "pseudo-linear", "--data", str(mnist_dir)])
    out = capsys.readouterr().out
    assert status == 0 and "paper 99.2%" in out, out
