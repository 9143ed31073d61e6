"""``catgrad draw``: the papers' models drawn from the command line, and its one-line errors."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from catgrad.cli import main

SVG = "{http://www.w3.org/2000/svg}"


def boxes(path) -> list:
    root = ET.parse(path).getroot()
    return [t.text for t in root.findall(f"{SVG}text")]


@pytest.mark.parametrize("what", ["model", "rdiff", "lens", "learner"])
def test_draw_iris_hidden(tmp_path, what, capsys):
    out = tmp_path / f"{what}.svg"
    assert main(["draw", "iris", "--model", "hidden", "--what", what, "-o", str(out)]) == 0
    texts = boxes(out)
    if what == "learner":
        assert {"U = gd", "R(model)", "R(loss)", "α = 0.01"} <= set(texts)
    else:
        assert "W·x" in texts  # the einsum ij,j->i drawn as the product it is
    assert str(out) in capsys.readouterr().out


def test_depth_one_shows_layers(tmp_path):
    out = tmp_path / "r.svg"
    assert main(["draw", "iris", "--what", "rdiff", "--depth", "1", "-o", str(out)]) == 0
    assert {"dense", "dense_1", "R(dense)", "R(dense_1)"} <= set(boxes(out))


def test_learner_every_generator_and_tikz(tmp_path):
    out = tmp_path / "l.tex"
    assert main(["draw", "iris", "--what", "learner", "--depth", "all", "-o", str(out)]) == 0
    assert out.read_text().startswith(r"\begin{tikzpicture}")


def test_boolean_circuit(tmp_path):
    out = tmp_path / "b.svg"
    assert main(["draw", "iris", "--boolean", "--model", "table", "-o", str(out)]) == 0
    assert "∧" in boxes(out)


@pytest.mark.parametrize("argv, message", [
    (["draw", "cifar", "-o", "x.svg"], "unknown dataset 'cifar'"),
    (["draw", "iris", "--model", "deep", "-o", "x.svg"], "unknown model 'deep' for iris"),
    (["draw", "iris", "--boolean", "--model", "deep", "-o", "x.svg"], "model for iris must be one of"),
    (["draw", "iris", "-o", "x.jpg"], "suffix must be one of"),
    (["draw", "iris", "-o", "/no/such/dir/x.svg"], "cannot write the drawing to"),
])
def test_errors_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_depth_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["draw", "iris", "--depth", "-3", "-o", "x.svg"])
    assert info.value.code == 2
    assert "expected a number ≥ 0 or 'all'" in capsys.readouterr().err
