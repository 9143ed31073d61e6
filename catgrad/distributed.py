"""Many processes: ``jax.distributed`` set up from the environment, a local launcher, and the helpers ``fit`` uses.

JAX is the distributed engine: :func:`initialize` calls ``jax.distributed.initialize``, after
which ``jax.devices()`` lists the devices of every process and one ``jax.jit`` computation runs
on all of them (SPMD: every process runs the same program on its share of each array).
``learn.fit`` then needs no change of call: each process reads only its share of every global
minibatch (the same shuffling key on every process, so the global minibatch is the one-process
minibatch), the global arrays are assembled with ``jax.make_array_from_process_local_data``,
the parameters and the optimiser state are replicated, and the gradient mean over the global
minibatch is JAX's collective. For ``N`` processes and a global minibatch ``B`` split into the
shares ``B_1, ..., B_N``,

    ∇ (1/|B|) Σ_{i ∈ B} ℓ_i  =  Σ_k (|B_k|/|B|) · ∇ (1/|B_k|) Σ_{i ∈ B_k} ℓ_i,

so the update equals the one-process update up to floating-point reassociation.

Where :func:`initialize` finds the set-up (the first that is given wins):

1. its arguments;
2. ``CATGRAD_COORDINATOR_ADDRESS``, ``CATGRAD_NUM_PROCESSES``, ``CATGRAD_PROCESS_ID`` (set by
   :func:`launch` and ``catgrad train --processes N``);
3. ``JAX_COORDINATOR_ADDRESS``, ``JAX_NUM_PROCESSES``, ``JAX_PROCESS_ID``;
4. JAX's own cluster detection (SLURM's ``SLURM_*`` variables, Open MPI, Kubernetes, Cloud TPU).

>>> from catgrad import distributed
>>> distributed.settings({"CATGRAD_COORDINATOR_ADDRESS": "10.0.0.1:1234", "CATGRAD_NUM_PROCESSES": "4",
...                       "CATGRAD_PROCESS_ID": "2"})
{'coordinator_address': '10.0.0.1:1234', 'num_processes': 4, 'process_id': 2}
"""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Callable, Mapping, Optional, Sequence

import jax
import numpy as np

from . import errors
from . import sharding as sharding_rules

ADDRESS, COUNT, ID = "CATGRAD_COORDINATOR_ADDRESS", "CATGRAD_NUM_PROCESSES", "CATGRAD_PROCESS_ID"
_JAX = {"coordinator_address": "JAX_COORDINATOR_ADDRESS", "num_processes": "JAX_NUM_PROCESSES",
        "process_id": "JAX_PROCESS_ID"}
_OURS = {"coordinator_address": ADDRESS, "num_processes": COUNT, "process_id": ID}


class DistributedError(RuntimeError):
    """A multi-process set-up that cannot work: an unreachable coordinator, or processes that disagree.

    >>> from catgrad import distributed
    >>> distributed.settings({"CATGRAD_NUM_PROCESSES": "two"})
    Traceback (most recent call last):
        ...
    catgrad.distributed.DistributedError: CATGRAD_NUM_PROCESSES='two' is not a whole number
    """


def settings(environ: Optional[Mapping[str, str]] = None) -> dict:
    """The coordinator address, process count and process id that ``environ`` (default ``os.environ``) gives.

    ``CATGRAD_*`` variables first, then ``JAX_*``; a setting found in neither is left out (JAX's
    cluster detection, e.g. SLURM, then fills it in).

    >>> settings({"JAX_COORDINATOR_ADDRESS": "host:99", "JAX_NUM_PROCESSES": "2", "JAX_PROCESS_ID": "0"})
    {'coordinator_address': 'host:99', 'num_processes': 2, 'process_id': 0}
    >>> settings({})
    {}
    """
    environ = os.environ if environ is None else environ
    out = {}
    for name in ("coordinator_address", "num_processes", "process_id"):
        for var in (_OURS[name], _JAX[name]):
            if environ.get(var):
                value = environ[var]
                if name != "coordinator_address":
                    try:
                        value = int(value)
                    except ValueError:
                        raise DistributedError(f"{var}={value!r} is not a whole number") from None
                out[name] = value
                break
    return out


def wait_for(address: str, timeout: float) -> None:
    """Return once a TCP connection to ``host:port`` succeeds; raise :class:`DistributedError` after ``timeout`` s.

    >>> wait_for("127.0.0.1:1", 0.2)
    Traceback (most recent call last):
        ...
    catgrad.distributed.DistributedError: the coordinator 127.0.0.1:1 could not be reached within 0.2 s ...
    """
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise DistributedError(f"the coordinator address {address!r} is not host:port")
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=min(1.0, timeout)).close()
            return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise DistributedError(f"the coordinator {address} could not be reached within {timeout:g} s ({exc}); "
                                       "is process 0 running, and is the address right?") from None
            time.sleep(0.05)


