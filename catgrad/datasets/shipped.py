"""Iris and the 8x8 digits, read from the small files shipped inside the package.

Nothing is fetched: the files are ``catgrad/datasets/data/iris.csv`` and
``data/digits.npz`` (sources, licences and checksums in ``data/README.txt``).
Rows keep their original order, so protocols defined on row positions (such as
"per class, the first 25 rows train and the last 25 test" on Iris) can be followed.

References:
  R. A. Fisher, "The use of multiple measurements in taxonomic problems",
  Annals of Eugenics 7(2):179-188, 1936; UCI Machine Learning Repository,
  https://doi.org/10.24432/C56C76 (CC BY 4.0).
  E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits",
  UCI Machine Learning Repository, 1998, https://doi.org/10.24432/C50P49 (CC BY 4.0).
"""
from __future__ import annotations

import csv
import pathlib
import zipfile

import numpy as np

from .base import Dataset, DatasetError, DatasetFileNotFoundError, bad_file

DATA = pathlib.Path(__file__).parent / "data"
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
DIGIT_CLASSES = tuple(str(d) for d in range(10))


def iris() -> Dataset:
    """Fisher's Iris data: ``x`` float32 ``(150, 4)`` in cm, ``y`` int32 in {0, 1, 2}.

    Features, in order: sepal length, sepal width, petal length, petal width (cm).
    Classes: ``("setosa", "versicolor", "virginica")``, 50 each, rows in UCI order
    (rows 0-49 setosa, 50-99 versicolor, 100-149 virginica).

    >>> d = iris()
    >>> d.x.shape, d.x.dtype, d.classes
    ((150, 4), dtype('float32'), ('setosa', 'versicolor', 'virginica'))
    >>> d.x[0], d.y[[0, 50, 100]]
    (array([5.1, 3.5, 1.4, 0.2], dtype=float32), array([0, 1, 2], dtype=int32))
    """
    path = DATA / "iris.csv"
    try:
        with open(path, newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise DatasetFileNotFoundError(bad_file(path, "no such file (the package data is incomplete)")) from None
    body = rows[1:]
    if len(body) != 150 or any(len(r) != 5 or r[4] not in IRIS_CLASSES for r in body):
        raise DatasetError(bad_file(path, "expected 150 rows of 4 numbers and a species name"))
    x = np.array([[float(v) for v in r[:4]] for r in body], np.float32)
    y = np.array([IRIS_CLASSES.index(r[4]) for r in body], np.int32)
    return Dataset(x, y, IRIS_CLASSES, "iris")


def digits(*, images: bool = False) -> Dataset:
    """The UCI 8x8 handwritten digits (1,797 examples, the set of scikit-learn's ``load_digits``).

    ``x`` is float32 ``(1797, 64)`` holding the raw integer values 0..16 (the number of
    set pixels in each 4x4 block of a 32x32 bitmap; divide by 16 or use :func:`minmax`
    to scale), row-major over the 8x8 image; with ``images=True`` it is
    ``(1797, 8, 8)``, the same numbers reshaped. ``y`` is int32 in 0..9, classes
    ``("0", ..., "9")``.

    >>> d = digits()
    >>> d.x.shape, d.x.dtype, float(d.x.max()), d.y[:5]
    ((1797, 64), dtype('float32'), 16.0, array([0, 1, 2, 3, 4], dtype=int32))
    >>> digits(images=True).x.shape
    (1797, 8, 8)
    """
    path = DATA / "digits.npz"
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as archive:
            x, y = archive["x"], archive["y"]
    except FileNotFoundError:
        raise DatasetFileNotFoundError(bad_file(path, "no such file (the package data is incomplete)")) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DatasetError(bad_file(path, f"corrupt archive ({exc})")) from None
    if x.shape != (1797, 64) or y.shape != (1797,):
        raise DatasetError(bad_file(path, f"expected x (1797, 64) and y (1797,), got {x.shape} and {y.shape}"))
    x = x.astype(np.float32)
    return Dataset(x.reshape(-1, 8, 8) if images else x, y.astype(np.int32), DIGIT_CLASSES, "digits")
