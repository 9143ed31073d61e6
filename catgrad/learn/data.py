"""The data a learner takes, checked once at the door: a batch per model input, targets or integer labels.

Integer labels are accepted when the target is one float vector of length ``k > 1`` (made one-hot
inside the compiled functions). ``TypeError`` for shapes that do not fit, ``LabelError``/``ValueError``
for values out of range; arrays that already fit pass through untouched (the fast path of a step).

>>> from catgrad import nn, learn
>>> d = Data.of(nn.dense(2, 3), learn.softmax_cross_entropy(nn.dense(2, 3).cod))
>>> d.classes
3
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np

from ..core.objects import Array
from ..para import Para
from ..record import leaves
from ..semantics.jax import check_binary


class LabelError(ValueError):
    """Integer labels outside ``0..k-1`` for a model with ``k`` outputs.

    >>> check_labels(np.array([0, 3]), 3)
    Traceback (most recent call last):
    catgrad.learn.data.LabelError: labels must lie in 0..2 for a model with 3 outputs; got labels in 0..3
    """


def label_message(lo: int, hi: int, k: int) -> str:
    """The message of a ``LabelError`` (see its example)."""
    return f"labels must lie in 0..{k - 1} for a model with {k} outputs; got labels in {lo}..{hi}"


@dataclass(frozen=True)
class Data:
    """``inputs``: the model's input types; ``targets``: the loss's target types; ``classes``: ``k`` or None."""

    inputs: tuple
    targets: tuple
    classes: Optional[int]

    @staticmethod
    def of(model: Para, loss: Para) -> "Data":
        """The data types of ``model`` and ``loss`` (read once)."""
        Y = tuple(leaves(loss.param))
        t = Y[0] if len(Y) == 1 else None
        k = t.shape[0] if t is not None and t.ndim == 1 and t.dtype != "bool" and t.shape[0] > 1 else None
        return Data(tuple(model.dom), Y, k)

    def inputs_of(self, x) -> list:
        """One checked batch per model input (``x`` an array, or a list of them)."""
        xs = list(x) if isinstance(x, (tuple, list)) else [x]
        if len(xs) != len(self.inputs):
            raise TypeError(f"the model takes {len(self.inputs)} input(s) ({', '.join(map(str, self.inputs))}), "
                            f"got {len(xs)}")
        out = [batch_of(a, t, f"input {i}") for i, (a, t) in enumerate(zip(xs, self.inputs))]
        if len({a.shape[0] for a in out}) > 1:
            raise TypeError(f"the model's inputs have different numbers of examples: {[a.shape[0] for a in out]}")
        return out

    def targets_of(self, y, n: int, eager: bool = True):
        """The checked targets of ``n`` examples; integer labels stay labels (1-D int). ``eager=False`` leaves
        the range check of labels to the compiled step (``CompiledStep.dispatch``)."""
        y, k = as_array(y, "targets"), self.classes
        if k is not None and y.ndim == 1:
            if y.dtype.kind not in "iu":
                raise TypeError(f"targets: got a {'bool' if y.dtype.kind == 'b' else 'float'} array of shape "
                                f"{y.shape}; class labels must be integers (0..{k - 1}), e.g. y.astype(int), or "
                                f"give one-hot targets of shape (n, {k})")
            _same_count(n, y.shape[0])
            if eager and isinstance(y, np.ndarray):
                check_labels(y, k)
            elif eager:  # on the device: one round trip
                lo, hi = (int(v) for v in jax.device_get(_label_range(y)))
                if lo < 0 or hi >= k:
                    raise LabelError(label_message(lo, hi, k))
            return y
        if len(self.targets) != 1:
            raise TypeError(f"the loss takes {len(self.targets)} target wires ({', '.join(map(str, self.targets))}); "
                            "give them as one array is not supported")
        y = batch_of(y, self.targets[0], "targets")
        _same_count(n, y.shape[0])
        return y

    def as_targets(self, ys: list) -> list:
        """Integer labels → one-hot targets (traced); an out-of-range label gives a NaN row."""
        y = ys[0]
        if self.classes is None or y.ndim != 1 or not jnp.issubdtype(y.dtype, jnp.integer):
            return ys
        k, y = self.classes, y.astype(jnp.int32)
        one_hot = jax.nn.one_hot(y, k, dtype=self.targets[0].dtype)
        return [jnp.where(((y < 0) | (y >= k))[:, None], jnp.nan, one_hot)]


def batch_of(a, t: Array, what: str):
    """``a`` as a non-empty batch of data of type ``t``: binary for a Z2 wire, else numbers of ``t``'s dtype.

    >>> batch_of([[1, 2]], Array((2,)), "x").dtype
    dtype('float32')
    """
    if ready(a, t):
        return a
    a = as_array(a, what)
    if a.ndim != t.ndim + 1 or tuple(a.shape[1:]) != t.shape:
        expects, got = ("the loss expects targets", "targets") if what == "targets" else ("the model expects examples", "data")
        raise TypeError(f"{what}: {expects} of shape {t.shape} ({t}), so a batch of shape "
                        f"(n, {', '.join(map(str, t.shape))}); got {got} of shape {tuple(a.shape)}")
    if a.shape[0] == 0:
        raise ValueError(f"{what}: the data is empty (0 examples of shape {t.shape})")
    if t.dtype == "bool":
        return check_binary(a, what)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what}: expected numbers for {t}, got data of dtype {a.dtype}")
    return a.astype(t.dtype) if isinstance(a, np.ndarray) else jnp.asarray(a, t.dtype)  # converted where it lives


def _same_count(n: int, m: int) -> None:
    if m != n:
        raise TypeError(f"{n} inputs but {m} targets")


_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


@jax.jit
def _label_range(y):
    return jnp.min(y), jnp.max(y)


def check_labels(y: np.ndarray, k: int) -> None:
    """Raise ``LabelError`` unless every label lies in ``0..k-1`` (numpy, on the host).

    >>> check_labels(np.array([0, 2]), 3)
    """
    u = y if y.dtype.kind == "u" else y.view(_UNSIGNED[y.dtype.itemsize])  # negatives become huge
    if u.max() >= k:
        raise LabelError(label_message(int(y.min()), int(y.max()), k))


def ready(a, t: Array) -> bool:
    """Whether ``a`` is already a batch of type ``t``: a numpy or strongly typed JAX array of ``t``'s dtype and shape
    ``(n, *t.shape)``, ``n > 0`` (numpy stays on the host: the jitted function transfers it, faster).

    >>> ready(np.zeros((4, 2), np.float32), Array((2,)))
    True
    """
    return (isinstance(a, (np.ndarray, jax.Array)) and a.dtype == t.dtype and a.shape[1:] == t.shape
            and a.ndim == t.ndim + 1 and a.shape[0] > 0 and not getattr(a, "weak_type", False))


def as_array(a, what: str):
    """``a`` as a numpy or JAX array, or a ``TypeError`` naming ``what``.

    >>> as_array([1, 2], "x").shape
    (2,)
    """
    if isinstance(a, (np.ndarray, jax.Array)):
        return a
    if isinstance(a, (str, bytes, dict)) or a is None:
        raise TypeError(f"{what}: expected an array of numbers, got {type(a).__name__} {a!r:.60}")
    try:
        return np.asarray(a)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{what}: expected an array of numbers, got {type(a).__name__} ({exc})") from None