def initialize(coordinator_address: Optional[str] = None, num_processes: Optional[int] = None,
               process_id: Optional[int] = None, *, timeout: float = 60) -> None:
    """Join a multi-process JAX run (``jax.distributed.initialize``), the set-up read from the environment.

    Call it first, before any JAX computation, in every process. Missing settings are taken from
    the environment (see the module docstring). CPU collectives go through gloo, so several CPU
    processes can train together. A process other than 0 first waits up to ``timeout`` seconds for
    the coordinator (process 0) to accept connections, and raises :class:`DistributedError` if
    it does not (JAX itself would abort the process). Calling it again once initialised does
    nothing; with no set-up found anywhere it does nothing either, and the program runs as one
    process. After it, ``jax.process_count()`` is the number of processes and ``jax.devices()``
    the devices of all of them.

    Example:
        Process 1 of 2, the coordinator on host ``node0``, ``train.py`` calling ``initialize()`` first,
        then ``learn.fit`` as usual::

            CATGRAD_COORDINATOR_ADDRESS=node0:1234 CATGRAD_NUM_PROCESSES=2 CATGRAD_PROCESS_ID=1 python train.py
    """
    if jax.distributed.is_initialized():
        return
    given = {"coordinator_address": coordinator_address, "num_processes": num_processes, "process_id": process_id}
    found = settings()
    args = {k: v if v is not None else found.get(k) for k, v in given.items()}
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    address, pid = args["coordinator_address"], args["process_id"]
    if address is not None and pid not in (None, 0):
        wait_for(address, timeout)
    try:
        jax.distributed.initialize(initialization_timeout=max(1, int(timeout)), **args)
    except ValueError:
        if any(v is not None for v in args.values()):
            raise
        return  # no set-up anywhere (and none detected by JAX): one process


def is_multiprocess() -> bool:
    """Whether this process is one of several (``jax.process_count() > 1``).

    >>> is_multiprocess()
    False
    """
    return jax.process_count() > 1


def is_main() -> bool:
    """Whether this is process 0, the one that logs and writes files.

    >>> is_main()
    True
    """
    return jax.process_index() == 0


def fingerprint(value) -> int:
    """A 31-bit hash of ``value``: of the bytes of its arrays if it is a pytree of arrays, else of its ``repr``.

    >>> fingerprint({"W": np.zeros(2)}) == fingerprint({"W": np.zeros(2)}) != fingerprint({"W": np.ones(2)})
    True
    """
    h = hashlib.sha256()
    if hasattr(value, "dtype") and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
        value = jax.random.key_data(value)
    leaves, treedef = jax.tree_util.tree_flatten(value)
    if leaves and all(hasattr(a, "dtype") and hasattr(a, "shape") for a in leaves):
        h.update(repr(treedef).encode())
        for a in leaves:
            a = np.asarray(a)
            h.update(f"{a.shape}{a.dtype}".encode())
            h.update(np.ascontiguousarray(a).tobytes())
    else:
        h.update(repr(value).encode())
    return int.from_bytes(h.digest()[:4], "little") & 0x7FFFFFFF


def agree(who: str, items: Mapping[str, object]) -> None:
    """Check that every process holds the same ``items`` (``{what: value}``), by an all-gather of their fingerprints.

    One fixed-size collective, so processes that disagree are detected, not left waiting for each
    other. Raises :class:`DistributedError` naming the first item on which a process differs
    from process 0. A no-op in a single process.

    >>> agree("fit", {"the batch size": 32})
    """
    if not is_multiprocess():
        return
    from jax.experimental import multihost_utils
    mine = np.array([fingerprint(v) for v in items.values()], np.int32)
    every = np.asarray(multihost_utils.process_allgather(mine))
    for j, what in enumerate(items):
        differ = [p for p in range(every.shape[0]) if every[p, j] != every[0, j]]
        if differ:
            raise DistributedError(f"{who}: the processes disagree on {what} (process {differ[0]} differs from "
                                   "process 0); every process must run the same program on the same data sizes")


def once(who: str, write: Callable[[], None]) -> None:
    """Run ``write`` in process 0 only, after every process has reached this point; all return when it is done.

    A barrier (``sync_global_devices``), then ``write()`` on process 0, then an all-gather of
    whether it succeeded (a second barrier): if it failed, process 0 re-raises its exception and
    the others raise :class:`DistributedError`. In a single process: just ``write()``.

    >>> once("save", lambda: None)
    """
    if not is_multiprocess():
        write()
        return
    from jax.experimental import multihost_utils
    multihost_utils.sync_global_devices(f"catgrad {who}: before")
    failure = None
    if is_main():
        try:
            write()
        except BaseException as exc:  # reported to the others before it is re-raised
            failure = exc
    ok = np.asarray(multihost_utils.process_allgather(np.array([failure is None], np.int32)))
    if failure is not None:
        raise failure
    if not ok.all():
        raise DistributedError(f"{who}: process 0 failed to write (see its error)")


