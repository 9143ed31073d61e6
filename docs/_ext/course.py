"""The course of notebooks: find, check and execute them once, for the tests and the docs alike.

The notebooks live in ``examples/notebooks/`` as ``.ipynb`` files (stored with their outputs
cleared) paired with a jupytext ``py:percent`` file of the same name. ``executed(path)``
runs a notebook top to bottom in a fresh kernel (nbclient, the current interpreter) and keeps
the executed copy in a cache keyed by the notebook's bytes and every source file of the
``catgrad`` package, so the test suite and the Sphinx build run each notebook once between
them (a file lock makes concurrent test workers wait for each other rather than run it twice),
and an executed copy is never stale: change the notebook or the library and it runs again.
"""
from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import pathlib
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "examples" / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
CACHE = ROOT / "docs" / "_build" / "executed"

#: Seconds one notebook may take from its first cell to its last (checked after the run;
#: a single cell running longer is interrupted). The whole course takes well under 5 minutes.
TIME_LIMIT = 120


def notebooks() -> list:
    """The course's notebooks, in order (``01_…ipynb``, ``02_…ipynb``, …)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def solutions(path: pathlib.Path) -> list:
    """The solutions of a notebook's exercises, in order: the ``# %% exercise N`` cells of
    ``examples/notebooks/solutions/<notebook>.py``."""
    text = (SOLUTIONS / (pathlib.Path(path).stem + ".py")).read_text(encoding="utf-8")
    return [part.strip() for part in re.split(r"^# %% exercise \d+\n", text, flags=re.M)[1:]]


def exercises(nb) -> list:
    """The indices of a notebook's exercise cells (code cells tagged ``exercise``), in order."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "exercise" in c.metadata.get("tags", [])]


def solve(nb, path: pathlib.Path):
    """The notebook with each exercise cell's placeholder replaced by its solution (a copy)."""
    nb = copy.deepcopy(nb)
    cells, answers = exercises(nb), solutions(path)
    if len(cells) != len(answers):
        raise ValueError(f"{pathlib.Path(path).name}: {len(cells)} exercise cells but {len(answers)} solutions")
    for i, answer in zip(cells, answers):
        nb.cells[i].source = answer
    return nb


def _library_digest() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "catgrad").rglob("*")):
        if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(ROOT)).encode())
            h.update(p.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def key(path: pathlib.Path) -> str:
    """The cache key of a notebook: its bytes, its solutions, the library's sources and the Python version."""
    h = hashlib.sha256(pathlib.Path(path).read_bytes())
    h.update((SOLUTIONS / (pathlib.Path(path).stem + ".py")).read_bytes())
    h.update(_library_digest().encode())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _locked(lock: pathlib.Path):
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run(path: pathlib.Path, timeout: float = TIME_LIMIT, solved: bool = True):
    """Execute the notebook at ``path`` in a fresh kernel; return ``(notebook, seconds)``.

    With ``solved`` (the default) its exercises are first given their solutions (``solve``), so
    every exercise is checked by the cell after it; ``solved=False`` runs it as a student gets it.

    Raises ``nbclient.exceptions.CellExecutionError`` (naming the cell and the error) if a cell
    fails, and ``TimeoutError`` if the whole notebook takes longer than ``timeout`` seconds.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    if solved and exercises(nb):
        nb = solve(nb, path)
    client = NotebookClient(nb, timeout=int(timeout), kernel_name="python3",
                            resources={"metadata": {"path": str(pathlib.Path(path).parent)}})
    start = time.perf_counter()
    client.execute()  # figures come back as images: ipykernel's inline matplotlib backend
    seconds = time.perf_counter() - start
    if seconds > timeout:
        raise TimeoutError(f"{pathlib.Path(path).name} took {seconds:.0f} s, over its limit of {timeout:.0f} s")
    nb.metadata["catgrad_run_seconds"] = round(seconds, 2)
    return nb, seconds


def executed(path: pathlib.Path, timeout: float = TIME_LIMIT) -> tuple:
    """The executed copy of a notebook and its run time: ``(path_of_copy, seconds, ran_now)``.

    Taken from the cache when the notebook and the library are unchanged since it last ran;
    otherwise run now (``run``) and cached.
    """
    import nbformat

    path = pathlib.Path(path)
    out = CACHE / f"{path.stem}-{key(path)}.ipynb"
    with _locked(CACHE / f"{path.stem}.lock"):
        if out.exists():
            nb = nbformat.read(out, as_version=4)
            return out, float(nb.metadata.get("catgrad_run_seconds", 0.0)), False
        nb, seconds = run(path, timeout)
        for old in CACHE.glob(f"{path.stem}-*.ipynb"):
            old.unlink()
        tmp = out.with_suffix(".tmp")
        nbformat.write(nb, tmp)
        tmp.replace(out)
        return out, seconds, True
