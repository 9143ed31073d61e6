"""The course of notebooks (examples/notebooks): stored clean, paired with their text form, and run.

Each notebook's exercises ship unsolved (a cell tagged ``exercise`` holding ``...``) with their
solutions beside them in ``examples/notebooks/solutions/``; the runs substitute the solutions, so
every exercise is still checked by the cell after it. Every notebook runs top to bottom in a fresh kernel (nbclient), under a per-notebook time limit
(``course.TIME_LIMIT``), and the whole course under 5 minutes. A cell that raises, including an
exercise's ``assert``, fails its notebook's test. Executed copies are cached by the notebook's
bytes and the library's sources (``docs/_ext/course.py``), so the documentation build reuses them
instead of running the course a second time.

Needs the ``docs`` extra (nbclient, nbformat, ipykernel, jupytext); skipped without it.
"""
from __future__ import annotations

import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import course  # noqa: E402

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
jupytext = pytest.importorskip("jupytext")

NOTEBOOKS = course.notebooks()
TOPICS = ["string_diagrams", "reverse_derivative", "lenses_and_para", "learner", "optimisers", "conv_mnist",
          "deep_dreaming", "boolean_circuits", "your_own_generator", "six_views"]
COURSE_LIMIT = 300  # seconds for the whole course, on 2 cores


def _ids(paths):
    return [p.stem for p in paths]


def test_the_course_has_its_ten_notebooks_in_order():
    assert [p.stem.split("_", 1)[1] for p in NOTEBOOKS] == TOPICS
    assert [int(p.stem[:2]) for p in NOTEBOOKS] == list(range(1, len(TOPICS) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_stored_clean_and_paired_with_its_text_form(path):
    """Outputs cleared (never stale), and the jupytext ``py:percent`` twin has the same cells."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: cell {i} has stored outputs"
    twin = path.with_suffix(".py")
    assert twin.is_file(), f"{path.name} has no paired {twin.name} (jupytext --set-formats ipynb,py:percent)"
    text = jupytext.read(twin)
    ours = [(c.cell_type, c.source.strip()) for c in nb.cells]
    theirs = [(c.cell_type, c.source.strip()) for c in text.cells]
    assert ours == theirs, f"{path.name} and {twin.name} differ: run `jupytext --sync {path}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_teaches_with_formulas_and_ends_with_checked_exercises(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "a title first"
    assert "$" in markdown, "no formula"
    heads = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## Exercises" in c.source]
    assert heads, "no Exercises section"
    after = [c.source for c in nb.cells[heads[-1]:] if c.cell_type == "code"]
    checks = [s for s in after if "assert" in s]
    assert len(checks) >= 2, "the exercises need at least two checking cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_runs_top_to_bottom(path, record_property):
    """Executed in a fresh kernel (or taken from the cache when nothing changed since it last ran)."""
    executed, seconds, ran_now = course.executed(path)
    record_property("seconds", seconds)
    print(f"{path.name}: {seconds:.1f} s{'' if ran_now else ' (cached run)'}")
    nb = nbformat.read(executed, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "not every cell ran"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert seconds < course.TIME_LIMIT


def test_the_whole_course_runs_in_under_five_minutes():
    times = {p.stem: course.executed(p)[1] for p in NOTEBOOKS}
    print("  ".join(f"{k}: {v:.0f} s" for k, v in times.items()), f"| total {sum(times.values()):.0f} s")
    assert sum(times.values()) < COURSE_LIMIT, times


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_states_what_a_student_learns_and_how_long_it_takes(path):
    first = nbformat.read(path, as_version=4).cells[0].source
    assert "*You will learn to*" in first and re.search(r"\*Time:\* about \d+ minutes", first), first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_exercises_ship_unsolved_with_their_solutions_beside_them(path):
    nb = nbformat.read(path, as_version=4)
    cells, answers = course.exercises(nb), course.solutions(path)
    assert len(cells) >= 2 and len(cells) == len(answers), (len(cells), len(answers))
    for i, answer in zip(cells, answers):
        source = nb.cells[i].source
        body = [line for line in source.splitlines() if not line.startswith("#")]
        assert body and all(line.endswith(" = ...") for line in body), f"cell {i} is not a bare placeholder: {source}"
        check = next(c for c in nb.cells[i + 1:] if c.cell_type == "code")
        assert "assert" in check.source and "replace the ..." in check.source
        assert answer and "..." not in answer.replace('"..."', "")
    solved = course.solve(nb, path)
    assert [solved.cells[i].source for i in cells] == answers


def test_an_unsolved_notebook_fails_its_checks():
    """As a student gets it, the first exercise's check stops the run; solved, the same notebook runs."""
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError, match=r"Exercise 1: replace the \.\.\."):
        course.run(NOTEBOOKS[0], timeout=60, solved=False)


def test_a_failing_cell_fails_the_run(tmp_path):
    """The runner is not a rubber stamp: an exercise whose check fails makes the notebook fail."""
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 41"),
                                         nbformat.v4.new_code_cell("assert answer == 42, 'wrong answer'")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "wrong.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError, match="wrong answer"):
        course.run(path, timeout=60)


def _box_labels(svg: str) -> list:
    """``(label, kind)`` of each box of a catgrad SVG: a rounded ``rect`` (``rx="3"``) and the ``text`` after it;
    the shaded fill is a collapsed layer, a dashed line across the box a lens."""
    import xml.etree.ElementTree as ET

    from catgrad.drawing.svg import FILL

    items, out = list(ET.fromstring(svg)), []
    for k, el in enumerate(items):
        if el.tag.endswith("rect") and el.get("rx") == "3":
            after = items[k + 1:k + 3]
            text = next(e for e in after if e.tag.endswith("text"))
            lens = after[0].tag.endswith("path") and after[0].get("stroke-dasharray") is not None
            kind = "lens" if lens else "layer" if el.get("fill") == FILL["layer"] else "generator"
            out.append((text.text or "", kind))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_symbol_of_its_pictures_is_in_the_legend(path):
    """The box labels of every picture the notebook shows are explained by ``catgrad.drawing.legend()``
    (or are the name of a generator: the library's, or one the notebook declares)."""
    from catgrad.core.registry import SIGNATURE
    from catgrad.drawing.legend import explain

    nb = nbformat.read(course.executed(path)[0], as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = set(SIGNATURE) | set(re.findall(r"name=\"(\w+)\"", code))
    svgs = [o["data"]["image/svg+xml"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "image/svg+xml" in o.get("data", {})]
    boxes = [b for s in svgs for b in _box_labels(s)]
    assert not [b for b in boxes if explain(*b, names=names) is None], path.name
