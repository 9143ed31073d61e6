"""The ``Dataset`` record, the dataset error class and one-hot encoding."""
from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from .. import errors


class DatasetError(ValueError):
    """A data file is missing, truncated or malformed; the message names the file and the problem.

    >>> from catgrad.datasets import read_idx
    >>> read_idx("no-such-file.idx")
    Traceback (most recent call last):
        ...
    catgrad.datasets.base.DatasetFileNotFoundError: no-such-file.idx: no such file
    """


class DatasetFileNotFoundError(DatasetError, FileNotFoundError):
    """A data file does not exist (catchable as ``DatasetError`` and as ``FileNotFoundError``).

    >>> issubclass(DatasetFileNotFoundError, DatasetError), issubclass(DatasetFileNotFoundError, FileNotFoundError)
    (True, True)
    """


def bad_file(path: str | os.PathLike, problem: str) -> str:
    """The message of every ``DatasetError``: ``"<path>: <problem>"``."""
    return f"{os.fspath(path)}: {problem}"


class Dataset(NamedTuple):
    """A labelled data set held in memory.

    Fields:
      x: float32 array ``(n, *features)`` (or uint8 where a loader says ``raw=True``);
      y: int32 labels ``(n,)`` in ``0 .. len(classes) - 1``;
      classes: the class names, ``classes[y[i]]`` is the name of example ``i``;
      name: a short name of the data set.

    >>> d = Dataset(np.zeros((2, 3), np.float32), np.array([1, 0], np.int32), ("a", "b"), "toy")
    >>> d.one_hot()
    array([[0., 1.],
           [1., 0.]], dtype=float32)
    >>> d.n, d.n_classes
    (2, 2)
    """

    x: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    name: str

    def one_hot(self) -> np.ndarray:
        """The labels as float32 one-hot rows ``(n, len(classes))``; see :func:`one_hot`."""
        return one_hot(self.y, len(self.classes))

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n(self) -> int:
        """The number of examples (``len(d)`` is 4, the number of fields, as for any NamedTuple)."""
        return int(self.y.shape[0])

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, x={self.x.dtype}{list(self.x.shape)}, "
            f"y={self.y.dtype}{list(self.y.shape)}, classes={self.classes!r})"
        )


def one_hot(y: np.ndarray, k: int) -> np.ndarray:
    """One-hot encoding: ``one_hot(y, k)[i, j] = 1.0 if y[i] == j else 0.0``, float32 ``(n, k)``.

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    k = errors.positive_int("one_hot", "k", k)
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"one_hot: labels must be a 1-d integer array, got dtype {y.dtype} shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"one_hot: labels must lie in 0..{k - 1}, got values from {y.min()} to {y.max()}")
    out = np.zeros((y.shape[0], k), np.float32)
    out[np.arange(y.shape[0]), y] = 1.0
    return out
