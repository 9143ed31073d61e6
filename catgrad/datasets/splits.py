"""Train/test splits and feature scaling used by the experiments.

Every function is deterministic: the only randomness, in :func:`stratified_split`,
comes from the explicit ``seed``. Splits return rows in their original order.
"""
from __future__ import annotations

import numpy as np

from .. import errors


def _check_xy(fn: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if y.dtype.kind not in "iub":
        raise TypeError(f"{fn}: labels y must be integers, got dtype {y.dtype}"
                        + (" (convert with y.astype(int))" if y.dtype.kind == "f" else ""))
    if y.ndim != 1:
        raise ValueError(f"{fn}: labels y must be 1-d, got shape {y.shape}")
    if x.ndim == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(f"{fn}: x has {x.shape[0] if x.ndim else 0} row(s) (shape {x.shape}) "
                         f"but y has {y.shape[0]} label(s)")
    if y.shape[0] == 0:
        raise ValueError(f"{fn}: no examples to split (x of shape {x.shape}, y of shape {y.shape})")
    return x, y


def stratified_split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into ``(x_train, y_train, x_test, y_test)`` keeping the class proportions.

    For each class ``c`` with ``n_c`` rows, ``round(test_fraction * n_c)`` of them (rounding
    halves up), chosen by a permutation from ``numpy.random.default_rng(seed)``, go to the
    test set and the rest to the training set. Rows keep their original relative order in
    both parts. The same ``(x, y, test_fraction, seed)`` always gives the same split.
    ``seed`` is a non-negative int. A fraction that leaves either part empty (every row held
    out, or none) is refused with a ``ValueError``.

    >>> x = np.arange(10.0)[:, None]; y = np.array([0] * 6 + [1] * 4)
    >>> x_tr, y_tr, x_te, y_te = stratified_split(x, y, 0.5, seed=0)
    >>> np.bincount(y_tr), np.bincount(y_te)
    (array([3, 2]), array([3, 2]))
    """
    x, y = _check_xy("stratified_split", x, y)
    try:
        errors.real("stratified_split", "test_fraction", test_fraction, low=0.0, high=1.0, low_open=True,
                    high_open=True)
    except ValueError:
        raise ValueError(f"stratified_split: test_fraction must lie strictly between 0 and 1, got {test_fraction}"
                         + ("; to train on everything, do not split" if test_fraction == 0 else "")) from None
    seed = errors.integer("stratified_split", "seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    test = np.zeros(y.shape[0], bool)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        n_test = int(np.floor(test_fraction * rows.size + 0.5))
        test[rng.permutation(rows)[:n_test]] = True
    if test.all() or not test.any():
        counts = np.unique(y, return_counts=True)[1]
        part = "training" if test.all() else "test"
        raise ValueError(f"stratified_split: test_fraction={test_fraction} leaves the {part} part empty "
                         f"({y.shape[0]} rows, classes of {counts.min()} to {counts.max()} rows; per class "
                         "round(test_fraction · n_c) rows are held out)")
    return x[~test], y[~test], x[test], y[test]


def per_class_split(x: np.ndarray, y: np.ndarray, n_train: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per class, the first ``n_train`` rows (in order) train and the remaining rows test.

    Returns ``(x_train, y_train, x_test, y_test)`` with rows in their original order.
    This is the protocol of the Iris experiment of [RDA] (P. Wilson and F. Zanasi,
    "Reverse Derivative Ascent: A Categorical Approach to Learning Boolean Circuits",
    ACT 2020, arXiv:2101.10488, section 5): with ``n_train=25`` on Iris in UCI order,
    75 rows train and 75 test.

    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> x_tr, y_tr, x_te, y_te = per_class_split(np.arange(6), y, 2)
    >>> x_tr, x_te
    (array([0, 1, 3, 4]), array([2, 5]))
    """
    x, y = _check_xy("per_class_split", x, y)
    n_train = errors.integer("per_class_split", "n_train", n_train, minimum=0)
    train = np.zeros(y.shape[0], bool)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        if rows.size < n_train:
            raise ValueError(f"per_class_split: class {c} has {rows.size} row(s), fewer than n_train={n_train}")
        train[rows[:n_train]] = True
    return x[train], y[train], x[~train], y[~train]


def minmax(x: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Feature-wise min-max scaling: ``(x - min) / (max - min)`` over axis 0, as float32.

    ``min`` and ``max`` are taken over the rows of ``reference`` (default ``x`` itself; pass
    the training set to scale a test set the same way, values may then leave [0, 1]).
    A feature with ``max == min`` maps to 0.

    >>> minmax(np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]]))
    array([[0. , 0. ],
           [1. , 0. ],
           [0.5, 0. ]], dtype=float32)
    """
    x = _floats("minmax", "x", x)
    ref = x if reference is None else _floats("minmax", "reference", reference)
    if ref.ndim == 0 or ref.shape[1:] != x.shape[1:] or ref.shape[0] == 0:
        raise ValueError(f"minmax: reference of shape {ref.shape} does not match x of shape {x.shape} "
                         "(need at least one row with the same feature shape)")
    lo, hi = ref.min(axis=0), ref.max(axis=0)
    span = hi - lo
    return np.where(span > 0, (x - lo) / np.where(span > 0, span, 1), 0).astype(np.float32)


def binarize(x: np.ndarray, threshold: float) -> np.ndarray:
    """``1.0`` where ``x > threshold`` and ``0.0`` elsewhere, as float32.

    >>> binarize(np.array([0.1, 0.5, 0.9]), 0.5)
    array([0., 0., 1.], dtype=float32)
    """
    threshold = errors.real("binarize", "threshold", threshold)
    return (_floats("binarize", "x", x) > threshold).astype(np.float32)


def _floats(fn: str, arg: str, x) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{fn}: {arg} must be an array of numbers, got dtype {a.dtype} ({errors.describe(x)[:80]})")
    return a.astype(np.float32)
