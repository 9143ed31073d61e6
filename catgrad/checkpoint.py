"""Checkpoints: a learner's state (parameters and optimiser state) in one ``.npz`` file, no pickle.

The state is a pair ``(params, opt_state)`` of records of arrays (``learn.TrainState``); this module
knows no learner: it saves such a pair and loads one checked against the record it must match
(``learner.state_record``), and ``catgrad.learn`` shows its names (``learn.save``, ``learn.load``).
One array per leaf of the state, keyed by its path (``params/dense/W``), bit for bit,
and a JSON manifest ``__manifest__`` (format, version, state class, shapes, metadata, ``fit``'s
progress). Written atomically (temporary file, ``fsync``, ``os.replace``) by process 0 alone
(``distributed.once``); loaded with ``allow_pickle=False`` and checked against the learner.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from typing import Any, Optional

import jax
import jax.numpy as jnp
import numpy as np

from . import distributed
from .record import paths

FORMAT = "catgrad-checkpoint"
VERSION = 1
MANIFEST = "__manifest__"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read, or does not fit the learner it is loaded for.

    >>> read_manifest(__file__)
    Traceback (most recent call last):
    catgrad.checkpoint.CheckpointError: ...
    """


def leaves_by_path(tree) -> dict:
    """The leaves of a pytree keyed by their path, ``"a/b/c"`` (``catgrad.record.paths`` joined by ``/``).

    >>> leaves_by_path({"params": {"W": 1, "b": 2}, "opt": (3,)})
    {'opt/0': 3, 'params/W': 1, 'params/b': 2}
    """
    keys = paths(tree, "/")
    clash = [k for i, k in enumerate(keys) if k == MANIFEST or k in keys[:i]]
    if clash:
        raise CheckpointError(f"the state has two arrays at the path {clash[0]!r}")
    return dict(zip(keys, jax.tree_util.tree_leaves(tree)))


def _encode_key(key) -> Optional[dict]:
    if key is not None and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        return {"data": np.asarray(jax.random.key_data(key)).tolist(), "impl": str(jax.random.key_impl(key))}
    return None if key is None else {"data": np.asarray(key).tolist()}


def _decode_key(d: Optional[dict]):
    if d is None:
        return None
    data = jnp.asarray(np.asarray(d["data"], np.uint32))
    return jax.random.wrap_key_data(data, impl=d["impl"]) if "impl" in d else data


def save(path, state: tuple, *, metadata: Optional[dict] = None, progress: Optional[dict] = None) -> None:
    """Write ``state`` to ``path`` (no suffix added; its folder must exist) atomically, with JSON ``metadata``
    (``progress``: ``fit``'s ``{"epoch", "key", "history", "run"}``).

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(3, 2), learn.mse, 0.1, learn.gd())
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
    >>> learn.save(path, lrn.init(jax.random.PRNGKey(0)), metadata={"run": 1})
    >>> learn.read_manifest(path)["metadata"]
    {'run': 1}
    """
    path = os.fspath(path)
    if not isinstance(state, tuple) or len(state) != 2:
        raise TypeError(f"save: expected a TrainState(params, opt_state), got {type(state).__name__}")
    state_class = type(state[1]).__name__
    state = {"params": state[0], "opt_state": state[1]}  # the paths of a TrainState's arrays
    arrays = {k: np.asarray(v) for k, v in leaves_by_path(state).items()}
    for k, a in arrays.items():
        if a.dtype.kind not in "biuf":
            raise TypeError(f"save: the array {k} has dtype {a.dtype}, not a number or bool array")
    manifest = {
        "format": FORMAT, "version": VERSION,
        "state_class": state_class,
        "arrays": {k: {"shape": list(a.shape), "dtype": a.dtype.name} for k, a in arrays.items()},
        "metadata": metadata or {},
    }
    if progress is not None:
        manifest["fit"] = {"epoch": int(progress["epoch"]), "key": _encode_key(progress.get("key")),
                           "history": progress.get("history", {}), "run": progress.get("run", {})}
    try:
        text = json.dumps(manifest)
    except TypeError as exc:
        raise TypeError(f"save: metadata must be JSON-serialisable ({exc})") from None
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the folder {folder} of {path} does not exist")
    distributed.once("save", lambda: _write(path, folder, text, arrays))


