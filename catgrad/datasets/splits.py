"""Train/test splits and feature scaling used by the experiments.

Every function is deterministic: the only randomness, in :func:`stratified_split`,
comes from the explicit ``seed``. Splits return rows in their original order.
"""
from __future__ import annotations

import numpy as np


def _check_xy(fn: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{fn}: labels y must be 1-d, got shape {y.shape}")
    if x.ndim == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(f"{fn}: x has {x.shape[0] if x.ndim else 0} row(s) (shape {x.shape}) "
                         f"but y has {y.shape[0]} label(s)")
    return x, y


def stratified_split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into ``(x_train, y_train, x_test, y_test)`` keeping the class proportions.

    For each class ``c`` with ``n_c`` rows, ``round(test_fraction * n_c)`` of them (rounding
    halves up), chosen by a permutation from ``numpy.random.default_rng(seed)``, go to the
    test set and the rest to the training set. Rows keep their original relative order in
    both parts. The same ``(x, y, test_fraction, seed)`` always gives the same split.

    >>> x = np.arange(10.0)[:, None]; y = np.array([0] * 6 + [1] * 4)
    >>> x_tr, y_tr, x_te, y_te = stratified_split(x, y, 0.5, seed=0)
    >>> np.bincount(y_tr), np.bincount(y_te)
    (array([3, 2]), array([3, 2]))
    """
    x, y = _check_xy("stratified_split", x, y)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"stratified_split: test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(seed)
    test = np.zeros(y.shape[0], bool)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        n_test = int(np.floor(test_fraction * rows.size + 0.5))
        test[rng.permutation(rows)[:n_test]] = True
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
    if n_train < 0:
        raise ValueError(f"per_class_split: n_train must be >= 0, got {n_train}")
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
    x = np.asarray(x, np.float32)
    ref = x if reference is None else np.asarray(reference, np.float32)
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
    return (np.asarray(x) > threshold).astype(np.float32)