def mesh(devices=None):
    """A one-axis ``Mesh`` named ``"batch"`` over ``devices`` (default: every device of every process).

    >>> mesh().axis_names
    ('batch',)
    """
    from jax.sharding import Mesh
    return Mesh(np.array(list(jax.devices() if devices is None else devices)), ("batch",))


def replicate(tree, mesh):
    """``tree`` (the same on every process) as global arrays replicated on every device of ``mesh``.

    >>> import jax.numpy as jnp
    >>> replicate({"W": jnp.ones(2)}, mesh())["W"].sharding.is_fully_replicated
    True
    """
    from jax.sharding import NamedSharding, PartitionSpec
    sharding = NamedSharding(mesh, PartitionSpec())
    return jax.tree_util.tree_map(lambda a: jax.make_array_from_process_local_data(sharding, np.asarray(a)), tree)


def local(tree):
    """This process's copy of a pytree of replicated global arrays (arrays on its first local device).

    >>> import jax.numpy as jnp
    >>> local({"W": jnp.ones(2)})["W"].shape
    (2,)
    """
    return jax.tree_util.tree_map(lambda a: a.addressable_data(0) if isinstance(a, jax.Array) else a, tree)


def share(mesh, batch_size: int) -> slice:
    """The positions ``lo:hi`` of every minibatch that this process holds, the batch axis sharded on ``mesh``'s
    first axis (``"batch"``, or ``"data"`` of a ``("data", "model")`` mesh).

    >>> share(mesh(), 8)
    slice(0, 8, None)
    """
    from jax.sharding import NamedSharding, PartitionSpec
    where = NamedSharding(mesh, PartitionSpec(mesh.axis_names[0])).addressable_devices_indices_map((batch_size,))
    parts = sorted({(idx[0].start or 0, batch_size if idx[0].stop is None else idx[0].stop) for idx in where.values()})
    if any(a[1] != b[0] for a, b in zip(parts, parts[1:])):
        raise DistributedError("this process's devices hold non-contiguous parts of the batch axis; give fit the "
                               "devices in process order (jax.devices())")
    return slice(parts[0][0], parts[-1][1])


def batches(arrays: Sequence, order: np.ndarray, mesh) -> list:
    """The global minibatches ``a[order]`` of host arrays ``a``, sharded on the batch axis (the last of ``order``).

    ``order`` holds example indices, of shape ``(steps, batch_size)`` (a stack of minibatches, as
    ``fit``'s epoch takes them) or ``(batch_size,)`` (one minibatch, as ``learner.step`` takes it).
    Each process reads only the rows of its share (:func:`share`) of every minibatch, from host
    arrays (NumPy arrays or memory maps), and the global arrays, of shape ``order.shape + a.shape[1:]``,
    are assembled with ``jax.make_array_from_process_local_data``.

    >>> x = np.arange(12.0).reshape(6, 2)
    >>> [b.shape for b in batches([x], np.array([[5, 0], [1, 2]]), mesh())]
    [(2, 2, 2)]
    >>> batches([x], np.array([5, 0]), mesh())[0].sharding.spec
    P('batch',)
    """
    from jax.sharding import NamedSharding, PartitionSpec
    order = np.asarray(order)
    mine = order[..., share(mesh, order.shape[-1])]
    sharding = NamedSharding(mesh, PartitionSpec(*[None] * (order.ndim - 1), mesh.axis_names[0]))
    out = []
    for a in arrays:
        a = a if isinstance(a, np.ndarray) else np.asarray(a)
        out.append(jax.make_array_from_process_local_data(sharding, a[mine], (*order.shape, *a.shape[1:])))
    return out


def fit_mesh(devices, given=None):
    """The mesh of ``fit``: the ``given`` one, or one over ``devices`` (None: no mesh in one process, every device of
    every process in several; a count: the first ones; or the devices). Several processes need them all.

    >>> fit_mesh(1).axis_names
    ('batch',)
    """
    if given is not None:
        if devices is not None:
            raise ValueError("fit: give devices= or mesh=, not both")
        if not isinstance(given, jax.sharding.Mesh):
            raise TypeError(f"fit: mesh must be a jax.sharding.Mesh, got {type(given).__name__}")
        return given
    every = jax.devices()
    if is_multiprocess():
        if devices is None or devices == len(every) or (not isinstance(devices, int) and list(devices) == every):
            return mesh(every)
        raise ValueError(f"fit: with {jax.process_count()} processes, devices must be all {len(every)} devices of "
                         f"all processes (devices=None), got {devices!r}")
    if isinstance(devices, int):
        if errors.positive_int("fit", "devices", devices) > len(every):
            raise ValueError(f"fit: asked for {devices} devices, only {len(every)} are available")
        devices = every[:devices]
    return None if devices is None else mesh(devices)


