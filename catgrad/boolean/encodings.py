"""Boolean encodings of data for the Z2 models of [RDA]: class labels as bits, thermometer codes of
real features, and the bit positions of feature tuples under such a code.

>>> thermometer(np.array([[0.0], [1.0]]), 2).astype(int)
array([[0, 0],
       [1, 1]])
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import datasets


def binary_labels(y, bits: int) -> np.ndarray:
    """Class index ``y`` as ``bits`` little-endian bits: ``out[:, i] = (y >> i) & 1``.

    >>> binary_labels(np.array([0, 1, 2]), 2).astype(int)
    array([[0, 0],
           [1, 0],
           [0, 1]])
    """
    y = np.asarray(y)
    return ((y[:, None] >> np.arange(bits)) & 1).astype(bool)


def one_hot_labels(y, k: int) -> np.ndarray:
    """Class index ``y`` as a one-hot bool vector of length ``k``.

    >>> one_hot_labels(np.array([2]), 3)
    array([[False, False,  True]])
    """
    return np.eye(k, dtype=bool)[np.asarray(y)]


def class_bits(y, k: int, labels: str) -> np.ndarray:
    """Class indices ``y`` of ``k`` classes as bits: ``"binary"`` (``⌈log₂ k⌉`` little-endian bits, at
    least one) or ``"one-hot"`` (``k`` bits).

    >>> class_bits(np.array([0, 2]), 3, "binary").astype(int)
    array([[0, 0],
           [0, 1]])
    """
    if labels == "binary":
        return binary_labels(y, max(1, int(np.ceil(np.log2(k)))))
    if labels == "one-hot":
        return one_hot_labels(y, k)
    raise ValueError(f"labels must be 'binary' or 'one-hot', got {labels!r}")


def thermometer(x, levels: int) -> np.ndarray:
    """Min-max normalise each feature, then ``levels`` bits per feature: bit ``j`` is ``x > (j+1)/(levels+1)``.

    ``levels = 1`` is the [RDA] encoding (threshold 0.5). Bits are feature-major.

    >>> thermometer(np.array([[0.0], [0.6], [1.0]]), 3).astype(int)
    array([[0, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    xn = datasets.minmax(np.asarray(x, np.float32))
    t = np.arange(1, levels + 1, dtype=np.float32) / (levels + 1)
    return (xn[:, :, None] > t).reshape(xn.shape[0], -1)


def feature_tuples(n_features: int, levels: int, size: int) -> np.ndarray:
    """The bit positions of every ``size``-subset of features under a thermometer code of ``levels`` bits each.

    >>> feature_tuples(3, 2, 2)
    array([[0, 1, 2, 3],
           [0, 1, 4, 5],
           [2, 3, 4, 5]])
    """
    return np.array([[f * levels + j for f in s for j in range(levels)]
                     for s in itertools.combinations(range(n_features), size)])


__all__ = ["binary_labels", "one_hot_labels", "class_bits", "thermometer", "feature_tuples"]