def _write(path: str, folder: str, text: str, arrays: dict) -> None:
    """Write the archive to a temporary file in ``folder``, ``fsync`` it, and rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{MANIFEST: np.array(text)}, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename durable (POSIX); folders cannot be opened everywhere
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _read(path) -> tuple:
    """``(manifest, arrays)`` of a checkpoint file, or a ``CheckpointError`` saying why it cannot be read."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint file {path}")
    try:
        with np.load(path, allow_pickle=False) as f:
            if MANIFEST not in f.files:
                raise CheckpointError(f"{path} is not a catgrad checkpoint (no {MANIFEST} entry); write one with "
                                      "learn.save or `catgrad train --save`")
            manifest = json.loads(str(f[MANIFEST]))
            arrays = {k: np.asarray(f[k]) for k in f.files if k != MANIFEST}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} is not a readable catgrad checkpoint (truncated, or not an .npz file: "
                              f"{type(exc).__name__}: {exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a catgrad checkpoint (format {manifest.get('format')!r})"
                              if isinstance(manifest, dict) else f"{path}: the manifest is not a JSON object")
    if manifest.get("version") != VERSION:
        raise CheckpointError(f"{path} has checkpoint format version {manifest.get('version')!r}; this catgrad reads "
                              f"version {VERSION}")
    return manifest, arrays


def read_manifest(path) -> dict:
    """The manifest of a checkpoint (``fit``'s ``key`` as a PRNG key); see :func:`save`.

    >>> read_manifest("no/such.ckpt")
    Traceback (most recent call last):
    FileNotFoundError: no checkpoint file no/such.ckpt
    """
    manifest, _ = _read(path)
    if "fit" in manifest:
        manifest["fit"] = dict(manifest["fit"], key=_decode_key(manifest["fit"].get("key")))
    return manifest


def load(path, learner) -> tuple:
    """The ``TrainState`` saved in ``path``, checked against ``learner.state_record`` (a ``CheckpointError``
    naming the missing, extra or mistyped array).

    >>> from catgrad import nn, learn
    >>> lrn = learn.supervised(nn.dense(3, 2), learn.mse, 0.1, learn.gd())
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
    >>> learn.save(path, lrn.init(jax.random.PRNGKey(0)))
    >>> learn.load(path, lrn).params["dense"]["W"].shape
    (2, 3)
    """
    if not hasattr(learner, "state_record"):
        raise TypeError(f"load: expected a Learner (to check the file against), got {type(learner).__name__}")
    manifest, arrays = _read(path)
    record = learner.state_record  # the types (shapes, dtypes) of the state
    want_class = type(record.opt_state).__name__
    if manifest.get("state_class") != want_class:
        raise CheckpointError(f"{path} holds a {manifest.get('state_class')} optimiser state; the learner's optimiser "
                              f"({learner.optimiser.name}) uses {want_class}")
    want = leaves_by_path(record)
    missing, extra = [k for k in want if k not in arrays], [k for k in arrays if k not in want]
    if missing or extra:
        k, more = (missing or extra)[0], len(missing or extra) - 1
        what = (f"is missing the array {k} ({_fmt(want[k])})" if missing else
                f"holds an array {k} ({_fmt(arrays[k])}) that the learner does not have")
        raise CheckpointError(f"{path} {what}" + (f" and {more} more" if more else "")
                              + "; was it written for another model or optimiser?")
    for k, t in want.items():
        a = arrays[k]
        if a.shape != tuple(t.shape) or a.dtype != np.dtype(t.dtype):
            raise CheckpointError(f"{path}: the array {k} is {_fmt(a)}; the learner expects {_fmt(t)}")
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(record), [jnp.asarray(arrays[k]) for k in want])


def _fmt(a: Any) -> str:
    return f"shape {tuple(a.shape)}, dtype {np.dtype(a.dtype).name}"


__all__ = ["save", "load", "read_manifest", "leaves_by_path", "CheckpointError", "FORMAT", "VERSION"]