def epochs(epoch: Callable, xs: Sequence, ys: Sequence, n: int, batch_size: int, shuffle: bool, mesh):
    """``run(key)(state, guarded)``: ``fit``'s epoch from the compiled ``epoch(guarded)``, in one process or several.

    One process: the epoch permutes and batches the data on the device. Several: the same
    permutation is drawn on every process and each process reads its share of every minibatch
    (:func:`batches`) into global arrays (``CompiledEpoch.on_batches``).

    >>> run = epochs(lambda guarded: lambda st, xs, ys, key: st, [], [], 4, 2, True, None)
    >>> run(jax.random.PRNGKey(0))("state", False)
    'state'
    """
    if not is_multiprocess():
        return lambda key: lambda state, guarded: epoch(guarded)(state, xs, ys, key)
    steps = n // batch_size

    def run(key):
        order = np.asarray(jax.random.permutation(key, n)) if shuffle else np.arange(n)
        order = order[: steps * batch_size].reshape(steps, batch_size)
        bx, by = batches(xs, order, mesh), batches(ys, order, mesh)
        return lambda state, guarded: epoch(guarded).on_batches(state, bx, by)
    return run


def whole(tree, mesh=None, sharded: bool = False):
    """The arrays of ``tree`` whole on this process (to evaluate or save): gathered if sharded per parameter
    (``sharding.replicated``), this process's copy if several processes hold replicas; else ``tree``.

    >>> whole({"W": 1})
    {'W': 1}
    """
    if not is_multiprocess():
        return tree
    return local(sharding_rules.replicated(tree, mesh) if sharded else tree)


def free_port() -> int:
    """A TCP port on localhost that is free now (for a local coordinator).

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(argv: Sequence[str], processes: int, *, timeout: Optional[float] = None, quiet_others: bool = True,
           logs: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    """Run ``python argv...`` as ``processes`` local processes joined by a coordinator on localhost.

    Each process gets ``CATGRAD_COORDINATOR_ADDRESS`` (``127.0.0.1:<free port>``),
    ``CATGRAD_NUM_PROCESSES`` and ``CATGRAD_PROCESS_ID`` in its environment (the program calls
    :func:`initialize`), and runs on the CPU. The standard output of processes other than 0 is
    dropped with ``quiet_others``; with ``logs`` (a folder), the standard output and error of
    process ``i`` go to ``logs/process-<i>.log`` instead. If a process fails (or ``timeout`` seconds pass), the others are
    stopped. Returns the exit status: 0 if all succeeded, else the first failure's.

    >>> launch(["-c", "import os; assert os.environ['CATGRAD_NUM_PROCESSES'] == '2'"], 2)
    0
    """
    env = dict(os.environ if environ is None else environ)
    env.update({ADDRESS: f"127.0.0.1:{free_port()}", COUNT: str(processes), "JAX_PLATFORMS": "cpu"})
    procs = []
    try:
        for i in range(processes):
            out = subprocess.DEVNULL if quiet_others and i else None
            log = open(os.path.join(logs, f"process-{i}.log"), "w") if logs is not None else None
            procs.append(subprocess.Popen([sys.executable, *argv], env=dict(env, **{ID: str(i)}), stdout=log or out,
                                          stderr=log and subprocess.STDOUT, start_new_session=True))
            if log is not None:
                log.close()
        return _wait(procs, timeout)
    finally:
        stop(procs)


def _wait(procs: list, timeout: Optional[float]) -> int:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        codes = [p.poll() for p in procs]
        failed = [c for c in codes if c not in (None, 0)]
        if failed:
            return failed[0]
        if all(c == 0 for c in codes):
            return 0
        if deadline is not None and time.monotonic() > deadline:
            return 124
        time.sleep(0.05)


def stop(procs: Sequence[subprocess.Popen]) -> None:
    """Stop the processes still running (their process groups: SIGTERM, then SIGKILL after 5 s).

    >>> stop([])
    """
    for p in procs:
        if p.poll() is None:
            _signal(p, signal.SIGTERM)
    deadline = time.monotonic() + 5
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal(p, signal.SIGKILL)
            p.wait()


def _signal(p: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            p.send_signal(sig)
        except ProcessLookupError:
            pass


__all__ = ["initialize", "settings", "wait_for", "is_multiprocess", "is_main", "fingerprint", "agree", "once", "mesh",
           "replicate", "local", "share", "batches", "fit_mesh", "epochs", "whole", "free_port", "launch", "stop",
           "DistributedError"]
